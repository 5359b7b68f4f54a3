//! Tool arguments checked against a tool's declared [`ArgSpec`](crate::catalog::ArgSpec)s.
//!
//! After [`Arguments::validate`] every declared argument is present (given or defaulted) with
//! the declared JSON type, and no undeclared argument remains, so readers never fail.

use godot_ai_protocol::{CommandError, ErrorCode, JsonObject, json_type_name};
use serde_json::Value;

use crate::catalog::{ToolSpec, unknown_argument};

/// The JSON type an argument must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    String,
    Integer,
    Boolean,
    Object,
}

impl ArgKind {
    /// The JSON Schema `type` keyword.
    pub fn schema_type(self) -> &'static str {
        match self {
            ArgKind::String => "string",
            ArgKind::Integer => "integer",
            ArgKind::Boolean => "boolean",
            ArgKind::Object => "object",
        }
    }

    fn accepts(self, value: &Value) -> bool {
        match self {
            ArgKind::String => value.is_string(),
            ArgKind::Integer => value.is_i64() || value.as_f64().is_some_and(|f| f.fract() == 0.0),
            ArgKind::Boolean => value.is_boolean(),
            ArgKind::Object => value.is_object(),
        }
    }
}

/// Validated arguments of one tool call.
#[derive(Debug, Clone)]
pub struct Arguments {
    values: JsonObject,
}

impl Arguments {
    /// Checks `given` against `tool`'s declared arguments and fills in defaults.
    pub fn validate(tool: &ToolSpec, mut given: JsonObject) -> Result<Self, CommandError> {
        given.remove("session_id");
        if let Some(unknown) = given
            .keys()
            .find(|key| !tool.arguments.iter().any(|arg| arg.name == key.as_str()))
        {
            return Err(unknown_argument(tool, unknown));
        }
        let mut values = JsonObject::new();
        for arg in tool.arguments {
            let value = match (given.remove(arg.name), arg.default) {
                (Some(Value::Null) | None, Some(default)) => default(),
                (Some(Value::Null) | None, None) => {
                    return Err(CommandError::missing_param(arg.name)
                        .with_data("tool", tool.name.to_owned()));
                }
                (Some(value), _) => value,
            };
            if !arg.kind.accepts(&value) {
                return Err(CommandError::new(
                    ErrorCode::InvalidParams,
                    format!(
                        "Argument '{}' of {} must be a{} {}, got {}",
                        arg.name,
                        tool.name,
                        if arg.kind == ArgKind::Integer {
                            "n"
                        } else {
                            ""
                        },
                        arg.kind.schema_type(),
                        json_type_name(&value)
                    ),
                ));
            }
            values.insert(arg.name.to_owned(), normalize(arg.kind, value));
        }
        Ok(Self { values })
    }

    /// The named arguments as a params object, in the order given.
    pub fn pick(&self, names: &[&str]) -> JsonObject {
        names
            .iter()
            .filter_map(|name| Some(((*name).to_owned(), self.values.get(*name)?.clone())))
            .collect()
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

/// Integers given as `3.0` become `3`.
fn normalize(kind: ArgKind, value: Value) -> Value {
    match (kind, value.as_f64()) {
        (ArgKind::Integer, Some(float)) if !value.is_i64() => Value::from(float as i64),
        _ => value,
    }
}
