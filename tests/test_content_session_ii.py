"""Content domains II in one scripted agent session (headless editor, the official client): an
agent writes a TileSet and a MeshLibrary, builds an arena scene from an empty one (a themed HUD
anchored top-left with a label and a progress bar, a drawn minimap, a TileMapLayer painted from
the TileSet, a GridMap filled from the MeshLibrary, a CSG box with a sphere carved out), asks
the class reference about a built-in class, its own class_name script and a typo, writes a test
suite and runs it (one pass, one failure with its line), saves, and a fresh editor on a copy of
the saved project finds every property and each domain's reading as built."""

from __future__ import annotations

import pytest

from agent_session import Agent, every_property
from conftest import call_error, call_ok, open_scene_ready
from editor_harness import Client, Editor, copy_project, free_port, make_project
from test_tiles_and_grids import MESH_LIBRARY, TILESET

pytestmark = pytest.mark.anyio

SCENE = "res://levels/arena.tscn"
THEME = "res://ui/arena.tres"

HUD = {"type": "PanelContainer", "name": "Panel", "anchor_preset": "top_left",
       "anchor_margin": 16, "theme": THEME,
       "children": [{"type": "VBoxContainer", "name": "Rows", "children": [
           {"type": "Label", "name": "Health", "properties": {"text": "Health"}},
           {"type": "ProgressBar", "name": "Bar",
            "properties": {"value": 60, "custom_minimum_size": [160, 18]}}]}]}

SPAWNER = """class_name ArenaSpawner
extends Node3D

@export var waves := 3
"""

SUITE = """@tool
extends McpTestSuite


func suite_name() -> String:
	return "arena"


func test_the_arena_has_its_floor() -> void:
	var root := EditorInterface.get_edited_scene_root()
	assert_eq(root.name, "Arena")
	assert_true(root.has_node("Floor"), "the arena has a floor")


func test_the_bar_starts_full() -> void:
	var bar := EditorInterface.get_edited_scene_root().get_node("HUD/Panel/Rows/Bar")
	assert_eq(bar.value, 100.0, "the health bar starts full")
"""


async def build_arena(agent: Agent) -> None:
    """The session, as an agent would make its calls."""
    await agent.op("filesystem_manage", "write_text", {"path": "res://tiles/arena.tres",
                                                       "content": TILESET})
    await agent.op("filesystem_manage", "write_text", {"path": "res://grid/blocks.tres",
                                                       "content": MESH_LIBRARY})
    await agent.op("filesystem_manage", "write_text", {"path": "res://arena/spawner.gd",
                                                       "content": SPAWNER})
    await agent.op("filesystem_manage", "scan", {})
    await agent.op("scene_manage", "create", {"path": SCENE, "root_type": "Node3D",
                                              "root_name": "Arena"})

    # The HUD: a theme with a flat panel and a font size, a layout, a minimap.
    await agent.op("theme_manage", "create", {"path": THEME})
    await agent.op("theme_manage", "set_stylebox_flat", {
        "theme_path": THEME, "class_name": "PanelContainer", "name": "panel",
        "bg_color": "#20283a", "corners": {"all": 6}, "margins": {"all": 10}})
    await agent.op("theme_manage", "set_font_size", {
        "theme_path": THEME, "class_name": "Label", "name": "font_size", "value": 18})
    await agent.call("node_create", {"type": "CanvasLayer", "name": "HUD"})
    await agent.op("ui_manage", "build_layout", {"tree": HUD, "parent_path": "/Arena/HUD"})
    await agent.op("ui_manage", "set_text", {"path": "/Arena/HUD/Panel/Rows/Health",
                                             "text": "HP"})
    await agent.call("node_create", {"type": "Control", "name": "Minimap",
                                     "parent_path": "/Arena/HUD"})
    await agent.op("ui_manage", "set_anchor_preset", {"path": "/Arena/HUD/Minimap",
                                                      "preset": "top_right", "margin": 16})
    await agent.op("ui_manage", "draw_recipe", {"path": "/Arena/HUD/Minimap", "ops": [
        {"draw": "rect", "rect": [0, 0, 96, 96], "color": "#0c1018"},
        {"draw": "circle", "center": [48, 48], "radius": 4, "color": "lime"}]})

    # The floor and the blocks.
    await agent.call("node_create", {"type": "TileMapLayer", "name": "Floor"})
    await agent.call("node_set_property", {"path": "/Arena/Floor", "property": "tile_set",
                                           "value": "res://tiles/arena.tres"})
    await agent.op("tilemap_manage", "tilemap_set_cells_rect", {
        "path": "/Arena/Floor", "source_id": 3, "atlas_col": 0, "atlas_row": 0,
        "rect_x": 0, "rect_y": 0, "rect_w": 6, "rect_h": 4})
    await agent.op("tilemap_manage", "tilemap_set_cell", {
        "path": "/Arena/Floor", "source_id": 3, "atlas_col": 1, "atlas_row": 0,
        "map_x": 2, "map_y": 1})
    await agent.call("node_create", {"type": "GridMap", "name": "Blocks"})
    await agent.call("node_set_property", {"path": "/Arena/Blocks", "property": "mesh_library",
                                           "value": "res://grid/blocks.tres"})
    await agent.op("gridmap_manage", "gridmap_fill", {
        "path": "/Arena/Blocks", "item": 0, "rect_x": 0, "rect_y": 0, "rect_z": 0,
        "rect_w": 3, "rect_h": 1, "rect_d": 2})
    await agent.op("gridmap_manage", "gridmap_set_item", {
        "path": "/Arena/Blocks", "item": 5, "map_x": 0, "map_y": 1, "map_z": 0,
        "orientation": 10})

    # A carved block: a box with a sphere subtracted, under a combiner.
    await agent.call("node_create", {"type": "CSGCombiner3D", "name": "Carved"})
    await agent.op("csg_manage", "csg_create", {"parent_path": "/Arena/Carved", "name": "Block",
                                                "shape": "box"})
    await agent.op("csg_manage", "csg_create", {"parent_path": "/Arena/Carved", "name": "Hole",
                                                "shape": "sphere", "operation": "subtraction"})
    await agent.call("scene_save", {})


