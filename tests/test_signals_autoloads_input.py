"""Signals, autoloads and the input map through the MCP endpoint (signal_manage,
autoload_manage, input_map_manage), checked in the editor, in the saved scene and in
project.godot, and again in a fresh editor on the same project."""

from __future__ import annotations

import pytest

from conftest import editor_with_main_scene, structured
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio

WORLD_SCRIPT = "extends Node3D\n\nfunc _on_timeout() -> void:\n\tpass\n"
GAME_SCRIPT = "extends Node\n"
BUS_SCRIPT = "@tool\nextends Node\n\nfunc on_main_ready() -> void:\n\tpass\n"
CONNECTION = '[connection signal="timeout" from="Timer" to="World" method="_on_timeout"]'
TIMEOUT_TO_WORLD = {"path": "/Main/Timer", "signal": "timeout",
                    "target": "/Main/World", "method": "_on_timeout"}


async def ok(client, tool, arguments) -> dict:
    """One call, as an agent makes it (no retry, even right after a file write)."""
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content[0].text
    return structured(result)


async def error(client, tool, arguments) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, result
    return result.content[0].text


async def op(client, tool, name, params=None):
    return await ok(client, tool, {"op": name, "params": params or {}})


async def op_error(client, tool, name, params=None):
    return await error(client, tool, {"op": name, "params": params or {}})


async def rolled_back_batch(client, command: str) -> None:
    """Runs `command` on Timer.timeout -> World._on_timeout in a batch whose next command
    fails, and checks that it ran and was undone."""
    batch = await ok(client, "batch_execute", {"commands": [
        {"command": command, "params": TIMEOUT_TO_WORLD},
        {"command": "delete_node", "params": {"path": "/Main/Nope"}}]})
    assert batch["results"][0]["status"] == "ok", batch
    assert batch["results"][0]["data"]["undoable"] is True
    assert batch["rolled_back"] is True, batch


def section(project, name: str) -> str:
    """The `[name]` section of project.godot ("" when absent)."""
    text = (project / "project.godot").read_text()
    start = text.find(f"[{name}]")
    if start < 0:
        return ""
    end = text.find("\n[", start + 1)
    return text[start:] if end < 0 else text[start:end]


