//! `reload_plugin` and `quit_editor`: commands that answer first and act a moment later, since
//! acting stops the endpoint that carries their answer.

use std::time::Duration;

use godot::classes::{EditorInterface, Engine, Time};
use godot::prelude::*;
use godot_ai_protocol::{CommandResult, JsonObject};
use serde_json::json;

use crate::commands::reply::into_object;
use crate::main_thread::run_later;

/// Time for the answer to reach the client before the endpoint stops.
const ANSWER_GRACE: Duration = Duration::from_millis(150);

/// The addon folder name, which `set_plugin_enabled` takes.
const PLUGIN_NAME: &str = "godot_ai_native";

/// Disables the plugin, then enables it again one frame later. The endpoint and the bridge
/// pause meanwhile and carry on (connections, sessions and the server link are kept; calls made
/// meanwhile wait and are answered after it); when a setting they were started with changed,
/// they restart on the same port, which stays bound, and sessions are restored.
pub fn reload_plugin(_params: &JsonObject) -> CommandResult {
    run_later(ANSWER_GRACE, || {
        tracing::info!("reloading the plugin");
        crate::runtime::keep_services_across_next_stop();
        EditorInterface::singleton().set_plugin_enabled(PLUGIN_NAME, false);
        run_later(Duration::ZERO, || {
            crate::runtime::forget_reload();
            EditorInterface::singleton().set_plugin_enabled(PLUGIN_NAME, true);
        });
    });
    Ok(into_object(json!({
        "reloading": true,
        "message": "The plugin reloads in a moment; the endpoint and its sessions carry on, and calls made meanwhile wait for it.",
    })))
}

/// How often a pending quit checks whether the editor finished scanning.
const QUIT_POLL: Duration = Duration::from_millis(50);

/// The longest a quit waits for a filesystem scan to end before quitting anyway.
const QUIT_MAX_POLLS: u32 = 600;

/// Quits the editor without saving (like closing it with unsaved changes discarded).
///
/// Waits until the editor has settled first: Godot 4.6.3 crashes (signal 11,
/// `Index p_index = 1 is out of bounds` in cowdata) when a headless editor quits within its
/// first frames on a fresh project (seen with `--quit-after 30`, with or without this plugin;
/// not with `--quit-after 100`). So a quit waits until the editor has run [`SETTLED_FRAMES`]
/// frames and [`SETTLED_MS`] since start, and for any filesystem scan to end.
///
/// What remains: on the first open of a project the addon was just copied into, the editor
/// finds the extension during its first scan, loads it then, and regenerates its class
/// documentation on a thread (`EditorNode::_gdextensions_reloaded`); quitting before that
/// thread ends crashes the same way, which under heavy CPU load can be 8 s or more after
/// start. Nothing a plugin can reach reports that thread's end, so that window stays (the same
/// project opened again loads the extension at start and quits cleanly at once).
pub fn quit_editor(_params: &JsonObject) -> CommandResult {
    run_later(ANSWER_GRACE, || quit_when_idle(QUIT_MAX_POLLS));
    Ok(into_object(json!({
        "status": "quitting",
        "message": "Editor quit initiated",
    })))
}

/// Frames after which a freshly started editor can quit safely (see [`quit_editor`]).
const SETTLED_FRAMES: u64 = 200;

/// Milliseconds since engine start after which a freshly started editor can quit safely.
/// Frames alone are not enough: with frame pacing 200 frames pass in well under a second,
/// and a quit 2.6 s after start was still seen to crash.
const SETTLED_MS: u64 = 5000;

fn quit_when_idle(polls_left: u32) {
    let scanning = crate::commands::editor::is_scanning();
    let young = Engine::singleton().get_process_frames() < SETTLED_FRAMES
        || Time::singleton().get_ticks_msec() < SETTLED_MS;
    if (scanning || young) && polls_left > 0 {
        run_later(QUIT_POLL, move || quit_when_idle(polls_left - 1));
        return;
    }
    tracing::info!(
        "quitting the editor on request (frame {}, {} ms)",
        Engine::singleton().get_process_frames(),
        Time::singleton().get_ticks_msec()
    );
    if let Some(mut tree) = EditorInterface::singleton()
        .get_base_control()
        .map(|control| control.get_tree())
    {
        tree.quit();
    }
}
