"""Editor, session, log, monitor, search and script-outline tools and the godot:// resources,
on the real editor through the MCP endpoint."""

from __future__ import annotations

import json

import pytest

from conftest import editor_with_main_scene, structured
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio

PLAYER = """class_name Player
extends CharacterBody2D

signal died

@export var speed: float = 200.0

func _ready() -> void:
\tpass

func hurt(amount: int) -> void:
\tif amount > 0:
\t\tdied.emit()
"""


DOT = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><circle cx="4" cy="4" r="3"/></svg>'


async def call(client, tool, arguments):
    return structured(await client.call_tool(tool, arguments))


async def error_text(client, tool, arguments) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, result
    return result.content[0].text


async def test_sessions_logs_and_monitors(editor):
    async with Client(editor.url) as client:
        sessions = await call(client, "session_manage", {"op": "list"})
        assert sessions["count"] == 1
        session = sessions["sessions"][0]
        assert session["session_id"].startswith("test-project@")
        assert session["editor_pid"] == editor.process.pid
        assert session["current_scene"] == "res://main.tscn" and session["is_active"] is True

        mine = await call(client, "editor_state", {"session_id": session["session_id"]})
        assert mine["current_scene"] == "res://main.tscn"
        elsewhere = await error_text(client, "editor_state", {"session_id": "other-game@0000"})
        assert elsewhere.startswith("INVALID_PARAMS: Session other-game@0000 not found: this "
                                    "endpoint runs inside one editor")

        activated = await call(client, "session_activate", {"session_id": session["session_id"]})
        assert activated == {"status": "ok", "active_session_id": session["session_id"],
                             "matched": "exact_id"}
        by_hint = await call(client, "session_activate", {"session_id": "test-proj"})
        assert by_hint["matched"] == "hint"
        other = await call(client, "session_activate", {"session_id": "elsewhere@0000"})
        assert other["status"] == "error" and other["available"][0]["session_id"] == session["session_id"]

        await call(client, "editor_state", {})
        logs = await call(client, "logs_read", {"count": 500})
        assert any(line.startswith("MCP | MCP endpoint listening on") for line in logs["lines"])
        assert "MCP | [recv] get_editor_state({})" in logs["lines"]
        assert "MCP | [send] get_editor_state -> ok" in logs["lines"]
        assert logs["total_count"] == len(logs["lines"]) and logs["has_more"] is False
        page = await call(client, "logs_read", {"count": 1, "offset": 1})
        assert page["lines"] == logs["lines"][1:2] and page["has_more"] is True
        game = await call(client, "logs_read", {"source": "game"})
        assert game["lines"] == [] and game["is_running"] is False
        output = await call(client, "logs_read", {"source": "editor", "count": 2000})
        assert any(line["text"].startswith("MCP | MCP endpoint listening on")
                   for line in output["lines"]), output["lines"][:20]
        # Polling by cursor: from the last line on gives exactly that line, and the next cursor.
        last = output["next_cursor"] - 1
        assert output["appended_total"] == output["next_cursor"] >= len(output["lines"])
        tail = await call(client, "logs_read", {"source": "editor", "since_cursor": last})
        assert tail["lines"][0] == output["lines"][-1]
        assert tail["cursor"] == last and tail["truncated"] is False
        assert tail["next_cursor"] == last + len(tail["lines"])
        bad = await error_text(client, "logs_read", {"source": "nope"})
        assert bad.startswith("VALUE_OUT_OF_RANGE: Invalid source 'nope'")

        cleared = await call(client, "editor_manage", {"op": "logs_clear"})
        assert cleared["cleared_count"] >= len(logs["lines"])
        after = await call(client, "logs_read", {})
        assert after["lines"] == ["MCP | [send] clear_logs -> ok",
                                  "MCP | [recv] get_logs({\"count\":500,\"source\":\"plugin\"})"]

        monitors = await call(client, "editor_manage", {"op": "monitors_get"})
        assert monitors["monitor_count"] == 30 and monitors["monitors"]["object/node_count"] > 0
        some = await call(client, "editor_manage", {"op": "monitors_get", "params": {
            "monitors": ["time/fps", "no/such"]}})
        assert list(some["monitors"]) == ["time/fps"] and some["unknown"] == ["no/such"]

        shot = await error_text(client, "editor_screenshot", {})
        assert shot.startswith("EDITOR_NOT_READY: Screenshots need a renderer, and this editor runs headless")


async def test_resources_read_the_editor(editor):
    async with Client(editor.url) as client:
        listed = {resource.uri for resource in (await client.list_resources()).resources}
        assert {"godot://editor/state", "godot://scene/hierarchy", "godot://sessions"} <= listed
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
        assert "godot://node/{path*}/properties" in templates

        async def body(uri):
            result = await client.read_resource(uri)
            return json.loads(result.contents[0].text)

        assert (await body("godot://scene/current"))["current_scene"] == "res://main.tscn"
        tree = await body("godot://scene/hierarchy")
        assert [node["path"] for node in tree["nodes"]][:2] == ["/Main", "/Main/Camera3D"]
        camera = await body("godot://node/Main/Camera3D/properties")
        assert camera["node_type"] == "Camera3D"
        children = await body("godot://node/Main/World/children")
        assert [child["name"] for child in children["children"]] == ["Ground"]
        settings = await body("godot://project/settings")
        assert settings["settings"]["application/run/main_scene"] == "res://main.tscn"
        info = await body("godot://project/info")
        assert info["project_path"].rstrip("/").endswith("test_project") and "is_active" not in info
        missing = await body("godot://node/Main/Nope/properties")
        assert missing["error"].startswith("NODE_NOT_FOUND: Node not found: /Main/Nope.")
        materials = await body("godot://materials")
        assert materials == {"materials": [], "count": 0}
        assert (await body("godot://test/results"))["total"] == 0
        assert await body("godot://custom-tools") == {"tool_count": 0, "tools": []}
        with pytest.raises(Exception, match="No resource at 'godot://nope'"):
            await client.read_resource("godot://nope")


