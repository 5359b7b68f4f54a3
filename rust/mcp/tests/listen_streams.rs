//! The 2026-07-28 (stateless) protocol through the real router (`oneshot`, no sockets): a
//! `subscriptions/listen` stream that asked for `toolsListChanged` hears when an addon
//! registers a custom tool, and, in fixture mode, when the suite's trigger changes the list;
//! and SEP-2243 `Mcp-Param-*` headers are checked against the body of a call to a tool whose
//! schema names them.

mod common;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use common::*;
use godot_ai_executor::channel;
use godot_ai_mcp::{AppConfig, app};
use godot_ai_protocol::custom_tools::{CustomToolCatalog, CustomToolDefinition};
use http::{Request, StatusCode, header};
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

const STATELESS: &str = "2026-07-28";
const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";

struct Served {
    router: Router,
    custom_tools: watch::Sender<CustomToolCatalog>,
    stop: CancellationToken,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn served(conformance_fixtures: bool) -> Served {
    let (executor, queue) = channel(16);
    let stop = CancellationToken::new();
    spawn_editor(queue, stop.clone(), |command| {
        Ok(object(json!({"command": command.name})))
    });
    let (custom_tools, catalog) = watch::channel(CustomToolCatalog::default());
    let router = app(
        executor,
        AppConfig {
            shutdown: stop.clone(),
            custom_tools: catalog,
            conformance_fixtures,
            ..AppConfig::default()
        },
    );
    Served {
        router,
        custom_tools,
        stop,
    }
}

/// The per-request `_meta` a stateless client sends.
fn meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": STATELESS,
        "io.modelcontextprotocol/clientInfo": {"name": "test", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
    })
}

/// A stateless POST of `method` with `params` (plus `_meta`), its standard SEP-2243 headers
/// and `extra` headers.
fn stateless(id: i64, method: &str, mut params: Value, extra: &[(&str, &str)]) -> Request<Body> {
    params["_meta"] = meta();
    let mut builder = Request::post("/mcp")
        .header(header::HOST, "127.0.0.1:9600")
        .header(header::ACCEPT, ACCEPT)
        .header(header::CONTENT_TYPE, "application/json")
        .header("mcp-protocol-version", STATELESS)
        .header("mcp-method", method);
    if let Some(name) = params["name"].as_str() {
        builder = builder.header("mcp-name", name);
    }
    for (name, value) in extra {
        builder = builder.header(*name, *value);
    }
    let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    builder.body(Body::from(body.to_string())).unwrap()
}

/// Opens a listen stream for `notifications` and returns it past its acknowledgement.
async fn listen(router: &Router, notifications: Value) -> EventStream {
    let request = stateless(
        1,
        "subscriptions/listen",
        json!({"notifications": notifications}),
        &[],
    );
    let response = router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut stream = EventStream::new(response.into_body());
    let ack = stream.next().await;
    assert_eq!(
        ack["method"], "notifications/subscriptions/acknowledged",
        "{ack}"
    );
    stream
}

/// The reply to a stateless call of `tool`: its HTTP status and JSON-RPC message.
async fn call(
    router: &Router,
    id: i64,
    tool: &str,
    arguments: Value,
    extra: &[(&str, &str)],
) -> (StatusCode, Value) {
    let request = stateless(
        id,
        "tools/call",
        json!({"name": tool, "arguments": arguments}),
        extra,
    );
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let reply = messages(response)
        .await
        .into_iter()
        .find(|message| message["id"] == id)
        .expect("a reply");
    (status, reply)
}

/// True when `tools/list` lists `name`.
async fn lists(router: &Router, name: &str) -> bool {
    tool_names(router).await.iter().any(|listed| listed == name)
}

async fn tool_names(router: &Router) -> Vec<String> {
    let response = router
        .clone()
        .oneshot(stateless(50, "tools/list", json!({}), &[]))
        .await
        .unwrap();
    let reply = messages(response).await.remove(0);
    reply["result"]["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("no tools in {reply}"))
        .iter()
        .map(|tool| tool["name"].as_str().unwrap().to_owned())
        .collect()
}

fn promoted(name: &str) -> CustomToolDefinition {
    CustomToolDefinition {
        name: name.to_owned(),
        description: "Spawns a wave.".to_owned(),
        params_schema: json!({"type": "object", "properties": {}}),
        source: "Waves".to_owned(),
        deferred: false,
        timeout_ms: 4500,
        requires_writable: false,
        undoable: false,
        promoted: true,
        enabled: true,
    }
}

#[tokio::test]
async fn a_listen_stream_hears_that_an_addon_registered_a_custom_tool() {
    let served = served(false);
    let mut stream = listen(&served.router, json!({"toolsListChanged": true})).await;
    served.custom_tools.send_replace(CustomToolCatalog {
        revision: 1,
        tools: Arc::from(vec![promoted("spawn_wave")]),
    });
    let changed = stream.next().await;
    assert_eq!(
        changed["method"], "notifications/tools/list_changed",
        "{changed}"
    );
    // The subscription is named by the id of the listen request.
    assert_eq!(changed["params"]["_meta"][SUBSCRIPTION_ID], 1, "{changed}");
    assert!(lists(&served.router, "custom_spawn_wave").await);
}

#[tokio::test]
async fn the_fixture_trigger_changes_the_list_and_a_listen_stream_hears_it() {
    let served = served(true);
    assert!(!lists(&served.router, "test_dynamic_tool").await);
    let mut stream = listen(&served.router, json!({"toolsListChanged": true})).await;
    let (status, reply) = call(
        &served.router,
        2,
        "test_trigger_tool_change",
        json!({}),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert!(
        reply["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("listed now")
    );
    let changed = stream.next().await;
    assert_eq!(
        changed["method"], "notifications/tools/list_changed",
        "{changed}"
    );
    assert!(lists(&served.router, "test_dynamic_tool").await);
}

#[tokio::test]
async fn without_fixture_mode_there_is_no_trigger() {
    let served = served(false);
    let (_, reply) = call(
        &served.router,
        2,
        "test_trigger_tool_change",
        json!({}),
        &[],
    )
    .await;
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Unknown tool"),
        "{reply}"
    );
}

#[tokio::test]
async fn a_header_param_is_checked_against_the_body() {
    let served = served(true);
    let region = |value: &'static str| [("mcp-param-region", value)];
    let arguments = json!({"region": "eu-west"});

    let (status, reply) = call(
        &served.router,
        2,
        "test_header_param",
        arguments.clone(),
        &region("eu-west"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["result"]["content"][0]["text"], "Region: eu-west");

    // "eu-west" in Base64, as a client sends a value that needs it.
    let (status, reply) = call(
        &served.router,
        3,
        "test_header_param",
        arguments.clone(),
        &region("=?base64?ZXUtd2VzdA==?="),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");

    for (id, refused) in [
        (4, &region("us-east")[..]),
        (5, &region("=?base64?ZXUtd2VzdA?=")[..]),
        (6, &[][..]),
    ] {
        let (status, reply) = call(
            &served.router,
            id,
            "test_header_param",
            arguments.clone(),
            refused,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused:?}: {reply}");
        assert_eq!(reply["error"]["code"], -32020, "{refused:?}: {reply}");
        assert!(
            reply["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Mcp-Param-Region"),
            "{reply}"
        );
    }
}
