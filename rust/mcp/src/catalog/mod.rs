//! The MCP tools this endpoint offers, with godot-ai 3.2.5's names, input schemas and result
//! shapes (the last godot-ai release on plugin protocol v1; a superset of 2.4.2's), each mapped
//! to the plugin command that does the work.
//!
//! A tool call goes: validate the arguments against the tool's schema (unknown or mistyped
//! arguments are an `INVALID_PARAMS` tool error naming the allowed ones) -> build the command's
//! params, checking what godot-ai's server checks before sending -> run the command on the
//! editor -> shape the reply the way godot-ai's server does (e.g. paging the scene tree).

use godot_ai_executor::{Executed, ExecutorHandle};
use godot_ai_protocol::{Command, CommandError, CommandResult, ErrorCode, JsonObject};
use rmcp::model::Tool;
use serde_json::{Value, json};

use crate::arguments::{ArgKind, Arguments, PickParams};

/// What a call does, given its validated arguments.
type PlanCommand = fn(&Arguments) -> Result<Plan, CommandError>;

/// What a tool call does once its arguments are valid.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Plan {
    /// Run this command on the editor; its reply is shaped into the result.
    Send(Command),
}

impl From<Command> for Plan {
    fn from(command: Command) -> Self {
        Plan::Send(command)
    }
}

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

/// The tools godot-ai always loads; clients may load the others on demand.
const CORE_TOOLS: &[&str] = &[
    "session_activate",
    "editor_state",
    "scene_get_hierarchy",
    "node_get_properties",
];

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
        if !properties.contains_key("session_id") {
            properties.insert(
                "session_id".to_owned(),
                json!({"default": "", "type": "string", "description": SESSION_ID_DESCRIPTION}),
            );
        }
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

    /// Whether this tool answers with image blocks (the screenshot) rather than a JSON object.
    /// Other tools that carry a PNG (a tile set's atlas image) give it as base64 in their
    /// JSON, as godot-ai does.
    pub fn answers_images(&self) -> bool {
        self.name == "editor_screenshot"
    }

    /// The rmcp description of this tool for `tools/list`. Like godot-ai's: every tool but
    /// the core ones is marked `defer_loading` (clients with tool search load it on demand),
    /// and every result is a JSON object except the screenshot's image.
    pub fn to_mcp_tool(&self) -> Tool {
        let mut tool = Tool::new(self.name, self.description, self.input_schema());
        if !self.answers_images() {
            let output_schema = json!({"type": "object", "additionalProperties": true});
            if let Value::Object(output_schema) = output_schema {
                tool = tool.with_raw_output_schema(output_schema.into());
            }
        }
        if !CORE_TOOLS.contains(&self.name) {
            let mut meta = JsonObject::new();
            meta.insert("defer_loading".to_owned(), Value::Bool(true));
            tool = tool.with_meta(rmcp::model::MetaObject(meta));
        }
        tool
    }

    /// Validates `arguments`, runs the planned command on the editor (or takes the plan's own
    /// answer) and shapes the reply; says how long the editor's main thread spent on it.
    pub async fn run(&self, executor: &ExecutorHandle, arguments: JsonObject) -> Executed {
        let planned = Arguments::validate(self, arguments)
            .and_then(|arguments| Ok(((self.plan)(&arguments)?, arguments)));
        let (plan, arguments) = match planned {
            Ok(planned) => planned,
            Err(error) => return unmeasured(Err(error)),
        };
        let executed = match plan {
            Plan::Send(command) => executor.execute_measured(command).await,
        };
        Executed {
            result: executed
                .result
                .map(|data| (self.shape_result)(data, &arguments)),
            main_thread: executed.main_thread,
        }
    }
}

/// A result the main thread had no part in.
fn unmeasured(result: CommandResult) -> Executed {
    Executed {
        result,
        main_thread: None,
    }
}

/// A `*_manage` tool: `op` is one of the listed names (sorted, as godot-ai publishes them; a
/// single op is published as a constant), each mapped to its plugin command; `params` is
/// checked against the keys the op takes ([`op_params`]) and passed through as the command's
/// params. Options:
/// * `shape:` how the reply becomes the result (default: unchanged);
/// * `prepare:` a `fn(op, params) -> Result<params>` that builds the params of the ops whose
///   params godot-ai's server types, defaults or rewrites before sending (default: none).
macro_rules! manage_tool {
    ($name:literal, $description:literal, [$($op:literal => $command:literal),+ $(,)?]
     $(, shape: $shape:expr)? $(, prepare: $prepare:expr)? $(,)?) => {
        ToolSpec {
            name: $name,
            description: $description,
            arguments: &[op_arg(&[$($op),+]), OPS_PARAMS_ARG],
            plan: |arguments| {
                let op = arguments.string("op");
                let command = match op {
                    $($op => $command,)+
                    other => unreachable!("op '{other}' passed validation"),
                };
                let params = arguments.object("params");
                op_params::check($name, op, &params)?;
                let prepare: PrepareParams = first_of!($($prepare,)? params_unchanged);
                Ok(Command::new(command, prepare(op, params)?).into())
            },
            shape_result: first_of!($($shape,)? unchanged),
        }
    };
}

