"""Restructuring a scene through the MCP endpoint: duplicate, reorder, reparent, find, select;
new scenes and save-as. Each effect is checked in the editor and, after saving, in the file."""

from __future__ import annotations

import pytest

from conftest import editor_with_main_scene, structured
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio


async def call(client, tool, arguments):
    return structured(await client.call_tool(tool, arguments))


async def node_op(client, op, **params):
    return await call(client, "node_manage", {"op": op, "params": params})


async def error_text(client, tool, arguments) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, result
    return result.content[0].text


async def child_paths(client, path) -> list[str]:
    listing = await node_op(client, "get_children", path=path)
    return [child["path"] for child in listing["children"]]


async def test_duplicate_move_reparent_find_and_save():
    project = make_project("structure")
    editor = await editor_with_main_scene(project, "structure")
    try:
        async with Client(editor.url) as client:
            copy = await node_op(client, "duplicate", path="/Main/World", name="World2")
            assert copy == {"path": "/Main/World2", "original_path": "/Main/World",
                            "name": "World2", "type": "Node3D", "undoable": True}
            assert await child_paths(client, "/Main/World2") == ["/Main/World2/Ground"]

            moved = await node_op(client, "move", path="/Main/World2", index=0)
            assert moved == {"path": "/Main/World2", "old_index": 4, "new_index": 0, "undoable": True}
            assert (await child_paths(client, "/Main"))[0] == "/Main/World2"

            reparented = await node_op(client, "reparent", path="/Main/Sun", new_parent="/Main/World")
            assert reparented == {"path": "/Main/World/Sun", "old_parent": "/Main",
                                  "new_parent": "/Main/World", "undoable": True}

            found = await call(client, "node_find", {"name": "sun"})
            assert found["nodes"] == [{"name": "Sun", "type": "DirectionalLight3D",
                                       "path": "/Main/World/Sun"}]
            assert found["total_count"] == 1 and found["has_more"] is False
            meshes = await call(client, "node_find", {"type": "MeshInstance3D", "limit": 1})
            assert meshes["total_count"] == 2 and meshes["has_more"] is True
            assert meshes["nodes"] == [{"name": "Ground", "type": "MeshInstance3D",
                                        "path": "/Main/World2/Ground"}]

            assert await error_text(client, "node_find", {}) == (
                "MISSING_REQUIRED_PARAM: At least one filter (name, type, group) is required")
            assert await error_text(client, "node_manage", {"op": "reparent", "params": {
                "path": "/Main/World", "new_parent": "/Main/World/Sun"}}) == (
                "INVALID_PARAMS: Cannot reparent a node to itself or its descendant")
            assert await error_text(client, "node_manage", {"op": "move", "params": {
                "path": "/Main/World", "index": 9}}) == "VALUE_OUT_OF_RANGE: Index 9 out of range (0..3)"
            assert await error_text(client, "node_manage", {"op": "duplicate", "params": {
                "path": "/Main"}}) == "INVALID_PARAMS: Cannot duplicate the scene root"

            await call(client, "scene_save", {})
        text = (project / "main.tscn").read_text()
        # The copy's child is saved too: duplicates and moved subtrees keep their owners.
        assert '[node name="Ground" type="MeshInstance3D" parent="World2"' in text
        assert '[node name="Sun" type="DirectionalLight3D" parent="World"' in text
        assert text.index('name="World2"') < text.index('name="Camera3D"')
    finally:
        editor.kill()


async def test_new_scenes_save_as_and_selection():
    project = make_project("scene_files")
    editor = await editor_with_main_scene(project, "scene_files")
    try:
        async with Client(editor.url) as client:
            selected = await call(client, "editor_manage", {"op": "selection_set", "params": {
                "paths": ["/Main/Camera3D", "/Main/Nope"]}})
            assert selected["selected"] == ["/Main/Camera3D"] and selected["not_found"] == ["/Main/Nope"]
            assert selected["undoable"] is False
            current = await call(client, "editor_manage", {"op": "selection_get"})
            assert current == {"selected_paths": ["/Main/Camera3D"], "count": 1}

            saved_as = await call(client, "scene_manage", {"op": "save_as", "params": {
                "path": "res://copies/main_copy"}})
            assert saved_as["path"] == "res://copies/main_copy.tscn"
            assert (project / "copies" / "main_copy.tscn").is_file()
            state = await call(client, "editor_state", {})
            assert state["current_scene"] == "res://copies/main_copy.tscn"

            created = await call(client, "scene_manage", {"op": "create", "params": {
                "path": "res://levels/level_1.tscn", "root_type": "Node2D"}})
            assert created == {"path": "res://levels/level_1.tscn", "root_type": "Node2D",
                               "root_name": "level_1", "undoable": False,
                               "reason": "Scene creation involves file system operations"}
            assert '[node name="level_1" type="Node2D"' in (project / "levels" / "level_1.tscn").read_text()
            state = await call(client, "editor_state", {})
            assert state["current_scene"] == "res://levels/level_1.tscn"
            tree = await call(client, "scene_get_hierarchy", {})
            assert [node["path"] for node in tree["nodes"]] == ["/level_1"]
            roots = await call(client, "scene_manage", {"op": "get_roots"})
            assert "res://levels/level_1.tscn" in roots["scenes"]

            again = await error_text(client, "scene_manage", {"op": "create", "params": {
                "path": "res://levels/level_1.tscn"}})
            assert again.startswith("INVALID_PARAMS: Scene already exists: res://levels/level_1.tscn.")
            copy_before = (project / "copies" / "main_copy.tscn").read_text()
            over = await error_text(client, "scene_manage", {"op": "save_as", "params": {
                "path": "res://copies/main_copy.tscn"}})
            assert over.startswith("INVALID_PARAMS: Scene already exists: res://copies/main_copy.tscn.")
            assert (project / "copies" / "main_copy.tscn").read_text() == copy_before
            replaced = await call(client, "scene_manage", {"op": "save_as", "params": {
                "path": "res://copies/main_copy.tscn", "overwrite": True}})
            assert replaced["overwrote"] is True
            assert 'name="level_1"' in (project / "copies" / "main_copy.tscn").read_text()

            escape = await error_text(client, "scene_manage", {"op": "create", "params": {
                "path": "res://../elsewhere.tscn"}})
            assert escape.startswith("INVALID_PARAMS: Path must not contain '..'")
            not_a_node = await error_text(client, "scene_manage", {"op": "create", "params": {
                "path": "res://levels/bad.tscn", "root_type": "Resource"}})
            assert not_a_node == "WRONG_TYPE: Resource is not a Node type"
            assert not (project / "levels" / "bad.tscn").exists()
    finally:
        editor.kill()


