//! The bridge to a godot-ai server: the native replacement for godot-ai's `connection.gd`.
//!
//! The editor is the WebSocket client. It dials `ws://127.0.0.1:<ws_port>`, introduces itself
//! with a protocol v1 handshake, runs the server's commands through the same executor as the
//! MCP endpoint, and reports scene, play-state and readiness changes. When the server is away
//! it retries on a capped schedule (see [`policy`]) with few log lines, all on tokio.
//!
//! Log lines (upstream's wording, prefixed `MCP | ` by the plugin): `connected to server`,
//! `disconnected (code N)` (with the code's meaning), `reconnecting (attempt N; next retry in
//! Xs if needed)` for attempts 1-5 and every 10th, `failed to initiate connection (error E)`.

pub mod frames;
pub mod link;
pub mod outbound;
pub mod policy;
pub mod session_id;
pub mod snapshot;
pub mod status;

use std::future::Future;
use std::time::Duration;

use godot_ai_executor::ExecutorHandle;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

pub use frames::EditorIdentity;
pub use snapshot::EditorSnapshot;
pub use status::BridgeStatus;

use crate::link::{LinkContext, LinkEnd, LinkReport};
use crate::policy::{Backoff, delay_before, should_log};

/// A connected WebSocket, as [`Dial`] produces it.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Why a dial produced no connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialError {
    /// Nobody listens or the dial timed out: the server is away. Only reconnect lines say so.
    Unreachable(String),
    /// The dial could not even be made, or the server refused the upgrade.
    Failed(String),
}

/// Makes one connection attempt. A fresh socket every time.
pub trait Dial: Send + Sync {
    fn dial(&self) -> impl Future<Output = Result<Socket, DialError>> + Send;
}

/// Dials a `ws://` URL over TCP, bounded by a timeout.
#[derive(Debug, Clone)]
pub struct TcpDial {
    pub url: String,
    pub timeout: Duration,
}

impl Dial for TcpDial {
    async fn dial(&self) -> Result<Socket, DialError> {
        use tokio_tungstenite::tungstenite::Error;

        let attempt = tokio_tungstenite::connect_async(self.url.as_str());
        match tokio::time::timeout(self.timeout, attempt).await {
            Err(_) => Err(DialError::Unreachable(format!(
                "no answer within {}s",
                self.timeout.as_secs()
            ))),
            Ok(Ok((socket, _response))) => Ok(socket),
            Ok(Err(Error::Io(error))) => Err(DialError::Unreachable(error.to_string())),
            Ok(Err(error)) => Err(DialError::Failed(error.to_string())),
        }
    }
}

/// Everything the bridge needs from the plugin.
pub struct BridgeConfig {
    pub identity: EditorIdentity,
    /// Made once per plugin load; replaced only when the server reports it taken (4001).
    pub session_id: String,
    pub executor: ExecutorHandle,
    /// The editor state, published by the main thread.
    pub snapshots: watch::Receiver<EditorSnapshot>,
    /// Cancelled when the plugin stops: the bridge closes with 1000 and returns.
    pub shutdown: CancellationToken,
    /// How long to wait for `handshake_ack` after the socket opens.
    pub ack_timeout: Duration,
    /// Where the bridge publishes its state (for the dock).
    pub status: watch::Sender<BridgeStatus>,
}

/// How long a dial may take before it counts as failed.
pub const DIAL_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the server has to acknowledge the handshake.
pub const ACK_TIMEOUT: Duration = Duration::from_secs(5);

/// A link that stayed up this long after its handshake was acknowledged counts as a real
/// connection: the retry schedule starts over after it ends. Shorter links (a server that
/// accepts and drops, a crash loop) keep backing off instead of reconnecting every second.
pub const STABLE_LINK: Duration = Duration::from_secs(5);

