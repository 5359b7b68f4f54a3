//! `get_logs` / `clear_logs` and `get_performance_monitors`: what the editor and this plugin
//! have been doing.
//!
//! Sources: `plugin` (this plugin's own trace, see [`crate::plugin_log`]), `game` (what the
//! running game logged, by run, see [`crate::game_link`]), `editor` (the editor's own output,
//! see [`crate::editor_log`], then the rows of the Debugger's Errors tab, see
//! [`crate::debugger_errors`]), `all` (plugin, editor, then the current game run).

use godot::classes::performance::Monitor;
use godot::classes::{EditorInterface, Performance};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::params::{flag_or, integer_or, optional_string};
use crate::commands::reply::into_object;
use crate::{debugger_errors, editor_log, game_link, plugin_log};

const SOURCES: [&str; 4] = ["plugin", "game", "editor", "all"];

/// `get_logs {count = 50, offset = 0, source = "plugin"}`: lines oldest first, `offset` counted
/// from the oldest kept line.
pub fn get_logs(params: &JsonObject) -> CommandResult {
    let count = integer_or(params, "count", 50)?.max(0) as usize;
    let offset = integer_or(params, "offset", 0)?.max(0) as usize;
    let source = match optional_string(params, "source")? {
        "" => "plugin",
        given => given,
    };
    if !SOURCES.contains(&source) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("Invalid source '{source}' — use 'plugin', 'game', 'editor', or 'all'"),
        ));
    }
    let include_details = flag_or(params, "include_details", false)?;
    let since_run_id = optional_string(params, "since_run_id")?;
    let mut lines: Vec<Value> = if matches!(source, "plugin" | "all") {
        plugin_log::snapshot()
            .into_iter()
            .map(|text| json!({"source": "plugin", "level": "info", "text": text}))
            .collect()
    } else {
        Vec::new()
    };
    let since_cursor = match params.get("since_cursor") {
        Some(value) if source == "editor" && !value.is_null() => {
            Some(value.as_u64().ok_or_else(|| {
                CommandError::new(
                    ErrorCode::InvalidParams,
                    format!("Param 'since_cursor' must be a cursor (an integer >= 0), got {value}"),
                )
            })?)
        }
        _ => None,
    };
    let mut editor_dropped = 0;
    let mut cursors = None;
    if matches!(source, "editor" | "all") {
        let (editor_lines, dropped, at) =
            editor_log::lines(since_cursor.unwrap_or(0), include_details);
        lines.extend(editor_lines);
        editor_dropped = dropped;
        cursors = Some(at);
        // The Errors tab's rows are live UI state without cursors: a read by cursor skips them.
        if since_cursor.is_none() {
            lines.extend(debugger_errors::rows(include_details));
        }
    }
    // Read by cursor, the page starts at the cursor: `offset` does not apply.
    let offset = if since_cursor.is_some() { 0 } else { offset };
    let (current_run, is_running, game_dropped) = game_link::with_log(|log| {
        (
            log.current_run().to_owned(),
            log.is_running(),
            log.dropped(),
        )
    });
    let run_id = if source == "game" && !since_run_id.is_empty() {
        since_run_id.to_owned()
    } else {
        current_run.clone()
    };
    if matches!(source, "game" | "all") {
        game_link::with_log(|log| {
            lines.extend(log.run(&run_id).map(|line| line.to_json(include_details)));
        });
    }
    let total = lines.len();
    let page: Vec<Value> = lines.into_iter().skip(offset).take(count).collect();
    let returned = page.len();
    let mut data = json!({
        "source": source,
        "lines": page,
        "total_count": total,
        "returned_count": returned,
        "offset": offset,
        "has_more": offset + returned < total,
    });
    if let (Some(cursors), "editor") = (cursors, source) {
        let first = since_cursor.unwrap_or(0).max(cursors.oldest);
        data["next_cursor"] = json!(if since_cursor.is_some() {
            first + (offset + returned) as u64
        } else {
            cursors.appended
        });
        data["appended_total"] = json!(cursors.appended);
        if let Some(cursor) = since_cursor {
            data["cursor"] = json!(cursor);
            data["oldest_cursor"] = json!(cursors.oldest);
            data["truncated"] = json!(cursor < cursors.oldest);
            data["total_count"] = json!(cursors.appended);
        }
    }
    if source != "plugin" {
        let playing = EditorInterface::singleton().is_playing_scene();
        data["run_id"] = json!(run_id);
        data["current_run_id"] = json!(current_run);
        data["is_running"] = json!(playing && is_running);
        data["dropped_count"] = json!(match source {
            "game" => game_dropped,
            "editor" => editor_dropped,
            _ => game_dropped + editor_dropped,
        });
        data["stale_run_id"] = json!(run_id != current_run);
        let status = game_link::game_status();
        data["game_status"] = json!({"status": status});
        if let Some(detail) = game_link::game_status_detail() {
            data["game_status"]["detail"] = json!(detail);
        }
        data["helper_live"] = json!(status == "live");
        data["session_active"] = json!(status != "stopped");
    }
    Ok(into_object(data))
}

