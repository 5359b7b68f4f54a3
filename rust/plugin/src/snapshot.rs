//! What the bridge reports about the editor, read on the main thread.

use godot::classes::{EditorInterface, ProjectSettings};
use godot::prelude::*;
use godot_ai_bridge::{EditorIdentity, EditorSnapshot};

use crate::commands::editor::{godot_version, readiness};

/// The editor's current scene, play state and readiness.
pub fn current() -> EditorSnapshot {
    let editor = EditorInterface::singleton();
    EditorSnapshot {
        current_scene: editor
            .get_edited_scene_root()
            .map(|root| root.get_scene_file_path().to_string())
            .unwrap_or_default(),
        playing: editor.is_playing_scene(),
        readiness: readiness().to_owned(),
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
