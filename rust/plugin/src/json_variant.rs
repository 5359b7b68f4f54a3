//! JSON -> Godot `Variant` for a property of a known type: what `set_property` needs.
//!
//! Accepted, per target type:
//! - vectors: `{x, y[, z[, w]]}` or `[x, y, ...]`; colours: `{r, g, b[, a]}`, `[r, g, b[, a]]`,
//!   an HTML colour string (`"#ff8800"`, `"ff8800cc"`) or a colour name (`"red"`, `"dark_blue"`);
//! - resources (objects): a `res://` (or `uid://`) path to load, `""` or `null` to clear, or a
//!   new one as `{"__class__": "BoxMesh", "size": {...}}` (its properties converted the same
//!   way, nesting allowed);
//! - enums (an int property with an enum hint): the int, or the constant's name;
//! - bool, int, float, String, StringName, NodePath from their JSON counterparts.
//!
//! Anything else is handed to Godot as the plain Variant of the JSON value (the setter then
//! coerces or ignores it). A value that cannot be the target type is `WRONG_TYPE`, never
//! silently replaced by a default.

use godot::classes::{ClassDb, Resource, ResourceLoader};
use godot::prelude::*;
use godot::register::info::PropertyHint;
use godot_ai_protocol::{CommandError, ErrorCode, json_type_name};
use serde_json::Value;

/// Converts `value` for a property of type `target`; `enum_hint` is the property's
/// `hint_string` when it is an enum (`"Name:0,Other:1"` or `"A,B,C"`).
pub fn to_variant(
    value: &Value,
    target: VariantType,
    enum_hint: Option<&str>,
) -> Result<Variant, CommandError> {
    match (target, value) {
        (VariantType::OBJECT, Value::Null) => Ok(Variant::nil()),
        (VariantType::OBJECT, Value::String(path)) if path.is_empty() => Ok(Variant::nil()),
        (VariantType::OBJECT, Value::String(path)) => load_resource(path),
        (VariantType::OBJECT, Value::Object(fields)) if fields.contains_key("__class__") => {
            new_resource(fields)
        }
        (VariantType::OBJECT, _) => Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "Cannot use {} for an object property: give a res:// path, \
                 {{\"__class__\": \"ClassName\", ...}} for a new resource, or null to clear",
                json_type_name(value)
            ),
        )),
        (VariantType::BOOL, Value::Bool(flag)) => Ok(flag.to_variant()),
        (VariantType::BOOL, Value::Number(number)) => Ok((number.as_f64() != Some(0.0)).to_variant()),
        (VariantType::INT, Value::String(name)) => enum_value(name, enum_hint),
        (VariantType::INT, Value::Number(number)) => number
            .as_i64()
            .or_else(|| number.as_f64().map(|f| f as i64))
            .map(|int| int.to_variant())
            .ok_or_else(|| wrong(value, target)),
        (VariantType::FLOAT, Value::Number(number)) => {
            Ok(number.as_f64().unwrap_or_default().to_variant())
        }
        (VariantType::STRING, Value::String(text)) => Ok(GString::from(text.as_str()).to_variant()),
        (VariantType::STRING_NAME, Value::String(text)) => {
            Ok(StringName::from(text.as_str()).to_variant())
        }
        (VariantType::NODE_PATH, Value::String(text)) => Ok(NodePath::from(text.as_str()).to_variant()),
        (VariantType::NODE_PATH, Value::Null) => Ok(NodePath::default().to_variant()),
        (VariantType::VECTOR2, _) => {
            let [x, y] = components(value, ["x", "y"], target)?;
            Ok(Vector2::new(x as f32, y as f32).to_variant())
        }
        (VariantType::VECTOR2I, _) => {
            let [x, y] = components(value, ["x", "y"], target)?;
            Ok(Vector2i::new(x as i32, y as i32).to_variant())
        }
        (VariantType::VECTOR3, _) => {
            let [x, y, z] = components(value, ["x", "y", "z"], target)?;
            Ok(Vector3::new(x as f32, y as f32, z as f32).to_variant())
        }
        (VariantType::VECTOR4, _) => {
            let [x, y, z, w] = components(value, ["x", "y", "z", "w"], target)?;
            Ok(Vector4::new(x as f32, y as f32, z as f32, w as f32).to_variant())
        }
        (VariantType::VECTOR3I, _) => {
            let [x, y, z] = components(value, ["x", "y", "z"], target)?;
            Ok(Vector3i::new(x as i32, y as i32, z as i32).to_variant())
        }
        (VariantType::COLOR, Value::String(text)) => Color::from_string(text.as_str())
            .map(|color| color.to_variant())
            .ok_or_else(|| {
                CommandError::new(
                    ErrorCode::WrongType,
                    format!("'{text}' is not a colour: use \"#rrggbb\", \"#rrggbbaa\", a name like \"red\" or {{\"r\":1,\"g\":0.5,\"b\":0}}"),
                )
            }),
        (VariantType::COLOR, _) => color(value),
        (VariantType::BOOL | VariantType::INT | VariantType::FLOAT | VariantType::STRING, _)
        | (VariantType::STRING_NAME | VariantType::NODE_PATH, _) => Err(wrong(value, target)),
        _ => Ok(plain(value)),
    }
}