/// The first of the given expressions: an optional macro argument, else its default.
macro_rules! first_of {
    ($given:expr $(, $rest:expr)*) => {
        $given
    };
}

/// How a `*_manage` tool turns one op's `params` into the command's params.
type PrepareParams = fn(&str, JsonObject) -> Result<JsonObject, CommandError>;

fn params_unchanged(_op: &str, params: JsonObject) -> Result<JsonObject, CommandError> {
    Ok(params)
}

/// A `*_manage` tool's required `op`: one of `ops` (sorted, as godot-ai publishes them), an
/// enum, or a constant when there is one op.
const fn op_arg(ops: &'static [&'static str]) -> ArgSpec {
    ArgSpec {
        name: "op",
        kind: if ops.len() == 1 {
            ArgKind::Const(ops[0])
        } else {
            ArgKind::OneOf(ops)
        },
        default: None,
        description: "The operation to run.",
    }
}

mod custom_tools;
mod domain_tools;
mod editor_tools;
mod game_tools;
mod input_sequence;
mod logs;
mod op_binding;
mod op_params;
mod paging;
mod project_tools;
mod scene_tools;
pub mod test_hooks;

use custom_tools::*;
use domain_tools::*;
use editor_tools::*;
use game_tools::*;
use project_tools::*;
use scene_tools::*;

/// Every tool, in godot-ai 3.2.5's `tools/list` order.
pub static TOOLS: &[ToolSpec] = &[
    SESSION_ACTIVATE,
    SESSION_MANAGE,
    EDITOR_STATE,
    LOGS_READ,
    EDITOR_SCREENSHOT,
    EDITOR_RELOAD_PLUGIN,
    EDITOR_MANAGE,
    SCENE_GET_HIERARCHY,
    SCENE_OPEN,
    SCENE_SAVE,
    SCENE_MANAGE,
    NODE_GET_PROPERTIES,
    NODE_CREATE,
    NODE_SET_PROPERTY,
    NODE_FIND,
    NODE_MANAGE,
    PROJECT_RUN,
    PROJECT_MANAGE,
    SCRIPT_CREATE,
    SCRIPT_PATCH,
    SCRIPT_ATTACH,
    SCRIPT_MANAGE,
    RESOURCE_MANAGE,
    API_MANAGE,
    FILESYSTEM_MANAGE,
    CLIENT_MANAGE,
    SIGNAL_MANAGE,
    AUTOLOAD_MANAGE,
    INPUT_MAP_MANAGE,
    GAME_MANAGE,
    TEST_RUN,
    TEST_MANAGE,
    BATCH_EXECUTE,
    UI_MANAGE,
    THEME_MANAGE,
    ANIMATION_CREATE,
    ANIMATION_MANAGE,
    MATERIAL_MANAGE,
    PARTICLE_MANAGE,
    CAMERA_MANAGE,
    AUDIO_MANAGE,
    TILEMAP_MANAGE,
    TILESET_MANAGE,
    GRIDMAP_MANAGE,
    CSG_MANAGE,
    CUSTOM_MANAGE,
];

/// The tool called `name`, if this endpoint offers it.
pub fn find(name: &str) -> Option<&'static ToolSpec> {
    offered().find(|tool| tool.name == name)
}

/// Every tool this process offers: [`TOOLS`], and the test tools when they are turned on.
pub fn offered() -> impl Iterator<Item = &'static ToolSpec> {
    let test_tools: &'static [ToolSpec] = if test_hooks::enabled() {
        test_hooks::TEST_TOOLS
    } else {
        &[]
    };
    TOOLS.iter().chain(test_tools)
}

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

/// A number that may be left out (null).
const fn optional_number_arg(name: &'static str, description: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        kind: ArgKind::NumberOrNull,
        default: Some(|| Value::Null),
        description,
    }
}

/// A boolean defaulting to false.
const fn flag_arg(name: &'static str, description: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        kind: ArgKind::Boolean,
        default: Some(|| json!(false)),
        description,
    }
}

/// An integer with a default.
const fn integer_arg(
    name: &'static str,
    default: fn() -> Value,
    description: &'static str,
) -> ArgSpec {
    ArgSpec {
        name,
        kind: ArgKind::Integer,
        default: Some(default),
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

fn unchanged(data: JsonObject, _: &Arguments) -> JsonObject {
    data
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

#[cfg(test)]
mod game_tests;

#[cfg(test)]
mod log_tests;

#[cfg(test)]
mod new_op_tests;
