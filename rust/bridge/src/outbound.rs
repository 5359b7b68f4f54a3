//! The outbound queue of one connection, with godot-ai's 4 MiB guard.
//!
//! Invariants:
//! - At most [`MAX_OUTBOUND_BYTES`] of frames wait to be written, counting what is queued and
//!   not yet handed to the socket. A reply that does not fit is replaced by a small
//!   `INTERNAL_ERROR` reply (the caller learns why instead of timing out); an event that does
//!   not fit is refused and retried later.
//! - Frames leave in the order they were queued.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use godot_ai_protocol::CommandResult;
use tokio::sync::mpsc;

use crate::frames::{MAX_OUTBOUND_BYTES, oversized_reply_frame, reply_frame};

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

    /// Queues the reply to `request_id`; one that does not fit becomes the small error reply.
    pub fn queue_reply(&self, request_id: &str, result: &CommandResult) -> Result<(), NotQueued> {
        match self.try_queue(reply_frame(request_id, result)) {
            Err(NotQueued::Full { buffered, size }) => {
                tracing::warn!(
                    "reply to {request_id} ({size} bytes) does not fit the {}-byte outbound \
                     limit; sent an error reply instead",
                    self.limit
                );
                // Small and necessary: it goes out even when the queue is full.
                let frame = oversized_reply_frame(request_id, buffered, size);
                let size = frame.len();
                self.queued_bytes.fetch_add(size, Ordering::SeqCst);
                self.push(frame, size)
            }
            other => other,
        }
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

    #[tokio::test]
    async fn an_oversized_reply_becomes_the_internal_error_reply() {
        let (outbound, mut frames) = queue_with_limit(1000);
        outbound.queue_reply("r1", &data_of_size(5000)).unwrap();
        let frame: Value = serde_json::from_str(&frames.next().await.unwrap()).unwrap();
        assert_eq!(frame["request_id"], "r1");
        assert_eq!(frame["error"]["code"], "INTERNAL_ERROR");
        assert_eq!(frame["error"]["data"]["limit_bytes"], MAX_OUTBOUND_BYTES);
        assert!(frame["error"]["data"]["message_bytes"].as_u64().unwrap() > 5000);
    }

    #[tokio::test]
    async fn the_real_limit_is_four_mebibytes() {
        let (outbound, mut frames) = queue();
        outbound
            .queue_reply("big", &data_of_size(MAX_OUTBOUND_BYTES))
            .unwrap();
        let frame = frames.next().await.unwrap();
        assert!(frame.len() < 1024, "replaced by a small error reply");
        outbound.queue_reply("ok", &data_of_size(1024)).unwrap();
        assert!(frames.next().await.unwrap().contains("\"status\":\"ok\""));
    }

    #[tokio::test]
    async fn a_closed_connection_refuses_frames() {
        let (outbound, frames) = queue();
        drop(frames);
        assert_eq!(outbound.try_queue("x".into()), Err(NotQueued::Closed));
    }
}
