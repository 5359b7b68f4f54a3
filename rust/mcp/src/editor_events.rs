//! What the editor tells MCP sessions as it happens: log lines (the plugin's, the editor's
//! Output panel's, the running game's), and which part of the editor changed. The plugin publishes; each session that asked (with `logging/setLevel` or
//! `resources/subscribe`) turns events into notifications (see [`crate::notices`]).
//!
//! Invariants:
//! - Publishing never blocks and never fails: with no session listening an event is dropped,
//!   and a session too slow to keep up loses events, not the editor's time. A session that
//!   lagged behind is told that everything it subscribed to changed, so nothing is missed.
//! - Events carry no Godot objects: any thread may publish them.

use tokio::sync::broadcast;

/// How many events wait for the slowest session before it lags.
const CAPACITY: usize = 1024;

/// A log line's severity, as the plugin prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Debug,
    Info,
    Warning,
    Error,
}

impl Severity {
    /// The severity of a captured line by the level name Godot's logs use (`info`, `warn`,
    /// `error`); anything else reads as info.
    pub fn of_level_name(level: &str) -> Severity {
        match level {
            "error" => Severity::Error,
            "warn" | "warning" => Severity::Warning,
            "debug" => Severity::Debug,
            _ => Severity::Info,
        }
    }
}

/// Who printed a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogSource {
    /// The plugin itself (its `MCP | ` lines).
    Plugin,
    /// The editor: its Output panel, without the plugin's own lines.
    Editor,
    /// The game the editor runs.
    Game,
}

/// A part of the editor whose resources may read differently now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// The edited scene: which one, its nodes, their properties (also a save or a switch).
    Scene,
    /// The nodes selected in the editor.
    Selection,
    /// Whether a game runs, and the editor's readiness.
    PlayState,
    /// The project's settings (and so its input map and main scene).
    ProjectSettings,
    /// The last test run's results.
    TestResults,
    /// The custom tools the project's addons registered.
    CustomTools,
}

/// One thing that happened in the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditorEvent {
    /// A logged line; the plugin's own lines come without their `MCP | ` prefix.
    Log {
        source: LogSource,
        severity: Severity,
        text: String,
    },
    /// Something `topic` covers changed.
    Changed(Topic),
}

impl EditorEvent {
    /// A line the plugin printed.
    pub fn plugin_line(severity: Severity, text: impl Into<String>) -> EditorEvent {
        EditorEvent::Log {
            source: LogSource::Plugin,
            severity,
            text: text.into(),
        }
    }
}

/// The editor's side of the event stream: cheap to clone, shared by every session.
#[derive(Debug, Clone)]
pub struct EditorEvents {
    sender: broadcast::Sender<EditorEvent>,
}

impl Default for EditorEvents {
    fn default() -> Self {
        Self::new()
    }
}

impl EditorEvents {
    pub fn new() -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
        }
    }

    /// Hands `event` to every session listening now; dropped when none is.
    pub fn publish(&self, event: EditorEvent) {
        // An error only says that nobody listens, which is fine.
        let _ = self.sender.send(event);
    }

    /// True while some session listens: lets the editor skip looking for changes nobody wants.
    pub fn has_listeners(&self) -> bool {
        self.sender.receiver_count() > 0
    }

    /// A stream of the events published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<EditorEvent> {
        self.sender.subscribe()
    }
}
