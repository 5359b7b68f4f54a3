"""The in-editor MCP endpoint, driven by the official MCP Python client against a real editor.

Expected values come from test_project/main.tscn:
Main (Node3D) > Camera3D (fov 70), Sun (DirectionalLight3D), World > Ground, HUD > Score.
"""

from __future__ import annotations

import pytest
from editor_harness import Client

from conftest import structured

pytestmark = pytest.mark.anyio

MAIN_TSCN_PATHS = [
    "/Main",
    "/Main/Camera3D",
    "/Main/Sun",
    "/Main/World",
    "/Main/World/Ground",
    "/Main/HUD",
    "/Main/HUD/Score",
]


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_initialize_reports_this_server_and_tools(editor, mode):
    async with Client(editor.url, mode=mode) as client:
        info = client.server_info
        tools = await client.list_tools()
    names = [tool.name for tool in tools.tools]
    assert names[:3] == ["session_activate", "session_manage", "editor_state"]
    assert len(names) == 46, "godot-ai 3.2.5's 46 tools"
    assert {"editor_state", "scene_get_hierarchy", "node_get_properties"} <= set(names)
    assert info is not None and info.name == "godot-ai-native"


async def test_tool_schemas_match_godot_ai(editor):
    async with Client(editor.url) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    hierarchy = tools["scene_get_hierarchy"].input_schema
    assert hierarchy["additionalProperties"] is False
    assert {name: prop["default"] for name, prop in hierarchy["properties"].items()} == {
        "depth": 10, "offset": 0, "limit": 100, "session_id": ""}
    properties = tools["node_get_properties"].input_schema
    assert properties["required"] == ["path"]


async def test_editor_state_reports_the_running_editor(editor):
    async with Client(editor.url) as client:
        state = structured(await client.call_tool("editor_state", {}))
    assert state["godot_version"].startswith("4.6")
    assert state["project_name"] == "Godot AI Native Test Project"
    assert state["current_scene"] == "res://main.tscn"
    assert state["is_playing"] is False
    assert state["readiness"] == "ready"
    assert list(state) == ["godot_version", "project_name", "current_scene", "is_playing",
                           "readiness", "game_capture_ready", "game_status"]
    assert state["game_capture_ready"] is False
    assert state["game_status"] == {"status": "stopped", "helper_live": False, "session_active": False}


async def test_scene_hierarchy_lists_the_nodes_of_main_tscn(editor):
    async with Client(editor.url) as client:
        tree = structured(await client.call_tool("scene_get_hierarchy", {}))
    assert [node["path"] for node in tree["nodes"]] == MAIN_TSCN_PATHS
    by_path = {node["path"]: node for node in tree["nodes"]}
    assert by_path["/Main"] == {"name": "Main", "type": "Node3D", "path": "/Main", "children_count": 4}
    assert by_path["/Main/World/Ground"]["type"] == "MeshInstance3D"
    assert by_path["/Main/HUD/Score"]["type"] == "Label"
    assert tree["total_count"] == 7 and tree["has_more"] is False and tree["root"] == ""


async def test_scene_hierarchy_pages_and_limits_depth(editor):
    async with Client(editor.url) as client:
        page = structured(await client.call_tool("scene_get_hierarchy", {"offset": 2, "limit": 2}))
        shallow = structured(await client.call_tool("scene_get_hierarchy", {"depth": 1}))
    assert [node["path"] for node in page["nodes"]] == MAIN_TSCN_PATHS[2:4]
    assert (page["total_count"], page["offset"], page["limit"], page["has_more"]) == (7, 2, 2, True)
    assert [node["path"] for node in shallow["nodes"]] == [
        "/Main", "/Main/Camera3D", "/Main/Sun", "/Main/World", "/Main/HUD"]


async def test_node_properties_read_real_values(editor):
    async with Client(editor.url) as client:
        camera = structured(await client.call_tool("node_get_properties", {"path": "/Main/Camera3D"}))
        label = structured(await client.call_tool("node_get_properties", {"path": "HUD/Score"}))
        sun = structured(await client.call_tool("node_get_properties", {"path": "/root/Main/Sun"}))
    assert camera["path"] == "/Main/Camera3D" and camera["node_type"] == "Camera3D"
    values = {prop["name"]: prop for prop in camera["properties"]}
    assert camera["count"] == len(camera["properties"])
    assert values["fov"] == {"name": "fov", "type": "float", "value": 70.0}
    assert values["position"] == {"name": "position", "type": "Vector3",
                                  "value": {"x": 0.0, "y": 2.0, "z": 6.0}}
    assert "transform" not in values  # not an editor-visible property of Node3D
    assert "mesh" not in values  # null objects are left out, like godot-ai

    label_values = {prop["name"]: prop["value"] for prop in label["properties"]}
    assert label["path"] == "HUD/Score"  # echoed as given
    assert label_values["text"] == "Score: 0"

    sun_values = {prop["name"]: prop["value"] for prop in sun["properties"]}
    color = sun_values["light_color"]
    assert (color["r"], color["a"]) == (1.0, 1.0) and abs(color["g"] - 0.9) < 1e-6


async def test_unknown_node_is_node_not_found_with_a_suggestion(editor):
    async with Client(editor.url) as client:
        result = await client.call_tool("node_get_properties", {"path": "/Main/Camra3D"})
    assert result.is_error
    text = result.content[0].text
    assert text.startswith("NODE_NOT_FOUND: Node not found: /Main/Camra3D.")
    assert 'Did you mean "/Main/Camera3D"?' in text
    error = result.structured_content["error"]
    assert error["code"] == "NODE_NOT_FOUND"
    assert error["data"]["suggestions"][0] == "/Main/Camera3D"


async def test_bad_arguments_are_clear_tool_errors(editor):
    async with Client(editor.url) as client:
        missing = await client.call_tool("node_get_properties", {})
        mistyped = await client.call_tool("scene_get_hierarchy", {"depth": "deep"})
        bad_op = await client.call_tool("editor_manage", {"op": "stat"})
    assert missing.is_error and missing.content[0].text.startswith(
        "MISSING_REQUIRED_PARAM: Missing required param 'path'")
    assert mistyped.is_error and mistyped.content[0].text.startswith(
        "INVALID_PARAMS: Argument 'depth' of scene_get_hierarchy must be an integer, got string")
    assert bad_op.is_error and "Did you mean 'state'?" in bad_op.content[0].text


async def test_editor_manage_state_matches_editor_state(editor):
    async with Client(editor.url) as client:
        via_manage = structured(await client.call_tool("editor_manage", {"op": "state"}))
        direct = structured(await client.call_tool("editor_state", {}))
    assert via_manage == direct


async def test_unknown_tool_is_an_error_not_a_hang(editor):
    async with Client(editor.url) as client:
        with pytest.raises(Exception) as raised:
            await client.call_tool("no_such_tool", {})
    assert "no_such_tool" in str(raised.value)
