//! The MCP features beyond tools, through the real router (`oneshot`, no sockets): logging
//! with `logging/setLevel`, resource subscriptions with coalesced updates, completions from
//! the editor, prompts with embedded resources, progress, and cancellation.

mod common;

use axum::Router;
use axum::body::Body;
use common::*;
use godot_ai_executor::channel;
use godot_ai_mcp::{AppConfig, EditorEvent, EditorEvents, Severity, Topic, app};
use godot_ai_protocol::Command;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// What the fake editor answers: a small scene and project.
fn answer(command: &Command) -> godot_ai_protocol::CommandResult {
    Ok(object(match command.name.as_str() {
        "get_scene_tree" => json!({"nodes": [
            {"name": "Main", "type": "Node2D", "path": "/Main"},
            {"name": "Player", "type": "CharacterBody2D", "path": "/Main/Player"},
            {"name": "Pickup", "type": "Area2D", "path": "/Main/Pickup"},
            {"name": "World", "type": "Node2D", "path": "/Main/World"},
        ]}),
        "search_filesystem" if command.params["path"] == ".gd" => json!({"files": [
            {"path": "res://scripts/player.gd", "type": "GDScript"},
            {"path": "res://shaders/water.gdshader", "type": "Shader"},
        ]}),
        "search_filesystem" => json!({"files": []}),
        "get_editor_state" => json!({"current_scene": "res://main.tscn", "is_playing": false}),
        other => json!({"command": other}),
    }))
}

struct Served {
    router: Router,
    events: EditorEvents,
    stop: CancellationToken,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn served() -> Served {
    let (executor, queue) = channel(16);
    let stop = CancellationToken::new();
    spawn_editor(queue, stop.clone(), answer);
    let events = EditorEvents::new();
    let router = app(
        executor,
        AppConfig {
            shutdown: stop.clone(),
            events: events.clone(),
            ..AppConfig::default()
        },
    );
    Served {
        router,
        events,
        stop,
    }
}

async fn request(router: &Router, session: &str, id: i64, method: &str, params: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    let replies = messages(send(router, session, body).await).await;
    replies
        .into_iter()
        .find(|message| message["id"] == id)
        .expect("a reply")
}

/// The session's standalone stream, open and past its priming event.
async fn standalone(router: &Router, session: &str) -> EventStream {
    let response = router
        .clone()
        .oneshot(standalone_stream(session))
        .await
        .unwrap();
    assert!(response.status().is_success(), "{:?}", response.status());
    EventStream::new(response.into_body())
}

#[tokio::test]
async fn initialize_announces_logging_completions_prompts_and_subscriptions() {
    let served = served();
    let initialize = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": PROTOCOL, "capabilities": {},
                   "clientInfo": {"name": "test", "version": "1"}}
    });
    let request = post(None).body(Body::from(initialize.to_string())).unwrap();
    let response = served.router.clone().oneshot(request).await.unwrap();
    let capabilities = messages(response).await[0]["result"]["capabilities"].clone();
    assert!(capabilities["logging"].is_object(), "{capabilities}");
    assert!(capabilities["completions"].is_object(), "{capabilities}");
    assert!(capabilities["prompts"].is_object(), "{capabilities}");
    assert_eq!(
        capabilities["resources"]["subscribe"], true,
        "{capabilities}"
    );
}

#[tokio::test]
async fn log_lines_at_or_above_the_set_level_reach_the_session() {
    let served = served();
    let session = open_session(&served.router).await;
    let mut stream = standalone(&served.router, &session).await;
    let reply = request(
        &served.router,
        &session,
        2,
        "logging/setLevel",
        json!({"level": "warning"}),
    )
    .await;
    assert_eq!(reply["result"], json!({}), "{reply}");
    for (severity, text) in [
        (Severity::Info, "Serving MCP on 127.0.0.1:8000."),
        (
            Severity::Warning,
            "The godot-ai server is away; retrying in 2 s.",
        ),
    ] {
        served
            .events
            .publish(EditorEvent::plugin_line(severity, text));
    }
    let message = stream.next().await;
    assert_eq!(message["method"], "notifications/message", "{message}");
    assert_eq!(
        message["params"]["level"], "warning",
        "the info line is below the level"
    );
    assert_eq!(message["params"]["logger"], "godot-ai-native");
    assert_eq!(
        message["params"]["data"],
        "The godot-ai server is away; retrying in 2 s."
    );
}

