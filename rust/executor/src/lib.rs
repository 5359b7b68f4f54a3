//! The one road from any thread to the Godot main thread.
//!
//! Both front doors (the MCP endpoint and the WebSocket bridge) hold an [`ExecutorHandle`] and
//! `await` [`ExecutorHandle::execute`]. The main thread owns the matching [`JobQueue`] and, once
//! per engine frame, takes jobs one at a time with [`JobQueue::try_next`], runs each with no
//! borrow of anything held, and answers it through [`Job::run`].
//!
//! Invariants:
//! - The queue is bounded ([`DEFAULT_CAPACITY`]): a flood of callers waits for room instead of
//!   growing memory without limit.
//! - Every call ends: with the command's result, or with an `INTERNAL_ERROR` that says why the
//!   editor could not answer (queue dropped because the plugin stopped, job dropped unanswered,
//!   no answer within the handle's timeout). Nothing waits forever.
//! - A panic inside a command becomes `INTERNAL_ERROR` for that request only.
//! - Every answer from the main thread says how long the command held it, summed over the
//!   frames it took, and its longest single hold ([`Executed::main_thread`]): the cost the
//!   editor's UI paid for it.

pub mod pacing;

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, Instant};

use godot_ai_protocol::godot_ai_commands::long_reply_wait;
use godot_ai_protocol::{Command, CommandError, CommandResult};
use tokio::sync::{mpsc, oneshot};

/// How many commands may wait for the main thread before callers wait for room.
pub const DEFAULT_CAPACITY: usize = 256;

/// How long a caller waits for the main thread before giving up with a clear error.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Called (from the submitting thread) each time a job is queued, e.g. to make the next
/// engine frame come sooner. Must be cheap and must not touch Godot objects.
pub type WakeHook = Arc<dyn Fn() + Send + Sync>;

/// Commands answered on a blocking worker thread instead of the main thread, because they
/// touch no Godot object (client config files, external programs). Both front doors reach
/// them through the same [`ExecutorHandle::execute`].
pub trait OffMainThread: Send + Sync {
    /// Whether the command `name` is answered here.
    fn handles(&self, name: &str) -> bool;

    /// Answers `command`. May block (it runs on tokio's blocking pool).
    fn run(&self, command: &Command) -> CommandResult;
}

/// Creates a connected handle and queue.
pub fn channel(capacity: usize) -> (ExecutorHandle, JobQueue) {
    let (sender, receiver) = mpsc::channel(capacity);
    (
        ExecutorHandle {
            sender,
            timeout: DEFAULT_TIMEOUT,
            wake: None,
            off_main_thread: None,
        },
        JobQueue { receiver },
    )
}

/// The sending side: cheap to clone, `Send`, usable from any tokio task.
#[derive(Clone)]
pub struct ExecutorHandle {
    sender: mpsc::Sender<Job>,
    timeout: Duration,
    wake: Option<WakeHook>,
    off_main_thread: Option<Arc<dyn OffMainThread>>,
}

impl std::fmt::Debug for ExecutorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecutorHandle")
            .field("timeout", &self.timeout)
            .field("closed", &self.sender.is_closed())
            .finish()
    }
}

impl ExecutorHandle {
    /// Gives up on a command the main thread has not answered within `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Calls `wake` every time a job is queued.
    pub fn with_wake_hook(mut self, wake: WakeHook) -> Self {
        self.wake = Some(wake);
        self
    }

    /// Answers the commands `worker` handles on a blocking worker thread.
    pub fn with_off_main_thread(mut self, worker: Arc<dyn OffMainThread>) -> Self {
        self.off_main_thread = Some(worker);
        self
    }

    /// Runs `command` on the main thread (or, for the commands of
    /// [`with_off_main_thread`](Self::with_off_main_thread), on a worker thread) and returns
    /// its result.
    ///
    /// Never hangs: see the crate invariants for the errors it returns instead.
    pub async fn execute(&self, command: Command) -> CommandResult {
        self.execute_measured(command).await.result
    }

