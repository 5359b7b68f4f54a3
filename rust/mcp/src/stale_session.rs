//! The stale-session diagnostic: turns the MCP SDK's bare "session not found" 404 into an answer
//! that tells the client to initialize a new session.
//!
//! Rules (godot-ai's contract):
//! 1. A request without an `mcp-session-id` header (any case) passes through untouched.
//! 2. A response other than 404 passes through untouched and unbuffered (SSE keeps streaming).
//! 3. A 404's body is collected (up to [`MAX_BUFFERED_404`] bytes) and rewritten only when it is
//!    exactly an SDK's unknown-session answer: rmcp's plain-text [`RMCP_STALE_BODY`], or the
//!    Python SDK's JSON-RPC error (`jsonrpc "2.0"`, `id "server-error"`, `error.code -32600`,
//!    `error.message "Session not found"`).
//! 4. The rewrite keeps 404, sends [`diagnostic_body`] as one body, drops `content-length` and
//!    sets `content-type: application/json`.
//! 5. Every other 404 is sent on unchanged (its chunks joined).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::{Layer, Service};

/// The header naming the client's MCP session.
pub const SESSION_HEADER: &str = "mcp-session-id";

/// rmcp 3.11's whole answer body for an unknown session (status 404, no content type).
pub const RMCP_STALE_BODY: &[u8] = b"Not Found: Session not found";

/// 404 bodies larger than this are passed on without inspection (no SDK answer is that big).
pub const MAX_BUFFERED_404: usize = 64 * 1024;

/// What `error.data.action` says: clients can key off it.
pub const REINITIALIZE_ACTION: &str = "reinitialize_mcp_session";

/// The rewritten answer: a JSON-RPC error whose data says the session is gone for good and a
/// new `initialize` recovers.
pub fn diagnostic_body() -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": "server-error",
        "error": {
            "code": -32600,
            "message": "MCP session expired or was not found; reinitialize the streamable HTTP session",
            "data": {
                "recoverable": true,
                "action": REINITIALIZE_ACTION,
                "reason": "stale_streamable_http_session",
            },
        },
    })
}

/// True when `body` is exactly an SDK's unknown-session answer (see the module rules).
pub fn is_stale_session_answer(body: &[u8]) -> bool {
    if body == RMCP_STALE_BODY {
        return true;
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    value.get("jsonrpc") == Some(&json!("2.0"))
        && value.get("id") == Some(&json!("server-error"))
        && value.pointer("/error/code") == Some(&json!(-32600))
        && value.pointer("/error/message") == Some(&json!("Session not found"))
}

/// Tower layer applying the diagnostic to the wrapped service.
#[derive(Debug, Clone, Copy, Default)]
pub struct StaleSessionLayer;

impl<S> Layer<S> for StaleSessionLayer {
    type Service = StaleSessionService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        StaleSessionService { inner }
    }
}

/// The service made by [`StaleSessionLayer`].
#[derive(Debug, Clone)]
pub struct StaleSessionService<S> {
    inner: S,
}

impl<S, B, ResBody> Service<Request<B>> for StaleSessionService<S>
where
    S: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<axum::BoxError>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // Rule 1: header names are case-insensitive in `HeaderMap` already.
        let has_session = request.headers().contains_key(SESSION_HEADER);
        // Take the service that was driven to readiness; leave a fresh clone in its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let response = inner.call(request).await?.map(Body::new);
            if !has_session || response.status() != StatusCode::NOT_FOUND {
                return Ok(response); // Rule 2: untouched, still streaming.
            }
            Ok(inspect_not_found(response).await)
        })
    }
}

async fn inspect_not_found(response: Response<Body>) -> Response<Body> {
    let (mut parts, mut body) = response.into_parts();
    let mut buffered = BytesMut::new();
    loop {
        match body.frame().await {
            None => break,
            Some(Ok(frame)) => {
                let Ok(data) = frame.into_data() else {
                    continue; // trailers carry no body bytes
                };
                buffered.extend_from_slice(&data);
                if buffered.len() > MAX_BUFFERED_404 {
                    // Not an SDK answer: send what was read, then the rest as it comes.
                    let head = futures_util::stream::once(std::future::ready(
                        Ok::<_, axum::Error>(buffered.freeze()),
                    ));
                    let rest = body.into_data_stream();
                    return Response::from_parts(parts, Body::from_stream(head.chain(rest)));
                }
            }
            Some(Err(error)) => {
                tracing::debug!("404 body failed while being read: {error}");
                break;
            }
        }
    }
    let collected = buffered.freeze();
    if !is_stale_session_answer(&collected) {
        return Response::from_parts(parts, Body::from(collected)); // Rule 5.
    }
    // Rule 4.
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(diagnostic_body().to_string()))
}
