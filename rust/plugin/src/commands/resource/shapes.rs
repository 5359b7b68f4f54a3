//! `physics_shape_autofit`: sizes a collision shape to a visual node's bounds (a mesh's box, a
//! sprite's rectangle), as one undo step. The shape node's own position is left as it is.

use godot::classes::{
    CollisionShape2D, CollisionShape3D, GeometryInstance3D, Resource, Sprite2D, TextureRect,
    VisualInstance3D,
};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::params::{optional_string, required_string};
use crate::commands::reply::into_object;
use crate::commands::scene::guard::node_at;
use crate::commands::scene::paths::{not_found, resolve, scene_path};
use crate::commands::undo::{change_property, undo_redo};
use crate::variant_json::to_json;

const SHAPES_3D: &[(&str, &str)] = &[
    ("box", "BoxShape3D"),
    ("sphere", "SphereShape3D"),
    ("capsule", "CapsuleShape3D"),
    ("cylinder", "CylinderShape3D"),
];

const SHAPES_2D: &[(&str, &str)] = &[
    ("rectangle", "RectangleShape2D"),
    ("circle", "CircleShape2D"),
    ("capsule", "CapsuleShape2D"),
];

/// `physics_shape_autofit {path, source_path?, shape_type?}`.
pub fn physics_shape_autofit(params: &JsonObject) -> CommandResult {
    let path = required_string(params, "path")?;
    let (root, node) = node_at(params, "path")?;
    let three = if node.clone().try_cast::<CollisionShape3D>().is_ok() {
        true
    } else if node.clone().try_cast::<CollisionShape2D>().is_ok() {
        false
    } else {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "Node at {path} is {} — must be CollisionShape3D or CollisionShape2D",
                node.get_class()
            ),
        ));
    };
    let source_given = optional_string(params, "source_path")?;
    let source = if source_given.is_empty() {
        find_source(&root, &node, three)?
    } else {
        resolve(&root, source_given).ok_or_else(|| {
            let error = not_found(&root, source_given);
            CommandError::new(error.code, format!("source_path: {}", error.message))
        })?
    };
    let shapes = if three { SHAPES_3D } else { SHAPES_2D };
    let wanted = match optional_string(params, "shape_type")? {
        "" => shapes[0].0,
        given => shapes
            .iter()
            .find(|(short, class)| *short == given || *class == given)
            .map(|(short, _)| *short)
            .ok_or_else(|| {
                let valid: Vec<String> = shapes
                    .iter()
                    .map(|(short, class)| format!("{short} ({class})"))
                    .collect();
                CommandError::new(
                    ErrorCode::ValueOutOfRange,
                    format!(
                        "Invalid shape_type '{given}' for {}. Valid: {}",
                        node.get_class(),
                        valid.join(", ")
                    ),
                )
            })?,
    };
    let class = shapes
        .iter()
        .find(|(short, _)| *short == wanted)
        .map(|(_, class)| *class)
        .unwrap_or(shapes[0].1);
    let size = if three {
        bounds_3d(&source)?
    } else {
        let size = bounds_2d(&source)?;
        Vector3::new(size.x, size.y, 0.0)
    };
    let current: Option<Gd<Resource>> = node.get("shape").try_to().ok();
    let reused = current.filter(|shape| shape.get_class() == class);
    let created = reused.is_none();
    let shape = match reused {
        Some(shape) => shape,
        None => godot::classes::ClassDb::singleton()
            .instantiate(class)
            .try_to::<Gd<Resource>>()
            .map_err(|_| CommandError::internal(format!("Failed to create a {class}")))?,
    };
    let settings = shape_settings(wanted, three, size);
    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Autofit {class} on {}", node.get_name()));
    if created {
        let mut fresh = shape.clone();
        for (property, value) in &settings {
            fresh.set(*property, value);
        }
        change_property(&mut history, &node, "shape", &shape.to_variant());
    } else {
        for (property, value) in &settings {
            change_property(&mut history, &shape, property, value);
        }
    }
    history.commit_action();
    // Read back: a capsule's setters keep its height at least twice its radius.
    let mut shown = serde_json::Map::new();
    for (property, _) in &settings {
        match (*property, to_json(&shape.get(*property))) {
            ("size", Value::Object(vector)) => shown.extend(vector),
            (property, value) => {
                shown.insert(property.to_owned(), value);
            }
        }
    }
    Ok(into_object(json!({
        "path": path,
        "source_path": if source_given.is_empty() {
            scene_path(&root, &source)
        } else {
            source_given.to_owned()
        },
        "shape_type": wanted,
        "shape_class": class,
        "shape_created": created,
        "size": shown,
        "undoable": true,
    })))
}

