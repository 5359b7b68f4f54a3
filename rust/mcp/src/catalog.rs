//! The MCP tools this endpoint offers, with godot-ai 2.4.2's names, input schemas and result
//! shapes, each mapped to the plugin command that does the work.
//!
//! A tool call goes: validate the arguments against the tool's schema (unknown or mistyped
//! arguments are an `INVALID_PARAMS` tool error naming the allowed ones) -> build the command's
//! params -> run the command on the editor -> shape the reply the way godot-ai's server does
//! (e.g. paging the scene tree).

use godot_ai_executor::ExecutorHandle;
use godot_ai_protocol::{Command, CommandError, CommandResult, ErrorCode, JsonObject};
use rmcp::model::Tool;
use serde_json::{Value, json};

use crate::arguments::{ArgKind, Arguments};

/// Which command a call runs, with which params, given its validated arguments.
type PlanCommand = fn(&Arguments) -> Result<Command, CommandError>;

/// How a command's reply becomes the tool's result.
type ShapeResult = fn(JsonObject, &Arguments) -> JsonObject;

/// One MCP tool.
pub struct ToolSpec {
    pub name: &'static str,
    pub description: &'static str,
    /// Arguments the tool accepts besides `session_id`: name, kind, required, description.
    pub arguments: &'static [ArgSpec],
    plan: PlanCommand,
    shape_result: ShapeResult,
}

/// One declared tool argument.
pub struct ArgSpec {
    pub name: &'static str,
    pub kind: ArgKind,
    /// `None` for a required argument, else its default.
    pub default: Option<fn() -> Value>,
    pub description: &'static str,
}

const SESSION_ID_DESCRIPTION: &str =
    "Optional Godot session to target. Empty = active session (this editor).";

impl ToolSpec {
    /// The JSON Schema of the tool's arguments, as godot-ai publishes it.
    pub fn input_schema(&self) -> JsonObject {
        let mut properties = JsonObject::new();
        let mut required = Vec::new();
        for arg in self.arguments {
            let mut property = arg.kind.schema();
            property["description"] = json!(arg.description);
            match arg.default {
                Some(default) => {
                    property["default"] = default();
                }
                None => required.push(arg.name),
            }
            properties.insert(arg.name.to_owned(), property);
        }
        properties.insert(
            "session_id".to_owned(),
            json!({"default": "", "type": "string", "description": SESSION_ID_DESCRIPTION}),
        );
        let mut schema = json!({
            "type": "object",
            "properties": properties,
            "additionalProperties": false,
        });
        if !required.is_empty() {
            schema["required"] = json!(required);
        }
        match schema {
            Value::Object(schema) => schema,
            _ => unreachable!("built as an object above"),
        }
    }

    /// The rmcp description of this tool for `tools/list`.
    pub fn to_mcp_tool(&self) -> Tool {
        let output_schema = json!({"type": "object", "additionalProperties": true});
        let Value::Object(output_schema) = output_schema else {
            unreachable!("built as an object above")
        };
        Tool::new(self.name, self.description, self.input_schema())
            .with_raw_output_schema(output_schema.into())
    }

    /// Validates `arguments`, runs the command on the editor and shapes the reply.
    pub async fn run(&self, executor: &ExecutorHandle, arguments: JsonObject) -> CommandResult {
        let arguments = Arguments::validate(self, arguments)?;
        let command = (self.plan)(&arguments)?;
        let data = executor.execute(command).await?;
        Ok((self.shape_result)(data, &arguments))
    }
}

/// Every tool, in godot-ai's `tools/list` order.
pub static TOOLS: &[ToolSpec] = &[
    EDITOR_STATE,
    EDITOR_RELOAD_PLUGIN,
    EDITOR_MANAGE,
    SCENE_GET_HIERARCHY,
    SCENE_OPEN,
    SCENE_SAVE,
    SCENE_MANAGE,
    NODE_GET_PROPERTIES,
    NODE_CREATE,
    NODE_SET_PROPERTY,
    NODE_MANAGE,
    PROJECT_MANAGE,
    SCRIPT_CREATE,
    SCRIPT_ATTACH,
    SCRIPT_MANAGE,
    FILESYSTEM_MANAGE,
];

