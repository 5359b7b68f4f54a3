"""Cameras through the MCP endpoint (camera_manage), checked in the editor, in the saved scene,
and in a fresh editor on the same project; each mutating op is also undone (a failed batch
rolls it back through the editor's undo history)."""

from __future__ import annotations

import pytest

from conftest import (call_error, call_ok, editor_with_main_scene, node_properties, rolled_back,
                      structured)
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio


async def op(client, name, params=None) -> dict:
    return await call_ok(client, "camera_manage", {"op": name, "params": params or {}})


async def op_error(client, name, params=None) -> str:
    return await call_error(client, "camera_manage", {"op": name, "params": params or {}})


def node_section(text: str, name: str) -> str:
    start = text.index(f'[node name="{name}"')
    end = text.find("\n[", start + 1)
    return text[start:] if end < 0 else text[start:end]


async def test_3d_cameras_are_created_configured_made_current_and_saved():
    project = make_project("cameras_3d")
    editor = await editor_with_main_scene(project, "cameras_3d")
    try:
        async with Client(editor.url) as client:
            listing = await op(client, "list")
            assert listing == {"cameras": [{"path": "/Main/Camera3D", "class": "Camera3D",
                                            "type": "3d", "current": False}]}
            created = await op(client, "create", {"type": "3d", "name": "Overview",
                                                  "parent_path": "/Main/World"})
            assert created == {"path": "/Main/World/Overview", "parent_path": "/Main/World",
                               "name": "Overview", "type": "3d", "class": "Camera3D",
                               "current": False, "undoable": True}

            preset = await op(client, "apply_preset", {"preset": "cinematic_3d",
                                                       "overrides": {"fov": 35, "zoom": 3}})
            assert preset["name"] == "Cinematic 3d" and preset["path"] == "/Main/Cinematic 3d"
            # 2D settings on a 3D camera are skipped, overrides win.
            assert preset["applied"] == ["fov", "near", "far", "projection"]
            assert preset["current"] is True and preset["undoable"] is True
            cinematic = await op(client, "get", {"camera_path": "/Main/Cinematic 3d"})
            assert cinematic["properties"]["fov"] == 35.0
            assert cinematic["properties"]["far"] == 500.0 and cinematic["current"] is True
            assert cinematic["resolved_via"] == "path"

            configured = await op(client, "configure", {
                "camera_path": "/Main/World/Overview",
                "properties": {"fov": 60, "projection": "orthogonal", "size": 12,
                               "keep_aspect": "keep_width", "current": True}})
            assert configured["applied"] == ["fov", "projection", "size", "keep_aspect", "current"]
            assert configured["values"] == {"fov": 60.0, "projection": 1, "size": 12.0,
                                            "keep_aspect": 0, "current": True}
            # One current 3D camera: making Overview current took it from the preset's.
            current = [c["path"] for c in (await op(client, "list"))["cameras"] if c["current"]]
            assert current == ["/Main/World/Overview"]
            fallback = await op(client, "get")
            assert fallback["path"] == "/Main/World/Overview"
            assert fallback["resolved_via"] == "current"

            # Undo, through a batch that fails after it: the settings and the switch go back.
            await rolled_back(client, "camera_configure", {
                "camera_path": "/Main/World/Overview",
                "properties": {"fov": 20, "current": False}})
            overview = await op(client, "get", {"camera_path": "/Main/World/Overview"})
            assert overview["properties"]["fov"] == 60.0 and overview["current"] is True
            await rolled_back(client, "camera_configure", {
                "camera_path": "/Main/Cinematic 3d", "properties": {"current": True}})
            current = [c["path"] for c in (await op(client, "list"))["cameras"] if c["current"]]
            assert current == ["/Main/World/Overview"]
            await rolled_back(client, "camera_create", {"type": "3d", "name": "Gone",
                                                         "make_current": True})
            await rolled_back(client, "camera_apply_preset", {"preset": "action_3d"})
            paths = [c["path"] for c in (await op(client, "list"))["cameras"]]
            assert paths == ["/Main/Camera3D", "/Main/World/Overview", "/Main/Cinematic 3d"]
            current = [c["path"] for c in (await op(client, "list"))["cameras"] if c["current"]]
            assert current == ["/Main/World/Overview"]

            # Errors name the problem and the way out.
            assert "not a camera (got Node3D)" in await op_error(
                client, "configure", {"camera_path": "/Main/World", "properties": {"fov": 1}})
            wrong_kind = await op_error(client, "configure", {
                "camera_path": "/Main/World/Overview", "properties": {"zoom": 2}})
            assert wrong_kind.startswith("INVALID_PARAMS: Property 'zoom' not valid for Camera3D")
            transform = await op_error(client, "configure", {
                "camera_path": "/Main/World/Overview", "properties": {"position": [0, 1, 2]}})
            assert "use node_set_property" in transform
            bad_enum = await op_error(client, "configure", {
                "camera_path": "/Main/World/Overview", "properties": {"projection": "fisheye"}})
            assert bad_enum.startswith("INVALID_PARAMS: Invalid projection value")
            assert "Unknown preset 'isometric'" in await op_error(
                client, "apply_preset", {"preset": "isometric"})
            assert "Invalid camera type '4d'" in await op_error(client, "create", {"type": "4d"})
            typo = await op_error(client, "create", {"nmae": "Typo"})
            assert typo.startswith("INVALID_PARAMS: camera_manage.create: unexpected param 'nmae'")
            assert "requires a Camera2D (got Camera3D)" in await op_error(
                client, "set_limits_2d", {"camera_path": "/Main/Camera3D", "left": 0})

            await client.call_tool("scene_save", {})
        text = (project / "main.tscn").read_text()
        overview = node_section(text, "Overview")
        assert 'type="Camera3D" parent="World"' in overview
        assert "projection = 1" in overview and "current = true" in overview
        assert "fov = 60.0" in overview and "size = 12.0" in overview
        cinematic = node_section(text, "Cinematic 3d")
        assert "fov = 35.0" in cinematic and "far = 500.0" in cinematic
        assert "current = true" not in cinematic
        assert 'name="Gone"' not in text and "Action 3d" not in text
    finally:
        editor.kill()

    again = await editor_with_main_scene(project, "cameras_3d_reopened")
    try:
        async with Client(again.url) as client:
            overview = await op(client, "get", {"camera_path": "/Main/World/Overview"})
            assert overview["current"] is True
            assert overview["properties"]["projection"] == 1
            assert overview["properties"]["size"] == 12.0
            assert (await op(client, "get"))["path"] == "/Main/World/Overview"
    finally:
        again.kill()


