//! The editor commands, by godot-ai plugin command name. Each runs on the main thread and
//! returns the reply's `data` object or a [`CommandError`].

pub mod editor;
mod files;
mod lifecycle;
mod node;
mod node_edit;
mod node_tree;
mod params;
mod project;
mod scene;
mod scene_files;
mod scene_guard;
mod scene_paths;
mod scripts;
mod selection;

use godot_ai_protocol::suggest::closest;
use godot_ai_protocol::{Command, CommandError, CommandResult, ErrorCode};

type Handler = fn(&godot_ai_protocol::JsonObject) -> CommandResult;

/// Every command this plugin implements.
const COMMANDS: &[(&str, Handler)] = &[
    ("get_editor_state", editor::get_editor_state),
    ("get_scene_tree", scene::get_scene_tree),
    ("get_node_properties", node::get_node_properties),
    ("reload_plugin", lifecycle::reload_plugin),
    ("quit_editor", lifecycle::quit_editor),
    ("create_node", node_edit::create_node),
    ("set_property", node_edit::set_property),
    ("delete_node", node_edit::delete_node),
    ("rename_node", node_edit::rename_node),
    ("add_to_group", |params| {
        node_edit::change_group(params, true)
    }),
    ("remove_from_group", |params| {
        node_edit::change_group(params, false)
    }),
    ("get_children", node_edit::get_children),
    ("get_groups", node_edit::get_groups),
    ("duplicate_node", node_tree::duplicate_node),
    ("move_node", node_tree::move_node),
    ("reparent_node", node_tree::reparent_node),
    ("find_nodes", node_tree::find_nodes),
    ("open_scene", scene_files::open_scene),
    ("save_scene", scene_files::save_scene),
    ("save_scene_as", scene_files::save_scene_as),
    ("create_scene", scene_files::create_scene),
    ("get_open_scenes", scene_files::get_open_scenes),
    ("get_selection", selection::get_selection),
    ("set_selection", selection::set_selection),
    ("patch_script", files::patch_script),
    ("read_file", files::read_file),
    ("read_script", files::read_file),
    ("write_file", files::write_file),
    ("create_script", files::create_script),
    ("attach_script", scripts::attach_script),
    ("detach_script", scripts::detach_script),
    ("get_project_setting", project::get_project_setting),
    ("set_project_setting", project::set_project_setting),
];

/// Commands that change the project: refused while the editor imports or a game plays.
const WRITES: &[&str] = &[
    "create_node",
    "set_property",
    "delete_node",
    "rename_node",
    "duplicate_node",
    "move_node",
    "reparent_node",
    "add_to_group",
    "remove_from_group",
    "open_scene",
    "save_scene",
    "save_scene_as",
    "create_scene",
    "set_selection",
    "patch_script",
    "write_file",
    "create_script",
    "attach_script",
    "detach_script",
    "set_project_setting",
];

/// godot-ai commands this plugin does not implement yet: answered with a clear error that says
/// so, rather than "unknown".
const NOT_YET: &[&str] = &[
    "get_performance_monitors",
    "clear_logs",
    "find_symbols",
    "reimport",
    "search_filesystem",
    "stop_project",
];

/// Runs `command` on the editor. Must be called on the main thread.
pub fn dispatch(command: &Command) -> CommandResult {
    match COMMANDS.iter().find(|(name, _)| *name == command.name) {
        Some((name, handler)) => {
            if WRITES.contains(name) {
                write_gate()?;
            }
            handler(&command.params)
        }
        None if NOT_YET.contains(&command.name.as_str()) => Err(CommandError::new(
            ErrorCode::UnknownCommand,
            format!(
                "'{}' is not supported by godot-ai-native yet. Supported: {}.",
                command.name,
                COMMANDS
                    .iter()
                    .map(|(name, _)| *name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        None => Err(unknown_command(&command.name)),
    }
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

fn unknown_command(name: &str) -> CommandError {
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
