//! One open connection to a godot-ai server: handshake, then commands in and replies and
//! events out, until either side closes it.
//!
//! Invariants:
//! - The socket is read continuously on tokio, never from the editor's frame loop, so pings
//!   are answered (tungstenite answers them while reading) even while the editor's main thread
//!   is busy for minutes. Commands run as separate tasks waiting on the executor.
//! - Writing happens in its own task, so a slow server never stops reading.
//! - When the link ends, every task it started ends with it; replies still owed are dropped
//!   (the server ignores late request ids anyway).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use godot_ai_executor::ExecutorHandle;
use godot_ai_protocol::CommandResult;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_util::sync::CancellationToken;

use crate::frames::{EditorIdentity, Handshake, Inbound, parse_inbound, server_speaks_v1};
use crate::outbound::{self, NotQueued, Outbound, OutboundFrames};
use crate::snapshot::{EditorSnapshot, EventKind};
use crate::status::BridgeStatus;

/// How a link ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEnd {
    /// The plugin is stopping; a 1000 close was sent.
    Shutdown,
    /// The server closed the connection with this code.
    Closed { code: u16, reason: String },
    /// The connection broke without a close frame (reported as code 1006).
    Lost(String),
    /// The server is unusable (no acknowledgement, incompatible version): do not retry.
    Blocked(String),
}

/// How a link ended, and how long it was usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkReport {
    pub end: LinkEnd,
    /// How long the link lasted after the server acknowledged the handshake; `None` when it
    /// never did.
    pub acknowledged_for: Option<Duration>,
}

/// What a link needs from the bridge.
pub struct LinkContext<'a> {
    pub session_id: &'a str,
    pub identity: &'a EditorIdentity,
    pub executor: &'a ExecutorHandle,
    pub snapshots: watch::Receiver<EditorSnapshot>,
    pub shutdown: &'a CancellationToken,
    pub ack_timeout: Duration,
    pub status: &'a watch::Sender<BridgeStatus>,
}

/// How often events that did not fit the outbound limit are tried again.
const EVENT_RETRY: Duration = Duration::from_millis(100);

/// How long a closing link waits for its close frame to be written.
const CLOSE_GRACE: Duration = Duration::from_millis(500);

