//! What one session asked to be told, and the task that tells it: log lines (the plugin's,
//! the editor's and the running game's, each under its own logger name) at or above the
//! level it set (`logging/setLevel`) as `notifications/message`, and
//! `notifications/resources/updated` for the resources it subscribed to
//! (`resources/subscribe`). On 2026-07-28, one `subscriptions/listen` request is the same
//! task for the resources (and tool list) it names, on that request's stream.
//!
//! Invariants:
//! - A session that never asks holds no listener, so the editor does not look for changes on
//!   its behalf. The task starts with the first request and ends with the session.
//! - Updates are coalesced: each subscribed resource is announced at most once per
//!   [`UPDATE_INTERVAL`], however many changes land in it; the first change after a quiet
//!   period is announced at once.
//! - A session that fell behind the event stream is told that every resource it subscribed to
//!   changed: a missed change is never silent.

#![allow(deprecated)] // Logging is deprecated by 2026-07-28 but current in 2025-11-25.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use godot_ai_protocol::custom_tools::CustomToolCatalog;
use rmcp::RoleServer;
use rmcp::model::{
    LoggingLevel, LoggingMessageNotificationParam, ResourceUpdatedNotificationParam,
};
use rmcp::service::{Peer, SubscriptionSink};
use serde_json::Value;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::editor_events::{EditorEvent, EditorEvents, LogSource, Severity};
use crate::resources;

/// The least time between two updates of one resource to one session.
pub const UPDATE_INTERVAL: Duration = Duration::from_millis(250);

/// How often the task checks that its session is still there when nothing happens.
const CLOSED_CHECK: Duration = Duration::from_secs(20);

/// The logger named in the plugin's own lines.
pub const PLUGIN_LOGGER: &str = "godot-ai-native";
/// The logger named in the editor's Output panel lines.
pub const EDITOR_LOGGER: &str = "godot.editor";
/// The logger named in the running game's lines.
pub const GAME_LOGGER: &str = "godot.game";

/// One session's wishes. Clones share them (rmcp clones the handler per request).
#[derive(Debug, Clone, Default)]
pub struct SessionNotices {
    wanted: Arc<Mutex<Wanted>>,
    started: Arc<AtomicBool>,
}

#[derive(Debug, Default)]
struct Wanted {
    /// The least severity sent as log messages; `None`: no log messages.
    level: Option<LoggingLevel>,
    /// The resources to announce updates of.
    subscribed: BTreeSet<String>,
}

impl SessionNotices {
    fn wanted(&self) -> MutexGuard<'_, Wanted> {
        // Plain data: a panic elsewhere cannot leave it half-written.
        self.wanted
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// From now on, sends log lines at `level` and above.
    pub fn set_level(&self, level: LoggingLevel, events: &EditorEvents, peer: &Peer<RoleServer>) {
        self.wanted().level = Some(level);
        self.start(events, peer);
    }

    /// From now on, announces updates of `uri`.
    pub fn subscribe(&self, uri: &str, events: &EditorEvents, peer: &Peer<RoleServer>) {
        self.wanted().subscribed.insert(uri.to_owned());
        self.start(events, peer);
    }

    /// Stops announcing `uri`; true if it was subscribed.
    pub fn unsubscribe(&self, uri: &str) -> bool {
        self.wanted().subscribed.remove(uri)
    }

    fn start(&self, events: &EditorEvents, peer: &Peer<RoleServer>) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let outlet = Outlet::Session(peer.clone());
        let never = CancellationToken::new();
        tokio::spawn(tell(self.clone(), events.clone(), outlet, None, never));
    }

    /// The subscribed resources an event makes stale.
    fn stale(&self, event: &EditorEvent) -> Vec<String> {
        let wanted = self.wanted();
        let shows = |uri: &String| match event {
            EditorEvent::Log { source, .. } => uri == log_resource(*source),
            EditorEvent::Changed(topic) => resources::shows(*topic, uri),
        };
        wanted
            .subscribed
            .iter()
            .filter(|uri| shows(uri))
            .cloned()
            .collect()
    }

    /// The log message for `event`, if it is a line this session wants.
    fn message(&self, event: &EditorEvent) -> Option<LoggingMessageNotificationParam> {
        let EditorEvent::Log {
            source,
            severity,
            text,
        } = event
        else {
            return None;
        };
        let level = self.wanted().level?;
        let line_level = logging_level(*severity);
        (rank(line_level) >= rank(level)).then(|| {
            LoggingMessageNotificationParam::new(line_level, Value::String(text.clone()))
                .with_logger(logger(*source))
        })
    }
}

