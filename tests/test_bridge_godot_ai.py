"""The bridge against the real godot-ai 2.4.2 server: an MCP client talks to the server, the
server talks to our editor over protocol v1."""

from __future__ import annotations

import time

import anyio
import pytest
import websockets.sync.client
from mcp import Client

from conftest import structured
from editor_harness import Editor, free_port, make_project
from godot_ai_server import GodotAiServer

pytestmark = pytest.mark.anyio

CONNECTED = "MCP | connected to server"


class Setup:
    """A godot-ai server and an editor whose bridge dials it."""

    def __init__(self, name: str, version: str = "2.4.2"):
        self.name = name
        self.server = GodotAiServer(name, version=version).start()
        self.editor = Editor(make_project(name), free_port(), name,
                             extra_env={"GODOT_AI_WS_PORT": str(self.server.ws_port)})

    def __enter__(self) -> "Setup":
        self.editor.start()
        self.editor.wait_for_output(CONNECTED)
        return self

    def __exit__(self, *exc) -> None:
        self.editor.kill()
        self.server.kill()


async def sessions(server: GodotAiServer) -> list[dict]:
    async with Client(server.mcp_url) as client:
        listing = structured(await client.call_tool("session_manage", {"op": "list"}))
    return listing["sessions"]


async def session_ids_once_there_are(server: GodotAiServer, count: int, timeout: float = 30) -> set:
    """Polls (bounded) until the server lists `count` sessions; the handshake follows the
    socket opening by a moment."""
    with anyio.fail_after(timeout):
        while len(ids := {s["session_id"] for s in await sessions(server)}) != count:
            await anyio.sleep(0.1)
    return ids


async def wait_for_scene(server: GodotAiServer, scene: str, timeout: float = 60) -> None:
    with anyio.fail_after(timeout):
        while True:
            async with Client(server.mcp_url) as client:
                result = await client.call_tool("editor_state", {})
                if not result.is_error and result.structured_content.get("current_scene") == scene:
                    return
            await anyio.sleep(0.1)


SERVER_VERSIONS = pytest.mark.parametrize("version", ["2.4.2", "3.2.5"])


@SERVER_VERSIONS
async def test_the_server_lists_our_session_with_real_fields(version):
    with Setup("bridge_session", version) as setup:
        await wait_for_scene(setup.server, "res://main.tscn")
        [session] = await sessions(setup.server)
    assert session["session_id"].startswith("bridge-session@")
    assert len(session["session_id"].split("@")[1]) == 4
    assert session["godot_version"].startswith("4.6")
    assert session["project_path"] == f"{setup.editor.project}/"
    assert session["protocol_version"] == 1
    assert session["editor_pid"] == setup.editor.process.pid
    assert session["current_scene"] == "res://main.tscn"
    assert session["readiness"] == "ready"
    assert session["play_state"] == "stopped"
    assert session["is_active"] is True


@SERVER_VERSIONS
async def test_tools_called_on_the_server_return_the_editors_data(version):
    with Setup("bridge_tools", version) as setup:
        await wait_for_scene(setup.server, "res://main.tscn")
        async with Client(setup.server.mcp_url) as client:
            state = structured(await client.call_tool("editor_state", {}))
            tree = structured(await client.call_tool("scene_get_hierarchy", {}))
            camera = structured(await client.call_tool("node_get_properties", {"path": "/Main/Camera3D"}))
            missing = await client.call_tool("node_get_properties", {"path": "/Main/Nope"})
    assert state["godot_version"].startswith("4.6")
    assert state["project_name"] == "Godot AI Native Test Project"
    assert [node["path"] for node in tree["nodes"]][:3] == ["/Main", "/Main/Camera3D", "/Main/Sun"]
    assert tree["total_count"] == 7
    fov = next(prop for prop in camera["properties"] if prop["name"] == "fov")
    assert fov["value"] == 70.0
    assert missing.is_error
    assert missing.content[0].text.startswith("NODE_NOT_FOUND: Node not found: /Main/Nope.")


@SERVER_VERSIONS
async def test_a_restarted_server_gets_the_editor_back_within_the_schedule(version):
    with Setup("bridge_restart", version) as setup:
        before = len(setup.editor.output_lines())
        setup.server.kill()
        setup.editor.wait_for_output("MCP | disconnected (code", after=before, timeout=30)
        killed_at = time.monotonic()
        after_disconnect = len(setup.editor.output_lines())
        setup.server = GodotAiServer("bridge_restart_2", setup.server.http_port,
                                     setup.server.ws_port, version).start()
        back_at = time.monotonic()
        setup.editor.wait_for_output(CONNECTED, after=after_disconnect, timeout=30)
        reconnected = time.monotonic()
        # The server came back `back_at - killed_at` seconds after the disconnect. Retries come
        # 1, 2, 4, 8... s apart, so the next one is at most as far away as the time already
        # waited (plus the first second).
        assert reconnected - back_at <= max(2.0, (back_at - killed_at)) + 1.5, (
            reconnected - back_at, back_at - killed_at)
        [session_id] = await session_ids_once_there_are(setup.server, 1)
        assert session_id.startswith("bridge-restart@")


