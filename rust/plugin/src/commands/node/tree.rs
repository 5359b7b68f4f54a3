//! Moving nodes around the scene tree: duplicate, reorder, reparent. Owners are kept right
//! across undo (see [`crate::commands::undo`]).

use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::params::{optional_name, required_string};
use crate::commands::reply::into_object;
use crate::commands::scene::guard::{node_at, parent_at};
use crate::commands::scene::paths::scene_path;
use crate::commands::undo::{Half, reown, scene_owned_subtree, undo_redo};

fn refuse_root(node: &Gd<Node>, root: &Gd<Node>, verb: &str) -> Result<(), CommandError> {
    if node == root {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!("Cannot {verb} the scene root"),
        ));
    }
    Ok(())
}

fn parent_of(node: &Gd<Node>) -> Result<Gd<Node>, CommandError> {
    node.get_parent()
        .ok_or_else(|| CommandError::internal("Node has no parent"))
}

/// `duplicate_node {path, name?, scene_file?}`: the copy is added last under the same parent.
pub fn duplicate_node(params: &JsonObject) -> CommandResult {
    let (root, node) = node_at(params, "path")?;
    refuse_root(&node, &root, "duplicate")?;
    let parent = parent_of(&node)?;
    let name = optional_name(params, "name")?;
    let mut history = undo_redo()?;
    // `Gd::duplicate_node` panics when the engine returns null; this form reports it instead.
    #[allow(deprecated)]
    let copy = node.duplicate();
    let mut copy = copy.ok_or_else(|| CommandError::internal("Failed to duplicate node"))?;
    if !name.is_empty() {
        copy.set_name(name);
    }
    // The copy's nodes that correspond to scene-owned originals must be owned by the root too;
    // the copy has no owners yet, so pair them up by relative path.
    let to_own: Vec<Gd<Node>> = scene_owned_subtree(&root, &node)
        .iter()
        .filter_map(|original| {
            if *original == node {
                Some(copy.clone())
            } else {
                copy.get_node_or_null(&node.get_path_to(original))
            }
        })
        .collect();

    history.create_action(&format!("MCP: Duplicate {}", node.get_name()));
    history.add_do_method(
        &parent,
        "add_child",
        &[copy.to_variant(), true.to_variant()],
    );
    reown(&mut history, Half::Do, &root, &to_own);
    history.add_do_reference(&copy);
    history.add_undo_method(&parent, "remove_child", &[copy.to_variant()]);
    history.commit_action();

    Ok(into_object(json!({
        "path": scene_path(&root, &copy),
        "original_path": required_string(params, "path")?,
        "name": copy.get_name().to_string(),
        "type": copy.get_class().to_string(),
        "undoable": true,
    })))
}

/// `move_node {path, index, scene_file?}`: reorders a node among its siblings.
pub fn move_node(params: &JsonObject) -> CommandResult {
    let (root, node) = node_at(params, "path")?;
    refuse_root(&node, &root, "reorder")?;
    let index = match params.get("index") {
        None | Some(Value::Null) => return Err(CommandError::missing_param("index")),
        Some(value) => value.as_i64().ok_or_else(|| {
            CommandError::new(
                ErrorCode::InvalidParams,
                format!("Param 'index' must be an integer, got {value}"),
            )
        })?,
    };
    let parent = parent_of(&node)?;
    let count = i64::from(parent.get_child_count());
    if !(0..count).contains(&index) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("Index {index} out of range (0..{})", count - 1),
        ));
    }
    let old_index = i64::from(node.get_index());
    if old_index != index {
        let mut history = undo_redo()?;
        history.create_action(&format!("MCP: Move {} to index {index}", node.get_name()));
        history.add_do_method(
            &parent,
            "move_child",
            &[node.to_variant(), index.to_variant()],
        );
        history.add_undo_method(
            &parent,
            "move_child",
            &[node.to_variant(), old_index.to_variant()],
        );
        history.commit_action();
    }
    Ok(into_object(json!({
        "path": required_string(params, "path")?,
        "old_index": old_index,
        "new_index": index,
        "undoable": old_index != index,
    })))
}

/// `reparent_node {path, new_parent, scene_file?}`: the node goes last under its new parent;
/// its local transform is kept (like godot-ai), not its global one.
pub fn reparent_node(params: &JsonObject) -> CommandResult {
    let (root, node) = node_at(params, "path")?;
    let new_parent_path = required_string(params, "new_parent")?;
    let new_parent = parent_at(&root, new_parent_path)?;
    refuse_root(&node, &root, "reparent")?;
    if node == new_parent || node.is_ancestor_of(&new_parent) {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            "Cannot reparent a node to itself or its descendant",
        ));
    }
    let old_parent = parent_of(&node)?;
    let old_index = node.get_index();
    let owned = scene_owned_subtree(&root, &node);

    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Reparent {}", node.get_name()));
    history.add_do_method(&old_parent, "remove_child", &[node.to_variant()]);
    history.add_do_method(
        &new_parent,
        "add_child",
        &[node.to_variant(), true.to_variant()],
    );
    reown(&mut history, Half::Do, &root, &owned);
    history.add_undo_method(&new_parent, "remove_child", &[node.to_variant()]);
    history.add_undo_method(
        &old_parent,
        "add_child",
        &[node.to_variant(), true.to_variant()],
    );
    history.add_undo_method(
        &old_parent,
        "move_child",
        &[node.to_variant(), old_index.to_variant()],
    );
    reown(&mut history, Half::Undo, &root, &owned);
    // The new parent may have renamed it (a sibling had its name): undo gives the name back.
    history.add_undo_property(&node, "name", &node.get_name().to_variant());
    history.commit_action();

    Ok(into_object(json!({
        "path": scene_path(&root, &node),
        "old_parent": scene_path(&root, &old_parent),
        "new_parent": scene_path(&root, &new_parent),
        "undoable": true,
    })))
}
