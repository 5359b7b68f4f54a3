//! `control_draw_recipe`: a Control that draws shapes an agent describes (lines, rects, arcs,
//! circles, polylines, polygons, text), with no script of the agent's own. The recipe is
//! checked and converted here, stored as the node's `_ops` metadata, and drawn by the addon's
//! `runtime/draw_recipe.gd`, which the node gets as its script, so the saved scene draws the
//! same in the editor and in the game.

use godot::classes::{Control, ResourceLoader, Script};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Map, Value, json};

use super::control_at;
use crate::commands::params::{flag_or, required_string};
use crate::commands::reply::into_object;
use crate::commands::scene::guard::edited_root;
use crate::commands::scene::paths::scene_path;
use crate::commands::undo::undo_redo;
use crate::json_variant::to_variant;

/// The script that draws a recipe; saved scenes refer to it by this path.
pub const DRAW_RECIPE_SCRIPT: &str = "res://addons/godot_ai_native/runtime/draw_recipe.gd";

/// The metadata key holding the recipe.
const OPS_META: &str = "_ops";

/// `control_draw_recipe {path, ops, clear_existing? (true)}`: one undo step.
pub fn control_draw_recipe(params: &JsonObject) -> CommandResult {
    required_string(params, "path")?;
    let ops = match params.get("ops") {
        None => return Err(CommandError::missing_param("ops")),
        Some(Value::Array(ops)) => ops,
        Some(_) => {
            return Err(CommandError::new(
                ErrorCode::WrongType,
                "ops must be an Array",
            ));
        }
    };
    let clear_existing = flag_or(params, "clear_existing", true)?;
    let control = control_at(params)?;
    let recipe = ops
        .iter()
        .enumerate()
        .map(|(index, op)| checked_op(index, op))
        .collect::<Result<Vec<_>, _>>()?;

    let script = ResourceLoader::singleton()
        .load(DRAW_RECIPE_SCRIPT)
        .and_then(|resource| resource.try_cast::<Script>().ok())
        .ok_or_else(|| {
            CommandError::internal(format!(
                "The drawing script {DRAW_RECIPE_SCRIPT} is missing from the addon; reinstall \
                 godot_ai_native"
            ))
        })?;
    let old_script = control.get_script();
    let had_script = old_script.is_some();
    let ours = old_script
        .as_ref()
        .is_some_and(|old| old.get_path() == DRAW_RECIPE_SCRIPT);
    let path = scene_path(&edited_root(params)?, &control.clone().upcast());
    if had_script && !ours && !clear_existing {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!("Node {path} already has a script. Pass clear_existing=true to replace."),
        ));
    }

    let recipe: VarArray = recipe.iter().map(|op| op.to_variant()).collect();
    record_step(&control, &script, &recipe, old_script.to_variant())?;
    Ok(into_object(json!({
        "path": path,
        "ops_count": recipe.len(),
        "script_attached": !had_script,
        "script_replaced": had_script && !ours,
        "undoable": true,
    })))
}

/// The undo step: the drawing script and the recipe on; undo puts back the old script and
/// the old recipe (or none).
fn record_step(
    control: &Gd<Control>,
    script: &Gd<Script>,
    recipe: &VarArray,
    old_script: Variant,
) -> Result<(), CommandError> {
    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Draw recipe on {}", control.get_name()));
    history.add_do_method(control, "set_script", &[script.to_variant()]);
    history.add_do_method(
        control,
        "set_meta",
        &[OPS_META.to_variant(), recipe.to_variant()],
    );
    history.add_do_method(control, "queue_redraw", &[]);
    history.add_undo_method(control, "set_script", &[old_script]);
    if control.has_meta(OPS_META) {
        let old = control.get_meta(OPS_META);
        history.add_undo_method(control, "set_meta", &[OPS_META.to_variant(), old]);
    } else {
        history.add_undo_method(control, "remove_meta", &[OPS_META.to_variant()]);
    }
    history.add_undo_method(control, "queue_redraw", &[]);
    history.commit_action();
    Ok(())
}

