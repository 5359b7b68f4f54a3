//! `curve_set_points`: replaces the points of a `Curve`, `Curve2D` or `Curve3D`, in a node's
//! property (one undo step; the node gets its own copy) or in a saved curve file. Every point
//! is checked before anything changes.

use godot::classes::{ClassDb, Curve, Curve2D, Curve3D, Resource, ResourceLoader};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use super::Home;
use crate::commands::node::edit::property_type;
use crate::commands::reply::object;
use crate::commands::saved_resource::save;
use crate::commands::undo::undo_redo;
use crate::json_variant::to_variant;

/// One checked point of any kind of curve.
enum Point {
    /// `Curve`: a value at an offset, with tangents.
    OneD { at: Vector2, left: f32, right: f32 },
    /// `Curve2D`: a position and its control handles.
    TwoD {
        position: Vector2,
        handle_in: Vector2,
        handle_out: Vector2,
    },
    /// `Curve3D`: the same in 3D, with a tilt.
    ThreeD {
        position: Vector3,
        handle_in: Vector3,
        handle_out: Vector3,
        tilt: f32,
    },
}

/// `curve_set_points {points, path + property | resource_path}`.
pub fn curve_set_points(params: &JsonObject) -> CommandResult {
    let home = Home::of(params, true)?;
    let Some(Value::Array(points)) = params.get("points") else {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            "points must be an array",
        ));
    };
    match home {
        Home::File { path, .. } => {
            let mut loader = ResourceLoader::singleton();
            if !loader.exists(&path) {
                return Err(CommandError::new(
                    ErrorCode::ResourceNotFound,
                    format!("Resource not found: {path}"),
                ));
            }
            let loaded = loader.load(&path).ok_or_else(|| {
                CommandError::internal(format!(
                    "Failed to load curve from {path} (the file exists but does not load; it \
                     may be corrupt)"
                ))
            })?;
            // Changed on a copy: what holds the loaded curve is untouched until it reloads.
            let curve = loaded.duplicate_resource();
            let class = curve_class(&curve)?;
            let checked = check_points(class, points)?;
            let count = apply(&curve, &checked);
            save(&curve, &path)?;
            Ok(object([
                ("resource_path", json!(path)),
                ("overwritten", true.into()),
                ("undoable", false.into()),
                (
                    "reason",
                    json!("File save is persistent; edit the .tres file manually to revert"),
                ),
                ("curve_class", json!(class)),
                ("point_count", count.into()),
            ]))
        }
        Home::Node {
            node,
            property,
            given_path,
        } => {
            let owner = node.clone().upcast::<Object>();
            property_type(&owner, &property, "node_get_properties")?;
            let current = node.get(&property);
            let (curve, created) = if current.is_nil() {
                (new_curve_for(&node, &property)?, true)
            } else {
                let existing = current.try_to::<Gd<Resource>>().map_err(|_| {
                    CommandError::new(
                        ErrorCode::WrongType,
                        format!(
                            "{}.{property} holds a {}, not a curve",
                            node.get_name(),
                            godot::global::type_string(current.get_type().ord() as i64)
                        ),
                    )
                })?;
                (existing.duplicate_resource(), false)
            };
            let class = curve_class(&curve)?;
            let checked = check_points(class, points)?;
            let count = apply(&curve, &checked);
            let mut history = undo_redo()?;
            history.create_action(&format!(
                "MCP: Set {count} points on {}.{property}",
                node.get_name()
            ));
            history.add_do_property(&node, &property, &curve.to_variant());
            history.add_undo_property(&node, &property, &current);
            history.commit_action();
            Ok(object([
                ("path", json!(given_path)),
                ("property", json!(property)),
                ("curve_class", json!(class)),
                ("point_count", count.into()),
                ("curve_created", created.into()),
                ("undoable", true.into()),
            ]))
        }
    }
}

/// `"Curve"`, `"Curve2D"` or `"Curve3D"`; `WRONG_TYPE` for any other resource.
fn curve_class(resource: &Gd<Resource>) -> Result<&'static str, CommandError> {
    if resource.clone().try_cast::<Curve>().is_ok() {
        Ok("Curve")
    } else if resource.clone().try_cast::<Curve2D>().is_ok() {
        Ok("Curve2D")
    } else if resource.clone().try_cast::<Curve3D>().is_ok() {
        Ok("Curve3D")
    } else {
        Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "Resource is {} — must be Curve, Curve2D, or Curve3D",
                resource.get_class()
            ),
        ))
    }
}

