//! `get_scene_tree`: the edited scene as a flat pre-order list of nodes.

use godot::classes::EditorInterface;
use godot::prelude::*;
use godot_ai_protocol::{CommandResult, JsonObject};
use serde_json::{Value, json};

use super::params::integer_or;
use super::reply::into_object;
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
