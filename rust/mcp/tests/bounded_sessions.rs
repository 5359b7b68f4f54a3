//! Sessions clients open and never delete stay bounded in memory: beyond
//! `MAX_LIVE_SESSIONS` the least recently used are closed in memory only, restored from the
//! session store when their client comes back, and answered with the stale-session
//! diagnostic once the store no longer keeps them. Driven through `oneshot` (no sockets).

mod common;

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use common::*;
use godot_ai_executor::channel;
use godot_ai_mcp::session_file::MAX_SESSIONS;
use godot_ai_mcp::sessions::{MAX_LIVE_SESSIONS, Sessions};
use godot_ai_mcp::stale_session::diagnostic_body;
use godot_ai_mcp::{AppConfig, app_with_sessions};
use http::{Request, StatusCode, header};
use rmcp::transport::streamable_http_server::SessionManager;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

struct Endpoint {
    router: Router,
    sessions: Arc<Sessions>,
    file: std::path::PathBuf,
    stop: CancellationToken,
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn endpoint(name: &str) -> Endpoint {
    let file = scratch_session_file(name);
    let (executor, queue) = channel(16);
    let stop = CancellationToken::new();
    spawn_editor(queue, stop.clone(), |_| {
        Ok(object(json!({"readiness": "ready"})))
    });
    let (router, sessions) = app_with_sessions(
        executor,
        AppConfig {
            shutdown: stop.clone(),
            session_file: Some(file.clone()),
            ..AppConfig::default()
        },
    );
    Endpoint {
        router,
        sessions,
        file,
        stop,
    }
}

async fn open_sessions(router: &Router, count: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(count);
    for _ in 0..count {
        ids.push(open_session(router).await);
    }
    ids
}

/// The session ids the store file holds now.
fn stored(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let contents: Value = serde_json::from_str(&text).unwrap();
    contents["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn held_in_memory(sessions: &Sessions, id: &str) -> bool {
    sessions
        .inner()
        .inner()
        .has_session(&id.into())
        .await
        .unwrap()
}

#[test]
fn the_live_bound_is_what_the_store_keeps() {
    assert_eq!(MAX_LIVE_SESSIONS, MAX_SESSIONS);
}

#[tokio::test]
async fn the_least_recently_used_session_is_closed_in_memory_but_kept_in_the_store() {
    let endpoint = endpoint("bounded-evict");
    let ids = open_sessions(&endpoint.router, MAX_LIVE_SESSIONS).await;
    assert_eq!(endpoint.sessions.live_count(), MAX_LIVE_SESSIONS);
    // The first one is used again: the second is now the least recently used.
    assert_eq!(
        list_tools(&endpoint.router, &ids[0]).await.0,
        StatusCode::OK
    );

    let newest = open_session(&endpoint.router).await;
    assert_eq!(endpoint.sessions.live_count(), MAX_LIVE_SESSIONS);
    assert!(!held_in_memory(&endpoint.sessions, &ids[1]).await);
    assert!(held_in_memory(&endpoint.sessions, &ids[0]).await);
    assert!(held_in_memory(&endpoint.sessions, &newest).await);
    assert!(
        stored(&endpoint.file).contains(&ids[1]),
        "closing in memory keeps the stored entry"
    );

    // Its client comes back: restored from the store, no 404, and bounded still.
    let (status, replies) = list_tools(&endpoint.router, &ids[1]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(replies[0]["result"]["tools"].as_array().unwrap().len() > 30);
    assert!(held_in_memory(&endpoint.sessions, &ids[1]).await);
    assert_eq!(endpoint.sessions.live_count(), MAX_LIVE_SESSIONS);
}

#[tokio::test]
async fn many_forgotten_sessions_stay_bounded_recent_ones_resume_old_ones_get_the_diagnostic() {
    let endpoint = endpoint("bounded-many");
    let extra = 10;
    let ids = open_sessions(&endpoint.router, MAX_LIVE_SESSIONS + extra).await;
    assert_eq!(endpoint.sessions.live_count(), MAX_LIVE_SESSIONS);

    let (old, recent) = ids.split_at(extra);
    for id in recent {
        let (status, _) = list_tools(&endpoint.router, id).await;
        assert_eq!(status, StatusCode::OK, "recent session {id}");
    }
    for id in old {
        let response = send(
            &endpoint.router,
            id,
            json!({"jsonrpc": "2.0", "id": 9, "method": "tools/list"}),
        )
        .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "old session {id}");
        assert_eq!(messages(response).await, vec![diagnostic_body()]);
    }
    assert_eq!(endpoint.sessions.live_count(), MAX_LIVE_SESSIONS);
}

#[tokio::test]
async fn delete_ends_a_session_closed_in_memory_for_good() {
    let endpoint = endpoint("bounded-delete");
    let ids = open_sessions(&endpoint.router, MAX_LIVE_SESSIONS).await;
    // The store drops the oldest stored first, memory the least recently used: using the
    // oldest keeps it live, so the second is closed in memory while the store keeps it.
    list_tools(&endpoint.router, &ids[0]).await;
    open_session(&endpoint.router).await;
    let evicted = &ids[1];
    assert!(!held_in_memory(&endpoint.sessions, evicted).await);
    assert!(stored(&endpoint.file).contains(evicted));

    let delete = Request::delete("/mcp")
        .header(header::HOST, "127.0.0.1:9600")
        .header("mcp-session-id", evicted.as_str())
        .header("mcp-protocol-version", PROTOCOL)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = endpoint.router.clone().oneshot(delete).await.unwrap();
    assert!(response.status().is_success(), "{:?}", response.status());
    assert!(!stored(&endpoint.file).contains(evicted));
    let (status, _) = list_tools(&endpoint.router, evicted).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_session_answering_a_call_is_closed_after_idle_ones() {
    let file = scratch_session_file("bounded-busy");
    let (executor, queue) = channel(16);
    let stop = CancellationToken::new();
    let (mut started, release) = spawn_held_editor(queue, stop.clone());
    let (router, sessions) = app_with_sessions(
        executor,
        AppConfig {
            shutdown: stop.clone(),
            session_file: Some(file),
            ..AppConfig::default()
        },
    );
    let busy = open_session(&router).await;
    let call = send(&router, &busy, tool_call(2, "editor_state", json!({}))).await;
    assert_eq!(call.status(), StatusCode::OK);
    assert_eq!(started.recv().await.as_deref(), Some("get_editor_state"));

    // The busy session is the least recently used now, but its answer is still coming.
    let others = open_sessions(&router, MAX_LIVE_SESSIONS).await;
    assert!(held_in_memory(&sessions, &busy).await);
    assert!(!held_in_memory(&sessions, &others[0]).await);

    release
        .send(Ok(object(json!({"readiness": "ready"}))))
        .unwrap();
    let replies = messages(call).await;
    let reply = replies.iter().find(|m| m["id"] == json!(2)).unwrap();
    assert_eq!(reply["result"]["structuredContent"]["readiness"], "ready");
    stop.cancel();
}
