"""The link to a running game forms by itself: an agent that runs the game and then only reads
the editor's state sees the game become ready and reads what it logged, without ever asking
the game something first. On an idle machine and with the other core kept busy; for a game
that is slow to reach its first frame; and for a game that was running when the plugin
restarted.

The game runs headless (the test project's run arguments), started by `project_run`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import editor_with_main_scene, structured
from editor_harness import Client, make_project, wait_until_async

pytestmark = pytest.mark.anyio

RUNS = 20

ENDPOINT_LINE = "MCP | MCP endpoint listening on http://127.0.0.1:"

MARKER_GAME = """extends Node2D

func _ready() -> void:
\tprint("game link test: ready")
"""

# Holds its first frame until the test drops `res://go.flag`: a game still loading.
SLOW_GAME = """extends Node2D

func _ready() -> void:
\tprint("game link test: loading")
\twhile not FileAccess.file_exists("res://go.flag"):
\t\tOS.delay_msec(10)
\tprint("game link test: loaded")
"""

SCENE = """[gd_scene load_steps=2 format=3]

[ext_resource type="Script" path="res://game.gd" id="1"]

[node name="Main" type="Node2D"]
script = ExtResource("1")
"""


def game_project(name: str, script: str):
    project = make_project(name)
    (project / "game.gd").write_text(script)
    (project / "main.tscn").write_text(SCENE)
    return project


async def call(client, tool, arguments=None):
    return structured(await client.call_tool(tool, arguments or {}))


async def state(client):
    return await call(client, "editor_state")


async def game_ready(client):
    """editor_state, once it says the game answers requests."""
    current = await state(client)
    return current if current["game_capture_ready"] else None


async def run_and_read_marker(client, marker: str, seen_runs: set[str]) -> None:
    """One agent turn: run the game, read only the editor's state until the game is ready,
    then read the marker the game printed in `_ready`, then stop the game."""
    await call(client, "project_run", {"autosave": False})
    ready = await wait_until_async(lambda: game_ready(client), 30,
                                   "editor_state to say the game is ready")
    assert ready["game_status"] == {"status": "live", "helper_live": True,
                                    "session_active": True}, ready
    logs = await call(client, "logs_read", {"source": "game", "count": 200})
    run = logs["current_run_id"]
    assert run not in seen_runs, f"run id {run} was reused"
    seen_runs.add(run)
    assert logs["run_id"] == run and logs["is_running"] is True, logs
    assert marker in [line["text"] for line in logs["lines"] if line["run_id"] == run], logs
    stopped = await call(client, "project_manage", {"op": "stop"})
    assert stopped["stopped"] is True


@pytest.fixture(params=["idle", "busy"])
def machine(request):
    """`busy`: a CPU-bound process keeps a core busy for the whole test."""
    if request.param == "idle":
        yield request.param
        return
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield request.param
    finally:
        hog.kill()
        hog.wait()


async def test_the_link_forms_with_no_request_twenty_runs_in_a_row(machine):
    editor = await editor_with_main_scene(game_project(f"link_{machine}", MARKER_GAME),
                                          f"link_{machine}")
    try:
        seen_runs: set[str] = set()
        async with Client(editor.url) as client:
            for _ in range(RUNS):
                await run_and_read_marker(client, "game link test: ready", seen_runs)
        assert len(seen_runs) == RUNS
    finally:
        editor.kill()


async def test_a_game_slow_to_start_is_described_then_linked_with_its_early_lines():
    project = game_project("link_slow", SLOW_GAME)
    editor = await editor_with_main_scene(project, "link_slow")
    try:
        async with Client(editor.url) as client:
            await call(client, "project_run", {"autosave": False})

            async def described():
                current = await state(client)
                detail = current["game_status"].get("detail", "")
                return current if "has not answered the plugin yet" in detail else None

            waiting = await wait_until_async(described, 30,
                                             "editor_state to describe the starting game")
            assert waiting["game_capture_ready"] is False
            assert waiting["game_status"]["status"] == "launching"
            assert "first frame" in waiting["game_status"]["detail"]
            logs = await call(client, "logs_read", {"source": "game"})
            assert logs["game_status"]["status"] == "launching"
            assert "has not answered the plugin yet" in logs["game_status"]["detail"]
            assert logs["lines"] == [] or all(
                line["run_id"] != logs["current_run_id"] for line in logs["lines"])

            (project / "go.flag").write_text("go")
            ready = await wait_until_async(lambda: game_ready(client), 30,
                                           "editor_state to say the slow game is ready")
            assert "detail" not in ready["game_status"], ready
            logs = await call(client, "logs_read", {"source": "game"})
            texts = [line["text"] for line in logs["lines"]
                     if line["run_id"] == logs["current_run_id"]]
            # The line logged long before the link formed was kept and delivered, in order.
            assert texts[:2] == ["game link test: loading", "game link test: loaded"], logs
            assert "detail" not in logs["game_status"]
            await call(client, "project_manage", {"op": "stop"})
    finally:
        editor.kill()


async def test_a_running_game_links_again_after_the_plugin_restarts():
    editor = await editor_with_main_scene(game_project("link_reload", MARKER_GAME),
                                          "link_reload")
    try:
        async with Client(editor.url) as client:
            await call(client, "project_run", {"autosave": False})
            await wait_until_async(lambda: game_ready(client), 30,
                                   "editor_state to say the game is ready")
            lines_before = len(editor.output_lines())
            answer = await call(client, "editor_reload_plugin")
            assert answer["reloading"] is True
        editor.wait_for_output(ENDPOINT_LINE, after=lines_before, timeout=30)
        # The restarted plugin finds the game running and links to it again, unasked.
        async with Client(editor.url) as client:
            ready = await wait_until_async(lambda: game_ready(client), 30,
                                           "editor_state to say the game is ready again")
            assert ready["is_playing"] is True
            said = await client.call_tool("editor_manage", {
                "op": "game_eval", "params": {"code": "print(\"said after the reload\")"}})
            assert not said.is_error, said
            logs = await call(client, "logs_read", {"source": "game", "count": 200})
            assert "said after the reload" in [line["text"] for line in logs["lines"]]
            await call(client, "project_manage", {"op": "stop"})
    finally:
        editor.kill()
