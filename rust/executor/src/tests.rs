use std::sync::atomic::{AtomicUsize, Ordering};

use godot_ai_protocol::{ErrorCode, JsonObject};
use serde_json::json;

use super::*;

fn ok_with(key: &str, value: serde_json::Value) -> CommandResult {
    let mut data = JsonObject::new();
    data.insert(key.to_owned(), value);
    Ok(data)
}

/// The next job the queue receives, waiting for it without blocking the runtime.
async fn next_job(queue: &mut JobQueue) -> Job {
    loop {
        if let Some(job) = queue.try_next() {
            return job;
        }
        tokio::task::yield_now().await;
    }
}

/// Runs jobs on a plain thread standing in for Godot's main thread.
fn spawn_main_thread(mut queue: JobQueue, jobs: usize) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut done = 0;
        while done < jobs {
            match queue.try_next() {
                Some(job) => {
                    job.run(|command| ok_with("echo", json!(command.name)));
                    done += 1;
                }
                None => std::thread::yield_now(),
            }
        }
    })
}

#[tokio::test]
async fn a_command_is_answered_by_the_main_thread() {
    let (handle, queue) = channel(4);
    let main = spawn_main_thread(queue, 1);
    let data = handle
        .execute(Command::bare("get_editor_state"))
        .await
        .unwrap();
    assert_eq!(data["echo"], json!("get_editor_state"));
    main.join().unwrap();
}

#[tokio::test]
async fn dropping_the_queue_fails_waiting_and_later_calls_with_a_clear_error() {
    let (handle, queue) = channel(4);
    let waiting = tokio::spawn({
        let handle = handle.clone();
        async move { handle.execute(Command::bare("get_scene_tree")).await }
    });
    tokio::task::yield_now().await;
    drop(queue);

    let error = waiting.await.unwrap().unwrap_err();
    assert_eq!(error.code, ErrorCode::InternalError);
    assert!(error.message.contains("plugin was disabled"), "{error}");

    let later = handle.execute(Command::bare("x")).await.unwrap_err();
    assert!(later.message.contains("'x'"), "{later}");
    assert!(handle.is_closed());
}

#[tokio::test]
async fn a_job_dropped_unanswered_fails_its_caller() {
    let (handle, mut queue) = channel(4);
    let caller = tokio::spawn(async move { handle.execute(Command::bare("y")).await });
    let job = next_job(&mut queue).await;
    drop(job);
    let error = caller.await.unwrap().unwrap_err();
    assert_eq!(error.code, ErrorCode::InternalError);
}

#[tokio::test(start_paused = true)]
async fn a_busy_main_thread_times_out_the_caller_instead_of_hanging() {
    let (handle, queue) = channel(4);
    let handle = handle.with_timeout(Duration::from_secs(5));
    let error = handle.execute(Command::bare("slow")).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InternalError);
    assert!(error.message.contains("within 5s"), "{error}");
    assert_eq!(error.data.unwrap()["timeout_seconds"], json!(5.0));
    drop(queue);
}

#[tokio::test(start_paused = true)]
async fn a_full_queue_times_out_the_caller_waiting_for_room() {
    let (handle, _queue) = channel(1);
    let handle = handle.with_timeout(Duration::from_secs(2));
    let first = tokio::spawn({
        let handle = handle.clone();
        async move { handle.execute(Command::bare("first")).await }
    });
    tokio::task::yield_now().await;
    let second = handle.execute(Command::bare("second")).await.unwrap_err();
    assert!(second.message.contains("'second'"), "{second}");
    assert!(first.await.unwrap().is_err());
}

#[tokio::test]
async fn a_panicking_command_becomes_internal_error_and_the_queue_goes_on() {
    let (handle, mut queue) = channel(4);
    let caller = tokio::spawn({
        let handle = handle.clone();
        async move { handle.execute(Command::bare("boom")).await }
    });
    let job = next_job(&mut queue).await;
    let outcome = job.run(|_| panic!("index out of bounds"));
    assert_eq!(outcome, RunOutcome::AnsweredError);
    let error = caller.await.unwrap().unwrap_err();
    assert_eq!(error.code, ErrorCode::InternalError);
    assert!(error.message.contains("index out of bounds"), "{error}");

    let main = spawn_main_thread(queue, 1);
    assert!(handle.execute(Command::bare("after")).await.is_ok());
    main.join().unwrap();
}

