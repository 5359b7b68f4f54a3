//! The language both front doors speak to the editor: godot-ai's plugin commands.
//!
//! A [`Command`] is a command name plus a JSON object of parameters, exactly as godot-ai's
//! server sends it in a protocol v1 frame (`{"request_id", "command", "params"}`). Running it
//! yields a [`CommandResult`]: a JSON object of data, or a [`CommandError`] carrying one of the
//! [`ErrorCode`]s the plugin may send.
//!
//! This crate has no Godot dependency, so everything here is unit-tested in milliseconds. Its
//! only I/O is where the plugin touches project files and must do so the same way on Linux,
//! macOS and Windows: [`res_path`] (which file an agent's `res://` path names) and
//! [`atomic_file`] (replacing a file's content all at once).

pub mod atomic_file;
pub mod custom_tools;
pub mod engine_errors;
mod error;
pub mod godot_ai_commands;
pub mod input_bounds;
pub mod reply_size;
pub mod res_path;
pub mod script_symbols;
pub mod setting_paths;
pub mod suggest;
pub mod text;

pub use error::{CommandError, ErrorCode};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A JSON object, the shape of every command's params and of every reply's `data`.
pub type JsonObject = Map<String, Value>;

/// The outcome of running one command: its `data` object, or the error to report.
pub type CommandResult = Result<JsonObject, CommandError>;

/// One editor command, as named by godot-ai's plugin protocol (e.g. `get_editor_state`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command {
    /// The plugin command name, e.g. `get_scene_tree`.
    #[serde(rename = "command")]
    pub name: String,
    /// The command's parameters; always an object, possibly empty.
    #[serde(default)]
    pub params: JsonObject,
}

impl Command {
    /// A command with the given name and params.
    pub fn new(name: impl Into<String>, params: JsonObject) -> Self {
        Self {
            name: name.into(),
            params,
        }
    }

    /// A command with no params.
    pub fn bare(name: impl Into<String>) -> Self {
        Self::new(name, JsonObject::new())
    }
}

/// Turns a JSON value that must be an object into one, or says what it was instead.
///
/// Used by front doors to validate params before anything reaches the editor.
pub fn expect_object(value: Value, what: &str) -> Result<JsonObject, CommandError> {
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(JsonObject::new()),
        other => Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "{what} must be a JSON object, got {}",
                json_type_name(&other)
            ),
        )),
    }
}

/// The JSON type name of a value, for error messages (`"string"`, `"array"`, ...).
pub fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn command_deserializes_from_a_protocol_frame_and_defaults_missing_params() {
        let frame = json!({"request_id": "ab", "command": "get_editor_state"});
        let command: Command = serde_json::from_value(frame).unwrap();
        assert_eq!(command, Command::bare("get_editor_state"));
    }

    #[test]
    fn expect_object_accepts_objects_and_null_and_names_other_types() {
        assert_eq!(
            expect_object(json!({"a": 1}), "params").unwrap()["a"],
            json!(1)
        );
        assert!(expect_object(Value::Null, "params").unwrap().is_empty());
        let error = expect_object(json!([1]), "params").unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidParams);
        assert_eq!(error.message, "params must be a JSON object, got array");
    }
}