    /// Like [`execute`](Self::execute), and says how long the command held the main thread.
    pub async fn execute_measured(&self, command: Command) -> Executed {
        if let Some(worker) = &self.off_main_thread
            && worker.handles(&command.name)
        {
            return Executed::unmeasured(
                self.execute_off_main_thread(worker.clone(), command).await,
            );
        }
        let name = command.name.clone();
        let (reply, answer) = oneshot::channel();
        let job = Job {
            command,
            reply,
            queued_at: Instant::now(),
        };
        let timeout = long_reply_wait(&name).map_or(self.timeout, |long| long.max(self.timeout));
        let deadline = tokio::time::Instant::now() + timeout;

        match tokio::time::timeout_at(deadline, self.sender.send(job)).await {
            Err(_) => return Executed::unmeasured(Err(timed_out(&name, timeout))),
            Ok(Err(_)) => return Executed::unmeasured(Err(editor_gone(&name))),
            Ok(Ok(())) => {}
        }
        if let Some(wake) = &self.wake {
            wake();
        }
        match tokio::time::timeout_at(deadline, answer).await {
            Err(_) => Executed::unmeasured(Err(timed_out(&name, timeout))),
            Ok(Err(_)) => Executed::unmeasured(Err(editor_gone(&name))),
            Ok(Ok(executed)) => executed,
        }
    }

    async fn execute_off_main_thread(
        &self,
        worker: Arc<dyn OffMainThread>,
        command: Command,
    ) -> CommandResult {
        let name = command.name.clone();
        let work = tokio::task::spawn_blocking(move || {
            run_caught(&command.name, || worker.run(&command)).and_then(|result| result)
        });
        match tokio::time::timeout(self.timeout, work).await {
            Err(_) => Err(timed_out(&name, self.timeout)),
            Ok(Err(_)) => Err(editor_gone(&name)),
            Ok(Ok(result)) => result,
        }
    }

    /// True once the main-thread side has been dropped (the plugin stopped).
    pub fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }
}

fn editor_gone(command: &str) -> CommandError {
    CommandError::internal(format!(
        "The editor stopped before answering '{command}': the Godot AI plugin was disabled or \
         the editor is closing. Re-enable the plugin (or restart the editor) and retry."
    ))
}

fn timed_out(command: &str, timeout: Duration) -> CommandError {
    CommandError::internal(format!(
        "The editor did not answer '{command}' within {}s: its main thread is busy (importing, \
         a modal dialog, a long script?). Retry when the editor is responsive.",
        timeout.as_secs_f32()
    ))
    .with_data("timeout_seconds", timeout.as_secs_f64())
}

/// A command's result and what it cost the main thread.
#[derive(Debug)]
pub struct Executed {
    pub result: CommandResult,
    /// What the command cost the main thread; `None` when it never ran there (answered on a
    /// worker thread, or no answer came).
    pub main_thread: Option<MainThreadTime>,
}

/// The main-thread time of one command, which may run in slices over several frames.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MainThreadTime {
    /// Over all the frames it took.
    pub total: Duration,
    /// Its longest share of one frame: how long the editor's UI froze for it at once.
    pub longest: Duration,
    /// How many frames it ran in.
    pub frames: u32,
}

impl MainThreadTime {
    /// Adds one frame's share.
    pub fn add(&mut self, spent: Duration) {
        self.total += spent;
        self.longest = self.longest.max(spent);
        self.frames += 1;
    }
}

impl Executed {
    fn unmeasured(result: CommandResult) -> Self {
        Self {
            result,
            main_thread: None,
        }
    }
}

/// The receiving side, owned by the main thread. Dropping it fails every queued call with a
/// clear error.
#[derive(Debug)]
pub struct JobQueue {
    receiver: mpsc::Receiver<Job>,
}

impl JobQueue {
    /// The next queued job, if any. Never blocks.
    pub fn try_next(&mut self) -> Option<Job> {
        self.receiver.try_recv().ok()
    }

    /// How many jobs are waiting.
    pub fn len(&self) -> usize {
        self.receiver.len()
    }

    /// True when no job is waiting.
    pub fn is_empty(&self) -> bool {
        self.receiver.is_empty()
    }
}

/// One queued command and the way back to its caller.
#[derive(Debug)]
pub struct Job {
    command: Command,
    reply: oneshot::Sender<Executed>,
    queued_at: Instant,
}

