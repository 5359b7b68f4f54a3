//! Signal connections between scene nodes: list, connect, disconnect.

use godot_ai_protocol::{CommandError, CommandResult, JsonObject};

pub fn list_signals(_params: &JsonObject) -> CommandResult {
    Err(CommandError::internal("list_signals: not written yet"))
}

pub fn connect_signal(_params: &JsonObject) -> CommandResult {
    Err(CommandError::internal("connect_signal: not written yet"))
}

pub fn disconnect_signal(_params: &JsonObject) -> CommandResult {
    Err(CommandError::internal("disconnect_signal: not written yet"))
}
