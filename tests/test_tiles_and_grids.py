"""Tile maps and grid maps through the MCP endpoint (tilemap_manage, tileset_manage,
gridmap_manage): a TileMapLayer painted from a TileSet and a GridMap filled from a MeshLibrary
(both written as files by the test, as an artist's project would have them), checked in the
editor, the saved scene and a fresh editor; each change is also undone (a failed batch rolls it
back through the editor's undo history)."""

from __future__ import annotations

import pytest

from conftest import call_error, call_ok, editor_with_main_scene, rolled_back
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio

PIXELS = ", ".join(["40, 160, 90, 255"] * (32 * 16))
TILESET = f"""[gd_resource type="TileSet" load_steps=4 format=3]

[sub_resource type="Image" id="Image_tiles"]
data = {{
"data": PackedByteArray({PIXELS}),
"format": "RGBA8",
"height": 16,
"mipmaps": false,
"width": 32
}}

[sub_resource type="ImageTexture" id="ImageTexture_tiles"]
image = SubResource("Image_tiles")

[sub_resource type="TileSetAtlasSource" id="TileSetAtlasSource_tiles"]
texture = SubResource("ImageTexture_tiles")
0:0/0 = 0
1:0/0 = 0

[resource]
sources/3 = SubResource("TileSetAtlasSource_tiles")
"""

MESH_LIBRARY = """[gd_resource type="MeshLibrary" load_steps=2 format=3]

[sub_resource type="BoxMesh" id="BoxMesh_block"]

[resource]
item/0/name = "Block"
item/0/mesh = SubResource("BoxMesh_block")
item/5/name = "Ramp"
"""


async def manage(client, tool, op, params) -> dict:
    return await call_ok(client, tool, {"op": op, "params": params})


async def manage_error(client, tool, op, params) -> str:
    return await call_error(client, tool, {"op": op, "params": params})


def tile(x, y, col, row) -> dict:
    return {"x": x, "y": y, "source_id": 3, "atlas_col": col, "atlas_row": row,
            "alternative": 0}


