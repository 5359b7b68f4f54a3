//! Adaptive frame pacing, applied to Godot's in-memory `OS.low_processor_usage_mode_sleep_usec`
//! (never to EditorSettings). The decisions live in
//! [`godot_ai_executor::pacing`]; see there for the invariants.
//!
//! Every tool call waits for the main thread's next frame, so the sleep between frames is the
//! whole latency: ~7 ms focused, ~100 ms unfocused. While a request is queued or one arrived in
//! the last [`IDLE_AFTER`], frames come every [`BOOSTED_SLEEP_USEC`] instead. With no client,
//! nothing changes.

use std::cell::RefCell;
use std::time::Duration;

use godot::classes::Os;
use godot::prelude::*;
use godot_ai_executor::pacing::{ActivityClock, Pacing, SleepChange};

/// The sleep between frames while requests flow.
pub const BOOSTED_SLEEP_USEC: i32 = 500;

/// How long after the last request the boost lasts.
pub const IDLE_AFTER: Duration = Duration::from_secs(2);

static ACTIVITY: ActivityClock = ActivityClock::new();

thread_local! {
    static PACING: RefCell<Pacing> = RefCell::new(Pacing::new(BOOSTED_SLEEP_USEC));
}

/// Records that a request was queued. Cheap, any thread, touches no Godot object.
pub fn note_activity() {
    ACTIVITY.touch();
}

/// Called once per frame on the main thread; `busy` when requests ran or are still queued.
pub fn on_frame(busy: bool) {
    let active = busy || ACTIVITY.active_within(IDLE_AFTER);
    if !active && !PACING.with(|pacing| pacing.borrow().is_boosted()) {
        // Idle and nothing to give back: no decision to make, so no engine call either.
        return;
    }
    let mut os = Os::singleton();
    let current = os.get_low_processor_usage_mode_sleep_usec();
    let change = PACING.with(|pacing| pacing.borrow_mut().on_frame(current, active));
    apply(&mut os, change);
}

/// Gives the editor its own sleep back at once (the plugin is stopping), and forgets recent
/// activity so the next frames do not boost again.
pub fn release() {
    ACTIVITY.clear();
    let mut os = Os::singleton();
    let current = os.get_low_processor_usage_mode_sleep_usec();
    let change = PACING.with(|pacing| pacing.borrow_mut().release(current));
    apply(&mut os, change);
}

fn apply(os: &mut Gd<Os>, change: SleepChange) {
    if let SleepChange::Set(usec) = change {
        os.set_low_processor_usage_mode_sleep_usec(usec);
    }
}
