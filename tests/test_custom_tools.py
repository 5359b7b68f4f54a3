"""Custom tools the project's own addons register (McpToolRegistry), through the MCP endpoint:
custom_manage list and invoke, godot://custom-tools, the promoted tool listed as custom_<name>,
notifications/tools/list_changed when the catalog changes, a switched-off tool refused, and the
batch rules (deferred and not-undoable tools)."""

from __future__ import annotations

import json

import anyio
import pytest
from mcp import types

from conftest import call_error, call_ok, editor_with_main_scene
from editor_harness import Client, make_project
from wave_tools_addon import TOOL_NAMES, install_wave_tools

pytestmark = pytest.mark.anyio


async def invoke(client, tool_name: str, params: dict | None = None) -> dict:
    arguments = {"tool_name": tool_name}
    if params is not None:
        arguments["params"] = params
    return await call_ok(client, "custom_manage", {"op": "invoke", "params": arguments})


async def test_an_addons_tools_are_listed_called_promoted_and_switched_off():
    project = make_project("custom_tools")
    install_wave_tools(project)
    editor = await editor_with_main_scene(project, "custom_tools")
    list_changed = anyio.Event()

    async def on_message(message) -> None:
        if isinstance(message, types.ToolListChangedNotification):
            list_changed.set()

    try:
        # The refused spec says why in the Output panel.
        editor.wait_for_output("A custom tool was not registered: '2bad': name '2bad' must be")
        async with Client(editor.url, mode="legacy", message_handler=on_message) as client:
            listed = await call_ok(client, "custom_manage", {"op": "list"})
            assert listed["tool_count"] == 5
            assert [tool["name"] for tool in listed["tools"]] == TOOL_NAMES
            spawn = listed["tools"][0]
            assert spawn == {
                "name": "spawn_wave",
                "description": "Adds a wave of enemies under the scene root.",
                "params_schema": {"type": "object",
                                  "properties": {"count": {"type": "integer"}}},
                "source": "Wave Tools", "deferred": False, "timeout_ms": 4500,
                "requires_writable": True, "undoable": False, "promoted": True,
                "enabled": True}
            resource = await client.read_resource("godot://custom-tools")
            assert json.loads(resource.contents[0].text) == listed

            names = {tool.name for tool in (await client.list_tools()).tools}
            assert "custom_spawn_wave" in names and "custom_count_enemies" not in names

            spawned = await invoke(client, "spawn_wave", {"count": 2})
            assert spawned == {"spawned": 2, "tool": "spawn_wave"}
            promoted = await call_ok(client, "custom_spawn_wave", {"count": 1})
            assert promoted["spawned"] == 1
            assert await invoke(client, "count_enemies") == {"enemies": 3}
            assert await invoke(client, "later") == {"late": True}

            refused = await call_error(client, "custom_manage", {
                "op": "invoke", "params": {"tool_name": "refuse"}})
            assert refused.startswith("VALUE_OUT_OF_RANGE: count must be positive"), refused
            unknown = await call_error(client, "custom_manage", {
                "op": "invoke", "params": {"tool_name": "spawn_wav"}})
            assert unknown.startswith("UNKNOWN_COMMAND: Custom tool 'spawn_wav' not found")
            assert "spawn_wave" in unknown

            not_undoable = await call_error(client, "batch_execute", {"commands": [
                {"command": "custom_tool:count_enemies", "params": {}}]})
            assert not_undoable.startswith("CUSTOM_TOOL_NOT_UNDOABLE: commands[0]: custom tool "
                                           "'count_enemies' is not undoable"), not_undoable
            deferred = await call_error(client, "batch_execute", {"undo": False, "commands": [
                {"command": "custom_tool:later", "params": {}}]})
            assert "custom tool 'later' is deferred" in deferred
            batch = await call_ok(client, "batch_execute", {"undo": False, "commands": [
                {"command": "custom_tool:count_enemies", "params": {}}]})
            assert batch["results"][0]["data"] == {"enemies": 3}

            # A tool switches spawn_wave off and registers a promoted one: the session is told.
            assert await invoke(client, "switch_off_spawn") == {"registered": True}
            with anyio.fail_after(10):
                await list_changed.wait()
            names = {tool.name for tool in (await client.list_tools()).tools}
            assert "custom_rally" in names and "custom_spawn_wave" not in names
            after = await call_ok(client, "custom_manage", {"op": "list"})
            assert [tool["name"] for tool in after["tools"]] == [
                "count_enemies", "refuse", "later", "switch_off_spawn", "rally"]
            disabled = await call_error(client, "custom_manage", {
                "op": "invoke", "params": {"tool_name": "spawn_wave"}})
            assert disabled.startswith("CUSTOM_TOOL_DISABLED: Custom tool 'spawn_wave' is "
                                       "disabled"), disabled
            tombstone = await call_error(client, "custom_spawn_wave", {"count": 1})
            assert tombstone.startswith("CUSTOM_TOOL_DISABLED"), tombstone
            assert (await call_ok(client, "custom_rally", {}))["enemies"] == 3
    finally:
        editor.kill()
