//! Project, script and file tools.

use serde_json::json;

use super::*;

pub(super) const PROJECT_MANAGE: ToolSpec = manage_tool!(
    "project_manage",
    "Project operations by `op`: settings_get ({key}), settings_set ({key, value}; saved to \
     project.godot), set_main_scene ({path} of an existing scene; saved to project.godot), \
     stop (stop the running game).",
    [
        "set_main_scene" => "set_main_scene",
        "settings_get" => "get_project_setting",
        "settings_set" => "set_project_setting",
        "stop" => "stop_project",
    ]
);

pub(super) const SCRIPT_MANAGE: ToolSpec = manage_tool!(
    "script_manage",
    "Script operations by `op`: read ({path}), detach ({path} of a node; undoable), find_symbols.",
    ["detach" => "detach_script", "find_symbols" => "find_symbols", "read" => "read_script"]
);

pub(super) const FILESYSTEM_MANAGE: ToolSpec = manage_tool!(
    "filesystem_manage",
    "Files under res:// by `op`: read_text ({path}), write_text ({path, content}), reimport \
     ({paths}), scan (rescan the whole project and wait for it, e.g. to register new \
     class_name scripts), search ({name?, type?, path?, offset?, limit?}; paged `files`). \
     Paths must start with res:// and stay inside the project.",
    [
        "read_text" => "read_file",
        "reimport" => "reimport",
        "scan" => "scan_filesystem",
        "search" => "search_filesystem",
        "write_text" => "write_file",
    ],
    shape: paging::page_search_results
);

pub(super) const SCRIPT_CREATE: ToolSpec = ToolSpec {
    name: "script_create",
    description: "Create (or overwrite) a GDScript file under res://.",
    arguments: &[
        text_arg("path", "res:// path ending in .gd."),
        optional_text_arg("content", "The script's source."),
    ],
    plan: |arguments| {
        Ok(Command::new("create_script", arguments.pick(&["path", "content"])).into())
    },
    shape_result: unchanged,
};

pub(super) const SCRIPT_ATTACH: ToolSpec = ToolSpec {
    name: "script_attach",
    description: "Attach a script to a node of the edited scene. Undoable.",
    arguments: &[
        text_arg("path", "Node path, e.g. /Main/Player."),
        text_arg("script_path", "res:// path of the script."),
    ],
    plan: |arguments| {
        Ok(Command::new("attach_script", arguments.pick(&["path", "script_path"])).into())
    },
    shape_result: unchanged,
};

pub(super) const PROJECT_RUN: ToolSpec = ToolSpec {
    name: "project_run",
    description: "Run the game from the editor: mode main (the main scene), current (the \
        edited scene) or custom (`scene`). Saves open scenes first unless autosave is false. \
        Stop it with project_manage op=stop.",
    arguments: &[
        ArgSpec {
            name: "mode",
            kind: ArgKind::String,
            default: Some(|| json!("main")),
            description: "main, current or custom.",
        },
        optional_text_arg("scene", "res:// scene to run with mode=custom."),
        ArgSpec {
            name: "autosave",
            kind: ArgKind::Boolean,
            default: Some(|| json!(true)),
            description: "Save open scenes before running. Default true.",
        },
    ],
    plan: |arguments| {
        let mut params = arguments.pick(&["mode"]);
        params.extend(arguments.pick_non_empty(&["scene"]));
        params.extend(
            arguments
                .pick(&["autosave"])
                .into_iter()
                .filter(|(_, value)| *value == json!(false)),
        );
        Ok(Command::new("run_project", params).into())
    },
    shape_result: unchanged,
};

pub(super) const SCRIPT_PATCH: ToolSpec = ToolSpec {
    name: "script_patch",
    description: "Replace an exact snippet of a .gd file. Fails if the snippet is missing, or \
        found several times without replace_all. Not undoable (a file edit).",
    arguments: &[
        text_arg("path", "res:// path of the script."),
        ArgSpec {
            name: "old_text",
            kind: ArgKind::String,
            default: None,
            description: "The exact text to replace.",
        },
        ArgSpec {
            name: "new_text",
            kind: ArgKind::String,
            default: None,
            description: "The replacement (may be empty).",
        },
        flag_arg("replace_all", "Replace every occurrence. Default false."),
    ],
    plan: |arguments| {
        Ok(Command::new(
            "patch_script",
            arguments.pick(&["path", "old_text", "new_text", "replace_all"]),
        )
        .into())
    },
    shape_result: unchanged,
};

pub(super) const SIGNAL_MANAGE: ToolSpec = manage_tool!(
    "signal_manage",
    "Signal connections of scene nodes by `op`: list ({path, include_editor?}), connect and \
     disconnect ({path, signal, target, method}; undoable).",
    [
        "connect" => "connect_signal",
        "disconnect" => "disconnect_signal",
        "list" => "list_signals",
    ]
);

pub(super) const AUTOLOAD_MANAGE: ToolSpec = manage_tool!(
    "autoload_manage",
    "Project autoloads by `op`: list, add ({name, path, singleton?}), remove ({name}). Saved \
     to project.godot.",
    ["add" => "add_autoload", "list" => "list_autoloads", "remove" => "remove_autoload"]
);

pub(super) const INPUT_MAP_MANAGE: ToolSpec = manage_tool!(
    "input_map_manage",
    "Project input actions by `op`: list ({include_builtin?}), add_action ({action, \
     deadzone?}), remove_action ({action}), bind_event ({action, event_type, ...}), and the \
     idempotent ensure_action ({action, deadzone?}) and ensure_binding ({action, event_type, \
     deadzone?, ...}), which keep what already exists. Saved to project.godot.",
    [
        "add_action" => "add_action",
        "bind_event" => "bind_event",
        "ensure_action" => "ensure_action",
        "ensure_binding" => "ensure_binding",
        "list" => "list_actions",
        "remove_action" => "remove_action",
    ]
);

pub(super) const BATCH_EXECUTE: ToolSpec = ToolSpec {
    name: "batch_execute",
    description: "Run several plugin commands in order as one unit: [{command, params}, ...]. \
        All are checked before any runs; the batch stops at the first error, and with undo=true \
        (default) the commands that ran are rolled back through the editor's undo history.",
    arguments: &[
        ArgSpec {
            name: "commands",
            kind: ArgKind::ObjectList,
            default: None,
            description: "The commands, e.g. [{\"command\": \"create_node\", \"params\": \
                {\"type\": \"Node2D\"}}].",
        },
        ArgSpec {
            name: "undo",
            kind: ArgKind::Boolean,
            default: Some(|| json!(true)),
            description: "Roll back on failure. Default true.",
        },
    ],
    plan: |arguments| {
        Ok(Command::new("batch_execute", arguments.pick(&["commands", "undo"])).into())
    },
    shape_result: unchanged,
};
