"""Fixtures for the end-to-end tests: real headless Godot editors and the official MCP client.

Run through `cargo xtask test`, which builds the extension, provisions Godot and this
virtualenv, and sets GODOT_AI_TEST_GODOT / GODOT_AI_TEST_WORKDIR.
"""

from __future__ import annotations

import contextlib
import json

import anyio
import pytest

from editor_harness import TEST_PROJECT, Client, Editor, free_port, wait_until, wait_until_async


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="session")
def editor():
    """One editor on test_project shared by the read-only tests, with main.tscn open."""
    instance = Editor(TEST_PROJECT, free_port(), "shared").start()
    try:
        instance.wait_for_endpoint()
        wait_for_open_scene(instance.url, "res://main.tscn")
        yield instance
    finally:
        instance.kill()


@contextlib.contextmanager
def running_editor(project, name, **options):
    """An editor for one test, killed at the end whatever happens."""
    instance = Editor(project, free_port(), name, **options).start()
    try:
        yield instance
    finally:
        instance.kill()


async def current_scene(url: str) -> str:
    async with Client(url) as client:
        result = await client.call_tool("editor_state", {})
        return result.structured_content.get("current_scene")


def wait_for_open_scene(url: str, scene: str, timeout: float = 60.0) -> None:
    """Waits until the editor has loaded the scene given on its command line: it does so a few
    frames after plugins start, and says nothing when it does, so its state is polled. For
    synchronous code (fixtures); async tests use `open_scene_ready`."""
    seen = []

    def opened():
        seen.append(anyio.run(current_scene, url))
        return seen[-1] == scene

    wait_until(opened, timeout, f"the editor at {url} to open {scene} from its command line",
               lambda: f"current_scene was {seen[-1]!r}" if seen else "")


async def open_scene_ready(url: str, scene: str, timeout: float = 60.0) -> None:
    """Waits (bounded) until a starting editor has loaded the scene given on its command line.
    Only for that: after an agent's own scene_open or scene_manage create, the very next call
    must already see the new scene, so tests do not wait for it."""
    seen = []

    async def opened():
        seen.append(await current_scene(url))
        return seen[-1] == scene

    await wait_until_async(opened, timeout,
                           f"the editor at {url} to open {scene} from its command line",
                           lambda: f"current_scene was {seen[-1]!r}" if seen else "")


async def editor_with_main_scene(project, name: str,
                                 extra_env: dict[str, str] | None = None) -> Editor:
    """Starts an editor on `project` (with `extra_env` added to its environment) and waits
    until main.tscn is open in it. The caller kills it (a failure to start kills it here)."""
    instance = Editor(project, free_port(), name, extra_env=extra_env).start()
    try:
        instance.wait_for_endpoint()
        await open_scene_ready(instance.url, "res://main.tscn")
    except BaseException:
        instance.kill()
        raise
    return instance


def structured(result) -> dict:
    """A tool result's structured content, checked against its JSON text twin."""
    assert result.structured_content is not None, result
    assert json.loads(result.content[0].text) == result.structured_content
    return result.structured_content


async def call_ok(client, tool: str, arguments: dict) -> dict:
    """One call, as an agent makes it (no retry); its structured result."""
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content[0].text
    return structured(result)


async def call_error(client, tool: str, arguments: dict) -> str:
    """One call that must fail; its error text."""
    result = await client.call_tool(tool, arguments)
    assert result.is_error, result
    return result.content[0].text


async def node_properties(client, path: str) -> dict:
    """A node's properties by name (node_get_properties leaves empty resource slots out)."""
    listing = await call_ok(client, "node_get_properties", {"path": path})
    return {p["name"]: p["value"] for p in listing["properties"]}


async def rolled_back(client, command: str, params: dict) -> dict:
    """Runs the plugin command `command` in a batch whose next entry fails, checks that it ran,
    said it is undoable and was rolled back through the editor's undo history; returns its
    data."""
    batch = await call_ok(client, "batch_execute", {"commands": [
        {"command": command, "params": params},
        {"command": "delete_node", "params": {"path": "/Main/Nope"}}]})
    assert batch["results"][0]["status"] == "ok", batch
    assert batch["results"][0]["data"]["undoable"] is True
    assert batch["rolled_back"] is True, batch
    return batch["results"][0]["data"]
