//! `game_manage` and `editor_manage game_eval`: the params godot-ai 3.2.5's server sends, and
//! the input_sequence checks it makes before sending.

use serde_json::{Value, json};

use super::tests::{command_for, plan_error};
use super::*;

fn game() -> &'static ToolSpec {
    find("game_manage").unwrap()
}

/// The `params` inside `game_command {op, params}` for `op` with `params`.
fn game_params(op: &str, params: Value) -> Value {
    let command = command_for(game(), json!({"op": op, "params": params}));
    assert_eq!(command.name, "game_command");
    assert_eq!(command.params["op"], json!(op));
    command.params["params"].clone()
}

fn game_error(op: &str, params: Value) -> CommandError {
    plan_error(game(), json!({"op": op, "params": params}))
}

#[test]
fn every_published_op_declares_its_params() {
    let declared: Vec<&str> = game_tools::GAME_OP_PARAMS
        .iter()
        .map(|(op, _)| *op)
        .collect();
    assert_eq!(declared, game_tools::GAME_OPS);
    let schema = game().input_schema();
    assert_eq!(
        schema["properties"]["op"]["enum"],
        json!(game_tools::GAME_OPS)
    );
}

#[test]
fn defaults_are_filled_in_and_optional_paths_sent_only_when_set() {
    assert_eq!(
        game_params("get_scene_tree", json!(null)),
        json!({"depth": 10})
    );
    assert_eq!(
        game_params(
            "get_scene_tree",
            json!({"root_path": "/root/Main", "depth": 2})
        ),
        json!({"depth": 2, "root_path": "/root/Main"})
    );
    assert_eq!(
        game_params("get_node_info", json!({"path": "/Main/Player"})),
        json!({"path": "/Main/Player", "include_properties": true})
    );
    assert_eq!(
        game_params("get_ui_elements", json!({})),
        json!({"include_hidden": false, "include_disabled": true, "max_depth": 10})
    );
    assert_eq!(
        game_params("input_key", json!({"key": "Space"})),
        json!({"key": "Space", "pressed": true, "echo": false})
    );
    assert_eq!(
        game_params("input_action", json!({"action": "jump", "pressed": false})),
        json!({"action": "jump", "pressed": false, "strength": 1.0})
    );
}

#[test]
fn input_mouse_sends_an_empty_position_for_the_cursor() {
    assert_eq!(
        game_params("input_mouse", json!({"event": "button"})),
        json!({"event": "button", "position": {}, "button": "left", "pressed": true})
    );
    assert_eq!(
        game_params("input_mouse", json!({"event": "motion", "position": []}))["position"],
        json!({})
    );
    assert_eq!(
        game_params(
            "input_mouse",
            json!({"event": "motion", "position": [3, 4]})
        )["position"],
        json!([3, 4]),
        "a given position goes to the game, which checks it"
    );
}

#[test]
fn input_gamepad_sends_value_for_an_axis_and_pressed_for_a_button() {
    assert_eq!(
        game_params("input_gamepad", json!({"index": 1})),
        json!({"device": 0, "control": "button", "index": 1, "pressed": true})
    );
    assert_eq!(
        game_params("input_gamepad", json!({"control": "axis", "value": -0.5})),
        json!({"device": 0, "control": "axis", "index": 0, "value": -0.5})
    );
}

#[test]
fn input_state_sends_actions_only_when_given() {
    assert_eq!(game_params("input_state", json!({})), json!({}));
    assert_eq!(
        game_params("input_state", json!({"actions": ["jump"]})),
        json!({"actions": ["jump"]})
    );
    assert_eq!(
        game_params("input_state", json!({"actions": "[\"jump\"]"})),
        json!({"actions": ["jump"]}),
        "JSON text is decoded, as godot-ai does"
    );
}

#[test]
fn op_params_are_checked_by_name_and_type_before_sending() {
    let missing = game_error("input_key", json!({"pressed": true}));
    assert_eq!(missing.code, ErrorCode::MissingRequiredParam);
    assert_eq!(
        missing.message,
        "game_manage.input_key: missing required param 'key'. It takes: key, pressed, echo."
    );
    let unexpected = game_error("input_key", json!({"key": "A", "keycode": 65}));
    assert_eq!(unexpected.code, ErrorCode::InvalidParams);
    assert_eq!(
        unexpected.message,
        "game_manage.input_key: unexpected param 'keycode'. It takes: key, pressed, echo."
    );
    let mistyped = game_error("get_scene_tree", json!({"depth": true}));
    assert_eq!(mistyped.code, ErrorCode::InvalidParams);
    assert_eq!(
        mistyped.message,
        "game_manage.get_scene_tree: param 'depth' must be an integer, got boolean"
    );
    assert_eq!(mistyped.data.unwrap()["param"], json!("depth"));
}

