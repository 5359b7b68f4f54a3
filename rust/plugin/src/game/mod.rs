//! The library's part inside a game the editor runs (F5, F6, or `project_run`): it answers the
//! editor's requests about the live game over the debugger connection (see
//! [`crate::game_channel`]) and forwards what the game logs.
//!
//! It starts only in a game process with the debugger attached, so an exported game without
//! the debugger pays nothing, and it sends nothing until the editor's plugin welcomes it (an
//! editor without the plugin would print a warning for every message it does not know).
//! Nothing is added to the project: no autoload, no node until a request needs one.
//!
//! Invariants:
//! - Everything runs on the main thread: the debugger's message capture and the per-frame hook.
//! - The capture only queues requests (it may run inside one of our own frames, while a
//!   debugger break holds the game in an evaluated piece of code), with one exception:
//!   `break_status`, which must be answered during the break itself.
//! - No `RefCell` borrow is held while game code runs (an eval, an input event's handlers,
//!   the logger's GDScript).

mod eval;
mod input;
mod logs;
mod requests;
mod tree;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use godot::classes::{Engine, EngineDebugger};
use godot::prelude::*;
use serde_json::Value;

use crate::game_channel::{self, HELLO, PROTOCOL, REQUEST, WELCOME};
use crate::log_capture::{Entry, LogCapture};

pub use requests::BREAK_STATUS;

thread_local! {
    /// The game side, once started.
    static GAME: RefCell<Option<GameSide>> = const { RefCell::new(None) };
    /// Requests received, not handled yet (see the module invariants).
    static INBOX: RefCell<VecDeque<requests::Request>> = const { RefCell::new(VecDeque::new()) };
    /// Set by the editor's first welcome: an editor with this plugin listens (see
    /// [`game_channel`]).
    static WELCOMED: Cell<bool> = const { Cell::new(false) };
    /// Set by every welcome: the next frame says hello. The editor welcomes until it hears a
    /// hello, and again after its plugin restarted while the game ran.
    static HELLO_DUE: Cell<bool> = const { Cell::new(false) };
}

struct GameSide {
    logs: LogCapture,
    /// Lines logged before the editor's welcome, sent once it comes (bounded).
    unsent: VecDeque<Entry>,
    unsent_dropped: i64,
    /// The latest script errors (parse and runtime), numbered in logging order, for the evals
    /// to find their own.
    script_errors: VecDeque<(u64, Entry)>,
    logged: u64,
}

/// Script errors kept for [`script_errors_since`].
const KEPT_SCRIPT_ERRORS: usize = 32;

/// Lines kept while no editor has welcomed the game.
const KEPT_UNSENT: usize = 2000;

/// Starts the game side when this process is a game run with the debugger attached.
pub fn start_if_debugged() {
    if godot::init::is_editor_hint() || !EngineDebugger::singleton().is_active() {
        return;
    }
    let logs = match LogCapture::install() {
        Ok(logs) => logs,
        Err(reason) => {
            godot_warn!("MCP | the game's log lines will not reach the editor: {reason}");
            LogCapture::disabled()
        }
    };
    EngineDebugger::singleton().register_message_capture(
        game_channel::PREFIX,
        &Callable::from_fn("godot_ai_native_capture", |args: &[&Variant]| {
            capture(args);
            true
        }),
    );
    GAME.with(|game| {
        game.replace(Some(GameSide {
            logs,
            unsent: VecDeque::new(),
            unsent_dropped: 0,
            script_errors: VecDeque::new(),
            logged: 0,
        }))
    });
}

/// Stops the game side (the game is quitting), sending its last lines.
pub fn stop() {
    flush_logs();
    if GAME.with(|game| game.take()).is_some() {
        let mut debugger = EngineDebugger::singleton();
        if debugger.has_capture(game_channel::PREFIX) {
            debugger.unregister_message_capture(game_channel::PREFIX);
        }
        LogCapture::uninstall();
    }
}

