//! The editor's end of the channel to a running game (see [`crate::game_channel`]): an
//! `EditorDebuggerPlugin` that hears the game's hello, log lines and replies, and sends it
//! requests. It works for every game the editor's debugger attaches to: `project_run`, F5, F6.
//!
//! Invariants:
//! - Main thread only; the state is thread-local and no borrow of it is held across an engine
//!   call that could call back into it (sending a message, continuing a break).
//! - A request is sent only to a session that said hello with our protocol (Godot drops
//!   messages to a game that has not registered our capture yet); a request to no such game
//!   is answered at once with a clear error.
//! - Every request gets one answer: the game's reply, the session's end, or the caller's
//!   deadline (see [`crate::commands::runtime`]).

mod game_log;

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use godot::classes::{EditorDebuggerPlugin, EditorDebuggerSession, IEditorDebuggerPlugin};
use godot::prelude::*;
use godot_ai_mcp::{EditorEvent, LogSource, Severity};
use serde_json::Value;

pub use game_log::{GameLine, GameLog};

use crate::game_channel::{self, HELLO, LOGS, PROTOCOL, REPLY, REQUEST, WELCOME};

/// What a request got back: the result object, or the game's `{code, message}`.
pub type GameReply = Result<Value, (String, String)>;

/// The game session requests go to, once it said hello.
struct Attached {
    session_id: i32,
    session: Gd<EditorDebuggerSession>,
}

/// A game session that started and has not said hello yet: it is welcomed on a schedule.
struct Starting {
    game: Attached,
    /// When its debugger session started (or the plugin found it running).
    since: Instant,
    last_welcome: Instant,
    welcomes: u32,
}

#[derive(Default)]
struct Link {
    attached: Option<Attached>,
    starting: Option<Starting>,
    /// Why the current session can never be reached (it speaks another protocol version).
    unreachable: Option<(i32, String)>,
    next_id: i64,
    replies: HashMap<i64, GameReply>,
    /// Requests sent and not answered, with whether each is an eval (see `on_break`).
    outstanding: HashMap<i64, bool>,
    log: GameLog,
}

impl Link {
    fn is_starting(&self, session_id: i32) -> bool {
        self.starting
            .as_ref()
            .is_some_and(|starting| starting.game.session_id == session_id)
    }

    fn is_attached(&self, session_id: i32) -> bool {
        self.attached
            .as_ref()
            .is_some_and(|attached| attached.session_id == session_id)
    }
}

/// How often a starting game is welcomed again until it says hello. The engine drops a
/// welcome that arrives before the game registered its capture, and nothing else would send
/// another: the link must form whether or not anyone asks the game something.
const WELCOME_AGAIN: Duration = Duration::from_millis(250);

thread_local! {
    static LINK: RefCell<Link> = RefCell::new(Link::default());
}

/// Why a request could not be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSent {
    /// No game is running.
    NotRunning,
    /// A game runs but has not said hello (still starting, or started without the debugger).
    NotReady,
}

/// Sends `op` with `params` to the game; returns the request id to poll with [`take_reply`].
pub fn send_request(op: &str, params: &Value, is_eval: bool) -> Result<i64, NotSent> {
    let (id, mut session) = LINK.with(|link| {
        let mut link = link.borrow_mut();
        let Some(attached) = link.attached.as_ref() else {
            return Err(if is_playing() {
                NotSent::NotReady
            } else {
                NotSent::NotRunning
            });
        };
        let session = attached.session.clone();
        link.next_id += 1;
        let id = link.next_id;
        link.outstanding.insert(id, is_eval);
        Ok((id, session))
    })?;
    let params = serde_json::to_string(params).unwrap_or_else(|_| "{}".into());
    session
        .send_message_ex(&game_channel::message(REQUEST))
        .data(&varray![id, op, params])
        .done();
    Ok(id)
}

