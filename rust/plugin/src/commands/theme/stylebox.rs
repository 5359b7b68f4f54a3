//! `theme_set_stylebox_flat`: a new `StyleBoxFlat` built from godot-ai's keys (colours,
//! border widths, corner radii, content margins, shadow, anti-aliasing) in one theme slot.
//! Every key is checked before the theme changes; a key not given keeps Godot's default.

use godot::classes::StyleBoxFlat;
use godot::classes::theme::DataType;
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject, json_type_name};
use serde_json::{Map, Value, json};

use super::{change_item, load_theme, slot, theme_path};
use crate::commands::reply::into_object;
use crate::json_variant::to_variant;
use crate::variant_json::to_json;

const SIDES: [&str; 4] = ["top", "bottom", "left", "right"];
const CORNERS: [&str; 4] = ["top_left", "top_right", "bottom_left", "bottom_right"];
const SHADOW_KEYS: [&str; 4] = ["color", "size", "offset_x", "offset_y"];

fn color(key: &str, value: &Value) -> Result<Color, CommandError> {
    to_variant(value, VariantType::COLOR, None)
        .map(|color| color.to())
        .map_err(|_| {
            CommandError::new(
                ErrorCode::ValueOutOfRange,
                format!(
                    "Invalid {key}: {value} (expected hex #rrggbb, named color, or {{r,g,b,a}} \
                     dict)"
                ),
            )
        })
}

fn number(key: &str, value: &Value) -> Result<f64, CommandError> {
    value.as_f64().filter(|n| n.is_finite()).ok_or_else(|| {
        CommandError::new(
            ErrorCode::InvalidParams,
            format!("{key} must be a number, got {}", json_type_name(value)),
        )
    })
}

/// The object param `key` (absent or null: `None`), its keys among `all` and `parts`.
fn parts<'a>(
    params: &'a JsonObject,
    key: &str,
    parts: &[&str],
) -> Result<Option<&'a Map<String, Value>>, CommandError> {
    let given = match params.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(given)) => given,
        Some(_) => {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!("'{key}' must be a dict with 'all' and/or side-specific keys"),
            ));
        }
    };
    if let Some(unknown) = given
        .keys()
        .find(|part| part.as_str() != "all" && !parts.contains(&part.as_str()))
    {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "Unknown key in '{key}': {unknown} (valid: all, {})",
                parts.join(", ")
            ),
        ));
    }
    Ok(Some(given))
}

/// Each of `names` with its value from `given`: `all` first, then the part's own key.
fn per_part(
    key: &str,
    given: &Map<String, Value>,
    names: &[&'static str],
) -> Result<Vec<(&'static str, f64)>, CommandError> {
    let all = given
        .get("all")
        .map(|v| number(&format!("{key}.all"), v))
        .transpose()?;
    let mut values = Vec::new();
    for name in names {
        let own = given
            .get(*name)
            .map(|v| number(&format!("{key}.{name}"), v))
            .transpose()?;
        if let Some(value) = own.or(all) {
            values.push((*name, value));
        }
    }
    Ok(values)
}

/// The stylebox the params describe.
fn built(params: &JsonObject) -> Result<Gd<StyleBoxFlat>, CommandError> {
    let mut stylebox = StyleBoxFlat::new_gd();
    for key in ["bg_color", "border_color"] {
        if let Some(value) = params.get(key).filter(|value| !value.is_null()) {
            stylebox.set(key, &color(key, value)?.to_variant());
        }
    }
    if let Some(border) = parts(params, "border", &SIDES)? {
        for (side, width) in per_part("border", border, &SIDES)? {
            stylebox.set(
                &format!("border_width_{side}"),
                &(width as i64).to_variant(),
            );
        }
    }
    if let Some(corners) = parts(params, "corners", &CORNERS)? {
        for (corner, radius) in per_part("corners", corners, &CORNERS)? {
            stylebox.set(
                &format!("corner_radius_{corner}"),
                &(radius as i64).to_variant(),
            );
        }
    }
    if let Some(margins) = parts(params, "margins", &SIDES)? {
        for (side, margin) in per_part("margins", margins, &SIDES)? {
            stylebox.set(&format!("content_margin_{side}"), &margin.to_variant());
        }
    }
    match params.get("shadow") {
        None | Some(Value::Null) => {}
        Some(Value::Object(shadow)) => {
            if let Some(unknown) = shadow.keys().find(|k| !SHADOW_KEYS.contains(&k.as_str())) {
                return Err(CommandError::new(
                    ErrorCode::InvalidParams,
                    format!(
                        "Unknown key in 'shadow': {unknown} (valid: color, size, offset_x, \
                         offset_y)"
                    ),
                ));
            }
            if let Some(value) = shadow.get("color") {
                let shadow_color = color("shadow.color", value)
                    .map_err(|error| CommandError::new(ErrorCode::InvalidParams, error.message))?;
                stylebox.set_shadow_color(shadow_color);
            }
            if let Some(size) = shadow.get("size") {
                stylebox.set_shadow_size(number("shadow.size", size)? as i32);
            }
            let offset = |key: &str| shadow.get(key).map(|v| number(&format!("shadow.{key}"), v));
            let (x, y) = (
                offset("offset_x").transpose()?,
                offset("offset_y").transpose()?,
            );
            if x.is_some() || y.is_some() {
                stylebox.set_shadow_offset(Vector2::new(
                    x.unwrap_or(0.0) as f32,
                    y.unwrap_or(0.0) as f32,
                ));
            }
        }
        Some(_) => {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                "'shadow' must be a dict with color/size/offset_x/offset_y",
            ));
        }
    }
    match params.get("anti_aliasing") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(flag)) => stylebox.set_anti_aliased(*flag),
        Some(other) => {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!(
                    "anti_aliasing must be true or false, got {}",
                    json_type_name(other)
                ),
            ));
        }
    }
    Ok(stylebox)
}

/// `theme_set_stylebox_flat {theme_path, class_name, name, bg_color?, border_color?, border?,
/// corners?, margins?, shadow?, anti_aliasing?}`: replaces the slot's stylebox (undo gives
/// back the one it had).
pub fn theme_set_stylebox_flat(params: &JsonObject) -> CommandResult {
    let path = theme_path(params, "theme_path")?;
    let theme = load_theme(path)?;
    let (name, theme_type) = slot(params)?;
    let stylebox = built(params)?;
    let kind = DataType::STYLEBOX;
    let previous = theme
        .has_theme_item(kind, &name, &theme_type)
        .then(|| theme.get_theme_item(kind, &name, &theme_type));
    change_item(
        &theme,
        path,
        &format!("MCP: Theme set stylebox {theme_type}/{name}"),
        kind,
        (&name, &theme_type),
        &stylebox.to_variant(),
        previous.as_ref(),
    )?;
    let read = |names: &[&str], prefix: &str| -> Value {
        let fields: Map<String, Value> = names
            .iter()
            .map(|part| {
                (
                    (*part).to_owned(),
                    to_json(&stylebox.get(&format!("{prefix}{part}"))),
                )
            })
            .collect();
        Value::Object(fields)
    };
    Ok(into_object(json!({
        "path": path,
        "class_name": theme_type.to_string(),
        "name": name.to_string(),
        "stylebox_class": "StyleBoxFlat",
        "bg_color": to_json(&stylebox.get_bg_color().to_variant()),
        "border": read(&SIDES, "border_width_"),
        "corners": read(&CORNERS, "corner_radius_"),
        "margins": read(&SIDES, "content_margin_"),
        "undoable": true,
    })))
}
