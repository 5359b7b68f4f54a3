//! Node paths as godot-ai writes them: relative to the edited scene root and starting with the
//! root's name (`/Main/World/Ground`), never the runtime `/root/...`.

use godot::prelude::*;
use godot_ai_protocol::suggest::closest;
use godot_ai_protocol::{CommandError, ErrorCode};

/// The path of `node` inside the scene rooted at `root`.
pub fn scene_path(root: &Gd<Node>, node: &Gd<Node>) -> String {
    let root_path = format!("/{}", root.get_name());
    if node == root {
        root_path
    } else {
        format!("{root_path}/{}", root.get_path_to(node))
    }
}

/// Finds the node an agent means by `path`: `/Main`, `/Main/Child/...`, `/root/Main/...`, or
/// a path relative to the root (`Child/Grandchild`). Only nodes of the edited scene are found:
/// `..` cannot climb out of it into the editor's own nodes.
pub fn resolve(root: &Gd<Node>, path: &str) -> Option<Gd<Node>> {
    let node = lookup(root, path)?;
    (node == *root || root.is_ancestor_of(&node)).then_some(node)
}

fn lookup(root: &Gd<Node>, path: &str) -> Option<Gd<Node>> {
    let root_name = root.get_name().to_string();
    let trimmed = path
        .strip_prefix("/root")
        .filter(|rest| rest.starts_with('/'))
        .unwrap_or(path);
    if let Some(rest) = trimmed.strip_prefix('/') {
        let (first, tail) = rest.split_once('/').unwrap_or((rest, ""));
        if first != root_name {
            return None;
        }
        return if tail.is_empty() {
            Some(root.clone())
        } else {
            root.get_node_or_null(tail)
        };
    }
    root.get_node_or_null(path)
}

/// `NODE_NOT_FOUND` for `path`, with godot-ai's explanation and the closest existing paths.
pub fn not_found(root: &Gd<Node>, path: &str) -> CommandError {
    let root_path = format!("/{}", root.get_name());
    let mut existing = Vec::new();
    collect_paths(root, root, &mut existing);
    let wanted = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("{root_path}/{path}")
    };
    let similar: Vec<String> = closest(&wanted, existing.iter().map(String::as_str), 3)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let hint = match similar.first() {
        Some(best) => format!(" Did you mean \"{best}\"?"),
        None => String::new(),
    };
    let mut error = CommandError::new(
        ErrorCode::NodeNotFound,
        format!(
            "Node not found: {path}.{hint} Paths are relative to the edited scene root \
             (e.g. \"{root_path}/Child\"), not runtime /root/... paths. Scene root is \"{root_path}\"."
        ),
    );
    if !similar.is_empty() {
        error = error.with_data("suggestions", similar);
    }
    error
}

/// Bounded so a huge scene cannot make an error reply slow.
const MAX_PATHS_SCANNED: usize = 10_000;

fn collect_paths(root: &Gd<Node>, node: &Gd<Node>, out: &mut Vec<String>) {
    let mut pending = vec![node.clone()];
    while let Some(node) = pending.pop() {
        if out.len() >= MAX_PATHS_SCANNED {
            return;
        }
        out.push(scene_path(root, &node));
        pending.extend(node.get_children().iter_shared());
    }
}
