use serde_json::json;

use super::*;

pub(super) fn args(tool: &ToolSpec, given: Value) -> Result<Arguments, CommandError> {
    let Value::Object(given) = given else {
        panic!("test arguments must be an object")
    };
    Arguments::validate(tool, given)
}

pub(super) fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// The command a call with these (valid) arguments sends.
pub(super) fn sent(tool: &ToolSpec, arguments: &Arguments) -> Command {
    let Plan::Send(command) = (tool.plan)(arguments).unwrap();
    command
}

/// The command `tool` sends for `given`, which must be valid.
pub(super) fn command_for(tool: &ToolSpec, given: Value) -> Command {
    sent(tool, &args(tool, given).unwrap())
}

/// The error `tool`'s plan gives for `given` (arguments that pass the schema).
pub(super) fn plan_error(tool: &ToolSpec, given: Value) -> CommandError {
    (tool.plan)(&args(tool, given).unwrap()).unwrap_err()
}

/// godot-ai 3.2.5's input schemas, from its server's `tools/list`, descriptions removed.
fn godot_ai_schemas() -> JsonObject {
    let text = include_str!("../../tests/fixtures/godot_ai_3.2.5_input_schemas.json");
    object(serde_json::from_str(text).expect("fixture is JSON"))
}

/// godot-ai 2.4.2's input schemas, the same way: the surface agents written for 2.4.2 use.
fn godot_ai_2_4_2_schemas() -> JsonObject {
    let text = include_str!("../../tests/fixtures/godot_ai_2.4.2_input_schemas.json");
    object(serde_json::from_str(text).expect("fixture is JSON"))
}

fn without_descriptions(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(key, _)| key != "description")
                .map(|(key, value)| (key, without_descriptions(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_descriptions).collect()),
        other => other,
    }
}

#[test]
fn tools_are_godot_ai_3_2_5_s_46_in_its_order() {
    let names: Vec<&str> = TOOLS.iter().map(|tool| tool.name).collect();
    let expected: Vec<String> = godot_ai_schemas().keys().cloned().collect();
    assert_eq!(expected.len(), 46);
    assert_eq!(names, expected);
    assert!(find("node_get_properties").is_some());
    assert!(find("nope").is_none());
}

/// 3.2.5 only added to 2.4.2: every 2.4.2 tool is offered, each of its arguments with the same
/// schema (an `op` enum may have grown), and nothing 2.4.2 left optional became required. So a
/// call written for 2.4.2 still passes the schema.
#[test]
fn every_godot_ai_2_4_2_tool_argument_and_op_is_still_offered() {
    for (name, old) in godot_ai_2_4_2_schemas() {
        let tool = find(&name).unwrap_or_else(|| panic!("{name} is no longer offered"));
        let ours = without_descriptions(Value::Object(tool.input_schema()));
        assert_eq!(ours["required"], old["required"], "{name}");
        for (argument, old_schema) in old["properties"].as_object().unwrap() {
            let our_schema = &ours["properties"][argument];
            match old_schema.get("enum") {
                Some(Value::Array(old_ops)) => {
                    let our_ops = our_schema["enum"].as_array().unwrap();
                    for op in old_ops {
                        assert!(our_ops.contains(op), "{name} lost op {op}");
                    }
                }
                _ => assert_eq!(our_schema, old_schema, "{name}.{argument}"),
            }
        }
    }
}

/// Ops this plugin offers beyond godot-ai's, by tool.
const OPS_OF_OUR_OWN: &[(&str, &str)] = &[("client_manage", "rotate_token")];

#[test]
fn input_schemas_match_godot_ai_apart_from_descriptions_and_our_own_ops() {
    let expected = godot_ai_schemas();
    for tool in TOOLS {
        let mut ours = without_descriptions(Value::Object(tool.input_schema()));
        if let Some(ops) = ours
            .pointer_mut("/properties/op/enum")
            .and_then(Value::as_array_mut)
        {
            ops.retain(|op| !OPS_OF_OUR_OWN.contains(&(tool.name, op.as_str().unwrap_or(""))));
        }
        assert_eq!(ours, expected[tool.name], "{}", tool.name);
    }
}

