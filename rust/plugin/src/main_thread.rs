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

use godot_ai_bridge::EditorSnapshot;
use godot_ai_executor::{Job, JobQueue, drain_within};
use tokio::sync::watch;

use crate::{commands, pacing, snapshot};

/// Time per frame the editor lends to queued commands.
pub const FRAME_BUDGET: Duration = Duration::from_millis(8);

/// Main-thread work to do once a moment has passed.
type LaterAction = (Instant, Box<dyn FnOnce()>);

thread_local! {
    /// The queue of the running services, when they run.
    static QUEUE: RefCell<Option<JobQueue>> = const { RefCell::new(None) };
    /// Where the editor snapshot is published each frame, while the bridge runs.
    static SNAPSHOTS: RefCell<Option<watch::Sender<EditorSnapshot>>> = const { RefCell::new(None) };
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

/// The actions due now, taken out together: what they schedule waits for a later frame, so an
/// action that reschedules itself cannot keep a frame from ending.
fn due_actions() -> Vec<Box<dyn FnOnce()>> {
    LATER.with(|later| {
        let mut later = later.borrow_mut();
        let now = Instant::now();
        let (due, waiting) = later.drain(..).partition(|(due, _)| *due <= now);
        *later = waiting;
        due.into_iter()
            .map(|(_, action): (Instant, _)| action)
            .collect::<Vec<_>>()
    })
}

/// Makes `queue` the one drained each frame. Replacing a previous queue fails its waiting
/// callers with a clear error (the queue is dropped).
pub fn install(queue: JobQueue) {
    QUEUE.with(|slot| slot.replace(Some(queue)));
}

/// Stops draining; every command still waiting gets an "editor stopped" error. Stops
/// publishing snapshots.
pub fn uninstall() {
    let queue = QUEUE.with(|slot| slot.take());
    drop(queue);
    let publisher = SNAPSHOTS.with(|slot| slot.take());
    drop(publisher);
    pacing::release();
}

/// Starts publishing the editor snapshot (after each command, else every
/// [`SNAPSHOT_INTERVAL`]); returns the receiving end.
pub fn publish_snapshots() -> watch::Receiver<EditorSnapshot> {
    let (sender, receiver) = watch::channel(snapshot::current());
    SNAPSHOTS.with(|slot| slot.replace(Some(sender)));
    receiver
}

fn publish_snapshot() {
    SNAPSHOTS.with(|slot| {
        if let Some(sender) = slot.borrow().as_ref() {
            let now = snapshot::current();
            sender.send_if_modified(|published| {
                let changed = *published != now;
                if changed {
                    *published = now;
                }
                changed
            });
        }
    });
}

/// Runs queued commands for this frame. Called from the library's per-frame hook.
pub fn run_frame() {
    // No borrow is held while an action runs: it may schedule more or stop the endpoint.
    for action in due_actions() {
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(action)).is_err() {
            tracing::error!("a scheduled plugin action failed; the editor is fine");
        }
    }
    let ran = drain_within(FRAME_BUDGET, next_job, |job| {
        run_job(job);
    });
    let still_queued = QUEUE.with(|slot| {
        slot.borrow()
            .as_ref()
            .is_some_and(|queue| !queue.is_empty())
    });
    pacing::on_frame(ran > 0 || still_queued);
    if ran > 0 || snapshot_due() {
        publish_snapshot();
    }
}

/// How often the editor's state is looked at for the bridge's events when no command ran (a
/// command's effects are published in the frame it ran).
const SNAPSHOT_INTERVAL: Duration = Duration::from_millis(100);

thread_local! {
    static LAST_SNAPSHOT: std::cell::Cell<Option<Instant>> =
        const { std::cell::Cell::new(None) };
}

/// True at most every [`SNAPSHOT_INTERVAL`]: an idle editor pays for a few engine calls ten
/// times a second, not every frame.
fn snapshot_due() -> bool {
    let now = Instant::now();
    LAST_SNAPSHOT.with(|last| match last.get() {
        Some(then) if now.duration_since(then) < SNAPSHOT_INTERVAL => false,
        _ => {
            last.set(Some(now));
            true
        }
    })
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
