//! Project input actions: list, add, remove, bind events (saved to project.godot).

use godot_ai_protocol::{CommandError, CommandResult, JsonObject};

pub fn list_actions(_params: &JsonObject) -> CommandResult {
    Err(CommandError::internal("list_actions: not written yet"))
}

pub fn add_action(_params: &JsonObject) -> CommandResult {
    Err(CommandError::internal("add_action: not written yet"))
}

pub fn remove_action(_params: &JsonObject) -> CommandResult {
    Err(CommandError::internal("remove_action: not written yet"))
}

pub fn bind_event(_params: &JsonObject) -> CommandResult {
    Err(CommandError::internal("bind_event: not written yet"))
}