#[test]
fn input_sequence_steps_are_normalized() {
    let plan = game_params(
        "input_sequence",
        json!({"steps": [{"action": "right"}, {"at_frame": 3, "action": "jump", "pressed": false,
                          "strength": 2, "note": "ignored"}],
               "settle_frames": 5}),
    );
    assert_eq!(
        plan,
        json!({"steps": [
                   {"at_frame": 0, "action": "right", "pressed": true, "strength": 1.0},
                   {"at_frame": 3, "action": "jump", "pressed": false, "strength": 1.0}],
               "settle_frames": 5})
    );
    let low = game_params(
        "input_sequence",
        json!({"steps": [{"action": "a", "strength": -1}]}),
    );
    assert_eq!(low["steps"][0]["strength"], json!(0.0), "clamped to 0..=1");
}

/// The message of input_sequence's refusal of `params`, which must be INVALID_PARAMS naming
/// `field`.
fn sequence_refusal(params: Value, field: &str) -> String {
    let error = game_error("input_sequence", params);
    assert_eq!(error.code, ErrorCode::InvalidParams, "{error}");
    assert_eq!(
        error.data.as_ref().unwrap()["param"],
        json!(field),
        "{error}"
    );
    error.message
}

#[test]
fn input_sequence_refuses_bad_plans_naming_the_field() {
    let prefix = "game_manage.input_sequence: ";
    let cases = [
        (
            json!({"steps": []}),
            "steps",
            "steps must be a non-empty list",
        ),
        (
            json!({"steps": [{"action": "a"}], "settle_frames": -1}),
            "settle_frames",
            "settle_frames must be an integer >= 0",
        ),
        (
            json!({"steps": ["a"]}),
            "steps[0]",
            "steps[0] must be an object",
        ),
        (
            json!({"steps": [{"action": "a"}, {"action": ""}]}),
            "steps[1].action",
            "steps[1].action is required and must be a non-empty string",
        ),
        (
            json!({"steps": [{"action": "a", "at_frame": 1.5}]}),
            "steps[0].at_frame",
            "steps[0].at_frame must be an integer >= 0",
        ),
        (
            json!({"steps": [{"action": "a", "at_frame": -2}]}),
            "steps[0].at_frame",
            "steps[0].at_frame must be an integer >= 0",
        ),
        (
            json!({"steps": [{"action": "a", "at_frame": 5}, {"action": "b", "at_frame": 4}]}),
            "steps[1].at_frame",
            "steps must be ordered by at_frame (steps[1]=4 < previous 5)",
        ),
        (
            json!({"steps": [{"action": "a", "pressed": "false"}]}),
            "steps[0].pressed",
            "steps[0].pressed must be a boolean",
        ),
        (
            json!({"steps": [{"action": "a", "strength": true}]}),
            "steps[0].strength",
            "steps[0].strength must be a number",
        ),
        (
            json!({"steps": [{"action": "a", "at_frame": 590}], "settle_frames": 11}),
            "steps",
            "sequence spans 601 frames, exceeds the 600-frame cap",
        ),
    ];
    for (params, field, message) in cases {
        assert_eq!(
            sequence_refusal(params, field),
            format!("{prefix}{message}")
        );
    }
}

#[test]
fn input_sequence_caps_are_inclusive() {
    let steps: Vec<Value> = (0..input_sequence::MAX_STEPS)
        .map(|frame| json!({"action": "a", "at_frame": frame}))
        .collect();
    let full = game_params(
        "input_sequence",
        json!({"steps": steps, "settle_frames": input_sequence::MAX_FRAMES - 255}),
    );
    assert_eq!(full["steps"].as_array().unwrap().len(), 256);

    let mut too_many = steps.clone();
    too_many.push(json!({"action": "a", "at_frame": 300}));
    assert_eq!(
        sequence_refusal(json!({"steps": too_many}), "steps"),
        "game_manage.input_sequence: steps exceeds the 256-step cap (got 257)"
    );
}

#[test]
fn input_sequence_steps_may_come_as_json_text() {
    let plan = game_params(
        "input_sequence",
        json!({"steps": "[{\"action\": \"jump\", \"at_frame\": 2}]"}),
    );
    assert_eq!(plan["steps"][0]["at_frame"], json!(2));
    let error = game_error("input_sequence", json!({"steps": "jump"}));
    assert_eq!(
        error.message,
        "game_manage.input_sequence: param 'steps' must be an array, got string"
    );
}

#[test]
fn game_eval_sends_the_code() {
    let command = command_for(
        &EDITOR_MANAGE,
        json!({"op": "game_eval", "params": {"code": "return 1 + 1"}}),
    );
    assert_eq!(command.name, "game_eval");
    assert_eq!(
        Value::Object(command.params),
        json!({"code": "return 1 + 1"})
    );
    let missing = plan_error(&EDITOR_MANAGE, json!({"op": "game_eval", "params": {}}));
    assert_eq!(missing.code, ErrorCode::MissingRequiredParam);
    assert_eq!(
        missing.message,
        "editor_manage.game_eval: missing required param 'code'. It takes: code."
    );
}
