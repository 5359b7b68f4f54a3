//! Frame pacing: while an agent works, the plugin sleeps between frames in the engine's place,
//! in a sleep a queued request ends. The decisions and the sleep live in
//! [`godot_ai_executor::pacing`]; see there for the invariants. Never touches EditorSettings,
//! only Godot's in-memory `OS.low_processor_usage_mode_sleep_usec`.
//!
//! Every tool call waits for the main thread's next frame, and the engine's own sleep between
//! frames (~7 ms focused, 100 ms unfocused) cannot be cut short: a call after an agent's think
//! would wait half of it on average. So while an agent works (a request in the last
//! [`HOLD_FOR`], or one running):
//! - the engine's sleep is set to 0, and at the end of each frame
//!   ([`sleep_until_next_frame`], the last thing the library does in a frame, right where the
//!   engine would sleep) the plugin sleeps until the next frame is due by the editor's own
//!   value, or until a request is queued, whichever comes first; a request that ends the sleep
//!   is started right there (`main_thread::run_woken`), as if a frame had come;
//! - while a command waits for later frames (a scan, a deferred effect), frames come every
//!   [`BUSY_SLEEP`] instead.
//!
//! The editor runs the frames it would have run (one more per call), so this costs no CPU,
//! and a call that arrives while the editor sleeps is answered as soon as it arrives. The engine only sleeps
//! between frames in low-processor mode or when it cannot draw; otherwise the plugin does not
//! sleep either.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use godot::classes::{DisplayServer, Os};
use godot::prelude::*;
use godot_ai_executor::pacing::{ActivityClock, FrameClock, FrameWaker, Pacing, SleepChange, Wake};

/// The sleep between frames while a command waits for later frames.
pub const BUSY_SLEEP: Duration = Duration::from_micros(500);

/// How long after the last request the plugin keeps sleeping in the engine's place (agents
/// think for seconds to minutes; one that has been silent this long has stopped). Then the
/// engine's own sleep is back: the first call after that waits for one normal frame.
pub const HOLD_FOR: Duration = Duration::from_secs(10 * 60);

/// The engine's sleep while the plugin sleeps in its place.
const ENGINE_SLEEP_WHILE_PACED: i32 = 0;

static ACTIVITY: ActivityClock = ActivityClock::new();
static WAKER: FrameWaker = FrameWaker::new();

thread_local! {
    static PACING: RefCell<Pacing> = RefCell::new(Pacing::new());
    static CLOCK: RefCell<FrameClock> = RefCell::new(FrameClock::new());
    /// How long the plugin sleeps at the end of this frame; `None`: the engine sleeps.
    static THIS_FRAMES_SLEEP: Cell<Option<Duration>> = const { Cell::new(None) };
}

/// Records that a request was queued, and ends the main thread's sleep. Cheap, any thread,
/// touches no Godot object.
pub fn note_activity() {
    ACTIVITY.touch();
    WAKER.wake();
}

/// Decides this frame's pacing, on the main thread, after its commands ran; `busy` when a
/// command is running or still queued.
pub fn on_frame(busy: bool) {
    let working = busy || ACTIVITY.active_within(HOLD_FOR);
    if !working && !PACING.with(|pacing| pacing.borrow().is_boosted()) {
        // Idle and nothing to give back: no decision to make, so no engine call either.
        THIS_FRAMES_SLEEP.set(None);
        return;
    }
    let mut os = Os::singleton();
    let target = (working && engine_sleeps_between_frames(&os)).then_some(ENGINE_SLEEP_WHILE_PACED);
    let current = os.get_low_processor_usage_mode_sleep_usec();
    let change = PACING.with(|pacing| pacing.borrow_mut().on_frame(current, target));
    apply(&mut os, change);
    THIS_FRAMES_SLEEP.set(owed_sleep(busy));
    if THIS_FRAMES_SLEEP.get().is_none() {
        CLOCK.with(|clock| clock.borrow_mut().reset());
    }
}

/// A frame the engine runs inside a running command (a save's or an import's progress
/// dialog): it sleeps as while busy.
pub fn on_nested_frame() {
    THIS_FRAMES_SLEEP.set(owed_sleep(true));
}

/// How [`sleep_until_next_frame`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slept {
    /// The engine sleeps this frame, not the plugin.
    NotOwed,
    /// Until the next frame was due.
    Full,
    /// Until a request was queued.
    Woken,
}

/// Sleeps in the engine's place, when this frame owes a sleep: until the next frame is due or
/// a request is queued. Called last in every frame, on the main thread.
pub fn sleep_until_next_frame() -> Slept {
    let Some(period) = THIS_FRAMES_SLEEP.take() else {
        return Slept::NotOwed;
    };
    let due = CLOCK.with(|clock| clock.borrow_mut().next_start(Instant::now(), period));
    match WAKER.sleep_until(due) {
        Wake::Woken => {
            CLOCK.with(|clock| clock.borrow_mut().started_early(Instant::now()));
            Slept::Woken
        }
        Wake::TimedOut => Slept::Full,
    }
}

/// Gives the editor its own sleep back at once (the plugin is stopping), and forgets recent
/// activity so the next frames do not pace again.
pub fn release() {
    ACTIVITY.clear();
    THIS_FRAMES_SLEEP.set(None);
    CLOCK.with(|clock| clock.borrow_mut().reset());
    let mut os = Os::singleton();
    let current = os.get_low_processor_usage_mode_sleep_usec();
    let change = PACING.with(|pacing| pacing.borrow_mut().release(current));
    apply(&mut os, change);
}

/// The sleep the plugin owes this frame, while it holds the engine's: the editor's own value,
/// or [`BUSY_SLEEP`] (never more than the editor's own) while a command waits.
fn owed_sleep(busy: bool) -> Option<Duration> {
    let editor = PACING.with(|pacing| pacing.borrow().editor_sleep())?;
    let editor = Duration::from_micros(u64::try_from(editor).unwrap_or(0));
    Some(if busy { BUSY_SLEEP.min(editor) } else { editor })
}

/// Whether the engine sleeps between frames at all (as `OS::add_frame_delay` decides): in
/// low-processor mode, or when its window cannot draw (headless).
fn engine_sleeps_between_frames(os: &Gd<Os>) -> bool {
    os.is_in_low_processor_usage_mode() || !DisplayServer::singleton().window_can_draw()
}

fn apply(os: &mut Gd<Os>, change: SleepChange) {
    if let SleepChange::Set(usec) = change {
        os.set_low_processor_usage_mode_sleep_usec(usec);
    }
}
