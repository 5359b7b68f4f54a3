//! Material parameters from JSON: the property's own conversion (see [`crate::json_variant`]),
//! plus godot-ai's names for the material enums (`"transparency": "alpha"`, `"shading_mode":
//! "unshaded"`), which differ from Godot's labels ("Per-Pixel", "Depth Pre-Pass"). A value
//! that does not fit is `INVALID_PARAMS` naming the parameter. Results show a resource as
//! `{type, path}`.

use godot::classes::Resource;
use godot::prelude::*;
use godot_ai_protocol::{CommandError, ErrorCode};
use serde_json::{Value, json};

use crate::json_variant::to_variant;
use crate::variant_json::to_json;

/// godot-ai's names for the values of the material enums, by property.
const ENUM_NAMES: &[(&str, &[&str])] = &[
    (
        "transparency",
        &[
            "disabled",
            "alpha",
            "alpha_scissor",
            "alpha_hash",
            "alpha_depth_pre_pass",
        ],
    ),
    ("shading_mode", &["unshaded", "per_pixel", "per_vertex"]),
    ("blend_mode", &["mix", "add", "sub", "mul"]),
    ("cull_mode", &["back", "front", "disabled"]),
    ("depth_draw_mode", &["opaque_only", "always", "disabled"]),
    (
        "diffuse_mode",
        &["burley", "lambert", "lambert_wrap", "toon"],
    ),
    ("specular_mode", &["schlick_ggx", "toon", "disabled"]),
    (
        "billboard_mode",
        &["disabled", "enabled", "fixed_y", "particles"],
    ),
    (
        "texture_filter",
        &["nearest", "linear", "nearest_mipmap", "linear_mipmap"],
    ),
];

/// `value` for the parameter `name` of type `target` (`enum_hint`: its enum hint string).
pub fn material_value(
    name: &str,
    value: &Value,
    target: VariantType,
    enum_hint: Option<&str>,
) -> Result<Variant, CommandError> {
    let value = match (ENUM_NAMES.iter().find(|(known, _)| *known == name), value) {
        (Some((_, names)), Value::String(given)) => {
            let lowered = given.to_lowercase();
            match names.iter().position(|known| *known == lowered) {
                Some(index) => json!(index),
                // Godot's own label ("Per-Pixel") still works through the enum hint.
                None => value.clone(),
            }
        }
        _ => value.clone(),
    };
    to_variant(&value, target, enum_hint).map_err(|error| {
        let valid = ENUM_NAMES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, names)| format!(". Valid: {}", names.join(", ")))
            .unwrap_or_default();
        CommandError::new(
            ErrorCode::InvalidParams,
            format!("Invalid {name} value: {}{valid}", error.message),
        )
    })
}

/// A parameter's value as material results show it: a resource as `{type, path}`.
pub fn shown(value: &Variant) -> Value {
    match value.try_to::<Gd<Resource>>() {
        Ok(resource) => json!({
            "type": resource.get_class().to_string(),
            "path": resource.get_path().to_string(),
        }),
        Err(_) => to_json(value),
    }
}
