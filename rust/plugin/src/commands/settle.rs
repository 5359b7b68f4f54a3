//! Commands whose effect lands on a later frame.
//!
//! Some editor calls return before their effect is visible: switching scene tabs finishes in a
//! deferred call (and until then the editor silently ignores another `open_scene_from_path`),
//! a game starts or stops over a frame or two. Such a command hands back a [`Pending`] instead
//! of its reply; the dispatcher polls it once per frame and answers the caller only when the
//! effect is visible to the next command, so a reply always describes the world after it.
//!
//! Work too big for one frame (walking a huge scene) uses the same road: [`in_slices`] runs
//! it a [`Budget`] at a time, one slice per frame, and answers when it is done.
//!
//! Invariants:
//! - A poll never blocks and never spins a frame: it looks at the editor and says "not yet" or
//!   gives the reply.
//! - A poll is called only on the main thread, on frames after the one the command ran in.
//! - The dispatcher bounds the wait (see `main_thread`); [`Pending::give_up`] then says what
//!   did not settle, as `DEFERRED_TIMEOUT` (a batch reports the entries it ran).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use godot::classes::Engine;
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode};

/// What starting a command gives: its reply now, or a wait for its effect.
pub enum Step {
    Done(CommandResult),
    Wait(Pending),
}

impl From<CommandResult> for Step {
    fn from(result: CommandResult) -> Self {
        Step::Done(result)
    }
}

/// Something still settling: polled each frame until it gives the command's reply.
pub trait Settle {
    /// The reply once the effect is visible, `None` while it is not yet.
    fn poll(&mut self) -> Option<CommandResult>;

    /// What is being waited for, in words (`"the editor to switch to res://a.tscn"`).
    fn waiting_for(&self) -> String;

    /// How long it may wait once started, when that is longer than the dispatcher's usual
    /// bound (a reply from the running game). Asked again on every poll and counted from the
    /// start of the wait, so it may grow when the wait reaches a later stage.
    fn time_allowed(&self) -> Duration {
        Duration::ZERO
    }

    /// The reply when the wait ran out after `waited`: by default `DEFERRED_TIMEOUT` saying
    /// what did not settle. Something that did part of its work reports that part instead.
    fn give_up(&mut self, waited: Duration) -> CommandResult {
        Err(timed_out(&self.waiting_for(), waited))
    }
}

/// A command's effect that has not settled yet.
pub struct Pending(Box<dyn Settle>);

impl Pending {
    pub fn new(settle: impl Settle + 'static) -> Self {
        Self(Box::new(settle))
    }

    /// Waits until `check` gives the reply, looking only on frames after this one (so every
    /// call the command deferred has run).
    pub fn after_frame(
        waiting_for: impl Into<String>,
        check: impl FnMut() -> Option<CommandResult> + 'static,
    ) -> Self {
        Self::new(AfterFrame {
            started_frame: current_frame(),
            waiting_for: waiting_for.into(),
            check: Box::new(check),
        })
    }

    pub fn poll(&mut self) -> Option<CommandResult> {
        self.0.poll()
    }

    pub fn waiting_for(&self) -> String {
        self.0.waiting_for()
    }

    /// See [`Settle::time_allowed`].
    pub fn time_allowed(&self) -> Duration {
        self.0.time_allowed()
    }

    /// The reply when the effect did not settle within `waited` (see [`Settle::give_up`]).
    pub fn give_up(&mut self, waited: Duration) -> CommandResult {
        self.0.give_up(waited)
    }
}

/// The `DEFERRED_TIMEOUT` error for a wait for `waiting_for` that ran out after `waited`.
pub fn timed_out(waiting_for: &str, waited: Duration) -> CommandError {
    CommandError::new(
        ErrorCode::DeferredTimeout,
        format!(
            "The command ran, but waiting for {waiting_for} did not finish within {:.1}s; check \
             the editor (a dialog may be open) and read the state again before retrying.",
            waited.as_secs_f32()
        ),
    )
    .with_data("waiting_for", waiting_for)
    .with_data("waited_seconds", waited.as_secs_f64())
}

/// The engine's frame counter.
pub fn current_frame() -> u64 {
    Engine::singleton().get_process_frames()
}

struct AfterFrame {
    started_frame: u64,
    waiting_for: String,
    check: Box<dyn FnMut() -> Option<CommandResult>>,
}

impl Settle for AfterFrame {
    fn poll(&mut self) -> Option<CommandResult> {
        if current_frame() <= self.started_frame {
            return None;
        }
        (self.check)()
    }

    fn waiting_for(&self) -> String {
        self.waiting_for.clone()
    }
}

/// Main-thread time one slice of a long read may take before it lets the frame end.
const SLICE_BUDGET: Duration = Duration::from_millis(6);

/// When the current slice of work has to stop: the work checks [`Budget::spent`] as it goes
/// and leaves the rest for the next frame.
pub struct Budget {
    until: Instant,
}

impl Budget {
    fn starting_now() -> Self {
        Self {
            until: Instant::now() + slice_budget(),
        }
    }

    /// True once this slice's time is up. Cheap (a clock read): call it per item.
    pub fn spent(&self) -> bool {
        Instant::now() >= self.until
    }
}

/// The slice budget: [`SLICE_BUDGET`], or `GODOT_AI_NATIVE_SLICE_US` microseconds (read once),
/// which the tests set to 0 so that every slice takes one step and slicing itself is tested.
fn slice_budget() -> Duration {
    static BUDGET: OnceLock<Duration> = OnceLock::new();
    *BUDGET.get_or_init(|| {
        std::env::var("GODOT_AI_NATIVE_SLICE_US")
            .ok()
            .and_then(|micros| micros.parse().ok())
            .map_or(SLICE_BUDGET, Duration::from_micros)
    })
}

/// Work too big for one frame (walking a huge scene), done in slices within a [`Budget`], one
/// slice per frame, so no frame holds the editor longer than the budget plus one step.
///
/// Invariant: every slice makes progress (at least one step, even with the budget spent), and
/// work that depends on the editor's state notices when it changed between slices and starts
/// over, so the reply describes one state of the editor.
pub trait Sliced {
    /// Does the next slice: the reply when the work is done, `None` when more is left.
    fn work(&mut self, budget: &Budget) -> Option<CommandResult>;

    /// What the work is, in words (`"listing the scene's nodes"`).
    fn doing(&self) -> String;

    /// How long the whole work may take, when that is longer than the dispatcher's usual
    /// bound (see [`Settle::time_allowed`]).
    fn time_allowed(&self) -> Duration {
        Duration::ZERO
    }

    /// Called once when the work will not be asked for another slice (its time ran out or its
    /// caller has gone), to put back what it holds.
    fn abandoned(&mut self) {}
}

/// Starts `work`: its first slice runs now, the rest on the next frames.
pub fn in_slices(mut work: impl Sliced + 'static) -> Step {
    match work.work(&Budget::starting_now()) {
        Some(result) => Step::Done(result),
        None => Step::Wait(Pending::new(InSlices(work))),
    }
}

struct InSlices<W>(W);

impl<W: Sliced> Settle for InSlices<W> {
    fn poll(&mut self) -> Option<CommandResult> {
        self.0.work(&Budget::starting_now())
    }

    fn waiting_for(&self) -> String {
        self.0.doing()
    }

    fn time_allowed(&self) -> Duration {
        self.0.time_allowed()
    }

    fn give_up(&mut self, waited: Duration) -> CommandResult {
        self.0.abandoned();
        Err(timed_out(&self.waiting_for(), waited))
    }
}
