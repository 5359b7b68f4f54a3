//! `custom_manage`: tools the project's other addons register with the plugin's
//! `McpToolRegistry`. `list` asks the editor for the switched-on tools; `invoke` sends
//! `custom_tool:<tool_name>` as godot-ai 3.2.5 does, and the editor refuses an unknown or
//! switched-off tool before anything runs. The promoted tools are also listed as
//! `custom_<name>` (see `crate::custom_tools`).

use godot_ai_protocol::godot_ai_commands::CUSTOM_TOOL_PREFIX;
use serde_json::Value;

use super::op_binding::{bind, optional, required};
use super::*;

pub(super) const CUSTOM_MANAGE: ToolSpec = ToolSpec {
    name: "custom_manage",
    description: "Tools the project's other addons register (McpToolRegistry), by `op`: list \
        (the switched-on tools with their params schemas), invoke ({tool_name, params?}; \
        params go to the tool unchecked).",
    arguments: &[op_arg(&["invoke", "list"]), OPS_PARAMS_ARG],
    plan: |arguments| {
        let op = arguments.string("op");
        let params = arguments.object("params");
        match op {
            "list" => {
                bind("custom_manage", op, &[], params)?;
                Ok(Command::new("list_custom_tools", JsonObject::new()).into())
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
