"""CSG through the MCP endpoint (csg_manage): a box with a sphere carved out of it under a
combiner, checked in the editor, the saved scene and a fresh editor; each change is also undone
(a failed batch rolls it back through the editor's undo history)."""

from __future__ import annotations

import pytest

from conftest import (call_error, call_ok, editor_with_main_scene, node_properties, rolled_back,
                      structured)
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio


async def op(client, name, params) -> dict:
    return await call_ok(client, "csg_manage", {"op": name, "params": params})


async def op_error(client, name, params) -> str:
    return await call_error(client, "csg_manage", {"op": name, "params": params})


async def test_a_box_is_carved_by_a_sphere_saved_and_undone():
    project = make_project("csg")
    editor = await editor_with_main_scene(project, "csg")
    try:
        async with Client(editor.url) as client:
            await call_ok(client, "node_create", {"type": "CSGCombiner3D", "name": "Carve",
                                                  "parent_path": "/Main/World"})
            box = await op(client, "csg_create", {"parent_path": "/Main/World/Carve"})
            assert box == {"path": "/Main/World/Carve/CSGBox3D", "name": "CSGBox3D",
                           "class": "CSGBox3D", "shape": "box", "operation": "union",
                           "undoable": True}
            hole = await op(client, "csg_create", {"parent_path": "/Main/World/Carve",
                                                   "name": "Hole", "shape": "sphere",
                                                   "operation": "subtraction"})
            assert hole["path"] == "/Main/World/Carve/Hole" and hole["class"] == "CSGSphere3D"
            assert (await node_properties(client, "/Main/World/Carve/Hole"))["operation"] == 2
            changed = await op(client, "csg_set_operation", {"path": "/Main/World/Carve/Hole",
                                                            "operation": "intersection"})
            assert changed == {"path": "/Main/World/Carve/Hole", "operation": "intersection",
                               "previous_operation": "subtraction", "undoable": True}
            await op(client, "csg_set_operation", {"path": "/Main/World/Carve/Hole",
                                                   "operation": "subtraction"})

            await rolled_back(client, "csg_set_operation", {"path": "/Main/World/Carve/Hole",
                                                            "operation": "union"})
            await rolled_back(client, "csg_create", {"parent_path": "/Main/World",
                                                     "name": "Gone", "shape": "torus"})
            assert (await node_properties(client, "/Main/World/Carve/Hole"))["operation"] == 2
            tree = structured(await client.call_tool("scene_get_hierarchy", {}))
            assert "/Main/World/Gone" not in [node["path"] for node in tree["nodes"]]

            assert "Unknown CSG shape 'prism'. Valid: box, sphere, cylinder, torus, polygon" in \
                await op_error(client, "csg_create", {"parent_path": "/Main", "shape": "prism"})
            assert "Unknown CSG operation 'merge'" in await op_error(
                client, "csg_create", {"parent_path": "/Main", "operation": "merge"})
            assert "must be a Node3D (got CanvasLayer at /Main/HUD)" in await op_error(
                client, "csg_create", {"parent_path": "/Main/HUD"})
            assert "Node is not a CSGShape3D: /Main/World" in await op_error(
                client, "csg_set_operation", {"path": "/Main/World", "operation": "union"})
            await client.call_tool("scene_save", {})
        text = (project / "main.tscn").read_text()
        assert '[node name="CSGBox3D" type="CSGBox3D" parent="World/Carve"' in text
        hole_section = text[text.index('[node name="Hole" type="CSGSphere3D" parent="World/Carve"'):]
        assert "operation = 2" in hole_section
        assert 'name="Gone"' not in text
    finally:
        editor.kill()

    again = await editor_with_main_scene(project, "csg_reopened")
    try:
        async with Client(again.url) as client:
            assert (await node_properties(client, "/Main/World/Carve/Hole"))["operation"] == 2
            assert (await node_properties(client, "/Main/World/Carve/CSGBox3D"))["operation"] == 0
    finally:
        again.kill()
