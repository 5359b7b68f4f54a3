//! Animation settings and keys between JSON and Godot: loop modes, interpolations and key
//! transitions by godot-ai's names, the clip names Godot accepts, key values converted for the
//! property a track animates, and a track's keys read back as JSON.

use godot::classes::Animation;
use godot::classes::animation::{InterpolationType, LoopMode, TrackType};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, ErrorCode, JsonObject, json_type_name};
use serde_json::{Value, json};

use crate::commands::node::edit::property_type;
use crate::commands::params::within_name_limit;
use crate::json_variant::{plain, to_variant};
use crate::variant_json::to_json;

const LOOP_MODES: [(&str, LoopMode); 3] = [
    ("none", LoopMode::NONE),
    ("linear", LoopMode::LINEAR),
    ("pingpong", LoopMode::PINGPONG),
];

/// The interpolations an agent may ask for (the `*_angle` ones are only read back).
const INTERPOLATIONS: [(&str, InterpolationType); 3] = [
    ("nearest", InterpolationType::NEAREST),
    ("linear", InterpolationType::LINEAR),
    ("cubic", InterpolationType::CUBIC),
];

/// godot-ai's names for a key's easing curve (Godot stores the curve's exponent).
const TRANSITIONS: [(&str, f32); 4] = [
    ("linear", 1.0),
    ("ease_in", 2.0),
    ("ease_out", 0.5),
    ("ease_in_out", -2.0),
];

/// The characters `AnimationLibrary` refuses in a clip name (it then adds nothing).
const REFUSED_IN_NAMES: [char; 4] = ['/', ':', ',', '['];

/// The loop mode named `name` (`"none"` when empty).
pub fn loop_mode(name: &str) -> Result<LoopMode, CommandError> {
    let name = if name.is_empty() { "none" } else { name };
    LOOP_MODES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, mode)| *mode)
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::ValueOutOfRange,
                format!("Invalid loop_mode '{name}'. Valid: none, linear, pingpong"),
            )
        })
}

/// godot-ai's name of `mode`.
pub fn loop_mode_name(mode: LoopMode) -> &'static str {
    LOOP_MODES
        .iter()
        .find(|(_, known)| *known == mode)
        .map_or("none", |(name, _)| name)
}

/// The interpolation named `name` (`"linear"` when empty).
pub fn interpolation(name: &str) -> Result<InterpolationType, CommandError> {
    let name = if name.is_empty() { "linear" } else { name };
    INTERPOLATIONS
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, kind)| *kind)
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::ValueOutOfRange,
                format!("Invalid interpolation '{name}'. Valid: nearest, linear, cubic"),
            )
        })
}

/// The name of a track's interpolation, as it is (the angle variants included).
pub fn interpolation_name(kind: InterpolationType) -> &'static str {
    match kind {
        InterpolationType::NEAREST => "nearest",
        InterpolationType::CUBIC => "cubic",
        InterpolationType::LINEAR_ANGLE => "linear_angle",
        InterpolationType::CUBIC_ANGLE => "cubic_angle",
        _ => "linear",
    }
}

/// godot-ai's name of a track type.
pub fn track_type_name(kind: TrackType) -> &'static str {
    match kind {
        TrackType::VALUE => "value",
        TrackType::METHOD => "method",
        TrackType::POSITION_3D => "position_3d",
        TrackType::ROTATION_3D => "rotation_3d",
        TrackType::SCALE_3D => "scale_3d",
        TrackType::BLEND_SHAPE => "blend_shape",
        TrackType::BEZIER => "bezier",
        TrackType::AUDIO => "audio",
        TrackType::ANIMATION => "animation",
        _ => "unknown",
    }
}

