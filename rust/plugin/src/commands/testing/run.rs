//! One test run: the suites in name order, each test with its `setup`/`teardown`, one frame
//! slice at a time (so the editor keeps drawing and the connection keeps beating), within a
//! time budget.
//!
//! Invariants:
//! - A suite that started always gets its `suite_teardown` and its clean-up, however the run
//!   ends (done, out of time, caller gone).
//! - The last-run results are updated after every test, so a run that ran out of time still
//!   leaves what it did readable by `get_test_results`.
//! - No borrow of a suite is held while its script runs.

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, Instant};

use godot::classes::{EditorInterface, Node};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::json;

use super::discovery::LoadedSuite;
use super::results::{self, RunResults, TestResult};
use super::suite::{Place, SetupOutcome};
use crate::commands::settle::{Budget, Sliced};
use crate::editor_log;

/// Nodes a test makes under this name prefix are freed after it.
const TEST_NODE_PATTERN: &str = "_McpTest*";

/// The run stops starting tests this long before its budget ends, so its answer arrives
/// before the caller gives up.
const ANSWER_MARGIN: Duration = Duration::from_secs(10);

/// Which tests to run.
pub struct Filter {
    /// Only the suite with this name.
    pub suite: Option<String>,
    /// Only tests whose name contains this.
    pub test_name: Option<String>,
    /// Tests whose name contains one of these are reported as skipped, not run.
    pub excluded: Vec<String>,
}

impl Filter {
    fn selects(&self, test: &str) -> bool {
        self.test_name
            .as_deref()
            .is_none_or(|wanted| test.contains(wanted))
    }

    fn excludes(&self, test: &str) -> bool {
        self.excluded
            .iter()
            .any(|part| test.contains(part.as_str()))
    }
}

/// A run in progress.
pub struct TestRun {
    filter: Filter,
    verbose: bool,
    started: Instant,
    budget: Duration,
    suites: VecDeque<LoadedSuite>,
    current: Option<SuiteInProgress>,
    results: RunResults,
    load_errors: Vec<String>,
}

/// The suite running now: the tests it has left, and the scene-root children it found.
struct SuiteInProgress {
    suite: LoadedSuite,
    tests: VecDeque<String>,
    roots_before: HashSet<i64>,
}

impl TestRun {
    pub fn new(
        suites: Vec<LoadedSuite>,
        load_errors: Vec<String>,
        filter: Filter,
        verbose: bool,
        budget: Duration,
    ) -> Self {
        let results = RunResults::default();
        results::keep(&results);
        Self {
            filter,
            verbose,
            started: Instant::now(),
            budget,
            suites: suites.into(),
            current: None,
            results,
            load_errors,
        }
    }

    /// The time the caller waits for the answer.
    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// Runs one step: starts the next suite, runs one test, or ends a suite. `true` when
    /// nothing is left.
    fn step(&mut self) -> bool {
        let Some(current) = self.current.as_mut() else {
            let Some(suite) = self.suites.pop_front() else {
                return true;
            };
            self.start_suite(suite);
            return false;
        };
        match current.tests.pop_front() {
            Some(test) => {
                let result = self.run_test(&test);
                self.record(result);
            }
            None => self.end_suite(),
        }
        false
    }

    fn start_suite(&mut self, suite: LoadedSuite) {
        let tests = suite
            .tests
            .iter()
            .filter(|test| self.filter.selects(test))
            .cloned()
            .collect();
        let roots_before = scene_root_children();
        let mut current = SuiteInProgress {
            suite,
            tests,
            roots_before,
        };
        let mut instance = current.suite.instance.clone().upcast::<Object>();
        if instance.has_method("suite_setup") {
            let history = EditorInterface::singleton().get_editor_undo_redo();
            let context = vdict! { "undo_redo" => &history.to_variant() };
            let _ = instance.try_call("suite_setup", &[context.to_variant()]);
        }
        let outcome = current.suite.instance.bind_mut().take_setup_outcome();
        if let Some(outcome) = outcome {
            let name = current.suite.name.clone();
            let entry = match outcome {
                SetupOutcome::Failed(reason) => TestResult::note(
                    &name,
                    "<suite_setup>",
                    false,
                    false,
                    format!("suite_setup() failed: {reason} (subsequent tests not run)"),
                ),
                SetupOutcome::Skipped(reason) => TestResult::note(
                    &name,
                    "<suite_setup>",
                    true,
                    true,
                    format!("suite_setup() skipped: {reason}"),
                ),
            };
            current.tests.clear();
            self.current = Some(current);
            self.record(entry);
            return;
        }
        self.current = Some(current);
    }

