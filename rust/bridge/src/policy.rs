//! When to reconnect and when to say so: a pure schedule with no clock of its own.
//!
//! Delays between attempts are 1, 2, 4, 8, 16, 30 and 60 seconds, then 60 seconds forever.
//! The count starts again after a real connection (acknowledged and up for a few seconds, see
//! `STABLE_LINK`), so the first retry after such a disconnect comes one second later
//! (godot-ai 2.4.2's plugin kept its 60 s timer after a reconnect). A server that accepts and
//! drops the connection at once does not reset it, so a crash loop is retried on the schedule
//! rather than every second.
//! Reconnect lines are printed for attempts 1-5 and every 10th after that: about 150 lines a
//! day with no server, instead of thousands.

use std::time::Duration;

/// Delay before attempt N (N = 1, 2, ...): `SCHEDULE[N - 1]`, then the last value forever.
pub const SCHEDULE_SECONDS: [u64; 7] = [1, 2, 4, 8, 16, 30, 60];

/// The delay before reconnect attempt `attempt` (1-based). Attempt 0, the first connection
/// after the plugin starts, has no delay.
pub fn delay_before(attempt: u32) -> Duration {
    if attempt == 0 {
        return Duration::ZERO;
    }
    let index = usize::try_from(attempt - 1)
        .unwrap_or(usize::MAX)
        .min(SCHEDULE_SECONDS.len() - 1);
    Duration::from_secs(SCHEDULE_SECONDS[index])
}

/// True when reconnect attempt `attempt` gets a log line: 1-5, then every 10th.
pub fn should_log(attempt: u32) -> bool {
    (1..=5).contains(&attempt) || (attempt > 0 && attempt.is_multiple_of(10))
}

/// The attempt counter of one bridge.
#[derive(Debug, Default, Clone)]
pub struct Backoff {
    attempt: u32,
}

impl Backoff {
    /// Moves to the next reconnect attempt and returns its number (1-based).
    pub fn next_attempt(&mut self) -> u32 {
        self.attempt = self.attempt.saturating_add(1);
        self.attempt
    }

    /// A connection opened: the next disconnect starts the schedule from the beginning.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The current attempt number (0 before any reconnect).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_thirty_then_stay_at_sixty() {
        let delays: Vec<u64> = (1..=10).map(|n| delay_before(n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 30, 60, 60, 60, 60]);
        assert_eq!(delay_before(0), Duration::ZERO);
        assert_eq!(delay_before(u32::MAX).as_secs(), 60);
    }

    #[test]
    fn attempts_one_to_five_and_every_tenth_are_logged() {
        let logged: Vec<u32> = (1..=40).filter(|n| should_log(*n)).collect();
        assert_eq!(logged, [1, 2, 3, 4, 5, 10, 20, 30, 40]);
        assert!(!should_log(0));
    }

    #[test]
    fn reset_restarts_the_schedule() {
        let mut backoff = Backoff::default();
        for _ in 0..9 {
            backoff.next_attempt();
        }
        assert_eq!(delay_before(backoff.attempt()).as_secs(), 60);
        backoff.reset();
        assert_eq!(delay_before(backoff.next_attempt()).as_secs(), 1);
    }

    #[test]
    fn a_day_without_a_server_makes_about_150_log_lines() {
        let day = 24 * 60 * 60;
        let (mut elapsed, mut attempt, mut lines) = (0, 0u32, 0);
        loop {
            let next = delay_before(attempt + 1).as_secs();
            if elapsed + next > day {
                break;
            }
            elapsed += next;
            attempt += 1;
            lines += u32::from(should_log(attempt));
        }
        assert_eq!(attempt, 1444);
        assert_eq!(lines, 149);
        assert!(lines <= 150, "{lines} lines");
    }
}
