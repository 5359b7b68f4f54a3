"""The runtime loop on a real editor and a real game: run the game, read what it logged, walk
its live tree, press an input action and see its effect, evaluate code in it, stop it.

The game runs headless (the test project's run arguments), started by `project_run` and
reached over Godot's debugger connection."""

from __future__ import annotations

import pytest

from conftest import editor_with_main_scene, structured
from editor_harness import Client, Editor, free_port, make_project, wait_until_async
from godot_ai_server import GodotAiServer
from test_bridge_godot_ai import CONNECTED, wait_for_scene

pytestmark = pytest.mark.anyio

GAME_SCRIPT = """extends Node2D

func _ready() -> void:
\tprint("runtime test: the game has started")
\tpush_error("runtime test: a deliberate error")

func _unhandled_input(event: InputEvent) -> void:
\tif event.is_action_pressed("move_right"):
\t\t$Player.position.x += 10.0

func spin_forever() -> void:
\twhile true:
\t\tpass
"""

GAME_SCENE = """[gd_scene load_steps=2 format=3]

[ext_resource type="Script" path="res://game.gd" id="1"]

[node name="Main" type="Node2D"]
script = ExtResource("1")

[node name="Player" type="Node2D" parent="."]
position = Vector2(100, 50)

[node name="HUD" type="CanvasLayer" parent="."]

[node name="Start" type="Button" parent="HUD"]
offset_right = 80.0
offset_bottom = 30.0
text = "Start"
"""

INPUT_MAP = """
[input]

move_right={
"deadzone": 0.2,
"events": []
}
"""


def runtime_project(name: str = "runtime"):
    project = make_project(name)
    (project / "game.gd").write_text(GAME_SCRIPT)
    (project / "main.tscn").write_text(GAME_SCENE)
    settings = project / "project.godot"
    # The game must outlive the test's slowest run (an orphan still ends by itself).
    text = settings.read_text()
    assert "--quit-after 900\"" in text, "the test project's run arguments changed"
    text = text.replace("--quit-after 900\"", "--quit-after 9000\"")
    settings.write_text(text + INPUT_MAP)
    return project


async def call(client, tool, arguments):
    return structured(await client.call_tool(tool, arguments))


async def game(client, op, **params):
    return await call(client, "game_manage", {"op": op, "params": params})


async def error_text(client, tool, arguments) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, result
    return result.content[0].text


async def evaluate(client, code):
    return await client.call_tool("editor_manage", {"op": "game_eval", "params": {"code": code}})


