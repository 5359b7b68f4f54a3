//! godot-ai's `godot://` resources, read through the same editor commands as the tools.
//!
//! Every resource is JSON. A command error is part of the resource's body
//! (`{"error": "CODE: message"}`), like godot-ai; an address that names no resource is a
//! protocol error.

use godot_ai_executor::ExecutorHandle;
use godot_ai_protocol::{Command, JsonObject};
use rmcp::model::{Resource, ResourceTemplate};
use serde_json::{Value, json};

use crate::editor_events::Topic;

const MIME: &str = "application/json";

/// The fixed resources: address, name, what it holds.
const RESOURCES: &[(&str, &str, &str)] = &[
    (
        "godot://sessions",
        "sessions",
        "The editor session this endpoint serves.",
    ),
    (
        "godot://scene/current",
        "current_scene",
        "The open scene, project name and play state.",
    ),
    (
        "godot://scene/hierarchy",
        "scene_hierarchy",
        "The open scene's node tree (depth 10).",
    ),
    (
        "godot://selection/current",
        "current_selection",
        "The nodes selected in the editor.",
    ),
    (
        "godot://logs/recent",
        "recent_logs",
        "The plugin's latest 100 log lines.",
    ),
    (
        GAME_LOG,
        "game_log",
        "What the current (or last) game run printed, warned and errored, with file:line (its first 200 lines).",
    ),
    (
        EDITOR_LOG,
        "editor_log",
        "The editor's output lines it kept, then the Debugger's Errors tab (the first 200 lines).",
    ),
    (
        "godot://project/info",
        "project_info",
        "Project path, Godot and plugin versions.",
    ),
    (
        "godot://project/settings",
        "project_settings",
        "Commonly needed project settings.",
    ),
    (
        "godot://editor/state",
        "editor_state",
        "Editor version, readiness, open scene, play state.",
    ),
    (
        "godot://materials",
        "materials",
        "Material resources in the project.",
    ),
    (
        "godot://input_map",
        "input_map",
        "The project's input actions and their events.",
    ),
    (
        "godot://performance",
        "performance",
        "The editor's performance monitors.",
    ),
    (
        "godot://test/results",
        "test_results",
        "The last test run's results.",
    ),
    (
        "godot://custom-tools",
        "custom_tools",
        "The custom tools the project's addons registered and switched on.",
    ),
];

/// The templated resources: address template, name, what it holds.
const TEMPLATES: &[(&str, &str, &str)] = &[
    (
        "godot://node/{path*}/properties",
        "node_properties",
        "A node's properties.",
    ),
    (
        "godot://node/{path*}/children",
        "node_children",
        "A node's children.",
    ),
    (
        "godot://node/{path*}/groups",
        "node_groups",
        "A node's groups.",
    ),
    (
        "godot://script/{path*}",
        "script",
        "A script's source (path under res://).",
    ),
    (
        "godot://class/{class_name}",
        "class",
        "A class from the running editor's ClassDB: inheritance, properties with defaults, \
         methods, signals, enums and constants (the first 100 of each).",
    ),
];

/// The settings `godot://project/settings` reads.
const PROJECT_SETTINGS: &[&str] = &[
    "application/config/name",
    "application/config/description",
    "application/run/main_scene",
    "display/window/size/viewport_width",
    "display/window/size/viewport_height",
    "rendering/renderer/rendering_method",
    "physics/2d/default_gravity",
    "physics/3d/default_gravity",
];

/// `resources/list`.
pub fn list() -> Vec<Resource> {
    RESOURCES
        .iter()
        .map(|(uri, name, description)| {
            Resource::new(*uri, *name)
                .with_description(*description)
                .with_mime_type(MIME)
        })
        .collect()
}

/// `resources/templates/list`.
pub fn templates() -> Vec<ResourceTemplate> {
    TEMPLATES
        .iter()
        .map(|(uri, name, description)| {
            ResourceTemplate::new(*uri, *name)
                .with_description(*description)
                .with_mime_type(MIME)
        })
        .collect()
}

/// What reading a resource takes: which commands, and how their replies make the body.
#[derive(Debug, PartialEq)]
enum Read {
    /// One command; its reply is the body.
    Whole(Command),
    /// `get_editor_state`, keeping only the scene fields.
    CurrentScene,
    /// `session_list`'s only session, without its connection times.
    ProjectInfo,
    /// One `get_project_setting` per key.
    Settings,
}

