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
//! - Commands run one after another in arrival order. A command that cannot start yet (a write
//!   while the editor scans) or whose effect lands on a later frame (a scene switch) becomes the
//!   [`Head`]: polled once per frame, it holds back every later command until it has answered,
//!   so each command sees the effects of the ones before it. The head answers within
//!   [`SETTLE_BOUND`] of arriving (at least [`MIN_SETTLE`] after it started): godot-ai's server
//!   gives up on most commands after 5 s. A wait that needs longer says so
//!   (`Pending::time_allowed`: a reply from the running game). A head whose caller has gone
//!   stops waiting at once.
//! - While a reload pauses the plugin ([`pause`]), commands wait in the queue; they run once
//!   it resumes.
//! - A command queued while the plugin sleeps in the engine's place (see [`pacing`]) starts
//!   when it arrives ([`run_woken`]); a head is advanced only once per real frame.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use godot_ai_bridge::EditorSnapshot;
use godot_ai_executor::{Answer, Job, JobQueue, run_caught};
use godot_ai_protocol::{Command, CommandResult};
use tokio::sync::watch;

use crate::commands::{self, Admission, Pending, Step};
use crate::{editor_log, pacing, snapshot};
use godot_ai_protocol::engine_errors;

/// Time per frame the editor lends to queued commands.
pub const FRAME_BUDGET: Duration = Duration::from_millis(8);

/// How long after arriving a command that waits (to start, or for its effect) has to answer.
pub const SETTLE_BOUND: Duration = Duration::from_secs(4);

/// The least time a started command's effect is given to settle, however long it queued.
pub const MIN_SETTLE: Duration = Duration::from_secs(1);

/// Main-thread work to do once a moment has passed.
type LaterAction = (Instant, Box<dyn FnOnce()>);

thread_local! {
    /// The queue of the running services, when they run.
    static QUEUE: RefCell<Option<JobQueue>> = const { RefCell::new(None) };
    /// Where the editor snapshot is published each frame, while the bridge runs.
    static SNAPSHOTS: RefCell<Option<watch::Sender<EditorSnapshot>>> = const { RefCell::new(None) };
    /// Actions scheduled with [`run_later`], independent of the endpoint's lifetime.
    static LATER: RefCell<Vec<LaterAction>> = const { RefCell::new(Vec::new()) };
    /// The command that has started (or is waiting to) but not answered yet.
    static HEAD: RefCell<Option<Head>> = const { RefCell::new(None) };
    /// True while a reload pauses the plugin: commands wait (see [`pause`]).
    static PAUSED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
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
    PAUSED.with(|paused| paused.set(false));
    QUEUE.with(|slot| slot.replace(Some(queue)));
}

/// Stops running commands (a reload is under way): they wait in the queue, and the command
/// that was waiting for a later frame keeps waiting, until [`resume`]. Scheduled actions still
/// run.
pub fn pause() {
    PAUSED.with(|paused| paused.set(true));
}

/// Runs commands again after [`pause`].
pub fn resume() {
    PAUSED.with(|paused| paused.set(false));
}

fn is_paused() -> bool {
    PAUSED.with(std::cell::Cell::get)
}

/// Stops draining; every command still waiting gets an "editor stopped" error. Stops
/// publishing snapshots.
pub fn uninstall() {
    PAUSED.with(|paused| paused.set(false));
    let queue = QUEUE.with(|slot| slot.take());
    drop(queue);
    let head = HEAD.with(|slot| slot.take());
    drop(head);
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
    // Some editor work (saving a scene, the progress dialog of an import or a play) runs
    // nested engine frames from inside a command. A nested frame does nothing here: starting
    // the next command inside the running one would break arrival order and could replace the
    // head the running one is about to become.
    if IN_FRAME.with(|inside| inside.replace(true)) {
        pacing::on_nested_frame();
        return;
    }
    let _leave = LeaveFrame;
    run_frame_once();
}

/// Starts the commands queued while the plugin slept in the engine's place, at once instead of
/// after the next frame's work: the sleep ended because they came. Only when nothing waits
/// for a later frame (a waiting command is advanced once per real frame) and not inside a
/// running command.
pub fn run_woken() {
    if is_paused()
        || HEAD.with(|slot| slot.borrow().is_some())
        || IN_FRAME.with(|inside| inside.replace(true))
    {
        return;
    }
    let _leave = LeaveFrame;
    run_frame_once();
}

thread_local! {
    /// True while [`run_frame`] or [`run_woken`] runs.
    static IN_FRAME: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Clears [`IN_FRAME`] when the frame's work ends, however it ends.
struct LeaveFrame;

impl Drop for LeaveFrame {
    fn drop(&mut self) {
        IN_FRAME.with(|inside| inside.set(false));
    }
}

fn run_frame_once() {
    // No borrow is held while an action runs: it may schedule more or stop the endpoint.
    for action in due_actions() {
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(action)).is_err() {
            tracing::error!("a scheduled plugin action failed; the editor is fine");
        }
    }
    let answered = if is_paused() { 0 } else { run_commands() };
    let busy = QUEUE.with(|slot| {
        slot.borrow()
            .as_ref()
            .is_some_and(|queue| !queue.is_empty())
    }) || HEAD.with(|slot| slot.borrow().is_some());
    pacing::on_frame(busy);
    if answered > 0 || snapshot_due() {
        publish_snapshot();
    }
}

