//! The outbound queue of one connection, with godot-ai's 4 MiB guard.
//!
//! Invariants:
//! - At most [`MAX_OUTBOUND_BYTES`] of frames wait to be written, counting what is queued and
//!   not yet handed to the socket. A successful reply that does not fit has its largest values
//!   summarised ([`godot_ai_protocol::reply_size`]): the command ran, and the server must not
//!   hear otherwise. Only a reply that cannot be made to fit (an error, or one whose bulk is
//!   made of values never cut, such as a screenshot) is replaced by a small `INTERNAL_ERROR`
//!   reply, so the caller learns why instead of timing out; an event that does not fit is
//!   refused and retried later.
//! - Frames leave in the order they were queued.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use godot_ai_protocol::CommandResult;
use tokio::sync::mpsc;

use crate::frames::{MAX_OUTBOUND_BYTES, fitted_reply_frame, oversized_reply_frame, reply_frame};

/// The sending side, shared by command tasks and the event loop of one connection.
#[derive(Debug, Clone)]
pub struct Outbound {
    frames: mpsc::UnboundedSender<String>,
    queued_bytes: Arc<AtomicUsize>,
    limit: usize,
}

/// The writer's side: frames to put on the socket, in order.
#[derive(Debug)]
pub struct OutboundFrames {
    frames: mpsc::UnboundedReceiver<String>,
    queued_bytes: Arc<AtomicUsize>,
}

/// Why a frame was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotQueued {
    /// Queuing it would exceed the limit.
    Full { buffered: usize, size: usize },
    /// The connection is gone.
    Closed,
}

/// A queue limited to [`MAX_OUTBOUND_BYTES`].
pub fn queue() -> (Outbound, OutboundFrames) {
    queue_with_limit(MAX_OUTBOUND_BYTES)
}

/// A queue limited to `limit` bytes (tests use small limits).
pub fn queue_with_limit(limit: usize) -> (Outbound, OutboundFrames) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let queued_bytes = Arc::new(AtomicUsize::new(0));
    (
        Outbound {
            frames: sender,
            queued_bytes: queued_bytes.clone(),
            limit,
        },
        OutboundFrames {
            frames: receiver,
            queued_bytes,
        },
    )
}

impl Outbound {
    /// Queues `frame` if it fits under the limit.
    pub fn try_queue(&self, frame: String) -> Result<(), NotQueued> {
        let size = frame.len();
        let reserved =
            self.queued_bytes
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |buffered| {
                    (buffered + size <= self.limit).then_some(buffered + size)
                });
        if let Err(buffered) = reserved {
            return Err(NotQueued::Full { buffered, size });
        }
        self.push(frame, size)
    }

    /// Queues the reply to `request_id`. A success that does not fit is summarised to fit the
    /// room left; a reply that still does not fit becomes the small error reply.
    pub fn queue_reply(&self, request_id: &str, result: CommandResult) -> Result<(), NotQueued> {
        let (mut buffered, size) = match self.try_queue(reply_frame(request_id, &result)) {
            Err(NotQueued::Full { buffered, size }) => (buffered, size),
            other => return other,
        };
        if let Ok(data) = result {
            let room = self.limit.saturating_sub(buffered);
            if let Some(frame) = fitted_reply_frame(request_id, data, room) {
                let fitted = frame.len();
                match self.try_queue(frame) {
                    Err(NotQueued::Full { buffered: now, .. }) => buffered = now,
                    other => {
                        tracing::debug!(
                            "reply to {request_id} ({size} bytes) summarised to {fitted} bytes \
                             to fit the outbound limit"
                        );
                        return other;
                    }
                }
            }
        }
        tracing::warn!(
            "reply to {request_id} ({size} bytes) does not fit the {}-byte outbound limit; \
             sent an error reply instead",
            self.limit
        );
        // Small and necessary: it goes out even when the queue is full.
        let frame = oversized_reply_frame(request_id, buffered, size);
        let size = frame.len();
        self.queued_bytes.fetch_add(size, Ordering::SeqCst);
        self.push(frame, size)
    }

    fn push(&self, frame: String, size: usize) -> Result<(), NotQueued> {
        self.frames.send(frame).map_err(|_| {
            self.queued_bytes.fetch_sub(size, Ordering::SeqCst);
            NotQueued::Closed
        })
    }
}

impl OutboundFrames {
    /// The next frame to write; `None` when every sender is gone.
    pub async fn next(&mut self) -> Option<String> {
        self.frames.recv().await
    }

