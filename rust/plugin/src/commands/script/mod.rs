//! The script domain: scripts on nodes (godot-ai's `script_attach`, `script_manage`; script
//! files themselves are in [`crate::commands::filesystem`]).
//!
//! This file: attaching and detaching scripts: undoable editor actions.

use godot::classes::{ResourceLoader, Script};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::json;

use crate::commands::params::required_string;
use crate::commands::reply::into_object;
use crate::commands::scene::guard::node_at;
use crate::commands::undo::undo_redo;

/// `attach_script {path, script_path}`.
pub fn attach_script(params: &JsonObject) -> CommandResult {
    let (_root, node) = node_at(params, "path")?;
    let script_path = required_string(params, "script_path")?;
    crate::commands::filesystem::checked_resource_path(script_path)?;
    let mut loader = ResourceLoader::singleton();
    if !loader.exists(script_path) {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("Script not found: {script_path}"),
        ));
    }
    let script = loader
        .load(script_path)
        .and_then(|resource| resource.try_cast::<Script>().ok())
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::WrongType,
                format!("{script_path} is not a script"),
            )
        })?;
    crate::commands::node::fit::check_script_base(&node.clone().upcast(), &script)?;
    let old = node.get_script();
    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Attach script to {}", node.get_name()));
    history.add_do_method(&node, "set_script", &[script.to_variant()]);
    history.add_undo_method(&node, "set_script", &[old.to_variant()]);
    history.commit_action();
    Ok(into_object(json!({
        "path": required_string(params, "path")?,
        "script_path": script_path,
        "had_previous_script": old.is_some(),
        "undoable": true,
    })))
}

/// `detach_script {path}`.
pub fn detach_script(params: &JsonObject) -> CommandResult {
    let (_root, node) = node_at(params, "path")?;
    let path = required_string(params, "path")?;
    let old = node.get_script();
    let Some(script) = old else {
        return Ok(into_object(json!({
            "path": path, "had_script": false, "undoable": false, "reason": "No script attached",
        })));
    };
    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Detach script from {}", node.get_name()));
    history.add_do_method(&node, "set_script", &[Variant::nil()]);
    history.add_undo_method(&node, "set_script", &[script.to_variant()]);
    history.commit_action();
    let removed = script.get_path().to_string();
    Ok(into_object(json!({
        "path": path,
        "removed_script": if removed.is_empty() { "(inline)".to_owned() } else { removed },
        "undoable": true,
    })))
}