/// `clear_logs {clear_debugger_errors = false}`: forgets the plugin's kept lines; with the flag
/// also clears the Debugger's Errors tab (a person's view, so only when asked).
pub fn clear_logs(params: &JsonObject) -> CommandResult {
    let clear_debugger = flag_or(params, "clear_debugger_errors", false)?;
    let mut data = json!({"cleared_count": plugin_log::clear()});
    if clear_debugger {
        data["debugger_errors_cleared"] = json!(debugger_errors::clear());
    }
    Ok(into_object(data))
}

/// godot-ai's monitor names and the engine monitors they read.
const MONITORS: &[(&str, Monitor)] = &[
    ("time/fps", Monitor::TIME_FPS),
    ("time/process", Monitor::TIME_PROCESS),
    ("time/physics_process", Monitor::TIME_PHYSICS_PROCESS),
    ("time/navigation_process", Monitor::TIME_NAVIGATION_PROCESS),
    ("memory/static", Monitor::MEMORY_STATIC),
    ("memory/static_max", Monitor::MEMORY_STATIC_MAX),
    (
        "memory/message_buffer_max",
        Monitor::MEMORY_MESSAGE_BUFFER_MAX,
    ),
    ("object/count", Monitor::OBJECT_COUNT),
    ("object/resource_count", Monitor::OBJECT_RESOURCE_COUNT),
    ("object/node_count", Monitor::OBJECT_NODE_COUNT),
    (
        "object/orphan_node_count",
        Monitor::OBJECT_ORPHAN_NODE_COUNT,
    ),
    (
        "render/total_objects_in_frame",
        Monitor::RENDER_TOTAL_OBJECTS_IN_FRAME,
    ),
    (
        "render/total_primitives_in_frame",
        Monitor::RENDER_TOTAL_PRIMITIVES_IN_FRAME,
    ),
    (
        "render/total_draw_calls_in_frame",
        Monitor::RENDER_TOTAL_DRAW_CALLS_IN_FRAME,
    ),
    ("render/video_mem_used", Monitor::RENDER_VIDEO_MEM_USED),
    (
        "physics_2d/active_objects",
        Monitor::PHYSICS_2D_ACTIVE_OBJECTS,
    ),
    (
        "physics_2d/collision_pairs",
        Monitor::PHYSICS_2D_COLLISION_PAIRS,
    ),
    ("physics_2d/island_count", Monitor::PHYSICS_2D_ISLAND_COUNT),
    (
        "physics_3d/active_objects",
        Monitor::PHYSICS_3D_ACTIVE_OBJECTS,
    ),
    (
        "physics_3d/collision_pairs",
        Monitor::PHYSICS_3D_COLLISION_PAIRS,
    ),
    ("physics_3d/island_count", Monitor::PHYSICS_3D_ISLAND_COUNT),
    ("navigation/active_maps", Monitor::NAVIGATION_ACTIVE_MAPS),
    ("navigation/region_count", Monitor::NAVIGATION_REGION_COUNT),
    ("navigation/agent_count", Monitor::NAVIGATION_AGENT_COUNT),
    ("navigation/link_count", Monitor::NAVIGATION_LINK_COUNT),
    (
        "navigation/polygon_count",
        Monitor::NAVIGATION_POLYGON_COUNT,
    ),
    ("navigation/edge_count", Monitor::NAVIGATION_EDGE_COUNT),
    (
        "navigation/edge_merge_count",
        Monitor::NAVIGATION_EDGE_MERGE_COUNT,
    ),
    (
        "navigation/edge_connection_count",
        Monitor::NAVIGATION_EDGE_CONNECTION_COUNT,
    ),
    (
        "navigation/edge_free_count",
        Monitor::NAVIGATION_EDGE_FREE_COUNT,
    ),
];

/// `get_performance_monitors {monitors?: [name]}`: every monitor, or the named ones; unknown
/// names are listed in `unknown` (godot-ai ignores them silently).
pub fn get_performance_monitors(params: &JsonObject) -> CommandResult {
    let wanted: Vec<String> = match params.get("monitors") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(names)) => names
            .iter()
            .map(|name| {
                name.as_str()
                    .map_or_else(|| name.to_string(), str::to_owned)
            })
            .collect(),
        Some(other) => {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!("Param 'monitors' must be an array of monitor names, got {other}"),
            ));
        }
    };
    let performance = Performance::singleton();
    let mut monitors = JsonObject::new();
    for (name, monitor) in MONITORS {
        if wanted.is_empty() || wanted.iter().any(|w| w == name) {
            monitors.insert((*name).to_owned(), json!(performance.get_monitor(*monitor)));
        }
    }
    let unknown: Vec<&String> = wanted
        .iter()
        .filter(|w| !MONITORS.iter().any(|(name, _)| name == w))
        .collect();
    let count = monitors.len();
    let mut data = json!({"monitors": monitors, "monitor_count": count});
    if !unknown.is_empty() {
        data["unknown"] = json!(unknown);
    }
    Ok(into_object(data))
}
