//! Camera settings from JSON: the property's own conversion (see [`crate::json_variant`]),
//! plus what godot-ai accepts on top: a single number for a `Vector2` (`zoom: 2` is 2x2) and
//! its names for the doppler tracking modes. A value that does not fit is `INVALID_PARAMS`
//! naming the setting.

use godot::prelude::*;
use godot_ai_protocol::{CommandError, ErrorCode};
use serde_json::{Value, json};

use crate::commands::node::edit::property_variant;
use crate::variant_json::to_json;

/// godot-ai's names for `doppler_tracking`, where Godot's labels differ.
const DOPPLER_NAMES: &[(&str, i64)] = &[("disabled", 0), ("idle_step", 1), ("physics_step", 2)];

/// `value` converted for the camera setting `key` of `camera`.
pub fn camera_value(camera: &Gd<Node>, key: &str, value: &Value) -> Result<Variant, CommandError> {
    let value = match (key, value) {
        ("zoom" | "offset", Value::Number(n)) => json!({"x": n, "y": n}),
        ("doppler_tracking", Value::String(name)) => DOPPLER_NAMES
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map_or_else(|| value.clone(), |(_, mode)| json!(mode)),
        _ => value.clone(),
    };
    property_variant(camera, key, &value).map_err(|error| match error.code {
        ErrorCode::PropertyNotOnClass => error,
        _ => CommandError::new(
            ErrorCode::InvalidParams,
            format!("Invalid {key} value: {}", error.message),
        ),
    })
}

/// A setting's value as results show it.
pub fn shown(value: &Variant) -> Value {
    to_json(value)
}
