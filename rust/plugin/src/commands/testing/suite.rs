//! `McpTestSuite`: the base class of a project's editor test suites, with godot-ai's
//! assertions. A suite is a `@tool` GDScript in `res://tests/test_*.gd` that
//! `extends McpTestSuite`; the runner calls its `test_*` methods.
//!
//! The hooks a suite may define (`suite_name`, `suite_setup`, `setup`, `teardown`,
//! `suite_teardown`) are not declared here: GDScript refuses to override a native method, so the
//! runner calls each one only when the script has it.
//!
//! Invariants:
//! - The first failed assertion of a test is the one reported, with the script file, line and
//!   function that made it; later assertions only count.
//! - A failed assertion beats a skip, whichever came first.
//! - The state is reset by the runner before each test ([`McpTestSuite::begin_test`]).

use godot::builtin::VariantOperator;
use godot::classes::editor_undo_redo_manager::SpecialHistory;
use godot::classes::{EditorInterface, EditorUndoRedoManager, Engine, RefCounted};
use godot::prelude::*;

/// Where a script called from: its file, line and function.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Place {
    pub file: String,
    pub line: i64,
    pub function: String,
}

impl Place {
    /// The innermost script frame calling into this library right now, if a script is running.
    pub fn of_caller() -> Option<Place> {
        let backtraces = Engine::singleton().capture_script_backtraces();
        backtraces.iter_shared().find_map(|backtrace| {
            (backtrace.get_frame_count() > 0).then(|| Place {
                file: backtrace.get_frame_file(0).to_string(),
                line: i64::from(backtrace.get_frame_line(0)),
                function: backtrace.get_frame_function(0).to_string(),
            })
        })
    }
}

/// A failed assertion: its message and where the suite made it.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub message: String,
    pub place: Option<Place>,
}

/// What `suite_setup` asked for instead of running the tests.
#[derive(Debug, Clone, PartialEq)]
pub enum SetupOutcome {
    Failed(String),
    Skipped(String),
}

/// The base class of a test suite (see the module docs).
#[derive(GodotClass)]
#[class(base = RefCounted, init, tool)]
pub struct McpTestSuite {
    base: Base<RefCounted>,
    assertions: i64,
    failure: Option<Failure>,
    skip_reason: Option<String>,
    setup_outcome: Option<SetupOutcome>,
    /// Objects to free after the test (`track`).
    tracked: Vec<Gd<Object>>,
}

/// What one test left behind, read by the runner after the test returned.
pub struct TestOutcome {
    pub assertions: i64,
    pub failure: Option<Failure>,
    pub skip_reason: Option<String>,
}

impl McpTestSuite {
    /// Clears what the previous test left.
    pub fn begin_test(&mut self) {
        self.assertions = 0;
        self.failure = None;
        self.skip_reason = None;
    }

    /// What the test that just ran did; frees the objects it tracked.
    pub fn end_test(&mut self) -> TestOutcome {
        for object in self.tracked.drain(..) {
            if object.is_instance_valid() && !object.is_class("RefCounted") {
                object.free();
            }
        }
        TestOutcome {
            assertions: self.assertions,
            failure: self.failure.take(),
            skip_reason: self.skip_reason.take(),
        }
    }

    /// What `suite_setup` asked for, if anything (read once).
    pub fn take_setup_outcome(&mut self) -> Option<SetupOutcome> {
        self.setup_outcome.take()
    }

    /// Counts an assertion and records the failure when `passed` is false.
    fn check(&mut self, passed: bool, message: &GString, default: impl FnOnce() -> String) -> bool {
        self.assertions += 1;
        if !passed && self.failure.is_none() {
            let message = if message.is_empty() {
                default()
            } else {
                message.to_string()
            };
            self.failure = Some(Failure {
                message,
                place: Place::of_caller(),
            });
        }
        passed
    }
}

/// `a <operator> b` as GDScript evaluates it; false when the operator does not apply.
fn evaluates_true(a: &Variant, operator: VariantOperator, b: &Variant) -> bool {
    a.evaluate(b, operator)
        .is_some_and(|result| result.booleanize())
}

/// A value as a failure message shows it.
fn shown(value: &Variant) -> String {
    match value.get_type() {
        VariantType::STRING | VariantType::STRING_NAME | VariantType::NODE_PATH => {
            format!("\"{value}\"")
        }
        _ => value.to_string(),
    }
}

#[godot_api]
impl McpTestSuite {
    #[func]
    fn assert_true(&mut self, condition: Variant, #[opt(default = "")] message: GString) -> bool {
        let passed = condition.booleanize();
        self.check(passed, &message, || {
            format!("Expected true, got {}", shown(&condition))
        })
    }

    #[func]
    fn assert_false(&mut self, condition: Variant, #[opt(default = "")] message: GString) -> bool {
        let passed = !condition.booleanize();
        self.check(passed, &message, || {
            format!("Expected false, got {}", shown(&condition))
        })
    }

    #[func]
    fn assert_eq(
        &mut self,
        actual: Variant,
        expected: Variant,
        #[opt(default = "")] message: GString,
    ) -> bool {
        let passed = evaluates_true(&actual, VariantOperator::EQUAL, &expected);
        self.check(passed, &message, || {
            format!("Expected {}, got {}", shown(&expected), shown(&actual))
        })
    }