    fn run_test(&mut self, test: &str) -> TestResult {
        let current = self.current.as_ref().expect("a suite is running");
        let suite_name = current.suite.name.clone();
        if self.filter.excludes(test) {
            return TestResult::note(
                &suite_name,
                test,
                true,
                true,
                "Excluded by exclude_test_name filter".to_owned(),
            );
        }
        let mut suite = current.suite.instance.clone();
        suite.bind_mut().begin_test();
        let mut instance = suite.clone().upcast::<Object>();
        let log_mark = editor_log::mark();
        let began = Instant::now();
        if instance.has_method("setup") {
            let _ = instance.try_call("setup", &[]);
        }
        let called = instance.try_call(test, &[]);
        if instance.has_method("teardown") {
            let _ = instance.try_call("teardown", &[]);
        }
        let duration_ms = began.elapsed().as_millis() as u64;
        let script_errors: Vec<_> = editor_log::entries_since(log_mark)
            .into_iter()
            .filter(|entry| entry.is_script_error())
            .collect();
        let outcome = suite.bind_mut().end_test();
        free_test_nodes();

        let mut result = TestResult::note(&suite_name, test, true, false, String::new());
        result.assertions = outcome.assertions;
        result.duration_ms = Some(duration_ms);
        if let Err(error) = called {
            result.passed = false;
            result.message = format!("The test could not be called: {error}");
        } else if let Some(first) = script_errors.first() {
            let errors: Vec<String> = script_errors
                .iter()
                .map(|error| {
                    format!(
                        "{} ({}:{} in {})",
                        error.text, error.file, error.line, error.function
                    )
                })
                .collect();
            result.passed = false;
            result.message = format!("Aborted by SCRIPT ERROR: {}", errors.join("; "));
            if let Some(failure) = &outcome.failure {
                result.message += &format!(" (after assertion failure: {})", failure.message);
            }
            result.place = Some(Place {
                file: first.file.clone(),
                line: first.line,
                function: first.function.clone(),
            });
        } else if let Some(failure) = outcome.failure {
            result.passed = false;
            result.message = failure.message;
            result.place = failure.place;
        } else if let Some(reason) = outcome.skip_reason {
            result.skipped = true;
            result.message = reason;
        } else if outcome.assertions == 0 {
            result.passed = false;
            result.message =
                "Test completed with 0 assertions (likely skipped its logic)".to_owned();
        }
        result
    }

    /// Ends the running suite: `suite_teardown`, then the scene-root children it added go.
    fn end_suite(&mut self) {
        let Some(current) = self.current.take() else {
            return;
        };
        let mut instance = current.suite.instance.clone().upcast::<Object>();
        if instance.has_method("suite_teardown") {
            let _ = instance.try_call("suite_teardown", &[]);
        }
        remove_new_root_children(&current.roots_before);
    }

    fn record(&mut self, result: TestResult) {
        self.results.add(result);
        self.results.duration_ms = self.started.elapsed().as_millis() as u64;
        results::keep(&self.results);
    }

    /// Tests selected but not run yet.
    fn tests_not_run(&self) -> usize {
        let left_in_current = self
            .current
            .as_ref()
            .map_or(0, |current| current.tests.len());
        let left_in_queue: usize = self
            .suites
            .iter()
            .map(|suite| {
                suite
                    .tests
                    .iter()
                    .filter(|test| self.filter.selects(test))
                    .count()
            })
            .sum();
        left_in_current + left_in_queue
    }

    /// The answer of a run that did all its tests.
    fn answer(&self) -> JsonObject {
        let mut data = self.results.summary(self.verbose);
        if !self.load_errors.is_empty() {
            data.insert("load_errors".to_owned(), json!(self.load_errors));
        }
        let edited_scene = edited_scene_path();
        if self.results.failed() > 0
            && let Some(main_scene) = main_scene()
            && main_scene != edited_scene
        {
            data.insert(
                "scene_warning".to_owned(),
                json!(format!(
                    "The tests ran with {} open, not the main scene {main_scene}; tests that \
                     expect the main scene may fail. scene_open(\"{main_scene}\") and run them \
                     again to compare.",
                    if edited_scene.is_empty() {
                        "no scene"
                    } else {
                        edited_scene.as_str()
                    }
                )),
            );
        }
        data.insert("edited_scene".to_owned(), json!(edited_scene));
        data
    }

