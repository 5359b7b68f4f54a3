//! `eval {code}`: runs GDScript in the live game and replies with what it returned.
//!
//! The code becomes the body of a function in a small script (a one-line expression without
//! `return` is returned), written under `user://` and compiled by the resource loader's worker
//! thread: off the main thread a parse error is logged (with its line) instead of stopping the
//! game at a debugger break. The function then runs on a node added to the scene tree, so
//! `get_tree()` and `get_node()` reach the live game.
//!
//! A runtime error in the code is logged (Godot 4.6 logs it, then stops the game at a debugger
//! break); the editor sees the break, asks `break_status`, and continues the game, and the
//! error reaches the caller as `EVAL_RUNTIME_ERROR` with its line. Code that never returns
//! keeps the game's main thread: only the editor's deadline can answer then (`EVAL_HUNG`).
//!
//! A lone expression that turns out to be a call of a `void` function (`print("x")`) cannot be
//! returned; it is compiled again as a plain statement.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use godot::classes::file_access::ModeFlags;
use godot::classes::resource_loader::CacheMode;
use godot::classes::{DirAccess, Engine, Expression, FileAccess, Node, ResourceLoader, SceneTree};
use godot::global::Error;
use godot::prelude::*;
use serde_json::{Map, Value, json};

use super::reply;
use crate::log_capture::Entry;

/// Where evaluated scripts are written.
const EVAL_DIR: &str = "user://godot_ai_native";

/// Lines before the code in the generated script.
const HEADER_LINES: i64 = 3;

/// How long an eval that awaits may wait for its result in the game: shorter than the
/// editor's own limit, so the game's more precise answer arrives first.
const AWAIT_LIMIT: Duration = Duration::from_secs(6);

/// How long compiling may take.
const COMPILE_LIMIT: Duration = Duration::from_secs(5);

/// The largest result sent back (serialized JSON).
pub const RESULT_LIMIT: usize = 4 * 1024 * 1024;

/// `ResourceLoader.ThreadLoadStatus` values (the typed enum is hidden by gdext without its
/// thread feature; the calls are made dynamically).
const STATUS_IN_PROGRESS: i64 = 1;
const STATUS_LOADED: i64 = 3;

