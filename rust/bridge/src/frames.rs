//! Protocol v1 frames: what the plugin sends to a godot-ai server and what it reads back.
//!
//! Every frame is one JSON object in one text message. godot-ai 2.4.2 drops the whole session
//! on a frame it cannot parse, so everything sent here is built with serde from whole values:
//! never partial, never hand-concatenated.

use godot_ai_protocol::reply_size::fit_reply;
use godot_ai_protocol::{Command, CommandError, CommandResult, ErrorCode, JsonObject};
use serde::Serialize;
use serde_json::{Value, json};

use crate::snapshot::EditorSnapshot;

/// The protocol version this plugin speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest amount of unsent data the plugin queues, like godot-ai's plugin (and the server's
/// inbound frame limit).
pub const MAX_OUTBOUND_BYTES: usize = 4 * 1024 * 1024;

/// What the plugin tells the server about itself; the first frame on every connection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handshake {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub session_id: String,
    pub godot_version: String,
    /// Absolute, with a trailing slash.
    pub project_path: String,
    pub plugin_version: String,
    pub protocol_version: u32,
    pub readiness: String,
    pub editor_pid: u32,
    pub server_launch_mode: &'static str,
}

/// Facts about the editor that do not change while the plugin runs.
#[derive(Debug, Clone, PartialEq)]
pub struct EditorIdentity {
    pub godot_version: String,
    pub project_path: String,
    pub plugin_version: String,
    pub editor_pid: u32,
}

impl Handshake {
    /// The handshake for `identity` under `session_id`, with the editor's current readiness.
    pub fn new(session_id: &str, identity: &EditorIdentity, snapshot: &EditorSnapshot) -> Self {
        let mut project_path = identity.project_path.clone();
        if !project_path.ends_with('/') {
            project_path.push('/');
        }
        Self {
            kind: "handshake",
            session_id: session_id.to_owned(),
            godot_version: identity.godot_version.clone(),
            project_path,
            plugin_version: identity.plugin_version.clone(),
            protocol_version: PROTOCOL_VERSION,
            readiness: snapshot.readiness.clone(),
            editor_pid: identity.editor_pid,
            server_launch_mode: "unknown",
        }
    }

    /// The frame text.
    pub fn to_frame(&self) -> String {
        serde_json::to_string(self).expect("a handshake always serializes")
    }
}

/// One frame from the server, understood.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// `{"type": "handshake_ack", "server_version": ...}`.
    HandshakeAck { server_version: Option<String> },
    /// A command to run and answer.
    Command {
        request_id: String,
        command: Command,
    },
    /// A command frame with a usable `request_id` but unusable content: answer with this error.
    InvalidCommand {
        request_id: String,
        error: CommandError,
    },
    /// Valid JSON the plugin has no use for (not an object, an unknown type, no request id).
    Ignored,
    /// Not JSON at all: logged and ignored.
    Malformed(String),
}

/// Reads one text frame from the server.
pub fn parse_inbound(text: &str) -> Inbound {
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => return Inbound::Malformed(error.to_string()),
    };
    let Value::Object(mut frame) = value else {
        return Inbound::Ignored;
    };
    if frame.get("type").and_then(Value::as_str) == Some("handshake_ack") {
        let server_version = frame
            .get("server_version")
            .and_then(Value::as_str)
            .map(str::to_owned);
        return Inbound::HandshakeAck { server_version };
    }
    let Some(request_id) = frame.get("request_id").and_then(Value::as_str) else {
        return Inbound::Ignored;
    };
    let request_id = request_id.to_owned();
    let Some(name) = frame
        .get("command")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return Inbound::InvalidCommand {
            request_id,
            error: CommandError::new(ErrorCode::InvalidParams, "Frame has no 'command' string"),
        };
    };
    let params = match frame.remove("params") {
        None | Some(Value::Null) => JsonObject::new(),
        Some(Value::Object(params)) => params,
        Some(_) => {
            return Inbound::InvalidCommand {
                request_id,
                error: CommandError::new(
                    ErrorCode::InvalidParams,
                    format!("'params' of '{name}' must be a JSON object"),
                ),
            };
        }
    };
    Inbound::Command {
        request_id,
        command: Command::new(name, params),
    }
}

/// The reply frame for `request_id`: `{request_id, status: "ok", data}` or
/// `{request_id, status: "error", error: {code, message, data?}}`.
pub fn reply_frame(request_id: &str, result: &CommandResult) -> String {
    let frame = match result {
        Ok(data) => json!({"request_id": request_id, "status": "ok", "data": data}),
        Err(error) => json!({"request_id": request_id, "status": "error", "error": error}),
    };
    frame.to_string()
}

/// The `ok` reply frame for `request_id` with `data` summarised
/// ([`godot_ai_protocol::reply_size`]) so the whole frame takes at most `room` bytes, or `None`
/// when no summary is that small.
pub fn fitted_reply_frame(request_id: &str, data: JsonObject, room: usize) -> Option<String> {
    // The frame is its envelope around the data object: `{"request_id":..,"data":{}}` less `{}`.
    let envelope = reply_frame(request_id, &Ok(JsonObject::new())).len() - 2;
    let fitted = fit_reply(data, room.checked_sub(envelope)?).ok()?;
    Some(reply_frame(request_id, &Ok(fitted)))
}

/// The error reply that replaces a reply too big to queue (godot-ai's wording and fields).
pub fn oversized_reply_frame(
    request_id: &str,
    buffered_bytes: usize,
    message_bytes: usize,
) -> String {
    json!({
        "request_id": request_id,
        "status": "error",
        "data": {},
        "error": {
            "code": "INTERNAL_ERROR",
            "message": "Outbound WebSocket buffer is full; dropped response before queueing more \
                        data. Retry with a smaller payload (e.g. fewer nodes, a smaller depth or \
                        a narrower query).",
            "data": {
                "buffered_bytes": buffered_bytes,
                "message_bytes": message_bytes,
                "limit_bytes": MAX_OUTBOUND_BYTES,
            },
        },
    })
    .to_string()
}

/// An event frame: `{"type": "event", "event": name, "data": data}`.
pub fn event_frame(event: &str, data: Value) -> String {
    json!({"type": "event", "event": event, "data": data}).to_string()
}

/// True when a server of this version speaks protocol v1 (godot-ai 2.x and 3.x).
pub fn server_speaks_v1(server_version: &str) -> bool {
    matches!(server_version.split('.').next(), Some("2" | "3"))
}

#[cfg(test)]
mod tests;
