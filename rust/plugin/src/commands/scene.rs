//! `get_scene_tree`: the edited scene as a flat pre-order list of nodes.

use godot::classes::EditorInterface;
use godot::prelude::*;
use godot_ai_protocol::{CommandResult, JsonObject};
use serde_json::{Value, json};

use super::params::integer_or;
use super::reply::into_object;
use super::scene_paths::scene_path;
use super::scene_window;

/// Params: `depth` (default 10; the root is depth 0). Without an open scene the list is empty
/// and `message` says why: not an error, like godot-ai.
///
/// With `window: {offset, limit}` (what this plugin's own endpoint sends; godot-ai's server
/// pages the whole list itself) only that page is listed, with Python slice semantics, and the
/// reply says `windowed: true`: `{nodes: page, total_count, windowed}`.
pub fn get_scene_tree(params: &JsonObject) -> CommandResult {
    let depth = integer_or(params, "depth", 10)?;
    let Some(root) = EditorInterface::singleton().get_edited_scene_root() else {
        return Ok(into_object(
            json!({"nodes": [], "message": "No scene open"}),
        ));
    };
    if let Some(window) = params.get("window").and_then(Value::as_object) {
        return Ok(windowed(&root, depth, window));
    }
    let mut nodes = Vec::new();
    // Iterative pre-order walk: no recursion, so no stack limit on deep trees.
    let mut pending = vec![(root.clone(), 0)];
    let mut truncated = false;
    while let Some((node, level)) = pending.pop() {
        if nodes.len() >= MAX_NODES {
            truncated = true;
            break;
        }
        nodes.push(node_entry(&root, &node));
        if level < depth {
            let children: Vec<Gd<Node>> = node.get_children().iter_shared().collect();
            pending.extend(children.into_iter().rev().map(|child| (child, level + 1)));
        }
    }
    let total = nodes.len();
    let mut data = json!({"nodes": nodes, "total_count": total});
    if truncated {
        data["truncated"] = json!(true);
        data["message"] = json!(format!(
            "Only the first {MAX_NODES} nodes are listed; pass a smaller depth"
        ));
    }
    Ok(into_object(data))
}

/// One page of the list (see [`get_scene_tree`]), walking only up to its end.
fn windowed(root: &Gd<Node>, depth: i64, window: &JsonObject) -> JsonObject {
    let number = |name: &str| window.get(name).and_then(Value::as_i64).unwrap_or(0);
    let counted = scene_window::count(root, depth, MAX_NODES);
    let truncated = counted > MAX_NODES;
    let total = counted.min(MAX_NODES);
    let (start, end) = slice_bounds(number("offset"), number("limit"), total);
    let mut nodes = Vec::with_capacity(end - start);
    scene_window::visit_range(root, depth, start, end, |node| {
        nodes.push(node_entry(root, node))
    });
    let mut data = json!({"nodes": nodes, "total_count": total, "windowed": true});
    if truncated {
        data["truncated"] = json!(true);
    }
    into_object(data)
}

/// `[offset:offset+limit]` of a list of `len` as Python slices it (negative counts from the
/// end; out of range is empty, never an error).
pub(super) fn slice_bounds(offset: i64, limit: i64, len: usize) -> (usize, usize) {
    let len = len as i64;
    let clamp = |index: i64| {
        if index < 0 {
            (len + index).max(0)
        } else {
            index.min(len)
        }
    };
    let start = clamp(offset);
    let end = clamp(offset.saturating_add(limit)).max(start);
    (start as usize, end as usize)
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
