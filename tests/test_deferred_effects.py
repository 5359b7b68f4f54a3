"""Every reply describes the world after the command: effects the editor applies on a later
frame (scene switches, starting and stopping the game, the rescan after a file write) are
visible to the very next command, with no waiting or retrying by the caller."""

from __future__ import annotations

import pytest

from conftest import editor_with_main_scene, open_scene_ready, structured
from editor_harness import Client, Editor, free_port, make_project
from godot_ai_server import GodotAiServer

pytestmark = pytest.mark.anyio

MAIN_UID = "uid://c7h2m5ain0tst"  # test_project/main.tscn


async def call(client, tool, arguments):
    """A tool call that must succeed (no retry: an agent would not retry either)."""
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, f"{tool} {arguments}: {result.content[0].text}"
    return structured(result)


def node_paths(hierarchy: dict) -> set[str]:
    return {node["path"] for node in hierarchy["nodes"]}


async def alternate_scenes(client, rounds: int) -> None:
    """`rounds` times: open A, create a node, open B, create a node; then checks every node
    is in the scene that was opened just before it."""
    await call(client, "scene_manage", {"op": "create", "params": {
        "path": "res://a.tscn", "root_type": "Node", "root_name": "A"}})
    await call(client, "scene_manage", {"op": "create", "params": {
        "path": "res://b.tscn", "root_type": "Node", "root_name": "B"}})
    for index in range(rounds):
        for scene, root in (("a", "A"), ("b", "B")):
            await call(client, "scene_open", {"path": f"res://{scene}.tscn"})
            created = await call(client, "node_create", {"type": "Node", "name": f"{root}{index}"})
            assert created["path"] == f"/{root}/{root}{index}", created
    for scene, root in (("a", "A"), ("b", "B")):
        await call(client, "scene_open", {"path": f"res://{scene}.tscn"})
        page = await call(client, "scene_get_hierarchy", {"limit": 500})
        expected = {f"/{root}"} | {f"/{root}/{root}{index}" for index in range(rounds)}
        assert node_paths(page) == expected


async def create_and_attach_scripts(client, rounds: int) -> None:
    """`rounds` times, at once: create a node, write a script for it, attach the script."""
    for index in range(rounds):
        await call(client, "node_create", {"type": "Node", "name": f"Holder{index}"})
        path = f"res://scripts/holder_{index}.gd"
        await call(client, "script_create", {"path": path, "content": "extends Node\n"})
        attached = await call(client, "script_attach", {
            "path": f"/Main/Holder{index}", "script_path": path})
        assert attached["script_path"] == path, attached


async def test_scene_switches_land_before_the_next_command():
    project = make_project("deferred_scenes")
    editor = await editor_with_main_scene(project, "deferred_scenes")
    try:
        async with Client(editor.url) as client:
            await alternate_scenes(client, 100)
    finally:
        editor.kill()


async def test_a_script_can_be_attached_right_after_it_is_written():
    project = make_project("deferred_scripts")
    editor = await editor_with_main_scene(project, "deferred_scripts")
    try:
        async with Client(editor.url) as client:
            await create_and_attach_scripts(client, 50)
            await call(client, "scene_save", {})
        text = (project / "main.tscn").read_text()
        assert all(f'path="res://scripts/holder_{index}.gd"' in text for index in range(50))
    finally:
        editor.kill()


