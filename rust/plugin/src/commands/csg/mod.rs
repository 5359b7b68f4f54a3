//! The CSG domain (godot-ai's `csg_manage`): a CSG shape under a Node3D of the edited scene,
//! and its boolean operation (union, intersection, subtraction), one undo step each. Sizes,
//! positions and materials are set with the node and material tools.

use godot::classes::{ClassDb, CsgShape3D, Node3D};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::json;

use crate::commands::params::{optional_name, optional_string, required_string};
use crate::commands::reply::into_object;
use crate::commands::scene::guard::{edited_root, node_at, parent_at};
use crate::commands::scene::paths::scene_path;
use crate::commands::undo::{change_property, undo_redo};

/// godot-ai's shape names and their classes.
const SHAPES: [(&str, &str); 5] = [
    ("box", "CSGBox3D"),
    ("sphere", "CSGSphere3D"),
    ("cylinder", "CSGCylinder3D"),
    ("torus", "CSGTorus3D"),
    ("polygon", "CSGPolygon3D"),
];

/// The operations, by Godot's `CSGShape3D.Operation` value.
const OPERATIONS: [&str; 3] = ["union", "intersection", "subtraction"];

/// The operation param `name` (default `union` when `default` is set), as its value.
fn operation(params: &JsonObject, default: bool) -> Result<(&str, i64), CommandError> {
    let name = match optional_string(params, "operation")? {
        "" if default => "union",
        name => name,
    };
    OPERATIONS
        .iter()
        .position(|known| *known == name)
        .map(|value| (name, value as i64))
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::ValueOutOfRange,
                format!(
                    "Unknown CSG operation '{name}'. Valid: {}",
                    OPERATIONS.join(", ")
                ),
            )
        })
}

/// `csg_create {parent_path? ("": the scene root), name? (the class name), shape? ("box"),
/// operation? ("union")}`.
pub fn csg_create(params: &JsonObject) -> CommandResult {
    let shape = match optional_string(params, "shape")? {
        "" => "box",
        shape => shape,
    };
    let Some((_, class)) = SHAPES.iter().find(|(known, _)| *known == shape) else {
        let valid: Vec<&str> = SHAPES.iter().map(|(name, _)| *name).collect();
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("Unknown CSG shape '{shape}'. Valid: {}", valid.join(", ")),
        ));
    };
    let (operation_name, operation_value) = operation(params, true)?;
    let root = edited_root(params)?;
    let parent = parent_at(&root, optional_string(params, "parent_path")?)?;
    if parent.clone().try_cast::<Node3D>().is_err() {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "A CSG shape's parent must be a Node3D (got {} at {})",
                parent.get_class(),
                scene_path(&root, &parent)
            ),
        ));
    }
    let mut node = ClassDb::singleton()
        .instantiate(*class)
        .try_to::<Gd<Node>>()
        .map_err(|_| CommandError::internal(format!("Failed to instantiate {class}")))?;
    let name = match optional_name(params, "name")? {
        "" => *class,
        name => name,
    };
    node.set_name(name);
    node.set("operation", &operation_value.to_variant());
    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Create {name}"));
    history.add_do_method(
        &parent,
        "add_child",
        &[node.to_variant(), true.to_variant()],
    );
    history.add_do_method(&node, "set_owner", &[root.to_variant()]);
    history.add_do_reference(&node);
    history.add_undo_method(&parent, "remove_child", &[node.to_variant()]);
    history.commit_action();
    Ok(into_object(json!({
        "path": scene_path(&root, &node),
        "name": node.get_name().to_string(),
        "class": class,
        "shape": shape,
        "operation": operation_name,
        "undoable": true,
    })))
}

/// `csg_set_operation {path, operation}`.
pub fn csg_set_operation(params: &JsonObject) -> CommandResult {
    let (name, value) = operation(params, false)?;
    let path = required_string(params, "path")?;
    let (_, node) = node_at(params, "path")?;
    let Ok(shape) = node.clone().try_cast::<CsgShape3D>() else {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "Node is not a CSGShape3D: {path} (got {})",
                node.get_class()
            ),
        ));
    };
    let previous = OPERATIONS
        .get(shape.get("operation").try_to::<i64>().unwrap_or(0) as usize)
        .copied()
        .unwrap_or("union");
    let mut history = undo_redo()?;
    history.create_action(&format!(
        "MCP: CSG set_operation {name} on {}",
        node.get_name()
    ));
    change_property(&mut history, &shape, "operation", &value.to_variant());
    history.commit_action();
    Ok(into_object(json!({
        "path": path,
        "operation": name,
        "previous_operation": previous,
        "undoable": true,
    })))
}
