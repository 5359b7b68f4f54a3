//! Particle settings from JSON, as godot-ai takes them: emission shapes by name, colour ramps
//! as `{stops: [{time, color}]}` (a `GradientTexture1D` for GPU particles, a `Gradient` for
//! CPU ones), curves as `[{time, value}]` (a `CurveTexture` / a `Curve`), and otherwise the
//! property's own conversion. A value that does not fit is `INVALID_PARAMS` naming the
//! setting. Results show ramps and curves by their points.

use godot::classes::{Curve, CurveTexture, Gradient, GradientTexture1D, Resource};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, ErrorCode};
use serde_json::{Value, json};

use crate::commands::node::edit::property_type;
use crate::json_variant::to_variant;
use crate::variant_json::to_json;

const EMISSION_SHAPES: &[&str] = &[
    "point",
    "sphere",
    "sphere_surface",
    "box",
    "points",
    "directed_points",
    "ring",
];

fn invalid(message: String) -> CommandError {
    CommandError::new(ErrorCode::InvalidParams, message)
}

/// `value` for the setting `name` of `target` (a particle node or its process material).
pub fn particle_value(
    target: &Gd<Object>,
    name: &str,
    value: &Value,
    lister: &str,
) -> Result<Variant, CommandError> {
    let (kind, enum_hint) = property_type(target, name, lister)?;
    if kind == VariantType::NIL {
        return Err(CommandError::new(
            ErrorCode::PropertyNotOnClass,
            format!("Property '{name}' not present on {}", target.get_class()),
        ));
    }
    if name == "emission_shape"
        && let Value::String(shape) = value
    {
        let lowered = shape.to_lowercase();
        return EMISSION_SHAPES
            .iter()
            .position(|known| *known == lowered)
            .map(|index| (index as i64).to_variant())
            .ok_or_else(|| {
                invalid(format!(
                    "Invalid emission_shape '{shape}'. Valid: {}",
                    EMISSION_SHAPES.join(", ")
                ))
            });
    }
    // GPU process materials take textures of ramps and curves, CPU emitters the bare ones.
    let wants_texture = enum_hint.is_none()
        && target
            .get_property_list()
            .iter_shared()
            .find(|info| info.get("name").is_some_and(|n| n.stringify() == name))
            .and_then(|info| info.get("hint_string"))
            .is_some_and(|hint| hint.stringify().to_string().contains("Texture"));
    if name == "color_ramp" || name == "color_initial_ramp" {
        let gradient = gradient(name, value)?;
        if wants_texture {
            let mut texture = GradientTexture1D::new_gd();
            texture.set_gradient(&gradient);
            return Ok(texture.to_variant());
        }
        return Ok(gradient.to_variant());
    }
    if name.ends_with("_curve") {
        let curve = curve(name, value)?;
        if wants_texture {
            let mut texture = CurveTexture::new_gd();
            texture.set_curve(&curve);
            return Ok(texture.to_variant());
        }
        return Ok(curve.to_variant());
    }
    to_variant(value, kind, enum_hint.as_deref())
        .map_err(|error| invalid(format!("Invalid {name} value: {}", error.message)))
}

fn gradient(name: &str, value: &Value) -> Result<Gd<Gradient>, CommandError> {
    let bad = || {
        invalid(format!(
            "Invalid gradient for {name} (expected {{stops: [{{time, color}}]}})"
        ))
    };
    let stops = value
        .get("stops")
        .and_then(Value::as_array)
        .ok_or_else(bad)?;
    let mut offsets = PackedFloat32Array::new();
    let mut colors = PackedColorArray::new();
    for stop in stops {
        let stop = stop.as_object().ok_or_else(bad)?;
        let time = stop.get("time").and_then(Value::as_f64).unwrap_or(0.0);
        let color = stop
            .get("color")
            .ok_or_else(bad)
            .and_then(|color| to_variant(color, VariantType::COLOR, None).map_err(|_| bad()))?;
        offsets.push(time as f32);
        colors.push(color.to::<Color>());
    }
    let mut gradient = Gradient::new_gd();
    gradient.set_offsets(&offsets);
    gradient.set_colors(&colors);
    Ok(gradient)
}

fn curve(name: &str, value: &Value) -> Result<Gd<Curve>, CommandError> {
    let bad = || {
        invalid(format!(
            "Invalid curve for {name} (expected [{{time, value}}])"
        ))
    };
    let points = match value {
        Value::Array(points) => points,
        Value::Object(fields) => fields
            .get("points")
            .and_then(Value::as_array)
            .ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    let mut curve = Curve::new_gd();
    for point in points {
        let point = point.as_object().ok_or_else(bad)?;
        let number = |key: &str| point.get(key).and_then(Value::as_f64).unwrap_or(0.0) as f32;
        curve.add_point(Vector2::new(number("time"), number("value")));
    }
    Ok(curve)
}

/// A setting's value as particle results show it: ramps by their stops, curves by their
/// points, other resources as `{type, path}`.
pub fn shown(value: &Variant) -> Value {
    let Ok(resource) = value.try_to::<Gd<Resource>>() else {
        return to_json(value);
    };
    let class = resource.get_class().to_string();
    let gradient = match resource.clone().try_cast::<GradientTexture1D>() {
        Ok(texture) => texture.get_gradient(),
        Err(_) => resource.clone().try_cast::<Gradient>().ok(),
    };
    if let Some(gradient) = gradient {
        let stops: Vec<Value> = (0..gradient.get_point_count())
            .map(|index| {
                json!({
                    "time": to_json(&gradient.get_offset(index).to_variant()),
                    "color": to_json(&gradient.get_color(index).to_variant()),
                })
            })
            .collect();
        return json!({"type": class, "stops": stops});
    }
    let curve = match resource.clone().try_cast::<CurveTexture>() {
        Ok(texture) => texture.get_curve(),
        Err(_) => resource.clone().try_cast::<Curve>().ok(),
    };
    if let Some(curve) = curve {
        let points: Vec<Value> = (0..curve.get_point_count())
            .map(|index| {
                let at = curve.get_point_position(index);
                json!({
                    "time": to_json(&at.x.to_variant()),
                    "value": to_json(&at.y.to_variant()),
                })
            })
            .collect();
        return json!({"type": class, "points": points});
    }
    json!({"type": class, "path": resource.get_path().to_string()})
}
