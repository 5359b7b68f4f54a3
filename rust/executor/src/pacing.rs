//! The Godot-free half of frame pacing (the plugin applies it to Godot's `OS`).
//!
//! Every tool call is answered in a frame of the editor's main thread, and between frames the
//! engine sleeps (`OS.low_processor_usage_mode_sleep_usec`: ~7 ms focused, 100 ms unfocused)
//! in a sleep nothing can cut short. While an agent works, the plugin takes that sleep over:
//! the engine's value is set to 0 and the plugin sleeps the same time at the end of each frame
//! itself ([`FrameClock`] keeps the engine's cadence), in a sleep a queued request ends at once
//! ([`FrameWaker`]). So a call is answered within a frame of arriving, however long the agent
//! thought, and the editor runs as many frames as it would have: pacing costs no CPU.
//!
//! [`Pacing`] decides the engine's value frame by frame. When the agent has stopped, the
//! editor gets back the value it wants now: the latest value seen that was not ours (the
//! editor rewrites it on focus in and out, even while we pace it).
//!
//! Invariants:
//! - A target is never above the editor's own value, and the plugin never sleeps longer than
//!   the editor's own value: pacing only ever makes frames come sooner.
//! - Whatever the editor writes while we pace is what it gets back.
//! - A wake is never lost: one that comes while nobody sleeps ends the next sleep at once.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// What to do with the sleep value this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SleepChange {
    Keep,
    Set(i32),
}

/// The pacing state of one editor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pacing {
    /// The sleep the editor wants, while we hold a lower one.
    editor_sleep: Option<i32>,
    /// The value we last set, while it is in force.
    applied: Option<i32>,
}

impl Pacing {
    pub fn new() -> Self {
        Self::default()
    }

    /// True while a sleep of ours is held.
    pub fn is_boosted(&self) -> bool {
        self.editor_sleep.is_some()
    }

    /// The sleep the editor wants, while a lower one of ours is held.
    pub fn editor_sleep(&self) -> Option<i32> {
        self.editor_sleep
    }

    /// Decides this frame's change, given the sleep now in force and the sleep wanted while an
    /// agent works (`None`: it has stopped).
    pub fn on_frame(&mut self, current: i32, target: Option<i32>) -> SleepChange {
        let editor = match (self.applied, self.editor_sleep) {
            (Some(applied), Some(editor)) if applied == current => editor,
            _ => current,
        };
        match target.map(|target| target.min(editor)) {
            Some(target) if target < editor => {
                self.editor_sleep = Some(editor);
                self.applied = Some(target);
                if target == current {
                    SleepChange::Keep
                } else {
                    SleepChange::Set(target)
                }
            }
            _ => {
                let ours_in_force = self.applied.take() == Some(current);
                self.editor_sleep = None;
                if ours_in_force && editor != current {
                    SleepChange::Set(editor)
                } else {
                    SleepChange::Keep
                }
            }
        }
    }

    /// Gives the editor its value back at once (the plugin is stopping).
    pub fn release(&mut self, current: i32) -> SleepChange {
        self.on_frame(current, None)
    }
}

/// When the last request was queued: written from any thread, read on the main thread.
#[derive(Debug, Default)]
pub struct ActivityClock {
    /// Milliseconds since [`epoch`], plus one; 0 = never.
    last: AtomicU64,
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

impl ActivityClock {
    /// A clock that has seen no activity.
    pub const fn new() -> Self {
        Self {
            last: AtomicU64::new(0),
        }
    }

    /// Records activity now.
    pub fn touch(&self) {
        let now = epoch().elapsed().as_millis() as u64 + 1;
        self.last.store(now, Ordering::Relaxed);
    }

    /// Forgets recorded activity.
    pub fn clear(&self) {
        self.last.store(0, Ordering::Relaxed);
    }

    /// True when activity was recorded less than `window` ago.
    pub fn active_within(&self, window: Duration) -> bool {
        match self.last.load(Ordering::Relaxed) {
            0 => false,
            last => {
                (epoch().elapsed().as_millis() as u64 + 1).saturating_sub(last)
                    < window.as_millis() as u64
            }
        }
    }
}

/// The start times of frames while the plugin sleeps in the engine's place, kept as the
/// engine keeps them: one `period` after the previous start, so the frame's own work is part
/// of the period; a frame that ran long is caught up with at most one frame of no sleep.
#[derive(Debug, Clone, Default)]
pub struct FrameClock {
    /// When the next frame was due to start.
    next: Option<Instant>,
}

impl FrameClock {
    pub fn new() -> Self {
        Self::default()
    }