type Failure = (&'static str, String);

enum Stage {
    Compiling {
        started: Instant,
    },
    /// The code awaited: its function state finishes on a later frame.
    Awaiting {
        node: Gd<Node>,
        started: Instant,
    },
}

struct Eval {
    id: i64,
    path: String,
    /// The plain-statement script to compile instead if the returned form does not compile.
    fallback: Option<String>,
    /// [`super::log_mark`] when it started: the errors after it are this eval's.
    mark: u64,
    stage: Stage,
}

thread_local! {
    static EVALS: RefCell<Vec<Eval>> = const { RefCell::new(Vec::new()) };
    static COUNTER: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// Results of awaited evals, by id, set by their `completed` signal.
    static COMPLETED: RefCell<Vec<(i64, Variant)>> = const { RefCell::new(Vec::new()) };
    /// The mark of the eval whose code is running right now (see `break_status`).
    static RUNNING: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

/// The log mark of the eval whose code runs at this moment (during a debugger break it
/// caused), if any.
pub fn running_mark() -> Option<u64> {
    RUNNING.with(|running| running.get())
}

/// Starts compiling `params.code`; replies later.
pub fn start(id: i64, params: &Map<String, Value>) {
    let code = params.get("code").and_then(Value::as_str).unwrap_or("");
    if code.trim().is_empty() {
        reply(
            id,
            Err(("MISSING_REQUIRED_PARAM", "code is required".into())),
        );
        return;
    }
    let (source, fallback) = script_sources(code);
    compile(id, source, fallback);
}

/// Writes `source` to a new file and starts compiling it on the loader's thread.
fn compile(id: i64, source: String, fallback: Option<String>) {
    let number = COUNTER.with(|counter| {
        counter.set(counter.get() + 1);
        counter.get()
    });
    let path = format!("{EVAL_DIR}/eval_{}_{number}.gd", std::process::id());
    if let Err(failure) = write_script(&path, &source) {
        reply(id, Err(failure));
        return;
    }
    let requested = ResourceLoader::singleton().call(
        "load_threaded_request",
        &[
            path.to_variant(),
            "".to_variant(),
            false.to_variant(),
            CacheMode::IGNORE.ord().to_variant(),
        ],
    );
    if requested.try_to::<i64>().unwrap_or(-1) != Error::OK.ord() as i64 {
        let message = format!("The game could not start compiling the code ({requested})");
        reply(id, Err(("INTERNAL_ERROR", message)));
        return;
    }
    EVALS.with(|evals| {
        evals.borrow_mut().push(Eval {
            id,
            path,
            fallback,
            mark: super::log_mark(),
            stage: Stage::Compiling {
                started: Instant::now(),
            },
        })
    });
}

/// The script for `code` (its lines as the body of `run()`), and for a lone expression, which
/// is returned, the plain form to fall back to.
fn script_sources(code: &str) -> (String, Option<String>) {
    let lines: Vec<&str> = code
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    // Indented with spaces, the body is too: GDScript refuses a mix of tabs and spaces.
    let indent = if lines.iter().any(|line| line.starts_with(' ')) {
        "    "
    } else {
        "\t"
    };
    let plain: String = code
        .lines()
        .map(|line| format!("{indent}{line}\n"))
        .collect();
    if lines.len() == 1 && is_lone_expression(lines[0]) {
        let returned = format!("{indent}return {}\n", lines[0].trim());
        (script(&returned), Some(script(&plain)))
    } else {
        (script(&plain), None)
    }
}

fn script(body: &str) -> String {
    format!("extends Node\n\nfunc run():\n{body}")
}

/// True for a line that is an expression (`2 + 2`, `get_tree().current_scene.name`), not a
/// statement (`return x`, `var a = 1`, `x = 5`).
fn is_lone_expression(line: &str) -> bool {
    let trimmed = line.trim();
    let first_word = trimmed
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next();
    const STATEMENTS: &[&str] = &[
        "return",
        "var",
        "const",
        "if",
        "for",
        "while",
        "match",
        "pass",
        "await",
        "breakpoint",
        "assert",
    ];
    if first_word.is_some_and(|word| STATEMENTS.contains(&word)) {
        return false;
    }
    Expression::new_gd().parse(trimmed) == Error::OK
}

fn write_script(path: &str, source: &str) -> Result<(), Failure> {
    let made = DirAccess::make_dir_recursive_absolute(EVAL_DIR);
    if made != Error::OK && made != Error::ERR_ALREADY_EXISTS {
        return Err((
            "INTERNAL_ERROR",
            format!("The game could not create {EVAL_DIR} ({made:?})"),
        ));
    }
    let Some(mut file) = FileAccess::open(path, ModeFlags::WRITE) else {
        return Err(("INTERNAL_ERROR", format!("The game could not write {path}")));
    };
    file.store_string(source);
    file.close();
    Ok(())
}

/// Advances every eval: finished compiles run, awaited results are sent.
pub fn advance() {
    let evals = EVALS.with(|evals| std::mem::take(&mut *evals.borrow_mut()));
    let mut waiting = Vec::new();
    for eval in evals {
        if let Some(eval) = advance_one(eval) {
            waiting.push(eval);
        }
    }
    EVALS.with(|evals| evals.borrow_mut().extend(waiting));
}

/// One step of `eval`; `Some` while it still waits.
fn advance_one(mut eval: Eval) -> Option<Eval> {
    match eval.stage {
        Stage::Compiling { started } => {
            let status = ResourceLoader::singleton()
                .call("load_threaded_get_status", &[eval.path.to_variant()])
                .try_to::<i64>()
                .unwrap_or(-1);
            if status == STATUS_IN_PROGRESS {
                if started.elapsed() > COMPILE_LIMIT {
                    finish(
                        &eval,
                        Err((
                            "EVAL_HUNG",
                            "Compiling the code took too long in the game".into(),
                        )),
                    );
                    return None;
                }
                return Some(eval);
            }
            // Collected whatever the status, so the loader forgets the request.
            let script = ResourceLoader::singleton()
                .call("load_threaded_get", &[eval.path.to_variant()])
                .try_to::<Gd<godot::classes::Script>>()
                .ok()
                .filter(|script| status == STATUS_LOADED && script.can_instantiate());
            let Some(script) = script else {
                if let Some(fallback) = eval.fallback.take() {
                    remove_file(&eval.path);
                    compile(eval.id, fallback, None);
                    return None;
                }
                super::flush_logs();
                finish(&eval, Err(compile_error(&eval)));
                return None;
            };
            run(eval, script)
        }
        Stage::Awaiting { ref node, started } => {
            let done = COMPLETED.with(|completed| {
                let mut completed = completed.borrow_mut();
                let index = completed.iter().position(|(id, _)| *id == eval.id)?;
                Some(completed.remove(index).1)
            });
            if done.is_none() && started.elapsed() <= AWAIT_LIMIT {
                return Some(eval);
            }
            // The code may have freed its own node meanwhile.
            let node = node.is_instance_valid().then(|| node.clone());
            match done {
                Some(result) => {
                    super::flush_logs();
                    finish(&eval, result_of(&eval, &result));
                }
                None => {
                    let limit = AWAIT_LIMIT.as_secs();
                    let message = format!(
                        "The code awaited for more than {limit} s without finishing (a signal \
                         that never fires?); the game abandoned it and carries on"
                    );
                    finish(&eval, Err(("EVAL_HUNG", message)));
                }
            }
            if let Some(node) = node {
                free(node);
            }
            None
        }
    }
}

/// Runs the compiled code on a node in the tree; replies unless it awaited.
fn run(mut eval: Eval, script: Gd<godot::classes::Script>) -> Option<Eval> {
    let Some(root) = Engine::singleton()
        .get_main_loop()
        .and_then(|main_loop| main_loop.try_cast::<SceneTree>().ok())
        .and_then(|tree| tree.get_root())
    else {
        finish(
            &eval,
            Err((
                "EVAL_GAME_NOT_READY",
                "The game has no scene tree to run code in".into(),
            )),
        );
        return None;
    };
    let mut node = Node::new_alloc();
    node.set_name("GodotAiNativeEval");
    node.set_script(&script);
    root.clone().add_child(&node);
    // No borrow is held here: the code may cause a debugger break, during which the capture
    // answers `break_status`.
    // Only errors logged from here on are the code's (not another eval's compile errors).
    super::flush_logs();
    eval.mark = super::log_mark();
    RUNNING.with(|running| running.set(Some(eval.mark)));
    let result = node.call("run", &[]);
    RUNNING.with(|running| running.set(None));
    super::flush_logs();
    if result.get_type() == VariantType::OBJECT
        && result
            .try_to::<Gd<Object>>()
            .is_ok_and(|object| object.get_class() == "GDScriptFunctionState")
    {
        let id = eval.id;
        let mut state = result.to::<Gd<Object>>();
        state.connect(
            "completed",
            &Callable::from_fn(
                "godot_ai_native_eval_completed",
                move |args: &[&Variant]| {
                    let value = args
                        .first()
                        .map(|value| (*value).clone())
                        .unwrap_or_default();
                    COMPLETED.with(|completed| completed.borrow_mut().push((id, value)));
                },
            ),
        );
        eval.stage = Stage::Awaiting {
            node,
            started: Instant::now(),
        };
        return Some(eval);
    }
    finish(&eval, result_of(&eval, &result));
    free(node);
    None
}

/// Frees the eval's node unless the code freed it already.
fn free(mut node: Gd<Node>) {
    if node.is_instance_valid() {
        node.queue_free();
    }
}

/// The reply for a run that returned `result`: its JSON, unless the code raised an error.
fn result_of(eval: &Eval, result: &Variant) -> Result<Value, Failure> {
    if let Some(error) = super::script_errors_since(eval.mark).into_iter().next() {
        return Err((
            "EVAL_RUNTIME_ERROR",
            format!(
                "The code raised an error{}: {}",
                location(eval, &error),
                error.text
            ),
        ));
    }
    let value = crate::variant_json::to_json(result);
    let size = serde_json::to_string(&value).map_or(0, |text| text.len());
    if size > RESULT_LIMIT {
        return Err((
            "EVAL_RESULT_TOO_LARGE",
            format!(
                "The result is {size} bytes as JSON, over the {RESULT_LIMIT}-byte limit; return \
                 a smaller part of it (a slice, a count, a few fields)"
            ),
        ));
    }
    Ok(json!({"result": value, "source": "game"}))
}

/// `EVAL_COMPILE_ERROR` with the parse error's message and line in the caller's code.
fn compile_error(eval: &Eval) -> Failure {
    let error = super::script_errors_since(eval.mark)
        .into_iter()
        .find(|entry| entry.file == eval.path);
    match error {
        Some(error) => (
            "EVAL_COMPILE_ERROR",
            format!(
                "The code does not compile{}: {}",
                location(eval, &error),
                error.text.trim_start_matches("Parse Error: ")
            ),
        ),
        None => (
            "EVAL_COMPILE_ERROR",
            "The code does not compile; check its GDScript syntax and indentation".into(),
        ),
    }
}

/// ` at line N` of the caller's code when the error is in it, else ` in <file>:<line>`.
fn location(eval: &Eval, error: &Entry) -> String {
    if error.file == eval.path {
        format!(" at line {}", (error.line - HEADER_LINES).max(1))
    } else if !error.file.is_empty() {
        format!(" in {}:{}", error.file, error.line)
    } else {
        String::new()
    }
}

/// Replies and removes the script file.
fn finish(eval: &Eval, result: Result<Value, Failure>) {
    reply(eval.id, result);
    remove_file(&eval.path);
}

fn remove_file(path: &str) {
    if let Some(mut dir) = DirAccess::open(EVAL_DIR) {
        dir.remove(path.rsplit('/').next().unwrap_or_default());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn header_lines_match_the_script_header() {
        let header = "extends Node\n\nfunc run():\n";
        assert_eq!(header.lines().count() as i64, super::HEADER_LINES);
    }
}
