//! Reading command params with errors that name the param and the expected type.

use godot_ai_protocol::{CommandError, ErrorCode, JsonObject, json_type_name};
use serde_json::Value;

/// A required, non-empty string param.
pub fn required_string<'a>(params: &'a JsonObject, name: &str) -> Result<&'a str, CommandError> {
    match params.get(name) {
        None | Some(Value::Null) => Err(missing(name)),
        Some(Value::String(text)) if text.is_empty() => Err(missing(name)),
        Some(Value::String(text)) => Ok(text),
        Some(other) => Err(wrong_type(name, "a string", other)),
    }
}

/// An optional string param; missing or null is `""`.
pub fn optional_string<'a>(params: &'a JsonObject, name: &str) -> Result<&'a str, CommandError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(""),
        Some(Value::String(text)) => Ok(text),
        Some(other) => Err(wrong_type(name, "a string", other)),
    }
}

/// An optional integer param with a default.
pub fn integer_or(params: &JsonObject, name: &str, default: i64) -> Result<i64, CommandError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(value) => value
            .as_i64()
            .or_else(|| {
                value
                    .as_f64()
                    .filter(|f| f.fract() == 0.0)
                    .map(|f| f as i64)
            })
            .ok_or_else(|| wrong_type(name, "an integer", value)),
    }
}

/// An optional boolean param with a default; anything but a boolean is refused (so `"false"`
/// is never taken for true or ignored).
pub fn flag_or(params: &JsonObject, name: &str, default: bool) -> Result<bool, CommandError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(flag)) => Ok(*flag),
        Some(other) => Err(wrong_type(name, "true or false", other)),
    }
}

/// godot-ai's wording: `Missing required param: <name>`.
fn missing(name: &str) -> CommandError {
    CommandError::new(
        ErrorCode::MissingRequiredParam,
        format!("Missing required param: {name}"),
    )
}

fn wrong_type(name: &str, expected: &str, got: &Value) -> CommandError {
    CommandError::new(
        ErrorCode::InvalidParams,
        format!(
            "Param '{name}' must be {expected}, got {}",
            json_type_name(got)
        ),
    )
}
