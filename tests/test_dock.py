"""The plugin's dock in a windowed editor (Xvfb), read and used through the `test_dock` test
tool (offered only with GODOT_AI_TEST_HOOKS=1): what a person sees there, and the Undo button
taking back the agent's last change through the editor's undo history."""

from __future__ import annotations

import base64
import json
import shutil

import pytest
from mcp import types

from conftest import open_scene_ready, structured
from editor_harness import (WORKDIR, XVFB, Client, Editor, VirtualDisplay, free_port, make_project,
                            wait_until_async)

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not XVFB, reason="no Xvfb for this Godot (cargo xtask test provides one "
                                        "for its Debian Godot)"),
]


async def dock(client, op="read", **params):
    result = await client.call_tool("test_dock", {"op": op, **params})
    assert not result.is_error, result.content[0].text
    return structured(result)


async def names(client) -> list[str]:
    tree = structured(await client.call_tool("scene_get_hierarchy", {}))
    return [node["path"] for node in tree["nodes"]]


async def test_the_dock_shows_the_endpoint_the_agent_and_its_calls_and_undoes_its_change():
    display = VirtualDisplay()
    home = WORKDIR / "homes" / "dock"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    editor = Editor(make_project("dock"), free_port(), "dock", allow_headless=False,
                    display=display.name,
                    extra_env={"GODOT_AI_TEST_HOOKS": "1", "HOME": str(home)})
    try:
        editor.start().wait_for_endpoint()
        await open_scene_ready(editor.url, "res://main.tscn")
        async with Client(editor.url) as probe:
            tools = {tool.name for tool in (await probe.list_tools()).tools}
            assert "test_dock" in tools

            async def serving():
                controls = (await dock(probe))["controls"]
                return controls if controls["EndpointState"]["text"] == "serving" else None
            seen = await wait_until_async(serving, 10, "the dock's first drawing")
            assert seen["Url"]["text"] == editor.url
            assert seen["EndpointState"]["text"] == "serving"
            assert seen["BridgeState"]["text"].startswith("off"), seen["BridgeState"]
            assert seen["UndoAgentChange"]["disabled"] is True
            assert seen["Configure_claude_code"]["text"] == "Configure"
            # Access: the token's source in words, never the token; a token set by the
            # environment is rotated there, not here.
            assert "GODOT_AI_MCP_TOKEN" in seen["AccessState"]["text"], seen["AccessState"]
            assert seen["RotateToken"]["disabled"] is True
            assert seen["CopyToken"]["disabled"] is False
            assert seen["CopySetupCommand"]["disabled"] is False
            assert editor.token not in str(seen)

            agent_info = types.Implementation(name="dock-test-agent", version="1.2")
            async with Client(editor.url, client_info=agent_info) as agent:
                before = await names(agent)
                created = await agent.call_tool("node_create", {"type": "Node3D",
                                                                "name": "AgentMade"})
                assert not created.is_error, created.content[0].text
                assert "/Main/AgentMade" in await names(agent)

                async def shows_the_call():
                    controls = (await dock(probe))["controls"]
                    sessions, activity = controls["Sessions"]["text"], controls["Activity"]["text"]
                    shown = ("dock-test-agent 1.2: 3 calls" in sessions
                             and activity.startswith("scene_get_hierarchy")
                             and "node_create" in activity
                             and not controls["UndoAgentChange"]["disabled"])
                    return controls if shown else None

                # The dock redraws on its own refresh, twice a second: its controls are read
                # until that redraw has happened.
                controls = await wait_until_async(shows_the_call, 10, "the dock to show the call")
                assert "MCP: Create AgentMade" in controls["UndoAgentChange"]["text"]
                assert "ok, undoable" in controls["Activity"]["text"]

                assert (await dock(probe, "show"))["shown"] is True
                await dock(probe)  # a frame later, the dock's tab is laid out and drawn
                shot = await dock(probe, "screenshot")
                image = base64.b64decode(shot["png_base64"])
                assert image[:8] == b"\x89PNG\r\n\x1a\n" and shot["width"] > 100
                (WORKDIR / "dock.png").write_bytes(image)

                await dock(probe, "press", button="UndoAgentChange")
                assert await names(agent) == before, "the agent's node is gone again"

                async def nothing_left_to_undo():
                    return (await dock(probe))["controls"]["UndoAgentChange"]["disabled"]
                await wait_until_async(nothing_left_to_undo, 10, "the Undo button to be disabled")

            # A client set up from its row: the file is written off the main thread and the
            # row says so on a later refresh.
            async def cursor_state(wanted):
                state = (await dock(probe))["controls"]["ClientState_cursor"]["text"]
                return state if state == wanted else None
            await wait_until_async(lambda: cursor_state("not installed"), 10, "the first read")
            await dock(probe, "press", button="Configure_cursor")
            await wait_until_async(lambda: cursor_state("configured for this URL"), 20,
                                   "Cursor to be configured")
            written = json.loads((home / ".cursor" / "mcp.json").read_text())
            assert written == {"mcpServers": {"godot-ai": {
                "url": editor.url, "headers": {"Authorization": f"Bearer {editor.token}"}}}}
            message = (await dock(probe))["controls"]["ClientMessage"]["text"]
            assert message == \
                f"Cursor configured (HTTP: {editor.url}, with the editor's access token)"
            await dock(probe, "press", button="Remove_cursor")
            await wait_until_async(lambda: cursor_state("not configured"), 20,
                                   "Cursor's entry to be removed")
            assert json.loads((home / ".cursor" / "mcp.json").read_text()) == {"mcpServers": {}}
    finally:
        editor.kill()
        display.stop()
