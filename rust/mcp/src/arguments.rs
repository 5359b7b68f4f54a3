//! Tool arguments checked against a tool's declared [`ArgSpec`](crate::catalog::ArgSpec)s.
//!
//! After [`Arguments::validate`] every declared argument is present (given or defaulted) with
//! the declared JSON type, and no undeclared argument remains, so readers never fail.

use godot_ai_protocol::suggest::closest;
use godot_ai_protocol::{CommandError, ErrorCode, JsonObject, json_type_name};
use serde_json::{Value, json};

use crate::catalog::{ToolSpec, unknown_argument};

/// The JSON type an argument must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    String,
    Integer,
    Boolean,
    /// A string from a fixed list (a `*_manage` tool's `op`).
    OneOf(&'static [&'static str]),
    /// The one allowed string (the `op` of a `*_manage` tool with a single op).
    Const(&'static str),
    /// Any JSON number.
    Number,
    /// A JSON number, or null for "not given".
    NumberOrNull,
    /// A JSON integer, or null for "not given" (`logs_read`'s `since_cursor`).
    IntegerOrNull,
    /// An array of strings, or null for "not given" (`node_get_properties`' `fields`).
    StringListOrNull,
    /// An array of JSON objects (`batch_execute`'s commands).
    ObjectList,
    /// Any JSON array (an op param whose items are checked by the op, e.g. input_sequence's
    /// `steps`).
    List,
    /// A JSON object, or null for none (a `*_manage` tool's `params`).
    ObjectOrNull,
    /// Any JSON value, null included (a property value).
    Any,
}

impl ArgKind {
    /// The JSON Schema of a value of this kind.
    pub fn schema(self) -> Value {
        match self {
            ArgKind::OneOf(choices) => json!({"type": "string", "enum": choices}),
            ArgKind::Const(only) => json!({"type": "string", "const": only}),
            ArgKind::NumberOrNull => json!({"anyOf": [{"type": "number"}, {"type": "null"}]}),
            ArgKind::IntegerOrNull => json!({"anyOf": [{"type": "integer"}, {"type": "null"}]}),
            ArgKind::StringListOrNull => json!({
                "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]
            }),
            ArgKind::ObjectList => json!({
                "type": "array", "items": {"type": "object", "additionalProperties": true}
            }),
            ArgKind::List => json!({"type": "array", "items": {}}),
            ArgKind::ObjectOrNull => json!({
                "anyOf": [{"type": "object", "additionalProperties": true}, {"type": "null"}]
            }),
            ArgKind::Any => json!({
                "anyOf": [
                    {"type": "string"}, {"type": "integer"}, {"type": "number"},
                    {"type": "boolean"}, {"type": "object", "additionalProperties": true},
                    {"type": "array", "items": {}}, {"type": "null"}
                ]
            }),
            other => json!({"type": other.expected()}),
        }
    }

    /// What a value of this kind is, for error messages.
    pub(crate) fn expected(self) -> &'static str {
        match self {
            ArgKind::String | ArgKind::OneOf(_) | ArgKind::Const(_) => "string",
            ArgKind::Integer | ArgKind::IntegerOrNull => "integer",
            ArgKind::Number | ArgKind::NumberOrNull => "number",
            ArgKind::ObjectList => "array of objects",
            ArgKind::StringListOrNull => "array of strings",
            ArgKind::List => "array",
            ArgKind::Boolean => "boolean",
            ArgKind::ObjectOrNull => "object",
            ArgKind::Any => "value",
        }
    }

    /// What a value of this kind is, with its article: "an integer", "a string".
    pub(crate) fn with_article(self) -> String {
        let expected = self.expected();
        let article = if expected.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {expected}")
    }

    /// Whether `value` has this kind (null only for the kinds that allow it).
    pub(crate) fn accepts(self, value: &Value) -> bool {
        match self {
            ArgKind::String => value.is_string(),
            ArgKind::OneOf(choices) => value.as_str().is_some_and(|text| choices.contains(&text)),
            ArgKind::Const(only) => value.as_str() == Some(only),
            ArgKind::Integer => is_integer(value),
            ArgKind::IntegerOrNull => value.is_null() || is_integer(value),
            ArgKind::StringListOrNull => {
                value.is_null()
                    || value
                        .as_array()
                        .is_some_and(|items| items.iter().all(Value::is_string))
            }
            ArgKind::Number => value.is_number(),
            ArgKind::NumberOrNull => value.is_number() || value.is_null(),
            ArgKind::ObjectList => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_object)),
            ArgKind::List => value.is_array(),
            ArgKind::Boolean => value.is_boolean(),
            ArgKind::ObjectOrNull => value.is_object() || value.is_null(),
            ArgKind::Any => true,
        }
    }
}

/// Validated arguments of one tool call.
#[derive(Debug, Clone)]
pub struct Arguments {
    values: JsonObject,
}

/// Picking a command's params out of validated values (a tool's arguments, an op's params),
/// with godot-ai's rules for what is sent only when set.
pub trait PickParams {
    /// The named values as a params object, in the order given.
    fn pick(&self, names: &[&str]) -> JsonObject;

    /// Like [`PickParams::pick`], leaving out empty strings (params godot-ai only sends when
    /// set).
    fn pick_non_empty(&self, names: &[&str]) -> JsonObject {
        let mut picked = self.pick(names);
        picked.retain(|_, value| value.as_str() != Some(""));
        picked
    }

    /// Like [`PickParams::pick`], leaving out nulls (optional values godot-ai only sends when
    /// given).
    fn pick_non_null(&self, names: &[&str]) -> JsonObject {
        let mut picked = self.pick(names);
        picked.retain(|_, value| !value.is_null());
        picked
    }

