"""UI through the MCP endpoint (ui_manage with theme_manage): a themed HUD built from one
layout (a panel anchored top-left with a label and a progress bar, a theme with a flat
stylebox and a font size), its text and anchors changed; checked in the editor, the saved
scene and a fresh editor; each change is also undone (a failed batch rolls it back through the
editor's undo history)."""

from __future__ import annotations

import json

import pytest

from conftest import (call_error, call_ok, editor_with_main_scene, node_properties, rolled_back,
                      structured)
from editor_harness import ADDON, Client, make_project

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


MINIMAP_OPS = [
    {"draw": "rect", "rect": [0, 0, 120, 80], "color": "#10141c"},
    {"draw": "rect", "rect": {"x": 2, "y": 2, "w": 116, "h": 76}, "color": "white",
     "filled": False, "width": 2},
    {"draw": "line", "from": [10, 70], "to": {"x": 110, "y": 10}, "color": "#ff0000",
     "width": 3, "antialiased": True},
    {"draw": "circle", "center": [60, 40], "radius": 6, "color": {"r": 0, "g": 1, "b": 0}},
    {"draw": "arc", "center": [60, 40], "radius": 20, "start_angle": 0, "end_angle": 3.14,
     "color": "yellow"},
    {"draw": "polygon", "points": [[5, 5], [25, 5], [15, 20]],
     "colors": ["red", "green", "blue"]},
    {"draw": "polyline", "points": [[0, 0], [30, 30], [60, 0]],
     "colors": ["red", "green", "blue"], "width": 2},
    {"draw": "string", "position": [4, 78], "text": "N", "color": "white", "font_size": 12},
]


async def test_a_drawing_recipe_is_stored_on_a_control_saved_drawn_and_undone():
    project = make_project("ui_draw")
    editor = await editor_with_main_scene(project, "ui_draw")
    try:
        async with Client(editor.url) as client:
            await call_ok(client, "node_create", {"type": "Control", "name": "Minimap",
                                                  "parent_path": "/Main/HUD"})
            drawn = await ui(client, "draw_recipe", {"path": "/Main/HUD/Minimap",
                                                     "ops": MINIMAP_OPS})
            assert drawn == {"path": "/Main/HUD/Minimap", "ops_count": 8,
                             "script_attached": True, "script_replaced": False,
                             "undoable": True}
            again = await ui(client, "draw_recipe", {"path": "/Main/HUD/Minimap",
                                                     "ops": MINIMAP_OPS[:2]})
            assert (again["ops_count"], again["script_attached"]) == (2, False)
            await rolled_back(client, "control_draw_recipe", {
                "path": "/Main/HUD/Minimap", "ops": MINIMAP_OPS[:1]})
            for ops, expected in [
                ([{"draw": "hexagon"}], "VALUE_OUT_OF_RANGE: ops[0]: unknown draw type 'hexagon'"),
                ([MINIMAP_OPS[0], {"draw": "line", "from": [0, 0], "color": "red"}],
                 "INVALID_PARAMS: ops[1] (line): missing 'to'"),
                ([{"draw": "circle", "center": [0, 0], "radius": 3, "color": "#12345"}],
                 "VALUE_OUT_OF_RANGE: ops[0] (circle): invalid 'color'"),
                ([{"draw": "polygon", "points": [[0, 0], [1, 1]], "color": "red"}],
                 "INVALID_PARAMS: ops[0] (polygon): needs at least 3 points, got 2"),
                ([{"draw": "polyline", "points": [[0, 0], [1, 1]], "colors": ["red"]}],
                 "INVALID_PARAMS: ops[0] (polyline): 'colors' has 1 entries for 2 points"),
                ([{"color": "red"}], "MISSING_REQUIRED_PARAM: ops[0]: missing 'draw' field"),
                ([{"draw": "rect", "rect": [1, 2], "color": "red"}],
                 "VALUE_OUT_OF_RANGE: ops[0] (rect): invalid 'rect'"),
            ]:
                error = await ui_error(client, "draw_recipe", {"path": "/Main/HUD/Minimap",
                                                               "ops": ops})
                assert error.startswith(expected), error
            assert "is not a Control (got Node3D)" in await ui_error(
                client, "draw_recipe", {"path": "/Main/World", "ops": []})

            # A Control with a script of its own keeps it unless told to replace it.
            (project / "ui").mkdir(exist_ok=True)
            (project / "ui" / "own.gd").write_text("extends Control\n")
            await call_ok(client, "filesystem_manage", {"op": "scan"})
            await call_ok(client, "node_create", {"type": "Control", "name": "Own",
                                                  "parent_path": "/Main/HUD"})
            await call_ok(client, "node_set_property", {"path": "/Main/HUD/Own",
                                                        "property": "script",
                                                        "value": "res://ui/own.gd"})
            kept = await ui_error(client, "draw_recipe", {"path": "/Main/HUD/Own",
                                                          "ops": [], "clear_existing": False})
            assert kept.startswith("INVALID_PARAMS: Node /Main/HUD/Own already has a script")
            replaced = await ui(client, "draw_recipe", {"path": "/Main/HUD/Own", "ops": []})
            assert (replaced["script_attached"], replaced["script_replaced"]) == (False, True)

            await ui(client, "draw_recipe", {"path": "/Main/HUD/Minimap", "ops": MINIMAP_OPS})
            await client.call_tool("scene_save", {})
        scene = (project / "main.tscn").read_text()
        # The script is named by the UID the addon ships, the same in every project.
        shipped_uid = (ADDON / "runtime" / "draw_recipe.gd.uid").read_text().strip()
        assert (f'uid="{shipped_uid}" path="res://addons/godot_ai_native/runtime/'
                'draw_recipe.gd"') in scene
        minimap = scene[scene.index('[node name="Minimap"'):]
        assert "metadata/_ops = [{" in minimap
        assert '"draw": "polygon"' in minimap and "PackedVector2Array(5, 5, 25, 5, 15, 20)" in minimap
        assert '"text": "N"' in minimap
    finally:
        editor.kill()

    reopened = await editor_with_main_scene(project, "ui_draw_reopened")
    try:
        async with Client(reopened.url) as client:
            minimap = await node_properties(client, "/Main/HUD/Minimap")
            assert minimap["script"] == "res://addons/godot_ai_native/runtime/draw_recipe.gd"
            # The recipe draws without a script error (the Control is in the tree, so the
            # editor draws it).
            logs = await call_ok(client, "logs_read", {"source": "editor", "count": 500})
            errors = [line["text"] for line in logs["lines"] if "draw_recipe.gd" in
                      json.dumps(line)]
            assert errors == [], errors
    finally:
        reopened.kill()
