"""UI through the MCP endpoint (ui_manage with theme_manage): a themed HUD built from one
layout (a panel anchored top-left with a label and a progress bar, a theme with a flat
stylebox and a font size), its text and anchors changed; checked in the editor, the saved
scene and a fresh editor; each change is also undone (a failed batch rolls it back through the
editor's undo history)."""

from __future__ import annotations

import pytest
from mcp import Client

from conftest import (call_error, call_ok, editor_with_main_scene, node_properties, rolled_back,
                      structured)
from editor_harness import make_project

pytestmark = pytest.mark.anyio

THEME = "res://ui/hud.tres"
HUD = {"type": "PanelContainer", "name": "Panel", "anchor_preset": "top_left",
       "anchor_margin": 16, "theme": THEME,
       "children": [{"type": "VBoxContainer", "name": "Rows",
                     "properties": {"theme_override_constants/separation": 6},
                     "children": [
                         {"type": "Label", "name": "Health",
                          "properties": {"text": "Health", "modulate": "#ffcc00"}},
                         {"type": "ProgressBar", "name": "Bar",
                          "properties": {"value": 75, "custom_minimum_size": [160, 20],
                                         "show_percentage": False}}]}]}


async def ui(client, name, params) -> dict:
    return await call_ok(client, "ui_manage", {"op": name, "params": params})


async def ui_error(client, name, params) -> str:
    return await call_error(client, "ui_manage", {"op": name, "params": params})


async def theme(client, name, params) -> dict:
    return await call_ok(client, "theme_manage", {"op": name, "params": params})


async def scene_paths(client) -> list[str]:
    tree = structured(await client.call_tool("scene_get_hierarchy", {}))
    return [node["path"] for node in tree["nodes"]]


async def test_a_themed_hud_is_built_from_one_layout_edited_saved_and_undone():
    project = make_project("ui")
    editor = await editor_with_main_scene(project, "ui")
    try:
        async with Client(editor.url) as client:
            await theme(client, "create", {"path": THEME})
            await theme(client, "set_stylebox_flat", {
                "theme_path": THEME, "class_name": "PanelContainer", "name": "panel",
                "bg_color": "#1b2230", "corners": {"all": 8}, "margins": {"all": 12}})
            await theme(client, "set_font_size", {"theme_path": THEME, "class_name": "Label",
                                                  "name": "font_size", "value": 20})
            built = await ui(client, "build_layout", {"tree": HUD, "parent_path": "/Main/HUD"})
            assert built == {"root_path": "/Main/HUD/Panel", "node_count": 4, "undoable": True}
            paths = await scene_paths(client)
            assert {"/Main/HUD/Panel/Rows/Health", "/Main/HUD/Panel/Rows/Bar"} <= set(paths)
            panel = await node_properties(client, "/Main/HUD/Panel")
            assert panel["theme"] == THEME
            assert panel["position"] == {"x": 16.0, "y": 16.0}
            bar = await node_properties(client, "/Main/HUD/Panel/Rows/Bar")
            assert bar["value"] == 75.0 and bar["show_percentage"] is False
            assert bar["custom_minimum_size"] == {"x": 160.0, "y": 20.0}
            rows = await node_properties(client, "/Main/HUD/Panel/Rows")
            assert rows["theme_override_constants/separation"] == 6

            text = await ui(client, "set_text", {"path": "/Main/HUD/Panel/Rows/Health",
                                                 "text": "HP"})
            assert text == {"path": "/Main/HUD/Panel/Rows/Health", "text": "HP",
                            "old_text": "Health", "node_type": "Label", "undoable": True}
            anchored = await ui(client, "set_anchor_preset", {"path": "/Main/HUD/Score",
                                                              "preset": "top_right",
                                                              "margin": 8})
            assert anchored["anchors"] == {"left": 1.0, "top": 0.0, "right": 1.0, "bottom": 0.0}
            assert anchored["offsets"]["top"] == 8.0 and anchored["offsets"]["right"] == -8.0
            assert anchored["resize_mode"] == "minsize" and anchored["undoable"] is True
            placed = (await node_properties(client, "/Main/HUD/Score"))["position"]
            assert placed["y"] == 8.0

            # Undo, through a batch that fails after it.
            await rolled_back(client, "set_anchor_preset", {"path": "/Main/HUD/Score",
                                                            "preset": "full_rect"})
            assert (await node_properties(client, "/Main/HUD/Score"))["position"] == placed
            await rolled_back(client, "set_text", {"path": "/Main/HUD/Panel/Rows/Health",
                                                   "text": "gone"})
            await rolled_back(client, "build_layout", {"tree": {"type": "Label",
                                                                "name": "Gone"}})
            assert (await node_properties(client, "/Main/HUD/Panel/Rows/Health"))["text"] == "HP"
            assert "/Main/Gone" not in await scene_paths(client)

            # A bad entry deep in a layout names where it is, and nothing is added.
            before = await scene_paths(client)
            typo = await ui_error(client, "build_layout", {"tree": {
                "type": "Panel", "name": "Broken",
                "children": [{"type": "Label"}, {"type": "ProgressBar",
                                                 "properties": {"valu": 3}}]}})
            assert typo.startswith("PROPERTY_NOT_ON_CLASS: tree.children[1]: Property 'valu' "
                                   "not found on ProgressBar"), typo
            assert "Unknown type: Labell" in await ui_error(
                client, "build_layout", {"tree": {"type": "Labell"}})
            assert "tree.children[0]: anchor_preset requires a Control (got Node3D)" in \
                await ui_error(client, "build_layout", {"tree": {
                    "type": "Control", "children": [{"type": "Node3D",
                                                     "anchor_preset": "center"}]}})
            assert await scene_paths(client) == before
            assert "Node /Main/World is not a Control (got Node3D)" in await ui_error(
                client, "set_text", {"path": "/Main/World", "text": "x"})
            assert "Unknown preset 'middle'" in await ui_error(
                client, "set_anchor_preset", {"path": "/Main/HUD/Score", "preset": "middle"})
            canvas = await ui_error(client, "set_anchor_preset", {"path": "/Main/HUD",
                                                                  "preset": "center"})
            assert "is not a Control (got CanvasLayer)" in canvas
            await client.call_tool("scene_save", {})
        scene = (project / "main.tscn").read_text()
        assert '[node name="Panel" type="PanelContainer" parent="HUD"' in scene
        assert '[node name="Bar" type="ProgressBar" parent="HUD/Panel/Rows"' in scene
        assert "theme_override_constants/separation = 6" in scene
        assert 'text = "HP"' in scene and "value = 75.0" in scene
        assert 'path="res://ui/hud.tres"' in scene
        score = scene[scene.index('[node name="Score"'):]
        assert "anchor_left = 1.0" in score and "offset_top = 8.0" in score
        assert 'name="Gone"' not in scene and 'name="Broken"' not in scene
    finally:
        editor.kill()

    again = await editor_with_main_scene(project, "ui_reopened")
    try:
        async with Client(again.url) as client:
            assert (await node_properties(client, "/Main/HUD/Panel"))["theme"] == THEME
            assert (await node_properties(client, "/Main/HUD/Panel/Rows/Health"))["text"] == "HP"
            assert (await node_properties(client, "/Main/HUD/Panel/Rows/Bar"))["value"] == 75.0
            assert (await node_properties(client, "/Main/HUD/Score"))["position"] == placed
    finally:
        again.kill()
