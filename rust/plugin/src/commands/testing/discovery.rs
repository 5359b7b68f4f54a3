//! Finding the project's test suites: `res://tests/test_*.gd` (not recursive), each loaded
//! afresh (never from the resource cache, so an edited suite runs as it is on disk) and kept
//! when it is a [`McpTestSuite`].

use godot::classes::{DirAccess, Script};
use godot::prelude::*;

use super::suite::McpTestSuite;
use crate::commands::script_instance::fresh_instance;

/// Where suites live.
pub const TESTS_DIR: &str = "res://tests";

/// A loaded suite, ready to run.
pub struct LoadedSuite {
    pub name: String,
    pub instance: Gd<McpTestSuite>,
    /// Its `test_*` methods, sorted by name.
    pub tests: Vec<String>,
}

/// What discovery found: the suites, sorted by name, and why the other files were left out.
#[derive(Default)]
pub struct Discovered {
    pub suites: Vec<LoadedSuite>,
    pub load_errors: Vec<String>,
}

/// Loads every suite file of the project.
pub fn discover() -> Discovered {
    let mut discovered = Discovered::default();
    for path in suite_files() {
        match load_suite(&path) {
            Ok(suite) => discovered.suites.push(suite),
            Err(reason) => discovered.load_errors.push(format!("{path} ({reason})")),
        }
    }
    discovered.suites.sort_by(|a, b| a.name.cmp(&b.name));
    discovered
}

/// `res://tests/test_*.gd`, sorted.
fn suite_files() -> Vec<String> {
    let Some(dir) = DirAccess::open(TESTS_DIR) else {
        return Vec::new();
    };
    let mut files: Vec<String> = dir
        .get_files()
        .as_slice()
        .iter()
        .map(GString::to_string)
        .filter(|name| name.starts_with("test_") && name.ends_with(".gd"))
        .map(|name| format!("{TESTS_DIR}/{name}"))
        .collect();
    files.sort();
    files
}

fn load_suite(path: &str) -> Result<LoadedSuite, String> {
    let (script, instance) = fresh_instance(path)?;
    let instance = match instance.try_cast::<McpTestSuite>() {
        Ok(suite) => suite,
        Err(other) => {
            if !other.is_class("RefCounted") {
                other.free();
            }
            return Err("not a McpTestSuite subclass".to_owned());
        }
    };
    let name = suite_name(&instance, path);
    Ok(LoadedSuite {
        name,
        tests: test_methods(&script),
        instance,
    })
}

/// The suite's `suite_name()`, or its file's name (`test_math`) when it has none.
fn suite_name(instance: &Gd<McpTestSuite>, path: &str) -> String {
    let object = instance.clone().upcast::<Object>();
    if object.has_method("suite_name")
        && let Ok(name) = object.clone().try_call("suite_name", &[])
        && let Ok(name) = name.try_to::<GString>()
        && !name.is_empty()
    {
        return name.to_string();
    }
    path.rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".gd")
        .to_owned()
}

/// The script's methods named `test_*` (its own and its base scripts'), sorted, once each.
fn test_methods(script: &Gd<Script>) -> Vec<String> {
    let mut tests: Vec<String> = script
        .get_script_method_list()
        .iter_shared()
        .filter_map(|method| method.get("name"))
        .map(|name| name.to_string())
        .filter(|name| name.starts_with("test_"))
        .collect();
    tests.sort();
    tests.dedup();
    tests
}
