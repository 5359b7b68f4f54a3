//! Helpers shared by the endpoint tests that open sessions through `oneshot` (no sockets).

#![allow(dead_code)] // each test file uses its own subset

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use godot_ai_executor::JobQueue;
use godot_ai_protocol::{CommandResult, JsonObject};
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

pub const ACCEPT: &str = "application/json, text/event-stream";
pub const PROTOCOL: &str = "2025-06-18";

/// A scratch session-file path unique to this test process and `name`.
pub fn scratch_session_file(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("godot-ai-native-mcp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("mcp_sessions.json")
}

/// A main thread answering every command with `answer`, until `stop` is cancelled.
pub fn spawn_editor(
    mut queue: JobQueue,
    stop: CancellationToken,
    answer: impl Fn(&godot_ai_protocol::Command) -> CommandResult + Send + 'static,
) {
    std::thread::spawn(move || {
        while !stop.is_cancelled() {
            match queue.try_next() {
                Some(job) => {
                    job.run(&answer);
                }
                None => std::thread::sleep(Duration::from_millis(1)),
            }
        }
    });
}

/// A main thread that takes each command and answers it only when the test sends the
/// answer: `started` reports each command's name as it is taken. Like the plugin's, it skips
/// a command whose caller has gone before it starts, reported as `skipped <name>`.
pub fn spawn_held_editor(
    mut queue: JobQueue,
    stop: CancellationToken,
) -> (
    tokio::sync::mpsc::UnboundedReceiver<String>,
    mpsc::Sender<CommandResult>,
) {
    let (started_tx, started) = tokio::sync::mpsc::unbounded_channel();
    let (release, release_rx) = mpsc::channel::<CommandResult>();
    std::thread::spawn(move || {
        while !stop.is_cancelled() {
            match queue.try_next() {
                Some(job) if job.is_abandoned() => {
                    let _ = started_tx.send(format!("skipped {}", job.command().name));
                }
                Some(job) => {
                    // Claimed as it starts, as the plugin's main thread does: from here on its
                    // caller can no longer withdraw it.
                    let (command, answer) = job.into_parts();
                    if !answer.start() {
                        let _ = started_tx.send(format!("skipped {}", command.name));
                        continue;
                    }
                    let _ = started_tx.send(command.name);
                    let Ok(result) = release_rx.recv() else {
                        return;
                    };
                    answer.send(result);
                }
                None => std::thread::sleep(Duration::from_millis(1)),
            }
        }
    });
    (started, release)
}

pub fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

pub fn post(session: Option<&str>) -> http::request::Builder {
    let mut builder = Request::post("/mcp")
        .header(header::HOST, "127.0.0.1:9600")
        .header(header::ACCEPT, ACCEPT)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(session) = session {
        builder = builder
            .header("mcp-session-id", session)
            .header("mcp-protocol-version", PROTOCOL);
    }
    builder
}

/// `GET /mcp` resuming `session`'s stream after `last_event_id`.
pub fn resume(session: &str, last_event_id: &str) -> Request<Body> {
    Request::get("/mcp")
        .header(header::HOST, "127.0.0.1:9600")
        .header(header::ACCEPT, "text/event-stream")
        .header("mcp-session-id", session)
        .header("mcp-protocol-version", PROTOCOL)
        .header("last-event-id", last_event_id)
        .body(Body::empty())
        .unwrap()
}

pub fn tool_call(id: i64, tool: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": tool, "arguments": arguments}})
}

/// The JSON-RPC messages of a whole response body (SSE `data:` lines or a plain JSON body).
pub async fn messages(response: http::Response<Body>) -> Vec<Value> {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    messages_in(std::str::from_utf8(&bytes).unwrap())
}

pub fn messages_in(text: &str) -> Vec<Value> {
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return vec![value];
    }
    text.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str(data.trim()).ok())
        .collect()
}

/// Opens a session (initialize + initialized) and returns its id.
pub async fn open_session(router: &Router) -> String {
    open_session_with(router, json!({})).await
}

/// Opens a session whose client declares `capabilities`, and returns its id.
pub async fn open_session_with(router: &Router, capabilities: Value) -> String {
    let initialize = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": PROTOCOL, "capabilities": capabilities,
                   "clientInfo": {"name": "test", "version": "1"}}
    });
    let request = post(None).body(Body::from(initialize.to_string())).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let session = response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    messages(response).await;
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let request = post(Some(&session))
        .body(Body::from(initialized.to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    assert!(response.status().is_success(), "{:?}", response.status());
    session
}

/// Sends `body` on `session` and returns the response (status unchecked).
pub async fn send(router: &Router, session: &str, body: Value) -> http::Response<Body> {
    let request = post(Some(session))
        .body(Body::from(body.to_string()))
        .unwrap();
    router.clone().oneshot(request).await.unwrap()
}

/// `tools/list` on `session`: its status, and its JSON-RPC reply when there is one.
pub async fn list_tools(router: &Router, session: &str) -> (StatusCode, Vec<Value>) {
    let response = send(
        router,
        session,
        json!({"jsonrpc": "2.0", "id": 9, "method": "tools/list"}),
    )
    .await;
    let status = response.status();
    (status, messages(response).await)
}

/// Reads `body` up to its first complete SSE event and returns that event's `id:` field.
pub async fn first_event_id(body: &mut Body) -> String {
    let mut text = String::new();
    while !text.contains("\n\n") {
        let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .expect("the first event arrives")
            .expect("the stream is open")
            .unwrap();
        if let Ok(data) = frame.into_data() {
            text.push_str(std::str::from_utf8(&data).unwrap());
        }
    }
    text.lines()
        .find_map(|line| line.strip_prefix("id:"))
        .map(|id| id.trim().to_owned())
        .unwrap_or_else(|| panic!("no id in the first event: {text:?}"))
}

/// `GET /mcp` opening `session`'s stream of messages not tied to a request.
pub fn standalone_stream(session: &str) -> Request<Body> {
    Request::get("/mcp")
        .header(header::HOST, "127.0.0.1:9600")
        .header(header::ACCEPT, "text/event-stream")
        .header("mcp-session-id", session)
        .header("mcp-protocol-version", PROTOCOL)
        .body(Body::empty())
        .unwrap()
}

/// An SSE body read one JSON-RPC message at a time.
pub struct EventStream {
    body: Body,
    buffered: String,
}

impl EventStream {
    pub fn new(body: Body) -> Self {
        Self {
            body,
            buffered: String::new(),
        }
    }

    /// The next JSON-RPC message (events without one, like a priming event, are skipped);
    /// fails the test if none arrives within 10 s.
    pub async fn next(&mut self) -> Value {
        loop {
            if let Some(end) = self.buffered.find("\n\n") {
                let event: String = self.buffered.drain(..end + 2).collect();
                let message = event
                    .lines()
                    .filter_map(|line| line.strip_prefix("data:"))
                    .find_map(|data| serde_json::from_str::<Value>(data.trim()).ok());
                if let Some(message) = message {
                    return message;
                }
                continue;
            }
            let frame = tokio::time::timeout(Duration::from_secs(10), self.body.frame())
                .await
                .expect("a message arrives")
                .expect("the stream is open")
                .unwrap();
            if let Ok(data) = frame.into_data() {
                self.buffered.push_str(std::str::from_utf8(&data).unwrap());
            }
        }
    }
}
