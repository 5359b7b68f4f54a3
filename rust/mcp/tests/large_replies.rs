//! A write whose reply would echo megabytes answers success, with the echo summarised; the
//! write itself reaches the editor whole (rmcp's default 4 MiB request limit would refuse it
//! with 413). Driven through `oneshot` (no sockets).

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use godot_ai_executor::channel;
use godot_ai_mcp::{AppConfig, app};
use godot_ai_protocol::reply_size::MAX_REPLY_BYTES;
use http::StatusCode;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

const FIVE_MIB: usize = 5 * 1024 * 1024;

/// An editor whose `set_property` keeps the value and echoes it (and the old one), as the
/// plugin's does; `get_property` answers the kept value whole.
fn echoing_editor(stop: &CancellationToken) -> (axum::Router, Arc<Mutex<Value>>) {
    let (executor, queue) = channel(16);
    let kept = Arc::new(Mutex::new(json!("")));
    let editor_kept = kept.clone();
    spawn_editor(queue, stop.clone(), move |command| {
        let mut kept = editor_kept.lock().unwrap();
        let old = std::mem::replace(&mut *kept, command.params["value"].clone());
        Ok(object(json!({
            "path": command.params["path"],
            "property": command.params["property"],
            "value": *kept,
            "old_value": old,
            "undoable": true,
        })))
    });
    let router = app(
        executor,
        AppConfig {
            shutdown: stop.clone(),
            ..AppConfig::default()
        },
    );
    (router, kept)
}

async fn set_description(router: &axum::Router, session: &str, id: i64, text: &str) -> Value {
    let call = tool_call(
        id,
        "node_set_property",
        json!({"path": "/Main", "property": "editor_description", "value": text}),
    );
    let response = send(router, session, call).await;
    assert_eq!(response.status(), StatusCode::OK);
    let replies = messages(response).await;
    replies
        .into_iter()
        .find(|message| message["id"] == json!(id))
        .expect("a reply")["result"]
        .clone()
}

#[tokio::test]
async fn a_five_mib_write_succeeds_and_its_echo_is_summarised() {
    let stop = CancellationToken::new();
    let (router, kept) = echoing_editor(&stop);
    let session = open_session(&router).await;
    let text = "d".repeat(FIVE_MIB);

    let result = set_description(&router, &session, 2, &text).await;
    assert_eq!(result["isError"], json!(false), "{}", result["content"][0]);
    let data = &result["structuredContent"];
    assert_eq!(data["undoable"], json!(true));
    assert_eq!(data["property"], "editor_description");
    assert_eq!(data["summarised"], json!(["/value"]));
    assert!(
        data["value"]
            .as_str()
            .unwrap()
            .ends_with("(5242880 characters, not echoed)")
    );
    let text_block: Value =
        serde_json::from_str(result["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(&text_block, data, "text and structured content agree");
    assert_eq!(
        *kept.lock().unwrap(),
        json!(text),
        "the editor got it whole"
    );

    // Set again: now both the value and the old value are 5 MiB; both are summarised.
    let again = set_description(&router, &session, 3, &"e".repeat(FIVE_MIB)).await;
    assert_eq!(again["isError"], json!(false));
    assert_eq!(
        again["structuredContent"]["summarised"],
        json!(["/value", "/old_value"])
    );
    stop.cancel();
}

#[tokio::test]
async fn a_reply_under_the_budget_is_untouched() {
    let stop = CancellationToken::new();
    let (router, _kept) = echoing_editor(&stop);
    let session = open_session(&router).await;
    let text = "s".repeat(MAX_REPLY_BYTES / 4);
    let result = set_description(&router, &session, 2, &text).await;
    let data = &result["structuredContent"];
    assert_eq!(data["value"], json!(text));
    assert!(data.get("summarised").is_none());
    stop.cancel();
}