    #[func]
    fn assert_ne(
        &mut self,
        actual: Variant,
        not_expected: Variant,
        #[opt(default = "")] message: GString,
    ) -> bool {
        let passed = !evaluates_true(&actual, VariantOperator::EQUAL, &not_expected);
        self.check(passed, &message, || {
            format!("Expected a value other than {}", shown(&not_expected))
        })
    }

    #[func]
    fn assert_gt(
        &mut self,
        actual: Variant,
        threshold: Variant,
        #[opt(default = "")] message: GString,
    ) -> bool {
        let passed = evaluates_true(&actual, VariantOperator::GREATER, &threshold);
        self.check(passed, &message, || {
            format!("Expected {} > {}", shown(&actual), shown(&threshold))
        })
    }

    #[func]
    fn assert_has_key(
        &mut self,
        dictionary: Variant,
        key: Variant,
        #[opt(default = "")] message: GString,
    ) -> bool {
        let passed = dictionary
            .try_to::<VarDictionary>()
            .is_ok_and(|dictionary| dictionary.contains_key(&key));
        self.check(passed, &message, || {
            format!("Expected a Dictionary with key {}", shown(&key))
        })
    }

    #[func]
    fn assert_contains(
        &mut self,
        haystack: Variant,
        needle: Variant,
        #[opt(default = "")] message: GString,
    ) -> bool {
        let searchable = matches!(
            haystack.get_type(),
            VariantType::STRING | VariantType::ARRAY
        ) || haystack.get_type().ord() >= VariantType::PACKED_BYTE_ARRAY.ord();
        let passed = searchable && evaluates_true(&needle, VariantOperator::IN, &haystack);
        self.check(passed, &message, || {
            format!(
                "Expected {} to contain {}",
                shown(&haystack),
                shown(&needle)
            )
        })
    }

    /// Passes when `result` is a godot-ai error reply (`{"error": {...}}`), with the code
    /// `expected_code` when one is given.
    #[func]
    fn assert_is_error(
        &mut self,
        result: Variant,
        #[opt(default = "")] expected_code: GString,
        #[opt(default = "")] message: GString,
    ) -> bool {
        let error = result
            .try_to::<VarDictionary>()
            .ok()
            .and_then(|result| result.get("error"));
        let code = error
            .as_ref()
            .and_then(|error| error.try_to::<VarDictionary>().ok())
            .and_then(|error| error.get("code"))
            .map(|code| code.to_string());
        let passed = match (&error, expected_code.is_empty()) {
            (None, _) => false,
            (Some(_), true) => true,
            (Some(_), false) => code.as_deref() == Some(&expected_code.to_string()),
        };
        self.check(passed, &message, || match (&error, &code) {
            (None, _) => format!("Expected an error result, got {}", shown(&result)),
            (Some(_), code) => format!(
                "Expected error code {expected_code}, got {}",
                code.as_deref().unwrap_or("none")
            ),
        })
    }

    /// Marks the running test skipped (a failed assertion still fails it).
    #[func]
    fn skip(&mut self, #[opt(default = "")] reason: GString) {
        self.skip_reason = Some(reason.to_string());
    }

    /// Called in `suite_setup`: no test of the suite runs, and the suite reports a failure.
    #[func]
    fn fail_setup(&mut self, reason: GString) {
        self.setup_outcome = Some(SetupOutcome::Failed(reason.to_string()));
    }

    /// Called in `suite_setup`: no test of the suite runs, and the suite reports a skip.
    #[func]
    fn skip_suite(&mut self, reason: GString) {
        self.setup_outcome = Some(SetupOutcome::Skipped(reason.to_string()));
    }

    /// Frees `object` after the test (when it is not reference counted); returns it.
    #[func]
    fn track(&mut self, object: Gd<Object>) -> Gd<Object> {
        self.tracked.push(object.clone());
        object
    }

    /// Undoes the last action of the edited scene's history, or of the global one.
    #[func]
    fn editor_undo(&self, history: Option<Gd<EditorUndoRedoManager>>) -> bool {
        step_history(history, true)
    }

    /// Redoes the next action of the edited scene's history, or of the global one.
    #[func]
    fn editor_redo(&self, history: Option<Gd<EditorUndoRedoManager>>) -> bool {
        step_history(history, false)
    }
}

/// One undo (or redo) in the edited scene's history, else the global one.
fn step_history(history: Option<Gd<EditorUndoRedoManager>>, undo: bool) -> bool {
    let history = match history {
        Some(history) => history,
        None => match EditorInterface::singleton().get_editor_undo_redo() {
            Some(history) => history,
            None => return false,
        },
    };
    let scene_id = EditorInterface::singleton()
        .get_edited_scene_root()
        .map(|root| history.get_object_history_id(&root));
    let global_id = SpecialHistory::GLOBAL_HISTORY.ord();
    for id in scene_id.into_iter().chain([global_id]) {
        let Some(mut undo_redo) = history.get_history_undo_redo(id) else {
            continue;
        };
        let stepped = if undo {
            undo_redo.has_undo() && undo_redo.undo()
        } else {
            undo_redo.has_redo() && undo_redo.redo()
        };
        if stepped {
            return true;
        }
    }
    false
}