/// The logger name a line from `source` carries.
fn logger(source: LogSource) -> &'static str {
    match source {
        LogSource::Plugin => PLUGIN_LOGGER,
        LogSource::Editor => EDITOR_LOGGER,
        LogSource::Game => GAME_LOGGER,
    }
}

/// The resource that reads the lines of `source`.
fn log_resource(source: LogSource) -> &'static str {
    match source {
        LogSource::Plugin => resources::LOGS,
        LogSource::Editor => resources::EDITOR_LOG,
        LogSource::Game => resources::GAME_LOG,
    }
}

/// The MCP level of a plugin line.
fn logging_level(severity: Severity) -> LoggingLevel {
    match severity {
        Severity::Debug => LoggingLevel::Debug,
        Severity::Info => LoggingLevel::Info,
        Severity::Warning => LoggingLevel::Warning,
        Severity::Error => LoggingLevel::Error,
    }
}

/// RFC 5424's order of the MCP levels, least severe first.
fn rank(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

/// Resources waiting to be announced, and when they may be.
#[derive(Default)]
struct Pending {
    stale: BTreeSet<String>,
    last_sent: Option<Instant>,
}

impl Pending {
    /// When the pending updates may go out, if any are pending.
    fn due(&self) -> Option<Instant> {
        if self.stale.is_empty() {
            return None;
        }
        Some(match self.last_sent {
            Some(sent) => sent + UPDATE_INTERVAL,
            None => Instant::now(),
        })
    }
}

/// Where a session's notices go.
enum Outlet {
    /// A session of the 2025 protocols: its stream of messages not tied to a request.
    Session(Peer<RoleServer>),
    /// A 2026-07-28 `subscriptions/listen` request: its response stream.
    Listen(SubscriptionSink),
}

impl Outlet {
    /// Sends `message`; an error means nobody receives any more.
    async fn log(&self, message: LoggingMessageNotificationParam) -> Result<(), ()> {
        match self {
            Self::Session(peer) => peer.notify_logging_message(message).await.map_err(|_| ()),
            // A listen request carries no log messages.
            Self::Listen(_) => Ok(()),
        }
    }

    async fn updated(&self, uri: String) -> Result<(), ()> {
        match self {
            Self::Session(peer) => peer
                .notify_resource_updated(ResourceUpdatedNotificationParam::new(uri))
                .await
                .map_err(|_| ()),
            Self::Listen(sink) => sink.notify_resource_updated(uri).await.map_err(|_| ()),
        }
    }

    async fn tools_changed(&self) -> Result<(), ()> {
        match self {
            Self::Session(peer) => peer.notify_tool_list_changed().await.map_err(|_| ()),
            Self::Listen(sink) => sink.notify_tool_list_changed().await.map_err(|_| ()),
        }
    }

    fn is_closed(&self) -> bool {
        match self {
            Self::Session(peer) => peer.is_transport_closed(),
            Self::Listen(_) => false,
        }
    }
}

/// What changes the tool list a listen stream hears of: the project's custom tools and, in
/// fixture mode, the suite's trigger (see [`crate::fixtures::dynamic_tool`]). A source whose
/// sender is gone is no longer watched; the stream goes on with the others.
pub struct ToolListChanges {
    sources: Vec<ToolListSource>,
}

enum ToolListSource {
    Custom(watch::Receiver<CustomToolCatalog>),
    Fixture(watch::Receiver<bool>),
}

impl ToolListSource {
    /// Waits for the next change; an error when the sender is gone.
    async fn changed(&mut self) -> Result<(), watch::error::RecvError> {
        match self {
            Self::Custom(receiver) => next_change(receiver).await,
            Self::Fixture(receiver) => next_change(receiver).await,
        }
    }
}

/// Waits for `receiver`'s next value, and takes it as seen.
async fn next_change<T>(receiver: &mut watch::Receiver<T>) -> Result<(), watch::error::RecvError> {
    receiver.changed().await?;
    receiver.mark_unchanged();
    Ok(())
}

impl ToolListChanges {
    /// Changes of the custom tools `custom` from now on.
    pub fn new(mut custom: watch::Receiver<CustomToolCatalog>) -> Self {
        custom.mark_unchanged();
        Self {
            sources: vec![ToolListSource::Custom(custom)],
        }
    }

    /// Changes of the fixture tool list from now on, too.
    pub fn with_fixture(mut self, mut fixture: watch::Receiver<bool>) -> Self {
        fixture.mark_unchanged();
        self.sources.push(ToolListSource::Fixture(fixture));
        self
    }

    /// Waits for the next change of any source (never, once no source is left).
    async fn changed(&mut self) {
        loop {
            if self.sources.is_empty() {
                return std::future::pending().await;
            }
            let waits = self
                .sources
                .iter_mut()
                .map(|source| Box::pin(source.changed()));
            let (outcome, gone, _) = futures_util::future::select_all(waits).await;
            if outcome.is_ok() {
                return;
            }
            self.sources.swap_remove(gone);
        }
    }
}

/// A 2026-07-28 `subscriptions/listen` request: announces updates of `uris` (and, with
/// `tools`, changes of the tool list) until the client cancels it or the editor stops.
pub async fn listen(
    uris: impl IntoIterator<Item = String>,
    tools: Option<ToolListChanges>,
    events: &EditorEvents,
    sink: SubscriptionSink,
    stop: CancellationToken,
) {
    let notices = SessionNotices::default();
    notices.wanted().subscribed.extend(uris);
    tell(notices, events.clone(), Outlet::Listen(sink), tools, stop).await;
}

/// The session's task: runs until nobody receives its notices, `stop` is cancelled or the
/// editor stops.
async fn tell(
    notices: SessionNotices,
    events: EditorEvents,
    outlet: Outlet,
    mut tools: Option<ToolListChanges>,
    stop: CancellationToken,
) {
    let mut received = events.subscribe();
    drop(events);
    let mut pending = Pending::default();
    loop {
        let due = pending.due();
        let event = tokio::select! {
            () = stop.cancelled() => return,
            () = sleep_until(due), if due.is_some() => {
                if send_updates(&outlet, &mut pending).await.is_err() {
                    return;
                }
                continue;
            }
            () = tools_changed(&mut tools), if tools.is_some() => {
                if outlet.tools_changed().await.is_err() {
                    return;
                }
                continue;
            }
            () = tokio::time::sleep(CLOSED_CHECK) => {
                if outlet.is_closed() {
                    return;
                }
                continue;
            }
            event = received.recv() => event,
        };
        // Take in everything already published before announcing: a burst is one update.
        let mut next = Some(event);
        while let Some(event) = next.take() {
            match event {
                Ok(event) => {
                    if let Some(message) = notices.message(&event)
                        && outlet.log(message).await.is_err()
                    {
                        return;
                    }
                    pending.stale.extend(notices.stale(&event));
                }
                Err(RecvError::Lagged(_)) => {
                    let wanted = notices.wanted();
                    pending.stale.extend(wanted.subscribed.iter().cloned());
                }
                Err(RecvError::Closed) => return,
            }
            next = match received.try_recv() {
                Ok(event) => Some(Ok(event)),
                Err(TryRecvError::Lagged(missed)) => Some(Err(RecvError::Lagged(missed))),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Closed) => Some(Err(RecvError::Closed)),
            };
        }
    }
}

