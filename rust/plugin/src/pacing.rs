//! Adaptive frame pacing, applied to Godot's in-memory `OS.low_processor_usage_mode_sleep_usec`
//! (never to EditorSettings). The decisions live in
//! [`godot_ai_executor::pacing`]; see there for the invariants.
//!
//! Every tool call waits for the main thread's next frame, so the sleep between frames is the
//! whole latency: ~7 ms focused, ~100 ms unfocused. Agents call in bursts and think for seconds
//! between them, so pacing has two tiers:
//! - while a request is queued or one arrived in the last [`BURST_FOR`], frames come every
//!   [`BOOSTED_SLEEP_USEC`] (a burst's next call is answered within about half a millisecond);
//! - until [`HOLD_FOR`] after the last request, every [`HELD_SLEEP_USEC`] (a call after a
//!   think is answered within about 2 ms, for about 2 points of one core);
//! - then the editor's own sleep again: with no client, nothing changes.
//!
//! The trade-off, from the idle CPU of a headless editor by frame sleep on this project's
//! 2-core machine (100000 us 0.55 %, 6900 us 1 %, 2000 us 2.5 %, 1000 us 4.4 %, 500 us 7.3 %
//! of a core): holding 500 us between calls 3 s apart would cost about 7 points; 2000 us costs
//! about 2 and still answers within a frame of 2 ms; 1000 us would halve the wait for about
//! 4 points. The burst tier is short so that an agent calling every few seconds spends most of
//! its time in the held tier.

use std::cell::RefCell;
use std::time::Duration;

use godot::classes::Os;
use godot::prelude::*;
use godot_ai_executor::pacing::{ActivityClock, Pacing, SleepChange};

/// The sleep between frames during a burst of requests.
pub const BOOSTED_SLEEP_USEC: i32 = 500;

/// How long after the last request the burst tier lasts.
pub const BURST_FOR: Duration = Duration::from_millis(250);

/// The sleep between frames while an agent is plausibly thinking about its next call.
pub const HELD_SLEEP_USEC: i32 = 2000;

/// How long after the last request the held tier lasts (agents think for seconds to tens of
/// seconds; one that has been silent this long has stopped).
pub const HOLD_FOR: Duration = Duration::from_secs(60);

static ACTIVITY: ActivityClock = ActivityClock::new();

thread_local! {
    static PACING: RefCell<Pacing> = RefCell::new(Pacing::new());
}

/// Records that a request was queued. Cheap, any thread, touches no Godot object.
pub fn note_activity() {
    ACTIVITY.touch();
}

/// Called once per frame on the main thread; `busy` when requests ran or are still queued.
pub fn on_frame(busy: bool) {
    let target = if busy || ACTIVITY.active_within(BURST_FOR) {
        Some(BOOSTED_SLEEP_USEC)
    } else if ACTIVITY.active_within(HOLD_FOR) {
        Some(HELD_SLEEP_USEC)
    } else {
        None
    };
    if target.is_none() && !PACING.with(|pacing| pacing.borrow().is_boosted()) {
        // Idle and nothing to give back: no decision to make, so no engine call either.
        return;
    }
    let mut os = Os::singleton();
    let current = os.get_low_processor_usage_mode_sleep_usec();
    let change = PACING.with(|pacing| pacing.borrow_mut().on_frame(current, target));
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
