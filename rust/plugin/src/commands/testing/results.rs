//! The results of test runs: one entry per test, the summary godot-ai's `test_run` answers,
//! and the last run's results, kept for `get_test_results` until the next run starts.

use std::cell::RefCell;

use godot_ai_protocol::JsonObject;
use serde_json::{Value, json};

use super::suite::Place;

/// How one test (or a suite's setup) ended.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    pub suite: String,
    pub test: String,
    pub passed: bool,
    pub skipped: bool,
    /// Empty for a pass; the failure, or the reason for a skip.
    pub message: String,
    pub assertions: i64,
    /// `None` for entries that did not run a test (a suite's setup, an excluded test).
    pub duration_ms: Option<u64>,
    /// Where a failing test failed: the assertion, or the script error that stopped it.
    pub place: Option<Place>,
}

impl TestResult {
    /// An entry that is not a test of its own: an excluded test, a suite's setup.
    pub fn note(suite: &str, test: &str, passed: bool, skipped: bool, message: String) -> Self {
        Self {
            suite: suite.to_owned(),
            test: test.to_owned(),
            passed,
            skipped,
            message,
            assertions: 0,
            duration_ms: None,
            place: None,
        }
    }

    fn failed(&self) -> bool {
        !self.passed
    }

    /// godot-ai's entry, plus `file`, `line` and `function` where a failing test failed.
    fn to_json(&self) -> Value {
        let mut entry = json!({
            "suite": self.suite,
            "test": self.test,
            "passed": self.passed,
            "message": self.message,
            "assertion_count": self.assertions,
        });
        if self.skipped {
            entry["skipped"] = json!(true);
        }
        if let Some(duration_ms) = self.duration_ms {
            entry["duration_ms"] = json!(duration_ms);
        }
        if let Some(place) = &self.place {
            entry["file"] = json!(place.file);
            entry["line"] = json!(place.line);
            entry["function"] = json!(place.function);
        }
        entry
    }
}

/// A run's results so far.
#[derive(Debug, Clone, Default)]
pub struct RunResults {
    pub results: Vec<TestResult>,
    /// Suites that produced results, in the order they ran.
    pub suites_run: Vec<String>,
    pub duration_ms: u64,
}

impl RunResults {
    pub fn add(&mut self, result: TestResult) {
        if !self.suites_run.contains(&result.suite) {
            self.suites_run.push(result.suite.clone());
        }
        self.results.push(result);
    }

    pub fn passed(&self) -> usize {
        self.count(|result| result.passed && !result.skipped)
    }

    pub fn failed(&self) -> usize {
        self.count(TestResult::failed)
    }

    pub fn skipped(&self) -> usize {
        self.count(|result| result.skipped)
    }

    fn count(&self, which: impl Fn(&TestResult) -> bool) -> usize {
        self.results.iter().filter(|result| which(result)).count()
    }

    /// godot-ai's summary: the counts, the suites, the failures (when any), and every entry
    /// when `verbose`.
    pub fn summary(&self, verbose: bool) -> JsonObject {
        let mut summary = JsonObject::new();
        summary.insert("passed".to_owned(), json!(self.passed()));
        summary.insert("failed".to_owned(), json!(self.failed()));
        summary.insert("skipped".to_owned(), json!(self.skipped()));
        summary.insert("total".to_owned(), json!(self.results.len()));
        summary.insert("duration_ms".to_owned(), json!(self.duration_ms));
        summary.insert("suites_run".to_owned(), json!(self.suites_run));
        summary.insert("suite_count".to_owned(), json!(self.suites_run.len()));
        if self.failed() > 0 {
            let failures: Vec<Value> = self
                .results
                .iter()
                .filter(|result| result.failed())
                .map(TestResult::to_json)
                .collect();
            summary.insert("failures".to_owned(), Value::Array(failures));
        }
        if verbose {
            let results: Vec<Value> = self.results.iter().map(TestResult::to_json).collect();
            summary.insert("results".to_owned(), Value::Array(results));
        }
        summary
    }
}

thread_local! {
    /// The last run's results (the one running, while it runs).
    static LAST_RUN: RefCell<RunResults> = RefCell::new(RunResults::default());
}

/// Replaces the last run's results.
pub fn keep(results: &RunResults) {
    LAST_RUN.with(|last| *last.borrow_mut() = results.clone());
    crate::change_watch::publish(godot_ai_mcp::EditorEvent::Changed(
        godot_ai_mcp::Topic::TestResults,
    ));
}

/// The last run's summary (see [`RunResults::summary`]).
pub fn last_summary(verbose: bool) -> JsonObject {
    LAST_RUN.with(|last| last.borrow().summary(verbose))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(test: &str, passed: bool, skipped: bool) -> TestResult {
        TestResult::note("math", test, passed, skipped, String::new())
    }

    #[test]
    fn counts_passes_failures_and_skips_apart() {
        let mut run = RunResults::default();
        run.add(result("test_a", true, false));
        run.add(result("test_b", false, false));
        run.add(result("test_c", true, true));
        let summary = run.summary(false);
        assert_eq!(summary["passed"], 1);
        assert_eq!(summary["failed"], 1);
        assert_eq!(summary["skipped"], 1);
        assert_eq!(summary["total"], 3);
        assert_eq!(summary["suites_run"], json!(["math"]));
        assert_eq!(summary["failures"].as_array().map(Vec::len), Some(1));
        assert!(!summary.contains_key("results"));
        assert_eq!(
            run.summary(true)["results"].as_array().map(Vec::len),
            Some(3)
        );
    }

    #[test]
    fn a_failure_names_where_it_failed() {
        let mut failing = result("test_b", false, false);
        failing.place = Some(Place {
            file: "res://tests/test_math.gd".to_owned(),
            line: 12,
            function: "test_b".to_owned(),
        });
        let entry = failing.to_json();
        assert_eq!(entry["file"], "res://tests/test_math.gd");
        assert_eq!(entry["line"], 12);
        assert!(
            result("test_a", true, false)
                .to_json()
                .get("file")
                .is_none()
        );
    }
}
