//! What godot-ai 3.2.5 added to tools 2.4.2 already had (new ops and arguments), and its new
//! pass-through tools: the command and params each sends.

use serde_json::{Value, json};

use super::tests::{args, command_for, plan_error};
use super::*;

fn tool(name: &str) -> &'static ToolSpec {
    find(name).unwrap_or_else(|| panic!("no tool {name}"))
}

#[test]
fn new_ops_of_existing_tools_send_3_2_5_s_commands() {
    let cases = [
        (
            "project_manage",
            "set_main_scene",
            json!({"path": "res://main.tscn"}),
            "set_main_scene",
        ),
        ("filesystem_manage", "scan", json!({}), "scan_filesystem"),
        (
            "input_map_manage",
            "ensure_action",
            json!({"action": "jump"}),
            "ensure_action",
        ),
        (
            "input_map_manage",
            "ensure_binding",
            json!({"action": "jump", "event_type": "key", "keycode": "Space"}),
            "ensure_binding",
        ),
    ];
    for (name, op, params, command) in cases {
        let sent = command_for(tool(name), json!({"op": op, "params": params.clone()}));
        assert_eq!(sent.name, command, "{name}.{op}");
        assert_eq!(
            Value::Object(sent.params),
            params,
            "{name}.{op} passes params through"
        );
    }
    let typo = plan_error(
        tool("project_manage"),
        json!({"op": "set_main_scene", "params": {"scene": "res://main.tscn"}}),
    );
    assert_eq!(
        typo.message,
        "project_manage.set_main_scene: unexpected param 'scene'. It takes: path."
    );
}

#[test]
fn scene_open_sends_force_reload_only_when_true() {
    let open = |given: Value| command_for(&SCENE_OPEN, given).params;
    assert_eq!(
        Value::Object(open(json!({"path": "res://a.tscn"}))),
        json!({"path": "res://a.tscn"})
    );
    assert_eq!(
        Value::Object(open(json!({"path": "res://a.tscn", "force_reload": true}))),
        json!({"path": "res://a.tscn", "force_reload": true})
    );
}

#[test]
fn node_get_properties_sends_fields_only_when_some_are_named() {
    let get = |given: Value| Value::Object(command_for(&NODE_GET_PROPERTIES, given).params);
    assert_eq!(
        get(json!({"path": "/Main", "fields": []})),
        json!({"path": "/Main"})
    );
    assert_eq!(
        get(json!({"path": "/Main", "fields": null})),
        json!({"path": "/Main"})
    );
    assert_eq!(
        get(json!({"path": "/Main", "fields": ["position"]})),
        json!({"path": "/Main", "fields": ["position"]})
    );
    let error = args(
        &NODE_GET_PROPERTIES,
        json!({"path": "/Main", "fields": [1]}),
    )
    .unwrap_err();
    assert_eq!(
        error.message,
        "Argument 'fields' of node_get_properties must be an array of strings, got array"
    );
}

#[test]
fn screenshot_sends_user_prompt_when_given() {
    let command = command_for(
        tool("editor_screenshot"),
        json!({"user_prompt": "is the door open?"}),
    );
    assert_eq!(command.params["user_prompt"], json!("is the door open?"));
}

#[test]
fn api_manage_has_one_op_published_as_a_constant() {
    let schema = tool("api_manage").input_schema();
    assert_eq!(
        schema["properties"]["op"],
        json!({"type": "string", "const": "get_class", "description": "The operation to run."})
    );
    let command = command_for(
        tool("api_manage"),
        json!({"op": "get_class", "params": {"class_name": "Node3D"}}),
    );
    assert_eq!(command.name, "get_class_info");
    assert_eq!(
        Value::Object(command.params),
        json!({"class_name": "Node3D"})
    );
}

#[test]
fn domain_tools_new_in_3_2_5_send_their_op_names() {
    for (name, op, key) in [
        ("tilemap_manage", "tilemap_set_cell", "path"),
        ("tileset_manage", "tileset_get_atlas_tiles", "tileset_path"),
        ("gridmap_manage", "gridmap_fill", "path"),
        ("csg_manage", "csg_create", "parent_path"),
    ] {
        let command = command_for(tool(name), json!({"op": op, "params": {key: "/Main/X"}}));
        assert_eq!(command.name, op);
        assert_eq!(command.params[key], json!("/Main/X"));
    }
}

#[test]
fn content_domain_ops_refuse_keys_they_do_not_take() {
    let error = plan_error(
        tool("ui_manage"),
        json!({"op": "set_text", "params": {"path": "/Main/L", "txt": "hi"}}),
    );
    assert_eq!(
        error.message,
        "ui_manage.set_text: unexpected param 'txt'. It takes: path, text, scene_file."
    );
    let error = plan_error(
        tool("gridmap_manage"),
        json!({"op": "gridmap_clear", "params": {"path": "/Main/G", "all": true}}),
    );
    assert!(
        error
            .message
            .starts_with("gridmap_manage.gridmap_clear: unexpected param 'all'")
    );
}

#[test]
fn custom_manage_lists_the_tools_the_editor_has() {
    let custom = tool("custom_manage");
    let command = command_for(custom, json!({"op": "list"}));
    assert_eq!(command.name, "list_custom_tools");
    assert!(command.params.is_empty());
    let extra = plan_error(custom, json!({"op": "list", "params": {"all": true}}));
    assert_eq!(
        extra.message,
        "custom_manage.list: unexpected param 'all'. It takes: no params."
    );
}

#[test]
fn custom_manage_invoke_sends_the_custom_tool_command() {
    let custom = tool("custom_manage");
    let command = command_for(
        custom,
        json!({"op": "invoke", "params": {"tool_name": "spawn", "params": {"count": 2}}}),
    );
    assert_eq!(command.name, "custom_tool:spawn");
    assert_eq!(Value::Object(command.params), json!({"count": 2}));
    let bare = command_for(
        custom,
        json!({"op": "invoke", "params": {"tool_name": "spawn"}}),
    );
    assert!(bare.params.is_empty());

    let unnamed = plan_error(custom, json!({"op": "invoke", "params": {"tool_name": ""}}));
    assert_eq!(unnamed.code, ErrorCode::InvalidParams);
    assert_eq!(
        unnamed.message,
        "custom_manage.invoke: tool_name must be a non-empty string"
    );
    let listed = plan_error(
        custom,
        json!({"op": "invoke", "params": {"tool_name": "spawn", "params": [1]}}),
    );
    assert_eq!(
        listed.message,
        "custom_manage.invoke: param 'params' must be an object, got array"
    );
}
