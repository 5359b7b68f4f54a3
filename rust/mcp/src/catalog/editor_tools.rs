//! Session and editor tools.

use serde_json::json;

use super::*;

pub(super) const SESSION_ACTIVATE: ToolSpec = ToolSpec {
    name: "session_activate",
    description: "Select the Godot editor session later calls go to. This endpoint lives inside \
        one editor, so the only session is that editor's (see session_manage op=list); \
        activating it succeeds, any other id is SESSION_NOT_FOUND.",
    arguments: &[text_arg(
        "session_id",
        "The session to activate, e.g. my-game@3fa2.",
    )],
    plan: |arguments| {
        Ok(Command::new(
            "session_activate",
            arguments.pick(&["session_id"]),
        ))
    },
    shape_result: unchanged,
};

pub(super) const SESSION_MANAGE: ToolSpec = manage_tool!(
    "session_manage",
    "Editor sessions by `op`: list (the one editor this endpoint runs in, with its project, \
     Godot version, open scene and readiness).",
    ["list" => "session_list"]
);

pub(super) const EDITOR_STATE: ToolSpec = ToolSpec {
    name: "editor_state",
    description: "Get current Godot editor state: version, readiness, open scene, play state.\n\n\
        Returns godot_version, project_name, current_scene (res:// path, empty when none), \
        is_playing and readiness (ready | importing | playing | no_scene).",
    arguments: &[],
    plan: |_| Ok(Command::bare("get_editor_state")),
    shape_result: unchanged,
};

pub(super) const EDITOR_RELOAD_PLUGIN: ToolSpec = ToolSpec {
    name: "editor_reload_plugin",
    description: "Reload the Godot AI plugin in the editor (disable, then enable it again).\n\n\
        The endpoint restarts on the same port, which stays open meanwhile: calls made during \
        the reload wait for it, and MCP sessions carry on.",
    arguments: &[],
    plan: |_| Ok(Command::bare("reload_plugin")),
    shape_result: unchanged,
};

pub(super) const EDITOR_MANAGE: ToolSpec = manage_tool!(
    "editor_manage",
    "Editor operations by `op`: state (same as editor_state), quit (close the \
     editor), selection_get, selection_set, monitors_get, logs_clear. `params` holds the \
     op's arguments.",
    [
        "logs_clear" => "clear_logs",
        "monitors_get" => "get_performance_monitors",
        "quit" => "quit_editor",
        "selection_get" => "get_selection",
        "selection_set" => "set_selection",
        "state" => "get_editor_state",
    ]
);

pub(super) const LOGS_READ: ToolSpec = ToolSpec {
    name: "logs_read",
    description: "Read recent log lines. source=plugin (default): this plugin's own lines \
        (MCP | ...), newest last, paged by offset/count.",
    arguments: &[
        integer_arg("count", || json!(50), "Max lines to return. Default 50."),
        integer_arg("offset", || json!(0), "Lines to skip. Default 0."),
        ArgSpec {
            name: "source",
            kind: ArgKind::String,
            default: Some(|| json!("plugin")),
            description: "plugin, editor, game or all.",
        },
        optional_text_arg(
            "since_run_id",
            "Only lines of this game run; a different current run gives an empty, stale page.",
        ),
    ],
    plan: |arguments| {
        let params = if arguments.string("source") == "plugin" {
            let mut params = JsonObject::new();
            params.insert("count".to_owned(), json!(PLUGIN_LOG_LINES));
            params.insert("source".to_owned(), json!("plugin"));
            params
        } else {
            arguments.pick(&["count", "offset", "source"])
        };
        Ok(Command::new("get_logs", params))
    },
    shape_result: paging::page_log_lines,
};

/// The plugin keeps this many of its own lines; `logs_read` fetches them all and pages here.
const PLUGIN_LOG_LINES: i64 = 500;

pub(super) const EDITOR_SCREENSHOT: ToolSpec = ToolSpec {
    name: "editor_screenshot",
    description: "Capture the editor's viewport as an image. Needs an editor with a renderer: a \
        headless editor answers with an error saying so.",
    arguments: &[
        ArgSpec {
            name: "source",
            kind: ArgKind::String,
            default: Some(|| json!("viewport")),
            description: "What to capture: viewport (the editor view: 2D for a 2D scene, else 3D).",
        },
        integer_arg(
            "max_resolution",
            || json!(640),
            "Longest side of the returned image, in pixels.",
        ),
        ArgSpec {
            name: "include_image",
            kind: ArgKind::Boolean,
            default: Some(|| json!(true)),
            description: "false returns only the image's metadata.",
        },
        optional_text_arg("view_target", "Node path to frame (not supported yet)."),
        flag_arg("coverage", "Capture several angles (not supported yet)."),
        optional_number_arg(
            "elevation",
            "Camera elevation in degrees (not supported yet).",
        ),
        optional_number_arg("azimuth", "Camera azimuth in degrees (not supported yet)."),
        optional_number_arg(
            "fov",
            "Camera field of view in degrees (not supported yet).",
        ),
    ],
    plan: |arguments| {
        let mut params = arguments.pick(&["source", "max_resolution", "include_image"]);
        params.extend(arguments.pick_non_empty(&["view_target"]));
        for name in ["elevation", "azimuth", "fov"] {
            params.extend(
                arguments
                    .pick(&[name])
                    .into_iter()
                    .filter(|(_, v)| !v.is_null()),
            );
        }
        Ok(Command::new("take_screenshot", params))
    },
    shape_result: |mut data, arguments| {
        // Without the image the result is the metadata alone, as structured JSON.
        if arguments.pick(&["include_image"]).get("include_image") == Some(&json!(false)) {
            data.remove("image_base64");
        }
        data
    },
};
