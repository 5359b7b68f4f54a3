//! Session and editor tools.

use serde_json::json;

use super::op_binding::{bind, no, optional, required};
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
    plan: |arguments| Ok(Command::new("session_activate", arguments.pick(&["session_id"])).into()),
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
    plan: |_| Ok(Command::bare("get_editor_state").into()),
    shape_result: unchanged,
};

pub(super) const EDITOR_RELOAD_PLUGIN: ToolSpec = ToolSpec {
    name: "editor_reload_plugin",
    description: "Reload the Godot AI plugin in the editor (disable, then enable it again).\n\n\
        The endpoint restarts on the same port, which stays open meanwhile: calls made during \
        the reload wait for it, and MCP sessions carry on.",
    arguments: &[],
    plan: |_| Ok(Command::bare("reload_plugin").into()),
    shape_result: unchanged,
};

pub(super) const EDITOR_MANAGE: ToolSpec = manage_tool!(
    "editor_manage",
    "Editor operations by `op`: state (same as editor_state), quit (close the \
     editor), selection_get, selection_set, monitors_get, logs_clear \
     ({clear_debugger_errors?}), game_eval ({code}: GDScript run in the running game, its \
     `return` value is the result). `params` holds the op's arguments.",
    [
        "game_eval" => "game_eval",
        "logs_clear" => "clear_logs",
        "monitors_get" => "get_performance_monitors",
        "quit" => "quit_editor",
        "selection_get" => "get_selection",
        "selection_set" => "set_selection",
        "state" => "get_editor_state",
    ],
    prepare: editor_op_params
);

/// The ops whose params godot-ai's server builds: `game_eval` sends `{code}`; `logs_clear`
/// sends `clear_debugger_errors` only when it is true. Other ops pass `params` through.
fn editor_op_params(op: &str, params: JsonObject) -> Result<JsonObject, CommandError> {
    match op {
        "game_eval" => {
            let code = [required("code", ArgKind::String)];
            Ok(bind("editor_manage", op, &code, params)?.into_params())
        }
        "logs_clear" => {
            let flag = [optional("clear_debugger_errors", ArgKind::Boolean, no)];
            let bound = bind("editor_manage", op, &flag, params)?;
            Ok(bound.pick_true(&["clear_debugger_errors"]))
        }
        _ => Ok(params),
    }
}

pub(super) const LOGS_READ: ToolSpec = ToolSpec {
    name: "logs_read",
    description: "Read recent log lines. source=plugin (default): this plugin's own lines \
        (MCP | ...), newest last, paged by offset/count. source=editor, game or all: script \
        errors of the editor and the running game's output, paged by the plugin (this plugin \
        does not capture them yet: the page is empty and says so in `note`).",
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
            "source=game: read this earlier run (a run_id from an earlier reply) instead of the \
             current one.",
        ),
        ArgSpec {
            name: "since_cursor",
            kind: ArgKind::IntegerOrNull,
            default: Some(|| Value::Null),
            description: "source=editor: only entries after this cursor (the next_cursor of an \
                earlier reply); replaces offset.",
        },
        flag_arg(
            "include_details",
            "Add each game or editor entry's error details (source, stack frames).",
        ),
    ],
    plan: logs::plan_read,
    shape_result: logs::shape_read,
};

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
        optional_text_arg(
            "user_prompt",
            "What the agent is looking for, passed along with the capture (for a vision model \
             that describes it).",
        ),
    ],
    plan: |arguments| {
        let mut params = arguments.pick(&["source", "max_resolution", "include_image"]);
        params.extend(arguments.pick_non_empty(&["view_target"]));
        params.extend(arguments.pick_non_null(&["elevation", "azimuth", "fov"]));
        params.extend(arguments.pick_non_empty(&["user_prompt"]));
        Ok(Command::new("take_screenshot", params).into())
    },
    shape_result: |mut data, arguments| {
        // Without the image the result is the metadata alone, as structured JSON.
        if arguments.pick(&["include_image"]).get("include_image") == Some(&json!(false)) {
            data.remove("image_base64");
        }
        data
    },
};