#[tokio::test]
async fn a_subscribed_resource_is_announced_once_per_burst_of_changes() {
    let served = served();
    let session = open_session(&served.router).await;
    let mut stream = standalone(&served.router, &session).await;
    for (id, uri) in [(2, "godot://scene/hierarchy"), (3, "godot://test/results")] {
        let reply = request(
            &served.router,
            &session,
            id,
            "resources/subscribe",
            json!({"uri": uri}),
        )
        .await;
        assert_eq!(reply["result"], json!({}), "{reply}");
    }
    let updated = |message: &Value| {
        assert_eq!(
            message["method"], "notifications/resources/updated",
            "{message}"
        );
        message["params"]["uri"].as_str().unwrap().to_owned()
    };
    for _ in 0..5 {
        served.events.publish(EditorEvent::Changed(Topic::Scene));
    }
    served
        .events
        .publish(EditorEvent::Changed(Topic::Selection));
    assert_eq!(updated(&stream.next().await), "godot://scene/hierarchy");
    // Changes within the interval after an update are announced together, once.
    for _ in 0..3 {
        served.events.publish(EditorEvent::Changed(Topic::Scene));
    }
    assert_eq!(updated(&stream.next().await), "godot://scene/hierarchy");
    served
        .events
        .publish(EditorEvent::Changed(Topic::TestResults));
    assert_eq!(
        updated(&stream.next().await),
        "godot://test/results",
        "no second update of the hierarchy came first"
    );
    // Unsubscribed: scene changes are no longer announced.
    let reply = request(
        &served.router,
        &session,
        4,
        "resources/unsubscribe",
        json!({"uri": "godot://scene/hierarchy"}),
    )
    .await;
    assert_eq!(reply["result"], json!({}), "{reply}");
    served.events.publish(EditorEvent::Changed(Topic::Scene));
    served
        .events
        .publish(EditorEvent::Changed(Topic::TestResults));
    assert_eq!(updated(&stream.next().await), "godot://test/results");
}

#[tokio::test]
async fn subscribing_to_an_address_no_resource_has_is_refused() {
    let served = served();
    let session = open_session(&served.router).await;
    let reply = request(
        &served.router,
        &session,
        2,
        "resources/subscribe",
        json!({"uri": "godot://nope"}),
    )
    .await;
    assert_eq!(reply["error"]["code"], -32002, "{reply}");
    assert_eq!(reply["error"]["data"]["uri"], "godot://nope", "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("godot://nope"),
        "{reply}"
    );
}

#[tokio::test]
async fn node_and_script_templates_complete_from_the_editor() {
    let served = served();
    let session = open_session(&served.router).await;
    let complete = |id: i64, uri: &str, value: &str| {
        let params = json!({"ref": {"type": "ref/resource", "uri": uri},
                            "argument": {"name": "path", "value": value}});
        request(&served.router, &session, id, "completion/complete", params)
    };
    let nodes = complete(2, "godot://node/{path*}/properties", "Main/P").await;
    assert_eq!(
        nodes["result"]["completion"]["values"],
        json!(["Main/Pickup", "Main/Player"]),
        "{nodes}"
    );
    assert_eq!(nodes["result"]["completion"]["total"], 2);
    let scripts = complete(3, "godot://script/{path*}", "").await;
    assert_eq!(
        scripts["result"]["completion"]["values"],
        json!(["scripts/player.gd"]),
        "a shader is not a script: {scripts}"
    );
    let prompt_argument = request(
        &served.router,
        &session,
        4,
        "completion/complete",
        json!({"ref": {"type": "ref/prompt", "name": "build_prototype"},
               "argument": {"name": "dimension", "value": "3"}}),
    )
    .await;
    assert_eq!(
        prompt_argument["result"]["completion"]["values"],
        json!(["3d"])
    );
}