fn wrong(value: &Value, target: VariantType) -> CommandError {
    CommandError::new(
        ErrorCode::WrongType,
        format!(
            "Cannot use a JSON {} for a {} property",
            json_type_name(value),
            godot::global::type_string(target.ord() as i64)
        ),
    )
}

/// `N` numbers from `{key: n, ...}` or `[n, ...]`.
fn components<const N: usize>(
    value: &Value,
    keys: [&str; N],
    target: VariantType,
) -> Result<[f64; N], CommandError> {
    let numbers: Option<Vec<f64>> = match value {
        Value::Object(map) => keys
            .iter()
            .map(|key| map.get(*key).and_then(Value::as_f64))
            .collect(),
        Value::Array(items) if items.len() == N => items.iter().map(Value::as_f64).collect(),
        _ => None,
    };
    numbers
        .and_then(|numbers| numbers.try_into().ok())
        .ok_or_else(|| {
            let example: Vec<String> = keys.iter().map(|key| format!("\"{key}\":0")).collect();
            CommandError::new(
                ErrorCode::WrongType,
                format!(
                    "Cannot use {} as a {}: expected {{{}}} or an array of {N} numbers",
                    value,
                    godot::global::type_string(target.ord() as i64),
                    example.join(",")
                ),
            )
        })
}

fn color(value: &Value) -> Result<Variant, CommandError> {
    let channels: Option<Vec<f64>> = match value {
        Value::Object(map) => ["r", "g", "b"]
            .iter()
            .map(|key| map.get(*key).and_then(Value::as_f64))
            .chain(std::iter::once(Some(
                map.get("a").and_then(Value::as_f64).unwrap_or(1.0),
            )))
            .collect(),
        Value::Array(items) if items.len() == 3 || items.len() == 4 => {
            let mut channels: Option<Vec<f64>> = items.iter().map(Value::as_f64).collect();
            if let Some(channels) = channels.as_mut()
                && channels.len() == 3
            {
                channels.push(1.0);
            }
            channels
        }
        _ => None,
    };
    match channels.as_deref() {
        Some([r, g, b, a]) => {
            Ok(Color::from_rgba(*r as f32, *g as f32, *b as f32, *a as f32).to_variant())
        }
        _ => Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "Cannot use {value} as a Color: expected {{\"r\":0,\"g\":0,\"b\":0}}, [r,g,b] or \"#rrggbb\""
            ),
        )),
    }
}

fn load_resource(path: &str) -> Result<Variant, CommandError> {
    crate::commands::filesystem::checked_resource_path(path)?;
    let mut loader = ResourceLoader::singleton();
    if !loader.exists(path) {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("Resource not found: {path}"),
        ));
    }
    loader
        .load(path)
        .map(|resource| resource.to_variant())
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::ResourceNotFound,
                format!("Resource could not be loaded: {path}"),
            )
        })
}

/// A new resource of class `__class__` with the other fields set as its properties.
fn new_resource(fields: &serde_json::Map<String, Value>) -> Result<Variant, CommandError> {
    let class = match fields.get("__class__") {
        Some(Value::String(class)) => class.as_str(),
        other => {
            return Err(CommandError::new(
                ErrorCode::WrongType,
                format!("__class__ must be a class name string, got {other:?}"),
            ));
        }
    };
    let mut resource = instantiate_resource(class)?;
    set_resource_properties(
        &mut resource,
        fields
            .iter()
            .filter(|(name, _)| name.as_str() != "__class__"),
    )?;
    Ok(resource.to_variant())
}

