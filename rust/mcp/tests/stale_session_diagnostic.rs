//! The stale-session diagnostic, one test per rule of the contract, driven through
//! `tower::ServiceExt::oneshot` (no sockets).

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use futures_util::StreamExt;
use godot_ai_executor::channel;
use godot_ai_mcp::stale_session::{REINITIALIZE_ACTION, RMCP_STALE_BODY, diagnostic_body};
use godot_ai_mcp::{AppConfig, StaleSessionLayer, app};
use http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::{Layer, ServiceExt, service_fn};

const PYTHON_SDK_STALE: &[u8] = br#"{"jsonrpc":"2.0","id":"server-error","error":{"code":-32600,"message":"Session not found"}}"#;

/// An inner service answering every request with `status` and `chunks` as a streamed body.
fn inner_answering(
    status: StatusCode,
    chunks: &'static [&'static [u8]],
) -> impl tower::Service<
    Request<Body>,
    Response = Response<Body>,
    Error = Infallible,
    Future = impl Send + 'static,
> + Clone
+ Send
+ 'static {
    service_fn(move |_request: Request<Body>| async move {
        let stream = futures_util::stream::iter(
            chunks
                .iter()
                .map(|chunk| Ok::<_, Infallible>(Bytes::from_static(chunk))),
        );
        Ok::<_, Infallible>(
            Response::builder()
                .status(status)
                .header(
                    header::CONTENT_LENGTH,
                    chunks.iter().map(|c| c.len()).sum::<usize>(),
                )
                .body(Body::from_stream(stream))
                .unwrap(),
        )
    })
}

fn with_session(name: &str) -> Request<Body> {
    Request::post("/mcp")
        .header(name, "3f2a-dead-session")
        .body(Body::empty())
        .unwrap()
}

async fn body_of(response: Response<Body>) -> Vec<u8> {
    response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec()
}

async fn through_layer(
    status: StatusCode,
    chunks: &'static [&'static [u8]],
    request: Request<Body>,
) -> Response<Body> {
    StaleSessionLayer
        .layer(inner_answering(status, chunks))
        .oneshot(request)
        .await
        .unwrap()
}

fn assert_is_diagnostic(body: &[u8]) {
    let value: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(value, diagnostic_body());
    assert_eq!(value["error"]["data"]["action"], json!(REINITIALIZE_ACTION));
    assert_eq!(value["error"]["data"]["recoverable"], json!(true));
    assert_eq!(
        value["error"]["data"]["reason"],
        json!("stale_streamable_http_session")
    );
}