/// What one op's fields must be.
#[derive(Clone, Copy)]
enum Field {
    Vector2,
    Rect2,
    Color,
    Float,
    Int,
    Bool,
    Text,
}

/// Fields by name, with what each must be.
type Fields = &'static [(&'static str, Field)];

/// Each kind's required and optional fields (`points`/`colors`/`color` of polylines and
/// polygons are checked apart).
fn fields(kind: &str) -> Option<(Fields, Fields)> {
    use Field::*;
    Some(match kind {
        "line" => (
            &[("from", Vector2), ("to", Vector2), ("color", Color)],
            &[("width", Float), ("antialiased", Bool)],
        ),
        "rect" => (
            &[("rect", Rect2), ("color", Color)],
            &[("filled", Bool), ("width", Float)],
        ),
        "arc" => (
            &[
                ("center", Vector2),
                ("radius", Float),
                ("start_angle", Float),
                ("end_angle", Float),
                ("color", Color),
            ],
            &[
                ("point_count", Int),
                ("width", Float),
                ("antialiased", Bool),
            ],
        ),
        "circle" => (
            &[("center", Vector2), ("radius", Float), ("color", Color)],
            &[],
        ),
        "polyline" | "polygon" => (&[], &[("width", Float), ("antialiased", Bool)]),
        "string" => (
            &[("position", Vector2), ("text", Text), ("color", Color)],
            &[("font_size", Int), ("align", Int), ("max_width", Float)],
        ),
        _ => return None,
    })
}

/// One op checked and converted to Godot's types.
fn checked_op(index: usize, op: &Value) -> Result<VarDictionary, CommandError> {
    let Value::Object(op) = op else {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!("ops[{index}] must be a dictionary"),
        ));
    };
    let kind = match op.get("draw") {
        Some(Value::String(kind)) if !kind.is_empty() => kind.as_str(),
        _ => {
            return Err(CommandError::new(
                ErrorCode::MissingRequiredParam,
                format!("ops[{index}]: missing 'draw' field"),
            ));
        }
    };
    let Some((required, optional)) = fields(kind) else {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "ops[{index}]: unknown draw type '{kind}'. Valid: line, rect, arc, circle, \
                 polyline, polygon, string"
            ),
        ));
    };
    let at = format!("ops[{index}] ({kind})");
    let mut stored = VarDictionary::new();
    stored.set("draw", kind);
    for (name, field) in required {
        let value = op.get(*name).ok_or_else(|| {
            CommandError::new(ErrorCode::InvalidParams, format!("{at}: missing '{name}'"))
        })?;
        stored.set(*name, &converted(&at, name, *field, value)?);
    }
    for (name, field) in optional {
        if let Some(value) = op.get(*name) {
            stored.set(*name, &converted(&at, name, *field, value)?);
        }
    }
    if matches!(kind, "polyline" | "polygon") {
        add_points_and_colors(&at, kind, op, &mut stored)?;
    }
    Ok(stored)
}

fn converted(at: &str, name: &str, field: Field, value: &Value) -> Result<Variant, CommandError> {
    let invalid = || {
        CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("{at}: invalid '{name}'"),
        )
    };
    let number = || value.as_f64().ok_or_else(invalid);
    Ok(match field {
        Field::Vector2 => to_variant(value, VariantType::VECTOR2, None).map_err(|_| invalid())?,
        Field::Rect2 => rect2(value).ok_or_else(invalid)?.to_variant(),
        Field::Color => to_variant(value, VariantType::COLOR, None).map_err(|_| invalid())?,
        Field::Float => number()?.to_variant(),
        Field::Int => (number()? as i64).to_variant(),
        Field::Bool => value.as_bool().ok_or_else(invalid)?.to_variant(),
        Field::Text => match value {
            Value::String(text) => text.to_variant(),
            other => other.to_string().to_variant(),
        },
    })
}

