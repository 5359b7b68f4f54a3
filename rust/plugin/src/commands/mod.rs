//! The editor commands, by godot-ai plugin command name. Each runs on the main thread and
//! returns the reply's `data` object or a [`CommandError`].

mod autoloads;
mod batch;
pub mod editor;
mod file_search;
pub(crate) mod files;
mod input_map;
mod lifecycle;
mod logs;
mod node;
mod node_edit;
mod node_tree;
mod params;
mod project;
mod project_settings;
mod reply;
mod scene;
mod scene_files;
mod scene_guard;
mod scene_paths;
mod screenshot;
mod scripts;
mod selection;
mod sessions;
mod signals;
mod undo;

use godot_ai_protocol::godot_ai_commands::is_godot_ai_command;
use godot_ai_protocol::suggest::closest;
use godot_ai_protocol::{Command, CommandError, CommandResult, ErrorCode, JsonObject};

type Handler = fn(&JsonObject) -> CommandResult;

/// Whether a command changes the project. Writes are refused while the editor imports or runs
/// the game (`stop_project` is a read in this sense: it is never refused).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

use Access::{Read, Write};

/// Every command this plugin implements.
const COMMANDS: &[(&str, Access, Handler)] = &[
    // editor
    ("get_editor_state", Read, editor::get_editor_state),
    ("get_selection", Read, selection::get_selection),
    ("set_selection", Write, selection::set_selection),
    ("get_logs", Read, logs::get_logs),
    ("clear_logs", Read, logs::clear_logs),
    (
        "get_performance_monitors",
        Read,
        logs::get_performance_monitors,
    ),
    ("take_screenshot", Read, screenshot::take_screenshot),
    ("reload_plugin", Read, lifecycle::reload_plugin),
    ("quit_editor", Read, lifecycle::quit_editor),
    // scene
    ("get_scene_tree", Read, scene::get_scene_tree),
    ("open_scene", Write, scene_files::open_scene),
    ("save_scene", Write, scene_files::save_scene),
    ("save_scene_as", Write, scene_files::save_scene_as),
    ("create_scene", Write, scene_files::create_scene),
    ("get_open_scenes", Read, scene_files::get_open_scenes),
    // node
    ("get_node_properties", Read, node::get_node_properties),
    ("create_node", Write, node_edit::create_node),
    ("set_property", Write, node_edit::set_property),
    ("find_nodes", Read, node_tree::find_nodes),
    ("get_children", Read, node_edit::get_children),
    ("get_groups", Read, node_edit::get_groups),
    ("delete_node", Write, node_edit::delete_node),
    ("duplicate_node", Write, node_tree::duplicate_node),
    ("rename_node", Write, node_edit::rename_node),
    ("move_node", Write, node_tree::move_node),
    ("reparent_node", Write, node_tree::reparent_node),
    ("add_to_group", Write, |params| {
        node_edit::change_group(params, true)
    }),
    ("remove_from_group", Write, |params| {
        node_edit::change_group(params, false)
    }),
    // script
    ("create_script", Write, files::create_script),
    ("patch_script", Write, files::patch_script),
    ("attach_script", Write, scripts::attach_script),
    ("detach_script", Write, scripts::detach_script),
    ("read_script", Read, files::read_file),
    ("find_symbols", Read, file_search::find_symbols),
    // filesystem
    ("read_file", Read, files::read_file),
    ("write_file", Write, files::write_file),
    ("search_filesystem", Read, file_search::search_filesystem),
    ("reimport", Write, file_search::reimport),
    // project
    ("run_project", Read, project::run_project),
    ("stop_project", Read, project::stop_project),
    ("get_project_setting", Read, project::get_project_setting),
    ("set_project_setting", Write, project::set_project_setting),
    ("batch_execute", Write, batch::batch_execute),
    // signals, autoloads, input map
    ("list_signals", Read, signals::list_signals),
    ("connect_signal", Write, signals::connect_signal),
    ("disconnect_signal", Write, signals::disconnect_signal),
    ("list_autoloads", Read, autoloads::list_autoloads),
    ("add_autoload", Write, autoloads::add_autoload),
    ("remove_autoload", Write, autoloads::remove_autoload),
    ("list_actions", Read, input_map::list_actions),
    ("add_action", Write, input_map::add_action),
    ("remove_action", Write, input_map::remove_action),
    ("bind_event", Write, input_map::bind_event),
    // sessions (the in-process endpoint's session tools)
    ("session_list", Read, sessions::session_list),
    ("session_activate", Read, sessions::session_activate),
];

/// Runs `command` on the editor, keeping a trace of it in the plugin log. Must be called on
/// the main thread.
pub fn dispatch(command: &Command) -> CommandResult {
    crate::plugin_log::trace_received(&command.name, &command.params);
    let result = run(&command.name, &command.params);
    match &result {
        Ok(_) => crate::plugin_log::trace(&format!("[send] {} -> ok", command.name)),
        Err(error) => crate::plugin_log::trace(&format!(
            "[send] {} -> error: {}",
            command.name, error.message
        )),
    }
    result
}

/// Runs the command `name`: the write gate first for commands that change the project.
fn run(name: &str, params: &JsonObject) -> CommandResult {
    let (access, handler) = command(name).ok_or_else(|| unknown_command(name))?;
    if access == Write {
        write_gate()?;
    }
    handler(params)
}

fn command(name: &str) -> Option<(Access, Handler)> {
    COMMANDS
        .iter()
        .find(|(known, _, _)| *known == name)
        .map(|(_, access, handler)| (*access, *handler))
}

/// The handler of the command `name`, if this plugin implements it.
fn handler(name: &str) -> Option<Handler> {
    command(name).map(|(_, handler)| handler)
}

/// Every command name this plugin implements.
fn command_names() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().map(|(name, _, _)| *name)
}

/// `EDITOR_NOT_READY` while the editor imports resources or runs the game.
fn write_gate() -> Result<(), CommandError> {
    match editor::readiness() {
        "importing" => Err(CommandError::new(
            ErrorCode::EditorNotReady,
            "Editor is importing resources — try again shortly",
        )
        .with_data("retryable", true)
        .with_data("state", "importing")),
        "playing" => Err(CommandError::new(
            ErrorCode::EditorNotReady,
            "Editor is in play mode — call project_stop to stop the game, then retry",
        )
        .with_data("retryable", false)
        .with_data("state", "playing")),
        _ => Ok(()),
    }
}

/// `UNKNOWN_COMMAND`: godot-ai commands not built yet say so; other names get the closest
/// commands that exist.
fn unknown_command(name: &str) -> CommandError {
    if is_godot_ai_command(name) {
        return CommandError::new(
            ErrorCode::UnknownCommand,
            format!(
                "'{name}' is not supported by godot-ai-native yet. Supported: {}.",
                command_names().collect::<Vec<_>>().join(", ")
            ),
        );
    }
    let similar = closest(name, command_names(), 3);
    let mut error = CommandError::new(
        ErrorCode::UnknownCommand,
        format!("Unknown command: {name}"),
    );
    if !similar.is_empty() {
        error = error.with_data("did_you_mean", similar);
    }
    error
}