impl Job {
    /// The command to run.
    pub fn command(&self) -> &Command {
        &self.command
    }

    /// How long the job has waited since it was queued.
    pub fn waited(&self) -> Duration {
        self.queued_at.elapsed()
    }

    /// True when the caller stopped waiting (timed out or went away); running it is wasted work.
    pub fn is_abandoned(&self) -> bool {
        self.reply.is_closed()
    }

    /// Runs the command with `handler` and sends the result to the caller.
    ///
    /// A panic in `handler` is caught and answered as `INTERNAL_ERROR`; it never unwinds
    /// further (in particular not across the Godot FFI boundary).
    pub fn run(self, handler: impl FnOnce(&Command) -> CommandResult) -> RunOutcome {
        let (command, mut answer) = self.into_parts();
        let started = Instant::now();
        let result = run_caught(&command.name, || handler(&command)).and_then(|result| result);
        answer.charge(started.elapsed());
        answer.send(result)
    }

    /// Splits the job into its command and the way back to its caller, for a command whose
    /// answer is known only on a later frame (its effect lands after the frame it ran in).
    pub fn into_parts(self) -> (Command, Answer) {
        let Job {
            command,
            reply,
            queued_at,
        } = self;
        (
            command,
            Answer {
                reply,
                queued_at,
                main_thread: MainThreadTime::default(),
            },
        )
    }
}

/// The way back to a job's caller, held while the command's effect settles.
///
/// Dropping it unanswered fails the call with the "editor stopped" error, so even a lost
/// answer ends the call.
#[derive(Debug)]
pub struct Answer {
    reply: oneshot::Sender<Executed>,
    queued_at: Instant,
    /// Main-thread time spent on the command so far.
    main_thread: MainThreadTime,
}

impl Answer {
    /// How long ago the job was queued.
    pub fn waited(&self) -> Duration {
        self.queued_at.elapsed()
    }

    /// True when the caller stopped waiting (timed out or went away).
    pub fn is_abandoned(&self) -> bool {
        self.reply.is_closed()
    }

    /// Adds `spent`, one frame's share of the command, to the main-thread time the answer
    /// reports. Charge once per frame: the longest share is the longest hold.
    pub fn charge(&mut self, spent: Duration) {
        self.main_thread.add(spent);
    }

    /// Sends `result` to the caller, with the main-thread time charged so far.
    pub fn send(self, result: CommandResult) -> RunOutcome {
        let failed = result.is_err();
        let executed = Executed {
            result,
            main_thread: Some(self.main_thread),
        };
        match self.reply.send(executed) {
            Ok(()) if failed => RunOutcome::AnsweredError,
            Ok(()) => RunOutcome::Answered,
            Err(_) => RunOutcome::CallerGone,
        }
    }
}

/// Runs `work` for the command `name`; a panic becomes that command's `INTERNAL_ERROR` and
/// never unwinds further (in particular not across the Godot FFI boundary).
pub fn run_caught<T>(name: &str, work: impl FnOnce() -> T) -> Result<T, CommandError> {
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(value) => Ok(value),
        Err(panic) => Err(CommandError::internal(format!(
            "'{name}' failed inside the plugin: {}. The editor is fine; please report this.",
            panic_message(panic.as_ref())
        ))),
    }
}

/// What happened to a job that was run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    Answered,
    AnsweredError,
    /// The caller stopped waiting before the result was ready; the result was dropped.
    CallerGone,
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// Runs queued jobs until none is left or `budget` is spent, whichever comes first.
///
/// `next` fetches one job (so the caller can release any borrow between jobs) and `run` runs
/// it. Returns how many jobs ran. At least one job runs when one is queued, so a tiny budget
/// still makes progress.
pub fn drain_within(
    budget: Duration,
    mut next: impl FnMut() -> Option<Job>,
    mut run: impl FnMut(Job),
) -> usize {
    let started = Instant::now();
    let mut ran = 0;
    while let Some(job) = next() {
        run(job);
        ran += 1;
        if started.elapsed() >= budget {
            break;
        }
    }
    ran
}

#[cfg(test)]
mod tests;