async def test_a_duplicate_session_id_is_handled_by_reconnecting_under_a_new_id():
    with Setup("bridge_duplicate") as setup:
        [original] = await sessions(setup.server)
        taken_id = original["session_id"]
        before = len(setup.editor.output_lines())
        setup.server.kill()
        # Retries come 1, 3 and 7 s after the disconnect; after the third the next one is 8 s
        # away: time to restart the server and let another client take the id first.
        setup.editor.wait_for_output("MCP | reconnecting (attempt 3;", after=before, timeout=30)
        setup.server = GodotAiServer("bridge_duplicate_2", setup.server.http_port,
                                     setup.server.ws_port).start()
        # Another client grabs the editor's id before the editor reconnects.
        with websockets.sync.client.connect(f"ws://127.0.0.1:{setup.server.ws_port}") as squatter:
            squatter.send(f'{{"type":"handshake","session_id":"{taken_id}",'
                          f'"godot_version":"4.6.3","project_path":"/squatter/",'
                          f'"plugin_version":"0","protocol_version":1}}')
            assert "handshake_ack" in squatter.recv(timeout=10)
            line = setup.editor.wait_for_output("MCP | disconnected (code 4001)", after=before,
                                                timeout=30)
            assert taken_id in line
            setup.editor.wait_for_output(CONNECTED, after=before + 1, timeout=30)
            ids = await session_ids_once_there_are(setup.server, 2)
            assert taken_id in ids
            [renamed] = ids - {taken_id}
            assert renamed.startswith("bridge-duplicate@")


async def test_quitting_the_editor_ends_its_session_on_the_server():
    with Setup("bridge_quit") as setup:
        async with Client(f"http://127.0.0.1:{setup.editor.port}/mcp") as client:
            structured(await client.call_tool("editor_manage", {"op": "quit"}))
        assert setup.editor.wait_for_exit() == 0
        with anyio.fail_after(10):
            while await sessions(setup.server):
                await anyio.sleep(0.1)
        output = setup.editor.output()
    assert "reconnecting" not in output


async def test_writes_through_the_godot_ai_server_change_the_editor():
    """A representative set of write tools, called on the real 2.4.2 server, which pages and
    shapes some results itself; each effect is checked in the editor or on disk."""
    with Setup("bridge_writes") as setup:
        await wait_for_scene(setup.server, "res://main.tscn")
        project = setup.editor.project
        async with Client(setup.server.mcp_url) as client:
            async def call(tool, arguments):
                return structured(await client.call_tool(tool, arguments))

            created = await call("node_create", {"type": "Node3D", "name": "Enemies"})
            assert created["path"] == "/Main/Enemies" and created["undoable"] is True
            moved = await call("node_set_property", {
                "path": "/Main/Enemies", "property": "position", "value": {"x": 1, "y": 0, "z": 2}})
            assert moved["value"] == {"x": 1.0, "y": 0.0, "z": 2.0}
            await call("node_manage", {"op": "reparent", "params": {
                "path": "/Main/Sun", "new_parent": "/Main/Enemies"}})
            await call("node_manage", {"op": "add_to_group", "params": {
                "path": "/Main/Enemies", "group": "spawners"}})
            found = await call("node_find", {"group": "spawners"})
            assert found["nodes"] == [{"name": "Enemies", "type": "Node3D", "path": "/Main/Enemies"}]
            assert found["total_count"] == 1 and found["has_more"] is False

            rolled = await call("batch_execute", {"commands": [
                {"command": "create_node", "params": {"type": "Node", "name": "Temp"}},
                {"command": "delete_node", "params": {"path": "/Main/Nope"}},
            ]})
            assert rolled["rolled_back"] is True and rolled["stopped_at"] == 1

            await call("script_create", {"path": "res://enemies.gd", "content": "extends Node3D\n"})
            assert (project / "enemies.gd").read_text() == "extends Node3D\n"
            search = await call("filesystem_manage", {"op": "search", "params": {"name": "enemies"}})
            assert [f["path"] for f in search["files"]] in ([], ["res://enemies.gd"])

            logs = await call("logs_read", {"count": 200})
            assert "MCP | [send] batch_execute -> ok" in logs["lines"]

            await call("scene_save", {})
        text = (project / "main.tscn").read_text()
        assert '[node name="Enemies" type="Node3D" parent="."' in text and 'groups=["spawners"]' in text
        assert '[node name="Sun" type="DirectionalLight3D" parent="Enemies"' in text
        assert 'name="Temp"' not in text
