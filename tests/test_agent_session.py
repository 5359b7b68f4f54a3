"""The flow a user asks an agent for, scripted: build a small scene from nothing (root, a few
children, a script attached, properties set), save it, then reopen it in a fresh editor and
verify it, all through the MCP endpoint."""

from __future__ import annotations

import pytest

from conftest import editor_with_main_scene, structured
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio

PLAYER_SCRIPT = """extends CharacterBody2D

@export var speed := 240.0

func _physics_process(_delta: float) -> void:
\tvelocity = Input.get_vector("ui_left", "ui_right", "ui_up", "ui_down") * speed
\tmove_and_slide()
"""


async def call(client, tool, arguments):
    """One call, as an agent makes it: no retry, and it must succeed."""
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, f"{tool}: {result.content[0].text}"
    return structured(result)


async def test_an_agent_builds_a_level_saves_it_and_finds_it_intact_after_a_restart():
    project = make_project("agent_session")
    editor = await editor_with_main_scene(project, "agent_session_1")
    try:
        async with Client(editor.url) as client:
            await call(client, "scene_manage", {"op": "create", "params": {
                "path": "res://levels/arena.tscn", "root_type": "Node2D", "root_name": "Arena"}})
            await call(client, "node_create", {"type": "CharacterBody2D", "name": "Player"})
            await call(client, "node_create", {"type": "Sprite2D", "name": "Body", "parent_path": "/Arena/Player"})
            await call(client, "node_create", {"type": "CollisionShape2D", "name": "Hitbox",
                                                "parent_path": "/Arena/Player"})
            await call(client, "node_create", {"type": "Camera2D", "name": "Camera", "parent_path": "/Arena/Player"})
            await call(client, "node_create", {"type": "Node2D", "name": "Walls"})
            await call(client, "node_set_property", {"path": "/Arena/Player", "property": "position",
                                                     "value": {"x": 320, "y": 180}})
            await call(client, "node_set_property", {"path": "/Arena/Player/Body", "property": "modulate",
                                                     "value": "#33cc66"})
            await call(client, "node_set_property", {"path": "/Arena/Player/Camera", "property": "zoom",
                                                     "value": [2, 2]})
            await call(client, "node_set_property", {"path": "/Arena/Player/Hitbox", "property": "shape",
                                                     "value": {"__class__": "CircleShape2D", "radius": 12}})
            await call(client, "script_create", {"path": "res://levels/player.gd", "content": PLAYER_SCRIPT})
            await call(client, "script_attach", {"path": "/Arena/Player", "script_path": "res://levels/player.gd"})
            await call(client, "node_manage", {"op": "add_to_group", "params": {
                "path": "/Arena/Player", "group": "players"}})
            saved = await call(client, "scene_save", {})
            assert saved["path"] == "res://levels/arena.tscn"
            await call(client, "project_manage", {"op": "settings_set", "params": {
                "key": "application/run/main_scene", "value": "res://levels/arena.tscn"}})
        editor.kill()

        editor = await editor_with_main_scene(project, "agent_session_2")
        async with Client(editor.url) as client:
            # The next call already sees the opened scene: an agent does not wait for it.
            await call(client, "scene_open", {"path": "res://levels/arena.tscn"})
            tree = await call(client, "scene_get_hierarchy", {})
            assert [(n["path"], n["type"]) for n in tree["nodes"]] == [
                ("/Arena", "Node2D"),
                ("/Arena/Player", "CharacterBody2D"),
                ("/Arena/Player/Body", "Sprite2D"),
                ("/Arena/Player/Hitbox", "CollisionShape2D"),
                ("/Arena/Player/Camera", "Camera2D"),
                ("/Arena/Walls", "Node2D"),
            ]

            async def props(path):
                listing = await call(client, "node_get_properties", {"path": path})
                return {p["name"]: p["value"] for p in listing["properties"]}

            player = await props("/Arena/Player")
            assert player["position"] == {"x": 320.0, "y": 180.0}
            assert player["script"] == "res://levels/player.gd" and player["speed"] == 240.0
            body = await props("/Arena/Player/Body")
            assert body["modulate"] == pytest.approx({"r": 0.2, "g": 0.8, "b": 0.4, "a": 1.0}, abs=1e-3)
            assert (await props("/Arena/Player/Camera"))["zoom"] == {"x": 2.0, "y": 2.0}
            hitbox = await call(client, "node_get_properties", {"path": "/Arena/Player/Hitbox"})
            shape = next(p for p in hitbox["properties"] if p["name"] == "shape")
            assert "CircleShape2D" in shape["value"]
            groups = await call(client, "node_manage", {"op": "get_groups", "params": {"path": "/Arena/Player"}})
            assert groups["groups"] == ["players"]
            main = await call(client, "project_manage", {"op": "settings_get", "params": {
                "key": "application/run/main_scene"}})
            assert main["value"] == "res://levels/arena.tscn"
    finally:
        editor.kill()