    /// Like [`PickParams::pick`], keeping only the flags that are `true` (flags godot-ai sends
    /// only when set).
    fn pick_true(&self, names: &[&str]) -> JsonObject {
        let mut picked = self.pick(names);
        picked.retain(|_, value| *value == Value::Bool(true));
        picked
    }
}

impl PickParams for Arguments {
    /// The named arguments that were given or have a default.
    fn pick(&self, names: &[&str]) -> JsonObject {
        names
            .iter()
            .filter_map(|name| Some(((*name).to_owned(), self.values.get(*name)?.clone())))
            .collect()
    }
}

impl Arguments {
    /// Checks `given` against `tool`'s declared arguments and fills in defaults.
    pub fn validate(tool: &ToolSpec, mut given: JsonObject) -> Result<Self, CommandError> {
        // Every tool takes `session_id`; only `session_activate` uses it (this endpoint
        // serves one editor), so elsewhere it is accepted and dropped.
        if !tool.arguments.iter().any(|arg| arg.name == "session_id") {
            given.remove("session_id");
        }
        if let Some(unknown) = given
            .keys()
            .find(|key| !tool.arguments.iter().any(|arg| arg.name == key.as_str()))
        {
            return Err(unknown_argument(tool, unknown));
        }
        let mut values = JsonObject::new();
        for arg in tool.arguments {
            let value = match (given.remove(arg.name), arg.default) {
                (None, Some(default)) => default(),
                (Some(Value::Null), Some(default))
                    if !matches!(
                        arg.kind,
                        ArgKind::ObjectOrNull
                            | ArgKind::Any
                            | ArgKind::NumberOrNull
                            | ArgKind::IntegerOrNull
                            | ArgKind::StringListOrNull
                    ) =>
                {
                    default()
                }
                (Some(Value::Null), None) if arg.kind == ArgKind::Any => Value::Null,
                (Some(Value::Null) | None, None) => {
                    return Err(CommandError::missing_param(arg.name)
                        .with_data("tool", tool.name.to_owned()));
                }
                (Some(value), _) => value,
            };
            // Some clients send a nested object as JSON text; godot-ai decodes it, so do we.
            let value = decode_json_text(arg.kind, value);
            match (arg.kind, value.as_str()) {
                (ArgKind::OneOf(choices), Some(text)) if !choices.contains(&text) => {
                    return Err(unknown_choice(tool, arg.name, text, choices));
                }
                (ArgKind::Const(only), Some(text)) if text != only => {
                    return Err(unknown_choice(tool, arg.name, text, &[only]));
                }
                _ => {}
            }
            if !arg.kind.accepts(&value) {
                return Err(CommandError::new(
                    ErrorCode::InvalidParams,
                    format!(
                        "Argument '{}' of {} must be {}, got {}",
                        arg.name,
                        tool.name,
                        arg.kind.with_article(),
                        json_type_name(&value)
                    ),
                ));
            }
            values.insert(arg.name.to_owned(), normalize(arg.kind, value));
        }
        Ok(Self { values })
    }

    /// A declared string argument (or `OneOf` choice).
    ///
    /// # Panics
    /// If `name` is not a declared string argument of the tool: a catalog bug, caught by tests.
    pub fn string(&self, name: &str) -> &str {
        self.values
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("'{name}' is not a declared string argument"))
    }

    /// A declared object-or-null argument, as an object (empty for null).
    pub fn object(&self, name: &str) -> JsonObject {
        match self.values.get(name) {
            Some(Value::Object(map)) => map.clone(),
            _ => JsonObject::new(),
        }
    }

    /// A declared integer argument.
    ///
    /// # Panics
    /// If `name` is not a declared integer argument of the tool: a catalog bug, caught by tests.
    pub fn integer(&self, name: &str) -> i64 {
        self.values
            .get(name)
            .and_then(Value::as_i64)
            .unwrap_or_else(|| panic!("'{name}' is not a declared integer argument"))
    }
}

/// `INVALID_PARAMS` for an `op` (or other choice) that is not in the list, with the closest.
fn unknown_choice(tool: &ToolSpec, name: &str, given: &str, choices: &[&str]) -> CommandError {
    let hint = match closest(given, choices.iter().copied(), 1).first() {
        Some(best) => format!(" Did you mean '{best}'?"),
        None => String::new(),
    };
    CommandError::new(
        ErrorCode::InvalidParams,
        format!(
            "Unknown {name} '{given}' for {}.{hint} Valid: {}.",
            tool.name,
            choices.join(", ")
        ),
    )
}

/// `value` decoded when it is JSON text of the object or array `kind` wants (some clients send
/// nested values that way; godot-ai decodes them); otherwise `value` unchanged.
pub(crate) fn decode_json_text(kind: ArgKind, value: Value) -> Value {
    let Value::String(text) = value else {
        return value;
    };
    let wants_object = kind == ArgKind::ObjectOrNull;
    let wants_array = matches!(kind, ArgKind::List | ArgKind::StringListOrNull);
    match serde_json::from_str::<Value>(&text) {
        Ok(decoded @ Value::Object(_)) if wants_object => decoded,
        Ok(decoded @ Value::Array(_)) if wants_array => decoded,
        _ => Value::String(text),
    }
}

/// Whether `value` is a whole number (`3` or `3.0`).
pub(crate) fn is_integer(value: &Value) -> bool {
    value.is_i64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
}

/// Integers given as `3.0` become `3`.
pub(crate) fn normalize(kind: ArgKind, value: Value) -> Value {
    match (kind, value.as_f64()) {
        (ArgKind::Integer | ArgKind::IntegerOrNull, Some(float)) if !value.is_i64() => {
            Value::from(float as i64)
        }
        _ => value,
    }
}
