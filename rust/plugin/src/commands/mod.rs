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
mod scene;
mod scene_files;
mod scene_guard;
mod scene_paths;
mod screenshot;
mod scripts;
mod selection;
mod sessions;
mod signals;

use godot_ai_protocol::godot_ai_commands::is_godot_ai_command;
use godot_ai_protocol::suggest::closest;
use godot_ai_protocol::{Command, CommandError, CommandResult, ErrorCode, JsonObject};

type Handler = fn(&JsonObject) -> CommandResult;

/// Every command this plugin implements.
const COMMANDS: &[(&str, Handler)] = &[
    // editor
    ("get_editor_state", editor::get_editor_state),
    ("get_selection", selection::get_selection),
    ("set_selection", selection::set_selection),
    ("get_logs", logs::get_logs),
    ("clear_logs", logs::clear_logs),
    ("get_performance_monitors", logs::get_performance_monitors),
    ("take_screenshot", screenshot::take_screenshot),
    ("reload_plugin", lifecycle::reload_plugin),
    ("quit_editor", lifecycle::quit_editor),
    // scene
    ("get_scene_tree", scene::get_scene_tree),
    ("open_scene", scene_files::open_scene),
    ("save_scene", scene_files::save_scene),
    ("save_scene_as", scene_files::save_scene_as),
    ("create_scene", scene_files::create_scene),
    ("get_open_scenes", scene_files::get_open_scenes),
    // node
    ("get_node_properties", node::get_node_properties),
    ("create_node", node_edit::create_node),
    ("set_property", node_edit::set_property),
    ("find_nodes", node_tree::find_nodes),
    ("get_children", node_edit::get_children),
    ("get_groups", node_edit::get_groups),
    ("delete_node", node_edit::delete_node),
    ("duplicate_node", node_tree::duplicate_node),
    ("rename_node", node_edit::rename_node),
    ("move_node", node_tree::move_node),
    ("reparent_node", node_tree::reparent_node),
    ("add_to_group", |params| {
        node_edit::change_group(params, true)
    }),
    ("remove_from_group", |params| {
        node_edit::change_group(params, false)
    }),
    // script
    ("create_script", files::create_script),
    ("patch_script", files::patch_script),
    ("attach_script", scripts::attach_script),
    ("detach_script", scripts::detach_script),
    ("read_script", files::read_file),
    ("find_symbols", file_search::find_symbols),
    // filesystem
    ("read_file", files::read_file),
    ("write_file", files::write_file),
    ("search_filesystem", file_search::search_filesystem),
    ("reimport", file_search::reimport),
    // project
    ("run_project", project::run_project),
    ("stop_project", project::stop_project),
    ("get_project_setting", project::get_project_setting),
    ("set_project_setting", project::set_project_setting),
    ("batch_execute", batch::batch_execute),
    // signals, autoloads, input map
    ("list_signals", signals::list_signals),
    ("connect_signal", signals::connect_signal),
    ("disconnect_signal", signals::disconnect_signal),
    ("list_autoloads", autoloads::list_autoloads),
    ("add_autoload", autoloads::add_autoload),
    ("remove_autoload", autoloads::remove_autoload),
    ("list_actions", input_map::list_actions),
    ("add_action", input_map::add_action),
    ("remove_action", input_map::remove_action),
    ("bind_event", input_map::bind_event),
    // sessions (the in-process endpoint's session tools)
    ("session_list", sessions::session_list),
    ("session_activate", sessions::session_activate),
];

/// Commands that change the project: refused while the editor imports or a game plays
/// (`stop_project` is never refused).
const WRITES: &[&str] = &[
    "set_selection",
    "open_scene",
    "save_scene",
    "save_scene_as",
    "create_scene",
    "create_node",
    "set_property",
    "delete_node",
    "duplicate_node",
    "rename_node",
    "move_node",
    "reparent_node",
    "add_to_group",
    "remove_from_group",
    "create_script",
    "patch_script",
    "attach_script",
    "detach_script",
    "write_file",
    "reimport",
    "set_project_setting",
    "batch_execute",
    "connect_signal",
    "disconnect_signal",
    "add_autoload",
    "remove_autoload",
    "add_action",
    "remove_action",
    "bind_event",
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
    let handler = handler(name).ok_or_else(|| unknown_command(name))?;
    if WRITES.contains(&name) {
        write_gate()?;
    }
    handler(params)
}

fn handler(name: &str) -> Option<Handler> {
    COMMANDS
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, handler)| *handler)
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
                COMMANDS
                    .iter()
                    .map(|(name, _)| *name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    let similar = closest(name, COMMANDS.iter().map(|(name, _)| *name), 3);
    let mut error = CommandError::new(
        ErrorCode::UnknownCommand,
        format!("Unknown command: {name}"),
    );
    if !similar.is_empty() {
        error = error.with_data("did_you_mean", similar);
    }
    error
}
