"""The class reference through the MCP endpoint (api_manage get_class, godot://class/{name}),
answered from the running editor's ClassDB: a built-in class, a class a GDExtension adds (this
plugin's own), a script's class_name (pointed to its script), and a typo (with suggestions)."""

from __future__ import annotations

import json

import pytest

from conftest import call_error, call_ok, editor_with_main_scene
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio

ENEMY = """class_name Enemy
extends CharacterBody2D

@export var health := 3
"""


async def get_class(client, params) -> dict:
    return await call_ok(client, "api_manage", {"op": "get_class", "params": params})


async def test_classes_come_from_the_running_editors_classdb():
    project = make_project("class_api")
    (project / "enemy.gd").write_text(ENEMY)
    editor = await editor_with_main_scene(project, "class_api")
    try:
        async with Client(editor.url) as client:
            node3d = await get_class(client, {"class_name": "Node3D"})
            assert node3d["inheritance_chain"] == ["Node3D", "Node", "Object"]
            assert node3d["parent_class"] == "Node" and node3d["can_instantiate"] is True
            assert node3d["engine_version"].startswith("4.6")
            position = next(p for p in node3d["properties"] if p["name"] == "position")
            assert position["type"] == "Vector3"
            assert position["default"] == {"x": 0.0, "y": 0.0, "z": 0.0}
            assert node3d["property_count"] == node3d["property_returned_count"] > 5
            assert "methods" not in node3d

            paged = await get_class(client, {"class_name": "Node", "sections": ["methods"],
                                             "offset": 2, "limit": 3})
            assert paged["method_returned_count"] == 3 and paged["method_count"] > 20
            names = [m["name"] for m in paged["methods"]]
            assert names == sorted(names)
            add_child = (await get_class(client, {"class_name": "Node", "sections": "methods",
                                                  "limit": 0}))["methods"]
            add_child = next(m for m in add_child if m["name"] == "add_child")
            assert [a["name"] for a in add_child["arguments"]][:2] == ["node",
                                                                       "force_readable_name"]
            everything = await get_class(client, {"class_name": "BaseButton",
                                                  "sections": "all",
                                                  "include_inheritors": True})
            assert {"pressed", "toggled"} <= {s["name"] for s in everything["signals"]}
            action_mode = next(e for e in everything["enums"] if e["name"] == "ActionMode")
            assert action_mode["values"][0] == {"name": "ACTION_MODE_BUTTON_PRESS", "value": 0}
            assert "Button" in everything["inheritors"]
            assert "Button" in everything["concrete_inheritors"]

            # A class that a GDExtension adds: this plugin's own dock.
            dock = await get_class(client, {"class_name": "GodotAiDock"})
            assert dock["inheritance_chain"][1] == "ScrollContainer"

            script = await call_error(client, "api_manage", {"op": "get_class", "params": {
                "class_name": "Enemy"}})
            assert script.startswith("WRONG_TYPE: Enemy is a project script class")
            assert "res://enemy.gd" in script
            typo = await call_error(client, "api_manage", {"op": "get_class", "params": {
                "class_name": "CharacterBody"}})
            assert typo.startswith("VALUE_OUT_OF_RANGE: Unknown Godot class: CharacterBody. "
                                   "Did you mean: "), typo
            assert "CharacterBody3D" in typo and "CharacterBody2D" in typo
            assert "Unknown class-info section(s): method" in await call_error(
                client, "api_manage", {"op": "get_class", "params": {
                    "class_name": "Node", "sections": ["method"]}})

            resource = await client.read_resource("godot://class/Camera3D")
            body = json.loads(resource.contents[0].text)
            assert body["class_name"] == "Camera3D"
            assert {"properties", "methods", "signals", "enums", "constants"} <= set(body)
    finally:
        editor.kill()
