"""The bridge against the real godot-ai servers (2.4.2, and 3.2.5 where marked): an MCP
client talks to the server, the server talks to our editor over protocol v1."""

from __future__ import annotations

import contextlib
import os
import signal
import time

import pytest
import websockets.sync.client

from conftest import structured
from editor_harness import Client, Editor, free_port, make_project, wait_until_async
from godot_ai_server import GodotAiServer
from test_tiles_and_grids import TILESET
from wave_tools_addon import TOOL_NAMES, install_wave_tools

pytestmark = pytest.mark.anyio

CONNECTED = "MCP | connected to server"

HUD_SUITE = """@tool
extends McpTestSuite


func test_the_title_is_there() -> void:
	assert_true(EditorInterface.get_edited_scene_root().has_node("HUD"))


func test_this_one_fails() -> void:
	assert_eq(1, 2, "one is not two")
"""


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


async def sessions_once(server: GodotAiServer, what: str, accept, timeout: float = 30) -> list[dict]:
    """The server's session list once `accept(sessions)` holds, polled (bounded): the server
    learns of an editor from its handshake, a moment after the socket opens, and of its scene
    and readiness from events after that; it announces neither."""
    seen = []

    async def accepted():
        seen.append(await sessions(server))
        return accept(seen[-1])

    await wait_until_async(accepted, timeout, f"the godot-ai server to list {what}",
                           lambda: f"its last list: {seen[-1]!r}\n{server.tail()}" if seen else "")
    return seen[-1]


async def session_ids_once_there_are(server: GodotAiServer, count: int, timeout: float = 30) -> set:
    listing = await sessions_once(server, f"{count} session(s)", lambda s: len(s) == count, timeout)
    return {session["session_id"] for session in listing}


async def wait_for_scene(server: GodotAiServer, scene: str, timeout: float = 60) -> None:
    """Waits until the editor behind the server has loaded the scene given on its command line
    (asked through the server, which must also know the session by then)."""
    seen = []

    async def opened():
        async with Client(server.mcp_url) as client:
            result = await client.call_tool("editor_state", {})
        seen.append(result.content[0].text if result.is_error
                    else result.structured_content.get("current_scene"))
        return seen[-1] == scene

    await wait_until_async(opened, timeout, f"the editor behind the server to open {scene}",
                           lambda: f"last answer: {seen[-1]!r}\n{server.tail()}" if seen else "")


SERVER_VERSIONS = pytest.mark.parametrize("version", ["2.4.2", "3.2.5"])


@SERVER_VERSIONS
async def test_the_server_lists_our_session_with_real_fields(version):
    with Setup("bridge_session", version) as setup:
        [session] = await sessions_once(
            setup.server, "the editor's session with main.tscn open and ready",
            lambda listed: len(listed) == 1 and listed[0]["current_scene"] == "res://main.tscn"
            and listed[0]["readiness"] == "ready")
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
        # Taken before the kill, so that `back_at - killed_at` is at least the time from the
        # disconnect to the server's return, however late the editor's line is seen.
        killed_at = time.monotonic()
        setup.server.kill()
        disconnected, _ = setup.editor.wait_for_line("MCP | disconnected (code", after=before,
                                                     timeout=30)
        setup.server = GodotAiServer("bridge_restart_2", setup.server.http_port,
                                     setup.server.ws_port, version).start()
        back_at = time.monotonic()
        setup.editor.wait_for_output(CONNECTED, after=disconnected, timeout=30)
        reconnected = time.monotonic()
        # Retries come 1, 2, 4, 8... s after each other, so at any moment the next one is at
        # most (time since the disconnect + 1 s) away. One more second covers the dial, the
        # handshake and seeing the line.
        down = back_at - killed_at
        assert reconnected - back_at <= down + 1.0 + 1.0, (
            f"the server was back {down:.1f}s after the kill, the editor only "
            f"{reconnected - back_at:.1f}s after that")
        [session_id] = await session_ids_once_there_are(setup.server, 1)
        assert session_id.startswith("bridge-restart@")


