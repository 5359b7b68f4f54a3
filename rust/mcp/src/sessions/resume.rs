//! Resuming a response stream (`GET /mcp` with `Last-Event-ID`) answers at once, always.
//!
//! A client whose SSE response was cut (a plugin reload, an editor restart, a network blip)
//! reconnects with the last event id it saw. rmcp's in-memory session keeps a short cache of
//! each stream's events and replays them. What it cannot replay it answers with `200` and a
//! stream that ends at once: the official Python client then reconnects after the stream's
//! `retry` (3 s), forever, and the tool call never finishes. Worse, after a restart the
//! restored session numbers its streams from 0 again, so an old event id can name a *new*
//! stream and deliver another request's answer.
//!
//! [`ResumableStreams`] wraps a [`SessionManager`] and fixes both:
//! - Event ids it hands out say which endpoint instance issued them and which JSON-RPC
//!   request a stream answers: `<instance>-<rmcp id>[-<request id>]` (see [`EventTag`]).
//!   Clients treat event ids as opaque; they only echo them back.
//! - A resume naming a request stream this instance cannot replay (issued before a restart,
//!   or no longer cached) gets one event: a JSON-RPC error for that request id saying the
//!   answer was lost and why, then the stream ends. Clients resolve the pending call with it
//!   (the Python client does after its first reconnect) instead of retrying.
//! - The standalone stream (server-to-client notifications, no request waiting on it) resumes
//!   as a fresh stream: nothing to replay, nothing lost for a caller.

use std::pin::Pin;
use std::sync::Arc;

use futures_util::{Stream, StreamExt};
use rmcp::model::{ClientJsonRpcMessage, ErrorCode, ErrorData, NumberOrString, RequestId};
use rmcp::model::{JsonRpcError, JsonRpcVersion2_0, ServerJsonRpcMessage};
use rmcp::transport::streamable_http_server::session::{
    EventStore, RestoreOutcome, ServerSseMessage, SessionId, SessionManager,
};
use serde_json::json;

/// `error.data.reason` of the answer to a stream that cannot be resumed.
pub const NOT_RESUMABLE_REASON: &str = "response_stream_not_resumable";

/// A [`SessionManager`] whose streams can always be resumed or refused clearly (see the module
/// docs).
#[derive(Debug)]
pub struct ResumableStreams<M> {
    inner: M,
    /// Tells this endpoint's event ids from those of an earlier one (before a reload).
    instance: Arc<str>,
}

impl<M> ResumableStreams<M> {
    /// Wraps `inner`, tagging its event ids with a fresh random instance id.
    pub fn new(inner: M) -> Self {
        let random = rmcp::transport::common::server_side_http::session_id();
        let instance: String = random
            .chars()
            .filter(char::is_ascii_hexdigit)
            .take(12)
            .collect();
        Self::with_instance(inner, instance)
    }

    /// Wraps `inner` with a given instance id (tests pin it to restart deterministically).
    pub fn with_instance(inner: M, instance: impl Into<Arc<str>>) -> Self {
        Self {
            inner,
            instance: instance.into(),
        }
    }

    /// The wrapped manager.
    pub fn inner(&self) -> &M {
        &self.inner
    }
}

/// A stream of either shape (replayed, fresh or refused) `resume` may answer with.
type AnyStream = Pin<Box<dyn Stream<Item = ServerSseMessage> + Send + Sync + 'static>>;

fn boxed(stream: impl Stream<Item = ServerSseMessage> + Send + Sync + 'static) -> AnyStream {
    Box::pin(stream)
}

/// What an event id handed out by [`ResumableStreams`] carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTag {
    /// The endpoint instance that issued it.
    pub instance: String,
    /// rmcp's own event id (`<index>` or `<index>/<stream>`), what its session understands.
    pub inner: String,
    /// The JSON-RPC request the stream answers; `None` for the standalone stream.
    pub request: Option<RequestId>,
}

impl EventTag {
    /// The event id text: `<instance>-<inner>`, plus `-n<number>` or `-s<hex of the UTF-8>`
    /// for the request id (hex keeps any string id header-safe).
    pub fn encode(&self) -> String {
        let mut text = format!("{}-{}", self.instance, self.inner);
        match &self.request {
            None => {}
            Some(NumberOrString::Number(number)) => text.push_str(&format!("-n{number}")),
            Some(NumberOrString::String(string)) => {
                text.push_str("-s");
                for byte in string.as_bytes() {
                    text.push_str(&format!("{byte:02x}"));
                }
            }
        }
        text
    }

    /// Reads an id made by [`EventTag::encode`]; `None` for anything else.
    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, '-');
        let instance = parts.next().filter(|part| !part.is_empty())?;
        let inner = parts.next().filter(|part| !part.is_empty())?;
        let request = match parts.next() {
            None => None,
            Some(token) => Some(decode_request(token)?),
        };
        Some(Self {
            instance: instance.to_owned(),
            inner: inner.to_owned(),
            request,
        })
    }

    /// True for rmcp ids of a request's stream (`<index>/<stream>`), false for the
    /// standalone stream (`<index>`).
    fn names_a_request_stream(inner: &str) -> bool {
        inner.contains('/')
    }
}