/// Waits for the next change of the tool list (never, without a watch on it).
async fn tools_changed(tools: &mut Option<ToolListChanges>) {
    match tools {
        Some(tools) => tools.changed().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(due: Option<Instant>) {
    if let Some(due) = due {
        tokio::time::sleep_until(due).await;
    }
}

/// Announces every pending resource; an error means the session is gone.
async fn send_updates(outlet: &Outlet, pending: &mut Pending) -> Result<(), ()> {
    for uri in std::mem::take(&mut pending.stale) {
        outlet.updated(uri).await?;
    }
    pending.last_sent = Some(Instant::now());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor_events::Topic;

    fn log(severity: Severity) -> EditorEvent {
        EditorEvent::plugin_line(severity, "Saved res://main.tscn.")
    }

    #[test]
    fn log_lines_below_the_level_are_not_sent() {
        let notices = SessionNotices::default();
        assert!(
            notices.message(&log(Severity::Error)).is_none(),
            "no level set"
        );
        notices.wanted().level = Some(LoggingLevel::Warning);
        assert!(notices.message(&log(Severity::Info)).is_none());
        let sent = notices.message(&log(Severity::Error)).unwrap();
        assert_eq!(sent.level, LoggingLevel::Error);
        assert_eq!(sent.logger.as_deref(), Some(PLUGIN_LOGGER));
        assert_eq!(
            sent.data,
            Value::String("Saved res://main.tscn.".to_owned())
        );
        assert!(
            notices
                .message(&EditorEvent::Changed(Topic::Scene))
                .is_none()
        );
    }

    #[test]
    fn editor_and_game_lines_name_their_logger_and_stale_their_own_log() {
        let notices = SessionNotices::default();
        notices.wanted().level = Some(LoggingLevel::Info);
        for uri in [resources::EDITOR_LOG, resources::GAME_LOG] {
            notices.wanted().subscribed.insert(uri.to_owned());
        }
        let line = |source| EditorEvent::Log {
            source,
            severity: Severity::Warning,
            text: "Node not found: Player".to_owned(),
        };
        let game = notices.message(&line(LogSource::Game)).unwrap();
        assert_eq!(game.logger.as_deref(), Some(GAME_LOGGER));
        assert_eq!(game.level, LoggingLevel::Warning);
        let editor = notices.message(&line(LogSource::Editor)).unwrap();
        assert_eq!(editor.logger.as_deref(), Some(EDITOR_LOGGER));
        assert_eq!(notices.stale(&line(LogSource::Game)), [resources::GAME_LOG]);
        assert_eq!(
            notices.stale(&line(LogSource::Editor)),
            [resources::EDITOR_LOG]
        );
        assert!(
            notices.stale(&log(Severity::Error)).is_empty(),
            "not subscribed"
        );
    }

    #[test]
    fn only_subscribed_resources_a_change_shows_go_stale() {
        let notices = SessionNotices::default();
        for uri in [
            "godot://scene/hierarchy",
            "godot://selection/current",
            resources::LOGS,
        ] {
            notices.wanted().subscribed.insert(uri.to_owned());
        }
        assert_eq!(
            notices.stale(&EditorEvent::Changed(Topic::Scene)),
            ["godot://scene/hierarchy"]
        );
        assert_eq!(notices.stale(&log(Severity::Info)), [resources::LOGS]);
        assert!(
            notices
                .stale(&EditorEvent::Changed(Topic::TestResults))
                .is_empty()
        );
        assert!(notices.unsubscribe("godot://scene/hierarchy"));
        assert!(
            notices
                .stale(&EditorEvent::Changed(Topic::Scene))
                .is_empty()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn updates_wait_out_the_interval_after_one_was_sent() {
        let mut pending = Pending::default();
        assert_eq!(pending.due(), None);
        pending.stale.insert("godot://scene/current".to_owned());
        assert_eq!(
            pending.due(),
            Some(Instant::now()),
            "the first goes at once"
        );
        let sent = Instant::now();
        pending.last_sent = Some(sent);
        assert_eq!(pending.due(), Some(sent + UPDATE_INTERVAL));
    }
}