async def test_a_duplicate_session_id_is_handled_by_reconnecting_under_a_new_id():
    with Setup("bridge_duplicate") as setup:
        [taken_id] = await session_ids_once_there_are(setup.server, 1)
        before = len(setup.editor.output_lines())
        setup.server.kill()
        disconnected, _ = setup.editor.wait_for_line("MCP | disconnected (code", after=before,
                                                     timeout=30)
        # Another client must grab the editor's id before the editor reconnects: the editor is
        # paused (SIGSTOP) meanwhile, so this order does not depend on how long the server
        # takes to start. Its overdue retry runs as soon as it continues.
        with contextlib.ExitStack() as held:
            os.kill(setup.editor.process.pid, signal.SIGSTOP)
            try:
                setup.server = GodotAiServer("bridge_duplicate_2", setup.server.http_port,
                                             setup.server.ws_port).start()
                squatter = held.enter_context(
                    websockets.sync.client.connect(f"ws://127.0.0.1:{setup.server.ws_port}"))
                squatter.send(f'{{"type":"handshake","session_id":"{taken_id}",'
                              f'"godot_version":"4.6.3","project_path":"/squatter/",'
                              f'"plugin_version":"0","protocol_version":1}}')
                acknowledged = squatter.recv(timeout=10)
            finally:
                os.kill(setup.editor.process.pid, signal.SIGCONT)
            assert "handshake_ack" in acknowledged
            refused, line = setup.editor.wait_for_line("MCP | disconnected (code 4001)",
                                                       after=disconnected, timeout=30)
            assert taken_id in line
            setup.editor.wait_for_output(CONNECTED, after=refused, timeout=30)
            ids = await session_ids_once_there_are(setup.server, 2)
            assert taken_id in ids
            [renamed] = ids - {taken_id}
            assert renamed.startswith("bridge-duplicate@")


async def test_quitting_the_editor_ends_its_session_on_the_server():
    with Setup("bridge_quit") as setup:
        async with Client(f"http://127.0.0.1:{setup.editor.port}/mcp") as client:
            structured(await client.call_tool("editor_manage", {"op": "quit"}))
        assert setup.editor.wait_for_exit() == 0
        # The editor closed its socket on the way out; the server drops the session when it
        # sees the close.
        assert await sessions_once(setup.server, "no session", lambda listed: listed == [],
                                   timeout=10) == []
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
            # The editor's file index already has the new script: the next call sees it.
            search = await call("filesystem_manage", {"op": "search", "params": {"name": "enemies"}})
            assert [f["path"] for f in search["files"]] == ["res://enemies.gd"]

            logs = await call("logs_read", {"count": 200})
            assert "MCP | [send] batch_execute -> ok" in logs["lines"]

            await call("scene_save", {})
        text = (project / "main.tscn").read_text()
        assert '[node name="Enemies" type="Node3D" parent="."' in text and 'groups=["spawners"]' in text
        assert '[node name="Sun" type="DirectionalLight3D" parent="Enemies"' in text
        assert 'name="Temp"' not in text