/// A new curve for an empty property, of the class its hint names.
fn new_curve_for(node: &Gd<Node>, property: &str) -> Result<Gd<Resource>, CommandError> {
    let hint = node
        .get_property_list()
        .iter_shared()
        .find(|info| {
            info.get("name")
                .is_some_and(|name| name.stringify() == property)
        })
        .and_then(|info| info.get("hint_string"))
        .map(|hint| hint.stringify().to_string())
        .unwrap_or_default();
    if !matches!(hint.as_str(), "Curve" | "Curve2D" | "Curve3D") {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "Curve slot on {}.{property} is empty and its class cannot be told from the \
                 property — create one first with resource_manage op=create (type Curve3D, \
                 Curve2D or Curve)",
                node.get_class()
            ),
        ));
    }
    ClassDb::singleton()
        .instantiate(&hint)
        .try_to::<Gd<Resource>>()
        .map_err(|_| CommandError::internal(format!("Failed to create a {hint}")))
}

/// Every point checked for a curve of `class`, before anything changes.
fn check_points(class: &str, points: &[Value]) -> Result<Vec<Point>, CommandError> {
    points
        .iter()
        .enumerate()
        .map(|(index, point)| check_point(class, index, point))
        .collect()
}

fn check_point(class: &str, index: usize, point: &Value) -> Result<Point, CommandError> {
    let fields = point.as_object();
    let number = |key: &str| fields.and_then(|f| f.get(key)).and_then(Value::as_f64);
    match class {
        "Curve" => {
            let (Some(offset), Some(value)) = (number("offset"), number("value")) else {
                return Err(CommandError::new(
                    ErrorCode::InvalidParams,
                    format!(
                        "Curve points[{index}] must be {{offset, value, [left_tangent, \
                         right_tangent]}}"
                    ),
                ));
            };
            Ok(Point::OneD {
                at: Vector2::new(offset as f32, value as f32),
                left: number("left_tangent").unwrap_or(0.0) as f32,
                right: number("right_tangent").unwrap_or(0.0) as f32,
            })
        }
        _ => {
            let three = class == "Curve3D";
            let target = if three {
                VariantType::VECTOR3
            } else {
                VariantType::VECTOR2
            };
            let Some(position) = fields.and_then(|f| f.get("position")) else {
                let optional = if three {
                    "'in', 'out', 'tilt'"
                } else {
                    "'in', 'out'"
                };
                return Err(CommandError::new(
                    ErrorCode::InvalidParams,
                    format!(
                        "{class} points[{index}] must have 'position' (and optional {optional})"
                    ),
                ));
            };
            let vector = |field: &str, value: Option<&Value>| -> Result<Variant, CommandError> {
                let zero = if three {
                    json!({"x": 0, "y": 0, "z": 0})
                } else {
                    json!({"x": 0, "y": 0})
                };
                to_variant(value.unwrap_or(&zero), target, None).map_err(|error| {
                    CommandError::new(
                        ErrorCode::WrongType,
                        format!("{class} points[{index}].{field}: {}", error.message),
                    )
                })
            };
            let position = vector("position", Some(position))?;
            let handle_in = vector("in", fields.and_then(|f| f.get("in")))?;
            let handle_out = vector("out", fields.and_then(|f| f.get("out")))?;
            Ok(if three {
                Point::ThreeD {
                    position: position.to(),
                    handle_in: handle_in.to(),
                    handle_out: handle_out.to(),
                    tilt: number("tilt").unwrap_or(0.0) as f32,
                }
            } else {
                Point::TwoD {
                    position: position.to(),
                    handle_in: handle_in.to(),
                    handle_out: handle_out.to(),
                }
            })
        }
    }
}

/// Replaces the curve's points with `points`; answers how many it has.
fn apply(curve: &Gd<Resource>, points: &[Point]) -> i64 {
    if let Ok(mut curve) = curve.clone().try_cast::<Curve>() {
        curve.clear_points();
        for point in points {
            if let Point::OneD { at, left, right } = point {
                curve
                    .add_point_ex(*at)
                    .left_tangent(*left)
                    .right_tangent(*right)
                    .done();
            }
        }
        return i64::from(curve.get_point_count());
    }
    if let Ok(mut curve) = curve.clone().try_cast::<Curve2D>() {
        curve.clear_points();
        for point in points {
            if let Point::TwoD {
                position,
                handle_in,
                handle_out,
            } = point
            {
                curve
                    .add_point_ex(*position)
                    .in_(*handle_in)
                    .out(*handle_out)
                    .done();
            }
        }
        return i64::from(curve.get_point_count());
    }
    if let Ok(mut curve) = curve.clone().try_cast::<Curve3D>() {
        curve.clear_points();
        for point in points {
            if let Point::ThreeD {
                position,
                handle_in,
                handle_out,
                tilt,
            } = point
            {
                curve
                    .add_point_ex(*position)
                    .in_(*handle_in)
                    .out(*handle_out)
                    .done();
                let last = curve.get_point_count() - 1;
                curve.set_point_tilt(last, *tilt);
            }
        }
        return i64::from(curve.get_point_count());
    }
    0
}
