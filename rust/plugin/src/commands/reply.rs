//! Building command replies.

use godot_ai_protocol::JsonObject;

/// Unwraps a `json!({...})` literal.
pub fn into_object(value: serde_json::Value) -> JsonObject {
    match value {
        serde_json::Value::Object(map) => map,
        other => unreachable!("expected a JSON object literal, got {other}"),
    }
}

/// An object of `fields`, in order, moving each value in. Use it for replies that carry big
/// lists: `json!` serializes each value it is given by reference, which copies the whole list
/// (for a 50,000-node scene, a tenth of a second on the main thread).
pub fn object<const N: usize>(fields: [(&str, serde_json::Value); N]) -> JsonObject {
    fields
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}
