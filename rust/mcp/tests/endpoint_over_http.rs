//! The axum app end to end without sockets: requests go through `tower::ServiceExt::oneshot`,
//! tool calls reach a stand-in main thread through the real executor.

use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use godot_ai_executor::{JobQueue, channel};
use godot_ai_mcp::{AppConfig, app};
use godot_ai_protocol::{CommandError, ErrorCode, JsonObject};
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

const ACCEPT: &str = "application/json, text/event-stream";

/// A main thread that answers `get_editor_state` and fails everything else with NODE_NOT_FOUND.
fn spawn_fake_editor(mut queue: JobQueue, stop: CancellationToken) {
    std::thread::spawn(move || {
        while !stop.is_cancelled() {
            match queue.try_next() {
                Some(job) => {
                    job.run(|command| match command.name.as_str() {
                        "get_editor_state" => Ok(object(json!({"readiness": "ready"}))),
                        other => Err(CommandError::new(
                            ErrorCode::NodeNotFound,
                            format!("fake editor has no '{other}'"),
                        )),
                    });
                }
                None => std::thread::sleep(Duration::from_millis(1)),
            }
        }
    });
}

fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

struct TestApp {
    router: Router,
    stop: CancellationToken,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn test_app() -> TestApp {
    let (executor, queue) = channel(16);
    let stop = CancellationToken::new();
    spawn_fake_editor(queue, stop.clone());
    let router = app(
        executor,
        AppConfig {
            shutdown: stop.clone(),
            ..AppConfig::default()
        },
    );
    TestApp { router, stop }
}

fn post(session: Option<&str>) -> http::request::Builder {
    let mut builder = Request::post("/mcp")
        .header(header::HOST, "127.0.0.1:9600")
        .header(header::ACCEPT, ACCEPT)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(session) = session {
        builder = builder
            .header("mcp-session-id", session)
            .header("mcp-protocol-version", "2025-06-18");
    }
    builder
}

fn initialize() -> Value {
    json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "test", "version": "1"}}
    })
}

/// The JSON-RPC messages of a response body (SSE `data:` lines or a plain JSON body).
async fn messages(response: http::Response<Body>) -> Vec<Value> {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    if let Ok(value) = serde_json::from_str::<Value>(&text) {
        return vec![value];
    }
    text.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str(data.trim()).ok())
        .collect()
}

/// Initializes a session and returns its id.
async fn open_session(router: &Router) -> String {
    let request = post(None)
        .body(Body::from(initialize().to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let session = response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let replies = messages(response).await;
    assert_eq!(
        replies[0]["result"]["serverInfo"]["name"],
        "godot-ai-native"
    );

    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let request = post(Some(&session))
        .body(Body::from(initialized.to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    assert!(response.status().is_success(), "{:?}", response.status());
    session
}

async fn call(router: &Router, session: &str, body: Value) -> Value {
    let request = post(Some(session))
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    messages(response)
        .await
        .into_iter()
        .find(|message| message.get("id").is_some())
        .expect("a JSON-RPC response")
}

#[tokio::test]
async fn a_tool_call_runs_on_the_main_thread_and_returns_structured_content() {
    let test = test_app();
    let session = open_session(&test.router).await;
    let reply = call(
        &test.router,
        &session,
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
               "params": {"name": "editor_state", "arguments": {}}}),
    )
    .await;
    let result = &reply["result"];
    assert_eq!(result["isError"], json!(false));
    assert_eq!(result["structuredContent"], json!({"readiness": "ready"}));
    assert_eq!(
        result["content"][0]["text"],
        json!(r#"{"readiness":"ready"}"#)
    );
    let main_thread_ms = &result["_meta"]["godot-ai-native/main_thread_ms"];
    assert!(
        main_thread_ms.as_f64().is_some_and(|ms| ms >= 0.0),
        "the result says how long it held the main thread: {result}"
    );
}

#[tokio::test]
async fn a_command_error_is_a_tool_error_starting_with_its_code() {
    let test = test_app();
    let session = open_session(&test.router).await;
    let reply = call(
        &test.router,
        &session,
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
               "params": {"name": "node_get_properties", "arguments": {"path": "/X"}}}),
    )
    .await;
    let result = &reply["result"];
    assert_eq!(result["isError"], json!(true));
    assert_eq!(
        result["content"][0]["text"],
        json!("NODE_NOT_FOUND: fake editor has no 'get_node_properties'")
    );
    assert_eq!(
        result["structuredContent"]["error"]["code"],
        json!("NODE_NOT_FOUND")
    );
}

#[tokio::test]
async fn tools_list_offers_godot_ai_tool_names() {
    let test = test_app();
    let session = open_session(&test.router).await;
    let reply = call(
        &test.router,
        &session,
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/list"}),
    )
    .await;
    let names: Vec<&str> = reply["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| tool["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"scene_get_hierarchy"), "{names:?}");
}

