//! `batch_execute`: several commands as one unit.

use godot_ai_protocol::{CommandError, CommandResult, JsonObject};

pub fn batch_execute(_params: &JsonObject) -> CommandResult {
    Err(CommandError::internal("batch_execute: not written yet"))
}