async def test_camera_audio_material_and_animation_tools_through_the_3_2_5_server_change_the_editor():
    """godot-ai 3.2.5's server fills its own defaults (parent_path, name, type...) and sends
    the commands to our plugin; the effects are checked in the saved files."""
    with Setup("bridge_domains", "3.2.5") as setup:
        await wait_for_scene(setup.server, "res://main.tscn")
        async with Client(setup.server.mcp_url) as client:
            async def manage(tool, op, params):
                result = await client.call_tool(tool, {"op": op, "params": params})
                assert not result.is_error, result.content[0].text
                return structured(result)

            preset = await manage("camera_manage", "apply_preset", {
                "preset": "action_3d", "name": "Chase", "parent_path": "/Main"})
            assert preset["path"] == "/Main/Chase" and preset["class"] == "Camera3D"
            assert preset["applied"] == ["fov", "near", "far", "projection"]
            chase = await manage("camera_manage", "get", {"camera_path": "/Main/Chase"})
            assert chase["current"] is True and chase["properties"]["far"] == 200.0
            player = await manage("audio_manage", "player_create", {
                "parent_path": "/Main/World", "name": "Wind"})
            assert player["path"] == "/Main/World/Wind" and player["class"] == "AudioStreamPlayer"
            await manage("audio_manage", "player_set_playback", {
                "player_path": "/Main/World/Wind", "volume_db": -12.0})
            created = await manage("material_manage", "create", {
                "path": "res://materials/rock.tres"})
            assert created["class"] == "StandardMaterial3D"
            await manage("material_manage", "set_param", {
                "path": "res://materials/rock.tres", "param": "roughness", "value": 0.75})
            await manage("material_manage", "assign", {
                "node_path": "/Main/World/Ground", "resource_path": "res://materials/rock.tres"})
            bob = await client.call_tool("animation_create", {
                "player_path": "/Main/World/Anim", "name": "bob", "length": 2,
                "loop_mode": "linear"})
            assert not bob.is_error, bob.content[0].text
            assert structured(bob)["animation_player_created"] is True
            await manage("animation_manage", "add_property_track", {
                "player_path": "/Main/World/Anim", "animation_name": "bob",
                "track_path": "Ground:position",
                "keyframes": [{"time": 0, "value": {"x": 0, "y": 0, "z": 0}},
                              {"time": 1, "value": {"x": 0, "y": 1, "z": 0}}]})
            pulse = await manage("animation_manage", "preset_pulse", {
                "player_path": "/Main/World/Anim", "target_path": "Ground"})
            assert pulse["animation_name"] == "pulse" and pulse["length"] == 0.4
            await manage("animation_manage", "set_autoplay", {
                "player_path": "/Main/World/Anim", "animation_name": "bob"})
            await client.call_tool("scene_save", {})
        text = (setup.editor.project / "main.tscn").read_text()
        assert '[node name="Anim" type="AnimationPlayer" parent="World"' in text
        assert 'tracks/0/path = NodePath("Ground:position")' in text
        assert 'NodePath("Ground:scale")' in text and 'autoplay = &"bob"' in text
        assert '[node name="Chase" type="Camera3D" parent="."' in text
        assert "far = 200.0" in text and "current = true" in text
        assert '[node name="Wind" type="AudioStreamPlayer" parent="World"' in text
        assert "volume_db = -12.0" in text
        assert 'path="res://materials/rock.tres"' in text
        rock = (setup.editor.project / "materials" / "rock.tres").read_text()
        assert "roughness = 0.75" in rock


async def test_an_addons_custom_tools_reach_the_3_2_5_server_and_run_in_the_editor():
    """The bridge announces the registered tools (custom_tools_changed); 3.2.5's server lists
    them from what it was told, promotes spawn_wave, and sends custom_tool:<name> to run one."""
    setup = Setup("bridge_custom_tools", "3.2.5")
    install_wave_tools(setup.editor.project)
    with setup:
        await wait_for_scene(setup.server, "res://main.tscn")
        async with Client(setup.server.mcp_url) as client:
            async def listed():
                result = structured(await client.call_tool("custom_manage", {"op": "list"}))
                return result if result["tool_count"] == len(TOOL_NAMES) else None

            listing = await wait_until_async(listed, 30, "the server to learn the custom tools",
                                             setup.server.tail)
            assert [tool["name"] for tool in listing["tools"]] == TOOL_NAMES
            assert listing["tools"][0]["source"] == "Wave Tools"
            spawned = await client.call_tool("custom_manage", {"op": "invoke", "params": {
                "tool_name": "spawn_wave", "params": {"count": 2}}})
            assert not spawned.is_error, spawned.content[0].text
            assert structured(spawned) == {"spawned": 2, "tool": "spawn_wave"}
            names = {tool.name for tool in (await client.list_tools()).tools}
            assert "custom_spawn_wave" in names
            counted = await client.call_tool("custom_manage", {"op": "invoke", "params": {
                "tool_name": "count_enemies"}})
            assert structured(counted) == {"enemies": 2}
            refused = await client.call_tool("custom_manage", {"op": "invoke", "params": {
                "tool_name": "refuse"}})
            assert refused.is_error
            assert refused.content[0].text.startswith("VALUE_OUT_OF_RANGE: count must be positive")