/// A key's easing from its optional `transition`: a number as is, or one of godot-ai's names;
/// missing or null is linear (1.0).
pub fn transition(value: Option<&Value>) -> Result<f32, CommandError> {
    match value {
        None | Some(Value::Null) => Ok(1.0),
        Some(Value::Number(number)) => number
            .as_f64()
            .filter(|n| n.is_finite())
            .map(|n| n as f32)
            .ok_or_else(|| invalid("transition must be a finite number")),
        Some(Value::String(name)) => TRANSITIONS
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|(_, curve)| *curve)
            .ok_or_else(|| {
                invalid(&format!(
                    "Unknown transition '{name}'. Valid: linear, ease_in, ease_out, ease_in_out, \
                     or a number (the easing exponent)"
                ))
            }),
        Some(other) => Err(invalid(&format!(
            "transition must be a name or a number, got {}",
            json_type_name(other)
        ))),
    }
}

/// A name for a new clip that Godot will store: not empty, within the name limit, and
/// without the characters its libraries refuse.
pub fn new_clip_name<'a>(param: &str, name: &'a str) -> Result<&'a str, CommandError> {
    within_name_limit(param, name)?;
    if let Some(refused) = name.chars().find(|c| REFUSED_IN_NAMES.contains(c)) {
        return Err(invalid(&format!(
            "Animation name '{name}' contains '{refused}': Godot refuses names with '/', ':', \
             ',' or '['. Use letters, digits, '_' or '-'."
        )));
    }
    Ok(name)
}

/// A list param (`keyframes`, `tweens`): a JSON array, or JSON text of one (as godot-ai's
/// server decodes it); `WRONG_TYPE` unless it is a non-empty array.
pub fn list_param(params: &JsonObject, name: &str) -> Result<Vec<Value>, CommandError> {
    let decoded = match params.get(name) {
        Some(Value::String(text)) if text.trim_start().starts_with('[') => serde_json::from_str::<
            Value,
        >(text)
        .map_err(|error| invalid(&format!("param '{name}' is malformed JSON text: {error}")))?,
        Some(value) => value.clone(),
        None => Value::Null,
    };
    match decoded {
        Value::Array(items) if !items.is_empty() => Ok(items),
        _ => Err(CommandError::new(
            ErrorCode::WrongType,
            format!("{name} must be a non-empty array"),
        )),
    }
}

/// What a track's key values must be, found from the node and property it animates.
pub struct KeyType {
    /// The property with its subpath (`modulate:a`), for messages.
    property: String,
    /// The Godot type and enum hint; `None` when it is not known (the node does not exist
    /// yet), and values are then taken by their JSON shape.
    declared: Option<(VariantType, Option<String>)>,
}

impl KeyType {
    /// The key type of `track_path` (`Node:property[:component]`), its node resolved from
    /// `root` (the player's root node). A node that does not exist (yet) leaves the type
    /// open; a node without the property is `INVALID_PARAMS` with close names.
    pub fn of(root: Option<&Gd<Node>>, track_path: &str) -> Result<Self, CommandError> {
        let (node_part, property) = track_path.split_once(':').unwrap_or((track_path, ""));
        let (base, component) = match property.split_once(':') {
            Some((base, component)) => (base, Some(component)),
            None => (property, None),
        };
        let open = Self {
            property: property.to_owned(),
            declared: None,
        };
        let Some(node) = root.and_then(|root| root.get_node_or_null(node_part)) else {
            return Ok(open);
        };
        let object = node.upcast::<Object>();
        let (base_type, hint) =
            property_type(&object, base, "node_get_properties").map_err(|error| {
                let message = format!("{} (target path: '{node_part}')", error.message);
                let mut refused = CommandError::new(ErrorCode::InvalidParams, message);
                refused.data = error.data;
                refused
            })?;
        let declared = match component {
            None => Some((base_type, hint)),
            Some(component) => component_type(base_type, base, component)?.map(|kind| (kind, None)),
        };
        Ok(Self {
            property: property.to_owned(),
            declared,
        })
    }

