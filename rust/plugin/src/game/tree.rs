//! The live scene tree, read in the game: `get_scene_tree`, `get_node_info`, `get_ui_elements`,
//! and what its window shows (`screenshot`).
//!
//! Paths are godot-ai's game paths: `/<SceneName>/<path under the scene root>`, `/<SceneName>`
//! for the scene root itself; `/root/...` reaches nodes outside the current scene (autoloads).

use godot::classes::{CanvasItem, Control, DisplayServer, Engine, SceneTree};
use godot::prelude::*;
use godot::register::info::PropertyUsageFlags;
use serde_json::{Map, Value, json};

use super::requests::{flag, integer, text};
use crate::variant_json::to_json;

/// The most nodes one reply lists; the rest are counted in `total_count` only.
const MAX_LISTED: usize = 5000;

type OpResult = Result<Value, (&'static str, String)>;

fn scene_tree_singleton() -> Option<Gd<SceneTree>> {
    Engine::singleton()
        .get_main_loop()
        .and_then(|main_loop| main_loop.try_cast::<SceneTree>().ok())
}

/// The node a game path names, if any.
fn resolve(path: &str) -> Option<Gd<Node>> {
    let tree = scene_tree_singleton()?;
    let scene = tree.get_current_scene();
    let path = path.trim();
    if path.is_empty() || path == "/" {
        return scene.or_else(|| tree.get_root().map(Gd::upcast));
    }
    if path == "/root" || path.starts_with("/root/") {
        return tree.get_root()?.get_node_or_null(path);
    }
    let scene = scene?;
    let relative = path.trim_start_matches('/');
    let name = scene.get_name().to_string();
    let relative = match relative.strip_prefix(&name) {
        Some("") => return Some(scene),
        Some(rest) if rest.starts_with('/') => &rest[1..],
        _ => relative,
    };
    scene.get_node_or_null(relative)
}

/// The game path of `node`.
fn path_of(node: &Gd<Node>) -> String {
    let Some(tree) = scene_tree_singleton() else {
        return node.get_path().to_string();
    };
    if let Some(scene) = tree.get_current_scene() {
        let name = scene.get_name().to_string();
        if *node == scene {
            return format!("/{name}");
        }
        if scene.is_ancestor_of(node) {
            return format!("/{name}/{}", scene.get_path_to(node));
        }
    }
    node.get_path().to_string()
}

/// `get_scene_tree {depth = 10, root_path = ""}`: `{root, nodes: [{name, type, path,
/// children_count}], total_count}`, depth-first in tree order.
pub fn scene_tree(params: &Map<String, Value>) -> OpResult {
    let depth = integer(params, "depth", 10).max(0) as usize;
    let root_path = text(params, "root_path", "");
    let Some(root) = resolve(root_path) else {
        return Ok(json!({"root": "", "nodes": [], "total_count": 0, "not_found": root_path}));
    };
    let mut nodes = Vec::new();
    let mut total = 0;
    let mut stack = vec![(root.clone(), 0usize)];
    while let Some((node, level)) = stack.pop() {
        total += 1;
        if nodes.len() < MAX_LISTED {
            nodes.push(json!({
                "name": node.get_name().to_string(),
                "type": node.get_class().to_string(),
                "path": path_of(&node),
                "children_count": node.get_child_count(),
            }));
        }
        if level < depth {
            let children: Vec<Gd<Node>> = node.get_children().iter_shared().collect();
            stack.extend(children.into_iter().rev().map(|child| (child, level + 1)));
        }
    }
    let mut result = json!({"root": path_of(&root), "nodes": nodes, "total_count": total});
    if total > MAX_LISTED {
        result["truncated"] = json!(true);
    }
    Ok(result)
}

/// `get_node_info {path, include_properties = true}`: `{path, name, type, children_count,
/// groups, found, properties?}`; a missing node is `{path, found: false}`.
pub fn node_info(params: &Map<String, Value>) -> OpResult {
    let Some(path) = params.get("path").and_then(Value::as_str) else {
        return Err((
            "MISSING_REQUIRED_PARAM",
            "Missing required param: path".into(),
        ));
    };
    let Some(node) = resolve(path) else {
        return Ok(json!({"path": path, "found": false}));
    };
    let groups: Vec<String> = node
        .get_groups()
        .iter_shared()
        .map(|group| group.to_string())
        .filter(|group| !group.starts_with('_'))
        .collect();
    let mut info = json!({
        "path": path_of(&node),
        "name": node.get_name().to_string(),
        "type": node.get_class().to_string(),
        "children_count": node.get_child_count(),
        "groups": groups,
        "found": true,
    });
    if flag(params, "include_properties", true) {
        let mut properties = Map::new();
        for property in node.get_property_list().iter_shared() {
            let usage = property
                .get("usage")
                .and_then(|usage| usage.try_to::<i64>().ok())
                .unwrap_or(0);
            if usage & PropertyUsageFlags::EDITOR.ord() as i64 == 0 {
                continue;
            }
            let Some(name) = property.get("name").map(|name| name.to_string()) else {
                continue;
            };
            properties.insert(name.clone(), to_json(&node.get(&name)));
        }
        info["properties"] = Value::Object(properties);
    }
    Ok(info)
}

/// `get_ui_elements {root_path = "", include_hidden = false, include_disabled = true,
/// max_depth = 10}`: the Controls under the root, `{root, elements: [{path, name, type,
/// visible, disabled, rect, global_rect, text?}], total_count}`.
pub fn ui_elements(params: &Map<String, Value>) -> OpResult {
    let root_path = text(params, "root_path", "");
    let include_hidden = flag(params, "include_hidden", false);
    let include_disabled = flag(params, "include_disabled", true);
    let max_depth = integer(params, "max_depth", 10).max(0) as usize;
    let Some(root) = resolve(root_path) else {
        return Ok(json!({"root": "", "elements": [], "total_count": 0, "not_found": root_path}));
    };
    let mut elements = Vec::new();
    let mut stack = vec![(root.clone(), 0usize)];
    while let Some((node, level)) = stack.pop() {
        if let Ok(control) = node.clone().try_cast::<Control>() {
            let visible = control.is_visible_in_tree();
            let disabled = control.get("disabled").try_to::<bool>().unwrap_or(false);
            if (visible || include_hidden) && (!disabled || include_disabled) {
                let mut element = json!({
                    "path": path_of(&node),
                    "name": node.get_name().to_string(),
                    "type": node.get_class().to_string(),
                    "visible": visible,
                    "disabled": disabled,
                    "rect": to_json(&control.get_rect().to_variant()),
                    "global_rect": to_json(&control.get_global_rect().to_variant()),
                });
                let text = control.get("text");
                if !text.is_nil() {
                    element["text"] = json!(text.to_string());
                }
                elements.push(element);
            }
        }
        let hidden_subtree = node
            .clone()
            .try_cast::<CanvasItem>()
            .is_ok_and(|item| !item.is_visible_in_tree());
        if level < max_depth && (include_hidden || !hidden_subtree) {
            let children: Vec<Gd<Node>> = node.get_children().iter_shared().collect();
            stack.extend(children.into_iter().rev().map(|child| (child, level + 1)));
        }
    }
    let total = elements.len();
    elements.truncate(MAX_LISTED);
    let mut result = json!({"root": path_of(&root), "elements": elements, "total_count": total});
    if total > MAX_LISTED {
        result["truncated"] = json!(true);
    }
    Ok(result)
}

/// True when the game runs without a display (nothing is ever drawn).
pub fn is_headless() -> bool {
    DisplayServer::singleton().get_name() == "headless"
}

/// `screenshot {max_resolution = 0}`: the last frame the game's window drew, as godot-ai's
/// screenshot data (`source: "game"`).
pub fn screenshot(params: &Map<String, Value>) -> OpResult {
    if is_headless() {
        return Err((
            "EDITOR_NOT_READY",
            "The game runs headless (no renderer), so it has no image to capture; run it with a \
             display (remove --headless from Project Settings > Editor > Run > Main Run Args)"
                .into(),
        ));
    }
    let image = scene_tree_singleton()
        .and_then(|tree| tree.get_root())
        .and_then(|root| root.get_texture())
        .and_then(|texture| texture.get_image())
        .filter(|image| !image.is_empty())
        .ok_or((
            "INTERNAL_ERROR",
            "The game's window gave no image".to_owned(),
        ))?;
    let max_resolution = integer(params, "max_resolution", 0);
    Ok(crate::commands::editor::screenshot::encode(
        image,
        max_resolution,
        "game",
    ))
}