#[tokio::test]
async fn the_wake_hook_runs_once_per_queued_job() {
    let wakes = Arc::new(AtomicUsize::new(0));
    let (handle, queue) = channel(4);
    let handle = handle.with_wake_hook({
        let wakes = wakes.clone();
        Arc::new(move || {
            wakes.fetch_add(1, Ordering::SeqCst);
        })
    });
    let main = spawn_main_thread(queue, 2);
    handle.execute(Command::bare("a")).await.unwrap();
    handle.execute(Command::bare("b")).await.unwrap();
    main.join().unwrap();
    assert_eq!(wakes.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn drain_within_runs_everything_queued_when_the_budget_allows() {
    let (handle, mut queue) = channel(8);
    let callers: Vec<_> = (0..5)
        .map(|i| {
            let handle = handle.clone();
            tokio::spawn(async move { handle.execute(Command::bare(format!("c{i}"))).await })
        })
        .collect();
    while queue.len() < 5 {
        tokio::task::yield_now().await;
    }
    let ran = drain_within(
        Duration::from_secs(1),
        || queue.try_next(),
        |job| {
            job.run(|command| ok_with("name", json!(command.name)));
        },
    );
    assert_eq!(ran, 5);
    for (i, caller) in callers.into_iter().enumerate() {
        assert_eq!(
            caller.await.unwrap().unwrap()["name"],
            json!(format!("c{i}"))
        );
    }
}

#[tokio::test]
async fn drain_within_stops_when_the_budget_is_spent_but_runs_at_least_one_job() {
    let (handle, mut queue) = channel(8);
    for i in 0..3 {
        let handle = handle.clone();
        tokio::spawn(async move { handle.execute(Command::bare(format!("c{i}"))).await });
    }
    while queue.len() < 3 {
        tokio::task::yield_now().await;
    }
    let ran = drain_within(
        Duration::ZERO,
        || queue.try_next(),
        |job| {
            job.run(|_| Ok(JsonObject::new()));
        },
    );
    assert_eq!(ran, 1);
    assert_eq!(queue.len(), 2);
}

/// The next job the queue receives, waiting (cooperatively) until one is there.
async fn queued_job(queue: &mut JobQueue) -> Job {
    loop {
        match queue.try_next() {
            Some(job) => return job,
            None => tokio::task::yield_now().await,
        }
    }
}

#[tokio::test]
async fn a_job_answered_on_a_later_frame_reaches_its_caller() {
    let (handle, mut queue) = channel(4);
    let call = tokio::spawn({
        let handle = handle.clone();
        async move { handle.execute(Command::bare("open_scene")).await }
    });
    let job = queued_job(&mut queue).await;
    let (command, answer) = job.into_parts();
    assert_eq!(command.name, "open_scene");
    assert!(!answer.is_abandoned());
    // Some frames later, the effect has settled.
    tokio::task::yield_now().await;
    assert_eq!(
        answer.send(ok_with("path", json!("res://a.tscn"))),
        RunOutcome::Answered
    );
    let data = call.await.unwrap().unwrap();
    assert_eq!(data["path"], json!("res://a.tscn"));
}

#[tokio::test]
async fn an_answer_dropped_unsent_ends_the_call_with_a_clear_error() {
    let (handle, mut queue) = channel(4);
    let call = tokio::spawn({
        let handle = handle.clone();
        async move { handle.execute(Command::bare("run_project")).await }
    });
    let job = queued_job(&mut queue).await;
    let (_command, answer) = job.into_parts();
    drop(answer);
    let error = call.await.unwrap().unwrap_err();
    assert_eq!(error.code, ErrorCode::InternalError);
    assert!(error.message.contains("'run_project'"), "{error}");
}

#[test]
fn a_panic_in_caught_work_becomes_that_commands_internal_error() {
    let result: Result<u32, _> = run_caught("poll", || panic!("boom"));
    let error = result.unwrap_err();
    assert_eq!(error.code, ErrorCode::InternalError);
    assert!(
        error.message.contains("'poll'") && error.message.contains("boom"),
        "{error}"
    );
    assert_eq!(run_caught("poll", || 7).unwrap(), 7);
}

/// Answers `configure_client` off the main thread; panics on `panicking_client`.
struct ClientWorker;

impl OffMainThread for ClientWorker {
    fn handles(&self, name: &str) -> bool {
        matches!(name, "configure_client" | "panicking_client")
    }

    fn run(&self, command: &Command) -> CommandResult {
        if command.name == "panicking_client" {
            panic!("the worker broke");
        }
        ok_with("thread", json!(std::thread::current().name().is_some()))
    }
}

#[tokio::test]
async fn off_main_thread_commands_are_answered_without_the_main_thread() {
    let (handle, queue) = channel(4);
    let handle = handle.with_off_main_thread(Arc::new(ClientWorker));
    let answered = handle
        .execute(Command::bare("configure_client"))
        .await
        .unwrap();
    assert!(answered.contains_key("thread"));
    assert!(queue.is_empty(), "nothing was queued for the main thread");
    let panicked = handle
        .execute(Command::bare("panicking_client"))
        .await
        .unwrap_err();
    assert_eq!(panicked.code, ErrorCode::InternalError);
    assert!(
        panicked.message.contains("the worker broke"),
        "{}",
        panicked.message
    );
    let main = spawn_main_thread(queue, 1);
    let queued = handle
        .execute(Command::bare("get_editor_state"))
        .await
        .unwrap();
    assert_eq!(
        queued["echo"],
        json!("get_editor_state"),
        "other commands still go to the queue"
    );
    main.join().unwrap();
}

#[tokio::test]
async fn a_command_over_several_frames_reports_the_main_thread_time_of_all_of_them() {
    let (handle, mut queue) = channel(4);
    let caller = tokio::spawn(async move { handle.execute_measured(Command::bare("open")).await });
    let job = next_job(&mut queue).await;
    let (_command, mut answer) = job.into_parts();
    answer.charge(Duration::from_millis(3));
    answer.charge(Duration::from_millis(4));
    answer.send(ok_with("opened", json!(true)));

    let executed = caller.await.unwrap();
    let spent = executed.main_thread.unwrap();
    assert_eq!(spent.total, Duration::from_millis(7));
    assert_eq!(spent.longest, Duration::from_millis(4));
    assert_eq!(spent.frames, 2);
    assert_eq!(executed.result.unwrap()["opened"], json!(true));
}

#[tokio::test]
async fn a_command_run_in_one_go_reports_its_main_thread_time() {
    let (handle, mut queue) = channel(4);
    let caller = tokio::spawn(async move { handle.execute_measured(Command::bare("state")).await });
    let job = next_job(&mut queue).await;
    job.run(|_| ok_with("ok", json!(true)));
    let executed = caller.await.unwrap();
    assert_eq!(executed.main_thread.map(|spent| spent.frames), Some(1));
    assert!(executed.result.is_ok());
}

#[tokio::test(start_paused = true)]
async fn a_call_the_main_thread_never_answered_has_no_main_thread_time() {
    let (handle, _queue) = channel(4);
    let handle = handle.with_timeout(Duration::from_secs(5));
    let executed = handle.execute_measured(Command::bare("slow")).await;
    assert_eq!(executed.main_thread, None);
    assert!(executed.result.is_err());
}

#[tokio::test]
async fn a_withdrawn_command_that_had_not_started_never_starts_and_its_call_ends() {
    let (handle, mut queue) = channel(4);
    let withdrawal = Withdrawal::default();
    let call = tokio::spawn({
        let handle = handle.clone().withdrawable(withdrawal.clone());
        async move { handle.execute(Command::bare("run_tests")).await }
    });
    let job = queued_job(&mut queue).await;
    withdrawal.request();
    let error = call.await.unwrap().unwrap_err();
    assert_eq!(error.code, ErrorCode::InternalError);
    assert!(error.message.contains("withdrawn"), "{error}");
    assert!(withdrawal.took_back_a_command());
    assert!(job.is_abandoned());
    let ran = AtomicUsize::new(0);
    let outcome = job.run(|_| {
        ran.fetch_add(1, Ordering::SeqCst);
        Ok(JsonObject::new())
    });
    assert_eq!(outcome, RunOutcome::CallerGone);
    assert_eq!(
        ran.load(Ordering::SeqCst),
        0,
        "a withdrawn job must not run"
    );
}

#[tokio::test]
async fn a_command_that_started_before_the_withdrawal_still_answers_its_caller() {
    let (handle, mut queue) = channel(4);
    let withdrawal = Withdrawal::default();
    let call = tokio::spawn({
        let handle = handle.clone().withdrawable(withdrawal.clone());
        async move { handle.execute(Command::bare("run_tests")).await }
    });
    let (_command, answer) = queued_job(&mut queue).await.into_parts();
    assert!(answer.start());
    withdrawal.request();
    // Let the caller see the request (this runtime runs one task at a time).
    tokio::task::yield_now().await;
    assert!(!answer.is_abandoned(), "a started command is not withdrawn");
    assert_eq!(
        answer.send(ok_with("passed", json!(3))),
        RunOutcome::Answered
    );
    assert_eq!(call.await.unwrap().unwrap()["passed"], json!(3));
    assert!(!withdrawal.took_back_a_command());
}

#[tokio::test]
async fn after_a_withdrawal_nothing_more_is_queued() {
    let (handle, mut queue) = channel(4);
    let withdrawal = Withdrawal::default();
    withdrawal.request();
    let handle = handle.withdrawable(withdrawal.clone());
    let error = handle
        .execute(Command::bare("save_scene"))
        .await
        .unwrap_err();
    assert!(error.message.contains("withdrawn"), "{error}");
    assert!(queue.try_next().is_none());
}
