"""MCP sessions across editor restarts, and the stale-session diagnostic, on a real editor.

What the official MCP Python client (mcp 2.3) does, recorded by these tests:
- By default (`mode="auto"`) it negotiates protocol 2026-07-28, which has no sessions at all
  (rmcp serves it statelessly): an editor restart is invisible to it.
- With the initialize handshake (`mode="legacy"`, what most MCP clients
  speak today; mcp 2.3 picks 2025-11-25) it holds an `mcp-session-id`. Across an editor restart the same `Client` keeps
  calling tools with no error: the editor restores the session from
  `.godot/godot_ai_native/mcp_sessions.json`.
- With a session id the editor does not know, it raises `MCPError` carrying the diagnostic's
  message and data (`action == "reinitialize_mcp_session"`) and does not reinitialize itself:
  every later call fails the same way until the application makes a new client.
"""

from __future__ import annotations

import json

import httpx
import pytest

from conftest import structured
from editor_harness import Client, Editor, auth_headers, free_port, make_project

pytestmark = pytest.mark.anyio

ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
DIAGNOSTIC = {
    "jsonrpc": "2.0",
    "id": "server-error",
    "error": {
        "code": -32600,
        "message": "MCP session expired or was not found; reinitialize the streamable HTTP session",
        "data": {"recoverable": True, "action": "reinitialize_mcp_session",
                 "reason": "stale_streamable_http_session"},
    },
}


def restart(editor: Editor, name: str) -> Editor:
    """Kills `editor` and starts a new one on the same project and port."""
    editor.kill()
    again = Editor(editor.project, editor.port, name).start()
    again.wait_for_endpoint()
    return again


def raw_session(url: str) -> str:
    """Opens a session with plain HTTP and returns its id."""
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "raw-http", "version": "1"}}}
    response = httpx.post(url, json=init, headers={**ACCEPT, **auth_headers(url)}, timeout=10)
    assert response.status_code == 200, response.text
    session = response.headers["mcp-session-id"]
    notify = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert httpx.post(url, json=notify, timeout=10,
                      headers={**ACCEPT, **auth_headers(url), "mcp-session-id": session,
                               "mcp-protocol-version": "2025-06-18"}).is_success
    return session


def raw_call(url: str, session: str, tool: str = "editor_state") -> httpx.Response:
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": tool, "arguments": {}}}
    return httpx.post(url, json=call, timeout=10,
                      headers={**ACCEPT, **auth_headers(url), "mcp-session-id": session,
                               "mcp-protocol-version": "2025-06-18"})


def sse_result(response: httpx.Response) -> dict:
    for line in response.text.splitlines():
        if line.startswith("data:") and line[5:].strip():
            message = json.loads(line[5:])
            if "result" in message:
                return message["result"]
    raise AssertionError(f"no result in {response.text!r}")


SESSIONS_FILE = (".godot", "godot_ai_native", "mcp_sessions.json")


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_the_official_client_keeps_working_across_an_editor_restart(mode):
    project = make_project(f"session_restart_{mode}")
    first = Editor(project, free_port(), f"session_restart_{mode}_1").start()
    second = None
    try:
        first.wait_for_endpoint()
        async with Client(first.url, mode=mode) as client:
            before = structured(await client.call_tool("editor_state", {}))
            stored = project.joinpath(*SESSIONS_FILE)
            if mode == "legacy":
                assert stored.exists(), "a handshake session is persisted"
                assert client.protocol_version < "2026-07-28", "a handshake-era protocol"
            second = restart(first, f"session_restart_{mode}_2")
            after = structured(await client.call_tool("editor_state", {}))
            tree = structured(await client.call_tool("scene_get_hierarchy", {"depth": 0}))
        assert before["project_name"] == after["project_name"] == "Godot AI Native Test Project"
        assert tree["total_count"] >= 1
    finally:
        first.kill()
        if second:
            second.kill()


