//! `batch_execute`: several commands as one unit.
//!
//! Every entry is checked before any runs (shape, known command, no nested batch). They then
//! run in order and the batch stops at the first error. With `undo` (the default) the entries
//! that ran and were undoable are undone through the edited scene's undo history, newest
//! first; entries that cannot be undone (file writes, settings) are listed in `kept`, never
//! "undone" by undoing something unrelated.

use std::panic::{AssertUnwindSafe, catch_unwind};

use godot::classes::EditorInterface;
use godot::prelude::*;
use godot_ai_protocol::suggest::closest;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use super::editor::into_object;
use super::node_edit::undo_redo;
use super::{COMMANDS, handler};

/// One checked entry of the batch.
struct Entry {
    command: String,
    params: JsonObject,
}

/// `batch_execute {commands: [{command, params?}], undo = true}`.
pub fn batch_execute(params: &JsonObject) -> CommandResult {
    let entries = checked_entries(params.get("commands"))?;
    let undo = !matches!(params.get("undo"), Some(Value::Bool(false)));

    let mut results = Vec::new();
    let mut undoable_steps = 0;
    let mut kept = Vec::new();
    let mut failure: Option<(usize, CommandError)> = None;
    for (index, entry) in entries.iter().enumerate() {
        match run_entry(entry) {
            Ok(data) => {
                if data.get("undoable") == Some(&Value::Bool(true)) {
                    undoable_steps += 1;
                } else {
                    kept.push(index);
                }
                results.push(json!({"command": entry.command, "status": "ok", "data": data}));
            }
            Err(error) => {
                results.push(json!({"command": entry.command, "status": "error", "error": error}));
                failure = Some((index, error));
                break;
            }
        }
    }
    let succeeded = results.len() - usize::from(failure.is_some());
    let rolled_back = match &failure {
        Some(_) if undo && undoable_steps > 0 => undo_steps(undoable_steps),
        _ => false,
    };
    let mut data = json!({
        "succeeded": succeeded,
        "stopped_at": failure.as_ref().map(|(index, _)| *index),
        "results": results,
        "undo": undo,
        "rolled_back": rolled_back,
        "undoable": failure.is_none() && kept.is_empty(),
    });
    if let Some((_, error)) = failure {
        data["error"] = json!(error);
        if rolled_back && !kept.is_empty() {
            data["kept"] = json!(kept);
            data["kept_reason"] = json!(
                "these entries changed files or settings, which the editor's undo history \
                 cannot revert"
            );
        }
    }
    Ok(into_object(data))
}

/// Runs one entry; a panic in its handler becomes that entry's `INTERNAL_ERROR`, so the batch
/// can still roll back. The write gate was passed by the batch as a whole: entries are not
/// gated again, so a file write that starts a rescan does not refuse the entries after it.
fn run_entry(entry: &Entry) -> CommandResult {
    let Some(run) = handler(&entry.command) else {
        return Err(CommandError::internal("entry checked before the batch ran"));
    };
    catch_unwind(AssertUnwindSafe(|| run(&entry.params))).unwrap_or_else(|_| {
        Err(CommandError::internal(format!(
            "'{}' failed unexpectedly (a bug in godot-ai-native); the editor is fine",
            entry.command
        )))
    })
}

/// Undoes the newest `steps` actions of the edited scene's history; true if all were undone.
fn undo_steps(steps: usize) -> bool {
    let Some(root) = EditorInterface::singleton().get_edited_scene_root() else {
        return false;
    };
    let Ok(manager) = undo_redo() else {
        return false;
    };
    let history_id = manager.get_object_history_id(&root);
    let Some(mut history) = manager.get_history_undo_redo(history_id) else {
        return false;
    };
    (0..steps).all(|_| history.undo())
}

fn checked_entries(commands: Option<&Value>) -> Result<Vec<Entry>, CommandError> {
    let items = match commands {
        Some(Value::Array(items)) => items,
        _ => {
            return Err(CommandError::new(
                ErrorCode::WrongType,
                "commands must be a list of {\"command\": ..., \"params\": {...}}",
            ));
        }
    };
    if items.is_empty() {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "commands must not be empty",
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(index, item)| checked_entry(index, item))
        .collect()
}

fn checked_entry(index: usize, item: &Value) -> Result<Entry, CommandError> {
    let Value::Object(item) = item else {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!("commands[{index}] must be a dict"),
        ));
    };
    let command = match item.get("command") {
        Some(Value::String(command)) if !command.is_empty() => command.clone(),
        _ => {
            return Err(CommandError::new(
                ErrorCode::MissingRequiredParam,
                format!("commands[{index}] missing 'command' field"),
            ));
        }
    };
    if command == "batch_execute" {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("commands[{index}]: 'batch_execute' is not allowed as a sub-command"),
        ));
    }
    if handler(&command).is_none() {
        let similar = closest(&command, COMMANDS.iter().map(|(name, _)| *name), 3);
        let hint = if similar.is_empty() {
            String::new()
        } else {
            format!(" Did you mean: {}?", similar.join(", "))
        };
        return Err(CommandError::new(
            ErrorCode::UnknownCommand,
            format!(
                "commands[{index}]: unknown plugin command '{command}'. batch_execute expects \
                 plugin command names (e.g. 'create_node'), not MCP tool names (e.g. \
                 'node_create').{hint}"
            ),
        )
        .with_data("suggestions", similar));
    }
    let params = match item.get("params") {
        None | Some(Value::Null) => JsonObject::new(),
        Some(Value::Object(params)) => params.clone(),
        Some(_) => {
            return Err(CommandError::new(
                ErrorCode::WrongType,
                format!("commands[{index}].params must be a dict"),
            ));
        }
    };
    Ok(Entry { command, params })
}