/// The tool called `name`, if this endpoint offers it.
pub fn find(name: &str) -> Option<&'static ToolSpec> {
    TOOLS.iter().find(|tool| tool.name == name)
}

const EDITOR_STATE: ToolSpec = ToolSpec {
    name: "editor_state",
    description: "Get current Godot editor state: version, readiness, open scene, play state.\n\n\
        Returns godot_version, project_name, current_scene (res:// path, empty when none), \
        is_playing and readiness (ready | importing | playing | no_scene).",
    arguments: &[],
    plan: |_| Ok(Command::bare("get_editor_state")),
    shape_result: unchanged,
};

const EDITOR_RELOAD_PLUGIN: ToolSpec = ToolSpec {
    name: "editor_reload_plugin",
    description: "Reload the Godot AI plugin in the editor (disable, then enable it again).\n\n\
        The endpoint restarts: reconnect (initialize a new MCP session) after about a second.",
    arguments: &[],
    plan: |_| Ok(Command::bare("reload_plugin")),
    shape_result: unchanged,
};

/// A `*_manage` tool: `op` is one of the listed names (sorted, as godot-ai publishes them),
/// each mapped to its plugin command; `params` is passed through as the command's params.
macro_rules! manage_tool {
    ($name:literal, $description:literal, [$($op:literal => $command:literal),+ $(,)?]) => {
        ToolSpec {
            name: $name,
            description: $description,
            arguments: &[
                ArgSpec {
                    name: "op",
                    kind: ArgKind::OneOf(&[$($op),+]),
                    default: None,
                    description: "The operation to run.",
                },
                OPS_PARAMS_ARG,
            ],
            plan: |arguments| {
                let command = match arguments.string("op") {
                    $($op => $command,)+
                    other => unreachable!("op '{other}' passed validation"),
                };
                Ok(Command::new(command, arguments.object("params")))
            },
            shape_result: unchanged,
        }
    };
}

const EDITOR_MANAGE: ToolSpec = manage_tool!(
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

const SCENE_GET_HIERARCHY: ToolSpec = ToolSpec {
    name: "scene_get_hierarchy",
    description: "Get the scene tree hierarchy from the open scene.\n\n\
        Returns a paginated flat list of nodes with name, type, path, and child count. \
        Walks up to the specified depth.",
    arguments: &[
        ArgSpec {
            name: "depth",
            kind: ArgKind::Integer,
            default: Some(|| json!(10)),
            description: "Maximum walk depth. Default 10.",
        },
        ArgSpec {
            name: "offset",
            kind: ArgKind::Integer,
            default: Some(|| json!(0)),
            description: "Number of nodes to skip. Default 0.",
        },
        ArgSpec {
            name: "limit",
            kind: ArgKind::Integer,
            default: Some(|| json!(100)),
            description: "Max number of nodes to return. Default 100.",
        },
    ],
    plan: |arguments| Ok(Command::new("get_scene_tree", arguments.pick(&["depth"]))),
    shape_result: page_nodes,
};

const NODE_GET_PROPERTIES: ToolSpec = ToolSpec {
    name: "node_get_properties",
    description: "Get all properties of a node.\n\n\
        Returns path, node_type, properties (name, type, value) and count.",
    arguments: &[ArgSpec {
        name: "path",
        kind: ArgKind::String,
        default: None,
        description: "Scene path relative to the edited scene root (e.g. \"/Main/Camera3D\"), \
            NOT runtime \"/root/...\" paths. Derive from prior tool responses or \
            scene_get_hierarchy.",
    }],
    plan: |arguments| {
        Ok(Command::new(
            "get_node_properties",
            arguments.pick(&["path"]),
        ))
    },
    shape_result: unchanged,
};

const fn text_arg(name: &'static str, description: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        kind: ArgKind::String,
        default: None,
        description,
    }
}

const fn optional_text_arg(name: &'static str, description: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        kind: ArgKind::String,
        default: Some(|| json!("")),
        description,
    }
}

