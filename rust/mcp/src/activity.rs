//! What agents have been doing through this endpoint, for the editor's dock: the sessions
//! seen (client name and version, calls made, last call) and the last calls (tool, op,
//! duration, outcome, and whether the call made an undoable change).
//!
//! Invariants:
//! - Bounded: at most [`MAX_SESSIONS`] sessions (the least recently seen go first) and
//!   [`MAX_CALLS`] calls are kept, whatever the traffic.
//! - Recording takes a short lock and never blocks on anything else; reading copies a
//!   snapshot, so the dock never holds the lock while it draws.
//! - Nothing here is a secret: arguments are not kept, only the tool and its `op`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

/// Sessions kept for the dock.
pub const MAX_SESSIONS: usize = 16;

/// Calls kept for the dock.
pub const MAX_CALLS: usize = 50;

/// The name shown for a client that sent no `clientInfo` (the stateless 2026-07-28 protocol
/// has no `initialize`).
pub const MODERN_CLIENT: &str = "modern client";

/// One session as the dock shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSeen {
    /// The MCP session id, or a name for stateless callers (one entry per client name).
    pub key: String,
    /// `clientInfo.name` (or [`MODERN_CLIENT`]).
    pub client: String,
    pub version: String,
    pub calls: u64,
    pub first_seen: SystemTime,
    pub last_seen: SystemTime,
}

/// One finished tool call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub at: SystemTime,
    pub client: String,
    pub tool: String,
    pub op: Option<String>,
    pub duration: Duration,
    /// How long it held the editor's main thread (`None`: it never ran there).
    pub main_thread: Option<Duration>,
    /// `None` when it succeeded, else the error code (`NODE_NOT_FOUND`…).
    pub error: Option<String>,
    /// The call's reply said `undoable: true`: it changed the scene through the undo history.
    pub undoable: bool,
}

/// Who made a call: the session key and the client's name and version.
#[derive(Debug, Clone)]
pub struct Caller {
    pub key: String,
    pub client: String,
    pub version: String,
}

impl Caller {
    /// The caller of a request in session `session_id` (if any) from a client that said it is
    /// `name` `version` (empty when it said nothing).
    pub fn new(session_id: Option<&str>, name: &str, version: &str) -> Self {
        let client = if name.is_empty() {
            MODERN_CLIENT.to_owned()
        } else {
            name.to_owned()
        };
        let key = match session_id {
            Some(id) => id.to_owned(),
            None => format!("stateless:{client}"),
        };
        Self {
            key,
            client,
            version: version.to_owned(),
        }
    }
}

/// What the dock reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivitySnapshot {
    /// Most recently seen first.
    pub sessions: Vec<SessionSeen>,
    /// Newest first.
    pub calls: Vec<CallRecord>,
    /// Bumped on every change, so a reader can skip redrawing when nothing happened.
    pub version: u64,
}

/// The shared record; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    board: Arc<Mutex<Board>>,
}

#[derive(Debug, Default)]
struct Board {
    sessions: VecDeque<SessionSeen>,
    calls: VecDeque<CallRecord>,
    version: u64,
}

impl Activity {
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes that `caller` was seen (listing tools, say) without a call.
    pub fn seen(&self, caller: &Caller) {
        let mut board = self.board();
        board.touch(caller, false);
    }

    /// Records a finished call by `caller`.
    pub fn record(&self, caller: &Caller, mut call: CallRecord) {
        let mut board = self.board();
        board.touch(caller, true);
        call.client.clone_from(&caller.client);
        if board.calls.len() == MAX_CALLS {
            board.calls.pop_back();
        }
        board.calls.push_front(call);
    }

    /// Forgets a session that ended (DELETE, or the plugin stopped).
    pub fn ended(&self, session_id: &str) {
        let mut board = self.board();
        let before = board.sessions.len();
        board.sessions.retain(|session| session.key != session_id);
        if board.sessions.len() != before {
            board.version += 1;
        }
    }

    pub fn snapshot(&self) -> ActivitySnapshot {
        let board = self.board();
        ActivitySnapshot {
            sessions: board.sessions.iter().cloned().collect(),
            calls: board.calls.iter().cloned().collect(),
            version: board.version,
        }
    }

    /// The change counter alone (cheap: no copy).
    pub fn version(&self) -> u64 {
        self.board().version
    }