fn command(name: &str, params: Value) -> Read {
    let Value::Object(params) = params else {
        unreachable!("params are built as objects")
    };
    Read::Whole(Command::new(name, params))
}

/// How to read `uri`, or `None` if no resource has that address.
fn plan(uri: &str) -> Option<Read> {
    let fixed = match uri {
        "godot://sessions" => Some(command("session_list", json!({}))),
        "godot://scene/current" => Some(Read::CurrentScene),
        "godot://scene/hierarchy" => Some(command("get_scene_tree", json!({"depth": 10}))),
        "godot://selection/current" => Some(command("get_selection", json!({}))),
        "godot://logs/recent" => Some(command("get_logs", json!({"count": 100}))),
        GAME_LOG => Some(command(
            "get_logs",
            json!({"source": "game", "count": 200, "include_details": true}),
        )),
        EDITOR_LOG => Some(command(
            "get_logs",
            json!({"source": "editor", "count": 200}),
        )),
        "godot://project/info" => Some(Read::ProjectInfo),
        "godot://project/settings" => Some(Read::Settings),
        "godot://editor/state" => Some(command("get_editor_state", json!({}))),
        "godot://materials" => Some(command("material_list", json!({"root": "res://"}))),
        "godot://input_map" => Some(command("list_actions", json!({}))),
        "godot://performance" => Some(command("get_performance_monitors", json!({}))),
        "godot://test/results" => Some(command("get_test_results", json!({}))),
        "godot://custom-tools" => Some(command("list_custom_tools", json!({}))),
        _ => None,
    };
    fixed.or_else(|| templated(uri))
}

fn templated(uri: &str) -> Option<Read> {
    if let Some(class) = uri.strip_prefix("godot://class/") {
        let valid =
            !class.is_empty() && class.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        return valid.then(|| {
            command(
                "get_class_info",
                json!({"class_name": class, "sections": "all"}),
            )
        });
    }
    if let Some(rest) = uri.strip_prefix("godot://node/") {
        for (suffix, name) in [
            ("/properties", "get_node_properties"),
            ("/children", "get_children"),
            ("/groups", "get_groups"),
        ] {
            if let Some(path) = rest.strip_suffix(suffix).filter(|path| !path.is_empty()) {
                let path = format!("/{}", path.trim_start_matches('/'));
                return Some(command(name, json!({"path": path})));
            }
        }
        return None;
    }
    let path = uri
        .strip_prefix("godot://script/")
        .filter(|p| !p.is_empty())?;
    let path = if path.starts_with("res://") {
        path.to_owned()
    } else {
        format!("res://{path}")
    };
    Some(command("read_script", json!({"path": path})))
}

/// True when `uri` addresses a resource (fixed or templated).
pub fn exists(uri: &str) -> bool {
    plan(uri).is_some()
}

/// True when a change `topic` covers may change what `uri` reads.
pub fn shows(topic: Topic, uri: &str) -> bool {
    match topic {
        Topic::Scene => {
            matches!(
                uri,
                "godot://scene/current" | "godot://scene/hierarchy" | "godot://editor/state"
            ) || uri.starts_with("godot://node/")
        }
        Topic::Selection => uri == "godot://selection/current",
        Topic::PlayState => matches!(uri, "godot://scene/current" | "godot://editor/state"),
        Topic::ProjectSettings => matches!(
            uri,
            "godot://project/settings" | "godot://input_map" | "godot://project/info"
        ),
        Topic::TestResults => uri == "godot://test/results",
        Topic::CustomTools => uri == "godot://custom-tools",
    }
}

/// The resource the plugin's log lines are read from.
pub const LOGS: &str = "godot://logs/recent";
/// The game's log.
pub const GAME_LOG: &str = "godot://logs/game";
/// The editor's log.
pub const EDITOR_LOG: &str = "godot://logs/editor";

/// The body of the resource at `uri`, or `None` if there is none there.
pub async fn read(executor: &ExecutorHandle, uri: &str) -> Option<Value> {
    let body = match plan(uri)? {
        Read::Whole(command) => run(executor, command).await,
        Read::CurrentScene => run(executor, Command::bare("get_editor_state"))
            .await
            .map(|state| pick(state, &["current_scene", "project_name", "is_playing"])),
        Read::ProjectInfo => run(executor, Command::bare("session_list"))
            .await
            .map(project_info),
        Read::Settings => Ok(settings(executor).await),
    };
    Some(body.unwrap_or_else(|error| json!({"error": error})))
}

