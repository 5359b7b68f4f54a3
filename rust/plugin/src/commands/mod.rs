//! The editor commands, by godot-ai plugin command name. Each runs on the main thread and
//! returns the reply's `data` object or a [`CommandError`].

pub mod editor;
mod lifecycle;
mod node;
mod params;
mod scene;
mod scene_paths;

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
];

/// godot-ai commands this plugin does not implement yet: answered with a clear error that says
/// so, rather than "unknown".
const NOT_YET: &[&str] = &[
    "get_selection",
    "set_selection",
    "get_performance_monitors",
    "clear_logs",
];

/// Runs `command` on the editor. Must be called on the main thread.
pub fn dispatch(command: &Command) -> CommandResult {
    match COMMANDS.iter().find(|(name, _)| *name == command.name) {
        Some((_, handler)) => handler(&command.params),
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
