//! Finding things in the project: files by name/type/path, symbols in a script; reimport.

use godot_ai_protocol::{CommandError, CommandResult, JsonObject};

pub fn search_filesystem(_params: &JsonObject) -> CommandResult {
    Err(CommandError::internal("search_filesystem: not written yet"))
}

pub fn find_symbols(_params: &JsonObject) -> CommandResult {
    Err(CommandError::internal("find_symbols: not written yet"))
}

pub fn reimport(_params: &JsonObject) -> CommandResult {
    Err(CommandError::internal("reimport: not written yet"))
}
