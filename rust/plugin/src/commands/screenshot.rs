//! `take_screenshot`: the editor viewport as a PNG.

use godot_ai_protocol::{CommandError, CommandResult, JsonObject};

pub fn take_screenshot(_params: &JsonObject) -> CommandResult {
    Err(CommandError::internal("take_screenshot: not written yet"))
}