    /// When the frame after this one should start, `period` after this one's (a clock that
    /// has just started counts from `now`). Never earlier than `now`, never later than
    /// `now + period`.
    pub fn next_start(&mut self, now: Instant, period: Duration) -> Instant {
        let behind = now.checked_sub(period).unwrap_or(now);
        let this_start = self.next.map_or(now, |due| due.max(behind));
        let next = (this_start + period).clamp(now, now + period);
        self.next = Some(next);
        next
    }

    /// A frame starts early, at `at` (a request woke the sleep): the next period counts from
    /// there.
    pub fn started_early(&mut self, at: Instant) {
        if let Some(due) = &mut self.next {
            *due = (*due).min(at);
        }
    }

    /// Forgets the cadence (the plugin no longer sleeps in the engine's place).
    pub fn reset(&mut self) {
        self.next = None;
    }
}

/// How a [`FrameWaker::sleep_until`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// A request was queued (now or before the sleep began).
    Woken,
    /// The deadline came.
    TimedOut,
}

/// A sleep that a queued request ends: [`wake`](Self::wake) from any thread, the main thread
/// sleeps. A wake while nobody sleeps is kept for the next sleep, which then returns at once.
#[derive(Debug, Default)]
pub struct FrameWaker {
    woken: Mutex<bool>,
    signal: Condvar,
}

impl FrameWaker {
    pub const fn new() -> Self {
        Self {
            woken: Mutex::new(false),
            signal: Condvar::new(),
        }
    }

    /// Ends the current sleep, or the next one. Any thread; never blocks for long.
    pub fn wake(&self) {
        *self.woken.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.signal.notify_one();
    }

