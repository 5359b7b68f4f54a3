//! The checks every scene command makes first, in godot-ai's order: a scene is open, it is the
//! one the caller expects (`scene_file`), and the node named by a path exists.

use godot::classes::EditorInterface;
use godot::prelude::*;
use godot_ai_protocol::{CommandError, ErrorCode, JsonObject};
use serde_json::Value;

use crate::commands::params::required_string;
use crate::commands::scene::paths::{not_found, resolve};

/// The edited scene's root, checked against the optional `scene_file` param.
pub fn edited_root(params: &JsonObject) -> Result<Gd<Node>, CommandError> {
    let Some(root) = EditorInterface::singleton().get_edited_scene_root() else {
        return Err(
            CommandError::new(ErrorCode::EditorNotReady, "No scene open")
                .with_data("hint", "open a scene first (scene_open) or create one"),
        );
    };
    if let Some(Value::String(wanted)) = params.get("scene_file")
        && !wanted.is_empty()
    {
        let actual = root.get_scene_file_path().to_string();
        if *wanted != actual {
            let shown = if actual.is_empty() {
                "<unsaved>"
            } else {
                actual.as_str()
            };
            return Err(CommandError::new(
                ErrorCode::EditedSceneMismatch,
                format!(
                    "Expected edited scene \"{wanted}\" but \"{shown}\" is active. Call \
                     scene_open(\"{wanted}\") first, or omit scene_file to target the active scene."
                ),
            ));
        }
    }
    Ok(root)
}

/// The node named by the required param `key`, with the scene root.
pub fn node_at(params: &JsonObject, key: &str) -> Result<(Gd<Node>, Gd<Node>), CommandError> {
    let path = required_string(params, key)?;
    let root = edited_root(params)?;
    let node = resolve(&root, path).ok_or_else(|| not_found(&root, path))?;
    Ok((root, node))
}

/// The parent named by `parent_path` (empty: the scene root).
pub fn parent_at(root: &Gd<Node>, parent_path: &str) -> Result<Gd<Node>, CommandError> {
    if parent_path.is_empty() {
        return Ok(root.clone());
    }
    resolve(root, parent_path).ok_or_else(|| {
        let root_path = format!("/{}", root.get_name());
        CommandError::new(
            ErrorCode::NodeNotFound,
            format!(
                "Parent not found: {parent_path}. Paths are relative to the edited scene root \
                 (e.g. \"{root_path}\" or \"\"), not the SceneTree. Scene root is \"{root_path}\"."
            ),
        )
    })
}
