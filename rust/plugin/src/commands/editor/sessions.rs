//! The session tools of the in-process endpoint. godot-ai's server keeps a registry of editors;
//! this endpoint lives inside one editor, so its registry holds exactly that editor.

use chrono::{DateTime, SecondsFormat, Utc};
use godot_ai_protocol::{CommandError, CommandResult, JsonObject};
use serde_json::{Value, json};

use crate::commands::params::optional_string;
use crate::commands::reply::into_object;
use crate::runtime::{self, Session};
use crate::snapshot;

fn this_session() -> Result<Session, CommandError> {
    runtime::session().ok_or_else(|| CommandError::internal("The plugin is not running"))
}

fn iso(time: std::time::SystemTime) -> String {
    DateTime::<Utc>::from(time).to_rfc3339_opts(SecondsFormat::Micros, false)
}

/// This editor as a godot-ai session entry.
fn entry(session: &Session) -> Value {
    let identity = snapshot::identity();
    let state = snapshot::current();
    let name = godot_ai_bridge::session_id::folder_name(&identity.project_path).to_owned();
    json!({
        "session_id": session.id,
        "name": name,
        "godot_version": identity.godot_version,
        "project_path": identity.project_path,
        "plugin_version": identity.plugin_version,
        "server_version": identity.plugin_version,
        "protocol_version": 1,
        "current_scene": state.current_scene,
        "play_state": if state.playing { "playing" } else { "stopped" },
        "readiness": state.readiness,
        "editor_pid": identity.editor_pid,
        "server_launch_mode": "in_process",
        "connected_at": iso(session.started),
        "last_seen": iso(std::time::SystemTime::now()),
        "is_active": true,
    })
}

/// `session_list {}`: `{sessions: [this editor], count: 1}`.
pub fn session_list(_params: &JsonObject) -> CommandResult {
    let session = this_session()?;
    Ok(into_object(
        json!({"sessions": [entry(&session)], "count": 1}),
    ))
}

/// `session_activate {session_id}`: succeeds for this editor's id (or a part of its name,
/// path or id, like godot-ai's hints); anything else answers `status: "error"` with the
/// session that exists.
pub fn session_activate(params: &JsonObject) -> CommandResult {
    let session = this_session()?;
    let wanted = optional_string(params, "session_id")?;
    let identity = snapshot::identity();
    let name = godot_ai_bridge::session_id::folder_name(&identity.project_path).to_owned();
    if wanted == session.id {
        return Ok(into_object(json!({
            "status": "ok", "active_session_id": session.id, "matched": "exact_id",
        })));
    }
    let hint = wanted.to_lowercase();
    let matches_hint = !hint.is_empty()
        && [&name, &identity.project_path, &session.id]
            .iter()
            .any(|field| field.to_lowercase().contains(&hint));
    if matches_hint {
        return Ok(into_object(json!({
            "status": "ok", "active_session_id": session.id, "matched": "hint",
            "matched_name": name,
        })));
    }
    // Like godot-ai: an unmatched id is a normal result whose status says so.
    Ok(into_object(json!({
        "status": "error",
        "message": format!(
            "No session matches '{wanted}'. This endpoint serves one editor: session '{}' ({name}).",
            session.id
        ),
        "available": [{"session_id": session.id, "name": name, "project_path": identity.project_path}],
    })))
}