    fn board(&self) -> MutexGuard<'_, Board> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.board
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Board {
    fn touch(&mut self, caller: &Caller, called: bool) {
        let now = SystemTime::now();
        let position = self
            .sessions
            .iter()
            .position(|session| session.key == caller.key);
        let mut session = match position.and_then(|index| self.sessions.remove(index)) {
            Some(session) => session,
            None => SessionSeen {
                key: caller.key.clone(),
                client: caller.client.clone(),
                version: caller.version.clone(),
                calls: 0,
                first_seen: now,
                last_seen: now,
            },
        };
        session.last_seen = now;
        if called {
            session.calls += 1;
        }
        if self.sessions.len() == MAX_SESSIONS {
            self.sessions.pop_back();
        }
        self.sessions.push_front(session);
        self.version += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(tool: &str) -> CallRecord {
        CallRecord {
            at: SystemTime::now(),
            client: String::new(),
            tool: tool.to_owned(),
            op: None,
            duration: Duration::from_millis(1),
            main_thread: None,
            error: None,
            undoable: false,
        }
    }

    #[test]
    fn sessions_count_calls_and_the_latest_comes_first() {
        let activity = Activity::new();
        let inspector = Caller::new(Some("a"), "mcp-inspector", "2.12.0");
        let modern = Caller::new(None, "", "");
        activity.seen(&inspector);
        activity.record(&inspector, call("editor_state"));
        activity.record(&modern, call("node_create"));
        activity.record(&inspector, call("scene_save"));
        let snapshot = activity.snapshot();
        let names: Vec<_> = snapshot
            .sessions
            .iter()
            .map(|s| s.client.as_str())
            .collect();
        assert_eq!(names, ["mcp-inspector", MODERN_CLIENT]);
        assert_eq!(snapshot.sessions[0].calls, 2);
        assert_eq!(snapshot.sessions[0].version, "2.12.0");
        let tools: Vec<_> = snapshot.calls.iter().map(|c| c.tool.as_str()).collect();
        assert_eq!(tools, ["scene_save", "node_create", "editor_state"]);
        assert_eq!(snapshot.calls[1].client, MODERN_CLIENT);
        activity.ended("a");
        assert_eq!(activity.snapshot().sessions.len(), 1);
        assert!(activity.version() > snapshot.version);
    }

    #[test]
    fn what_is_kept_is_bounded() {
        let activity = Activity::new();
        for index in 0..(MAX_SESSIONS + 5) {
            let caller = Caller::new(Some(&index.to_string()), "client", "1");
            for _ in 0..4 {
                activity.record(&caller, call("editor_state"));
            }
        }
        let snapshot = activity.snapshot();
        assert_eq!(snapshot.sessions.len(), MAX_SESSIONS);
        assert_eq!(snapshot.calls.len(), MAX_CALLS);
        assert_eq!(snapshot.sessions[0].key, (MAX_SESSIONS + 4).to_string());
    }
}

/// "12 s ago", "3 min ago", "2 h ago": how long before `now` `then` was.
pub fn ago(then: SystemTime, now: SystemTime) -> String {
    let seconds = now.duration_since(then).unwrap_or_default().as_secs();
    match seconds {
        0..=59 => format!("{seconds} s ago"),
        60..=3599 => format!("{} min ago", seconds / 60),
        _ => format!("{} h ago", seconds / 3600),
    }
}

impl SessionSeen {
    /// One line for the dock: `mcp-inspector 2.12.0: 3 calls, last 12 s ago`.
    pub fn describe(&self, now: SystemTime) -> String {
        let name = if self.version.is_empty() {
            self.client.clone()
        } else {
            format!("{} {}", self.client, self.version)
        };
        let calls = match self.calls {
            1 => "1 call".to_owned(),
            count => format!("{count} calls"),
        };
        format!("{name}: {calls}, last {}", ago(self.last_seen, now))
    }
}

impl CallRecord {
    /// One line for the dock: `node_manage create: 4 ms (main thread 0.9 ms), ok, undoable`.
    pub fn describe(&self) -> String {
        let tool = match &self.op {
            Some(op) => format!("{} {op}", self.tool),
            None => self.tool.clone(),
        };
        let outcome = match (&self.error, self.undoable) {
            (Some(code), _) => code.clone(),
            (None, true) => "ok, undoable".to_owned(),
            (None, false) => "ok".to_owned(),
        };
        let millis = self.duration.as_secs_f64() * 1000.0;
        match self.main_thread {
            Some(spent) => {
                let main = spent.as_secs_f64() * 1000.0;
                format!("{tool}: {millis:.0} ms (main thread {main:.1} ms), {outcome}")
            }
            None => format!("{tool}: {millis:.0} ms, {outcome}"),
        }
    }
}

#[cfg(test)]
mod describe_tests {
    use super::*;

    #[test]
    fn sessions_and_calls_read_as_short_lines() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(10_000);
        let session = SessionSeen {
            key: "k".into(),
            client: "claude-code".into(),
            version: "2.1.332".into(),
            calls: 1,
            first_seen: now,
            last_seen: now - Duration::from_secs(75),
        };
        assert_eq!(
            session.describe(now),
            "claude-code 2.1.332: 1 call, last 1 min ago"
        );
        let call = CallRecord {
            at: now,
            client: "x".into(),
            tool: "node_manage".into(),
            op: Some("create".into()),
            duration: Duration::from_micros(4400),
            main_thread: Some(Duration::from_micros(900)),
            error: None,
            undoable: true,
        };
        assert_eq!(
            call.describe(),
            "node_manage create: 4 ms (main thread 0.9 ms), ok, undoable"
        );
        let failed = CallRecord {
            error: Some("NODE_NOT_FOUND".into()),
            op: None,
            main_thread: None,
            ..call
        };
        assert_eq!(failed.describe(), "node_manage: 4 ms, NODE_NOT_FOUND");
        assert_eq!(ago(now - Duration::from_secs(7300), now), "2 h ago");
    }
}