MAIN_THREAD_FRAMES = "godot-ai-native/main_thread_frames"


@pytest.mark.parametrize("slices", ["frame_budget", "one_node_per_frame"])
async def test_hierarchy_pages_are_slices_of_the_whole_list_across_edits(slices):
    """The endpoint lists only the page asked for (the plugin stops its walk at the page's end
    and keeps the total per tree change); every page must still be exactly the slice of the
    whole list godot-ai's server would cut, also right after edits that add, move, rename,
    delete and undo. A big scene is walked over several frames: with a slice budget of zero
    every frame takes one step of every walk, so the same pages must come out of walks paused
    and resumed at every node."""
    project = make_project(f"hierarchy_pages_{slices}")
    one_node = slices == "one_node_per_frame"
    editor = await editor_with_main_scene(
        project, f"hierarchy_pages_{slices}",
        extra_env={"GODOT_AI_NATIVE_SLICE_US": "0"} if one_node else None)

    async def whole(client, depth):
        # The plugin command without a window: the whole list, as godot-ai's server gets it.
        done = await call(client, "batch_execute", {"commands": [
            {"command": "get_scene_tree", "params": {"depth": depth}}], "undo": False})
        return done["results"][0]["data"]["nodes"]

    async def check_pages(client, depth=10):
        nodes = await whole(client, depth)
        total = len(nodes)
        for offset, limit in [(0, 100), (0, 3), (3, 3), (5, 4), (total - 2, 10), (total, 5),
                              (-3, 2), (-100, 4), (2, 0), (7, 1000)]:
            page = await call(client, "scene_get_hierarchy",
                              {"depth": depth, "offset": offset, "limit": limit})
            # godot-ai's server pages with a Python slice.
            assert page["nodes"] == nodes[offset:offset + limit], (offset, limit)
            assert page["total_count"] == total and page["offset"] == offset
            assert page["has_more"] is (offset + limit < total), (offset, limit)
        return nodes

    async def check_found(client, **query):
        done = await call(client, "batch_execute", {"commands": [
            {"command": "find_nodes", "params": query}], "undo": False})
        matches = done["results"][0]["data"]["nodes"]
        total = len(matches)
        for offset, limit in [(0, 100), (0, 2), (2, 3), (total - 1, 5), (-2, 5)]:
            page = await call(client, "node_find", {**query, "offset": offset, "limit": limit})
            # godot-ai's server pages with a Python slice.
            assert page["nodes"] == matches[offset:offset + limit], (query, offset, limit)
            assert page["total_count"] == total and page["has_more"] is (offset + limit < total)
        return matches

    try:
        async with Client(editor.url) as client:
            for index in range(6):
                await call(client, "node_create", {"type": "Node3D", "name": f"Group{index}"})
                for leaf in range(3):
                    await call(client, "node_create", {"type": "Node3D", "name": f"Leaf{leaf}",
                                                       "parent_path": f"/Main/Group{index}"})
            # A page of a tree nobody counted yet: the count walks all 25 nodes first. (How
            # many frames it takes within the real budget depends on the machine's speed.)
            counted = await client.call_tool("scene_get_hierarchy", {"offset": 0, "limit": 2})
            frames = counted.meta[MAIN_THREAD_FRAMES]
            assert frames >= 25 if one_node else frames >= 1, frames
            before = await check_pages(client)
            await check_pages(client, depth=1)
            assert len(await check_found(client, name="leaf")) == 18
            await node_op(client, "add_to_group", path="/Main/Group1/Leaf2", group="enemies")
            assert [m["path"] for m in await check_found(client, group="enemies")] == [
                "/Main/Group1/Leaf2"]
            await node_op(client, "move", path="/Main/Group5", index=0)
            moved = await check_pages(client)
            assert moved != before and moved[1]["path"] == "/Main/Group5"
            await node_op(client, "rename", path="/Main/Group2/Leaf1", new_name="Renamed")
            renamed = await check_pages(client)
            assert "/Main/Group2/Renamed" in [node["path"] for node in renamed]
            assert len(await check_found(client, name="leaf")) == 17
            await node_op(client, "delete", path="/Main/Group3")
            assert len(await check_pages(client)) == len(renamed) - 4
            # The undo history changes without a call of ours: a page must see it too.
            await client.call_tool("batch_execute", {"commands": [
                {"command": "create_node", "params": {"type": "Node", "name": "Doomed"}},
                {"command": "delete_node", "params": {"path": "/Main/Missing"}}], "undo": True})
            assert len(await check_pages(client)) == len(renamed) - 4
    finally:
        editor.kill()
