"""Editing a scene through the MCP endpoint, the way an agent would: create nodes, set typed
properties, rename, group, delete, save; then reopen the saved scene in a fresh editor and
check that everything is there."""

from __future__ import annotations

import pytest

from conftest import editor_with_main_scene, structured
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio


async def call(client, tool, arguments):
    return structured(await client.call_tool(tool, arguments))


async def properties(client, path) -> dict:
    listing = await call(client, "node_get_properties", {"path": path})
    return {prop["name"]: prop["value"] for prop in listing["properties"]}


async def test_an_agent_builds_edits_saves_and_reopens_a_scene():
    project = make_project("editing")
    editor = await editor_with_main_scene(project, "editing_1")
    try:
        async with Client(editor.url) as client:
            enemies = await call(client, "node_create", {"type": "Node2D", "name": "Enemies"})
            assert enemies == {"name": "Enemies", "type": "Node2D", "path": "/Main/Enemies",
                               "parent_path": "/Main", "undoable": True}
            boss = await call(client, "node_create", {"type": "Sprite2D", "name": "Boss",
                                                      "parent_path": "/Main/Enemies"})
            assert boss["path"] == "/Main/Enemies/Boss"

            moved = await call(client, "node_set_property", {
                "path": "/Main/Enemies/Boss", "property": "position", "value": {"x": 10, "y": 20}})
            assert moved["value"] == {"x": 10.0, "y": 20.0}
            assert moved["old_value"] == {"x": 0.0, "y": 0.0} and moved["undoable"] is True
            tinted = await call(client, "node_set_property", {
                "path": "/Main/Enemies/Boss", "property": "modulate", "value": "#ff000080"})
            assert tinted["value"]["r"] == 1.0 and abs(tinted["value"]["a"] - 128 / 255) < 1e-3
            centered = await call(client, "node_set_property", {
                "path": "/Main/HUD/Score", "property": "horizontal_alignment", "value": "center"})
            assert centered["value"] == 1, "enums are accepted by name"
            scaled = await call(client, "node_set_property", {
                "path": "/Main/Camera3D", "property": "position", "value": [1, 2, 3]})
            assert scaled["value"] == {"x": 1.0, "y": 2.0, "z": 3.0}

            renamed = await call(client, "node_manage", {
                "op": "rename", "params": {"path": "/Main/Enemies/Boss", "new_name": "BigBoss"}})
            assert renamed["path"] == "/Main/Enemies/BigBoss" and renamed["old_name"] == "Boss"
            await call(client, "node_manage", {
                "op": "add_to_group", "params": {"path": "/Main/Enemies/BigBoss", "group": "bosses"}})
            groups = await call(client, "node_manage", {
                "op": "get_groups", "params": {"path": "/Main/Enemies/BigBoss"}})
            assert groups["groups"] == ["bosses"]
            children = await call(client, "node_manage", {
                "op": "get_children", "params": {"path": "/Main/Enemies"}})
            assert [child["path"] for child in children["children"]] == ["/Main/Enemies/BigBoss"]
            deleted = await call(client, "node_manage", {"op": "delete", "params": {"path": "/Main/Sun"}})
            assert deleted == {"path": "/Main/Sun", "undoable": True}

            saved = await call(client, "scene_save", {})
            assert saved["path"] == "res://main.tscn" and saved["undoable"] is False
        text = (project / "main.tscn").read_text()
        assert 'name="BigBoss"' in text and 'groups=["bosses"]' in text and 'name="Sun"' not in text

        editor.kill()
        editor = await editor_with_main_scene(project, "editing_2")
        async with Client(editor.url) as client:
            tree = await call(client, "scene_get_hierarchy", {})
            paths = [node["path"] for node in tree["nodes"]]
            assert "/Main/Enemies/BigBoss" in paths and "/Main/Sun" not in paths
            boss_props = await properties(client, "/Main/Enemies/BigBoss")
            assert boss_props["position"] == {"x": 10.0, "y": 20.0}
            label_props = await properties(client, "/Main/HUD/Score")
            assert label_props["horizontal_alignment"] == 1
    finally:
        editor.kill()


