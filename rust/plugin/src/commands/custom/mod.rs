//! Custom tools: tools the project's other addons register (`McpToolRegistry`), listed by
//! `list_custom_tools` and run by `custom_tool:<name>`, as godot-ai 3.2.5 defines them.
//! The registry publishes its catalog, which the bridge announces to a godot-ai server
//! (`custom_tools_changed`) and the endpoint lists.

mod invoke;
pub mod registry;
mod spec;

use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::json;

pub use invoke::invoke;

/// Whether the tool `name` changes the project (it asked to be refused while the game runs).
pub fn changes_project(name: &str) -> bool {
    registry::with_tool(name, |tool| tool.definition.requires_writable).unwrap_or(false)
}

/// Why the tool `name` cannot run inside a batch (`undo`: the batch is undone on failure),
/// if it cannot.
pub fn refused_in_batch(index: usize, name: &str, undo: bool) -> Option<CommandError> {
    let (deferred, undoable) = registry::with_tool(name, |tool| {
        (tool.definition.deferred, tool.definition.undoable)
    })?;
    if deferred {
        return Some(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "commands[{index}]: custom tool '{name}' is deferred — call it directly, not \
                 in a batch"
            ),
        ));
    }
    (undo && !undoable).then(|| {
        CommandError::new(
            ErrorCode::CustomToolNotUndoable,
            format!(
                "commands[{index}]: custom tool '{name}' is not undoable, so it cannot run in a \
                 batch with undo; pass undo=false"
            ),
        )
    })
}

/// `list_custom_tools {}`: the switched-on tools, as godot-ai's `custom_manage list`.
pub fn list_custom_tools(_params: &JsonObject) -> CommandResult {
    let catalog = registry::current_catalog();
    let tools: Vec<_> = catalog.tools.iter().filter(|tool| tool.enabled).collect();
    let mut data = JsonObject::new();
    data.insert("tool_count".to_owned(), json!(tools.len()));
    data.insert("tools".to_owned(), json!(tools));
    Ok(data)
}