async def test_scripts_are_patched_outlined_and_found():
    project = make_project("search")
    editor = await editor_with_main_scene(project, "search")
    try:
        async with Client(editor.url) as client:
            await call(client, "script_create", {"path": "res://player.gd", "content": PLAYER})
            outline = await call(client, "script_manage", {"op": "find_symbols", "params": {
                "path": "res://player.gd"}})
            assert outline["class_name"] == "Player" and outline["extends"] == "CharacterBody2D"
            assert outline["functions"] == [{"name": "_ready", "line": 8}, {"name": "hurt", "line": 11}]
            assert outline["signals"] == ["died"] and outline["exports"] == [{"name": "speed", "line": 6}]

            # Each call follows the previous file write at once, as an agent's would.
            patched = await call(client, "script_patch", {
                "path": "res://player.gd", "old_text": "200.0", "new_text": "300.0"})
            assert patched["replacements"] == 1 and patched["undoable"] is False
            assert "speed: float = 300.0" in (project / "player.gd").read_text()
            twice = await call(client, "script_patch", {
                "path": "res://player.gd", "old_text": "\tpass", "new_text": "\treturn"})
            assert twice["replacements"] == 1
            assert "\treturn\n" in (project / "player.gd").read_text()
            ambiguous = await error_text(client, "script_patch", {
                "path": "res://player.gd", "old_text": "func ", "new_text": "static func "})
            assert ambiguous.startswith(
                "INVALID_PARAMS: old_text matches 2 times; pass replace_all=true")
            absent = await error_text(client, "script_patch", {
                "path": "res://player.gd", "old_text": "no such text", "new_text": ""})
            assert absent.startswith("INVALID_PARAMS: old_text not found in res://player.gd")

            scripts = await call(client, "filesystem_manage", {"op": "search", "params": {"type": "GDScript"}})
            assert {"path": "res://player.gd", "type": "GDScript"} in scripts["files"]
            scenes = await call(client, "filesystem_manage", {"op": "search", "params": {"name": "MAIN"}})
            assert scenes["files"] == [{"path": "res://main.tscn", "type": "PackedScene"}]
            assert scenes["total_count"] == 1 and scenes["has_more"] is False
            no_filter = await error_text(client, "filesystem_manage", {"op": "search", "params": {}})
            assert no_filter == "MISSING_REQUIRED_PARAM: At least one filter (name, type, path) is required"

            await call(client, "filesystem_manage", {"op": "write_text", "params": {
                "path": "res://dot.svg", "content": DOT}})
            reimported = await call(client, "filesystem_manage", {
                "op": "reimport", "params": {"paths": ["res://dot.svg", "res://gone.png", "res://../x"]}})
            assert reimported["reimported"] == ["res://dot.svg"]
            assert (project / "dot.svg.import").is_file()
            assert reimported["not_found"][0] == "res://gone.png (file does not exist)"
            assert reimported["not_found"][1].startswith("res://../x (Path must not contain '..'")
    finally:
        editor.kill()


async def test_unknown_commands_say_which_they_are(editor):
    """(Every command godot-ai's servers send is built: the plugin's unit tests check it.)"""
    async with Client(editor.url) as client:
        typo = await client.call_tool("batch_execute", {"commands": [{"command": "node_create"}]})
        assert typo.is_error and typo.content[0].text.startswith(
            "UNKNOWN_COMMAND: commands[0]: unknown plugin command 'node_create'.")


async def test_the_game_runs_and_stops_and_writes_wait_for_it():
    project = make_project("run_stop")
    editor = await editor_with_main_scene(project, "run_stop")
    try:
        async with Client(editor.url) as client:
            not_running = await error_text(client, "project_manage", {"op": "stop"})
            assert not_running == "INVALID_PARAMS: Project is not running"
            bad_mode = await error_text(client, "project_run", {"mode": "fast"})
            assert bad_mode.startswith("VALUE_OUT_OF_RANGE: Invalid mode 'fast'")
            missing = await error_text(client, "project_run", {"mode": "custom", "scene": "res://nope.tscn"})
            assert missing == "RESOURCE_NOT_FOUND: Scene not found: res://nope.tscn"

            started = await call(client, "project_run", {"autosave": False})
            assert started == {"mode": "main", "scene": "", "autosave": False, "undoable": False,
                               "reason": "Play/stop is a runtime action"}
            state = await call(client, "editor_state", {})
            assert state["is_playing"] is True and state["readiness"] == "playing"
            refused = await error_text(client, "node_create", {"type": "Node"})
            assert refused.startswith("EDITOR_NOT_READY: Editor is in play mode")
            again = await error_text(client, "project_run", {})
            assert again.startswith("INVALID_PARAMS: Project is already running")

            stopped = await call(client, "project_manage", {"op": "stop"})
            assert stopped["stopped"] is True and stopped["readiness_after"] == "ready"
            assert (await call(client, "editor_state", {}))["is_playing"] is False
    finally:
        editor.kill()
