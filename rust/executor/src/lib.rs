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
//! - A command whose params exceed [`input_bounds`] is refused before it is queued, so no
//!   input's size can hold the main thread.
//! - Every answer from the main thread says how long the command held it, summed over the
//!   frames it took, and its longest single hold ([`Executed::main_thread`]): the cost the
//!   editor's UI paid for it.
//! - A command is taken back only before it starts: a [`Withdrawal`] and the main thread race
//!   for the job's [`Claim`], and exactly one wins. A started command always answers its caller.

pub mod pacing;

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, Instant};

use godot_ai_protocol::godot_ai_commands::long_reply_wait;
use godot_ai_protocol::input_bounds;
use godot_ai_protocol::{Command, CommandError, CommandResult};
use tokio::sync::{mpsc, oneshot, watch};

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
            withdrawal: None,
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
    withdrawal: Option<Withdrawal>,
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

    /// A handle whose queued commands `withdrawal` can take back while they have not started.
    pub fn withdrawable(mut self, withdrawal: Withdrawal) -> Self {
        self.withdrawal = Some(withdrawal);
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
        if let Err(oversized) = input_bounds::check(&command.params) {
            return Executed::unmeasured(Err(oversized));
        }
        if let Some(worker) = &self.off_main_thread
            && worker.handles(&command.name)
        {
            return Executed::unmeasured(
                self.execute_off_main_thread(worker.clone(), command).await,
            );
        }
        let name = command.name.clone();
        if self
            .withdrawal
            .as_ref()
            .is_some_and(Withdrawal::is_requested)
        {
            return Executed::unmeasured(Err(withdrawn(&name)));
        }
        let (reply, mut answer) = oneshot::channel();
        let claim = Claim::default();
        let job = Job {
            command,
            reply,
            queued_at: Instant::now(),
            claim: claim.clone(),
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
        if let Some(withdrawal) = &self.withdrawal {
            let mut requested = withdrawal.requested.clone();
            tokio::select! {
                biased;
                answered = tokio::time::timeout_at(deadline, &mut answer) => {
                    return answered_or_why_not(answered, &name, timeout);
                }
                () = wait_until_requested(&mut requested) => {
                    if claim.withdraw() {
                        withdrawal.withdrawn.store(true, Ordering::SeqCst);
                        return Executed::unmeasured(Err(withdrawn(&name)));
                    }
                    // It started first: its answer comes, as for any started command.
                }
            }
        }
        answered_or_why_not(
            tokio::time::timeout_at(deadline, answer).await,
            &name,
            timeout,
        )
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

/// The answer that came, or why none did.
fn answered_or_why_not(
    answered: Result<Result<Executed, oneshot::error::RecvError>, tokio::time::error::Elapsed>,
    name: &str,
    timeout: Duration,
) -> Executed {
    match answered {
        Err(_) => Executed::unmeasured(Err(timed_out(name, timeout))),
        Ok(Err(_)) => Executed::unmeasured(Err(editor_gone(name))),
        Ok(Ok(executed)) => executed,
    }
}

/// Resolves once `requested` says true; never, if its sender is gone without saying so.
async fn wait_until_requested(requested: &mut watch::Receiver<bool>) {
    if requested.wait_for(|requested| *requested).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// A caller's say over the commands it queued: once [`request`](Self::request)ed, each of
/// them that has not started on the main thread never starts, and its call answers at once.
/// Commands that had started run to the end and answer as usual (an editor edit is not safe
/// to cut halfway). Clones share the same state.
#[derive(Clone, Debug)]
pub struct Withdrawal {
    requested: watch::Receiver<bool>,
    request: Arc<watch::Sender<bool>>,
    withdrawn: Arc<AtomicBool>,
}

impl Default for Withdrawal {
    fn default() -> Self {
        let (request, requested) = watch::channel(false);
        Self {
            requested,
            request: Arc::new(request),
            withdrawn: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl Withdrawal {
    /// Takes back the caller's commands that have not started, now and from now on.
    pub fn request(&self) {
        self.request.send_replace(true);
    }

    fn is_requested(&self) -> bool {
        *self.requested.borrow()
    }

    /// True once a command was taken back before it started (its call answered with the
    /// "withdrawn" error); false when every command ran.
    pub fn took_back_a_command(&self) -> bool {
        self.withdrawn.load(Ordering::SeqCst)
    }
}

fn withdrawn(command: &str) -> CommandError {
    CommandError::internal(format!(
        "'{command}' was withdrawn before the editor started it: its caller cancelled it."
    ))
}

/// Who a queued job belongs to: the main thread once it starts it, or its caller once the
/// caller withdraws it. Exactly one of the two wins.
#[derive(Clone, Debug, Default)]
struct Claim(Arc<AtomicU8>);

impl Claim {
    const QUEUED: u8 = 0;
    const STARTED: u8 = 1;
    const WITHDRAWN: u8 = 2;

    /// The main thread's side: true when the job may start (it had not been withdrawn).
    fn start(&self) -> bool {
        match self.0.compare_exchange(
            Self::QUEUED,
            Self::STARTED,
            Ordering::SeqCst,
            Ordering::SeqCst,
        ) {
            Ok(_) => true,
            Err(current) => current == Self::STARTED,
        }
    }

    /// The caller's side: true when the job will never start.
    fn withdraw(&self) -> bool {
        match self.0.compare_exchange(
            Self::QUEUED,
            Self::WITHDRAWN,
            Ordering::SeqCst,
            Ordering::SeqCst,
        ) {
            Ok(_) => true,
            Err(current) => current == Self::WITHDRAWN,
        }
    }

    fn is_withdrawn(&self) -> bool {
        self.0.load(Ordering::SeqCst) == Self::WITHDRAWN
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
    claim: Claim,
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

    /// True when the caller stopped waiting (timed out, went away, or withdrew it); running it
    /// is wasted work.
    pub fn is_abandoned(&self) -> bool {
        self.reply.is_closed() || self.claim.is_withdrawn()
    }

    /// Runs the command with `handler` and sends the result to the caller.
    ///
    /// A panic in `handler` is caught and answered as `INTERNAL_ERROR`; it never unwinds
    /// further (in particular not across the Godot FFI boundary).
    pub fn run(self, handler: impl FnOnce(&Command) -> CommandResult) -> RunOutcome {
        let (command, mut answer) = self.into_parts();
        if !answer.start() {
            return RunOutcome::CallerGone;
        }
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
            claim,
        } = self;
        (
            command,
            Answer {
                reply,
                queued_at,
                main_thread: MainThreadTime::default(),
                claim,
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
    claim: Claim,
}

impl Answer {
    /// How long ago the job was queued.
    pub fn waited(&self) -> Duration {
        self.queued_at.elapsed()
    }

    /// True when the caller stopped waiting (timed out, went away, or withdrew it).
    pub fn is_abandoned(&self) -> bool {
        self.reply.is_closed() || self.claim.is_withdrawn()
    }

    /// Claims the command for the main thread, just before it starts: false when its caller
    /// withdrew it first, and then it must not start. Once this returned true the caller
    /// can no longer withdraw it.
    pub fn start(&self) -> bool {
        self.claim.start()
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
