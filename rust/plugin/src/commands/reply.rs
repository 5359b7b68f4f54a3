//! Building command replies.

use godot_ai_protocol::JsonObject;

/// Unwraps a `json!({...})` literal.
pub fn into_object(value: serde_json::Value) -> JsonObject {
    match value {
        serde_json::Value::Object(map) => map,
        other => unreachable!("expected a JSON object literal, got {other}"),
    }
}
