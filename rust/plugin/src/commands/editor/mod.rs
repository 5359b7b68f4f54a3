//! The editor domain: its state, selection, logs, screenshots, the plugin's own lifecycle and
//! the endpoint's sessions (godot-ai's `editor_state`, `editor_screenshot`, `editor_manage`, `logs_read`,
//! `session_manage`...).
//!
//! This file: `get_editor_state`: version, project, open scene, play state and readiness.

pub(crate) mod framing;
pub(crate) mod lifecycle;
pub(crate) mod logs;
pub(crate) mod screenshot;
pub(crate) mod selection;
pub(crate) mod sessions;

use godot::classes::{EditorInterface, Engine, ProjectSettings};
use godot::prelude::*;
use godot_ai_protocol::{CommandResult, JsonObject};
use serde_json::json;

use crate::commands::reply::into_object;

/// What the editor can do right now, in godot-ai's order of precedence.
pub fn readiness() -> &'static str {
    if is_scanning() {
        "importing"
    } else {
        readiness_besides_scanning()
    }
}

/// True while the editor scans or imports its files.
///
/// `is_scanning` alone is not enough: the scan thread clears it when it has walked the files,
/// and only on a later frame does the editor take the new file list and import what is new.
/// The file system processes frames from the start of a scan until that is done, so a scan
/// has ended when neither holds.
pub fn is_scanning() -> bool {
    EditorInterface::singleton()
        .get_resource_filesystem()
        .is_some_and(|filesystem| filesystem.is_scanning() || filesystem.is_processing())
}

/// [`readiness`] as if no scan ran: `playing`, `no_scene` or `ready`.
pub fn readiness_besides_scanning() -> &'static str {
    let editor = EditorInterface::singleton();
    if editor.is_playing_scene() {
        "playing"
    } else if editor.get_edited_scene_root().is_none() {
        "no_scene"
    } else {
        "ready"
    }
}

/// The engine's version string, e.g. `4.6.3-stable (debian)`.
pub fn godot_version() -> String {
    let info = Engine::singleton().get_version_info();
    info.get("string")
        .map(|value| value.stringify().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

pub fn get_editor_state(_params: &JsonObject) -> CommandResult {
    let editor = EditorInterface::singleton();
    let project_name = ProjectSettings::singleton()
        .get_setting("application/config/name")
        .stringify()
        .to_string();
    let current_scene = editor
        .get_edited_scene_root()
        .map(|root| root.get_scene_file_path().to_string())
        .unwrap_or_default();
    let game_status = crate::game_link::game_status();
    let mut data = json!({
        "godot_version": godot_version(),
        "project_name": project_name,
        "current_scene": current_scene,
        "is_playing": editor.is_playing_scene(),
        "readiness": readiness(),
        "game_capture_ready": game_status == "live",
        "game_status": {
            "status": game_status,
            "helper_live": game_status == "live",
            "session_active": game_status != "stopped",
        },
    });
    if let Some(detail) = crate::game_link::game_status_detail() {
        data["game_status"]["detail"] = json!(detail);
    }
    Ok(into_object(data))
}
