"""Themes through the MCP endpoint (theme_manage): a theme file created, its colours,
constants, font sizes and flat styleboxes set (each saved at once), applied to a Control;
checked in the theme file, the saved scene and a fresh editor; each change is also undone (a
failed batch rolls it back through the editor's undo history, which saves the file again)."""

from __future__ import annotations

import pytest

from conftest import call_error, call_ok, editor_with_main_scene, node_properties, rolled_back
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio

THEME = "res://ui/hud_theme.tres"


async def op(client, name, params=None) -> dict:
    return await call_ok(client, "theme_manage", {"op": name, "params": params or {}})


async def op_error(client, name, params=None) -> str:
    return await call_error(client, "theme_manage", {"op": name, "params": params or {}})


async def test_a_theme_is_created_styled_applied_saved_and_undone():
    project = make_project("themes")
    editor = await editor_with_main_scene(project, "themes")
    theme_file = project / "ui" / "hud_theme.tres"
    try:
        async with Client(editor.url) as client:
            created = await op(client, "create", {"path": THEME})
            assert created["overwritten"] is False and created["undoable"] is False
            assert theme_file.read_text().startswith('[gd_resource type="Theme"')
            assert "already exists at res://ui/hud_theme.tres" in await op_error(
                client, "create", {"path": THEME})

            color = await op(client, "set_color", {"theme_path": THEME, "class_name": "Label",
                                                   "name": "font_color", "value": "#ffcc00"})
            assert color == {"path": THEME, "kind": "color", "class_name": "Label",
                             "name": "font_color",
                             "value": {"r": 1.0, "g": 0.8, "b": 0.0, "a": 1.0},
                             "previous_value": None, "undoable": True}
            constant = await op(client, "set_constant", {
                "theme_path": THEME, "class_name": "VBoxContainer", "name": "separation",
                "value": 8})
            assert constant["value"] == 8 and constant["previous_value"] is None
            size = await op(client, "set_font_size", {"theme_path": THEME, "class_name": "Label",
                                                      "name": "font_size", "value": 24})
            assert size["value"] == 24
            panel = await op(client, "set_stylebox_flat", {
                "theme_path": THEME, "class_name": "PanelContainer", "name": "panel",
                "bg_color": "#202830", "border_color": "white",
                "border": {"all": 2, "top": 4}, "corners": {"all": 6},
                "margins": {"all": 8}, "shadow": {"size": 3, "offset_y": 2}})
            assert panel["stylebox_class"] == "StyleBoxFlat"
            assert panel["border"] == {"top": 4, "bottom": 2, "left": 2, "right": 2}
            assert panel["corners"] == {"top_left": 6, "top_right": 6, "bottom_left": 6,
                                        "bottom_right": 6}
            assert panel["margins"] == {"top": 8.0, "bottom": 8.0, "left": 8.0, "right": 8.0}
            text = theme_file.read_text()
            assert "Label/colors/font_color = Color(1, 0.8, 0, 1)" in text
            assert "VBoxContainer/constants/separation = 8" in text
            assert "Label/font_sizes/font_size = 24" in text
            assert "PanelContainer/styles/panel = SubResource(" in text
            assert "border_width_top = 4" in text and "corner_radius_top_left = 6" in text
            assert "shadow_offset = Vector2(0, 2)" in text

            applied = await op(client, "apply", {"node_path": "/Main/HUD/Score",
                                                 "theme_path": THEME})
            assert applied == {"node_path": "/Main/HUD/Score", "theme_path": THEME,
                               "cleared": False, "undoable": True}

            # Undo, through a batch that fails after it: the file is saved back as it was.
            changed = await rolled_back(client, "theme_set_color", {
                "theme_path": THEME, "class_name": "Label", "name": "font_color",
                "value": "#00ff00"})
            assert changed["previous_value"] == {"r": 1.0, "g": 0.8, "b": 0.0, "a": 1.0}
            await rolled_back(client, "theme_set_stylebox_flat", {
                "theme_path": THEME, "class_name": "Button", "name": "normal",
                "bg_color": "red"})
            await rolled_back(client, "theme_set_font_size", {
                "theme_path": THEME, "class_name": "Label", "name": "font_size", "value": 40})
            await rolled_back(client, "apply_theme", {"node_path": "/Main/HUD/Score"})
            assert theme_file.read_text() == text
            assert (await node_properties(client, "/Main/HUD/Score"))["theme"] == THEME

            assert "Unknown key in 'border': topp (valid: all, top, bottom, left, right)" in \
                await op_error(client, "set_stylebox_flat", {
                    "theme_path": THEME, "class_name": "Panel", "name": "panel",
                    "border": {"topp": 1}})
            assert "Invalid color value: \"rgb(1,2,3)\"" in await op_error(
                client, "set_color", {"theme_path": THEME, "class_name": "Label",
                                      "name": "font_color", "value": "rgb(1,2,3)"})
            assert "Invalid constant value: expected an integer" in await op_error(
                client, "set_constant", {"theme_path": THEME, "class_name": "Label",
                                         "name": "outline_size", "value": 1.5})
            assert "theme_path must end with .tres (got res://ui/x.res)" in await op_error(
                client, "set_color", {"theme_path": "res://ui/x.res", "class_name": "Label",
                                      "name": "font_color", "value": "red"})
            assert "Theme not found: res://ui/none.tres" in await op_error(
                client, "apply", {"node_path": "/Main/HUD/Score",
                                  "theme_path": "res://ui/none.tres"})
            assert "Node /Main/HUD is not a Control or Window (got CanvasLayer)" in \
                await op_error(client, "apply", {"node_path": "/Main/HUD", "theme_path": THEME})
            assert theme_file.read_text() == text
            await client.call_tool("scene_save", {})
        scene = (project / "main.tscn").read_text()
        assert 'path="res://ui/hud_theme.tres"' in scene and "theme = ExtResource(" in scene
    finally:
        editor.kill()

    again = await editor_with_main_scene(project, "themes_reopened")
    try:
        async with Client(again.url) as client:
            assert (await node_properties(client, "/Main/HUD/Score"))["theme"] == THEME
            overwrite = await op(client, "create", {"path": THEME, "overwrite": True})
            assert overwrite["overwritten"] is True
            assert "font_color" not in theme_file.read_text()
    finally:
        again.kill()
