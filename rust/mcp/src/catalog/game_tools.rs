//! `game_manage`: inspecting and driving the running game. Every op is one `game_command
//! {op, params}` whose params are built as godot-ai 3.2.5's server builds them: each op's
//! keyword params typed and defaulted ([`op_binding`]), optional ones sent only when set, and
//! an `input_sequence` plan checked and normalized ([`input_sequence`]) before anything is
//! sent. The plugin answers `game_command` with the game's reply, unchanged.

use serde_json::{Value, json};

use super::op_binding::{Bound, OpParam, bind, no, optional, required, yes};
use super::*;

/// `game_manage`'s ops, sorted as godot-ai publishes them.
pub(super) const GAME_OPS: &[&str] = &[
    "get_node_info",
    "get_scene_tree",
    "get_ui_elements",
    "input_action",
    "input_gamepad",
    "input_key",
    "input_mouse",
    "input_sequence",
    "input_state",
];

pub(super) const GAME_MANAGE: ToolSpec = ToolSpec {
    name: "game_manage",
    description: "The running game (start it with project_run first) by `op`: get_scene_tree \
        ({depth?, root_path?}), get_node_info ({path, include_properties?}), get_ui_elements \
        ({root_path?, include_hidden?, include_disabled?, max_depth?}); input_key ({key, \
        pressed?, echo?}), input_mouse ({event: motion|button, position?, button?, pressed?}), \
        input_gamepad ({device?, control: button|axis, index?, pressed?, value?}), \
        input_action ({action, pressed?, strength?}), input_sequence ({steps: [{at_frame, \
        action, pressed?, strength?}], settle_frames?}: actions applied on exact frames, at \
        most 256 steps over 600 frames), input_state ({actions?}).",
    arguments: &[op_arg(GAME_OPS), OPS_PARAMS_ARG],
    plan: |arguments| {
        let op = arguments.string("op");
        let params = game_op_params(op, arguments.object("params"))?;
        let mut command_params = JsonObject::new();
        command_params.insert("op".to_owned(), json!(op));
        command_params.insert("params".to_owned(), Value::Object(params));
        Ok(Command::new("game_command", command_params).into())
    },
    shape_result: unchanged,
};

/// The params each op takes, with godot-ai's defaults; in [`GAME_OPS`] order.
pub(super) const GAME_OP_PARAMS: &[(&str, &[OpParam])] = &[
    (
        "get_node_info",
        &[
            required("path", ArgKind::String),
            optional("include_properties", ArgKind::Boolean, yes),
        ],
    ),
    (
        "get_scene_tree",
        &[
            optional("depth", ArgKind::Integer, || json!(10)),
            optional("root_path", ArgKind::String, empty_text),
        ],
    ),
    (
        "get_ui_elements",
        &[
            optional("root_path", ArgKind::String, empty_text),
            optional("include_hidden", ArgKind::Boolean, no),
            optional("include_disabled", ArgKind::Boolean, yes),
            optional("max_depth", ArgKind::Integer, || json!(10)),
        ],
    ),
    (
        "input_action",
        &[
            required("action", ArgKind::String),
            optional("pressed", ArgKind::Boolean, yes),
            optional("strength", ArgKind::Number, || json!(1.0)),
        ],
    ),
    (
        "input_gamepad",
        &[
            optional("device", ArgKind::Integer, || json!(0)),
            optional("control", ArgKind::String, || json!("button")),
            optional("index", ArgKind::Integer, || json!(0)),
            optional("pressed", ArgKind::Boolean, yes),
            optional("value", ArgKind::Number, || json!(0.0)),
        ],
    ),
    (
        "input_key",
        &[
            required("key", ArgKind::String),
            optional("pressed", ArgKind::Boolean, yes),
            optional("echo", ArgKind::Boolean, no),
        ],
    ),
    (
        "input_mouse",
        &[
            required("event", ArgKind::String),
            optional("position", ArgKind::Any, || Value::Null),
            optional("button", ArgKind::String, || json!("left")),
            optional("pressed", ArgKind::Boolean, yes),
        ],
    ),
    (
        "input_sequence",
        &[
            required("steps", ArgKind::List),
            optional("settle_frames", ArgKind::Integer, || json!(0)),
        ],
    ),
    (
        "input_state",
        &[optional("actions", ArgKind::StringListOrNull, || {
            Value::Null
        })],
    ),
];

fn empty_text() -> Value {
    json!("")
}

/// The params `op` takes.
fn op_spec(op: &str) -> &'static [OpParam] {
    GAME_OP_PARAMS
        .iter()
        .find(|(known, _)| *known == op)
        .map(|(_, spec)| *spec)
        .unwrap_or_else(|| unreachable!("game_manage op '{op}' passed validation"))
}

/// The `params` of `game_command` for `op`, as godot-ai's server sends them.
fn game_op_params(op: &str, params: JsonObject) -> Result<JsonObject, CommandError> {
    let bound = bind("game_manage", op, op_spec(op), params)?;
    Ok(match op {
        "get_scene_tree" => with(bound.pick(&["depth"]), bound.pick_non_empty(&["root_path"])),
        "get_ui_elements" => with(
            bound.pick(&["include_hidden", "include_disabled", "max_depth"]),
            bound.pick_non_empty(&["root_path"]),
        ),
        "input_mouse" => mouse_params(&bound),
        "input_gamepad" => {
            // An axis moves by `value`; a button is pressed or released.
            let state = if bound.string("control") == "axis" {
                "value"
            } else {
                "pressed"
            };
            bound.pick(&["device", "control", "index", state])
        }
        "input_sequence" => input_sequence::normalize(&bound)?,
        "input_state" => bound.pick_non_null(&["actions"]),
        _ => bound.into_params(),
    })
}

/// `input_mouse`: a `position` left out (or empty, null, false, 0: Python's falsy values) is
/// sent as `{}`, which the game reads as "where the cursor is".
fn mouse_params(bound: &Bound) -> JsonObject {
    let mut params = bound.pick(&["event", "position", "button", "pressed"]);
    let empty = match bound.value("position") {
        Value::Null => true,
        Value::Bool(flag) => !flag,
        Value::Number(number) => number.as_f64() == Some(0.0),
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
    };
    if empty {
        params.insert("position".to_owned(), json!({}));
    }
    params
}

fn with(mut params: JsonObject, more: JsonObject) -> JsonObject {
    params.extend(more);
    params
}
