//! A tool call while it runs: `notifications/progress` for a caller that gave a
//! `progressToken`, and `notifications/cancelled` honoured.
//!
//! Invariants:
//! - Progress is sent only while the call runs, once per [`PROGRESS_INTERVAL`] after the first
//!   interval (a quick call sends none), each with a larger `progress` than the one before and
//!   a message saying how long the call has run.
//! - A cancelled call stops waiting at once. Its command, if it has not started on the main
//!   thread, never starts (the executor skips a job whose caller has gone); one that has
//!   started finishes there, because an editor edit is not safe to cut halfway.

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use rmcp::RoleServer;
use rmcp::model::ProgressNotificationParam;
use rmcp::service::RequestContext;
use tokio::time::{Instant, MissedTickBehavior};

/// How often a running call reports that it still runs.
pub const PROGRESS_INTERVAL: Duration = Duration::from_secs(1);

/// Why a call ended without its result.
#[derive(Debug, PartialEq, Eq)]
pub struct Cancelled;

/// Runs `work` for the request `context` describes; [`Cancelled`] when the client cancelled it.
pub async fn watched<T>(
    tool: &str,
    work: impl Future<Output = T>,
    context: &RequestContext<RoleServer>,
) -> Result<T, Cancelled> {
    let token = context.meta.get_progress_token();
    let started = Instant::now();
    let mut beats = tokio::time::interval_at(started + PROGRESS_INTERVAL, PROGRESS_INTERVAL);
    beats.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut work = pin!(work);
    let mut sent = 0u32;
    loop {
        tokio::select! {
            biased;
            result = &mut work => return Ok(result),
            () = context.ct.cancelled() => return Err(Cancelled),
            _ = beats.tick(), if token.is_some() => {
                let Some(token) = token.clone() else { continue };
                sent += 1;
                let message = format!(
                    "{tool} is still running ({} s)",
                    started.elapsed().as_secs()
                );
                let notice = ProgressNotificationParam::new(token, f64::from(sent))
                    .with_message(message);
                // A client that stopped listening still gets its result.
                let _ = context.peer.notify_progress(notice).await;
            }
        }
    }
}