/// Once per frame: log lines, hello (if welcomed since the last frame), then the queued
/// requests and the multi-frame ones. A panic in one request answers it with an error; the
/// others still run.
pub fn frame() {
    if GAME.with(|game| game.borrow().is_none()) {
        return;
    }
    // Lines first: the editor handles messages in order, so once it has heard the hello it
    // holds every line logged before it.
    flush_logs();
    if HELLO_DUE.with(|due| due.replace(false)) {
        send(HELLO, &varray![PROTOCOL]);
    }
    let queued: Vec<requests::Request> = INBOX.with(|inbox| inbox.borrow_mut().drain(..).collect());
    for request in queued {
        if request.op == requests::SCREENSHOT
            && !tree::is_headless()
            && Engine::singleton().get_frames_drawn() == 0
        {
            // Nothing drawn yet: the request waits for the first frame.
            INBOX.with(|inbox| inbox.borrow_mut().push_back(request));
            continue;
        }
        let id = request.id;
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| requests::handle(request)))
            .is_err()
        {
            reply(
                id,
                Err((
                    "INTERNAL_ERROR",
                    "The game failed to run this request".into(),
                )),
            );
        }
    }
    eval::advance();
    input::advance_sequences();
}

/// Sends what the game logged since the last call to the editor (once it has welcomed the
/// game; until then the lines wait, bounded), keeping its script errors.
pub fn flush_logs() {
    // The logger is called with no borrow held: its GDScript may stop at a debugger break,
    // during which the capture runs.
    let Some(logs) = GAME.with(|game| game.borrow().as_ref().map(|side| side.logs.clone())) else {
        return;
    };
    let (entries, dropped) = logs.take();
    let welcomed = WELCOMED.with(Cell::get);
    let ready = GAME.with(|game| {
        let mut game = game.borrow_mut();
        let side = game.as_mut()?;
        for entry in &entries {
            side.logged += 1;
            if entry.is_script_error() {
                if side.script_errors.len() == KEPT_SCRIPT_ERRORS {
                    side.script_errors.pop_front();
                }
                side.script_errors.push_back((side.logged, entry.clone()));
            }
        }
        side.unsent.extend(entries);
        side.unsent_dropped += dropped;
        while side.unsent.len() > KEPT_UNSENT {
            side.unsent.pop_front();
            side.unsent_dropped += 1;
        }
        if !welcomed {
            return None;
        }
        let dropped = std::mem::take(&mut side.unsent_dropped);
        Some((side.unsent.drain(..).collect::<Vec<_>>(), dropped))
    });
    if let Some((entries, dropped)) = ready {
        logs::send(&entries, dropped);
    }
}

/// How many entries have been logged so far: a mark for [`script_errors_since`].
pub fn log_mark() -> u64 {
    GAME.with(|game| game.borrow().as_ref().map_or(0, |side| side.logged))
}

/// The script errors logged after `mark` (flush first to include the latest).
pub fn script_errors_since(mark: u64) -> Vec<Entry> {
    GAME.with(|game| {
        game.borrow().as_ref().map_or_else(Vec::new, |side| {
            side.script_errors
                .iter()
                .filter(|(seq, _)| *seq > mark)
                .map(|(_, entry)| entry.clone())
                .collect()
        })
    })
}

/// The debugger capture: queue a request, or answer `break_status` at once.
fn capture(args: &[&Variant]) {
    let (Some(message), Some(data)) = (args.first(), args.get(1)) else {
        return;
    };
    let message = message.to_string();
    match game_channel::name_of(&message) {
        WELCOME => {
            WELCOMED.with(|welcomed| welcomed.set(true));
            HELLO_DUE.with(|due| due.set(true));
            return;
        }
        REQUEST => {}
        _ => return,
    }
    let Ok(data) = data.try_to::<VarArray>() else {
        return;
    };
    let Some(request) = requests::Request::decode(&data) else {
        godot_warn!("MCP | the editor sent a request the game cannot read: {data}");
        return;
    };
    if request.op == requests::BREAK_STATUS {
        requests::handle(request);
    } else {
        INBOX.with(|inbox| inbox.borrow_mut().push_back(request));
    }
}

/// Sends `godot_ai_native:<name>` to the editor.
fn send(name: &str, data: &VarArray) {
    EngineDebugger::singleton().send_message(&game_channel::message(name), data);
}

/// Sends the reply to request `id`: the result object, or an error.
fn reply(id: i64, result: Result<Value, (&'static str, String)>) {
    let (ok, body) = match result {
        Ok(value) => (true, value),
        Err((code, message)) => (false, serde_json::json!({"code": code, "message": message})),
    };
    send(
        game_channel::REPLY,
        &varray![id, ok, serde_json::to_string(&body).unwrap_or_default()],
    );
}
