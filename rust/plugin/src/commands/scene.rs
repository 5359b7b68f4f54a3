//! `get_scene_tree`: the edited scene as a flat pre-order list of nodes.

use godot::classes::EditorInterface;
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use super::editor::into_object;
use super::params::{integer_or, required_string};
use super::scene_guard::edited_root;
use super::scene_paths::scene_path;

/// Params: `depth` (default 10; the root is depth 0). Without an open scene the list is empty
/// and `message` says why: not an error, like godot-ai.
pub fn get_scene_tree(params: &JsonObject) -> CommandResult {
    let depth = integer_or(params, "depth", 10)?;
    let Some(root) = EditorInterface::singleton().get_edited_scene_root() else {
        return Ok(into_object(
            json!({"nodes": [], "message": "No scene open"}),
        ));
    };
    let mut nodes = Vec::new();
    // Iterative pre-order walk: no recursion, so no stack limit on deep trees.
    let mut pending = vec![(root.clone(), 0)];
    while let Some((node, level)) = pending.pop() {
        if nodes.len() >= MAX_NODES {
            break;
        }
        nodes.push(node_entry(&root, &node));
        if level < depth {
            let children: Vec<Gd<Node>> = node.get_children().iter_shared().collect();
            pending.extend(children.into_iter().rev().map(|child| (child, level + 1)));
        }
    }
    let total = nodes.len();
    Ok(into_object(json!({"nodes": nodes, "total_count": total})))
}

/// Most nodes listed, so a huge scene cannot stall the editor in one call.
const MAX_NODES: usize = 50_000;

/// One node as listings show it: `{name, type, path, children_count}`.
pub(super) fn node_entry(root: &Gd<Node>, node: &Gd<Node>) -> Value {
    json!({
        "name": node.get_name().to_string(),
        "type": node.get_class().to_string(),
        "path": scene_path(root, node),
        "children_count": node.get_child_count(),
    })
}

/// `open_scene {path}`: opens (or switches to) a scene in the editor. Not undoable.
pub fn open_scene(params: &JsonObject) -> CommandResult {
    let path = required_string(params, "path")?;
    if !godot::classes::ResourceLoader::singleton().exists(path) {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("Scene not found: {path}"),
        ));
    }
    EditorInterface::singleton().open_scene_from_path(path);
    Ok(into_object(json!({
        "path": path,
        "undoable": false,
        "reason": "Scene navigation cannot be undone via editor undo",
    })))
}

/// `save_scene {}`: saves the edited scene to its file. Not undoable.
pub fn save_scene(params: &JsonObject) -> CommandResult {
    let root = edited_root(params)?;
    let path = root.get_scene_file_path().to_string();
    if path.is_empty() {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            "Current scene has never been saved; call scene_manage(op='save_as') with a res://... \
             path ending in .tscn or .scn.",
        ));
    }
    let result = EditorInterface::singleton().save_scene();
    if result != godot::global::Error::OK {
        return Err(CommandError::internal(format!(
            "Failed to save scene: {result:?}"
        )));
    }
    Ok(into_object(json!({
        "path": path,
        "undoable": false,
        "reason": "File save cannot be undone via editor undo",
    })))
}

/// `get_open_scenes {}`.
pub fn get_open_scenes(_params: &JsonObject) -> CommandResult {
    let editor = EditorInterface::singleton();
    let scenes: Vec<String> = editor
        .get_open_scenes()
        .as_slice()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let current = editor
        .get_edited_scene_root()
        .map(|root| root.get_scene_file_path().to_string())
        .unwrap_or_default();
    let count = scenes.len();
    Ok(into_object(
        json!({"scenes": scenes, "current_scene": current, "count": count}),
    ))
}