/// Advances the head, then starts queued commands, until one has to wait for a later frame,
/// the queue is empty, or [`FRAME_BUDGET`] is spent (at least one step is taken). Returns how
/// many commands answered.
fn run_commands() -> usize {
    let started = Instant::now();
    let mut answered = 0;
    loop {
        let head = match HEAD.with(|slot| slot.take()) {
            Some(head) => head,
            None => match next_job() {
                Some(job) if job.is_abandoned() => {
                    tracing::debug!(command = %job.command().name, "skipping a command nobody waits for");
                    continue;
                }
                Some(job) => Head::arrived(job),
                None => break,
            },
        };
        match head.advance() {
            None => answered += 1,
            Some(head) => {
                // The command may have stopped the endpoint; then nobody polls it any more.
                if QUEUE.with(|slot| slot.borrow().is_some()) {
                    HEAD.with(|slot| slot.replace(Some(head)));
                }
                break;
            }
        }
        if started.elapsed() >= FRAME_BUDGET {
            break;
        }
    }
    answered
}

/// A command that has not answered yet, and how far it got.
struct Head {
    name: String,
    reply: Answer,
    /// When it must have answered.
    deadline: Instant,
    stage: Stage,
    /// Where the editor's log stood when the command started: what the engine logs from there
    /// until it answers is attached to its answer.
    log_mark: Option<u64>,
}

enum Stage {
    /// Waiting for the editor to let it start (a write while the editor scans).
    Admitting(Command, Instant),
    /// Started; its effect lands on a later frame.
    Settling(Pending, Instant),
}

impl Head {
    fn arrived(job: Job) -> Self {
        let (command, answer) = job.into_parts();
        let deadline = Instant::now() + SETTLE_BOUND.saturating_sub(answer.waited());
        Head {
            name: command.name.clone(),
            reply: answer,
            deadline,
            stage: Stage::Admitting(command, Instant::now()),
            log_mark: None,
        }
    }

    /// Takes the next step: starts the command if it may, polls a settling effect, or answers
    /// with the reason the wait ran out. Panics in commands become their `INTERNAL_ERROR`.
    /// The step's time is charged to the command's answer.
    ///
    /// Returns the head while it still waits, `None` once it has answered (or was dropped).
    fn advance(self) -> Option<Head> {
        let began = Instant::now();
        match self.step() {
            Stepped::Answer(name, mut reply, result, log_mark) => {
                let result = match log_mark {
                    Some(mark) => {
                        engine_errors::attach(result, editor_log::engine_errors_since(mark))
                    }
                    None => result,
                };
                reply.charge(began.elapsed());
                commands::finished(&name, &result);
                reply.send(result);
                None
            }
            Stepped::Dropped => None,
            Stepped::Wait(mut head) => {
                head.reply.charge(began.elapsed());
                Some(head)
            }
        }
    }

    fn step(self) -> Stepped {
        let Head {
            name,
            reply,
            deadline,
            stage,
            mut log_mark,
        } = self;
        let now = Instant::now();
        let stage = match stage {
            Stage::Admitting(..) if reply.is_abandoned() => {
                tracing::debug!(command = %name, "dropping a waiting command nobody waits for");
                return Stepped::Dropped;
            }
            Stage::Admitting(command, since) => match commands::admission(&command.name) {
                Admission::Run if !reply.start() => {
                    tracing::debug!(command = %name, "dropping a command its caller withdrew");
                    return Stepped::Dropped;
                }
                Admission::Run => {
                    log_mark = Some(editor_log::mark());
                    match run_caught(&name, || commands::start(&command)) {
                        Ok(Step::Done(result)) => {
                            return Stepped::Answer(name, reply, result, log_mark);
                        }
                        Ok(Step::Wait(pending)) => {
                            let allowed = MIN_SETTLE.max(pending.time_allowed());
                            let head = Head {
                                name,
                                reply,
                                deadline: deadline.max(now + allowed),
                                stage: Stage::Settling(pending, now),
                                log_mark,
                            };
                            return Stepped::Wait(head);
                        }
                        Err(panicked) => {
                            return Stepped::Answer(name, reply, Err(panicked), log_mark);
                        }
                    }
                }
                Admission::Refuse(error) => {
                    return Stepped::Answer(name, reply, Err(error), log_mark);
                }
                Admission::Wait(error) if now >= deadline => {
                    let waited = since.elapsed().as_secs_f64();
                    return Stepped::Answer(
                        name,
                        reply,
                        Err(error.with_data("waited_seconds", waited)),
                        log_mark,
                    );
                }
                Admission::Wait(_) => Stage::Admitting(command, since),
            },
            Stage::Settling(mut pending, since) if reply.is_abandoned() => {
                // Nobody waits any more (the caller timed out): stop holding back the queue.
                tracing::debug!(command = %name, "dropping a settling command nobody waits for");
                let _ = pending.give_up(since.elapsed());
                return Stepped::Dropped;
            }
            Stage::Settling(mut pending, since) => match run_caught(&name, || pending.poll()) {
                Ok(Some(result)) => return Stepped::Answer(name, reply, result, log_mark),
                // The time allowed may have grown since the wait began (a game request, once
                // its game said hello, gets its full time from the send).
                Ok(None) if now >= deadline.max(since + MIN_SETTLE.max(pending.time_allowed())) => {
                    let result = pending.give_up(since.elapsed());
                    return Stepped::Answer(name, reply, result, log_mark);
                }
                Ok(None) => Stage::Settling(pending, since),
                Err(panicked) => return Stepped::Answer(name, reply, Err(panicked), log_mark),
            },
        };
        Stepped::Wait(Head {
            name,
            reply,
            deadline,
            stage,
            log_mark,
        })
    }
}

/// What one step of a head came to.
enum Stepped {
    /// It has its result: answer the caller of the named command (with what the engine logged
    /// since the mark, when there is one).
    Answer(String, Answer, CommandResult, Option<u64>),
    /// Nobody waits for it any more.
    Dropped,
    Wait(Head),
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
