//! The plugin's error vocabulary: godot-ai's codes, a message that says what to do next, and
//! optional structured data.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::JsonObject;

/// The error codes godot-ai's editor plugin may send (protocol v1): 2.4.2's twelve, then the
/// codes 3.x added (the game runtime, test runs, custom tools). Serialized in `SCREAMING_SNAKE_CASE`, e.g. `NODE_NOT_FOUND`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    InvalidParams,
    EditedSceneMismatch,
    EditorNotReady,
    UnknownCommand,
    InternalError,
    DeferredTimeout,
    NodeNotFound,
    ResourceNotFound,
    PropertyNotOnClass,
    ValueOutOfRange,
    WrongType,
    MissingRequiredParam,
    /// `game_eval` code that does not compile.
    EvalCompileError,
    /// `game_eval` code that raised an error while running.
    EvalRuntimeError,
    /// `game_eval` with no game (or one that is not answering yet).
    EvalGameNotReady,
    /// `game_eval` code that did not return in time (an endless loop, a wait that never ends).
    EvalHung,
    /// `game_eval` whose result is too large to send back.
    EvalResultTooLarge,
    /// The running game did not answer a request in time.
    GameHelperTimeout,
    /// `test_run` ran out of its time budget; the results so far are kept.
    TestRunTimeout,
    /// A custom tool that is switched off.
    CustomToolDisabled,
    /// A custom tool that cannot be undone, asked for in an undoable batch.
    CustomToolNotUndoable,
}

impl ErrorCode {
    /// Every code, in the order the protocol lists them.
    pub const ALL: [ErrorCode; 21] = [
        ErrorCode::InvalidParams,
        ErrorCode::EditedSceneMismatch,
        ErrorCode::EditorNotReady,
        ErrorCode::UnknownCommand,
        ErrorCode::InternalError,
        ErrorCode::DeferredTimeout,
        ErrorCode::NodeNotFound,
        ErrorCode::ResourceNotFound,
        ErrorCode::PropertyNotOnClass,
        ErrorCode::ValueOutOfRange,
        ErrorCode::WrongType,
        ErrorCode::MissingRequiredParam,
        ErrorCode::EvalCompileError,
        ErrorCode::EvalRuntimeError,
        ErrorCode::EvalGameNotReady,
        ErrorCode::EvalHung,
        ErrorCode::EvalResultTooLarge,
        ErrorCode::GameHelperTimeout,
        ErrorCode::TestRunTimeout,
        ErrorCode::CustomToolDisabled,
        ErrorCode::CustomToolNotUndoable,
    ];

    /// The wire spelling, e.g. `"NODE_NOT_FOUND"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidParams => "INVALID_PARAMS",
            ErrorCode::EditedSceneMismatch => "EDITED_SCENE_MISMATCH",
            ErrorCode::EditorNotReady => "EDITOR_NOT_READY",
            ErrorCode::UnknownCommand => "UNKNOWN_COMMAND",
            ErrorCode::InternalError => "INTERNAL_ERROR",
            ErrorCode::DeferredTimeout => "DEFERRED_TIMEOUT",
            ErrorCode::NodeNotFound => "NODE_NOT_FOUND",
            ErrorCode::ResourceNotFound => "RESOURCE_NOT_FOUND",
            ErrorCode::PropertyNotOnClass => "PROPERTY_NOT_ON_CLASS",
            ErrorCode::ValueOutOfRange => "VALUE_OUT_OF_RANGE",
            ErrorCode::WrongType => "WRONG_TYPE",
            ErrorCode::MissingRequiredParam => "MISSING_REQUIRED_PARAM",
            ErrorCode::EvalCompileError => "EVAL_COMPILE_ERROR",
            ErrorCode::EvalRuntimeError => "EVAL_RUNTIME_ERROR",
            ErrorCode::EvalGameNotReady => "EVAL_GAME_NOT_READY",
            ErrorCode::EvalHung => "EVAL_HUNG",
            ErrorCode::EvalResultTooLarge => "EVAL_RESULT_TOO_LARGE",
            ErrorCode::GameHelperTimeout => "GAME_HELPER_TIMEOUT",
            ErrorCode::TestRunTimeout => "TEST_RUN_TIMEOUT",
            ErrorCode::CustomToolDisabled => "CUSTOM_TOOL_DISABLED",
            ErrorCode::CustomToolNotUndoable => "CUSTOM_TOOL_NOT_UNDOABLE",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error reply: `{"code", "message", "data"?}` on the wire.
///
/// Invariant: `message` is written for the agent that will read it, and says what to do next
/// where there is something to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<JsonObject>,
}

impl CommandError {
    /// An error without structured data.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Adds one key to the error's structured data.
    pub fn with_data(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.data
            .get_or_insert_with(JsonObject::new)
            .insert(key.to_owned(), value.into());
        self
    }

    /// `MISSING_REQUIRED_PARAM` for a named parameter.
    pub fn missing_param(name: &str) -> Self {
        Self::new(
            ErrorCode::MissingRequiredParam,
            format!("Missing required param '{name}'"),
        )
        .with_data("param", name)
    }

    /// `INTERNAL_ERROR` with the given explanation.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InternalError, message)
    }

    /// The one-line text godot-ai's server shows to MCP clients:
    /// `CODE: message` plus ` [k=v, ...]` when there is data.
    pub fn to_tool_text(&self) -> String {
        let mut text = format!("{}: {}", self.code, self.message);
        if let Some(data) = self.data.as_ref().filter(|data| !data.is_empty()) {
            let pairs: Vec<String> = data
                .iter()
                .map(|(key, value)| match value {
                    Value::String(text) => format!("{key}={text}"),
                    other => format!("{key}={other}"),
                })
                .collect();
            text.push_str(&format!(" [{}]", pairs.join(", ")));
        }
        text
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for CommandError {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_code_serializes_to_its_wire_spelling() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), json!(code.as_str()));
        }
    }

    #[test]
    fn error_serializes_without_data_when_there_is_none() {
        let error = CommandError::new(ErrorCode::NodeNotFound, "Node not found: /Main/X");
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({"code": "NODE_NOT_FOUND", "message": "Node not found: /Main/X"})
        );
    }

    #[test]
    fn tool_text_starts_with_the_code_and_lists_data() {
        let error = CommandError::missing_param("path").with_data("hint", 3);
        assert_eq!(
            error.to_tool_text(),
            "MISSING_REQUIRED_PARAM: Missing required param 'path' [param=path, hint=3]"
        );
    }
}