async def ask_the_class_reference(client) -> None:
    gridmap = await call_ok(client, "api_manage", {"op": "get_class", "params": {
        "class_name": "GridMap", "sections": "methods"}})
    assert gridmap["inheritance_chain"][:2] == ["GridMap", "Node3D"]
    assert "set_cell_item" in {method["name"] for method in gridmap["methods"]}
    own = await call_error(client, "api_manage", {"op": "get_class", "params": {
        "class_name": "ArenaSpawner"}})
    assert own.startswith("WRONG_TYPE: ArenaSpawner is a project script class")
    assert "res://arena/spawner.gd" in own
    typo = await call_error(client, "api_manage", {"op": "get_class", "params": {
        "class_name": "TileMapLayr"}})
    assert typo.startswith("VALUE_OUT_OF_RANGE: Unknown Godot class: TileMapLayr. "
                           "Did you mean: TileMapLayer"), typo


async def run_the_agents_tests(agent: Agent) -> None:
    await agent.op("filesystem_manage", "write_text", {"path": "res://tests/test_arena.gd",
                                                       "content": SUITE})
    run = await agent.call("test_run", {"suite": "arena", "verbose": True})
    assert (run["passed"], run["failed"], run["total"]) == (1, 1, 2), run
    assert run["edited_scene"] == SCENE
    [failure] = run["failures"]
    assert failure["test"] == "test_the_bar_starts_full"
    assert failure["message"] == "the health bar starts full"
    line = next(n for n, text in enumerate(SUITE.splitlines(), 1) if "starts full\")" in text)
    assert (failure["file"], failure["line"]) == ("res://tests/test_arena.gd", line)


async def verify_reopened(client, built: dict) -> None:
    assert await every_property(client) == built
    cells = await call_ok(client, "tilemap_manage", {"op": "tilemap_get_cells", "params": {
        "path": "/Arena/Floor"}})
    assert cells["count"] == 24
    painted = [cell for cell in cells["cells"] if (cell["x"], cell["y"]) == (2, 1)]
    assert painted[0]["atlas_col"] == 1
    used = await call_ok(client, "gridmap_manage", {"op": "gridmap_get_used_cells", "params": {
        "path": "/Arena/Blocks"}})
    assert used["count"] == 7
    assert built["/Arena/Carved/Hole"]["operation"] == 2
    assert built["/Arena/HUD/Panel"]["theme"] == THEME
    assert built["/Arena/HUD/Panel/Rows/Health"]["text"] == "HP"
    assert built["/Arena/HUD/Minimap"]["script"] == (
        "res://addons/godot_ai_native/runtime/draw_recipe.gd")


async def test_an_agent_builds_a_tiled_carved_arena_with_a_themed_hud_and_tests_it():
    project = make_project("content_session_ii")
    editor = Editor(project, free_port(), "content_session_ii").start()
    try:
        editor.wait_for_endpoint()
        await open_scene_ready(editor.url, "res://main.tscn")
        async with Client(editor.url) as client:
            agent = Agent(client)
            await build_arena(agent)
            await ask_the_class_reference(client)
            await run_the_agents_tests(agent)
            built = await every_property(client)
        scene = (project / "levels" / "arena.tscn").read_text()
        assert '[node name="Floor" type="TileMapLayer" parent="."' in scene
        assert '[node name="Hole" type="CSGSphere3D" parent="Carved"' in scene
        assert "operation = 2" in scene and "metadata/_ops" in scene
        theme = (project / "ui" / "arena.tres").read_text()
        assert "StyleBoxFlat" in theme and "Label/font_sizes/font_size = 18" in theme
    finally:
        editor.kill()

    copy = copy_project(project, "content_session_ii_reopened")
    reopened = Editor(copy, free_port(), "content_session_ii_reopened").start()
    try:
        reopened.wait_for_endpoint()
        await open_scene_ready(reopened.url, "res://main.tscn")
        async with Client(reopened.url) as client:
            await call_ok(client, "scene_open", {"path": SCENE})
            await verify_reopened(client, built)
    finally:
        reopened.kill()