#[tokio::test]
async fn prompts_are_listed_and_embed_the_live_editor_state() {
    let served = served();
    let session = open_session(&served.router).await;
    let listed = request(&served.router, &session, 2, "prompts/list", json!({})).await;
    let names: Vec<&str> = listed["result"]["prompts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|prompt| prompt["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["inspect_scene", "build_prototype", "fix_last_run"]);
    let missing = request(
        &served.router,
        &session,
        3,
        "prompts/get",
        json!({"name": "build_prototype"}),
    )
    .await;
    assert_eq!(missing["error"]["code"], -32602, "{missing}");
    assert!(
        missing["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'idea'")
    );
    let prompt = request(
        &served.router,
        &session,
        4,
        "prompts/get",
        json!({"name": "build_prototype", "arguments": {"idea": "a pong clone", "dimension": "2d"}}),
    )
    .await;
    let messages = prompt["result"]["messages"].as_array().unwrap();
    assert!(
        messages[0]["content"]["text"]
            .as_str()
            .unwrap()
            .contains("a pong clone"),
        "{prompt}"
    );
    let embedded = &messages[1]["content"];
    assert_eq!(embedded["type"], "resource", "{prompt}");
    assert_eq!(embedded["resource"]["uri"], "godot://editor/state");
    let state: Value =
        serde_json::from_str(embedded["resource"]["text"].as_str().unwrap()).unwrap();
    assert_eq!(state["current_scene"], "res://main.tscn");
    let unknown = request(
        &served.router,
        &session,
        5,
        "prompts/get",
        json!({"name": "make_game"}),
    )
    .await;
    assert!(
        unknown["error"]["message"]
            .as_str()
            .unwrap()
            .contains("inspect_scene"),
        "the known prompts are named: {unknown}"
    );
}

#[tokio::test]
async fn a_long_call_reports_progress_to_a_caller_that_asked() {
    let (executor, queue) = channel(16);
    let stop = CancellationToken::new();
    let (mut started, release) = spawn_held_editor(queue, stop.clone());
    let router = app(
        executor,
        AppConfig {
            shutdown: stop.clone(),
            ..AppConfig::default()
        },
    );
    let session = open_session(&router).await;
    let call = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                      "params": {"name": "editor_state", "arguments": {},
                                 "_meta": {"progressToken": "p-7"}}});
    let response = send(&router, &session, call).await;
    let mut stream = EventStream::new(response.into_body());
    assert_eq!(started.recv().await.as_deref(), Some("get_editor_state"));
    let progress = stream.next().await;
    assert_eq!(progress["method"], "notifications/progress", "{progress}");
    assert_eq!(progress["params"]["progressToken"], "p-7");
    assert_eq!(progress["params"]["progress"], 1.0);
    assert!(
        progress["params"]["message"]
            .as_str()
            .unwrap()
            .contains("editor_state is still running"),
        "{progress}"
    );
    release.send(Ok(object(json!({"ready": true})))).unwrap();
    let mut reply = stream.next().await;
    while reply.get("id").is_none() {
        assert!(
            reply["params"]["progress"].as_f64().unwrap() > 1.0,
            "{reply}"
        );
        reply = stream.next().await;
    }
    assert_eq!(reply["id"], 7);
    assert_eq!(reply["result"]["isError"], false, "{reply}");
    stop.cancel();
}

#[tokio::test]
async fn a_cancelled_call_that_has_not_started_never_runs() {
    let (executor, queue) = channel(16);
    let stop = CancellationToken::new();
    let (mut started, release) = spawn_held_editor(queue, stop.clone());
    let router = app(
        executor,
        AppConfig {
            shutdown: stop.clone(),
            ..AppConfig::default()
        },
    );
    let session = open_session(&router).await;
    // The first call holds the main thread; the second waits behind it.
    let first = send(&router, &session, tool_call(1, "editor_state", json!({}))).await;
    assert_eq!(started.recv().await.as_deref(), Some("get_editor_state"));
    let second = send(
        &router,
        &session,
        tool_call(2, "scene_get_hierarchy", json!({})),
    )
    .await;
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                        "params": {"requestId": 2, "reason": "the user stopped it"}});
    let response = send(&router, &session, cancel).await;
    assert!(response.status().is_success(), "{:?}", response.status());
    // The second call's stream ends without a result.
    let answered = messages(second).await;
    assert!(
        answered
            .iter()
            .all(|message| message["id"] != 2 || message.get("error").is_some()),
        "{answered:?}"
    );
    release.send(Ok(object(json!({"ready": true})))).unwrap();
    assert_eq!(messages(first).await.last().unwrap()["id"], 1);
    // The main thread finds the cancelled call abandoned and takes the next one.
    assert_eq!(
        started.recv().await.as_deref(),
        Some("skipped get_scene_tree")
    );
    let third = send(
        &router,
        &session,
        tool_call(3, "node_find", json!({"name": "x"})),
    )
    .await;
    assert_eq!(started.recv().await.as_deref(), Some("find_nodes"));
    release.send(Ok(object(json!({"nodes": []})))).unwrap();
    assert_eq!(messages(third).await.last().unwrap()["id"], 3);
    stop.cancel();
}
