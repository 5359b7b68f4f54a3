//! A bound on the sessions held in memory.
//!
//! Clients open sessions and often never `DELETE` them; each one keeps a session worker, its
//! channels and its handler alive (tens of kilobytes). [`BoundedSessions`] keeps at most
//! `limit` of them live: when a new or restored session goes beyond it, the least recently
//! used one is closed **in memory only**. Its entry in the session store stays, so when its
//! client comes back the session is restored from the store and the client continues with no
//! error; a session the store no longer keeps gets the stale-session diagnostic, as after a
//! restart. Only `DELETE /mcp` removes a stored session for good (rmcp does that, not this).
//!
//! Rules:
//! - "Used" means a request reached the session (any operation naming it).
//! - Sessions with an open stream (a tool call being answered, a client listening on `GET`)
//!   are closed only when every other candidate has one too: cutting a stream costs a client
//!   more than a restore.
//! - A closed session's worker reports its own end a moment later (rmcp calls
//!   `close_session` when a worker stops). That report must not close the same id restored
//!   in the meantime, so a restore of a session still closing waits (briefly) for it.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::streamable_http_server::session::{
    EventStore, RestoreOutcome, ServerSseMessage, SessionId, SessionManager,
};
use tokio::sync::Notify;

use crate::session_file::MAX_SESSIONS;

/// Most sessions held in memory: as many as the session store keeps, so every session the
/// store can restore may also be live, and a client juggling up to that many sessions never
/// waits for a restore. Each live session costs about 60 KB; the bound keeps 2,000 forgotten
/// sessions to a few megabytes.
pub const MAX_LIVE_SESSIONS: usize = MAX_SESSIONS;

/// How long a restore waits for the closing worker of the same id to finish.
const CLOSING_WAIT: Duration = Duration::from_secs(1);

/// A [`SessionManager`] holding at most `limit` sessions in memory (see the module docs).
#[derive(Debug)]
pub struct BoundedSessions<M> {
    inner: M,
    limit: usize,
    live: Mutex<Live>,
    /// Woken whenever a closed session's worker has reported its end.
    closed: Notify,
}

#[derive(Debug, Default)]
struct Live {
    /// A counter standing for time: bumped on every use.
    clock: u64,
    sessions: HashMap<SessionId, Usage>,
    /// Closed here, their workers not yet reported gone.
    closing: HashSet<SessionId>,
}

#[derive(Debug)]
struct Usage {
    last_used: u64,
    open_streams: Arc<AtomicUsize>,
}

impl<M> BoundedSessions<M> {
    /// Wraps `inner`, keeping at most `limit` sessions (at least one) live.
    pub fn new(inner: M, limit: usize) -> Self {
        Self {
            inner,
            limit: limit.max(1),
            live: Mutex::default(),
            closed: Notify::new(),
        }
    }

    /// The wrapped manager.
    pub fn inner(&self) -> &M {
        &self.inner
    }

    /// How many sessions are live now.
    pub fn live_count(&self) -> usize {
        self.live().sessions.len()
    }

    fn live(&self) -> MutexGuard<'_, Live> {
        self.live
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Records a use of `id` if it is live.
    fn touch(&self, id: &SessionId) {
        let mut live = self.live();
        live.clock += 1;
        let now = live.clock;
        if let Some(usage) = live.sessions.get_mut(id) {
            usage.last_used = now;
        }
    }

    /// Counts `stream` as open on `id` until it is dropped.
    fn counted(
        &self,
        id: &SessionId,
        stream: impl Stream<Item = ServerSseMessage> + Send + Sync + 'static,
    ) -> impl Stream<Item = ServerSseMessage> + Send + Sync + 'static {
        let open = self
            .live()
            .sessions
            .get(id)
            .map(|usage| usage.open_streams.clone());
        let guard = open.map(OpenStream::new);
        stream.map(move |event| {
            let _counted = &guard;
            event
        })
    }

    /// Adds `id` as the most recently used session and returns those to close for it.
    fn admit(&self, id: &SessionId) -> Vec<SessionId> {
        let mut live = self.live();
        live.clock += 1;
        let now = live.clock;
        live.sessions.insert(
            id.clone(),
            Usage {
                last_used: now,
                open_streams: Arc::default(),
            },
        );
        let mut evicted = Vec::new();
        while live.sessions.len() > self.limit {
            let victim = live
                .sessions
                .iter()
                .filter(|(other, _)| *other != id)
                .min_by_key(|(_, usage)| {
                    (
                        usage.open_streams.load(Ordering::SeqCst) > 0,
                        usage.last_used,
                    )
                })
                .map(|(other, _)| other.clone());
            let Some(victim) = victim else { break };
            live.sessions.remove(&victim);
            live.closing.insert(victim.clone());
            evicted.push(victim);
        }
        evicted
    }
}

impl<M: SessionManager> BoundedSessions<M> {
    async fn close_evicted(&self, evicted: Vec<SessionId>) {
        for id in evicted {
            tracing::debug!(
                "MCP session {id} closed in memory (more than {} live); it is restored from \
                 the session store on its next request",
                self.limit
            );
            if let Err(error) = self.inner.close_session(&id).await {
                tracing::debug!("closing MCP session {id} in memory failed: {error}");
            }
        }
    }

    /// Waits (bounded) until `id` is no longer closing.
    async fn wait_until_closed(&self, id: &SessionId) {
        let deadline = tokio::time::Instant::now() + CLOSING_WAIT;
        loop {
            let notified = self.closed.notified();
            if !self.live().closing.contains(id) {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                self.live().closing.remove(id);
                return;
            }
        }
    }
}