async fn run(executor: &ExecutorHandle, command: Command) -> Result<Value, String> {
    executor
        .execute(command)
        .await
        .map(Value::Object)
        .map_err(|error| error.to_tool_text())
}

fn pick(data: Value, keys: &[&str]) -> Value {
    let picked: JsonObject = keys
        .iter()
        .filter_map(|key| Some(((*key).to_owned(), data.get(*key)?.clone())))
        .collect();
    Value::Object(picked)
}

fn project_info(sessions: Value) -> Value {
    let mut session = sessions["sessions"][0].clone();
    if let Value::Object(fields) = &mut session {
        fields.remove("connected_at");
        fields.remove("is_active");
    }
    session
}

async fn settings(executor: &ExecutorHandle) -> Value {
    let mut values = JsonObject::new();
    let mut errors = Vec::new();
    for key in PROJECT_SETTINGS {
        let params = json!({"key": key});
        let Value::Object(params) = params else {
            unreachable!("built as an object")
        };
        match run(executor, Command::new("get_project_setting", params)).await {
            Ok(reply) => {
                values.insert((*key).to_owned(), reply["value"].clone());
            }
            Err(error) => errors.push(json!({"key": key, "error": error})),
        }
    }
    json!({
        "settings": values,
        "errors": if errors.is_empty() { Value::Null } else { Value::Array(errors) },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(uri: &str) -> (String, Value) {
        match plan(uri) {
            Some(Read::Whole(command)) => (command.name, Value::Object(command.params)),
            other => panic!("{uri}: {other:?}"),
        }
    }

    #[test]
    fn every_listed_resource_can_be_read() {
        for resource in list() {
            assert!(plan(&resource.uri).is_some(), "{}", resource.uri);
        }
    }

    #[test]
    fn node_templates_take_greedy_paths_and_add_the_leading_slash() {
        assert_eq!(
            whole("godot://node/Main/World/Ground/properties"),
            (
                "get_node_properties".into(),
                json!({"path": "/Main/World/Ground"})
            )
        );
        assert_eq!(
            whole("godot://node/Main/children"),
            ("get_children".into(), json!({"path": "/Main"}))
        );
        assert_eq!(
            whole("godot://node/Main/groups"),
            ("get_groups".into(), json!({"path": "/Main"}))
        );
        assert!(plan("godot://node//properties").is_none());
        assert!(plan("godot://node/Main/unknown").is_none());
    }

    #[test]
    fn script_template_reads_under_res() {
        assert_eq!(
            whole("godot://script/scripts/player.gd"),
            (
                "read_script".into(),
                json!({"path": "res://scripts/player.gd"})
            )
        );
        assert_eq!(
            whole("godot://script/res://a.gd"),
            ("read_script".into(), json!({"path": "res://a.gd"}))
        );
    }

    #[test]
    fn class_template_reads_every_section() {
        assert_eq!(
            whole("godot://class/Node3D"),
            (
                "get_class_info".into(),
                json!({"class_name": "Node3D", "sections": "all"})
            )
        );
        assert!(plan("godot://class/").is_none());
        assert!(plan("godot://class/a/b").is_none());
    }

    #[test]
    fn each_topic_names_the_resources_it_changes() {
        assert!(shows(Topic::Scene, "godot://node/Main/Player/properties"));
        assert!(shows(Topic::Scene, "godot://scene/hierarchy"));
        assert!(!shows(Topic::Scene, "godot://selection/current"));
        assert!(shows(Topic::Selection, "godot://selection/current"));
        assert!(shows(Topic::ProjectSettings, "godot://input_map"));
        assert!(!shows(Topic::ProjectSettings, "godot://scene/current"));
        assert!(shows(Topic::PlayState, "godot://editor/state"));
        assert!(shows(Topic::TestResults, "godot://test/results"));
        assert!(shows(Topic::CustomTools, "godot://custom-tools"));
        // Every topic names at least one listed resource.
        for topic in [
            Topic::Scene,
            Topic::Selection,
            Topic::PlayState,
            Topic::ProjectSettings,
            Topic::TestResults,
            Topic::CustomTools,
        ] {
            assert!(
                list().iter().any(|resource| shows(topic, &resource.uri)),
                "{topic:?}"
            );
        }
    }

    #[test]
    fn unknown_addresses_are_not_resources() {
        assert!(plan("godot://nope").is_none());
        assert!(plan("file:///etc/passwd").is_none());
    }
}
