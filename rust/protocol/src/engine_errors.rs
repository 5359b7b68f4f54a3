//! The engine's errors and warnings logged while a command ran, attached to its reply: a call
//! that changed a property whose `@tool` setter failed must not just say "ok".
//!
//! Invariants:
//! - A reply gains `engine_errors` (a list of `{level, message, file, line, function}`) and
//!   `engine_errors_summary` (one line, so a client that shows only text sees it) only when the
//!   engine logged something while the command ran; otherwise it is unchanged.
//! - The list is bounded ([`MAX_KEPT`] entries of at most [`MAX_MESSAGE_CHARS`] characters);
//!   `engine_errors_dropped` counts what was left out.
//! - An error reply keeps its code and message; the list goes into its data.

use serde::Serialize;
use serde_json::{Value, json};

use crate::{CommandResult, JsonObject};

/// Entries kept per reply.
pub const MAX_KEPT: usize = 20;

/// Longest message kept, in characters.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// One error or warning the engine logged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EngineError {
    /// `error` or `warning`.
    pub level: &'static str,
    pub message: String,
    /// The script (or engine source file) that raised it; empty when unknown.
    pub file: String,
    /// Its line; 0 when unknown.
    pub line: i64,
    pub function: String,
}

/// `result` with `errors` attached (see the module invariants).
pub fn attach(result: CommandResult, errors: Vec<EngineError>) -> CommandResult {
    if errors.is_empty() {
        return result;
    }
    let extra = describe(errors);
    match result {
        Ok(mut data) => {
            data.extend(extra);
            Ok(data)
        }
        Err(mut error) => {
            error.data.get_or_insert_with(JsonObject::new).extend(extra);
            Err(error)
        }
    }
}

fn describe(errors: Vec<EngineError>) -> JsonObject {
    let total = errors.len();
    let error_count = errors.iter().filter(|e| e.level == "error").count();
    let first = &errors[0];
    let place = match (first.file.as_str(), first.line) {
        ("", _) => String::new(),
        (file, line) if line > 0 => format!(" ({file}:{line})"),
        (file, _) => format!(" ({file})"),
    };
    let summary = format!(
        "The engine logged {error_count} error(s) and {} warning(s) during this call; first: \
         {}{place}",
        total - error_count,
        cut(first.message.trim())
    );
    let kept: Vec<Value> = errors
        .into_iter()
        .take(MAX_KEPT)
        .map(|mut error| {
            error.message = cut(&error.message);
            json!(error)
        })
        .collect();
    let mut extra = JsonObject::new();
    extra.insert("engine_errors".into(), Value::Array(kept));
    extra.insert("engine_errors_summary".into(), summary.into());
    if total > MAX_KEPT {
        extra.insert("engine_errors_dropped".into(), (total - MAX_KEPT).into());
    }
    extra
}

fn cut(message: &str) -> String {
    crate::text::cut(message, MAX_MESSAGE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CommandError, ErrorCode};

    fn error(message: &str, level: &'static str) -> EngineError {
        EngineError {
            level,
            message: message.into(),
            file: "res://tool.gd".into(),
            line: 7,
            function: "set_size".into(),
        }
    }

    #[test]
    fn a_call_that_caused_nothing_is_unchanged() {
        let data: JsonObject = serde_json::from_value(json!({"ok": true})).unwrap();
        assert_eq!(attach(Ok(data.clone()), vec![]), Ok(data));
    }

    #[test]
    fn an_ok_reply_gains_the_list_and_a_summary() {
        let data: JsonObject = serde_json::from_value(json!({"value": 3})).unwrap();
        let reply = attach(
            Ok(data),
            vec![
                error("size must be positive", "error"),
                error("slow", "warning"),
            ],
        )
        .unwrap();
        assert_eq!(reply["value"], 3);
        assert_eq!(
            reply["engine_errors"][0]["message"],
            "size must be positive"
        );
        assert_eq!(reply["engine_errors"][0]["line"], 7);
        assert_eq!(
            reply["engine_errors_summary"],
            "The engine logged 1 error(s) and 1 warning(s) during this call; first: size must \
             be positive (res://tool.gd:7)"
        );
        assert!(!reply.contains_key("engine_errors_dropped"));
    }

    #[test]
    fn an_error_reply_keeps_its_code_and_gains_the_list() {
        let failed = Err(CommandError::new(ErrorCode::InvalidParams, "bad"));
        let error = attach(failed, vec![error("boom", "error")]).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidParams);
        assert_eq!(error.message, "bad");
        assert_eq!(error.data.unwrap()["engine_errors"][0]["message"], "boom");
    }

    #[test]
    fn the_list_and_its_messages_are_bounded() {
        let many = (0..50).map(|_| error(&"m".repeat(5000), "error")).collect();
        let reply = attach(Ok(JsonObject::new()), many).unwrap();
        assert_eq!(reply["engine_errors"].as_array().unwrap().len(), MAX_KEPT);
        assert_eq!(reply["engine_errors_dropped"], 30);
        let message = reply["engine_errors"][0]["message"].as_str().unwrap();
        assert_eq!(message.chars().count(), MAX_MESSAGE_CHARS + 1);
    }
}