#[test]
fn core_tools_load_eagerly_and_only_the_screenshot_lacks_an_output_schema() {
    for tool in TOOLS {
        let listed = tool.to_mcp_tool();
        let deferred = listed
            .meta
            .as_ref()
            .and_then(|meta| meta.0.get("defer_loading"))
            .is_some();
        assert_eq!(deferred, !CORE_TOOLS.contains(&tool.name), "{}", tool.name);
        assert_eq!(
            listed.output_schema.is_none(),
            tool.name == "editor_screenshot",
            "{}",
            tool.name
        );
    }
}

#[test]
fn schemas_are_closed_objects_with_session_id_and_required_list() {
    let schema = NODE_GET_PROPERTIES.input_schema();
    assert_eq!(schema["type"], json!("object"));
    assert_eq!(schema["additionalProperties"], json!(false));
    assert_eq!(schema["required"], json!(["path"]));
    assert_eq!(schema["properties"]["session_id"]["default"], json!(""));

    let hierarchy = SCENE_GET_HIERARCHY.input_schema();
    assert!(hierarchy.get("required").is_none());
    assert_eq!(hierarchy["properties"]["depth"]["default"], json!(10));
    assert_eq!(hierarchy["properties"]["limit"]["type"], json!("integer"));
}

#[test]
fn defaults_fill_in_and_session_id_is_accepted_and_ignored() {
    let parsed = args(
        &SCENE_GET_HIERARCHY,
        json!({"session_id": "x@1234", "depth": 2.0}),
    )
    .unwrap();
    assert_eq!(parsed.pick(&["depth"]), object(json!({"depth": 2})));
    assert_eq!(parsed.integer("offset"), 0);
    assert_eq!(parsed.integer("limit"), 100);
}

#[test]
fn missing_required_argument_is_missing_required_param() {
    let error = args(&NODE_GET_PROPERTIES, json!({})).unwrap_err();
    assert_eq!(error.code, ErrorCode::MissingRequiredParam);
    assert!(error.message.contains("'path'"), "{error}");
}

#[test]
fn unknown_argument_names_the_allowed_ones() {
    let error = args(&NODE_GET_PROPERTIES, json!({"path": "/Main", "pth": 1})).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidParams);
    assert_eq!(
        error.message,
        "Unknown argument 'pth' for node_get_properties. Allowed: path, fields, session_id."
    );
}

#[test]
fn mistyped_argument_says_what_was_expected() {
    let error = args(&SCENE_GET_HIERARCHY, json!({"depth": "deep"})).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidParams);
    assert_eq!(
        error.message,
        "Argument 'depth' of scene_get_hierarchy must be an integer, got string"
    );
    assert!(args(&SCENE_GET_HIERARCHY, json!({"depth": 1.5})).is_err());
}

fn tree(count: usize) -> JsonObject {
    let nodes: Vec<Value> = (0..count)
        .map(|i| json!({"name": format!("n{i}")}))
        .collect();
    object(json!({"nodes": nodes, "total_count": count}))
}

#[test]
fn hierarchy_pages_like_godot_ai() {
    let arguments = args(&SCENE_GET_HIERARCHY, json!({"offset": 1, "limit": 1})).unwrap();
    let page = paging::page_scene_tree(tree(3), &arguments);
    assert_eq!(
        Value::Object(page),
        json!({"root": "", "nodes": [{"name": "n1"}], "total_count": 3,
               "offset": 1, "limit": 1, "has_more": true})
    );
}

#[test]
fn hierarchy_paging_out_of_range_gives_an_empty_page_not_an_error() {
    let far = args(&SCENE_GET_HIERARCHY, json!({"offset": 5})).unwrap();
    let page = paging::page_scene_tree(tree(2), &far);
    assert_eq!(page["nodes"], json!([]));
    assert_eq!(page["has_more"], json!(false));

    let from_end = args(&SCENE_GET_HIERARCHY, json!({"offset": -1})).unwrap();
    let negative = paging::page_scene_tree(tree(3), &from_end);
    assert_eq!(negative["nodes"], json!([{"name": "n2"}]));
}