fn decode_request(token: &str) -> Option<RequestId> {
    if let Some(number) = token.strip_prefix('n') {
        return number.parse().ok().map(NumberOrString::Number);
    }
    let hex = token.strip_prefix('s')?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes)
        .ok()
        .map(|text| NumberOrString::String(text.into()))
}

/// Why a request stream cannot be resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lost {
    /// Issued by an earlier endpoint (before a plugin reload or an editor restart).
    Restarted,
    /// This endpoint no longer holds its events (finished long ago, or never existed).
    Expired,
}

/// The one-event stream that answers a resume nobody can replay.
fn lost_answer(
    request: Option<RequestId>,
    last_event_id: &str,
    lost: Lost,
) -> impl Stream<Item = ServerSseMessage> + Send + Sync + 'static {
    let (why, cause) = match lost {
        Lost::Restarted => (
            "the MCP endpoint restarted (plugin reload or editor restart) while it was answered",
            "endpoint_restarted",
        ),
        Lost::Expired => ("this endpoint no longer holds its events", "stream_expired"),
    };
    let message = format!(
        "The response to this request was lost: its stream cannot be resumed because {why}. \
         The request may or may not have taken effect; check the editor state before retrying."
    );
    let data = json!({
        "reason": NOT_RESUMABLE_REASON,
        "cause": cause,
        "last_event_id": last_event_id,
        "retryable": true,
    });
    let error = ServerJsonRpcMessage::Error(JsonRpcError {
        jsonrpc: JsonRpcVersion2_0,
        id: request,
        error: ErrorData::new(ErrorCode::INTERNAL_ERROR, message, Some(data)),
    });
    futures_util::stream::iter([ServerSseMessage::from_message(error)])
}

/// Re-tags the event ids of `stream` (rmcp's own) with this instance and `request`.
fn tagged(
    stream: impl Stream<Item = ServerSseMessage> + Send + Sync + 'static,
    instance: Arc<str>,
    request: Option<RequestId>,
) -> impl Stream<Item = ServerSseMessage> + Send + Sync + 'static {
    stream.map(move |mut event| {
        if let Some(inner) = event.event_id.take() {
            let tag = EventTag {
                instance: instance.to_string(),
                inner,
                request: request.clone(),
            };
            event.event_id = Some(tag.encode());
        }
        event
    })
}

impl<M: SessionManager> SessionManager for ResumableStreams<M> {
    type Error = M::Error;
    type Transport = M::Transport;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        self.inner.create_session().await
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        self.inner.initialize_session(id, message).await
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        self.inner.has_session(id).await
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        self.inner.close_session(id).await
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let request = match &message {
            ClientJsonRpcMessage::Request(request) => Some(request.id.clone()),
            _ => None,
        };
        let stream = self.inner.create_stream(id, message).await?;
        Ok(tagged(stream, self.instance.clone(), request))
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        self.inner.accept_message(id, message).await
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let stream = self.inner.create_standalone_stream(id).await?;
        Ok(tagged(stream, self.instance.clone(), None))
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let (inner_id, request, ours) = match EventTag::decode(&last_event_id) {
            Some(tag) => {
                let ours = *tag.instance == *self.instance;
                (tag.inner, tag.request, ours)
            }
            // Not one of ours: rmcp's bare standalone priming id ("0"), or an id from a build
            // before this wrapper, which cannot be told from this instance's.
            None => (last_event_id.clone(), None, false),
        };
        if !EventTag::names_a_request_stream(&inner_id) {
            // The standalone stream: resume it (a fresh one when nothing is cached).
            let stream = self.inner.resume(id, inner_id).await?;
            return Ok(boxed(tagged(stream, self.instance.clone(), None)));
        }
        if !ours {
            return Ok(boxed(lost_answer(request, &last_event_id, Lost::Restarted)));
        }
        match self.inner.resume(id, inner_id).await {
            Ok(stream) => Ok(boxed(tagged(stream, self.instance.clone(), request))),
            Err(error) => {
                tracing::debug!("cannot resume MCP stream {last_event_id}: {error}");
                Ok(boxed(lost_answer(request, &last_event_id, Lost::Expired)))
            }
        }
    }

    async fn restore_session(
        &self,
        id: SessionId,
    ) -> Result<RestoreOutcome<Self::Transport>, Self::Error> {
        self.inner.restore_session(id).await
    }

    fn event_store(&self) -> Option<Arc<dyn EventStore>> {
        self.inner.event_store()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_tags_round_trip_with_number_string_and_no_request() {
        for request in [
            None,
            Some(NumberOrString::Number(7)),
            Some(NumberOrString::Number(-3)),
            Some(NumberOrString::String("a-b/c é\n".into())),
        ] {
            let tag = EventTag {
                instance: "0a1b2c3d4e5f".into(),
                inner: "0/12".into(),
                request,
            };
            let text = tag.encode();
            assert!(
                text.bytes().all(|byte| byte.is_ascii_graphic()),
                "header-safe: {text}"
            );
            assert_eq!(EventTag::decode(&text), Some(tag));
        }
    }

    #[test]
    fn foreign_ids_are_not_tags() {
        assert_eq!(EventTag::decode("0"), None);
        assert_eq!(EventTag::decode("0/0"), None);
        assert_eq!(EventTag::decode("abc-0/0-x1"), None);
        assert_eq!(EventTag::decode("abc-0/0-s1"), None);
        assert_eq!(EventTag::decode("-0"), None);
    }
}
