//! What the server is told about the editor's state, and which events a change produces.

use godot_ai_protocol::custom_tools::CustomToolCatalog;
use serde_json::json;

use crate::frames::event_frame;

/// The editor state the server tracks through events. Published by the main thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditorSnapshot {
    /// `res://` path of the edited scene, empty when none.
    pub current_scene: String,
    /// Whether a game launched from the editor is running.
    pub playing: bool,
    /// `ready`, `importing`, `playing` or `no_scene`.
    pub readiness: String,
    /// The custom tools the project's addons registered. Revision 0 (nothing ever
    /// registered) is never announced.
    pub custom_tools: CustomToolCatalog,
}

impl Default for EditorSnapshot {
    fn default() -> Self {
        Self {
            current_scene: String::new(),
            playing: false,
            readiness: "no_scene".to_owned(),
            custom_tools: CustomToolCatalog::default(),
        }
    }
}

/// One kind of event the plugin sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    SceneChanged,
    PlayStateChanged,
    ReadinessChanged,
    /// godot-ai 3.2.5's `custom_tools_changed` (2.x servers ignore it).
    CustomToolsChanged,
}

impl EventKind {
    /// Every kind, in sending order.
    pub const ALL: [EventKind; 4] = [
        EventKind::SceneChanged,
        EventKind::PlayStateChanged,
        EventKind::ReadinessChanged,
        EventKind::CustomToolsChanged,
    ];

    /// True when `kind`'s value differs between `sent` and `now`.
    pub fn differs(self, sent: &EditorSnapshot, now: &EditorSnapshot) -> bool {
        match self {
            EventKind::SceneChanged => sent.current_scene != now.current_scene,
            EventKind::PlayStateChanged => sent.playing != now.playing,
            EventKind::ReadinessChanged => sent.readiness != now.readiness,
            EventKind::CustomToolsChanged => sent.custom_tools != now.custom_tools,
        }
    }

    /// The event frame announcing `now`'s value.
    pub fn frame(self, now: &EditorSnapshot) -> String {
        match self {
            EventKind::SceneChanged => {
                event_frame("scene_changed", json!({"current_scene": now.current_scene}))
            }
            EventKind::PlayStateChanged => event_frame(
                "play_state_changed",
                json!({"play_state": if now.playing { "playing" } else { "stopped" }}),
            ),
            EventKind::ReadinessChanged => {
                event_frame("readiness_changed", json!({"readiness": now.readiness}))
            }
            EventKind::CustomToolsChanged => event_frame(
                "custom_tools_changed",
                json!({"tools": now.custom_tools.tools.as_ref()}),
            ),
        }
    }

    /// Records that `now`'s value of this kind reached the server.
    pub fn mark_sent(self, sent: &mut EditorSnapshot, now: &EditorSnapshot) {
        match self {
            EventKind::SceneChanged => sent.current_scene.clone_from(&now.current_scene),
            EventKind::PlayStateChanged => sent.playing = now.playing,
            EventKind::ReadinessChanged => sent.readiness.clone_from(&now.readiness),
            EventKind::CustomToolsChanged => sent.custom_tools.clone_from(&now.custom_tools),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(scene: &str, playing: bool, readiness: &str) -> EditorSnapshot {
        EditorSnapshot {
            current_scene: scene.to_owned(),
            playing,
            readiness: readiness.to_owned(),
            custom_tools: CustomToolCatalog::default(),
        }
    }

    #[test]
    fn only_changed_values_produce_events() {
        let sent = snapshot("res://a.tscn", false, "ready");
        let now = snapshot("res://b.tscn", false, "ready");
        let changed: Vec<EventKind> = EventKind::ALL
            .into_iter()
            .filter(|kind| kind.differs(&sent, &now))
            .collect();
        assert_eq!(changed, [EventKind::SceneChanged]);
    }

    #[test]
    fn event_frames_match_the_protocol() {
        let now = snapshot("res://main.tscn", true, "playing");
        let frames: Vec<serde_json::Value> = EventKind::ALL
            .into_iter()
            .map(|kind| serde_json::from_str(&kind.frame(&now)).unwrap())
            .collect();
        assert_eq!(
            frames,
            [
                json!({"type": "event", "event": "scene_changed", "data": {"current_scene": "res://main.tscn"}}),
                json!({"type": "event", "event": "play_state_changed", "data": {"play_state": "playing"}}),
                json!({"type": "event", "event": "readiness_changed", "data": {"readiness": "playing"}}),
                json!({"type": "event", "event": "custom_tools_changed", "data": {"tools": []}}),
            ]
        );
    }

    #[test]
    fn marking_sent_updates_only_that_value() {
        let mut sent = snapshot("", false, "no_scene");
        let now = snapshot("res://a.tscn", true, "playing");
        EventKind::PlayStateChanged.mark_sent(&mut sent, &now);
        assert_eq!(sent, snapshot("", true, "no_scene"));
    }
}