#[test]
fn hierarchy_without_a_scene_is_an_empty_listing() {
    let empty = object(json!({"nodes": [], "message": "No scene open"}));
    let page = paging::page_scene_tree(empty, &args(&SCENE_GET_HIERARCHY, json!({})).unwrap());
    assert_eq!(
        Value::Object(page),
        json!({"root": "", "nodes": [], "total_count": 0, "offset": 0,
               "limit": 100, "has_more": false})
    );
}

#[test]
fn manage_ops_are_a_sorted_enum_and_params_may_be_null() {
    let schema = EDITOR_MANAGE.input_schema();
    let ops = schema["properties"]["op"]["enum"]
        .as_array()
        .unwrap()
        .clone();
    let mut sorted = ops.clone();
    sorted.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    assert_eq!(ops, sorted);
    assert_eq!(schema["required"], json!(["op"]));
    assert_eq!(schema["properties"]["params"]["default"], json!(null));
}

#[test]
fn manage_op_maps_to_its_plugin_command_with_params_passed_through() {
    let arguments = args(
        &EDITOR_MANAGE,
        json!({"op": "selection_set", "params": {"paths": ["/Main"]}}),
    )
    .unwrap();
    let command = sent(&EDITOR_MANAGE, &arguments);
    assert_eq!(command.name, "set_selection");
    assert_eq!(command.params, object(json!({"paths": ["/Main"]})));

    let state = args(&EDITOR_MANAGE, json!({"op": "state", "params": null})).unwrap();
    let command = sent(&EDITOR_MANAGE, &state);
    assert_eq!(command.name, "get_editor_state");
    assert!(command.params.is_empty());
}

#[test]
fn unknown_op_suggests_the_closest_and_lists_the_valid_ones() {
    let error = args(&EDITOR_MANAGE, json!({"op": "stat"})).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidParams);
    assert_eq!(
        error.message,
        "Unknown op 'stat' for editor_manage. Did you mean 'state'? Valid: game_eval, \
         logs_clear, monitors_get, quit, selection_get, selection_set, state."
    );
}

#[test]
fn set_property_accepts_null_as_a_value_but_not_a_missing_one() {
    let cleared = args(
        &NODE_SET_PROPERTY,
        json!({"path": "/Main/Ground", "property": "mesh", "value": null}),
    )
    .unwrap();
    let command = sent(&NODE_SET_PROPERTY, &cleared);
    assert_eq!(command.params["value"], json!(null));
    assert!(
        !command.params.contains_key("scene_file"),
        "empty optional params are not sent"
    );

    let missing = args(
        &NODE_SET_PROPERTY,
        json!({"path": "/Main/Ground", "property": "mesh"}),
    );
    assert_eq!(missing.unwrap_err().code, ErrorCode::MissingRequiredParam);
}

#[test]
fn node_create_sends_godot_ai_wire_params() {
    let arguments = args(
        &NODE_CREATE,
        json!({"type": "Sprite2D", "scene_file": "res://main.tscn"}),
    )
    .unwrap();
    let command = sent(&NODE_CREATE, &arguments);
    assert_eq!(command.name, "create_node");
    assert_eq!(
        Value::Object(command.params),
        json!({"type": "Sprite2D", "name": "", "parent_path": "", "scene_file": "res://main.tscn"})
    );
}

#[test]
fn every_op_enum_is_sorted_like_godot_ai() {
    for tool in TOOLS {
        let schema = tool.input_schema();
        let Some(ops) = schema["properties"].get("op") else {
            continue;
        };
        let Some(ops) = ops["enum"].as_array() else {
            continue; // a single op is a constant
        };
        let ops: Vec<&str> = ops.iter().map(|op| op.as_str().unwrap()).collect();
        let mut sorted = ops.clone();
        sorted.sort_unstable();
        assert_eq!(ops, sorted, "{}", tool.name);
    }
}