/// The properties that size a shape of `kind` to `size` (a 2D size in x and y).
fn shape_settings(kind: &str, three: bool, size: Vector3) -> Vec<(&'static str, Variant)> {
    let radius_xz = size.x.max(size.z) / 2.0;
    match (kind, three) {
        ("box", _) => vec![("size", size.to_variant())],
        ("sphere", _) => vec![(
            "radius",
            (size.x.max(size.y).max(size.z) / 2.0).to_variant(),
        )],
        ("capsule", true) | ("cylinder", _) => vec![
            ("radius", radius_xz.to_variant()),
            ("height", size.y.to_variant()),
        ],
        ("rectangle", _) => vec![("size", Vector2::new(size.x, size.y).to_variant())],
        ("circle", _) => vec![("radius", (size.x.max(size.y) / 2.0).to_variant())],
        // A 2D capsule
        _ => vec![
            ("radius", (size.x / 2.0).to_variant()),
            ("height", size.y.to_variant()),
        ],
    }
}

/// The visual to fit: the first visual sibling, else the one visual among the parent's
/// siblings; `INVALID_PARAMS` naming the candidates when there are several or none.
fn find_source(root: &Gd<Node>, node: &Gd<Node>, three: bool) -> Result<Gd<Node>, CommandError> {
    let is_visual = |candidate: &Gd<Node>, near: bool| {
        if three {
            if near {
                candidate.clone().try_cast::<VisualInstance3D>().is_ok()
            } else {
                candidate.clone().try_cast::<GeometryInstance3D>().is_ok()
            }
        } else {
            candidate.clone().try_cast::<Sprite2D>().is_ok()
                || candidate.clone().try_cast::<TextureRect>().is_ok()
        }
    };
    let no_visual = || {
        CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "No visual found near collision shape — searched siblings and parent-siblings. \
                 Pass source_path explicitly (e.g. a {})",
                if three { "MeshInstance3D" } else { "Sprite2D" }
            ),
        )
    };
    let parent = node.get_parent().ok_or_else(no_visual)?;
    if let Some(sibling) = parent
        .get_children()
        .iter_shared()
        .find(|child| child != node && is_visual(child, true))
    {
        return Ok(sibling);
    }
    let grandparent = parent.get_parent().ok_or_else(no_visual)?;
    let candidates: Vec<Gd<Node>> = grandparent
        .get_children()
        .iter_shared()
        .filter(|child| *child != parent && is_visual(child, false))
        .collect();
    match candidates.as_slice() {
        [only] => Ok(only.clone()),
        [] => Err(no_visual()),
        several => {
            let paths: Vec<String> = several.iter().map(|c| scene_path(root, c)).collect();
            Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!(
                    "Multiple visual candidates near {} — pass source_path explicitly. \
                     Candidates: {}",
                    scene_path(root, node),
                    paths.join(", ")
                ),
            )
            .with_data("candidates", paths))
        }
    }
}

/// A 3D visual's local bounds, scaled by its own scale.
fn bounds_3d(source: &Gd<Node>) -> Result<Vector3, CommandError> {
    let visual = source.clone().try_cast::<VisualInstance3D>().map_err(|_| {
        CommandError::new(
            ErrorCode::WrongType,
            format!(
                "Source {} has no measurable 3D bounds (must be VisualInstance3D subclass)",
                source.get_class()
            ),
        )
    })?;
    let scale = visual.get_transform().basis.get_scale();
    let size = visual.get_aabb().size;
    Ok(Vector3::new(
        size.x * scale.x,
        size.y * scale.y,
        size.z * scale.z,
    ))
}

/// A 2D visual's size: a sprite's rectangle or a texture rect's size, scaled.
fn bounds_2d(source: &Gd<Node>) -> Result<Vector2, CommandError> {
    if let Ok(sprite) = source.clone().try_cast::<Sprite2D>() {
        let size = sprite.get_rect().size;
        let scale = sprite.get_scale();
        return Ok(Vector2::new(size.x * scale.x, size.y * scale.y));
    }
    if let Ok(rect) = source.clone().try_cast::<TextureRect>() {
        let size = rect.get_size();
        if size.x.abs() > f32::EPSILON && size.y.abs() > f32::EPSILON {
            return Ok(size);
        }
        let texture = rect.get_texture().ok_or_else(|| {
            CommandError::new(
                ErrorCode::InvalidParams,
                format!(
                    "TextureRect at {} has zero layout size and no texture to fall back to — \
                     autofit would produce a zero-sized shape",
                    rect.get_name()
                ),
            )
        })?;
        let size = texture.get_size();
        let scale = rect.get_scale();
        return Ok(Vector2::new(size.x * scale.x, size.y * scale.y));
    }
    Err(CommandError::new(
        ErrorCode::WrongType,
        format!(
            "Source {} has no measurable 2D bounds (must be Sprite2D or TextureRect)",
            source.get_class()
        ),
    ))
}
