//! The project's editor test suites, the way godot-ai defines them: `run_tests` runs them,
//! `get_test_results` reads the last run again.
//!
//! A suite is `res://tests/test_*.gd`, a `@tool` script that `extends McpTestSuite` (this
//! library's class, so suites need no script of ours in the project) with `test_*` methods.
//! Beyond godot-ai, a failing test names the file, line and function of its failed assertion
//! (or of the script error that stopped it).

mod discovery;
mod results;
mod run;
pub mod suite;

use std::time::Duration;

use godot_ai_protocol::godot_ai_commands::TEST_RUN_MAX_BUDGET_SECONDS;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use super::params::{flag_or, optional_string};
use super::settle::{Step, in_slices};
use discovery::{TESTS_DIR, discover};
use run::{Filter, TestRun};

/// The budget when the caller gives none: godot-ai's, under its 2.x server's 120 s wait.
const DEFAULT_BUDGET: Duration = Duration::from_secs(110);
/// The budget a caller may ask for, in seconds.
const BUDGET_RANGE: std::ops::RangeInclusive<f64> = 30.0..=TEST_RUN_MAX_BUDGET_SECONDS as f64;

/// `run_tests {suite?, test_name?, exclude_test_name?, verbose?, timeout_budget_sec?}`.
pub fn run_tests(params: &JsonObject) -> Step {
    match start(params) {
        Ok(step) => step,
        Err(error) => Step::Done(Err(error)),
    }
}

fn start(params: &JsonObject) -> Result<Step, CommandError> {
    let filter = Filter {
        suite: non_empty(optional_string(params, "suite")?),
        test_name: non_empty(optional_string(params, "test_name")?),
        excluded: optional_string(params, "exclude_test_name")?
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    let verbose = flag_or(params, "verbose", false)?;
    let budget = budget(params.get("timeout_budget_sec"));

    let mut discovered = discover();
    if let Some(wanted) = &filter.suite {
        let available: Vec<String> = discovered.suites.iter().map(|s| s.name.clone()).collect();
        if !available.contains(wanted) {
            let mut error = CommandError::new(
                ErrorCode::InvalidParams,
                format!(
                    "No suite named '{wanted}' is registered ({} discovered in {TESTS_DIR}). \
                     Pass one of suites_available, or no suite to run them all.",
                    available.len()
                ),
            )
            .with_data("suite", wanted.as_str())
            .with_data("suites_available", available);
            if !discovered.load_errors.is_empty() {
                error = error.with_data("load_errors", discovered.load_errors.clone());
            }
            return Err(error);
        }
        discovered.suites.retain(|suite| suite.name == *wanted);
    }
    if discovered.suites.is_empty() {
        results::keep(&Default::default());
        return Ok(Step::Done(Ok(no_suites(discovered.load_errors))));
    }
    let run = TestRun::new(
        discovered.suites,
        discovered.load_errors,
        filter,
        verbose,
        budget,
    );
    tracing::info!(
        "running the project's test suites (at most {}s)",
        run.budget().as_secs()
    );
    Ok(in_slices(run))
}

/// `get_test_results {verbose?}`: the last run's summary, without running anything.
pub fn get_test_results(params: &JsonObject) -> CommandResult {
    let verbose = flag_or(params, "verbose", false)?;
    Ok(results::last_summary(verbose))
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// The asked-for budget, kept within [`BUDGET_RANGE`]; [`DEFAULT_BUDGET`] when none (or no
/// usable number) is given.
fn budget(asked: Option<&Value>) -> Duration {
    match asked.and_then(Value::as_f64) {
        Some(seconds) if seconds.is_finite() && seconds > 0.0 => {
            Duration::from_secs_f64(seconds.clamp(*BUDGET_RANGE.start(), *BUDGET_RANGE.end()))
        }
        _ => DEFAULT_BUDGET,
    }
}

/// The reply when the project has no suite: a success, as godot-ai's, that says so.
fn no_suites(load_errors: Vec<String>) -> JsonObject {
    let mut data = JsonObject::new();
    data.insert(
        "error".to_owned(),
        json!(format!(
            "No test suites found in {TESTS_DIR}/ (files named test_*.gd whose script extends \
             McpTestSuite)"
        )),
    );
    data.insert("total".to_owned(), json!(0));
    data.insert("load_errors".to_owned(), json!(load_errors));
    data.insert("edited_scene".to_owned(), json!(run::edited_scene_path()));
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_kept_within_its_range() {
        assert_eq!(budget(None), DEFAULT_BUDGET);
        assert_eq!(budget(Some(&json!(300.0))), Duration::from_secs(300));
        assert_eq!(budget(Some(&json!(5))), Duration::from_secs(30));
        assert_eq!(budget(Some(&json!(1e9))), Duration::from_secs(3600));
        assert_eq!(budget(Some(&json!(-1))), DEFAULT_BUDGET);
        assert_eq!(budget(Some(&json!("300"))), DEFAULT_BUDGET);
    }
}