/// A value for an op param the op requires, by the param's name.
fn sample_op_param(name: &str) -> Value {
    match name {
        "steps" => json!([{"action": "jump"}]),
        "event" => json!("motion"),
        other => json!(format!("sample {other}")),
    }
}

#[test]
fn every_command_a_tool_sends_is_a_godot_ai_command_or_a_session_one() {
    use godot_ai_protocol::godot_ai_commands::is_godot_ai_command;
    for tool in TOOLS {
        let schema = tool.input_schema();
        let ops: Vec<Value> = match &schema["properties"].get("op") {
            Some(op) if op.get("enum").is_some() => op["enum"].as_array().unwrap().clone(),
            Some(op) => vec![op["const"].clone()],
            None => vec![Value::Null],
        };
        for op in ops {
            let mut given = json!({"commands": [], "length": 1, "player_path": "p", "name": "n",
                                   "session_id": "s", "path": "p", "property": "x", "value": 1,
                                   "old_text": "a", "new_text": "b", "script_path": "s"});
            let declared: Vec<&str> = tool.arguments.iter().map(|arg| arg.name).collect();
            given
                .as_object_mut()
                .unwrap()
                .retain(|key, _| declared.contains(&key.as_str()));
            if !op.is_null() {
                given["op"] = op.clone();
                given["params"] = json!({});
            }
            // Fill in the op params an op requires, one missing param at a time.
            let plan = loop {
                match (tool.plan)(&args(tool, given.clone()).unwrap()) {
                    Err(error) if error.code == ErrorCode::MissingRequiredParam => {
                        let param = error.data.as_ref().unwrap()["param"].as_str().unwrap();
                        given["params"][param] = sample_op_param(param);
                    }
                    other => break other.unwrap(),
                }
            };
            let Plan::Send(command) = plan;
            assert!(
                is_godot_ai_command(&command.name)
                    || [
                        "session_list",
                        "session_activate",
                        "list_custom_tools",
                        "rotate_access_token",
                    ]
                    .contains(&command.name.as_str()),
                "{} sends {}",
                tool.name,
                command.name
            );
        }
    }
}

fn log_listing(count: usize) -> JsonObject {
    let lines: Vec<Value> = (0..count)
        .map(|i| json!({"source": "plugin", "level": "info", "text": format!("MCP | line {i}")}))
        .collect();
    object(json!({"source": "plugin", "lines": lines, "total_count": count}))
}

#[test]
fn plugin_logs_are_flattened_to_text_and_paged_here() {
    let read = find("logs_read").unwrap();
    let arguments = args(
        read,
        json!({"count": 2, "offset": 1, "include_details": true}),
    )
    .unwrap();
    assert_eq!(
        Value::Object(sent(read, &arguments).params),
        json!({"count": 500, "source": "plugin"}),
        "godot-ai asks for every kept line"
    );
    let page = logs::shape_read(log_listing(4), &arguments);
    assert_eq!(
        Value::Object(page),
        json!({"lines": ["MCP | line 1", "MCP | line 2"], "total_count": 4, "offset": 1,
               "limit": 2, "has_more": true})
    );
}

#[test]
fn filesystem_search_pages_files_by_the_op_params() {
    let tool = find("filesystem_manage").unwrap();
    let arguments = args(
        tool,
        json!({"op": "search", "params": {"name": "a", "offset": 1, "limit": 1}}),
    )
    .unwrap();
    let reply = object(json!({"files": [{"path": "res://a"}, {"path": "res://b"}], "count": 2}));
    let page = paging::page_search_results(reply, &arguments);
    assert_eq!(
        Value::Object(page),
        json!({"files": [{"path": "res://b"}], "total_count": 2, "offset": 1, "limit": 1,
               "has_more": false})
    );
    let read = args(
        tool,
        json!({"op": "read_text", "params": {"path": "res://a"}}),
    )
    .unwrap();
    let untouched = object(json!({"path": "res://a", "content": ""}));
    assert_eq!(
        paging::page_search_results(untouched.clone(), &read),
        untouched
    );
}