async def test_run_watch_drive_and_ask_the_game():
    editor = await editor_with_main_scene(runtime_project(), "runtime")
    try:
        async with Client(editor.url) as client:
            before = await error_text(client, "game_manage", {"op": "get_scene_tree", "params": {}})
            assert before.startswith("EDITOR_NOT_READY: Game is not running")
            not_running = await evaluate(client, "return 1")
            assert not_running.is_error
            assert not_running.content[0].text.startswith("EVAL_GAME_NOT_READY: The game is not running")

            await call(client, "project_run", {"autosave": False})
            # The first game request waits for the starting game to say hello.
            tree = await game(client, "get_scene_tree", depth=3)
            assert tree["source"] == "game" and tree["root"] == "/Main"
            paths = {node["path"]: node["type"] for node in tree["nodes"]}
            assert paths["/Main/Player"] == "Node2D" and paths["/Main/HUD/Start"] == "Button"

            logs = await call(client, "logs_read", {"source": "game", "count": 100})
            texts = [line["text"] for line in logs["lines"]]
            assert "runtime test: the game has started" in texts
            errors = [line for line in logs["lines"] if line["level"] == "error"]
            assert any(line["text"] == "runtime test: a deliberate error (res://game.gd:5 @ _ready)"
                       for line in errors), errors
            assert logs["is_running"] is True and logs["run_id"] == logs["current_run_id"] != ""

            # The Debugger's Errors tab shows the error too; a person's view, cleared only when asked.
            async def debugger_rows():
                read = await call(client, "logs_read", {"source": "editor", "count": 500,
                                                        "include_details": True})
                return [line for line in read["lines"] if line.get("origin") == "debugger"]

            rows = await wait_until_async(debugger_rows, 10, "the error in the Errors tab")
            row = next(row for row in rows if "runtime test: a deliberate error" in row["text"])
            assert (row["level"], row["path"], row["line"], row["function"]) == (
                "error", "res://game.gd", 5, "_ready"), row
            assert any(detail["text"] == "game.gd:5 @ _ready()" for detail in row["details"]), row
            kept = await call(client, "editor_manage", {"op": "logs_clear", "params": {}})
            assert "debugger_errors_cleared" not in kept and len(await debugger_rows()) == len(rows)
            cleared = await call(client, "editor_manage", {
                "op": "logs_clear", "params": {"clear_debugger_errors": True}})
            assert cleared["debugger_errors_cleared"] == len(rows)
            assert await debugger_rows() == []

            player = await game(client, "get_node_info", path="/Main/Player")
            assert player["found"] is True and player["properties"]["position"] == {"x": 100.0, "y": 50.0}
            pressed = await game(client, "input_action", action="move_right")
            assert pressed["sent"] is True
            await game(client, "input_action", action="move_right", pressed=False)
            moved = await game(client, "get_node_info", path="/Main/Player", include_properties=True)
            assert moved["properties"]["position"] == {"x": 110.0, "y": 50.0}
            unknown = await game(client, "input_action", action="fly")
            assert unknown == {"sent": False, "action": "fly", "error": "Unknown action: fly",
                               "source": "game", "op": "input_action"}

            state = await call(client, "editor_state", {})
            assert state["game_capture_ready"] is True and state["game_status"]["status"] == "live"

            # Press on frame 0, release on frame 1: one press event, so one step of 10.
            played = await game(client, "input_sequence", steps=[
                {"at_frame": 0, "action": "move_right"},
                {"at_frame": 1, "action": "move_right", "pressed": False}])
            assert played["completed"] is True and played["steps_applied"] == 2
            assert played["frames_elapsed"] == 1 and played["actions_pressed_at_end"] == []
            after_sequence = await game(client, "get_node_info", path="/Main/Player")
            assert after_sequence["properties"]["position"] == {"x": 120.0, "y": 50.0}
            held = await game(client, "input_state", actions=["move_right"])
            assert held["actions"] == {"move_right": False}
            bad_button = await game(client, "input_gamepad", index=99)
            assert bad_button["sent"] is False and "button index" in bad_button["error"]

            ui = await game(client, "get_ui_elements")
            assert [(e["path"], e["text"]) for e in ui["elements"]] == [("/Main/HUD/Start", "Start")]

            four = structured(await evaluate(client, "2 + 2"))
            assert four == {"result": 4, "source": "game"}
            live = structured(await evaluate(
                client, "var p = get_tree().current_scene.get_node(\"Player\")\nreturn p.position.x"))
            assert live["result"] == 120.0
            awaited = structured(await evaluate(
                client, "await get_tree().process_frame\nreturn get_tree().current_scene.name"))
            assert awaited["result"] == "Main"

            spaces = structured(await evaluate(client, "if true:\n    return 3\nreturn 4"))
            assert spaces["result"] == 3
            said = structured(await evaluate(client, "print(\"said by an eval\")"))
            assert said["result"] is None
            said_logs = await call(client, "logs_read", {"source": "game", "count": 500})
            assert "said by an eval" in [line["text"] for line in said_logs["lines"]]
            shot = await error_text(client, "editor_screenshot", {"source": "game"})
            assert shot.startswith("EDITOR_NOT_READY: The game runs headless")

            broken = await evaluate(client, "var x = \nreturn x")
            assert broken.is_error
            assert broken.content[0].text.startswith("EVAL_COMPILE_ERROR: The code does not compile at line 1")
            failing = await evaluate(client, "var n = null\nreturn n.position")
            assert failing.is_error
            assert failing.content[0].text.startswith("EVAL_RUNTIME_ERROR: The code raised an error at line 2")
            # The game was continued past the error's debugger break and still answers.
            assert structured(await evaluate(client, "return 7"))["result"] == 7
            # Code that never returns: a clear error once the eval's time is up, not a hang.
            hung = await evaluate(client, "get_tree().current_scene.spin_forever()")
            assert hung.is_error
            assert hung.content[0].text.startswith("EVAL_HUNG: The code has run for")

            stopped = await call(client, "project_manage", {"op": "stop"})
            assert stopped["stopped"] is True
            after = await call(client, "logs_read", {"source": "game"})
            assert after["is_running"] is False and after["total_count"] >= 2
    finally:
        editor.kill()


async def test_the_runtime_tools_through_a_godot_ai_3_server():
    server = GodotAiServer("bridge_runtime", version="3.2.5").start()
    editor = Editor(runtime_project("bridge_runtime"), free_port(), "bridge_runtime",
                    extra_env={"GODOT_AI_WS_PORT": str(server.ws_port)})
    try:
        editor.start()
        editor.wait_for_output(CONNECTED)
        await wait_for_scene(server, "res://main.tscn")
        async with Client(server.mcp_url) as client:
            await call(client, "project_run", {"autosave": False})
            tree = await game(client, "get_scene_tree", depth=2)
            assert "/Main/Player" in [node["path"] for node in tree["nodes"]]
            await game(client, "input_action", action="move_right")
            moved = await game(client, "get_node_info", path="/Main/Player")
            assert moved["properties"]["position"] == {"x": 110.0, "y": 50.0}
            await game(client, "input_action", action="move_right", pressed=False)
            four = structured(await evaluate(client, "2 + 2"))
            assert four["result"] == 4
            broken = await evaluate(client, "var x = ")
            assert broken.is_error and "EVAL_COMPILE_ERROR" in broken.content[0].text
            logs = await call(client, "logs_read", {"source": "game", "count": 100})
            assert "runtime test: the game has started" in [line["text"] for line in logs["lines"]]
            assert logs["run_id"] != "" and logs["is_running"] is True
            stopped = await call(client, "project_manage", {"op": "stop"})
            assert stopped["stopped"] is True
    finally:
        editor.kill()
        server.kill()
