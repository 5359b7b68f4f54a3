//! The Tasks extension (SEP-2663) for the editor's long calls, through the real router
//! (`oneshot`, no sockets) and a main thread the test holds: a client that declared the
//! extension gets a task for `test_run` and polls its result; cancelling takes the command back
//! only if it had not started; every other client and call is answered as before.

mod common;

use std::time::Duration;

use axum::Router;
use common::*;
use godot_ai_executor::channel;
use godot_ai_mcp::{AppConfig, app};
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_util::sync::CancellationToken;

const TASKS: &str = "io.modelcontextprotocol/tasks";

struct Held {
    router: Router,
    started: UnboundedReceiver<String>,
    release: std::sync::mpsc::Sender<godot_ai_protocol::CommandResult>,
    stop: CancellationToken,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn held() -> Held {
    let (executor, queue) = channel(16);
    let stop = CancellationToken::new();
    let (started, release) = spawn_held_editor(queue, stop.clone());
    let router = app(
        executor,
        AppConfig {
            shutdown: stop.clone(),
            ..AppConfig::default()
        },
    );
    Held {
        router,
        started,
        release,
        stop,
    }
}

async fn tasks_session(router: &Router) -> String {
    open_session_with(router, json!({"extensions": {TASKS: {}}})).await
}

async fn request(router: &Router, session: &str, id: i64, method: &str, params: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    let replies = messages(send(router, session, body).await).await;
    replies
        .into_iter()
        .find(|message| message["id"] == id)
        .expect("a reply")
}

/// Polls `tasks/get` as a client does, at the interval the task asks for, until it ends (a
/// task that never ends fails the test instead of hanging it).
async fn finished(router: &Router, session: &str, task: &str) -> Value {
    tokio::time::timeout(
        Duration::from_secs(30),
        poll_until_ended(router, session, task),
    )
    .await
    .unwrap_or_else(|_| panic!("task {task} did not end"))
}

async fn poll_until_ended(router: &Router, session: &str, task: &str) -> Value {
    for id in 1000.. {
        let reply = request(router, session, id, "tasks/get", json!({"taskId": task})).await;
        let got = &reply["result"];
        assert_eq!(got["taskId"], task, "{reply}");
        if ["completed", "failed", "cancelled"].contains(&got["status"].as_str().unwrap_or("")) {
            return got.clone();
        }
        let interval = got["pollIntervalMs"].as_u64().unwrap_or(100);
        tokio::time::sleep(Duration::from_millis(interval)).await;
    }
    unreachable!()
}

/// Starts `test_run` on `session` and returns the `tools/call` result.
async fn start_test_run(router: &Router, session: &str, id: i64) -> Value {
    let reply = request(
        router,
        session,
        id,
        "tools/call",
        json!({"name": "test_run"}),
    )
    .await;
    reply["result"].clone()
}

fn passed(count: u64) -> godot_ai_protocol::CommandResult {
    Ok(object(json!({"passed": count, "failed": 0})))
}

#[tokio::test]
async fn a_test_run_for_a_tasks_client_is_a_task_whose_result_is_polled() {
    let mut editor = held();
    let session = tasks_session(&editor.router).await;
    let created = start_test_run(&editor.router, &session, 2).await;
    assert_eq!(created["resultType"], "task", "{created}");
    assert_eq!(created["status"], "working");
    assert!(created["ttlMs"].as_u64().unwrap() > 3_600_000, "{created}");
    let task = created["taskId"].as_str().unwrap().to_owned();
    assert_eq!(editor.started.recv().await.as_deref(), Some("run_tests"));
    let working = request(
        &editor.router,
        &session,
        3,
        "tasks/get",
        json!({"taskId": task}),
    )
    .await;
    assert_eq!(working["result"]["status"], "working", "{working}");
    editor.release.send(passed(3)).unwrap();
    let done = finished(&editor.router, &session, &task).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["result"]["isError"], false, "{done}");
    let text = done["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("\"passed\":3"), "{text}");
}