#[test]
fn screenshot_without_image_keeps_only_metadata() {
    let tool = find("editor_screenshot").unwrap();
    let arguments = args(tool, json!({"include_image": false})).unwrap();
    let command = sent(tool, &arguments);
    assert_eq!(
        Value::Object(command.params.clone()),
        json!({"source": "viewport", "max_resolution": 640, "include_image": false}),
        "an empty user_prompt is not sent"
    );
    let reply = object(json!({"width": 2, "image_base64": "AAAA"}));
    assert_eq!(
        Value::Object((tool.shape_result)(reply, &arguments)),
        json!({"width": 2})
    );
}

#[test]
fn framed_screenshots_send_their_framing_and_count_a_sweep() {
    let tool = find("editor_screenshot").unwrap();
    let framed = args(
        tool,
        json!({"view_target": "World, Player", "coverage": false, "elevation": 40, "fov": null}),
    )
    .unwrap();
    assert_eq!(
        Value::Object(sent(tool, &framed).params.clone()),
        json!({"source": "viewport", "max_resolution": 640, "include_image": true,
               "view_target": "World, Player", "elevation": 40}),
        "coverage=false and a null fov are not sent"
    );
    let sweep = args(
        tool,
        json!({"view_target": "World", "coverage": true, "include_image": false}),
    )
    .unwrap();
    assert_eq!(
        sent(tool, &sweep).params.get("coverage"),
        Some(&json!(true))
    );
    let reply = object(json!({"coverage": true, "images": [
        {"label": "establishing", "image_base64": "AAAA"},
        {"label": "top", "image_base64": "BBBB"},
    ]}));
    assert_eq!(
        Value::Object((tool.shape_result)(reply, &sweep)),
        json!({"coverage": true, "image_count": 2,
               "images": [{"label": "establishing"}, {"label": "top"}]})
    );
}

#[test]
fn every_checked_op_is_an_op_of_its_tool() {
    for (tool, op) in op_params::listed() {
        let spec = find(tool).unwrap_or_else(|| panic!("{tool} is not a tool"));
        let schema = spec.input_schema();
        let op_schema = &schema["properties"]["op"];
        let known = op_schema["enum"]
            .as_array()
            .map(|ops| ops.iter().any(|known| known == op))
            .unwrap_or(op_schema["const"] == op);
        assert!(known, "{tool} has no op {op}");
    }
}

#[test]
fn an_op_param_the_op_does_not_take_is_refused_by_name() {
    let tool = find("node_manage").unwrap();
    let typo = args(
        tool,
        json!({"op": "rename", "params": {"path": "/Main/A", "new_name": "B", "scene_fle": "x"}}),
    )
    .unwrap();
    let error = (tool.plan)(&typo).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidParams);
    assert_eq!(
        error.message,
        "node_manage.rename: unexpected param 'scene_fle'. It takes: path, new_name, scene_file."
    );
    let fine = args(
        tool,
        json!({"op": "rename", "params": {"path": "/Main/A", "new_name": "B", "scene_file": "x"}}),
    )
    .unwrap();
    assert!((tool.plan)(&fine).is_ok());
    let none = find("editor_manage").unwrap();
    let extra = args(none, json!({"op": "state", "params": {"verbose": true}})).unwrap();
    assert!(
        (none.plan)(&extra)
            .unwrap_err()
            .message
            .ends_with("It takes: no params.")
    );
}

#[test]
fn op_params_given_as_json_text_are_decoded_like_godot_ai() {
    let tool = find("node_manage").unwrap();
    let arguments = args(
        tool,
        json!({"op": "get_children", "params": "{\"path\": \"/Main\"}"}),
    )
    .unwrap();
    let command = sent(tool, &arguments);
    assert_eq!(Value::Object(command.params), json!({"path": "/Main"}));
    assert!(args(tool, json!({"op": "get_children", "params": "not json"})).is_err());
}