/// Once per editor frame: welcomes a starting game again when the last welcome is
/// [`WELCOME_AGAIN`] old, until it says hello or its session ends.
pub fn frame() {
    let session = LINK.with(|link| {
        let mut link = link.borrow_mut();
        let starting = link.starting.as_mut()?;
        if starting.last_welcome.elapsed() < WELCOME_AGAIN {
            return None;
        }
        starting.last_welcome = Instant::now();
        starting.welcomes += 1;
        Some(starting.game.session.clone())
    });
    if let Some(session) = session {
        welcome(session);
    }
}

fn welcome(mut session: Gd<EditorDebuggerSession>) {
    if session.is_active() {
        session.send_message(&game_channel::message(WELCOME));
    }
}

/// Forgets every game session (the plugin is stopping): requests in flight fail at once, and
/// a game still running is welcomed again when the plugin starts.
pub fn detach() {
    let sessions: Vec<i32> = LINK.with(|link| {
        let link = link.borrow();
        let attached = link.attached.as_ref().map(|attached| attached.session_id);
        let starting = link
            .starting
            .as_ref()
            .map(|starting| starting.game.session_id);
        attached.into_iter().chain(starting).collect()
    });
    for session_id in sessions {
        on_stopped(session_id);
    }
}

/// The reply to request `id`, once it has come; an error once its game has gone.
pub fn take_reply(id: i64) -> Option<GameReply> {
    LINK.with(|link| {
        let mut link = link.borrow_mut();
        if let Some(reply) = link.replies.remove(&id) {
            link.outstanding.remove(&id);
            return Some(reply);
        }
        if !link.outstanding.contains_key(&id) {
            return Some(Err((
                "EDITOR_NOT_READY".into(),
                "The game stopped before it answered; run it again (project_run) and retry".into(),
            )));
        }
        None
    })
}

/// Forgets request `id` (its caller gave up).
pub fn abandon(id: i64) {
    LINK.with(|link| {
        let mut link = link.borrow_mut();
        link.outstanding.remove(&id);
        link.replies.remove(&id);
    });
}

/// The running game as godot-ai names its state: `stopped` (no game), `launching` (running,
/// not reachable yet), `live` (answers requests) or `break` (paused at a debugger break); and
/// `unreachable` for a game this editor can never reach (see [`game_status_detail`]).
pub fn game_status() -> &'static str {
    let (session, unreachable) = LINK.with(|link| {
        let link = link.borrow();
        let session = link
            .attached
            .as_ref()
            .map(|attached| attached.session.clone());
        (session, link.unreachable.is_some())
    });
    match session {
        Some(session) if session.is_breaked() => "break",
        Some(_) => "live",
        None if !is_playing() => "stopped",
        None if unreachable => "unreachable",
        None => "launching",
    }
}

/// Why a running game is not reachable yet, in words, while it is not (`None` once it is, or
/// when no game runs).
pub fn game_status_detail() -> Option<String> {
    if !is_playing() {
        return None;
    }
    LINK.with(|link| {
        let link = link.borrow();
        if link.attached.is_some() {
            return None;
        }
        if let Some((_, reason)) = &link.unreachable {
            return Some(reason.clone());
        }
        Some(match &link.starting {
            Some(starting) => starting_detail(starting.since.elapsed(), starting.welcomes + 1),
            None => NO_SESSION_DETAIL.to_owned(),
        })
    })
}

/// The words for a game whose debugger session started `waited` ago and has been welcomed
/// `welcomes` times without answering.
fn starting_detail(waited: Duration, welcomes: u32) -> String {
    format!(
        "The game's debugger session started {:.1}s ago and the game has not answered the \
         plugin yet ({welcomes} welcome{} sent). A game answers on its first frame, so one that \
         is still loading answers late; a game run without this addon's library (missing for \
         this platform in addons/godot_ai_native/bin) never does.",
        waited.as_secs_f64(),
        if welcomes == 1 { "" } else { "s" },
    )
}

/// The words for a game the editor plays that its debugger has not connected to.
const NO_SESSION_DETAIL: &str = "The game process is starting and has not connected to the \
     editor's debugger yet. If this lasts, the game was not run from this editor, or another \
     program holds the debugger port (Editor Settings > network/debug/remote_port).";

fn is_playing() -> bool {
    godot::classes::EditorInterface::singleton().is_playing_scene()
}

