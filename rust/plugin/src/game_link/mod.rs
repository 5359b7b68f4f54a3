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

#[derive(Default)]
struct Link {
    attached: Option<Attached>,
    /// A session that started and has not said hello yet, and when it was last welcomed.
    welcoming: Option<(Attached, Instant)>,
    next_id: i64,
    replies: HashMap<i64, GameReply>,
    /// Requests sent and not answered, with whether each is an eval (see `on_break`).
    outstanding: HashMap<i64, bool>,
    log: GameLog,
}

impl Link {
    fn is_welcoming(&self, session_id: i32) -> bool {
        self.welcoming
            .as_ref()
            .is_some_and(|(welcoming, _)| welcoming.session_id == session_id)
    }

    fn is_attached(&self, session_id: i32) -> bool {
        self.attached
            .as_ref()
            .is_some_and(|attached| attached.session_id == session_id)
    }
}

/// How often a waiting request re-sends the welcome to a game that has not said hello (the
/// first may have arrived before the game listened).
const WELCOME_AGAIN: Duration = Duration::from_millis(500);

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
    let (id, mut session) = LINK
        .with(|link| {
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
        })
        .inspect_err(|not_sent| {
            if *not_sent == NotSent::NotReady {
                welcome_again();
            }
        })?;
    let params = serde_json::to_string(params).unwrap_or_else(|_| "{}".into());
    session
        .send_message_ex(&game_channel::message(REQUEST))
        .data(&varray![id, op, params])
        .done();
    Ok(id)
}

/// Welcomes the starting game again if the last welcome is old (see [`WELCOME_AGAIN`]).
fn welcome_again() {
    let session = LINK.with(|link| {
        let mut link = link.borrow_mut();
        let (attached, last) = link.welcoming.as_mut()?;
        if last.elapsed() < WELCOME_AGAIN {
            return None;
        }
        *last = Instant::now();
        Some(attached.session.clone())
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
/// not reachable yet), `live` (answers requests) or `break` (paused at a debugger break).
pub fn game_status() -> &'static str {
    let session = LINK.with(|link| {
        link.borrow()
            .attached
            .as_ref()
            .map(|attached| attached.session.clone())
    });
    match session {
        Some(session) if session.is_breaked() => "break",
        Some(_) => "live",
        None if is_playing() => "launching",
        None => "stopped",
    }
}

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
                    godot_warn!(
                        "MCP | the running game speaks another version of the plugin's protocol \
                         ({version:?}, this editor {PROTOCOL}); reinstall the addon so both match"
                    );
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

/// A game's debugger session has started: its lines go to a new run, and it is welcomed.
fn on_started(session_id: i32, session: Gd<EditorDebuggerSession>) {
    on_stopped(session_id);
    LINK.with(|link| {
        let mut link = link.borrow_mut();
        link.log.start_run();
        link.welcoming = Some((
            Attached {
                session_id,
                session: session.clone(),
            },
            Instant::now(),
        ));
    });
    welcome(session);
}

fn on_hello(session_id: i32, session: Gd<EditorDebuggerSession>) {
    LINK.with(|link| {
        let mut link = link.borrow_mut();
        if link.is_welcoming(session_id) {
            link.welcoming = None;
        }
        link.attached = Some(Attached {
            session_id,
            session,
        });
    });
    tracing::debug!(session_id, "the running game is ready for requests");
}

/// A game's session has ended (or restarted): requests to it fail at once, its run ends.
fn on_stopped(session_id: i32) {
    LINK.with(|link| {
        let mut link = link.borrow_mut();
        if link.is_welcoming(session_id) {
            link.welcoming = None;
            link.log.end_run();
        }
        if link.is_attached(session_id) {
            link.attached = None;
            // Every waiting request now fails at once (see `take_reply`).
            link.outstanding.clear();
            link.replies.clear();
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