async def test_a_layer_is_painted_and_a_grid_filled_saved_and_undone():
    project = make_project("tiles_and_grids")
    (project / "tiles").mkdir()
    (project / "tiles" / "tiles.tres").write_text(TILESET)
    (project / "grid").mkdir()
    (project / "grid" / "blocks.tres").write_text(MESH_LIBRARY)
    editor = await editor_with_main_scene(project, "tiles_and_grids")
    try:
        async with Client(editor.url) as client:
            atlas = await manage(client, "tileset_manage", "tileset_get_atlas_tiles", {
                "tileset_path": "res://tiles/tiles.tres", "source_id": 3})
            assert atlas == {"count": 2, "tiles": [{"col": 0, "row": 0}, {"col": 1, "row": 0}]}
            image = await manage(client, "tileset_manage", "tileset_get_atlas_image", {
                "tileset_path": "res://tiles/tiles.tres", "source_id": 3, "max_size": 16})
            assert (image["width"], image["height"]) == (16, 8)
            assert (image["original_width"], image["original_height"]) == (32, 16)
            assert image["format"] == "png" and image["image_base64"].startswith("iVBOR")
            assert "source_id 0 does not exist in TileSet" in await manage_error(
                client, "tileset_manage", "tileset_get_atlas_tiles",
                {"tileset_path": "res://tiles/tiles.tres", "source_id": 0})

            await call_ok(client, "node_create", {"type": "TileMapLayer", "name": "Floor"})
            await call_ok(client, "node_set_property", {"path": "/Main/Floor",
                                                        "property": "tile_set",
                                                        "value": "res://tiles/tiles.tres"})
            one = await manage(client, "tilemap_manage", "tilemap_set_cell", {
                "path": "/Main/Floor", "source_id": 3, "atlas_col": 1, "atlas_row": 0,
                "map_x": 6, "map_y": 3})
            assert one == {"map_x": 6, "map_y": 3, "source_id": 3, "atlas_col": 1,
                           "atlas_row": 0, "undoable": True}
            rect = await manage(client, "tilemap_manage", "tilemap_set_cells_rect", {
                "path": "/Main/Floor", "source_id": 3, "atlas_col": 0, "atlas_row": 0,
                "rect_x": 0, "rect_y": 0, "rect_w": 4, "rect_h": 2})
            assert rect == {"cells_filled": 8, "rect": {"x": 0, "y": 0, "w": 4, "h": 2},
                            "undoable": True}
            cells = await manage(client, "tilemap_manage", "tilemap_get_cells",
                                 {"path": "/Main/Floor"})
            assert cells["count"] == 9 and tile(6, 3, 1, 0) in cells["cells"]
            assert tile(3, 1, 0, 0) in cells["cells"]

            await rolled_back(client, "tilemap_set_cells_rect", {
                "path": "/Main/Floor", "source_id": -1, "rect_x": 0, "rect_y": 0,
                "rect_w": 2, "rect_h": 2})
            await rolled_back(client, "tilemap_set_cell", {
                "path": "/Main/Floor", "source_id": 3, "atlas_col": 0, "atlas_row": 0,
                "map_x": 6, "map_y": 3})
            await rolled_back(client, "tilemap_clear", {"path": "/Main/Floor"})
            again = await manage(client, "tilemap_manage", "tilemap_get_cells",
                                 {"path": "/Main/Floor"})
            assert sorted(map(str, again["cells"])) == sorted(map(str, cells["cells"]))

            assert "rect_w, rect_h must all be positive (got 0 x 2)" in await manage_error(
                client, "tilemap_manage", "tilemap_set_cells_rect",
                {"path": "/Main/Floor", "rect_w": 0, "rect_h": 2})
            assert "Rect too large: 10000 cells exceeds max 4096" in await manage_error(
                client, "tilemap_manage", "tilemap_set_cells_rect",
                {"path": "/Main/Floor", "rect_w": 100, "rect_h": 100})
            assert "map_x = 40000 is outside -32768..32767" in await manage_error(
                client, "tilemap_manage", "tilemap_set_cell",
                {"path": "/Main/Floor", "map_x": 40000})
            assert "Node is not a TileMapLayer: /Main/World" in await manage_error(
                client, "tilemap_manage", "tilemap_get_cells", {"path": "/Main/World"})

            await call_ok(client, "node_create", {"type": "GridMap", "name": "Blocks",
                                                  "parent_path": "/Main/World"})
            await call_ok(client, "node_set_property", {"path": "/Main/World/Blocks",
                                                        "property": "mesh_library",
                                                        "value": "res://grid/blocks.tres"})
            library = await manage(client, "gridmap_manage", "gridmap_list_library_items",
                                   {"path": "/Main/World/Blocks"})
            assert library["library"] == "res://grid/blocks.tres" and library["count"] == 2
            assert [(i["item"], i["name"]) for i in library["items"]] == [(0, "Block"),
                                                                          (5, "Ramp")]
            placed = await manage(client, "gridmap_manage", "gridmap_set_item", {
                "path": "/Main/World/Blocks", "item": 0, "map_x": 5, "map_y": 0, "map_z": 5,
                "orientation": 10})
            assert placed == {"map_x": 5, "map_y": 0, "map_z": 5, "item": 0,
                              "orientation": 10, "undoable": True}
            filled = await manage(client, "gridmap_manage", "gridmap_fill", {
                "path": "/Main/World/Blocks", "item": 5, "rect_x": 0, "rect_y": 0,
                "rect_z": 0, "rect_w": 3, "rect_h": 1, "rect_d": 2})
            assert filled["cells_filled"] == 6
            used = await manage(client, "gridmap_manage", "gridmap_get_used_cells",
                                {"path": "/Main/World/Blocks"})
            assert used["count"] == 7 and {"x": 5, "y": 0, "z": 5} in used["cells"]
            await rolled_back(client, "gridmap_fill", {
                "path": "/Main/World/Blocks", "item": -1, "rect_x": 0, "rect_y": 0,
                "rect_z": 0, "rect_w": 6, "rect_h": 1, "rect_d": 6})
            await rolled_back(client, "gridmap_clear", {"path": "/Main/World/Blocks"})
            assert (await manage(client, "gridmap_manage", "gridmap_get_used_cells",
                                 {"path": "/Main/World/Blocks"}))["count"] == 7
            assert "orientation must be 0..23" in await manage_error(
                client, "gridmap_manage", "gridmap_set_item",
                {"path": "/Main/World/Blocks", "item": 0, "orientation": 24})
            await client.call_tool("scene_save", {})
        text = (project / "main.tscn").read_text()
        assert '[node name="Floor" type="TileMapLayer" parent="."' in text
        assert "tile_map_data = PackedByteArray(" in text
        assert '[node name="Blocks" type="GridMap" parent="World"' in text
        assert '"cells": PackedInt32Array(' in text
    finally:
        editor.kill()

    reopened = await editor_with_main_scene(project, "tiles_and_grids_reopened")
    try:
        async with Client(reopened.url) as client:
            cells = await manage(client, "tilemap_manage", "tilemap_get_cells",
                                 {"path": "/Main/Floor"})
            assert cells["count"] == 9 and tile(6, 3, 1, 0) in cells["cells"]
            used = await manage(client, "gridmap_manage", "gridmap_get_used_cells",
                                {"path": "/Main/World/Blocks"})
            assert used["count"] == 7
    finally:
        reopened.kill()