const SCENE_FILE_ARG: ArgSpec = optional_text_arg(
    "scene_file",
    "Optional guard: the res:// path of the scene you expect to be edited; the call fails with \
     EDITED_SCENE_MISMATCH if another scene is active.",
);

const OPS_PARAMS_ARG: ArgSpec = ArgSpec {
    name: "params",
    kind: ArgKind::ObjectOrNull,
    default: Some(|| Value::Null),
    description: "The operation's arguments, if any.",
};

const SCENE_OPEN: ToolSpec = ToolSpec {
    name: "scene_open",
    description: "Open a scene in the editor (or switch to it if already open).",
    arguments: &[text_arg(
        "path",
        "res:// path of the scene, e.g. res://main.tscn.",
    )],
    plan: |arguments| Ok(Command::new("open_scene", arguments.pick(&["path"]))),
    shape_result: unchanged,
};

const SCENE_SAVE: ToolSpec = ToolSpec {
    name: "scene_save",
    description: "Save the edited scene to its file.",
    arguments: &[],
    plan: |_| Ok(Command::bare("save_scene")),
    shape_result: unchanged,
};

const SCENE_MANAGE: ToolSpec = manage_tool!(
    "scene_manage",
    "Scene operations by `op`: get_roots (open scenes), create, save_as. `params` \
     holds the op's arguments.",
    [
        "create" => "create_scene",
        "get_roots" => "get_open_scenes",
        "save_as" => "save_scene_as",
    ]
);

const NODE_CREATE: ToolSpec = ToolSpec {
    name: "node_create",
    description: "Create a node in the edited scene, by class (`type`) or by instancing a \
        PackedScene (`scene_path`). Undoable.",
    arguments: &[
        optional_text_arg("type", "Godot class of the new node, e.g. Sprite2D."),
        optional_text_arg(
            "name",
            "Name of the new node (made unique among its siblings).",
        ),
        optional_text_arg(
            "parent_path",
            "Parent node path, e.g. /Main/World; empty for the scene root.",
        ),
        optional_text_arg(
            "scene_path",
            "res:// path of a scene to instance instead of a class.",
        ),
        SCENE_FILE_ARG,
    ],
    plan: |arguments| {
        let mut params = arguments.pick(&["type", "name", "parent_path"]);
        params.extend(arguments.pick_non_empty(&["scene_path", "scene_file"]));
        Ok(Command::new("create_node", params))
    },
    shape_result: unchanged,
};

const NODE_SET_PROPERTY: ToolSpec = ToolSpec {
    name: "node_set_property",
    description: "Set a property of a node. Vectors as {x,y[,z]} or arrays, colours as \
        {r,g,b[,a]} or \"#rrggbb\", resources as res:// paths, enums by value or name. Undoable.",
    arguments: &[
        text_arg(
            "path",
            "Node path relative to the edited scene root, e.g. /Main/Camera3D.",
        ),
        text_arg(
            "property",
            "Property name, as node_get_properties lists it.",
        ),
        ArgSpec {
            name: "value",
            kind: ArgKind::Any,
            default: None,
            description: "The new value (null clears object properties).",
        },
        SCENE_FILE_ARG,
    ],
    plan: |arguments| {
        let mut params = arguments.pick(&["path", "property", "value"]);
        params.extend(arguments.pick_non_empty(&["scene_file"]));
        Ok(Command::new("set_property", params))
    },
    shape_result: unchanged,
};

const NODE_MANAGE: ToolSpec = manage_tool!(
    "node_manage",
    "Node operations by `op`: get_children, get_groups, delete, rename (new_name), \
     add_to_group / remove_from_group (group), duplicate, move, reparent. `params` holds the \
     op's arguments, e.g. {\"path\": \"/Main/Player\"}. Changes are undoable.",
    [
        "add_to_group" => "add_to_group",
        "delete" => "delete_node",
        "duplicate" => "duplicate_node",
        "get_children" => "get_children",
        "get_groups" => "get_groups",
        "move" => "move_node",
        "remove_from_group" => "remove_from_group",
        "rename" => "rename_node",
        "reparent" => "reparent_node",
    ]
);