async def test_each_deferred_command_is_seen_by_the_next_one():
    project = make_project("deferred_each")
    editor = await editor_with_main_scene(project, "deferred_each")
    try:
        async with Client(editor.url) as client:
            async def state():
                return await call(client, "editor_state", {})

            # create_scene opens the new scene.
            await call(client, "scene_manage", {"op": "create", "params": {
                "path": "res://level.tscn", "root_type": "Node2D", "root_name": "Level"}})
            assert (await state())["current_scene"] == "res://level.tscn"
            # open_scene of a scene already open in a tab switches to it, named by its uid too.
            opened = await call(client, "scene_open", {"path": MAIN_UID})
            assert opened["path"] == MAIN_UID
            assert (await state())["current_scene"] == "res://main.tscn"
            # save_as edits the new file.
            await call(client, "scene_manage", {"op": "save_as", "params": {"path": "res://copy.tscn"}})
            assert (await state())["current_scene"] == "res://copy.tscn"
            opened = await call(client, "scene_manage", {"op": "get_roots", "params": {}})
            assert opened["current_scene"] == "res://copy.tscn"
            # A file write is visible to the next read and does not refuse the next write.
            await call(client, "filesystem_manage", {"op": "write_text", "params": {
                "path": "res://notes/todo.txt", "content": "ship it"}})
            read = await call(client, "filesystem_manage", {"op": "read_text", "params": {
                "path": "res://notes/todo.txt"}})
            assert read["content"] == "ship it"
            await call(client, "node_create", {"type": "Node", "name": "AfterWrite"})
            # Selection.
            await call(client, "editor_manage", {"op": "selection_set", "params": {
                "paths": ["/Main/AfterWrite"]}})
            selection = await call(client, "editor_manage", {"op": "selection_get", "params": {}})
            assert selection["selected_paths"] == ["/Main/AfterWrite"], selection
            # Running and stopping the game.
            await call(client, "scene_open", {"path": "res://main.tscn"})
            await call(client, "project_run", {"autosave": False})
            running = await state()
            assert running["is_playing"] is True and running["readiness"] == "playing"
            await call(client, "project_manage", {"op": "stop"})
            stopped = await state()
            assert stopped["is_playing"] is False and stopped["readiness"] == "ready"
            await call(client, "node_create", {"type": "Node", "name": "AfterStop"})
    finally:
        editor.kill()


async def test_a_batch_waits_for_its_own_scene_switch():
    """An entry after a scene switch in the same batch runs in the new scene, and a scene_open
    right after the batch is not lost."""
    project = make_project("deferred_batch")
    editor = await editor_with_main_scene(project, "deferred_batch")
    try:
        async with Client(editor.url) as client:
            done = await call(client, "batch_execute", {"commands": [
                {"command": "create_scene", "params": {"path": "res://one.tscn", "root_type": "Node",
                                                       "root_name": "One"}},
                {"command": "create_node", "params": {"type": "Node", "name": "InOne"}},
                {"command": "open_scene", "params": {"path": "res://main.tscn"}},
                {"command": "create_node", "params": {"type": "Node", "name": "InMain"}},
            ]})
            assert done["succeeded"] == 4, done
            assert [entry["data"]["path"] for entry in done["results"][1::2]] == [
                "/One/InOne", "/Main/InMain"]
            await call(client, "scene_open", {"path": "res://one.tscn"})
            assert (await call(client, "editor_state", {}))["current_scene"] == "res://one.tscn"
    finally:
        editor.kill()


async def test_deferred_effects_through_a_real_godot_ai_server():
    """The same guarantees for a client of godot-ai 2.4.2's server, through the bridge."""
    server = GodotAiServer("deferred_bridge", version="2.4.2").start()
    editor = Editor(make_project("deferred_bridge"), free_port(), "deferred_bridge",
                    extra_env={"GODOT_AI_WS_PORT": str(server.ws_port)})
    try:
        editor.start()
        editor.wait_for_output("MCP | connected to server")
        await editor_scene_ready(editor)
        async with Client(server.mcp_url) as client:
            await alternate_scenes(client, 10)
            await call(client, "scene_open", {"path": "res://main.tscn"})
            await create_and_attach_scripts(client, 10)
    finally:
        editor.kill()
        server.kill()


async def editor_scene_ready(editor: Editor) -> None:
    """The editor (through its own endpoint) has main.tscn open."""
    editor.wait_for_endpoint()
    await open_scene_ready(editor.url, "res://main.tscn")