    /// Stops early: the running suite is torn down, and the error says what ran.
    fn out_of_time(&mut self) -> CommandError {
        let not_run = self.tests_not_run();
        self.end_suite();
        self.results.duration_ms = self.started.elapsed().as_millis() as u64;
        results::keep(&self.results);
        let elapsed = self.started.elapsed();
        CommandError::new(
            ErrorCode::TestRunTimeout,
            format!(
                "The test run stopped after {:.1}s of its {}s budget: {} passed, {} failed, {} \
                 selected tests did not run. Run fewer tests at once (suite, test_name or \
                 exclude_test_name); test_manage(op=\"results_get\") shows what ran.",
                elapsed.as_secs_f64(),
                self.budget.as_secs(),
                self.results.passed(),
                self.results.failed(),
                not_run
            ),
        )
        .with_data("phase", "run")
        .with_data("elapsed_ms", elapsed.as_millis() as u64)
        .with_data("budget_sec", self.budget.as_secs())
        .with_data("passed", self.results.passed())
        .with_data("failed", self.results.failed())
        .with_data("skipped", self.results.skipped())
        .with_data("total", self.results.results.len())
        .with_data("tests_not_run", not_run)
    }

    fn past_ceiling(&self) -> bool {
        self.started.elapsed() + ANSWER_MARGIN >= self.budget
    }

    /// The caller has gone: finish the running suite's clean-up and keep what ran.
    pub fn abandon(&mut self) {
        self.end_suite();
        results::keep(&self.results);
    }
}

impl Sliced for TestRun {
    fn work(&mut self, budget: &Budget) -> Option<CommandResult> {
        loop {
            if self.step() {
                return Some(Ok(self.answer()));
            }
            if self.past_ceiling() {
                return Some(Err(self.out_of_time()));
            }
            if budget.spent() {
                return None;
            }
        }
    }

    fn doing(&self) -> String {
        "the test run".to_owned()
    }

    fn time_allowed(&self) -> Duration {
        self.budget
    }

    fn abandoned(&mut self) {
        self.abandon();
    }
}

/// The edited scene's file, "" when none is open (or it was never saved).
pub(super) fn edited_scene_path() -> String {
    EditorInterface::singleton()
        .get_edited_scene_root()
        .map(|root| root.get_scene_file_path().to_string())
        .unwrap_or_default()
}

/// The project's main scene, when it has one.
fn main_scene() -> Option<String> {
    let main = godot::classes::ProjectSettings::singleton()
        .get_setting("application/run/main_scene")
        .to_string();
    (!main.is_empty()).then_some(main)
}

fn scene_root_children() -> HashSet<i64> {
    EditorInterface::singleton()
        .get_edited_scene_root()
        .map(|root| {
            root.get_children()
                .iter_shared()
                .map(|child| child.instance_id().to_i64())
                .collect()
        })
        .unwrap_or_default()
}

/// Frees the nodes a test left under [`TEST_NODE_PATTERN`] names in the edited scene.
fn free_test_nodes() {
    let Some(root) = EditorInterface::singleton().get_edited_scene_root() else {
        return;
    };
    let found = root
        .find_children_ex(TEST_NODE_PATTERN)
        .recursive(true)
        .owned(false)
        .done();
    for node in found.iter_shared() {
        free_node(node);
    }
}

/// Removes the edited scene root's children that were not there before the suite (outside
/// the undo history, as godot-ai does: they are the suite's scaffolding).
fn remove_new_root_children(before: &HashSet<i64>) {
    let Some(root) = EditorInterface::singleton().get_edited_scene_root() else {
        return;
    };
    for child in root.get_children().iter_shared() {
        if !before.contains(&child.instance_id().to_i64()) {
            free_node(child);
        }
    }
}

fn free_node(mut node: Gd<Node>) {
    if !node.is_instance_valid() {
        return;
    }
    if let Some(mut parent) = node.get_parent() {
        parent.remove_child(&node);
    }
    node.queue_free();
}
