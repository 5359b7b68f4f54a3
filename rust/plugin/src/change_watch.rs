//! Tells the MCP sessions that asked what changes in the editor: the edited scene (a switch,
//! a node added, removed or renamed, any undoable edit), the selection, the play state, the
//! project settings, test results and custom tools; and the plugin's own log lines.
//!
//! Invariants:
//! - Looking for changes costs nothing while no session listens: the per-frame check returns
//!   at once, and the signal handlers only publish.
//! - The signals are connected while the plugin runs and disconnected when it stops, so no
//!   callback into this library outlives it. Main thread only, except [`publish`].

use std::cell::RefCell;
use std::sync::LazyLock;

use godot::classes::{EditorInterface, ProjectSettings};
use godot::prelude::*;
use godot::signal::ConnectHandle;
use godot_ai_mcp::{EditorEvent, EditorEvents, Topic};

use crate::commands::scene::window::tree_version;

/// The stream every session of this editor listens to.
static EVENTS: LazyLock<EditorEvents> = LazyLock::new(EditorEvents::new);

/// The stream, for the endpoint to hand to its sessions.
pub fn events() -> EditorEvents {
    EVENTS.clone()
}

/// Publishes `event` to the sessions listening now. Any thread.
pub fn publish(event: EditorEvent) {
    EVENTS.publish(event);
}

/// What the per-frame check saw last.
struct Seen {
    /// The edited scene's path and the tree's version.
    scene: (String, u64),
    playing: bool,
}

impl Seen {
    /// The topics that differ between `self` (before) and `now`.
    fn changes_to(&self, now: &Seen) -> Vec<Topic> {
        let mut topics = Vec::new();
        if self.scene != now.scene {
            topics.push(Topic::Scene);
        }
        if self.playing != now.playing {
            topics.push(Topic::PlayState);
        }
        topics
    }

    fn now() -> Self {
        let editor = EditorInterface::singleton();
        let path = editor
            .get_edited_scene_root()
            .map(|root| root.get_scene_file_path().to_string())
            .unwrap_or_default();
        Self {
            scene: (path, tree_version()),
            playing: editor.is_playing_scene(),
        }
    }
}

thread_local! {
    static SEEN: RefCell<Option<Seen>> = const { RefCell::new(None) };
    static SIGNALS: RefCell<Vec<ConnectHandle>> = const { RefCell::new(Vec::new()) };
}

/// Once per frame: publishes what changed since the last frame, if anyone listens.
pub fn frame() {
    if !EVENTS.has_listeners() {
        SEEN.with(|seen| seen.borrow_mut().take());
        return;
    }
    let now = Seen::now();
    let changed = SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        let changed = seen.as_ref().map(|before| before.changes_to(&now));
        *seen = Some(now);
        changed.unwrap_or_default()
    });
    for topic in changed {
        publish(EditorEvent::Changed(topic));
    }
}

/// Starts following the selection and the project settings. Main thread; once per start.
pub fn watch() {
    unwatch();
    let mut handles = Vec::new();
    if let Some(selection) = EditorInterface::singleton().get_selection() {
        handles.push(
            selection
                .signals()
                .selection_changed()
                .connect(|| publish(EditorEvent::Changed(Topic::Selection))),
        );
    }
    handles.push(
        ProjectSettings::singleton()
            .signals()
            .settings_changed()
            .connect(|| publish(EditorEvent::Changed(Topic::ProjectSettings))),
    );
    SIGNALS.with(|signals| *signals.borrow_mut() = handles);
}

/// Stops following them (the plugin stops). Main thread.
pub fn unwatch() {
    for handle in SIGNALS.with(|signals| std::mem::take(&mut *signals.borrow_mut())) {
        if handle.is_connected() {
            handle.disconnect();
        }
    }
    SEEN.with(|seen| seen.borrow_mut().take());
}