#[tokio::test]
async fn rmcp_stale_answer_is_rewritten_keeping_404_with_json_content_type() {
    let response = through_layer(
        StatusCode::NOT_FOUND,
        &[RMCP_STALE_BODY],
        with_session("mcp-session-id"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert!(!response.headers().contains_key(header::CONTENT_LENGTH));
    assert_is_diagnostic(&body_of(response).await);
}

#[tokio::test]
async fn session_header_is_matched_case_insensitively() {
    let response = through_layer(
        StatusCode::NOT_FOUND,
        &[RMCP_STALE_BODY],
        with_session("Mcp-Session-Id"),
    )
    .await;
    assert_is_diagnostic(&body_of(response).await);
}

#[tokio::test]
async fn chunked_stale_body_is_collected_then_rewritten() {
    let response = through_layer(
        StatusCode::NOT_FOUND,
        &[b"Not Found: ", b"Session ", b"not found"],
        with_session("mcp-session-id"),
    )
    .await;
    assert_is_diagnostic(&body_of(response).await);
}

#[tokio::test]
async fn python_sdk_json_stale_answer_is_rewritten_too() {
    let response = through_layer(
        StatusCode::NOT_FOUND,
        &[PYTHON_SDK_STALE],
        with_session("mcp-session-id"),
    )
    .await;
    assert_is_diagnostic(&body_of(response).await);
}

#[tokio::test]
async fn requests_without_a_session_header_pass_untouched() {
    let request = Request::post("/mcp").body(Body::empty()).unwrap();
    let response = through_layer(StatusCode::NOT_FOUND, &[RMCP_STALE_BODY], request).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(!response.headers().contains_key(header::CONTENT_TYPE));
    assert_eq!(
        response.headers()[header::CONTENT_LENGTH],
        RMCP_STALE_BODY.len().to_string().as_str()
    );
    assert_eq!(body_of(response).await, RMCP_STALE_BODY);
}

#[tokio::test]
async fn non_404_responses_pass_untouched() {
    let response = through_layer(
        StatusCode::BAD_REQUEST,
        &[RMCP_STALE_BODY],
        with_session("mcp-session-id"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body_of(response).await, RMCP_STALE_BODY);
}

#[tokio::test]
async fn sse_streams_are_not_buffered_the_first_event_arrives_before_the_end() {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, Infallible>>(4);
    let receiver = std::sync::Arc::new(std::sync::Mutex::new(Some(receiver)));
    let inner = service_fn(move |_request: Request<Body>| {
        let taken = receiver.lock().unwrap().take().expect("one call");
        let stream = tokio_stream_from(taken);
        async move {
            Ok::<_, Infallible>(
                Response::builder()
                    .header(header::CONTENT_TYPE, "text/event-stream")
                    .body(Body::from_stream(stream))
                    .unwrap(),
            )
        }
    });
    let response = StaleSessionLayer
        .layer(inner)
        .oneshot(with_session("mcp-session-id"))
        .await
        .unwrap();
    sender
        .send(Ok(Bytes::from_static(b"data: first\n\n")))
        .await
        .unwrap();
    let mut body = response.into_body().into_data_stream();
    let first = tokio::time::timeout(Duration::from_secs(5), body.next())
        .await
        .expect("the first event arrives while the stream is still open")
        .unwrap()
        .unwrap();
    assert_eq!(first, Bytes::from_static(b"data: first\n\n"));
    drop(sender);
    assert!(body.next().await.is_none());
}

fn tokio_stream_from(
    mut receiver: tokio::sync::mpsc::Receiver<Result<Bytes, Infallible>>,
) -> impl futures_util::Stream<Item = Result<Bytes, Infallible>> + Send + 'static {
    futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

/// Other 404s keep their exact bytes (chunks joined) and headers.
async fn assert_passes_unchanged(chunks: &'static [&'static [u8]]) {
    let response = through_layer(
        StatusCode::NOT_FOUND,
        chunks,
        with_session("mcp-session-id"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(!response.headers().contains_key(header::CONTENT_TYPE));
    assert_eq!(body_of(response).await, chunks.concat());
}

#[tokio::test]
async fn other_json_rpc_404_passes_unchanged() {
    assert_passes_unchanged(&[
        br#"{"jsonrpc":"2.0","id":"server-error","error":{"code":-32601,"message":"Session not found"}}"#,
    ])
    .await;
}

#[tokio::test]
async fn lookalike_with_another_id_passes_unchanged() {
    assert_passes_unchanged(&[
        br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Session not found"}}"#,
    ])
    .await;
}

#[tokio::test]
async fn lookalike_with_another_message_passes_unchanged() {
    assert_passes_unchanged(&[
        br#"{"jsonrpc":"2.0","id":"server-error","error":{"code":-32600,"message":"Bad request"}}"#,
    ])
    .await;
}

#[tokio::test]
async fn list_payload_passes_unchanged() {
    assert_passes_unchanged(&[br#"[{"jsonrpc":"2.0","id":"server-error","error":{"code":-32600,"message":"Session not found"}}]"#]).await;
}

#[tokio::test]
async fn string_error_passes_unchanged() {
    assert_passes_unchanged(&[
        br#"{"jsonrpc":"2.0","id":"server-error","error":"Session not found"}"#,
    ])
    .await;
}

#[tokio::test]
async fn other_text_404_passes_unchanged() {
    assert_passes_unchanged(&[b"Not Found: no such route"]).await;
    assert_passes_unchanged(&[b"Not Found: Session not found\n"]).await;
}

#[tokio::test]
async fn non_utf8_404_passes_unchanged() {
    assert_passes_unchanged(&[&[0xff, 0xfe, 0x00, 0x80]]).await;
}

#[tokio::test]
async fn a_huge_404_is_streamed_on_without_being_inspected_or_truncated() {
    static BIG: [u8; 100_000] = [b'x'; 100_000];
    let chunks: &'static [&'static [u8]] = Box::leak(Box::new([&BIG[..], b"tail"]));
    assert_passes_unchanged(chunks).await;
}

/// The wiring: the real app wraps rmcp, whose real unknown-session answer is rewritten.
#[tokio::test]
async fn the_real_endpoint_answers_an_unknown_session_with_the_diagnostic() {
    let (executor, _queue) = channel(4);
    let router = app(executor, AppConfig::default());
    let request = Request::post("/mcp")
        .header(header::HOST, "127.0.0.1:9600")
        .header(header::ACCEPT, "application/json, text/event-stream")
        .header(header::CONTENT_TYPE, "application/json")
        .header("mcp-session-id", "made-up-session")
        .header("mcp-protocol-version", "2025-06-18")
        .body(Body::from(
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string(),
        ))
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert_is_diagnostic(&body_of(response).await);
}

#[tokio::test]
async fn an_unknown_path_404_on_the_real_app_is_untouched() {
    let (executor, _queue) = channel(4);
    let router = app(executor, AppConfig::default());
    let request = Request::get("/nope")
        .header(header::HOST, "127.0.0.1:9600")
        .header("mcp-session-id", "made-up-session")
        .body(Body::empty())
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(body_of(response).await.is_empty());
}
