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
        The endpoint, its connections and MCP sessions carry on: calls made during the reload \
        wait for it and are then answered.",
    arguments: &[],
    plan: |_| Ok(Command::bare("reload_plugin").into()),
    shape_result: unchanged,
};

pub(super) const EDITOR_MANAGE: ToolSpec = manage_tool!(
    "editor_manage",
    "Editor operations by `op`: state (same as editor_state), quit (close the \
     editor), selection_get, selection_set, monitors_get, logs_clear \
     ({clear_debugger_errors?}: true also clears the Debugger's Errors tab and says how many \
     rows in debugger_errors_cleared), game_eval ({code}: GDScript run in the running game, its \
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
    description: "Read recent log lines, oldest first, paged by offset/count. source=plugin \
        (default): this plugin's own lines (MCP | ...). source=game: what the running game \
        printed, warned and errored (with file:line @ function), kept per run (run_id; \
        since_run_id reads an earlier run). source=editor: the editor's own output (read on \
        with since_cursor = the reply's next_cursor), then the rows of the Debugger's Errors \
        tab (origin: debugger; live, no cursor). source=all: plugin, editor, then the current \
        game run.",
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
    description: "Capture the editor's viewport (or the running game) as an image. Needs an \
        editor with a renderer: a headless editor answers with an error saying so. view_target \
        frames Node3Ds with the editor camera for the capture (the user's view is put back); \
        the reply always gives their bounds (aabb_center, aabb_size).",
    arguments: &[
        ArgSpec {
            name: "source",
            kind: ArgKind::String,
            default: Some(|| json!("viewport")),
            description: "What to capture: viewport (the editor view: 2D for a 2D scene, else \
                3D) or game (the running game's window).",
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
        optional_text_arg(
            "view_target",
            "Comma-separated paths of Node3Ds in the edited scene to frame in the 3D viewport.",
        ),
        flag_arg(
            "coverage",
            "With view_target: two images, an establishing perspective shot and an \
             orthographic top view.",
        ),
        optional_number_arg(
            "elevation",
            "With view_target: camera elevation in degrees (0 level, 90 straight down; default \
             25).",
        ),
        optional_number_arg(
            "azimuth",
            "With view_target: camera azimuth in degrees around the targets (0 front, 90 right; \
             default 30).",
        ),
        optional_number_arg(
            "fov",
            "With view_target: the camera's field of view in degrees for the capture.",
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
        if arguments.pick(&["coverage"]).get("coverage") == Some(&json!(true)) {
            params.insert("coverage".into(), json!(true));
        }
        params.extend(arguments.pick_non_null(&["elevation", "azimuth", "fov"]));
        params.extend(arguments.pick_non_empty(&["user_prompt"]));
        Ok(Command::new("take_screenshot", params).into())
    },
    shape_result: |mut data, arguments| {
        if let Some(Value::Array(images)) = data.get("images") {
            let count = images.len();
            data.insert("image_count".into(), json!(count));
        }
        // Without the image the result is the metadata alone, as structured JSON.
        if arguments.pick(&["include_image"]).get("include_image") == Some(&json!(false)) {
            data.remove("image_base64");
            if let Some(Value::Array(images)) = data.get_mut("images") {
                for image in images.iter_mut().filter_map(Value::as_object_mut) {
                    image.remove("image_base64");
                }
            }
        }
        data
    },
};