/// Keeps a session's open-stream count up while a stream lives.
#[derive(Debug)]
struct OpenStream(Arc<AtomicUsize>);

impl OpenStream {
    fn new(count: Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count)
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<M: SessionManager> SessionManager for BoundedSessions<M> {
    type Error = M::Error;
    type Transport = M::Transport;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        let (id, transport) = self.inner.create_session().await?;
        let evicted = self.admit(&id);
        self.close_evicted(evicted).await;
        Ok((id, transport))
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        self.touch(id);
        self.inner.initialize_session(id, message).await
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        let held = self.inner.has_session(id).await?;
        if held {
            // Counts as use now, so the session is not closed between this and its request.
            self.touch(id);
        }
        Ok(held)
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        let was_closing = {
            let mut live = self.live();
            let was_closing = live.closing.remove(id);
            if !was_closing {
                live.sessions.remove(id);
            }
            was_closing
        };
        if was_closing {
            // The worker closed here reporting its end (or a DELETE racing with it): the
            // in-memory session is gone already, and a restored one must stay.
            self.closed.notify_waiters();
            return Ok(());
        }
        self.inner.close_session(id).await
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.touch(id);
        let stream = self.inner.create_stream(id, message).await?;
        Ok(self.counted(id, stream))
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        self.touch(id);
        self.inner.accept_message(id, message).await
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.touch(id);
        let stream = self.inner.create_standalone_stream(id).await?;
        Ok(self.counted(id, stream))
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.touch(id);
        let stream = self.inner.resume(id, last_event_id).await?;
        Ok(self.counted(id, stream))
    }

    async fn restore_session(
        &self,
        id: SessionId,
    ) -> Result<RestoreOutcome<Self::Transport>, Self::Error> {
        self.wait_until_closed(&id).await;
        let outcome = self.inner.restore_session(id.clone()).await?;
        if let RestoreOutcome::Restored(_) = &outcome {
            let evicted = self.admit(&id);
            self.close_evicted(evicted).await;
        }
        Ok(outcome)
    }

    fn event_store(&self) -> Option<Arc<dyn EventStore>> {
        self.inner.event_store()
    }
}

#[cfg(test)]
mod tests {
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;

    use super::*;

    fn bounded(limit: usize) -> Arc<BoundedSessions<LocalSessionManager>> {
        Arc::new(BoundedSessions::new(LocalSessionManager::default(), limit))
    }

    #[tokio::test(start_paused = true)]
    async fn beyond_the_limit_the_least_recently_used_is_closed_in_memory() {
        let sessions = bounded(2);
        let (a, _) = sessions.create_session().await.unwrap();
        let (b, _) = sessions.create_session().await.unwrap();
        assert!(sessions.has_session(&a).await.unwrap()); // a is used: b is the oldest now
        let (c, _) = sessions.create_session().await.unwrap();
        assert_eq!(sessions.live_count(), 2);
        assert!(sessions.inner().has_session(&a).await.unwrap());
        assert!(!sessions.inner().has_session(&b).await.unwrap());
        assert!(sessions.inner().has_session(&c).await.unwrap());
    }

    #[tokio::test(start_paused = true)]
    async fn a_restore_waits_for_the_closed_worker_and_its_late_report_closes_nothing() {
        let sessions = bounded(1);
        let (first, _) = sessions.create_session().await.unwrap();
        let (second, _) = sessions.create_session().await.unwrap();
        assert!(!sessions.inner().has_session(&first).await.unwrap());

        let mut restoring = tokio::spawn({
            let sessions = sessions.clone();
            let first = first.clone();
            async move { sessions.restore_session(first).await }
        });
        let early = tokio::time::timeout(CLOSING_WAIT / 2, &mut restoring).await;
        assert!(
            early.is_err(),
            "the restore waits while the old worker is closing"
        );

        // rmcp reports the old worker's end: the restore goes ahead, and the report did not
        // close anything live.
        sessions.close_session(&first).await.unwrap();
        let outcome = restoring.await.unwrap().unwrap();
        assert!(matches!(outcome, RestoreOutcome::Restored(_)));
        assert!(sessions.inner().has_session(&first).await.unwrap());
        assert!(!sessions.inner().has_session(&second).await.unwrap());
        assert_eq!(sessions.live_count(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_restore_goes_ahead_when_the_report_never_comes() {
        let sessions = bounded(1);
        let (first, _) = sessions.create_session().await.unwrap();
        sessions.create_session().await.unwrap();
        let started = tokio::time::Instant::now();
        let outcome = sessions.restore_session(first.clone()).await.unwrap();
        assert!(matches!(outcome, RestoreOutcome::Restored(_)));
        assert!(started.elapsed() >= CLOSING_WAIT);
        // A report arriving after that is an ordinary close.
        assert!(sessions.inner().has_session(&first).await.unwrap());
    }

    #[tokio::test(start_paused = true)]
    async fn an_open_stream_is_counted_until_it_is_dropped() {
        let sessions = bounded(1);
        let (a, _) = sessions.create_session().await.unwrap();
        let open = sessions.counted(&a, futures_util::stream::pending());
        assert_eq!(
            sessions.live().sessions[&a]
                .open_streams
                .load(Ordering::SeqCst),
            1
        );
        drop(open);
        assert_eq!(
            sessions.live().sessions[&a]
                .open_streams
                .load(Ordering::SeqCst),
            0
        );
    }
}