/// Keeps the editor connected to the server until `config.shutdown` is cancelled.
pub async fn run(dial: impl Dial, mut config: BridgeConfig) {
    let mut backoff = Backoff::default();
    loop {
        let attempt = backoff.attempt();
        if attempt > 0 && should_log(attempt) {
            tracing::info!(
                "reconnecting (attempt {attempt}; next retry in {}s if needed)",
                delay_before(attempt + 1).as_secs()
            );
        }
        config
            .status
            .send_replace(BridgeStatus::Connecting { attempt });
        let dialed = tokio::select! {
            _ = config.shutdown.cancelled() => return,
            dialed = dial.dial() => dialed,
        };
        match dialed {
            Ok(socket) => {
                // Quiet while a server keeps accepting and dropping us: same rule as retries.
                let loud = attempt == 0 || should_log(attempt);
                if loud {
                    tracing::info!("connected to server");
                }
                let context = LinkContext {
                    session_id: &config.session_id,
                    identity: &config.identity,
                    executor: &config.executor,
                    snapshots: config.snapshots.clone(),
                    shutdown: &config.shutdown,
                    ack_timeout: config.ack_timeout,
                    status: &config.status,
                };
                let LinkReport {
                    end,
                    acknowledged_for,
                } = link::run(socket, context).await;
                let stable = acknowledged_for.is_some_and(|up| up >= STABLE_LINK);
                if stable {
                    backoff.reset();
                }
                match end {
                    LinkEnd::Shutdown => return,
                    LinkEnd::Blocked(reason) => {
                        block(&reason, &config).await;
                        return;
                    }
                    LinkEnd::Closed {
                        code: code @ (4002 | 4003),
                        reason,
                    } => {
                        block(&refusal(code, &reason), &config).await;
                        return;
                    }
                    LinkEnd::Closed { code, reason } => {
                        report_close(code, &reason, &mut config, loud || stable);
                    }
                    LinkEnd::Lost(error) => {
                        if loud || stable {
                            tracing::info!("disconnected (code 1006)");
                        }
                        tracing::debug!("connection lost: {error}");
                    }
                }
            }
            Err(DialError::Unreachable(error)) => {
                tracing::debug!("server unreachable: {error}");
            }
            Err(DialError::Failed(error)) => {
                if attempt == 0 || should_log(attempt) {
                    tracing::warn!("failed to initiate connection (error {error})");
                }
            }
        }
        let next = backoff.next_attempt();
        config.status.send_replace(BridgeStatus::Retrying {
            attempt: next,
            next_retry: std::time::SystemTime::now() + delay_before(next),
        });
        tokio::select! {
            _ = config.shutdown.cancelled() => return,
            _ = tokio::time::sleep(delay_before(next)) => {}
        }
    }
}

/// Logs that the bridge gives up until the plugin is re-enabled, then waits for the stop.
async fn block(reason: &str, config: &BridgeConfig) {
    tracing::warn!(
        "connection blocked: {reason}. Not retrying; disable and re-enable the plugin to try again."
    );
    config.status.send_replace(BridgeStatus::Blocked {
        reason: reason.to_owned(),
    });
    config.shutdown.cancelled().await;
}

/// What a refusal close code means for the user.
fn refusal(code: u16, reason: &str) -> String {
    match code {
        4002 => format!(
            "the server closed with 4002: it does not accept this Godot version ({reason}); \
             godot-ai 4.x needs Godot 4.7, use godot-ai 2.x or 3.x with Godot 4.6"
        ),
        _ => format!(
            "the server closed with {code}: it requires an auth token ({reason}), which this \
             plugin does not support yet; start the server without GODOT_AI_WS_TOKEN"
        ),
    }
}

/// Logs a close by the server with what the code means, and reacts to a taken session id.
/// Ordinary closes are logged only when `loud` (see the reconnect throttle).
fn report_close(code: u16, reason: &str, config: &mut BridgeConfig, loud: bool) {
    match code {
        4001 => {
            let taken = std::mem::replace(
                &mut config.session_id,
                session_id::new_session_id(&config.identity.project_path),
            );
            tracing::warn!(
                "disconnected (code 4001): the server already has a session {taken} ({reason}); \
                 reconnecting as {}",
                config.session_id
            );
        }
        _ if !loud => tracing::debug!(code, reason, "disconnected"),
        1000 => tracing::info!(
            "disconnected (code 1000: closed normally{})",
            with_reason(reason)
        ),
        1001 => tracing::info!(
            "disconnected (code 1001: server going away{})",
            with_reason(reason)
        ),
        other => tracing::info!("disconnected (code {other}{})", with_reason(reason)),
    }
}

fn with_reason(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(", \"{reason}\"")
    }
}