async def test_a_raw_session_id_works_after_a_restart_with_no_new_initialize():
    project = make_project("session_raw")
    editor = Editor(project, free_port(), "session_raw_1").start()
    try:
        editor.wait_for_endpoint()
        session = raw_session(editor.url)
        assert raw_call(editor.url, session).status_code == 200
        editor = restart(editor, "session_raw_2")
        response = raw_call(editor.url, session)
        assert response.status_code == 200, response.text
        assert sse_result(response)["isError"] is False
        stored = project.joinpath(*SESSIONS_FILE)
        assert (stored.stat().st_mode & 0o777) == 0o600
        assert session in stored.read_text()
    finally:
        editor.kill()


async def test_delete_ends_a_session_for_good_even_across_a_restart():
    project = make_project("session_delete")
    editor = Editor(project, free_port(), "session_delete_1").start()
    try:
        editor.wait_for_endpoint()
        session = raw_session(editor.url)
        deleted = httpx.delete(editor.url, timeout=10, headers={
            **auth_headers(editor.url), "mcp-session-id": session,
            "mcp-protocol-version": "2025-06-18"})
        assert deleted.is_success, deleted.text
        assert raw_call(editor.url, session).status_code == 404
        editor = restart(editor, "session_delete_2")
        gone = raw_call(editor.url, session)
        assert gone.status_code == 404
        assert gone.json() == DIAGNOSTIC
    finally:
        editor.kill()


def test_a_made_up_session_id_gets_the_exact_diagnostic(editor):
    response = raw_call(editor.url, "made-up-session-id")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == DIAGNOSTIC


def test_without_a_session_header_or_on_another_path_404s_are_untouched(editor):
    unknown_path = httpx.get(editor.url.replace("/mcp", "/nope"), timeout=10,
                             headers={**auth_headers(editor.url),
                                      "mcp-session-id": "made-up-session-id"})
    assert unknown_path.status_code == 404
    assert unknown_path.text == ""
    # rmcp's own answer to a stream request without a session passes through as it is.
    no_header = httpx.get(editor.url, timeout=10,
                          headers={**auth_headers(editor.url), "accept": "text/event-stream"})
    assert no_header.status_code == 400
    assert no_header.text == "Bad Request: Session ID is required"


async def test_the_official_client_surfaces_the_diagnostic_when_its_session_is_unknown():
    """Restart with the session store wiped: the client's id is unknown to the new editor."""
    project = make_project("session_unknown")
    first = Editor(project, free_port(), "session_unknown_1").start()
    second = None
    try:
        first.wait_for_endpoint()
        async with Client(first.url, mode="legacy") as client:
            structured(await client.call_tool("editor_state", {}))
            first.kill()
            project.joinpath(*SESSIONS_FILE).unlink()
            second = restart(first, "session_unknown_2")
            with pytest.raises(Exception) as raised:
                await client.call_tool("editor_state", {})
        error = raised.value
        assert "reinitialize the streamable HTTP session" in str(error)
        data = getattr(getattr(error, "error", None), "data", None) or getattr(error, "data", None)
        assert data == DIAGNOSTIC["error"]["data"], repr(error)
    finally:
        first.kill()
        if second:
            second.kill()


async def test_a_clients_optional_method_leaves_no_library_text_in_the_output(editor):
    """Clients send methods an endpoint may not have (an extension's, or a newer revision's);
    rmcp answers "method not found" and logs a warning. That warning is a library's detail:
    it is kept in the plugin log, marked debug, and never printed to the Output panel."""
    method = "vendor.example/optional"
    session = raw_session(editor.url)
    response = httpx.post(editor.url, timeout=10, json={
        "jsonrpc": "2.0", "id": 7, "method": method, "params": {}},
        headers={**ACCEPT, **auth_headers(editor.url), "mcp-session-id": session,
                 "mcp-protocol-version": "2025-06-18"})
    assert response.status_code == 200, response.text
    assert '"code":-32601' in response.text.replace(" ", ""), response.text
    async with Client(editor.url) as client:
        result = await client.call_tool("logs_read", {"source": "plugin", "count": 500})
    lines = "\n".join(structured(result)["lines"])
    assert "[debug] rmcp" in lines and method in lines, lines[-2000:]
    output = editor.output()
    assert "ErrorData" not in output and "response error" not in output, editor.tail()
