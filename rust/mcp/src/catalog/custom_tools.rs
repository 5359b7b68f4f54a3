//! `custom_manage`: tools that third-party addons register with godot-ai. godot-ai's server
//! keeps their registry and lists them itself; no addon registers tools with this in-process
//! endpoint, so `list` is answered here with none, and `invoke` sends
//! `custom_tool:<tool_name>` as godot-ai does, which the plugin answers with an error naming
//! the tool (no such tool is built).

use godot_ai_protocol::godot_ai_commands::CUSTOM_TOOL_PREFIX;
use serde_json::{Value, json};

use super::op_binding::{bind, optional, required};
use super::*;

pub(super) const CUSTOM_MANAGE: ToolSpec = ToolSpec {
    name: "custom_manage",
    description: "Tools registered by third-party addons, by `op`: list (the registered tools \
        with their params schemas), invoke ({tool_name, params?}; params go to the tool \
        unchecked). No addon tools are registered with godot-ai-native, so list is empty.",
    arguments: &[op_arg(&["invoke", "list"]), OPS_PARAMS_ARG],
    plan: |arguments| {
        let op = arguments.string("op");
        let params = arguments.object("params");
        match op {
            "list" => {
                bind("custom_manage", op, &[], params)?;
                Ok(Plan::Answer(no_custom_tools()))
            }
            "invoke" => {
                const INVOKE: &[op_binding::OpParam] = &[
                    required("tool_name", ArgKind::String),
                    optional("params", ArgKind::ObjectOrNull, || Value::Null),
                ];
                let bound = bind("custom_manage", op, INVOKE, params)?;
                let tool_name = bound.string("tool_name");
                if tool_name.is_empty() {
                    return Err(bound.invalid("tool_name", "tool_name must be a non-empty string"));
                }
                let tool_params = match bound.value("params") {
                    Value::Object(tool_params) => tool_params.clone(),
                    _ => JsonObject::new(),
                };
                let command = format!("{CUSTOM_TOOL_PREFIX}{tool_name}");
                Ok(Command::new(command, tool_params).into())
            }
            other => unreachable!("op '{other}' passed validation"),
        }
    },
    shape_result: unchanged,
};

/// `list`'s answer: godot-ai's shape, with no tools.
fn no_custom_tools() -> JsonObject {
    let mut data = JsonObject::new();
    data.insert("tool_count".to_owned(), json!(0));
    data.insert("tools".to_owned(), json!([]));
    data.insert(
        "note".to_owned(),
        json!("godot-ai-native does not load tools registered by third-party addons yet"),
    );
    data
}
