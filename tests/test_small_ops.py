"""The small ops and params godot-ai 3.2.5 added to existing tools, through the MCP endpoint:
project_manage set_main_scene, input_map_manage ensure_action / ensure_binding,
filesystem_manage scan, scene_open force_reload and node_get_properties fields; checked in
the editor and in project.godot."""

from __future__ import annotations

import pytest

from conftest import call_error, call_ok, editor_with_main_scene, node_properties
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio


async def manage(client, tool, op, params) -> dict:
    return await call_ok(client, tool, {"op": op, "params": params})


async def manage_error(client, tool, op, params) -> str:
    return await call_error(client, tool, {"op": op, "params": params})


async def test_main_scene_input_actions_scan_reload_and_fields():
    project = make_project("small_ops")
    editor = await editor_with_main_scene(project, "small_ops")
    settings = project / "project.godot"
    try:
        async with Client(editor.url) as client:
            # node_get_properties fields: only the asked ones, an empty slot shown as null.
            some = await call_ok(client, "node_get_properties", {
                "path": "/Main/World/Ground", "fields": ["position", "mesh", "nope"]})
            assert sorted(p["name"] for p in some["properties"]) == ["mesh", "position"]
            assert {p["name"]: p["value"] for p in some["properties"]}["mesh"] is None
            assert some["count"] == 2 and some["unknown_fields"] == ["nope"]
            everything = await call_ok(client, "node_get_properties",
                                       {"path": "/Main/World/Ground"})
            assert everything["count"] == everything["total_count"] == some["total_count"]
            assert everything["unknown_fields"] == []

            # scene_open force_reload drops the unsaved edit; without it the scene stays.
            await call_ok(client, "node_set_property", {"path": "/Main/World",
                                                        "property": "visible", "value": False})
            kept = await call_ok(client, "scene_open", {"path": "res://main.tscn"})
            assert kept["reloaded_from_disk"] is False
            assert (await node_properties(client, "/Main/World"))["visible"] is False
            reloaded = await call_ok(client, "scene_open", {"path": "res://main.tscn",
                                                            "force_reload": True})
            assert reloaded["reloaded_from_disk"] is True and reloaded["force_reload"] is True
            assert (await node_properties(client, "/Main/World"))["visible"] is True

            await manage(client, "scene_manage", "create", {"path": "res://levels/two.tscn",
                                                            "root_type": "Node2D"})
            main = await manage(client, "project_manage", "set_main_scene",
                                {"path": "res://levels/two.tscn"})
            assert main == {"key": "application/run/main_scene", "path": "res://levels/two.tscn",
                            "old_value": "res://main.tscn", "undoable": False,
                            "reason": "ProjectSettings changes are saved to disk"}
            assert 'run/main_scene="res://levels/two.tscn"' in settings.read_text()
            assert "Scene not found: res://nope.tscn" in await manage_error(
                client, "project_manage", "set_main_scene", {"path": "res://nope.tscn"})
            await manage(client, "material_manage", "create", {"path": "res://m.tres"})
            assert "path must be a PackedScene, got StandardMaterial3D" in await manage_error(
                client, "project_manage", "set_main_scene", {"path": "res://m.tres"})

            jump = await manage(client, "input_map_manage", "ensure_action",
                                {"action": "jump", "deadzone": 0.25})
            assert jump["created"] is True and jump["deadzone"] == 0.25
            again = await manage(client, "input_map_manage", "ensure_action",
                                 {"action": "jump", "deadzone": 0.9})
            assert again["already_exists"] is True and again["deadzone"] == 0.25
            bound = await manage(client, "input_map_manage", "ensure_binding", {
                "action": "jump", "event_type": "key", "keycode": "Space"})
            assert bound["already_bound"] is False and bound["action_created"] is False
            assert bound["event"]["keycode"] == "Space"
            twice = await manage(client, "input_map_manage", "ensure_binding", {
                "action": "jump", "event_type": "key", "keycode": "Space"})
            assert twice["already_bound"] is True
            assert twice["reason"] == "Input binding already exists"
            dash = await manage(client, "input_map_manage", "ensure_binding", {
                "action": "dash", "event_type": "mouse_button", "button": 2})
            assert dash["action_created"] is True
            assert "mouse_button needs button >= 1" in await manage_error(
                client, "input_map_manage", "ensure_binding",
                {"action": "never", "event_type": "mouse_button", "button": 0})
            assert "deadzone must be within 0..1 (got 2" in await manage_error(
                client, "input_map_manage", "ensure_action", {"action": "x", "deadzone": 2})
            actions = await manage(client, "input_map_manage", "list", {})
            names = [a["name"] for a in actions["actions"]]
            assert "jump" in names and "dash" in names and "never" not in names
            text = settings.read_text()
            assert "jump={" in text and "dash={" in text and "never=" not in text

            # A script written behind the editor's back: scan registers its class_name.
            (project / "enemy.gd").write_text("class_name Enemy\nextends Node2D\n")
            scanned = await manage(client, "filesystem_manage", "scan", {})
            assert scanned["scan_completed"] is True and scanned["undoable"] is False
            assert scanned["global_classes_registered_delta"] == 1
            assert "Enemy is a project script class" in await manage_error(
                client, "api_manage", "get_class", {"class_name": "Enemy"})
    finally:
        editor.kill()
