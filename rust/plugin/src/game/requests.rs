//! The editor's requests to the game, by op: godot-ai's `game_manage` ops, `eval`, and
//! `break_status` (asked while a debugger break holds the game).

use godot::prelude::*;
use serde_json::{Map, Value, json};

use super::{eval, input, reply, tree};

/// Asked during a debugger break: did an evaluated piece of code cause it?
pub const BREAK_STATUS: &str = "break_status";

/// What the game's window shows; waits for the first drawn frame.
pub const SCREENSHOT: &str = "screenshot";

/// One request: its id (echoed in the reply), op and params.
#[derive(Debug)]
pub struct Request {
    pub id: i64,
    pub op: String,
    pub params: Map<String, Value>,
}

impl Request {
    /// Reads `[id, op, params_json]`.
    pub fn decode(data: &VarArray) -> Option<Request> {
        let id = data.get(0)?.try_to::<i64>().ok()?;
        let op = data.get(1)?.to_string();
        let params = match serde_json::from_str(&data.get(2)?.to_string()).ok()? {
            Value::Object(params) => params,
            _ => return None,
        };
        Some(Request { id, op, params })
    }
}

/// Runs `request`, replying now or (for multi-frame ops) once it has finished.
pub fn handle(request: Request) {
    let Request { id, op, params } = request;
    let result = match op.as_str() {
        BREAK_STATUS => Ok(break_status()),
        "get_scene_tree" => tree::scene_tree(&params),
        "get_node_info" => tree::node_info(&params),
        "get_ui_elements" => tree::ui_elements(&params),
        "input_action" => input::action(&params),
        "input_key" => input::key(&params),
        "input_mouse" => input::mouse(&params),
        "input_gamepad" => input::gamepad(&params),
        "input_state" => input::state(&params),
        "input_sequence" => return input::start_sequence(id, &params),
        SCREENSHOT => tree::screenshot(&params),
        "eval" => return eval::start(id, &params),
        other => Err((
            "INVALID_PARAMS",
            format!("The game does not know the op '{other}'"),
        )),
    };
    reply(id, result);
}

/// `{eval_error: entry?}`: the script error the running eval raised, if one did.
fn break_status() -> Value {
    super::flush_logs();
    let error =
        eval::running_mark().and_then(|mark| super::script_errors_since(mark).into_iter().last());
    json!({
        "eval_running": eval::running_mark().is_some(),
        "eval_error": error.map(|entry| json!({
            "text": entry.text,
            "file": entry.file,
            "line": entry.line,
        })),
    })
}

/// A param as a string, or its default.
pub fn text<'a>(params: &'a Map<String, Value>, name: &str, default: &'a str) -> &'a str {
    params.get(name).and_then(Value::as_str).unwrap_or(default)
}

pub fn flag(params: &Map<String, Value>, name: &str, default: bool) -> bool {
    params.get(name).and_then(Value::as_bool).unwrap_or(default)
}

pub fn number(params: &Map<String, Value>, name: &str, default: f64) -> f64 {
    params.get(name).and_then(Value::as_f64).unwrap_or(default)
}

pub fn integer(params: &Map<String, Value>, name: &str, default: i64) -> i64 {
    params
        .get(name)
        .and_then(|value| value.as_i64().or_else(|| value.as_f64().map(|f| f as i64)))
        .unwrap_or(default)
}
