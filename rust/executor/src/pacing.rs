//! The decision half of adaptive frame pacing (the plugin applies it to Godot's `OS`).
//!
//! While an agent works, the editor's sleep between frames is lowered to a target the plugin
//! picks (a quick one during a burst of calls, a held intermediate one while the agent is
//! thinking between calls), so the frame that answers the next call comes soon. When the agent
//! has stopped, the editor gets back the value it wants now: the latest value seen that was not
//! ours (the editor rewrites it on focus in and out, even while we pace it).
//!
//! Invariants:
//! - A target is never above the editor's own value: pacing only ever makes frames come sooner.
//! - Whatever the editor writes while we pace is what it gets back.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
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
}