async def test_ui_theme_tile_csg_class_and_test_tools_through_the_3_2_5_server_change_the_editor():
    """Content domains II through godot-ai 3.2.5's own argument handling, checked in the saved
    files: a theme, a layout and a drawing, a painted layer, a carved block, the class
    reference, and a test run with its failure's line."""
    setup = Setup("bridge_domains_ii", "3.2.5")
    project = setup.editor.project
    (project / "tiles").mkdir()
    (project / "tiles" / "tiles.tres").write_text(TILESET)
    (project / "tests").mkdir()
    (project / "tests" / "test_hud.gd").write_text(HUD_SUITE)
    with setup:
        await wait_for_scene(setup.server, "res://main.tscn")
        async with Client(setup.server.mcp_url) as client:
            async def manage(tool, op, params):
                result = await client.call_tool(tool, {"op": op, "params": params})
                assert not result.is_error, result.content[0].text
                return structured(result)

            await manage("theme_manage", "create", {"path": "res://ui/hud.tres"})
            await manage("theme_manage", "set_stylebox_flat", {
                "theme_path": "res://ui/hud.tres", "class_name": "PanelContainer",
                "name": "panel", "bg_color": "#102030", "corners": {"all": 4}})
            built = await manage("ui_manage", "build_layout", {"parent_path": "/Main/HUD", "tree": {
                "type": "PanelContainer", "name": "Panel", "theme": "res://ui/hud.tres",
                "children": [{"type": "Label", "name": "Title", "properties": {"text": "Go"}}]}})
            assert built["root_path"] == "/Main/HUD/Panel"
            drawn = await manage("ui_manage", "draw_recipe", {"path": "/Main/HUD/Panel", "ops": [
                {"draw": "line", "from": [0, 0], "to": [10, 10], "color": "red"}]})
            assert drawn["ops_count"] == 1
            await client.call_tool("node_create", {"type": "TileMapLayer", "name": "Floor"})
            await client.call_tool("node_set_property", {
                "path": "/Main/Floor", "property": "tile_set", "value": "res://tiles/tiles.tres"})
            await manage("tilemap_manage", "tilemap_set_cell", {
                "path": "/Main/Floor", "source_id": 3, "atlas_col": 1, "atlas_row": 0,
                "map_x": 4, "map_y": 2})
            carved = await manage("csg_manage", "csg_create", {
                "parent_path": "/Main/World", "name": "Hole", "shape": "sphere",
                "operation": "subtraction"})
            assert carved["class"] == "CSGSphere3D"
            label = await manage("api_manage", "get_class", {"class_name": "Label"})
            assert label["parent_class"] == "Control"
            run = await client.call_tool("test_run", {"verbose": True})
            assert not run.is_error, run.content[0].text
            run = structured(run)
            assert (run["passed"], run["failed"]) == (1, 1), run
            assert run["failures"][0]["line"] == 10
            again = await manage("test_manage", "results_get", {})
            assert again["failed"] == 1
            await client.call_tool("scene_save", {})
        scene = (project / "main.tscn").read_text()
        assert '[node name="Panel" type="PanelContainer" parent="HUD"' in scene
        assert "draw_recipe.gd" in scene and "metadata/_ops" in scene
        assert '[node name="Floor" type="TileMapLayer" parent="."' in scene
        assert '[node name="Hole" type="CSGSphere3D" parent="World"' in scene
        assert "StyleBoxFlat" in (project / "ui" / "hud.tres").read_text()
