//! The editor's node selection. Selection changes are not part of the undo history.

use godot::classes::{EditorInterface, EditorSelection};
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::reply::into_object;
use crate::commands::scene::guard::edited_root;
use crate::commands::scene::paths::{resolve, scene_path};
use godot::prelude::*;

fn selection() -> Result<Gd<EditorSelection>, CommandError> {
    EditorInterface::singleton()
        .get_selection()
        .ok_or_else(|| CommandError::internal("The editor selection is not available"))
}

/// `get_selection {}`: `{selected_paths, count}`; a selected node outside the edited scene
/// is listed as `""`.
pub fn get_selection(_params: &JsonObject) -> CommandResult {
    let root = EditorInterface::singleton().get_edited_scene_root();
    let paths: Vec<String> = selection()?
        .get_selected_nodes()
        .iter_shared()
        .map(|node| match &root {
            Some(root) if *root == node || root.is_ancestor_of(&node) => scene_path(root, &node),
            _ => String::new(),
        })
        .collect();
    let count = paths.len();
    Ok(into_object(
        json!({"selected_paths": paths, "count": count}),
    ))
}

/// `set_selection {paths}`: replaces the selection with the nodes found; the others are
/// reported in `not_found`.
pub fn set_selection(params: &JsonObject) -> CommandResult {
    let paths: Vec<String> = match params.get("paths") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect(),
        Some(other) => {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!("Param 'paths' must be an array of node paths, got {other}"),
            ));
        }
    };
    let root = edited_root(&JsonObject::new())?;
    let mut selection = selection()?;
    selection.clear();
    let mut selected = Vec::new();
    let mut not_found = Vec::new();
    for path in paths {
        match resolve(&root, &path) {
            Some(node) => {
                selection.add_node(&node);
                selected.push(path);
            }
            None => not_found.push(path),
        }
    }
    let count = selected.len();
    Ok(into_object(json!({
        "selected": selected,
        "not_found": not_found,
        "count": count,
        "undoable": false,
        "reason": "Selection changes are not tracked in undo history",
    })))
}