async def test_signals_connect_persist_in_the_scene_and_errors_guide_the_agent():
    project = make_project("signals")
    editor = await editor_with_main_scene(project, "signals_1")
    try:
        async with Client(editor.url) as client:
            await ok(client, "script_create", {"path": "res://scripts/world.gd",
                                               "content": WORLD_SCRIPT})
            await ok(client, "script_attach", {"path": "/Main/World",
                                               "script_path": "res://scripts/world.gd"})
            timer = await ok(client, "node_create", {"type": "Timer", "name": "Timer"})
            assert timer["path"] == "/Main/Timer"

            listing = await op(client, "signal_manage", "list", {"path": "/Main/Timer"})
            assert listing["path"] == "/Main/Timer"
            timeout = next(s for s in listing["signals"] if s["name"] == "timeout")
            assert timeout == {"name": "timeout", "args": []}
            entered = next(s for s in listing["signals"] if s["name"] == "child_entered_tree")
            assert entered["args"] == [{"name": "node", "type": "Object"}]
            assert listing["signal_count"] == len(listing["signals"])
            assert listing["connections"] == [] and listing["connection_count"] == 0

            # Connecting is an editor undo step: a failed batch rolls it back.
            await rolled_back_batch(client, "connect_signal")
            listing = await op(client, "signal_manage", "list", {"path": "/Main/Timer"})
            assert listing["connections"] == []

            connected = await op(client, "signal_manage", "connect", TIMEOUT_TO_WORLD)
            assert connected == {"source": "/Main/Timer", "signal": "timeout",
                                 "target": "/Main/World", "method": "_on_timeout",
                                 "undoable": True}
            listing = await op(client, "signal_manage", "list", {"path": "Timer"})
            assert listing["connections"] == [
                {"signal": "timeout", "target": "/Main/World", "method": "_on_timeout"}]
            assert listing["connection_count"] == 1
            everything = await op(client, "signal_manage", "list",
                                  {"path": "/Main/Timer", "include_editor": True})
            assert everything["editor_connection_count"] == 0
            assert everything["connection_count"] >= 1

            again = await op_error(client, "signal_manage", "connect", TIMEOUT_TO_WORLD)
            assert again.startswith("INVALID_PARAMS: Signal 'timeout' already connected to "
                                    "/Main/World._on_timeout")
            typo = await op_error(client, "signal_manage", "connect",
                                  {**TIMEOUT_TO_WORLD, "signal": "timout"})
            assert typo.startswith(
                "PROPERTY_NOT_ON_CLASS: Signal 'timout' not found on /Main/Timer. "
                "Did you mean: timeout")
            no_method = await op_error(client, "signal_manage", "connect",
                                       {**TIMEOUT_TO_WORLD, "method": "_on_tick"})
            assert no_method.startswith(
                "PROPERTY_NOT_ON_CLASS: Method '_on_tick' not found on /Main/World.")
            assert "script_attach" in no_method
            no_target = await op_error(client, "signal_manage", "connect",
                                       {**TIMEOUT_TO_WORLD, "target": "/Main/Wrold"})
            assert no_target.startswith(
                "NODE_NOT_FOUND: Target node not found: /Main/Wrold "
                "(not in scene tree or autoloads)")
            assert 'Did you mean "/Main/World"?' in no_target
            no_source = await op_error(client, "signal_manage", "disconnect",
                                       {**TIMEOUT_TO_WORLD, "path": "/Main/Nope"})
            assert no_source.startswith("NODE_NOT_FOUND: Source node not found: /Main/Nope")
            missing = await op_error(client, "signal_manage", "connect",
                                     {"path": "/Main/Timer", "signal": "timeout"})
            assert missing == "MISSING_REQUIRED_PARAM: Missing required param: target"
            no_node = await op_error(client, "signal_manage", "list", {"path": "/Main/Nope"})
            assert no_node.startswith("NODE_NOT_FOUND: Node not found: /Main/Nope.")

            saved = await ok(client, "scene_save", {})
            assert saved["path"] == "res://main.tscn"
            assert CONNECTION in (project / "main.tscn").read_text()

            disconnected = await op(client, "signal_manage", "disconnect", TIMEOUT_TO_WORLD)
            assert disconnected == connected
            listing = await op(client, "signal_manage", "list", {"path": "/Main/Timer"})
            assert listing["connections"] == []
            not_connected = await op_error(client, "signal_manage", "disconnect",
                                           TIMEOUT_TO_WORLD)
            assert not_connected.startswith(
                "INVALID_PARAMS: Signal 'timeout' is not connected to /Main/World._on_timeout")
            unknown = await op_error(client, "signal_manage", "disconnect",
                                     {**TIMEOUT_TO_WORLD, "signal": "no_such_signal"})
            assert unknown.startswith("INVALID_PARAMS: Signal 'no_such_signal' is not connected")

            await ok(client, "scene_save", {})
            assert CONNECTION not in (project / "main.tscn").read_text()
            # Disconnecting too: rolled back, the connection is back (and still persistent).
            await op(client, "signal_manage", "connect", TIMEOUT_TO_WORLD)
            await rolled_back_batch(client, "disconnect_signal")
            await ok(client, "scene_save", {})
            assert CONNECTION in (project / "main.tscn").read_text()

        editor.kill()
        editor = await editor_with_main_scene(project, "signals_2")
        async with Client(editor.url) as client:
            listing = await op(client, "signal_manage", "list", {"path": "/Main/Timer"})
            assert listing["connections"] == [
                {"signal": "timeout", "target": "/Main/World", "method": "_on_timeout"}]
    finally:
        editor.kill()


