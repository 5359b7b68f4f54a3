"""batch_execute on the real editor, and through it the editor's undo history: a batch that
fails rolls back every undoable step, which checks that each scene command really is undoable
(the scene afterwards equals the scene before, down to what gets saved)."""

from __future__ import annotations

import pytest

from conftest import editor_with_main_scene, structured
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio

SCRIPT = "extends Node3D\n\nfunc _on_timeout() -> void:\n\tpass\n"


async def call(client, tool, arguments):
    return structured(await client.call_tool(tool, arguments))


async def batch(client, commands, undo=True):
    return await call(client, "batch_execute", {"commands": commands, "undo": undo})


async def scene_snapshot(client) -> dict:
    """Everything the scene commands can change: the tree, and per node its properties and
    groups."""
    tree = await call(client, "scene_get_hierarchy", {"limit": 1000})
    snapshot = {}
    for node in tree["nodes"]:
        properties = await call(client, "node_get_properties", {"path": node["path"]})
        groups = await call(client, "node_manage", {"op": "get_groups", "params": {"path": node["path"]}})
        snapshot[node["path"]] = (node["type"], node["children_count"],
                                  {p["name"]: p["value"] for p in properties["properties"]},
                                  groups["groups"])
    return snapshot


def step(command, **params):
    return {"command": command, "params": params}


async def test_a_batch_runs_in_order_and_reports_each_step(editor):
    async with Client(editor.url) as client:
        before = await scene_snapshot(client)
        done = await batch(client, [
            step("create_node", type="Node3D", name="Spawner"),
            step("set_property", path="/Main/Spawner", property="position", value={"x": 1, "y": 2, "z": 3}),
            step("add_to_group", path="/Main/Spawner", group="spawners"),
        ], undo=True)
        assert done["succeeded"] == 3 and done["stopped_at"] is None and done["undoable"] is True
        assert [r["command"] for r in done["results"]] == ["create_node", "set_property", "add_to_group"]
        assert done["results"][1]["data"]["value"] == {"x": 1.0, "y": 2.0, "z": 3.0}
        found = await call(client, "node_find", {"group": "spawners"})
        assert [n["path"] for n in found["nodes"]] == ["/Main/Spawner"]

        # Clean up the shared editor through the same mechanism under test.
        cleanup = await batch(client, [step("delete_node", path="/Main/Spawner")])
        assert cleanup["succeeded"] == 1
        assert await scene_snapshot(client) == before


async def test_a_failing_batch_rolls_back_every_scene_command():
    project = make_project("batch_undo")
    editor = await editor_with_main_scene(project, "batch_undo")
    try:
        async with Client(editor.url) as client:
            await call(client, "script_create", {"path": "res://world.gd", "content": SCRIPT})
            # Right after a file write, as an agent would: no retry.
            await call(client, "node_manage", {"op": "add_to_group", "params": {
                "path": "/Main/Sun", "group": "lights"}})
            await call(client, "scene_save", {})
            saved_before = (project / "main.tscn").read_text()
            before = await scene_snapshot(client)

            result = await batch(client, [
                step("create_node", type="Timer", name="Clock", parent_path="/Main/World"),
                step("set_property", path="/Main/Camera3D", property="fov", value=90),
                step("rename_node", path="/Main/HUD/Score", new_name="Points"),
                step("duplicate_node", path="/Main/World", name="World2"),
                step("move_node", path="/Main/World2", index=0),
                step("reparent_node", path="/Main/Sun", new_parent="/Main/World2"),
                step("add_to_group", path="/Main/Camera3D", group="cameras"),
                step("remove_from_group", path="/Main/World2/Sun", group="lights"),
                step("attach_script", path="/Main/World", script_path="res://world.gd"),
                step("detach_script", path="/Main/World"),
                step("attach_script", path="/Main/World", script_path="res://world.gd"),
                step("delete_node", path="/Main/World"),
                step("set_property", path="/Main/Nope", property="visible", value=False),
            ])
            assert result["succeeded"] == 12 and result["stopped_at"] == 12
            assert result["error"]["code"] == "NODE_NOT_FOUND"
            assert result["rolled_back"] is True and result["undoable"] is False

            assert await scene_snapshot(client) == before
            await call(client, "scene_save", {})
            assert (project / "main.tscn").read_text() == saved_before, \
                "after the rollback the scene saves exactly as before (owners restored too)"
    finally:
        editor.kill()


async def test_file_writes_in_a_failed_batch_are_kept_and_said_so():
    project = make_project("batch_files")
    editor = await editor_with_main_scene(project, "batch_files")
    try:
        async with Client(editor.url) as client:
            result = await batch(client, [
                step("write_file", path="res://notes.txt", content="kept"),
                step("create_node", type="Node", name="Temp"),
                step("create_node", type="NoSuchClass"),
            ])
            assert result["succeeded"] == 2 and result["rolled_back"] is True
            assert result["kept"] == [0]
            assert (project / "notes.txt").read_text() == "kept"
            tree = await call(client, "scene_get_hierarchy", {})
            assert "/Main/Temp" not in [node["path"] for node in tree["nodes"]]

            switched = await batch(client, [
                step("create_node", type="Node", name="BeforeSwitch"),
                step("create_scene", path="res://other.tscn"),
                step("create_node", type="NoSuchClass"),
            ])
            assert switched["rolled_back"] is False
            assert "switched the edited scene" in switched["not_rolled_back_reason"]
            await call(client, "scene_open", {"path": "res://main.tscn"})

            no_undo = await batch(client, [
                step("create_node", type="Node", name="Stays"),
                step("create_node", type="NoSuchClass"),
            ], undo=False)
            assert no_undo["rolled_back"] is False
            tree = await call(client, "scene_get_hierarchy", {})
            assert "/Main/Stays" in [node["path"] for node in tree["nodes"]]
    finally:
        editor.kill()


async def test_a_batch_is_checked_before_anything_runs(editor):
    async with Client(editor.url) as client:
        before = await call(client, "scene_get_hierarchy", {})
        for commands, expected in [
            ([step("create_node", type="Node", name="Early"), {"command": "node_create"}],
             "UNKNOWN_COMMAND: commands[1]: unknown plugin command 'node_create'."),
            ([step("create_node", type="Node"), step("batch_execute", commands=[])],
             "VALUE_OUT_OF_RANGE: commands[1]: 'batch_execute' is not allowed as a sub-command"),
            ([{"params": {}}], "MISSING_REQUIRED_PARAM: commands[0] missing 'command' field"),
            ([], "MISSING_REQUIRED_PARAM: commands must not be empty"),
        ]:
            result = await client.call_tool("batch_execute", {"commands": commands})
            assert result.is_error and result.content[0].text.startswith(expected), result
        assert await call(client, "scene_get_hierarchy", {}) == before