const PROJECT_MANAGE: ToolSpec = manage_tool!(
    "project_manage",
    "Project operations by `op`: settings_get ({key}), settings_set ({key, value}; saved to \
     project.godot), stop (stop the running game).",
    ["settings_get" => "get_project_setting", "settings_set" => "set_project_setting", "stop" => "stop_project"]
);

const SCRIPT_MANAGE: ToolSpec = manage_tool!(
    "script_manage",
    "Script operations by `op`: read ({path}), detach ({path} of a node; undoable), find_symbols.",
    ["detach" => "detach_script", "find_symbols" => "find_symbols", "read" => "read_script"]
);

const FILESYSTEM_MANAGE: ToolSpec = manage_tool!(
    "filesystem_manage",
    "Files under res:// by `op`: read_text ({path}), write_text ({path, content}), reimport, \
     search. Paths must start with res:// and stay inside the project.",
    [
        "read_text" => "read_file",
        "reimport" => "reimport",
        "search" => "search_filesystem",
        "write_text" => "write_file",
    ]
);

const SCRIPT_CREATE: ToolSpec = ToolSpec {
    name: "script_create",
    description: "Create (or overwrite) a GDScript file under res://.",
    arguments: &[
        text_arg("path", "res:// path ending in .gd."),
        optional_text_arg("content", "The script's source."),
    ],
    plan: |arguments| {
        Ok(Command::new(
            "create_script",
            arguments.pick(&["path", "content"]),
        ))
    },
    shape_result: unchanged,
};

const SCRIPT_ATTACH: ToolSpec = ToolSpec {
    name: "script_attach",
    description: "Attach a script to a node of the edited scene. Undoable.",
    arguments: &[
        text_arg("path", "Node path, e.g. /Main/Player."),
        text_arg("script_path", "res:// path of the script."),
    ],
    plan: |arguments| {
        Ok(Command::new(
            "attach_script",
            arguments.pick(&["path", "script_path"]),
        ))
    },
    shape_result: unchanged,
};

fn unchanged(data: JsonObject, _: &Arguments) -> JsonObject {
    data
}

/// godot-ai's server-side paging of `get_scene_tree`: slice `nodes` by offset/limit (Python
/// slice semantics: out-of-range values give an empty page, never an error) and report the
/// total.
fn page_nodes(mut data: JsonObject, arguments: &Arguments) -> JsonObject {
    let nodes = match data.remove("nodes") {
        Some(Value::Array(nodes)) => nodes,
        _ => Vec::new(),
    };
    let offset = arguments.integer("offset");
    let limit = arguments.integer("limit");
    let total = nodes.len() as i64;
    let start = python_index(offset, total);
    let end = python_index(offset.saturating_add(limit), total).max(start);
    let page: Vec<Value> = nodes[start as usize..end as usize].to_vec();

    let mut shaped = JsonObject::new();
    shaped.insert(
        "root".to_owned(),
        data.remove("root").unwrap_or_else(|| json!("")),
    );
    shaped.insert("nodes".to_owned(), Value::Array(page));
    shaped.insert("total_count".to_owned(), json!(total));
    shaped.insert("offset".to_owned(), json!(offset));
    shaped.insert("limit".to_owned(), json!(limit));
    shaped.insert(
        "has_more".to_owned(),
        json!(offset.saturating_add(limit) < total),
    );
    shaped
}

/// Clamps a Python-style slice bound (negative counts from the end) into `0..=len`.
fn python_index(index: i64, len: i64) -> i64 {
    if index < 0 {
        (len + index).max(0)
    } else {
        index.min(len)
    }
}

/// `INVALID_PARAMS` for an argument the tool does not take.
pub(crate) fn unknown_argument(tool: &ToolSpec, name: &str) -> CommandError {
    let mut allowed: Vec<&str> = tool.arguments.iter().map(|arg| arg.name).collect();
    allowed.push("session_id");
    CommandError::new(
        ErrorCode::InvalidParams,
        format!(
            "Unknown argument '{name}' for {}. Allowed: {}.",
            tool.name,
            allowed.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests;