    /// Sleeps until `deadline` or a wake, whichever comes first, and takes the wake.
    pub fn sleep_until(&self, deadline: Instant) -> Wake {
        let mut woken = self.woken.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if std::mem::take(&mut *woken) {
                return Wake::Woken;
            }
            let now = Instant::now();
            if now >= deadline {
                return Wake::TimedOut;
            }
            woken = self
                .signal
                .wait_timeout(woken, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_boosts_and_idleness_restores_the_editors_value() {
        let mut pacing = Pacing::new();
        assert_eq!(pacing.on_frame(6900, Some(1000)), SleepChange::Set(1000));
        assert_eq!(pacing.on_frame(1000, Some(1000)), SleepChange::Keep);
        assert_eq!(pacing.on_frame(1000, None), SleepChange::Set(6900));
        assert!(!pacing.is_boosted());
        assert_eq!(pacing.on_frame(6900, None), SleepChange::Keep);
    }

    #[test]
    fn a_focus_change_while_boosted_is_what_gets_restored() {
        let mut pacing = Pacing::new();
        pacing.on_frame(6900, Some(1000));
        // The editor lost focus and wrote its unfocused value over our boost.
        assert_eq!(pacing.on_frame(100_000, Some(1000)), SleepChange::Set(1000));
        assert_eq!(pacing.on_frame(1000, None), SleepChange::Set(100_000));
    }

    #[test]
    fn a_focus_change_in_the_idle_frame_is_kept_not_overwritten() {
        let mut pacing = Pacing::new();
        pacing.on_frame(6900, Some(1000));
        assert_eq!(pacing.on_frame(100_000, None), SleepChange::Keep);
        assert!(!pacing.is_boosted());
    }

    #[test]
    fn a_sleep_already_at_or_below_the_boost_is_left_alone() {
        let mut pacing = Pacing::new();
        assert_eq!(pacing.on_frame(500, Some(1000)), SleepChange::Keep);
        assert_eq!(pacing.on_frame(1000, Some(1000)), SleepChange::Keep);
        assert!(!pacing.is_boosted());
    }

    #[test]
    fn release_restores_only_while_our_boost_is_in_force() {
        let mut pacing = Pacing::new();
        pacing.on_frame(6900, Some(1000));
        assert_eq!(pacing.release(1000), SleepChange::Set(6900));
        pacing.on_frame(6900, Some(1000));
        assert_eq!(pacing.release(100_000), SleepChange::Keep);
        assert_eq!(Pacing::new().release(6900), SleepChange::Keep);
    }

    #[test]
    fn a_burst_then_a_held_sleep_then_the_editors_own_value() {
        let mut pacing = Pacing::new();
        assert_eq!(pacing.on_frame(100_000, Some(500)), SleepChange::Set(500));
        // The burst is over; the agent is thinking: a held, less eager sleep.
        assert_eq!(pacing.on_frame(500, Some(2000)), SleepChange::Set(2000));
        assert_eq!(pacing.on_frame(2000, Some(2000)), SleepChange::Keep);
        // A new call: quick again.
        assert_eq!(pacing.on_frame(2000, Some(500)), SleepChange::Set(500));
        assert_eq!(pacing.on_frame(500, Some(2000)), SleepChange::Set(2000));
        // The agent has stopped: the editor's own value, the one from before.
        assert_eq!(pacing.on_frame(2000, None), SleepChange::Set(100_000));
        assert!(!pacing.is_boosted());
    }

    #[test]
    fn a_held_sleep_is_never_above_the_editors_own() {
        let mut pacing = Pacing::new();
        // A focused editor already sleeps 1000 us: a 2000 us hold would slow it down.
        assert_eq!(pacing.on_frame(1000, Some(2000)), SleepChange::Keep);
        assert!(!pacing.is_boosted());
        assert_eq!(pacing.on_frame(1000, Some(500)), SleepChange::Set(500));
        assert_eq!(pacing.on_frame(500, Some(2000)), SleepChange::Set(1000));
        assert_eq!(pacing.on_frame(1000, None), SleepChange::Keep);
        assert!(!pacing.is_boosted());
    }

    #[test]
    fn the_clock_reports_recent_activity_only() {
        let clock = ActivityClock::new();
        assert!(!clock.active_within(Duration::from_secs(1)));
        clock.touch();
        assert!(clock.active_within(Duration::from_secs(1)));
        assert!(!clock.active_within(Duration::ZERO));
        clock.clear();
        assert!(!clock.active_within(Duration::from_secs(1)));
    }

    #[test]
    fn the_frame_clock_keeps_the_engines_cadence() {
        let period = Duration::from_millis(100);
        let start = Instant::now();
        let mut clock = FrameClock::new();
        // The first frame counts from now.
        assert_eq!(clock.next_start(start, period), start + period);
        // A frame that took 5 ms of work still starts the next one a period after its own start.
        let after_work = start + period + Duration::from_millis(5);
        assert_eq!(clock.next_start(after_work, period), start + 2 * period);
        // A frame that ran two periods long is caught up with without sleeping, once.
        let late = start + 5 * period;
        assert_eq!(clock.next_start(late, period), late);
        assert_eq!(clock.next_start(late, period), late + period);
    }

    #[test]
    fn a_frame_started_early_counts_the_next_period_from_its_start() {
        let period = Duration::from_millis(100);
        let start = Instant::now();
        let mut clock = FrameClock::new();
        clock.next_start(start, period);
        let woken = start + Duration::from_millis(30);
        clock.started_early(woken);
        assert_eq!(clock.next_start(woken, period), woken + period);
        clock.reset();
        let later = start + Duration::from_secs(10);
        assert_eq!(clock.next_start(later, period), later + period);
    }

    #[test]
    fn a_sleep_ends_at_its_deadline_without_a_wake() {
        let waker = FrameWaker::new();
        let deadline = Instant::now() + Duration::from_millis(5);
        assert_eq!(waker.sleep_until(deadline), Wake::TimedOut);
        assert!(Instant::now() >= deadline);
    }

    #[test]
    fn a_wake_before_the_sleep_is_kept_and_taken_once() {
        let waker = FrameWaker::new();
        waker.wake();
        let far = Instant::now() + Duration::from_secs(60);
        assert_eq!(waker.sleep_until(far), Wake::Woken);
        let near = Instant::now() + Duration::from_millis(1);
        assert_eq!(waker.sleep_until(near), Wake::TimedOut);
    }

    #[test]
    fn a_wake_from_another_thread_ends_a_long_sleep() {
        let waker = std::sync::Arc::new(FrameWaker::new());
        let (started, sleeping) = std::sync::mpsc::channel();
        let sleeper = std::thread::spawn({
            let waker = waker.clone();
            move || {
                started.send(()).unwrap();
                waker.sleep_until(Instant::now() + Duration::from_secs(60))
            }
        });
        sleeping.recv().unwrap();
        // Whether the wake lands before or during the sleep, the sleep ends with it.
        waker.wake();
        assert_eq!(sleeper.join().unwrap(), Wake::Woken);
    }
}