/// Runs one connection to its end.
pub async fn run<S>(socket: WebSocketStream<S>, mut context: LinkContext<'_>) -> LinkReport
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sink, mut stream) = socket.split();
    let (outbound, frames) = outbound::queue();
    let (close_sender, close_receiver) = oneshot::channel();
    let writer = tokio::spawn(write_frames(sink, frames, close_receiver));
    let mut commands = JoinSet::new();

    let at_handshake = context.snapshots.borrow_and_update().clone();
    let handshake = Handshake::new(context.session_id, context.identity, &at_handshake);
    // The server learns readiness from the handshake; the open scene and play state only from
    // events, so those count as unsent until the first events after the acknowledgement.
    let mut sent = EditorSnapshot {
        readiness: at_handshake.readiness,
        ..EditorSnapshot::default()
    };
    // An empty queue always has room for a handshake.
    let _ = outbound.try_queue(handshake.to_frame());

    let mut acknowledged = false;
    let mut acknowledged_at = None;
    let ack_deadline = tokio::time::Instant::now() + context.ack_timeout;
    let mut events_pending = false;
    let mut retry = tokio::time::interval(EVENT_RETRY);
    retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut malformed = 0u32;

    let end = loop {
        tokio::select! {
            biased;
            _ = context.shutdown.cancelled() => {
                break close(close_sender, writer, CloseCode::Normal, "Plugin unloading").await;
            }
            _ = tokio::time::sleep_until(ack_deadline), if !acknowledged => {
                let reason = format!(
                    "the server did not acknowledge the handshake within {}s",
                    context.ack_timeout.as_secs()
                );
                close(close_sender, writer, CloseCode::Normal, "no handshake_ack").await;
                break LinkEnd::Blocked(reason);
            }
            message = stream.next() => match message {
                None => break LinkEnd::Lost("the connection closed without a close frame".into()),
                Some(Err(error)) => break LinkEnd::Lost(error.to_string()),
                Some(Ok(Message::Close(frame))) => {
                    let (code, reason) = frame
                        .map(|frame| (u16::from(frame.code), frame.reason.to_string()))
                        .unwrap_or((1005, String::new()));
                    break LinkEnd::Closed { code, reason };
                }
                Some(Ok(Message::Text(text))) => match parse_inbound(&text) {
                    Inbound::HandshakeAck { server_version } => {
                        if let Some(version) = server_version.as_deref()
                            && !server_speaks_v1(version)
                        {
                            let reason = format!(
                                "godot-ai server {version} does not speak plugin protocol v1 \
                                 (use godot-ai 2.x or 3.x)"
                            );
                            close(close_sender, writer, CloseCode::Normal, "incompatible server").await;
                            break LinkEnd::Blocked(reason);
                        }
                        tracing::debug!(?server_version, "handshake acknowledged");
                        context.status.send_replace(BridgeStatus::Connected {
                            server_version: server_version.clone(),
                        });
                        acknowledged = true;
                        acknowledged_at = Some(tokio::time::Instant::now());
                        events_pending = true;
                    }
                    Inbound::Command { request_id, command } => {
                        let executor = context.executor.clone();
                        let outbound = outbound.clone();
                        commands.spawn(async move {
                            let result = executor.execute(command).await;
                            answer(&outbound, &request_id, result);
                        });
                    }
                    Inbound::InvalidCommand { request_id, error } => {
                        answer(&outbound, &request_id, Err(error));
                    }
                    Inbound::Ignored => tracing::debug!("ignored a frame the plugin has no use for"),
                    Inbound::Malformed(error) => {
                        malformed += 1;
                        if malformed <= 3 || malformed.is_multiple_of(100) {
                            tracing::warn!(
                                "ignored a malformed frame from the server ({error}); {malformed} so far"
                            );
                        }
                    }
                },
                Some(Ok(_)) => {} // binary frames carry nothing in protocol v1; pings answer themselves
            },
            changed = context.snapshots.changed(), if acknowledged => {
                if changed.is_err() {
                    // The editor side stopped publishing: the plugin is stopping.
                    break close(close_sender, writer, CloseCode::Normal, "Plugin unloading").await;
                }
                events_pending = true;
            }
            _ = retry.tick(), if acknowledged && events_pending => {}
            Some(_) = commands.join_next() => {}
        }
        if acknowledged && events_pending {
            let now = context.snapshots.borrow_and_update().clone();
            events_pending = send_events(&outbound, &mut sent, &now);
        }
    };
    commands.abort_all();
    LinkReport {
        end,
        acknowledged_for: acknowledged_at.map(|at| at.elapsed()),
    }
}

/// Queues an event for every value that changed since it was last sent. Returns true when
/// some did not fit and must be tried again.
fn send_events(outbound: &Outbound, sent: &mut EditorSnapshot, now: &EditorSnapshot) -> bool {
    let mut pending = false;
    for kind in EventKind::ALL {
        if !kind.differs(sent, now) {
            continue;
        }
        match outbound.try_queue(kind.frame(now)) {
            Ok(()) => kind.mark_sent(sent, now),
            Err(NotQueued::Full { .. }) => pending = true,
            Err(NotQueued::Closed) => return false,
        }
    }
    pending
}

fn answer(outbound: &Outbound, request_id: &str, result: CommandResult) {
    if outbound.queue_reply(request_id, result).is_err() {
        tracing::debug!("reply to {request_id} dropped: the connection is gone");
    }
}

/// Asks the writer to close with `code`/`reason` and waits (briefly) for it to do so.
async fn close(
    close_sender: oneshot::Sender<CloseFrame>,
    writer: tokio::task::JoinHandle<()>,
    code: CloseCode,
    reason: &'static str,
) -> LinkEnd {
    let _ = close_sender.send(CloseFrame {
        code,
        reason: reason.into(),
    });
    let _ = tokio::time::timeout(CLOSE_GRACE, writer).await;
    LinkEnd::Shutdown
}

async fn write_frames<S>(
    mut sink: futures_util::stream::SplitSink<WebSocketStream<S>, Message>,
    mut frames: OutboundFrames,
    mut close: oneshot::Receiver<CloseFrame>,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        tokio::select! {
            biased;
            frame = &mut close => {
                if let Ok(frame) = frame {
                    let _ = sink.send(Message::Close(Some(frame))).await;
                }
                let _ = sink.close().await;
                return;
            }
            next = frames.next() => {
                let Some(frame) = next else { return };
                let sent = sink.send(Message::text(frame.as_str())).await;
                frames.written(&frame);
                if sent.is_err() {
                    return; // the reader sees the broken connection and ends the link
                }
            }
        }
    }
}
