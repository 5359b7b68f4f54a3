"""The MCP features beyond tools, against a real editor through the official Python SDK:
logging/setLevel and the plugin's lines as notifications/message, resources/subscribe with
notifications/resources/updated when the scene, the selection and the test results change,
completion/complete from the edited scene and the project's scripts, prompts with the editor's
state embedded, progress on a long call, a test run started as a task (SEP-2663) by a client
that declared the extension and polled with tasks/get, and a DELETE that closes the session
cleanly."""

from __future__ import annotations

import json
import logging

import anyio
import httpx
import pytest
from mcp import types

from conftest import call_ok, editor_with_main_scene
from editor_harness import Client, auth_headers, make_project

pytestmark = pytest.mark.anyio

HIERARCHY = "godot://scene/hierarchy"
SELECTION = "godot://selection/current"
TEST_RESULTS = "godot://test/results"

# A suite whose one test holds the main thread for 1.5 s: test_run then outlasts the endpoint's
# one-second progress interval for sure.
SLOW_SUITE = """@tool
extends McpTestSuite


func test_takes_a_while() -> void:
	var started := Time.get_ticks_msec()
	while Time.get_ticks_msec() - started < 1500:
		pass
	print("The slow test waited 1.5 s.")
	assert_true(true)
"""


class Notices:
    """What the server told the client, with a way to wait for one kind of it."""

    def __init__(self) -> None:
        self.updated: list[str] = []
        self.logs: list[types.LoggingMessageNotificationParams] = []
        self._changed = anyio.Event()

    def _arrived(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def on_message(self, message) -> None:
        if isinstance(message, types.ResourceUpdatedNotification):
            self.updated.append(str(message.params.uri))
            self._arrived()

    async def on_log(self, params: types.LoggingMessageNotificationParams) -> None:
        self.logs.append(params)
        self._arrived()

    async def wait_for(self, condition, what: str, timeout: float = 10.0) -> None:
        with anyio.fail_after(timeout):
            while not condition():
                changed = self._changed
                await changed.wait()
        assert condition(), what


async def test_an_agent_is_told_what_changes_in_the_editor(tmp_path):
    project = make_project("protocol_features")
    (project / "tests").mkdir()
    (project / "tests" / "test_slow.gd").write_text(SLOW_SUITE)
    editor = await editor_with_main_scene(project, "protocol_features")
    progress: list[tuple[float, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, message))

    notices = Notices()
    try:
        async with Client(editor.url, mode="legacy", message_handler=notices.on_message,
                          logging_callback=notices.on_log) as client:
            capabilities = client.session.initialize_result.capabilities
            assert capabilities.logging is not None
            assert capabilities.resources.subscribe is True

            await client.set_logging_level("info")
            for uri in (HIERARCHY, SELECTION, TEST_RESULTS):
                await client.subscribe_resource(uri)

            # An undoable edit changes the scene's hierarchy.
            await call_ok(client, "node_create",
                          {"type": "Node3D", "name": "Spawner", "parent_path": "/Main"})
            await notices.wait_for(lambda: HIERARCHY in notices.updated,
                                   "the hierarchy was announced after node_create")
            hierarchy = await client.read_resource(HIERARCHY)
            assert "Spawner" in hierarchy.contents[0].text

            # Selecting a node changes the selection, and nothing else it subscribed to.
            notices.updated.clear()
            await call_ok(client, "editor_manage",
                          {"op": "selection_set", "params": {"paths": ["/Main/Spawner"]}})
            await notices.wait_for(lambda: SELECTION in notices.updated,
                                   "the selection was announced")
            assert TEST_RESULTS not in notices.updated

            # Running the tests logs a line at info, reports progress while it runs, and
            # renews the results.
            run = await client.call_tool("test_run", {}, progress_callback=on_progress)
            assert not run.is_error, run.content[0].text
            assert run.structured_content["passed"] == 1, run.structured_content
            assert progress, "a run of 1.5 s reported progress"
            assert all("test_run is still running" in message for _, message in progress)
            assert [value for value, _ in progress] == sorted({value for value, _ in progress})
            await notices.wait_for(lambda: TEST_RESULTS in notices.updated,
                                   "the test results were announced")
            await notices.wait_for(
                lambda: any("running the project's test suites" in str(log.data)
                            for log in notices.logs),
                "the plugin's line reached the session as a log message")
            line = next(log for log in notices.logs
                        if "running the project's test suites" in str(log.data))
            assert line.level == "info"
            assert line.logger == "godot-ai-native"
            # What the suite printed reached it too, as the editor's line.
            await notices.wait_for(
                lambda: any("The slow test waited" in str(log.data) for log in notices.logs),
                "the editor's print reached the session as a log message")
            printed = next(log for log in notices.logs if "The slow test waited" in str(log.data))
            assert (printed.level, printed.logger) == ("info", "godot.editor")

            # Above info, the plugin's info lines stop.
            await client.set_logging_level("error")
            before = len(notices.logs)
            notices.updated.clear()
            await call_ok(client, "test_run", {})
            await notices.wait_for(lambda: TEST_RESULTS in notices.updated,
                                   "the second run's results were announced")
            assert len(notices.logs) == before, notices.logs[before:]
    finally:
        editor.kill()


TASKS = "io.modelcontextprotocol/tasks"
PROTOCOL = "2025-11-25"
ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


async def rpc(http: httpx.AsyncClient, url: str, session: str | None, id: int, method: str,
              params: dict) -> httpx.Response:
    headers = {**ACCEPT, "mcp-protocol-version": PROTOCOL}
    if session:
        headers["mcp-session-id"] = session
    body = {"jsonrpc": "2.0", "id": id, "method": method, "params": params}
    return await http.post(url, json=body, headers=headers)


def reply_to(response: httpx.Response, id: int) -> dict:
    """The JSON-RPC reply with `id` in a JSON or SSE response."""
    if response.headers.get("content-type", "").startswith("application/json"):
        messages = [response.json()]
    else:
        messages = [json.loads(line[5:]) for line in response.text.splitlines()
                    if line.startswith("data:") and line[5:].strip()]
    return next(message for message in messages if message.get("id") == id)


async def test_a_tasks_client_gets_a_test_run_as_a_task_and_polls_its_result(tmp_path):
    project = make_project("protocol_tasks")
    (project / "tests").mkdir()
    (project / "tests" / "test_slow.gd").write_text(SLOW_SUITE)
    editor = await editor_with_main_scene(project, "protocol_tasks")
    try:
        async with httpx.AsyncClient(timeout=30, headers=auth_headers(editor.url)) as http:
            opened = await rpc(http, editor.url, None, 1, "initialize", {
                "protocolVersion": PROTOCOL, "capabilities": {"extensions": {TASKS: {}}},
                "clientInfo": {"name": "tasks-client", "version": "1"}})
            assert opened.status_code == 200, opened.text
            session = opened.headers["mcp-session-id"]
            initialized = await http.post(editor.url, json={
                "jsonrpc": "2.0", "method": "notifications/initialized"},
                headers={**ACCEPT, "mcp-session-id": session, "mcp-protocol-version": PROTOCOL})
            assert initialized.is_success, initialized.text

            started = reply_to(await rpc(http, editor.url, session, 2, "tools/call",
                                         {"name": "test_run", "arguments": {}}), 2)
            created = started["result"]
            assert (created["resultType"], created["status"]) == ("task", "working"), started
            task = created["taskId"]

            # A client polls at the interval the task asks for, until the task ends.
            with anyio.fail_after(60):
                for id in range(3, 10_000):
                    got = reply_to(await rpc(http, editor.url, session, id, "tasks/get",
                                             {"taskId": task}), id)["result"]
                    assert got["taskId"] == task, got
                    if got["status"] != "working":
                        break
                    await anyio.sleep(got.get("pollIntervalMs", 500) / 1000)
            assert got["status"] == "completed", got
            assert got["result"]["isError"] is False, got
            assert got["result"]["structuredContent"]["passed"] == 1, got
    finally:
        editor.kill()


async def test_completions_and_prompts_come_from_the_open_scene(editor):
    async with Client(editor.url, mode="legacy") as client:
        completed = await client.complete(
            types.ResourceTemplateReference(type="ref/resource",
                                            uri="godot://node/{path*}/properties"),
            {"name": "path", "value": "Main/W"})
        assert completed.completion.values == ["Main/World", "Main/World/Ground"]

        listed = await client.list_prompts()
        assert [prompt.name for prompt in listed.prompts] == [
            "inspect_scene", "build_prototype", "fix_last_run"]
        prompt = await client.get_prompt("inspect_scene", {"focus": "Main/HUD"})
        assert "Main/HUD" in prompt.messages[0].content.text
        embedded = {message.content.resource.uri: message.content.resource.text
                    for message in prompt.messages[1:]}
        assert json.loads(embedded["godot://editor/state"])["current_scene"] == "res://main.tscn"
        tree = json.loads(embedded[HIERARCHY])
        assert {node["path"] for node in tree["nodes"]} >= {"/Main/HUD/Score", "/Main/World"}


async def test_closing_a_session_raises_no_termination_warning(editor, caplog):
    caplog.set_level(logging.WARNING)
    async with Client(editor.url, mode="legacy") as client:
        await call_ok(client, "editor_state", {})
    # The SDK ends the session with DELETE and warns unless the answer is 200 or 204.
    assert not [record for record in caplog.records
                if "Session termination failed" in record.getMessage()], caplog.text
