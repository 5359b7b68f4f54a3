//! Reading command params with errors that name the param and the expected type.

use godot_ai_protocol::{CommandError, ErrorCode, JsonObject, json_type_name};
use serde_json::Value;

/// The `window: {offset, limit}` param this plugin's own endpoint sends to ask for one page of
/// a list (missing numbers are 0); `None` when the whole list is asked for.
pub fn window(params: &JsonObject) -> Option<(i64, i64)> {
    params
        .get("window")
        .and_then(Value::as_object)
        .map(|window| {
            let number = |key: &str| window.get(key).and_then(Value::as_i64).unwrap_or(0);
            (number("offset"), number("limit"))
        })
}

/// A required, non-empty string param.
pub fn required_string<'a>(params: &'a JsonObject, name: &str) -> Result<&'a str, CommandError> {
    match params.get(name) {
        None | Some(Value::Null) => Err(missing(name)),
        Some(Value::String(text)) if text.is_empty() => Err(missing(name)),
        Some(Value::String(text)) => Ok(text),
        Some(other) => Err(wrong_type(name, "a string", other)),
    }
}

/// Longest name (of a node, group, action, autoload, setting, signal or method) a command
/// gives the editor to store. Godot itself sets no limit, but a name of thousands of
/// characters is always a mistake, and it would sit in every scene file, list and reply.
pub const MAX_NAME_CHARS: usize = 255;

/// A required, non-empty name param of at most [`MAX_NAME_CHARS`] characters.
pub fn required_name<'a>(params: &'a JsonObject, name: &str) -> Result<&'a str, CommandError> {
    required_string(params, name).and_then(|text| within_name_limit(name, text))
}

/// An optional name param (missing or null is `""`) of at most [`MAX_NAME_CHARS`] characters.
pub fn optional_name<'a>(params: &'a JsonObject, name: &str) -> Result<&'a str, CommandError> {
    optional_string(params, name).and_then(|text| within_name_limit(name, text))
}

/// `VALUE_OUT_OF_RANGE` for a name longer than [`MAX_NAME_CHARS`].
pub fn within_name_limit<'a>(param: &str, text: &'a str) -> Result<&'a str, CommandError> {
    let length = text.chars().count();
    if length > MAX_NAME_CHARS {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "Param '{param}' is {length} characters long; names are limited to \
                 {MAX_NAME_CHARS} characters. Use a shorter name."
            ),
        )
        .with_data("length", length)
        .with_data("max_length", MAX_NAME_CHARS));
    }
    Ok(text)
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

/// An optional number param (`None` when absent or null).
pub fn optional_number(params: &JsonObject, name: &str) -> Result<Option<f64>, CommandError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_f64()
            .filter(|number| number.is_finite())
            .map(Some)
            .ok_or_else(|| wrong_type(name, "a number", value)),
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
