//! A response stream cut by a plugin reload or an editor restart: when the client resumes it
//! (`GET /mcp` + `Last-Event-ID`), it gets an answer at once, never an empty stream to retry
//! forever. Driven through `oneshot`; a "restart" is a second app on the same session file.

mod common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use common::*;
use godot_ai_executor::channel;
use godot_ai_mcp::sessions::{EventTag, NOT_RESUMABLE_REASON};
use godot_ai_mcp::{AppConfig, app};
use http::{StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

struct Endpoint {
    router: Router,
    stop: CancellationToken,
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn config(stop: &CancellationToken, session_file: &std::path::Path) -> AppConfig {
    AppConfig {
        shutdown: stop.clone(),
        session_file: Some(session_file.to_owned()),
        ..AppConfig::default()
    }
}

/// An endpoint whose editor answers `get_editor_state` at once.
fn answering_endpoint(session_file: &std::path::Path) -> Endpoint {
    let (executor, queue) = channel(16);
    let stop = CancellationToken::new();
    spawn_editor(queue, stop.clone(), |_| {
        Ok(object(json!({"readiness": "ready"})))
    });
    Endpoint {
        router: app(executor, config(&stop, session_file)),
        stop,
    }
}

/// Starts a tool call that the (held) editor does not answer, reads the first event of its
/// response and drops the rest, as a reload does. Returns that event's id.
async fn cut_call(router: &Router, session: &str, id: i64) -> String {
    let response = send(router, session, tool_call(id, "editor_state", json!({}))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    first_event_id(&mut body).await
}

/// The whole resumed stream, which must end within a few seconds.
async fn resumed(router: &Router, session: &str, last_event_id: &str) -> Vec<Value> {
    let response = router
        .clone()
        .oneshot(resume(session, last_event_id))
        .await
        .unwrap();
    if response.status() != StatusCode::OK {
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        panic!(
            "resume answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    tokio::time::timeout(Duration::from_secs(5), messages(response))
        .await
        .expect("the resumed stream ends at once instead of staying empty")
}

fn assert_lost(messages: &[Value], id: i64, cause: &str, last_event_id: &str) {
    assert_eq!(messages.len(), 1, "{messages:?}");
    let error = &messages[0];
    assert_eq!(error["id"], json!(id), "{error}");
    assert_eq!(error["error"]["code"], json!(-32603));
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("The response to this request was lost"),
        "{message}"
    );
    assert_eq!(
        error["error"]["data"],
        json!({"reason": NOT_RESUMABLE_REASON, "cause": cause,
               "last_event_id": last_event_id, "retryable": true})
    );
}

#[tokio::test]
async fn a_call_cut_by_a_restart_resumes_into_a_clear_error_for_its_request() {
    let file = scratch_session_file("resume-restart");
    let (executor, queue) = channel(16);
    let stop = CancellationToken::new();
    let (mut started, _release) = spawn_held_editor(queue, stop.clone());
    let before = Endpoint {
        router: app(executor, config(&stop, &file)),
        stop,
    };
    let session = open_session(&before.router).await;
    let last_event_id = cut_call(&before.router, &session, 7).await;
    assert_eq!(started.recv().await.as_deref(), Some("get_editor_state"));
    let tag = EventTag::decode(&last_event_id).expect("event ids name the request");
    assert_eq!(tag.request, Some(rmcp::model::NumberOrString::Number(7)));
    drop(before);

    let after = answering_endpoint(&file);
    let answer = resumed(&after.router, &session, &last_event_id).await;
    assert_lost(&answer, 7, "endpoint_restarted", &last_event_id);

    // The session itself carries on: the next call is answered.
    let response = send(
        &after.router,
        &session,
        tool_call(8, "editor_state", json!({})),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let replies = messages(response).await;
    let reply = replies.iter().find(|m| m["id"] == json!(8)).unwrap();
    assert_eq!(reply["result"]["structuredContent"]["readiness"], "ready");
}

#[tokio::test]
async fn a_string_request_id_is_named_in_the_error_too() {
    let file = scratch_session_file("resume-string-id");
    let (executor, queue) = channel(16);
    let stop = CancellationToken::new();
    let (_started, _release) = spawn_held_editor(queue, stop.clone());
    let before = Endpoint {
        router: app(executor, config(&stop, &file)),
        stop,
    };
    let session = open_session(&before.router).await;
    let call = json!({"jsonrpc": "2.0", "id": "call-1/é", "method": "tools/call",
                      "params": {"name": "editor_state", "arguments": {}}});
    let response = send(&before.router, &session, call).await;
    let mut body = response.into_body();
    let last_event_id = first_event_id(&mut body).await;
    drop(body);
    drop(before);

    let after = answering_endpoint(&file);
    let answer = resumed(&after.router, &session, &last_event_id).await;
    assert_eq!(answer[0]["id"], json!("call-1/é"));
}

#[tokio::test]
async fn a_stream_this_endpoint_no_longer_holds_answers_the_error_too() {
    let file = scratch_session_file("resume-expired");
    let endpoint = answering_endpoint(&file);
    let session = open_session(&endpoint.router).await;
    let response = send(
        &endpoint.router,
        &session,
        tool_call(3, "editor_state", json!({})),
    )
    .await;
    let mut body = response.into_body();
    let real = EventTag::decode(&first_event_id(&mut body).await).unwrap();
    drop(body);
    // Same instance, a stream it never had (or evicted from its cache).
    let unknown = EventTag {
        inner: "0/999".into(),
        ..real
    }
    .encode();
    let answer = resumed(&endpoint.router, &session, &unknown).await;
    assert_lost(&answer, 3, "stream_expired", &unknown);
}

#[tokio::test]
async fn a_bare_stream_id_from_another_build_is_refused_not_misrouted() {
    // rmcp's own ids restart at 0/0 in a restored session: "0/0" could name a new stream.
    let file = scratch_session_file("resume-bare");
    let endpoint = answering_endpoint(&file);
    let session = open_session(&endpoint.router).await;
    // A stream 0/0 exists in this session now.
    let response = send(
        &endpoint.router,
        &session,
        tool_call(4, "editor_state", json!({})),
    )
    .await;
    messages(response).await;
    let answer = resumed(&endpoint.router, &session, "0/0").await;
    assert_eq!(answer.len(), 1, "{answer:?}");
    assert_eq!(answer[0]["error"]["data"]["cause"], "endpoint_restarted");
    assert!(answer[0].get("result").is_none());
}

#[tokio::test]
async fn a_cut_call_resumes_on_the_same_endpoint_and_gets_its_result() {
    let file = scratch_session_file("resume-same");
    let (executor, queue) = channel(16);
    let stop = CancellationToken::new();
    let (mut started, release) = spawn_held_editor(queue, stop.clone());
    let endpoint = Endpoint {
        router: app(executor, config(&stop, &file)),
        stop,
    };
    let session = open_session(&endpoint.router).await;
    let last_event_id = cut_call(&endpoint.router, &session, 5).await;
    assert_eq!(started.recv().await.as_deref(), Some("get_editor_state"));

    let response = endpoint
        .router
        .clone()
        .oneshot(resume(&session, &last_event_id))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    release
        .send(Ok(object(json!({"readiness": "ready"}))))
        .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(5), messages(response))
        .await
        .expect("the resumed stream delivers the result and ends");
    let reply = answer.iter().find(|m| m["id"] == json!(5)).expect("result");
    assert_eq!(reply["result"]["structuredContent"]["readiness"], "ready");
}

#[tokio::test]
async fn the_listening_stream_resumes_as_a_live_stream_after_a_restart() {
    // The GET stream carries server-to-client messages; no call waits on it, so after a
    // restart it simply opens again (it must not end at once, or the client spins).
    let file = scratch_session_file("resume-standalone");
    let before = answering_endpoint(&file);
    let session = open_session(&before.router).await;
    drop(before);
    let after = answering_endpoint(&file);
    for last_event_id in ["0", "0a1b2c3d4e5f-0"] {
        let response = after
            .router
            .clone()
            .oneshot(resume(&session, last_event_id))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let mut body: Body = response.into_body();
        let next = tokio::time::timeout(Duration::from_millis(300), body.frame()).await;
        assert!(next.is_err(), "{last_event_id}: the stream stays open");
    }
}