/// Reads the game log.
pub fn with_log<R>(read: impl FnOnce(&GameLog) -> R) -> R {
    LINK.with(|link| read(&link.borrow().log))
}

/// Registered with the editor by the plugin's controller.
#[derive(GodotClass)]
#[class(base = EditorDebuggerPlugin, init, tool)]
pub struct GameDebugger {
    base: Base<EditorDebuggerPlugin>,
}

#[godot_api]
impl IEditorDebuggerPlugin for GameDebugger {
    fn setup_session(&mut self, session_id: i32) {
        let Some(session) = self.base().get_session(session_id) else {
            return;
        };
        if session.is_active() {
            // A game that was already running when the plugin started.
            on_started(session_id, session.clone());
        }
        let started = session.clone();
        session
            .signals()
            .started()
            .connect(move || on_started(session_id, started.clone()));
        session
            .signals()
            .stopped()
            .connect(move || on_stopped(session_id));
        session
            .signals()
            .breaked()
            .connect(move |_can_debug| on_break(session_id));
    }

    fn has_capture(&self, capture: GString) -> bool {
        capture == game_channel::PREFIX
    }

    fn capture(&mut self, message: GString, data: VarArray, session_id: i32) -> bool {
        let message = message.to_string();
        match game_channel::name_of(&message) {
            HELLO => {
                let version = data.get(0).and_then(|v| v.try_to::<i64>().ok());
                if version != Some(PROTOCOL) {
                    on_other_protocol(session_id, version);
                    return true;
                }
                if let Some(session) = self.base().get_session(session_id) {
                    on_hello(session_id, session);
                }
            }
            LOGS => on_logs(&data),
            REPLY => on_reply(&data),
            _ => {}
        }
        true
    }
}

/// A game's debugger session has started: its lines go to a new run, and it is welcomed (now
/// and on a schedule, see [`frame`]).
fn on_started(session_id: i32, session: Gd<EditorDebuggerSession>) {
    on_stopped(session_id);
    let now = Instant::now();
    LINK.with(|link| {
        let mut link = link.borrow_mut();
        link.log.start_run();
        link.starting = Some(Starting {
            game: Attached {
                session_id,
                session: session.clone(),
            },
            since: now,
            last_welcome: now,
            welcomes: 0,
        });
    });
    welcome(session);
}

fn on_hello(session_id: i32, session: Gd<EditorDebuggerSession>) {
    let waited = LINK.with(|link| {
        let mut link = link.borrow_mut();
        let waited = link
            .starting
            .take_if(|starting| starting.game.session_id == session_id)
            .map(|starting| starting.since.elapsed());
        link.attached = Some(Attached {
            session_id,
            session,
        });
        waited
    });
    if let Some(waited) = waited {
        tracing::debug!(
            session_id,
            waited_ms = waited.as_millis() as u64,
            "the running game is ready for requests"
        );
    }
}

/// A game said hello in another version of the channel: it is never reached, and says why.
fn on_other_protocol(session_id: i32, version: Option<i64>) {
    let version = version.map_or_else(|| "unknown".to_owned(), |version| version.to_string());
    let reason = format!(
        "The running game has another version of this addon's library (channel version \
         {version}, this editor {PROTOCOL}), so the plugin cannot reach it: reinstall the addon \
         so the editor and the game load the same library, then run the game again."
    );
    godot_warn!("MCP | {reason}");
    LINK.with(|link| {
        let mut link = link.borrow_mut();
        if link.is_starting(session_id) {
            link.starting = None;
        }
        link.unreachable = Some((session_id, reason));
    });
}

/// A game's session has ended (or restarted): requests to it fail at once, its run ends.
fn on_stopped(session_id: i32) {
    LINK.with(|link| {
        let mut link = link.borrow_mut();
        if link.is_starting(session_id) {
            link.starting = None;
            link.log.end_run();
        }
        if link.is_attached(session_id) {
            link.attached = None;
            // Every waiting request now fails at once (see `take_reply`).
            link.outstanding.clear();
            link.replies.clear();
            link.log.end_run();
        }
        if link
            .unreachable
            .as_ref()
            .is_some_and(|(unreachable, _)| *unreachable == session_id)
        {
            link.unreachable = None;
            link.log.end_run();
        }
    });
    BREAK_CHECKS.with(|checks| checks.borrow_mut().clear());
}

