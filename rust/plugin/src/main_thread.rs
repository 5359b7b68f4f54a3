//! The main-thread end of the executor: the queue of commands waiting for the editor, drained
//! once per engine frame.
//!
//! Invariants:
//! - Only the main thread touches [`QUEUE`] (it is thread-local) and only the main thread runs
//!   commands, so Godot objects never leave it.
//! - No borrow of the slot (or of any Godot object) is held while a command runs: a command may
//!   stop the plugin (and so empty the slot) without a re-entrancy panic.
//! - Each frame spends at most [`FRAME_BUDGET`] on commands (at least one runs), so a flood of
//!   requests cannot freeze the editor.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use godot_ai_executor::{Job, JobQueue, drain_within};

use crate::commands;

/// Time per frame the editor lends to queued commands.
pub const FRAME_BUDGET: Duration = Duration::from_millis(8);

/// Main-thread work to do once a moment has passed.
type LaterAction = (Instant, Box<dyn FnOnce()>);

thread_local! {
    /// The queue of the running endpoint, when one runs.
    static QUEUE: RefCell<Option<JobQueue>> = const { RefCell::new(None) };
    /// Actions scheduled with [`run_later`], independent of the endpoint's lifetime.
    static LATER: RefCell<Vec<LaterAction>> = const { RefCell::new(Vec::new()) };
}

/// Runs `action` on the main thread in the first frame at least `delay` from now.
///
/// Used by commands that must answer before they act (reloading or quitting the editor stops
/// the endpoint that carries the answer). Actions survive the endpoint stopping.
pub fn run_later(delay: Duration, action: impl FnOnce() + 'static) {
    LATER.with(|later| {
        later
            .borrow_mut()
            .push((Instant::now() + delay, Box::new(action)))
    });
}

fn next_due_action() -> Option<Box<dyn FnOnce()>> {
    LATER.with(|later| {
        let mut later = later.borrow_mut();
        let now = Instant::now();
        let index = later.iter().position(|(due, _)| *due <= now)?;
        Some(later.remove(index).1)
    })
}

/// Makes `queue` the one drained each frame. Replacing a previous queue fails its waiting
/// callers with a clear error (the queue is dropped).
pub fn install(queue: JobQueue) {
    QUEUE.with(|slot| slot.replace(Some(queue)));
}

/// Stops draining; every command still waiting gets an "editor stopped" error.
pub fn uninstall() {
    let queue = QUEUE.with(|slot| slot.take());
    drop(queue);
}

/// Runs queued commands for this frame. Called from the library's per-frame hook.
pub fn run_frame() {
    // No borrow is held while an action runs: it may schedule more or stop the endpoint.
    while let Some(action) = next_due_action() {
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(action)).is_err() {
            tracing::error!("a scheduled plugin action failed; the editor is fine");
        }
    }
    drain_within(FRAME_BUDGET, next_job, |job| {
        run_job(job);
    });
}

fn next_job() -> Option<Job> {
    QUEUE.with(|slot| slot.borrow_mut().as_mut().and_then(JobQueue::try_next))
}

fn run_job(job: Job) {
    if job.is_abandoned() {
        tracing::debug!(command = %job.command().name, "skipping a command nobody waits for");
        return;
    }
    job.run(commands::dispatch);
}