    /// Marks a frame as written, releasing its bytes.
    pub fn written(&self, frame: &str) {
        self.queued_bytes.fetch_sub(frame.len(), Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use godot_ai_protocol::JsonObject;
    use serde_json::{Value, json};

    use super::*;

    fn data_of_size(bytes: usize) -> CommandResult {
        let mut data = JsonObject::new();
        data.insert("blob".into(), json!("x".repeat(bytes)));
        Ok(data)
    }

    #[tokio::test]
    async fn frames_that_fit_are_queued_in_order() {
        let (outbound, mut frames) = queue_with_limit(100);
        outbound.try_queue("a".into()).unwrap();
        outbound.try_queue("b".into()).unwrap();
        assert_eq!(frames.next().await.as_deref(), Some("a"));
        assert_eq!(frames.next().await.as_deref(), Some("b"));
    }

    #[tokio::test]
    async fn an_event_that_does_not_fit_is_refused_until_bytes_are_written() {
        let (outbound, mut frames) = queue_with_limit(10);
        outbound.try_queue("12345678".into()).unwrap();
        assert_eq!(
            outbound.try_queue("abc".into()),
            Err(NotQueued::Full {
                buffered: 8,
                size: 3
            })
        );
        let first = frames.next().await.unwrap();
        frames.written(&first);
        outbound.try_queue("abc".into()).unwrap();
    }

    fn image_of_size(bytes: usize) -> CommandResult {
        let mut data = JsonObject::new();
        data.insert("image_base64".into(), json!("i".repeat(bytes)));
        Ok(data)
    }

    #[tokio::test]
    async fn an_oversized_success_is_summarised_and_still_succeeds() {
        let (outbound, mut frames) = queue_with_limit(1000);
        outbound.queue_reply("r1", data_of_size(5000)).unwrap();
        let text = frames.next().await.unwrap();
        assert!(text.len() <= 1000);
        let frame: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(frame["request_id"], "r1");
        assert_eq!(frame["status"], "ok");
        assert_eq!(frame["data"]["summarised"], json!(["/blob"]));
    }

    #[tokio::test]
    async fn a_success_is_summarised_to_the_room_other_frames_leave() {
        let (outbound, mut frames) = queue_with_limit(2000);
        outbound.try_queue("e".repeat(1200)).unwrap();
        outbound.queue_reply("r2", data_of_size(1500)).unwrap();
        assert_eq!(frames.next().await.unwrap().len(), 1200);
        let text = frames.next().await.unwrap();
        assert!(text.len() <= 800, "{}", text.len());
        let frame: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(frame["status"], "ok");
    }

    #[tokio::test]
    async fn an_oversized_reply_that_cannot_be_summarised_becomes_the_internal_error_reply() {
        let (outbound, mut frames) = queue_with_limit(1000);
        outbound.queue_reply("r1", image_of_size(5000)).unwrap();
        let frame: Value = serde_json::from_str(&frames.next().await.unwrap()).unwrap();
        assert_eq!(frame["request_id"], "r1");
        assert_eq!(frame["error"]["code"], "INTERNAL_ERROR");
        assert_eq!(frame["error"]["data"]["limit_bytes"], MAX_OUTBOUND_BYTES);
        assert!(frame["error"]["data"]["message_bytes"].as_u64().unwrap() > 5000);
    }

    #[tokio::test]
    async fn an_oversized_error_reply_becomes_the_internal_error_reply() {
        let (outbound, mut frames) = queue_with_limit(100);
        let error = godot_ai_protocol::CommandError::new(
            godot_ai_protocol::ErrorCode::NodeNotFound,
            "n".repeat(500),
        );
        outbound.queue_reply("r3", Err(error)).unwrap();
        let frame: Value = serde_json::from_str(&frames.next().await.unwrap()).unwrap();
        assert_eq!(frame["error"]["code"], "INTERNAL_ERROR");
    }

    #[tokio::test]
    async fn the_real_limit_is_four_mebibytes() {
        let (outbound, mut frames) = queue();
        outbound
            .queue_reply("big", image_of_size(MAX_OUTBOUND_BYTES))
            .unwrap();
        let frame = frames.next().await.unwrap();
        assert!(frame.len() < 1024, "replaced by a small error reply");
        assert!(frame.contains("INTERNAL_ERROR"));
        outbound
            .queue_reply("echo", data_of_size(MAX_OUTBOUND_BYTES))
            .unwrap();
        let frame = frames.next().await.unwrap();
        assert!(frame.len() <= MAX_OUTBOUND_BYTES);
        assert!(frame.contains("\"status\":\"ok\""));
        assert!(frame.contains("not echoed"));
        outbound.queue_reply("ok", data_of_size(1024)).unwrap();
        let frame = frames.next().await.unwrap();
        assert!(frame.contains("\"status\":\"ok\""));
        assert!(!frame.contains("summarised"));
    }

    #[tokio::test]
    async fn a_closed_connection_refuses_frames() {
        let (outbound, frames) = queue();
        drop(frames);
        assert_eq!(outbound.try_queue("x".into()), Err(NotQueued::Closed));
    }
}