async def test_edit_errors_tell_the_agent_what_to_do(editor):
    async with Client(editor.url) as client:
        typo = await client.call_tool("node_set_property", {
            "path": "/Main/Camera3D", "property": "fovv", "value": 80})
        bad_vector = await client.call_tool("node_set_property", {
            "path": "/Main/Camera3D", "property": "position", "value": "up"})
        bad_enum = await client.call_tool("node_set_property", {
            "path": "/Main/HUD/Score", "property": "horizontal_alignment", "value": "middle"})
        unknown_class = await client.call_tool("node_create", {"type": "Spriet2D"})
        abstract_class = await client.call_tool("node_create", {"type": "CanvasItem"})
        root_delete = await client.call_tool("node_manage", {"op": "delete", "params": {"path": "/Main"}})
        wrong_scene = await client.call_tool("node_create", {
            "type": "Node", "scene_file": "res://other.tscn"})
        no_parent = await client.call_tool("node_manage", {"op": "reparent", "params": {"path": "/Main/Sun"}})
    assert typo.is_error and typo.content[0].text.startswith(
        "PROPERTY_NOT_ON_CLASS: Property 'fovv' not found on Camera3D. Did you mean: fov")
    assert bad_vector.is_error and bad_vector.content[0].text.startswith("WRONG_TYPE: Cannot use")
    assert bad_enum.is_error and bad_enum.content[0].text.startswith(
        "VALUE_OUT_OF_RANGE: 'middle' is not one of: Left, Center, Right, Fill")
    assert unknown_class.content[0].text == "VALUE_OUT_OF_RANGE: Unknown node type: Spriet2D"
    # The caller's mistake, said as one (it was INTERNAL_ERROR), with classes that do work.
    abstract = abstract_class.content[0].text
    assert abstract.startswith("INVALID_PARAMS: CanvasItem is abstract and cannot be created: "
                               "use one of its subclasses, such as "), abstract
    assert "such as Control, Node2D" in abstract, abstract
    assert root_delete.content[0].text == "INVALID_PARAMS: Cannot delete the scene root"
    assert wrong_scene.content[0].text.startswith(
        'EDITED_SCENE_MISMATCH: Expected edited scene "res://other.tscn" but "res://main.tscn" is active.')
    assert no_parent.content[0].text == "MISSING_REQUIRED_PARAM: Missing required param: new_parent"


async def test_paths_cannot_leave_the_scene_or_the_project(editor):
    """Node paths stay in the edited scene, file paths in the project (not its .godot/), loaded
    resources under res://; refusals say why and change nothing."""
    async with Client(editor.url) as client:
        async def error(tool, arguments):
            result = await client.call_tool(tool, arguments)
            assert result.is_error, result
            return result.content[0].text

        for path in ["..", "../..", "/Main/..", "World/../../.."]:
            text = await error("node_get_properties", {"path": path})
            assert text.startswith(f"NODE_NOT_FOUND: Node not found: {path}."), text
        assert (await error("node_manage", {"op": "delete", "params": {"path": ".."}})).startswith(
            "NODE_NOT_FOUND")
        sessions = await error("filesystem_manage", {"op": "read_text", "params": {
            "path": "res://.godot/godot_ai_native/mcp_sessions.json"}})
        assert sessions.startswith("INVALID_PARAMS: Path must not be inside res://.godot/")
        outside = await error("scene_open", {"path": "/etc/hostname"})
        assert outside.startswith("INVALID_PARAMS: Path must start with res://")
        not_a_scene = await error("scene_open", {"path": "res://project.godot"})
        assert not_a_scene.startswith(("WRONG_TYPE", "RESOURCE_NOT_FOUND")), not_a_scene
        itself = await error("node_create", {"scene_path": "res://main.tscn"})
        assert itself.startswith("INVALID_PARAMS: Cannot instance res://main.tscn into res://main.tscn")
        number_as_mesh = await error("node_set_property", {
            "path": "/Main/World/Ground", "property": "mesh", "value": 3})
        assert number_as_mesh.startswith("WRONG_TYPE: Cannot use number for an object property")
        flag = await error("batch_execute", {"commands": [{"command": "get_editor_state"}],
                                             "undo": "no"})
        assert flag.startswith("INVALID_PARAMS: Argument 'undo' of batch_execute must be a boolean")
        tree = await client.call_tool("scene_get_hierarchy", {})
        assert [n["path"] for n in tree.structured_content["nodes"]][:2] == ["/Main", "/Main/Camera3D"]