/// A rect as `[x, y, w, h]`, `{x, y, w, h}` or `{position: <Vector2>, size: <Vector2>}`.
fn rect2(value: &Value) -> Option<Rect2> {
    let number = |value: Option<&Value>| value.and_then(Value::as_f64).map(|n| n as f32);
    let vector2 = |value: Option<&Value>| {
        to_variant(value?, VariantType::VECTOR2, None)
            .ok()?
            .try_to::<Vector2>()
            .ok()
    };
    match value {
        Value::Array(parts) if parts.len() == 4 => Some(Rect2::from_components(
            number(parts.first())?,
            number(parts.get(1))?,
            number(parts.get(2))?,
            number(parts.get(3))?,
        )),
        Value::Object(fields) if fields.contains_key("position") => Some(Rect2::new(
            vector2(fields.get("position"))?,
            vector2(fields.get("size"))?,
        )),
        Value::Object(fields) => Some(Rect2::from_components(
            number(fields.get("x"))?,
            number(fields.get("y"))?,
            number(fields.get("w"))?,
            number(fields.get("h"))?,
        )),
        _ => None,
    }
}

/// A polyline's or polygon's `points` (at least 2, or 3 for a polygon), and its `colors`
/// (one per point, or one for all) or `color`.
fn add_points_and_colors(
    at: &str,
    kind: &str,
    op: &Map<String, Value>,
    stored: &mut VarDictionary,
) -> Result<(), CommandError> {
    let points = match op.get("points") {
        None => {
            return Err(CommandError::new(
                ErrorCode::MissingRequiredParam,
                format!("{at}: missing 'points'"),
            ));
        }
        Some(Value::Array(points)) => points,
        Some(_) => {
            return Err(CommandError::new(
                ErrorCode::WrongType,
                format!("{at}: 'points' must be an Array"),
            ));
        }
    };
    let points: PackedVector2Array = points
        .iter()
        .enumerate()
        .map(|(i, point)| {
            to_variant(point, VariantType::VECTOR2, None)
                .ok()
                .and_then(|point| point.try_to::<Vector2>().ok())
                .ok_or_else(|| {
                    CommandError::new(
                        ErrorCode::InvalidParams,
                        format!("{at}: points[{i}] invalid"),
                    )
                })
        })
        .collect::<Result<_, _>>()?;
    let least = if kind == "polygon" { 3 } else { 2 };
    if points.len() < least {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!("{at}: needs at least {least} points, got {}", points.len()),
        ));
    }
    match op.get("colors") {
        Some(Value::Array(colors)) => {
            let colors: PackedColorArray = colors
                .iter()
                .enumerate()
                .map(|(i, color)| {
                    to_variant(color, VariantType::COLOR, None)
                        .ok()
                        .and_then(|color| color.try_to::<Color>().ok())
                        .ok_or_else(|| {
                            CommandError::new(
                                ErrorCode::InvalidParams,
                                format!("{at}: colors[{i}] invalid"),
                            )
                        })
                })
                .collect::<Result<_, _>>()?;
            let fits = colors.len() == points.len() || (kind == "polygon" && colors.len() == 1);
            if !fits {
                return Err(CommandError::new(
                    ErrorCode::InvalidParams,
                    format!(
                        "{at}: 'colors' has {} entries for {} points; give one per point{}",
                        colors.len(),
                        points.len(),
                        if kind == "polygon" {
                            " or one for all"
                        } else {
                            ""
                        }
                    ),
                ));
            }
            stored.set("colors", &colors);
        }
        Some(_) => {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!("{at}: 'colors' must be an Array"),
            ));
        }
        None => {
            let color = op.get("color").ok_or_else(|| {
                CommandError::new(
                    ErrorCode::MissingRequiredParam,
                    format!("{at}: missing 'color' or 'colors'"),
                )
            })?;
            stored.set("color", &converted(at, "color", Field::Color, color)?);
        }
    }
    stored.set("points", &points);
    Ok(())
}