#[tokio::test]
async fn a_stopped_editor_answers_with_an_error_instead_of_hanging() {
    let (executor, queue) = channel(4);
    drop(queue);
    let router = app(executor, AppConfig::default());
    let session = open_session(&router).await;
    let reply = tokio::time::timeout(
        Duration::from_secs(5),
        call(
            &router,
            &session,
            json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
                   "params": {"name": "editor_state", "arguments": {}}}),
        ),
    )
    .await
    .expect("no hang");
    let text = reply["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("INTERNAL_ERROR: The editor stopped"),
        "{text}"
    );
}

#[tokio::test]
async fn a_foreign_origin_gets_403_with_a_json_reason() {
    let test = test_app();
    let request = post(None)
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(initialize().to_string()))
        .unwrap();
    let response = test.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    let body = messages(response).await;
    assert!(
        body[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("https://evil.example")
    );
}

#[tokio::test]
async fn a_foreign_host_gets_403() {
    let test = test_app();
    let request = Request::post("/mcp")
        .header(header::HOST, "rebind.example:9600")
        .header(header::ACCEPT, ACCEPT)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(initialize().to_string()))
        .unwrap();
    let response = test.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

/// The JSON-RPC error object a refused POST answers with, and its HTTP status.
async fn refused(router: &Router, session: Option<&str>, body: &str) -> (StatusCode, Value) {
    let request = post(session).body(Body::from(body.to_owned())).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let replies = messages(response).await;
    assert_eq!(replies.len(), 1, "one JSON-RPC error object");
    (status, replies[0].clone())
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_json_rpc_parse_error() {
    let test = test_app();
    let session = open_session(&test.router).await;
    for session in [None, Some(session.as_str())] {
        let (status, error) = refused(&test.router, session, "{not json").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(error["jsonrpc"], "2.0");
        assert_eq!(error["id"], Value::Null);
        assert_eq!(error["error"]["code"], -32700, "{error}");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413_and_a_json_rpc_error() {
    let test = test_app();
    let session = open_session(&test.router).await;
    let huge = format!(
        r#"{{"jsonrpc": "2.0", "id": 9, "method": "ping", "params": {{"pad": "{}"}}}}"#,
        "x".repeat(godot_ai_mcp::MAX_REQUEST_BODY_BYTES)
    );
    let (status, error) = refused(&test.router, Some(&session), &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error["error"]["code"], -32600, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|message| message.contains("larger than")),
        "{error}"
    );
}

#[tokio::test]
async fn json_that_is_not_a_message_is_a_json_rpc_invalid_request() {
    let test = test_app();
    let session = open_session(&test.router).await;
    for body in [
        r#"{"foo": 1}"#,
        r#"{"jsonrpc": "2.0", "id": 4}"#,
        "[]",
        "42",
    ] {
        let (status, error) = refused(&test.router, Some(&session), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error["error"]["code"], -32600, "{body}: {error}");
    }
    // The session is still good afterwards.
    let reply = call(
        &test.router,
        &session,
        json!({"jsonrpc": "2.0", "id": 5, "method": "tools/list"}),
    )
    .await;
    assert!(reply["result"]["tools"].is_array(), "{reply}");
}

#[tokio::test]
async fn delete_ends_a_session_with_200_for_good() {
    let test = test_app();
    let session = open_session(&test.router).await;
    let delete = || {
        Request::delete("/mcp")
            .header(header::HOST, "127.0.0.1:9600")
            .header("mcp-session-id", &session)
            .header("mcp-protocol-version", "2025-06-18")
            .body(Body::empty())
            .unwrap()
    };
    let response = test.router.clone().oneshot(delete()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let still_gone = || async {
        let request = post(Some(&session))
            .body(Body::from(
                json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}).to_string(),
            ))
            .unwrap();
        let response = test.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "the session is gone: {}",
            String::from_utf8_lossy(&body)
        );
    };
    still_gone().await;
    // A second DELETE is idempotent: it succeeds and brings nothing back.
    let again = test.router.clone().oneshot(delete()).await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    still_gone().await;
}

