//! Project autoloads: list, add, remove (saved to project.godot).

use godot_ai_protocol::{CommandError, CommandResult, JsonObject};

pub fn list_autoloads(_params: &JsonObject) -> CommandResult {
    Err(CommandError::internal("list_autoloads: not written yet"))
}

pub fn add_autoload(_params: &JsonObject) -> CommandResult {
    Err(CommandError::internal("add_autoload: not written yet"))
}

pub fn remove_autoload(_params: &JsonObject) -> CommandResult {
    Err(CommandError::internal("remove_autoload: not written yet"))
}
