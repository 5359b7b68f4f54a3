//! The decision half of adaptive frame pacing (the plugin applies it to Godot's `OS`).
//!
//! While requests flow, the editor's sleep between frames is lowered to a boost value so the
//! next frame, which answers the request, comes within about a millisecond. When the flow
//! stops, the editor gets back the value it wants now: the latest value seen that was not ours
//! (the editor rewrites it on focus in and out, even while boosted).

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pacing {
    boost: i32,
    /// The sleep the editor wants, while the boost is held.
    editor_sleep: Option<i32>,
}

impl Pacing {
    /// Pacing that lowers the sleep to `boost` microseconds while active.
    pub fn new(boost: i32) -> Self {
        Self {
            boost,
            editor_sleep: None,
        }
    }

    /// True while the boost is held.
    pub fn is_boosted(&self) -> bool {
        self.editor_sleep.is_some()
    }

    /// Decides this frame's change, given the sleep now in force and whether requests flow.
    pub fn on_frame(&mut self, current: i32, active: bool) -> SleepChange {
        match (self.editor_sleep, active) {
            (None, true) if current > self.boost => {
                self.editor_sleep = Some(current);
                SleepChange::Set(self.boost)
            }
            (Some(_), true) if current != self.boost => {
                // The editor changed its mind (focus in/out) while the boost was held.
                self.editor_sleep = Some(current);
                SleepChange::Set(self.boost)
            }
            (Some(wanted), false) => {
                self.editor_sleep = None;
                let wanted = if current == self.boost {
                    wanted
                } else {
                    current
                };
                if wanted == current {
                    SleepChange::Keep
                } else {
                    SleepChange::Set(wanted)
                }
            }
            _ => SleepChange::Keep,
        }
    }

    /// Gives the editor its value back at once (the plugin is stopping).
    pub fn release(&mut self, current: i32) -> SleepChange {
        match self.editor_sleep.take() {
            Some(wanted) if current == self.boost => SleepChange::Set(wanted),
            _ => SleepChange::Keep,
        }
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
        let mut pacing = Pacing::new(1000);
        assert_eq!(pacing.on_frame(6900, true), SleepChange::Set(1000));
        assert_eq!(pacing.on_frame(1000, true), SleepChange::Keep);
        assert_eq!(pacing.on_frame(1000, false), SleepChange::Set(6900));
        assert!(!pacing.is_boosted());
        assert_eq!(pacing.on_frame(6900, false), SleepChange::Keep);
    }

    #[test]
    fn a_focus_change_while_boosted_is_what_gets_restored() {
        let mut pacing = Pacing::new(1000);
        pacing.on_frame(6900, true);
        // The editor lost focus and wrote its unfocused value over our boost.
        assert_eq!(pacing.on_frame(100_000, true), SleepChange::Set(1000));
        assert_eq!(pacing.on_frame(1000, false), SleepChange::Set(100_000));
    }

    #[test]
    fn a_focus_change_in_the_idle_frame_is_kept_not_overwritten() {
        let mut pacing = Pacing::new(1000);
        pacing.on_frame(6900, true);
        assert_eq!(pacing.on_frame(100_000, false), SleepChange::Keep);
        assert!(!pacing.is_boosted());
    }

    #[test]
    fn a_sleep_already_at_or_below_the_boost_is_left_alone() {
        let mut pacing = Pacing::new(1000);
        assert_eq!(pacing.on_frame(500, true), SleepChange::Keep);
        assert_eq!(pacing.on_frame(1000, true), SleepChange::Keep);
        assert!(!pacing.is_boosted());
    }

    #[test]
    fn release_restores_only_while_our_boost_is_in_force() {
        let mut pacing = Pacing::new(1000);
        pacing.on_frame(6900, true);
        assert_eq!(pacing.release(1000), SleepChange::Set(6900));
        pacing.on_frame(6900, true);
        assert_eq!(pacing.release(100_000), SleepChange::Keep);
        assert_eq!(Pacing::new(1000).release(6900), SleepChange::Keep);
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