/// A debugger break while an eval runs: ask the game whether the eval's code raised an error,
/// and if so continue the game (the eval answers with that error).
fn on_break(session_id: i32) {
    let session = LINK.with(|link| {
        let link = link.borrow();
        let attached = link.attached.as_ref()?;
        let eval_waiting = link.outstanding.values().any(|is_eval| *is_eval);
        (attached.session_id == session_id && eval_waiting).then(|| attached.session.clone())
    });
    if session.is_none() {
        return;
    }
    let Ok(id) = send_request(crate::game::BREAK_STATUS, &serde_json::json!({}), false) else {
        return;
    };
    BREAK_CHECKS.with(|checks| checks.borrow_mut().push(id));
}

thread_local! {
    /// `break_status` requests in flight: their replies decide whether to continue.
    static BREAK_CHECKS: RefCell<Vec<i64>> = const { RefCell::new(Vec::new()) };
}

fn on_logs(data: &VarArray) {
    let entries: Vec<GameLine> = data
        .get(0)
        .and_then(|v| v.try_to::<VarArray>().ok())
        .map(|list| {
            list.iter_shared()
                .filter_map(|item| item.try_to::<VarArray>().ok())
                .filter_map(|item| GameLine::from_array(&item))
                .collect()
        })
        .unwrap_or_default();
    let dropped = data
        .get(1)
        .and_then(|v| v.try_to::<i64>().ok())
        .unwrap_or(0);
    for line in &entries {
        crate::change_watch::publish(EditorEvent::Log {
            source: LogSource::Game,
            severity: Severity::of_level_name(&line.level),
            text: line.readable_text(),
        });
    }
    LINK.with(|link| link.borrow_mut().log.append(entries, dropped.max(0) as u64));
}

fn on_reply(data: &VarArray) {
    let Some(id) = data.get(0).and_then(|v| v.try_to::<i64>().ok()) else {
        return;
    };
    let ok = data
        .get(1)
        .and_then(|v| v.try_to::<bool>().ok())
        .unwrap_or(false);
    let body: Value = data
        .get(2)
        .and_then(|v| serde_json::from_str(&v.to_string()).ok())
        .unwrap_or(Value::Null);
    let reply = if ok {
        Ok(body)
    } else {
        let text = |key: &str| {
            body.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Err((text("code"), text("message")))
    };
    let is_break_check = BREAK_CHECKS.with(|checks| {
        let mut checks = checks.borrow_mut();
        let index = checks.iter().position(|check| *check == id);
        index.map(|index| checks.remove(index)).is_some()
    });
    if is_break_check {
        LINK.with(|link| link.borrow_mut().outstanding.remove(&id));
        continue_if_eval_error(&reply);
        return;
    }
    LINK.with(|link| {
        let mut link = link.borrow_mut();
        if link.outstanding.contains_key(&id) {
            link.replies.insert(id, reply);
        }
    });
}

/// Continues the game when the break was an error in evaluated code (a breakpoint the user set
/// is left alone).
fn continue_if_eval_error(reply: &GameReply) {
    let caused_by_eval = reply
        .as_ref()
        .ok()
        .and_then(|status| status.get("eval_error"))
        .is_some_and(|error| !error.is_null());
    if !caused_by_eval {
        return;
    }
    let session = LINK.with(|link| {
        link.borrow()
            .attached
            .as_ref()
            .map(|attached| attached.session.clone())
    });
    if let Some(mut session) = session {
        session.send_message("continue");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_starting_game_is_described_with_its_wait_and_welcomes() {
        let first = starting_detail(Duration::from_millis(2_140), 1);
        assert!(first.starts_with("The game's debugger session started 2.1s ago"));
        assert!(first.contains("(1 welcome sent)"));
        let later = starting_detail(Duration::from_secs(12), 48);
        assert!(later.contains("started 12.0s ago") && later.contains("(48 welcomes sent)"));
    }
}