    /// `value` as a key of this track.
    pub fn convert(&self, value: &Value) -> Result<Variant, CommandError> {
        match &self.declared {
            Some((kind, hint)) => to_variant(value, *kind, hint.as_deref()).map_err(|error| {
                invalid(&format!(
                    "Cannot use {value} as a key of '{}': {}",
                    self.property, error.message
                ))
            }),
            None => Ok(by_shape(value)),
        }
    }
}

/// The type of `base`'s component `component` (`position:x` is a float); `None` when the
/// base type's components are not single letters (the value is then taken by its shape).
fn component_type(
    base_type: VariantType,
    base: &str,
    component: &str,
) -> Result<Option<VariantType>, CommandError> {
    let (letters, kind) = match base_type {
        VariantType::VECTOR2 => ("xy", VariantType::FLOAT),
        VariantType::VECTOR3 => ("xyz", VariantType::FLOAT),
        VariantType::VECTOR4 | VariantType::QUATERNION => ("xyzw", VariantType::FLOAT),
        VariantType::COLOR => ("rgba", VariantType::FLOAT),
        VariantType::VECTOR2I => ("xy", VariantType::INT),
        VariantType::VECTOR3I => ("xyz", VariantType::INT),
        VariantType::VECTOR4I => ("xyzw", VariantType::INT),
        _ => return Ok(None),
    };
    if component.len() == 1 && letters.contains(component) {
        return Ok(Some(kind));
    }
    let valid: Vec<String> = letters.chars().map(String::from).collect();
    Err(invalid(&format!(
        "'{base}' has no component '{component}'. Valid: {}",
        valid.join(", ")
    )))
}

/// A value whose property type is not known, by its JSON shape: `{x, y}` a Vector2,
/// `{x, y, z}` a Vector3, `{x, y, z, w}` a Vector4, `{r, g, b[, a]}` a Color, anything else
/// its plain Variant.
fn by_shape(value: &Value) -> Variant {
    let Value::Object(map) = value else {
        return plain(value);
    };
    let number = |key: &str| map.get(key).and_then(Value::as_f64).map(|n| n as f32);
    let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
    keys.sort_unstable();
    match (
        keys.as_slice(),
        number("x"),
        number("y"),
        number("z"),
        number("w"),
    ) {
        (["x", "y"], Some(x), Some(y), _, _) => Vector2::new(x, y).to_variant(),
        (["x", "y", "z"], Some(x), Some(y), Some(z), _) => Vector3::new(x, y, z).to_variant(),
        (["w", "x", "y", "z"], Some(x), Some(y), Some(z), Some(w)) => {
            Vector4::new(x, y, z, w).to_variant()
        }
        _ => match (number("r"), number("g"), number("b")) {
            (Some(r), Some(g), Some(b)) if keys.len() <= 4 => {
                Color::from_rgba(r, g, b, number("a").unwrap_or(1.0)).to_variant()
            }
            _ => plain(value),
        },
    }
}

/// The keys of `animation`'s track `track`: `{time, value, transition}`, a method key's value
/// being `{method, args}`.
pub fn keys(animation: &Gd<Animation>, track: i32) -> Vec<Value> {
    let is_method = animation.track_get_type(track) == TrackType::METHOD;
    (0..animation.track_get_key_count(track))
        .map(|key| {
            let value = if is_method {
                json!({
                    "method": animation.method_track_get_name(track, key).to_string(),
                    "args": to_json(&animation.method_track_get_params(track, key).to_variant()),
                })
            } else {
                to_json(&animation.track_get_key_value(track, key))
            };
            json!({
                "time": to_json(&animation.track_get_key_time(track, key).to_variant()),
                "value": value,
                "transition": to_json(&animation.track_get_key_transition(track, key).to_variant()),
            })
        })
        .collect()
}

/// `INVALID_PARAMS` with `message`.
pub fn invalid(message: &str) -> CommandError {
    CommandError::new(ErrorCode::InvalidParams, message)
}