#[tokio::test]
async fn calls_are_recorded_for_the_dock_with_the_client_named_in_initialize() {
    let (executor, queue) = channel(16);
    let stop = CancellationToken::new();
    spawn_fake_editor(queue, stop.clone());
    let activity = godot_ai_mcp::activity::Activity::new();
    let router = app(
        executor,
        AppConfig {
            shutdown: stop.clone(),
            activity: activity.clone(),
            ..AppConfig::default()
        },
    );
    let test = TestApp { router, stop };
    let session = open_session(&test.router).await;
    for (id, tool, arguments) in [
        (2, "editor_state", json!({})),
        (3, "node_get_properties", json!({"path": "/X"})),
    ] {
        call(
            &test.router,
            &session,
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                   "params": {"name": tool, "arguments": arguments}}),
        )
        .await;
    }
    let seen = activity.snapshot();
    assert_eq!(seen.sessions.len(), 1);
    assert_eq!(
        (
            seen.sessions[0].client.as_str(),
            seen.sessions[0].version.as_str()
        ),
        ("test", "1")
    );
    assert_eq!(
        (seen.sessions[0].key.as_str(), seen.sessions[0].calls),
        (session.as_str(), 2)
    );
    let calls: Vec<_> = seen
        .calls
        .iter()
        .map(|call| (call.tool.as_str(), call.error.as_deref()))
        .collect();
    assert_eq!(
        calls,
        [
            ("node_get_properties", Some("NODE_NOT_FOUND")),
            ("editor_state", None)
        ]
    );
    let delete = Request::delete("/mcp")
        .header(header::HOST, "127.0.0.1:9600")
        .header("mcp-session-id", &session)
        .body(Body::empty())
        .unwrap();
    let response = test.router.clone().oneshot(delete).await.unwrap();
    assert!(response.status().is_success(), "{:?}", response.status());
    assert!(
        activity.snapshot().sessions.is_empty(),
        "an ended session leaves the list"
    );
}

#[tokio::test]
async fn only_the_access_token_opens_the_endpoint_and_a_refusal_closes_its_connection() {
    let (executor, queue) = channel(16);
    let stop = CancellationToken::new();
    spawn_fake_editor(queue, stop.clone());
    let token = godot_ai_mcp::AccessToken::parse("0123456789abcdef0123456789abcdef").unwrap();
    let access = godot_ai_mcp::Access::requiring(token);
    let router = app(
        executor,
        AppConfig {
            shutdown: stop.clone(),
            access: access.clone(),
            ..AppConfig::default()
        },
    );
    let without = post(None)
        .body(Body::from(initialize().to_string()))
        .unwrap();
    let refused = router.clone().oneshot(without).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers()[header::WWW_AUTHENTICATE], "Bearer");
    assert_eq!(refused.headers()[header::CONNECTION], "close");
    assert!(refused.headers().get("mcp-session-id").is_none());
    let with = post(None)
        .header(
            header::AUTHORIZATION,
            "Bearer 0123456789abcdef0123456789abcdef",
        )
        .body(Body::from(initialize().to_string()))
        .unwrap();
    let served = router.clone().oneshot(with).await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    // Lifted by the user: anyone who reaches the endpoint is served.
    access.set(None);
    let open = post(None)
        .body(Body::from(initialize().to_string()))
        .unwrap();
    assert_eq!(
        router.clone().oneshot(open).await.unwrap().status(),
        StatusCode::OK
    );
    stop.cancel();
}
