//! Answers at the HTTP edge that MCP clients expect and rmcp words differently:
//!
//! - A POST body that is not JSON gets JSON-RPC's Parse error (`-32700`), and JSON that is not
//!   a JSON-RPC message gets Invalid Request (`-32600`), both as HTTP 400 with a JSON-RPC error
//!   object, where rmcp answers 415 with a line of text. A body of the wrong media type keeps
//!   rmcp's 415.
//! - A DELETE that ends a session answers 200 where rmcp answers 202: the official Python SDK
//!   accepts only 200 or 204 and otherwise logs "Session termination failed" on every close.
//!   The session is ended either way; this changes only the status.
//!
//! Invariant: only those two answers are rewritten; every other response passes as rmcp made it.

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use http_body_util::LengthLimitError;

use crate::app::MAX_REQUEST_BODY_BYTES;
use crate::serve::BodyStalled;

/// What rmcp's answer to a body it could not read as a client message starts with.
const UNREADABLE_BODY: &[u8] = b"fail to deserialize request body";

/// JSON-RPC 2.0's code for text that is not JSON.
pub const PARSE_ERROR: i64 = -32700;
/// JSON-RPC 2.0's code for JSON that is not a valid request.
pub const INVALID_REQUEST: i64 = -32600;

/// The middleware: see the module's doc.
pub async fn jsonrpc_answers(request: Request, next: Next) -> Response {
    if request.method() == Method::DELETE {
        let response = next.run(request).await;
        return ended_session_answer(response);
    }
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_REQUEST_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(error) => return unread_body_answer(&error),
    };
    let request = Request::from_parts(parts, Body::from(bytes.clone()));
    let response = next.run(request).await;
    if response.status() != StatusCode::UNSUPPORTED_MEDIA_TYPE {
        return response;
    }
    let (parts, body) = response.into_parts();
    let answer = to_bytes(body, 64 * 1024).await.unwrap_or_default();
    if !answer.starts_with(UNREADABLE_BODY) {
        return Response::from_parts(parts, Body::from(answer));
    }
    unreadable_body_answer(&bytes, &answer)
}

/// 200 for a DELETE rmcp accepted with 202; anything else as it is.
fn ended_session_answer(mut response: Response) -> Response {
    if response.status() == StatusCode::ACCEPTED {
        *response.status_mut() = StatusCode::OK;
    }
    response
}

/// The JSON-RPC error for a body rmcp could not read: `body` is what the client sent, `detail`
/// rmcp's reason.
fn unreadable_body_answer(body: &Bytes, detail: &[u8]) -> Response {
    let reason = String::from_utf8_lossy(detail[UNREADABLE_BODY.len()..].trim_ascii()).into_owned();
    let (code, message, id) = match serde_json::from_slice::<Value>(body) {
        Err(error) => (
            PARSE_ERROR,
            format!("Parse error: the body is not JSON ({error})"),
            Value::Null,
        ),
        Ok(Value::Array(_)) => (
            INVALID_REQUEST,
            "Invalid Request: JSON-RPC batches are not part of MCP; send one message per POST"
                .to_owned(),
            Value::Null,
        ),
        Ok(value) => (
            INVALID_REQUEST,
            format!("Invalid Request: not a JSON-RPC 2.0 message MCP defines ({reason})"),
            request_id(&value),
        ),
    };
    let error = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    let mut response = (StatusCode::BAD_REQUEST, error.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The request's `id` when it has a usable one (a string or a number), else null.
fn request_id(value: &Value) -> Value {
    match value.get("id") {
        Some(id @ (Value::String(_) | Value::Number(_))) => id.clone(),
        _ => Value::Null,
    }
}

/// The answer to a body that could not be read to its end: too large (413), stalled (408), or
/// broken off some other way (400), each with the reason as a JSON-RPC error.
fn unread_body_answer(error: &axum::Error) -> Response {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    let mut status = StatusCode::BAD_REQUEST;
    let mut message = format!("the request body could not be read: {error}");
    while let Some(current) = cause {
        if current.is::<LengthLimitError>() {
            status = StatusCode::PAYLOAD_TOO_LARGE;
            message = format!(
                "the request body is larger than {} MiB",
                MAX_REQUEST_BODY_BYTES / (1024 * 1024)
            );
            break;
        }
        if current.is::<BodyStalled>() {
            status = StatusCode::REQUEST_TIMEOUT;
            message = current.to_string();
            break;
        }
        cause = current.source();
    }
    let error = json!({"jsonrpc": "2.0", "id": null,
                       "error": {"code": INVALID_REQUEST, "message": message}});
    let mut response = (status, error.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn error_of(response: Response) -> (StatusCode, Value) {
        let status = response.status();
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn text_that_is_not_json_is_a_parse_error() {
        let answer = unreadable_body_answer(
            &Bytes::from_static(b"{bad"),
            b"fail to deserialize request body key must be a string",
        );
        let (status, error) = error_of(answer).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(error["error"]["code"], PARSE_ERROR);
        assert_eq!(error["id"], Value::Null);
    }

    #[tokio::test]
    async fn json_that_is_no_message_is_an_invalid_request_with_its_id() {
        let answer = unreadable_body_answer(
            &Bytes::from_static(br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#),
            b"fail to deserialize request body unrecognized JSON-RPC message",
        );
        let (status, error) = error_of(answer).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(error["error"]["code"], INVALID_REQUEST);
        assert_eq!(error["id"], 7);
        let message = error["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("unrecognized JSON-RPC message"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn a_batch_is_refused_as_an_invalid_request() {
        let answer = unreadable_body_answer(&Bytes::from_static(b"[]"), UNREADABLE_BODY);
        let (_, error) = error_of(answer).await;
        assert_eq!(error["error"]["code"], INVALID_REQUEST);
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains("batch")
        );
    }

    #[test]
    fn an_accepted_delete_answers_ok_and_other_answers_stay() {
        let accepted = StatusCode::ACCEPTED.into_response();
        assert_eq!(ended_session_answer(accepted).status(), StatusCode::OK);
        let missing = StatusCode::NOT_FOUND.into_response();
        assert_eq!(
            ended_session_answer(missing).status(),
            StatusCode::NOT_FOUND
        );
    }
}
