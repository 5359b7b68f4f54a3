//! What the bridge reports about the editor, read on the main thread.

use std::cell::Cell;
use std::time::{Duration, Instant};

use godot::classes::{EditorInterface, ProjectSettings};
use godot::prelude::*;
use godot_ai_bridge::{EditorIdentity, EditorSnapshot};

use crate::commands::editor::{godot_version, is_scanning, readiness_besides_scanning};

/// How long a scan must have run before a godot-ai server is told the editor is importing.
///
/// The server refuses writes itself while it believes the editor imports, but this plugin
/// waits for short scans (the editor scans for a moment after every file write, ours
/// included), so reporting them would refuse writes that would have succeeded. A scan longer
/// than this is a real import, worth refusing for; it stays well inside the plugin's own 4 s
/// wait, so a write the server lets through still finds its way.
pub const LONG_SCAN: Duration = Duration::from_millis(1500);

thread_local! {
    /// Since when the current scan has been seen, if one runs.
    static SCAN_SEEN_SINCE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Readiness as the bridge reports it: `importing` only for a scan that has lasted
/// [`LONG_SCAN`] (see there), else what the editor is besides scanning.
fn reported_readiness() -> &'static str {
    let long_scan = SCAN_SEEN_SINCE.with(|since| {
        if !is_scanning() {
            since.set(None);
            return false;
        }
        let started = since.get().unwrap_or_else(|| {
            let now = Instant::now();
            since.set(Some(now));
            now
        });
        started.elapsed() >= LONG_SCAN
    });
    if long_scan {
        "importing"
    } else {
        readiness_besides_scanning()
    }
}

/// The editor's current scene, play state and readiness (as [`reported_readiness`]).
pub fn current() -> EditorSnapshot {
    let editor = EditorInterface::singleton();
    EditorSnapshot {
        current_scene: editor
            .get_edited_scene_root()
            .map(|root| root.get_scene_file_path().to_string())
            .unwrap_or_default(),
        playing: editor.is_playing_scene(),
        readiness: reported_readiness().to_owned(),
        custom_tools: crate::commands::custom::registry::current_catalog(),
    }
}

/// Facts that do not change while the plugin runs.
pub fn identity() -> EditorIdentity {
    let project_path = ProjectSettings::singleton()
        .globalize_path("res://")
        .to_string();
    EditorIdentity {
        godot_version: godot_version(),
        project_path,
        plugin_version: env!("CARGO_PKG_VERSION").to_owned(),
        editor_pid: std::process::id(),
    }
}
