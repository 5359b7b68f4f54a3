//! The Tasks extension (SEP-2663, `io.modelcontextprotocol/tasks`) for the editor's long
//! commands: a client that declared the extension gets a task handle at once for a test run, a
//! batch or a reimport, and polls `tasks/get` for the result instead of holding a request open
//! for minutes.
//!
//! Invariants:
//! - Only a client that declared the extension (at `initialize`, or in the request's `_meta`)
//!   is handed a task; every other client gets the plain result, as before.
//! - One task store per endpoint, shared by its sessions: a client that reconnects (a new
//!   session) can still poll the task it started. Task ids are random UUIDs.
//! - At most [`MAX_RUNNING_TASKS`] run at once; past that a call answers synchronously (the
//!   extension lets a server decide), so a flood of calls cannot grow memory without bound.
//! - `tasks/cancel` takes back the task's command if the main thread has not started it (the
//!   task ends `cancelled`, nothing changed); a command that had started runs to the end and
//!   the task ends `completed` with its result, because an editor edit is not safe to cut
//!   halfway, and the task then says truthfully what happened.
//! - A task lives until its `ttlMs` passes after it ends (see rmcp's [`TaskManager`]).

use std::future::Future;
use std::pin::pin;

use godot_ai_executor::Withdrawal;
use godot_ai_protocol::JsonObject;
use godot_ai_protocol::godot_ai_commands::TEST_RUN_MAX_BUDGET_SECONDS;
use rmcp::RoleServer;
use rmcp::model::{CallToolResult, Task};
use rmcp::service::RequestContext;
use rmcp::task_manager::{TaskContext, TaskExit, TaskFuture, TaskManager, TaskOptions};
use serde_json::Value;

/// How many tasks may run at once before calls answer synchronously again.
pub const MAX_RUNNING_TASKS: usize = 16;

/// How often a client should poll a running task.
const POLL_INTERVAL_MS: u64 = 500;

/// How long a task is kept: a test run may take its whole budget, every other long command
/// answers within minutes; the result stays readable for as long again after it ends.
fn ttl_ms(tool: &str) -> u64 {
    let seconds = if tool == "test_run" {
        TEST_RUN_MAX_BUDGET_SECONDS + 300
    } else {
        900
    };
    seconds * 1000
}

/// Whether `tool` called with `arguments` runs as a task for a client that declared the
/// extension: the calls that can take long (running tests, a batch of commands, a reimport or
/// a filesystem scan).
pub fn runs_long(tool: &str, arguments: &JsonObject) -> bool {
    let op = arguments.get("op").and_then(Value::as_str);
    match tool {
        "test_run" | "batch_execute" => true,
        "filesystem_manage" => matches!(op, Some("reimport" | "scan")),
        _ => false,
    }
}

/// True when the request declared the Tasks extension (at `initialize`, or in its `_meta`).
pub fn declared(context: &RequestContext<RoleServer>) -> bool {
    context
        .client_capabilities()
        .is_some_and(|capabilities| capabilities.supports_tasks())
}

/// The endpoint's task store (cheap to clone; clones share it).
#[derive(Clone, Default)]
pub struct EditorTasks {
    manager: TaskManager,
}

impl EditorTasks {
    pub fn new() -> Self {
        Self::default()
    }

    /// The store `tasks/get`, `tasks/update` and `tasks/cancel` answer from.
    pub fn manager(&self) -> &TaskManager {
        &self.manager
    }

    /// True while another task may start.
    pub fn has_room(&self) -> bool {
        self.manager.running_task_count() < MAX_RUNNING_TASKS
    }

    /// Starts the editor call `call` as a task for `tool` and returns its seed state. `call`
    /// gets a [`Withdrawal`] to run its commands under, which `tasks/cancel` requests.
    pub fn start<F, Work>(&self, tool: &str, call: F) -> Task
    where
        F: FnOnce(Withdrawal) -> Work + Send + 'static,
        Work: Future<Output = CallToolResult> + Send + 'static,
    {
        let options = TaskOptions::new()
            .with_ttl_ms(ttl_ms(tool))
            .with_poll_interval_ms(POLL_INTERVAL_MS);
        self.manager
            .spawn(options, move |context| run_withdrawable(context, call))
    }
}

/// Runs `call` until it answers; a cancel request withdraws its commands that have not started
/// and then still waits for the answer, so the task ends as what really happened.
fn run_withdrawable<F, Work>(context: TaskContext, call: F) -> TaskFuture
where
    F: FnOnce(Withdrawal) -> Work + Send + 'static,
    Work: Future<Output = CallToolResult> + Send + 'static,
{
    Box::pin(async move {
        let withdrawal = Withdrawal::default();
        let mut work = pin!(call(withdrawal.clone()));
        let result = tokio::select! {
            biased;
            result = &mut work => result,
            () = context.cancelled() => {
                withdrawal.request();
                work.await
            }
        };
        if withdrawal.took_back_a_command() {
            Err(TaskExit::Cancelled)
        } else {
            Ok(result)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn arguments(value: Value) -> JsonObject {
        let Value::Object(map) = value else {
            panic!("arguments are an object")
        };
        map
    }

    #[test]
    fn only_the_long_calls_run_as_tasks() {
        assert!(runs_long("test_run", &JsonObject::new()));
        assert!(runs_long(
            "batch_execute",
            &arguments(json!({"commands": []}))
        ));
        assert!(runs_long(
            "filesystem_manage",
            &arguments(json!({"op": "reimport"}))
        ));
        assert!(!runs_long(
            "filesystem_manage",
            &arguments(json!({"op": "read_text"}))
        ));
        assert!(!runs_long("node_create", &JsonObject::new()));
    }

    #[test]
    fn a_test_run_task_outlives_the_longest_test_budget() {
        assert!(ttl_ms("test_run") > TEST_RUN_MAX_BUDGET_SECONDS * 1000);
        assert!(ttl_ms("batch_execute") < ttl_ms("test_run"));
    }
}