async def test_autoloads_are_declared_in_project_godot():
    project = make_project("autoloads")
    editor = await editor_with_main_scene(project, "autoloads_1")
    try:
        async with Client(editor.url) as client:
            await ok(client, "script_create", {"path": "res://scripts/game.gd",
                                               "content": GAME_SCRIPT})
            await ok(client, "script_create", {"path": "res://scripts/bus.gd",
                                               "content": BUS_SCRIPT})
            before = await op(client, "autoload_manage", "list")
            assert before["count"] == len(before["autoloads"])
            assert "Game" not in [a["name"] for a in before["autoloads"]]

            added = await op(client, "autoload_manage", "add",
                             {"name": "Game", "path": "res://scripts/game.gd"})
            assert added == {"name": "Game", "path": "res://scripts/game.gd", "singleton": True,
                             "undoable": False,
                             "reason": "Autoload changes are saved to project.godot"}
            assert 'Game="*res://scripts/game.gd"' in section(project, "autoload")
            helper = await op(client, "autoload_manage", "add",
                              {"name": "Helper", "path": "res://scripts/game.gd",
                               "singleton": False})
            assert helper["singleton"] is False
            assert 'Helper="res://scripts/game.gd"' in section(project, "autoload")

            listing = await op(client, "autoload_manage", "list")
            assert {"name": "Game", "path": "res://scripts/game.gd", "singleton": True} \
                in listing["autoloads"]
            assert {"name": "Helper", "path": "res://scripts/game.gd", "singleton": False} \
                in listing["autoloads"]
            assert listing["count"] == before["count"] + 2

            duplicate = await op_error(client, "autoload_manage", "add",
                                       {"name": "Game", "path": "res://scripts/game.gd"})
            assert duplicate.startswith("INVALID_PARAMS: Autoload 'Game' already exists")
            relative = await op_error(client, "autoload_manage", "add",
                                      {"name": "X", "path": "scripts/game.gd"})
            assert relative == ("VALUE_OUT_OF_RANGE: Path must start with res:// "
                                "(got: scripts/game.gd)")
            absent = await op_error(client, "autoload_manage", "add",
                                    {"name": "X", "path": "res://scripts/nope.gd"})
            assert absent.startswith("RESOURCE_NOT_FOUND: File not found: res://scripts/nope.gd")
            nameless = await op_error(client, "autoload_manage", "add",
                                      {"path": "res://scripts/game.gd"})
            assert nameless == "MISSING_REQUIRED_PARAM: Missing required param: name"

            # A declared autoload the editor does not instance cannot be wired at edit time.
            runtime_only = await op_error(client, "signal_manage", "connect", {
                "path": "/Main/World", "signal": "ready", "target": "/Game",
                "method": "queue_free"})
            assert runtime_only.startswith(
                "INVALID_PARAMS: Target 'Game' is a declared autoload but isn't instantiated "
                "in the editor.")

            removed = await op(client, "autoload_manage", "remove", {"name": "Game"})
            assert removed == {"name": "Game", "removed": True, "undoable": False,
                               "reason": "Autoload changes are saved to project.godot"}
            assert "Game=" not in section(project, "autoload")
            assert (project / "scripts" / "game.gd").exists(), "the file stays"
            gone = await op_error(client, "autoload_manage", "remove", {"name": "Game"})
            assert gone.startswith("NODE_NOT_FOUND: Autoload 'Game' not found")
            await op(client, "autoload_manage", "add", {"name": "Bus",
                                                        "path": "res://scripts/bus.gd"})

        editor.kill()
        editor = await editor_with_main_scene(project, "autoloads_2")
        async with Client(editor.url) as client:
            names = [a["name"] for a in (await op(client, "autoload_manage", "list"))["autoloads"]]
            assert "Helper" in names and "Bus" in names and "Game" not in names
            # The editor instances a @tool autoload at start-up: it can be wired at edit time,
            # by its name or its /root path; it is outside the scene, so its path is "".
            to_bus = {"path": "/Main", "signal": "ready", "target": "/Bus",
                      "method": "on_main_ready"}
            connected = await op(client, "signal_manage", "connect", to_bus)
            assert connected == {"source": "/Main", "signal": "ready", "target": "",
                                 "method": "on_main_ready", "undoable": True}
            listing = await op(client, "signal_manage", "list", {"path": "/Main"})
            assert {"signal": "ready", "target": "/root/Bus", "method": "on_main_ready"} \
                in listing["connections"]
            await op(client, "signal_manage", "disconnect", {**to_bus, "target": "/root/Bus"})
            listing = await op(client, "signal_manage", "list", {"path": "/Main"})
            assert listing["connections"] == []
    finally:
        editor.kill()


