//! `logs_read`: what godot-ai 3.2.5's server sends for each log source and how it rebuilds the
//! plugin's reply.
//!
//! * `source=plugin`: every kept line is fetched and paged here, flattened to plain strings:
//!   `{lines: [text], total_count, offset, limit, has_more}`.
//! * `editor`, `game`, `all`: the plugin pages; the result always has `source, lines,
//!   total_count, returned_count, offset, limit, has_more, run_id, is_running, dropped_count,
//!   stale_run_id` (defaults filled in where the plugin left them out) plus the run, cursor
//!   and diagnostic keys the plugin sent ([`PASSED_THROUGH`]).
//!
//! Any other source is sent as given, and the plugin refuses it.

use godot_ai_protocol::{Command, CommandError, JsonObject};
use serde_json::{Value, json};

use super::Plan;
use super::paging::page;
use crate::arguments::{Arguments, PickParams};

/// The plugin keeps this many of its own lines; `logs_read` fetches them all and pages here.
const PLUGIN_LOG_LINES: i64 = 500;

/// Keys of a plugin reply for the editor, game and all sources that are kept as they are:
/// godot-ai 3.2.5's list, plus `note`, which this plugin adds to say what it does not capture.
const PASSED_THROUGH: &[&str] = &[
    "current_run_id",
    "cursor",
    "oldest_cursor",
    "next_cursor",
    "appended_total",
    "truncated",
    "helper_live",
    "session_active",
    "game_status",
    "editor_errors_count",
    "editor_errors_hint",
    "note",
];

/// The "new errors since your last call" hints godot-ai stamps on a reply; kept through every
/// rebuild so they are seen once.
const ERROR_HINTS: &[&str] = &[
    "new_errors_since_last_call",
    "new_errors_hint",
    "new_warnings_since_last_call",
    "new_warnings_hint",
];

/// `get_logs` params: for the plugin's own lines all of them; otherwise `{count, offset,
/// source}`, plus `since_run_id` (game, when set), `since_cursor` (editor, when given) and
/// `include_details` (when true).
pub(super) fn plan_read(arguments: &Arguments) -> Result<Plan, CommandError> {
    let source = arguments.string("source");
    let mut params = JsonObject::new();
    if source == "plugin" {
        params.insert("count".to_owned(), json!(PLUGIN_LOG_LINES));
        params.insert("source".to_owned(), json!("plugin"));
        return Ok(Command::new("get_logs", params).into());
    }
    params.extend(arguments.pick(&["count", "offset", "source"]));
    if source == "game" {
        params.extend(arguments.pick_non_empty(&["since_run_id"]));
    }
    if source == "editor" {
        params.extend(arguments.pick_non_null(&["since_cursor"]));
    }
    params.extend(arguments.pick_true(&["include_details"]));
    Ok(Command::new("get_logs", params).into())
}

/// The `logs_read` result from the plugin's `get_logs` reply.
pub(super) fn shape_read(data: JsonObject, arguments: &Arguments) -> JsonObject {
    if arguments.string("source") == "plugin" {
        plugin_page(data, arguments)
    } else {
        plugin_paged(data, arguments)
    }
}

/// The plugin's own lines as plain strings, one page of them.
fn plugin_page(mut data: JsonObject, arguments: &Arguments) -> JsonObject {
    let lines: Vec<Value> = match data.remove("lines") {
        Some(Value::Array(lines)) => lines.into_iter().map(line_text).collect(),
        _ => Vec::new(),
    };
    let mut listing = JsonObject::new();
    listing.insert("lines".to_owned(), Value::Array(lines));
    let mut shaped = page(
        listing,
        "lines",
        arguments.integer("offset"),
        arguments.integer("count"),
    );
    keep(&data, &mut shaped, ERROR_HINTS);
    shaped
}

/// A plugin line as text: a `{text}` entry's text, a string as it is.
fn line_text(line: Value) -> Value {
    match line {
        Value::Object(mut entry) => match entry.remove("text") {
            Some(Value::String(text)) => Value::String(text),
            Some(Value::Null) | None => json!(""),
            Some(other) => Value::String(other.to_string()),
        },
        text @ Value::String(_) => text,
        other => Value::String(other.to_string()),
    }
}

/// An editor, game or all page as the plugin paged it, in godot-ai's shape.
fn plugin_paged(data: JsonObject, arguments: &Arguments) -> JsonObject {
    let count = arguments.integer("count");
    let offset = arguments.integer("offset");
    let source = arguments.string("source");
    let wanted_run = arguments.string("since_run_id");
    let run_id = data.get("run_id").cloned().unwrap_or_else(|| json!(""));
    let is_running = data.get("is_running").cloned().unwrap_or(json!(false));
    let dropped_count = data.get("dropped_count").cloned().unwrap_or(json!(0));

    // A plugin that answers for another run than the one asked for did not honour
    // since_run_id: an empty stale page rather than another run's lines under the wrong name.
    let served_run = run_id.as_str().unwrap_or_default();
    if !wanted_run.is_empty() && !served_run.is_empty() && served_run != wanted_run {
        let mut stale = json_object(json!({
            "source": source, "lines": [], "total_count": 0, "returned_count": 0, "offset": 0,
            "limit": count, "has_more": false, "run_id": run_id, "is_running": is_running,
            "dropped_count": dropped_count, "stale_run_id": true,
        }));
        keep(&data, &mut stale, &["current_run_id"]);
        keep(&data, &mut stale, ERROR_HINTS);
        return stale;
    }

    let lines = match data.get("lines") {
        Some(Value::Array(lines)) => lines.clone(),
        _ => Vec::new(),
    };
    let total = data
        .get("total_count")
        .and_then(Value::as_i64)
        .unwrap_or(lines.len() as i64);
    let has_more = data
        .get("has_more")
        .and_then(Value::as_bool)
        .unwrap_or(offset.saturating_add(count) < total);
    let returned = lines.len();
    let mut shaped = json_object(json!({
        "source": source,
        "lines": lines,
        "total_count": total,
        "returned_count": returned,
        "offset": data.get("offset").and_then(Value::as_i64).unwrap_or(offset),
        "limit": count,
        "has_more": has_more,
        "run_id": run_id,
        "is_running": is_running,
        "dropped_count": dropped_count,
        "stale_run_id": data.get("stale_run_id").and_then(Value::as_bool).unwrap_or(false),
    }));
    keep(&data, &mut shaped, PASSED_THROUGH);
    keep(&data, &mut shaped, ERROR_HINTS);
    shaped
}

/// Copies the `keys` that `from` has into `to`.
fn keep(from: &JsonObject, to: &mut JsonObject, keys: &[&str]) {
    for key in keys {
        if let Some(value) = from.get(*key) {
            to.insert((*key).to_owned(), value.clone());
        }
    }
}

fn json_object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("built as an object"),
    }
}