/// A new resource of the engine class `class`: `VALUE_OUT_OF_RANGE` for an unknown class,
/// `WRONG_TYPE` for a node, a non-resource or an abstract class.
pub fn instantiate_resource(class: &str) -> Result<Gd<Resource>, CommandError> {
    let db = ClassDb::singleton();
    if !db.class_exists(class) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("Unknown resource type: {class}"),
        ));
    }
    if db.is_parent_class(class, "Node") {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!("{class} is a Node type, not a Resource — use node_create instead"),
        ));
    }
    if class != "Resource" && !db.is_parent_class(class, "Resource") {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "{class} is not a Resource type (extends {})",
                db.get_parent_class(class)
            ),
        ));
    }
    if !db.can_instantiate(class) {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "{class} is abstract and cannot be instantiated — use a concrete subclass \
                 (e.g. BoxMesh, BoxShape3D, StyleBoxFlat)"
            ),
        ));
    }
    db.instantiate(class)
        .try_to::<Gd<Resource>>()
        .map_err(|_| CommandError::internal(format!("Failed to create a {class}")))
}

/// Sets `fields` on `resource` in order, each converted for its property's type (nested new
/// resources allowed); `PROPERTY_NOT_ON_CLASS` for a property the class does not have.
pub fn set_resource_properties<'a>(
    resource: &mut Gd<Resource>,
    fields: impl IntoIterator<Item = (&'a String, &'a Value)>,
) -> Result<(), CommandError> {
    let class = resource.get_class();
    let properties = resource.get_property_list();
    for (name, value) in fields {
        let Some(info) = properties.iter_shared().find(|info| {
            info.get("name")
                .is_some_and(|found| found.stringify() == name.as_str())
        }) else {
            return Err(CommandError::new(
                ErrorCode::PropertyNotOnClass,
                format!(
                    "Property '{name}' not found on {class}. Call resource_manage(op=\"get_info\", \
                     params={{\"type\": \"{class}\"}}) to list available properties."
                ),
            ));
        };
        let number = |key: &str| {
            info.get(key)
                .and_then(|v| v.try_to::<i64>().ok())
                .unwrap_or(0)
        };
        let declared = number("type");
        let target = if declared == 0 {
            resource.get(name.as_str()).get_type()
        } else {
            VariantType::from_ord(declared as i32)
        };
        let hint_string = info.get("hint_string").map(|v| v.stringify().to_string());
        let enum_hint = (number("hint") == PropertyHint::ENUM.ord() as i64)
            .then_some(hint_string.as_deref())
            .flatten();
        let converted = to_variant(value, target, enum_hint)?;
        resource.set(name.as_str(), &converted);
    }
    Ok(())
}

/// An enum constant by name (case-insensitive) from a hint like `"Keep,Disabled:2"`.
fn enum_value(name: &str, hint: Option<&str>) -> Result<Variant, CommandError> {
    let Some(hint) = hint else {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!("'{name}' is a string but the property is an int without named values"),
        ));
    };
    let mut next = 0i64;
    let mut names = Vec::new();
    for entry in hint.split(',') {
        let (label, value) = match entry.rsplit_once(':') {
            Some((label, value)) => (label.trim(), value.trim().parse().unwrap_or(next)),
            None => (entry.trim(), next),
        };
        if label.eq_ignore_ascii_case(name) || label.replace(' ', "_").eq_ignore_ascii_case(name) {
            return Ok(value.to_variant());
        }
        names.push(label.to_owned());
        next = value + 1;
    }
    Err(CommandError::new(
        ErrorCode::ValueOutOfRange,
        format!("'{name}' is not one of: {}", names.join(", ")),
    )
    .with_data("valid_values", names))
}

/// The Variant a JSON value naturally maps to (integers stay ints, objects become
/// dictionaries).
pub fn plain(value: &Value) -> Variant {
    match value {
        Value::Null => Variant::nil(),
        Value::Bool(flag) => flag.to_variant(),
        Value::Number(number) => match number.as_i64() {
            Some(int) => int.to_variant(),
            None => number.as_f64().unwrap_or_default().to_variant(),
        },
        Value::String(text) => GString::from(text.as_str()).to_variant(),
        Value::Array(items) => {
            let mut array = VarArray::new();
            for item in items {
                array.push(&plain(item));
            }
            array.to_variant()
        }
        Value::Object(map) => {
            let mut dictionary = VarDictionary::new();
            for (key, item) in map {
                dictionary.set(key.as_str(), &plain(item));
            }
            dictionary.to_variant()
        }
    }
}