#[tokio::test]
async fn a_client_without_the_extension_gets_the_plain_result() {
    let mut editor = held();
    let session = open_session(&editor.router).await;
    let call = send(
        &editor.router,
        &session,
        tool_call(2, "test_run", json!({})),
    )
    .await;
    assert_eq!(editor.started.recv().await.as_deref(), Some("run_tests"));
    editor.release.send(passed(1)).unwrap();
    let reply = messages(call).await.into_iter().last().unwrap();
    assert!(reply["result"].get("taskId").is_none(), "{reply}");
    assert_eq!(reply["result"]["isError"], false, "{reply}");
    let refused = request(
        &editor.router,
        &session,
        3,
        "tasks/get",
        json!({"taskId": "any"}),
    )
    .await;
    assert_eq!(refused["error"]["code"], -32021, "{refused}");
}

#[tokio::test]
async fn a_quick_call_from_a_tasks_client_is_answered_directly() {
    let mut editor = held();
    let session = tasks_session(&editor.router).await;
    let call = send(
        &editor.router,
        &session,
        tool_call(2, "node_find", json!({"name": "Player"})),
    )
    .await;
    assert_eq!(editor.started.recv().await.as_deref(), Some("find_nodes"));
    editor
        .release
        .send(Ok(object(json!({"nodes": []}))))
        .unwrap();
    let reply = messages(call).await.into_iter().last().unwrap();
    assert!(reply["result"].get("taskId").is_none(), "{reply}");
    assert_eq!(reply["result"]["isError"], false, "{reply}");
}

#[tokio::test]
async fn cancelling_a_task_whose_command_has_not_started_takes_it_back() {
    let mut editor = held();
    let session = tasks_session(&editor.router).await;
    // A first call holds the main thread; the test run waits behind it.
    let first = send(
        &editor.router,
        &session,
        tool_call(2, "editor_state", json!({})),
    )
    .await;
    assert_eq!(
        editor.started.recv().await.as_deref(),
        Some("get_editor_state")
    );
    let created = start_test_run(&editor.router, &session, 3).await;
    let task = created["taskId"].as_str().unwrap().to_owned();
    let ack = request(
        &editor.router,
        &session,
        4,
        "tasks/cancel",
        json!({"taskId": task}),
    )
    .await;
    assert!(ack.get("error").is_none(), "{ack}");
    let ended = finished(&editor.router, &session, &task).await;
    assert_eq!(ended["status"], "cancelled", "{ended}");
    editor
        .release
        .send(Ok(object(json!({"ready": true}))))
        .unwrap();
    messages(first).await;
    assert_eq!(
        editor.started.recv().await.as_deref(),
        Some("skipped run_tests"),
        "the withdrawn test run must never start"
    );
}

#[tokio::test]
async fn cancelling_a_task_whose_command_started_still_reports_its_result() {
    let mut editor = held();
    let session = tasks_session(&editor.router).await;
    let created = start_test_run(&editor.router, &session, 2).await;
    let task = created["taskId"].as_str().unwrap().to_owned();
    assert_eq!(editor.started.recv().await.as_deref(), Some("run_tests"));
    let ack = request(
        &editor.router,
        &session,
        3,
        "tasks/cancel",
        json!({"taskId": task}),
    )
    .await;
    assert!(ack.get("error").is_none(), "{ack}");
    editor.release.send(passed(2)).unwrap();
    let ended = finished(&editor.router, &session, &task).await;
    assert_eq!(
        ended["status"], "completed",
        "a started run finishes, and says so: {ended}"
    );
    let text = ended["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("\"passed\":2"), "{text}");
}

#[tokio::test]
async fn a_task_started_in_one_session_can_be_polled_from_the_next() {
    let mut editor = held();
    let first = tasks_session(&editor.router).await;
    let created = start_test_run(&editor.router, &first, 2).await;
    let task = created["taskId"].as_str().unwrap().to_owned();
    assert_eq!(editor.started.recv().await.as_deref(), Some("run_tests"));
    editor.release.send(passed(5)).unwrap();
    let reconnected = tasks_session(&editor.router).await;
    let ended = finished(&editor.router, &reconnected, &task).await;
    assert_eq!(ended["status"], "completed", "{ended}");
    let unknown = request(
        &editor.router,
        &reconnected,
        3,
        "tasks/get",
        json!({"taskId": "no-such-task"}),
    )
    .await;
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
}