async def test_2d_cameras_follow_a_target_with_limits_and_damping():
    project = make_project("cameras_2d")
    editor = await editor_with_main_scene(project, "cameras_2d")
    try:
        async with Client(editor.url) as client:
            player = structured(await client.call_tool(
                "node_create", {"type": "CharacterBody2D", "name": "Player"}))
            assert player["path"] == "/Main/Player"
            preset = await op(client, "apply_preset", {"preset": "platformer_2d",
                                                       "name": "Follow"})
            assert preset["type"] == "2d" and preset["class"] == "Camera2D"
            assert preset["applied"][:2] == ["zoom", "anchor_mode"]
            follow = await op(client, "get", {"camera_path": "/Main/Follow"})
            assert follow["properties"]["zoom"] == {"x": 1.5, "y": 1.5}
            assert follow["properties"]["anchor_mode"] == 1
            assert follow["properties"]["position_smoothing_speed"] == 8.0
            assert follow["current"] is True

            followed = await op(client, "follow_2d", {"camera_path": "/Main/Follow",
                                                      "target_path": "/Main/Player",
                                                      "smoothing_speed": 6})
            assert followed == {"path": "/Main/Player/Follow", "target_path": "/Main/Player",
                                "reparented": True, "smoothing_speed": 6.0,
                                "zero_transform": True, "undoable": True}
            limits = await op(client, "set_limits_2d", {"camera_path": "/Main/Player/Follow",
                                                        "left": 0, "right": 3200,
                                                        "bottom": 720.0, "smoothed": True})
            assert limits["applied"] == ["limit_left", "limit_right", "limit_bottom",
                                         "limit_smoothed"]
            assert limits["values"]["limit_bottom"] == 720
            damping = await op(client, "set_damping_2d", {
                "camera_path": "/Main/Player/Follow", "position_speed": 0,
                "rotation_speed": 3, "drag_margins": {"left": 0.3, "top": 0.1}})
            assert damping["applied"] == ["position_smoothing_enabled",
                                          "rotation_smoothing_enabled",
                                          "rotation_smoothing_speed",
                                          "drag_left_margin", "drag_top_margin"]
            camera = await node_properties(client, "/Main/Player/Follow")
            assert camera["limit_right"] == 3200 and camera["limit_smoothed"] is True
            assert camera["position_smoothing_enabled"] is False
            assert camera["rotation_smoothing_speed"] == 3.0

            # Undo of follow puts the camera back where it was, with its old smoothing.
            structured(await client.call_tool("node_create", {"type": "Node2D",
                                                              "name": "Boss"}))
            moved = await rolled_back(client, "camera_follow_2d", {
                "camera_path": "/Main/Player/Follow", "target_path": "/Main/Boss"})
            assert moved["path"] == "/Main/Boss/Follow"
            assert (await op(client, "get", {"camera_path": "/Main/Player/Follow"}))[
                "properties"]["position_smoothing_enabled"] is False
            await rolled_back(client, "camera_set_limits_2d",
                              {"camera_path": "/Main/Player/Follow", "left": -50})
            assert (await node_properties(client, "/Main/Player/Follow"))["limit_left"] == 0

            assert "Camera cannot follow itself" in await op_error(client, "follow_2d", {
                "camera_path": "/Main/Player/Follow", "target_path": "/Main/Player/Follow"})
            assert "must be a Node2D (got Node3D)" in await op_error(client, "follow_2d", {
                "camera_path": "/Main/Player/Follow", "target_path": "/Main/World"})
            assert "drag_margins.left must be in [0, 1]" in await op_error(
                client, "set_damping_2d", {"camera_path": "/Main/Player/Follow",
                                           "drag_margins": {"left": 2}})
            assert "No limits specified" in await op_error(
                client, "set_limits_2d", {"camera_path": "/Main/Player/Follow"})

            await client.call_tool("scene_save", {})
        text = (project / "main.tscn").read_text()
        follow = node_section(text, "Follow")
        assert 'type="Camera2D" parent="Player"' in follow
        assert "zoom = Vector2(1.5, 1.5)" in follow and "limit_right = 3200" in follow
        assert "drag_left_margin = 0.3" in follow and "limit_smoothed = true" in follow
    finally:
        editor.kill()