async def test_input_actions_and_bindings_are_saved_to_project_godot():
    project = make_project("input_map")
    editor = await editor_with_main_scene(project, "input_map_1")
    try:
        async with Client(editor.url) as client:
            assert await op(client, "input_map_manage", "list") == {"actions": [], "count": 0}
            builtin = await op(client, "input_map_manage", "list", {"include_builtin": True})
            accept = next(a for a in builtin["actions"] if a["name"] == "ui_accept")
            assert accept["is_builtin"] is True and accept["event_count"] == len(accept["events"])

            added = await op(client, "input_map_manage", "add_action", {"action": "jump"})
            assert added == {"action": "jump", "deadzone": 0.5, "undoable": False,
                             "reason": "Input actions are saved to project.godot"}
            fire = await op(client, "input_map_manage", "add_action",
                            {"action": "fire", "deadzone": 0.25})
            assert fire["deadzone"] == 0.25
            assert "jump={" in section(project, "input") and "fire={" in section(project, "input")

            space = await op(client, "input_map_manage", "bind_event",
                             {"action": "jump", "event_type": "key", "keycode": "Space"})
            assert space == {"action": "jump",
                             "event": {"type": "key", "keycode": "Space", "physical_keycode": "",
                                       "ctrl": False, "alt": False, "shift": False,
                                       "meta": False},
                             "undoable": False,
                             "reason": "Input bindings are saved to project.godot"}
            ctrl_a = await op(client, "input_map_manage", "bind_event", {
                "action": "jump", "event_type": "key", "keycode": "A", "ctrl": True})
            assert ctrl_a["event"]["keycode"] == "A" and ctrl_a["event"]["ctrl"] is True
            click = await op(client, "input_map_manage", "bind_event",
                             {"action": "fire", "event_type": "mouse_button", "button": 1})
            assert click["event"] == {"type": "mouse_button", "button": 1}
            pad = await op(client, "input_map_manage", "bind_event",
                           {"action": "fire", "event_type": "joy_button", "button": 0})
            assert pad["event"] == {"type": "joy_button", "button": 0}
            # Godot ignores an identical binding; the call still succeeds.
            await op(client, "input_map_manage", "bind_event",
                     {"action": "jump", "event_type": "key", "keycode": "Space"})

            listing = await op(client, "input_map_manage", "list")
            actions = {a["name"]: a for a in listing["actions"]}
            assert listing["count"] == 2 and set(actions) == {"jump", "fire"}
            assert actions["jump"]["event_count"] == 2 and actions["jump"]["is_builtin"] is False
            assert actions["jump"]["events"][0] == space["event"]
            assert actions["fire"]["events"] == [click["event"], pad["event"]]
            saved = section(project, "input")
            assert "InputEventKey" in saved and "InputEventMouseButton" in saved
            assert "InputEventJoypadButton" in saved and '"deadzone": 0.25' in saved

            exists = await op_error(client, "input_map_manage", "add_action", {"action": "jump"})
            assert exists.startswith("INVALID_PARAMS: Action 'jump' already exists")
            builtin_exists = await op_error(client, "input_map_manage", "add_action",
                                            {"action": "ui_accept"})
            assert builtin_exists.startswith("INVALID_PARAMS: Action 'ui_accept' already exists")
            bad_key = await op_error(client, "input_map_manage", "bind_event", {
                "action": "jump", "event_type": "key", "keycode": "Spacebar"})
            assert bad_key.startswith("VALUE_OUT_OF_RANGE: Unsupported event_type: key "
                                      "(use key, mouse_button, or joy_button)")
            assert "'Spacebar' is not a key name" in bad_key
            no_button = await op_error(client, "input_map_manage", "bind_event", {
                "action": "fire", "event_type": "mouse_button", "button": 0})
            assert no_button.startswith("VALUE_OUT_OF_RANGE: Unsupported event_type: mouse_button")
            gesture = await op_error(client, "input_map_manage", "bind_event",
                                     {"action": "jump", "event_type": "gesture"})
            assert gesture == ("VALUE_OUT_OF_RANGE: Unsupported event_type: gesture "
                               "(use key, mouse_button, or joy_button)")
            no_action = await op_error(client, "input_map_manage", "bind_event", {
                "action": "fly", "event_type": "key", "keycode": "F"})
            assert no_action.startswith("VALUE_OUT_OF_RANGE: Action 'fly' not found")
            no_type = await op_error(client, "input_map_manage", "bind_event", {"action": "jump"})
            assert no_type == "MISSING_REQUIRED_PARAM: Missing required param: event_type"

            removed = await op(client, "input_map_manage", "remove_action", {"action": "jump"})
            assert removed == {"action": "jump", "removed": True, "undoable": False,
                               "reason": "Input actions are saved to project.godot"}
            assert "jump=" not in section(project, "input")
            gone = await op_error(client, "input_map_manage", "remove_action", {"action": "jump"})
            assert gone.startswith("VALUE_OUT_OF_RANGE: Action 'jump' not found")

        editor.kill()
        editor = await editor_with_main_scene(project, "input_map_2")
        async with Client(editor.url) as client:
            # The editor starts with only Godot's built-in actions in its InputMap; the
            # project's saved ones are still listed, bindable and protected.
            listing = await op(client, "input_map_manage", "list")
            assert [a["name"] for a in listing["actions"]] == ["fire"]
            assert listing["actions"][0]["events"] == [{"type": "mouse_button", "button": 1},
                                                      {"type": "joy_button", "button": 0}]
            exists = await op_error(client, "input_map_manage", "add_action", {"action": "fire"})
            assert exists.startswith("INVALID_PARAMS: Action 'fire' already exists")
            await op(client, "input_map_manage", "bind_event",
                     {"action": "fire", "event_type": "key", "keycode": "F"})
            saved = section(project, "input")
            assert '"deadzone": 0.25' in saved and "InputEventMouseButton" in saved
            assert "InputEventJoypadButton" in saved and "InputEventKey" in saved
    finally:
        editor.kill()
