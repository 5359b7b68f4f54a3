"""What a client can make the editor hold stays bounded, and a big write still answers success.

- Sessions opened and never deleted: the editor keeps at most 64 in memory (as many as its
  session store keeps); 2,000 of them add under 20 MB. The most recent ones carry on, older
  ones get the stale-session diagnostic.
- A request that stops sending half-way through its headers is closed within seconds.
- A 5 MiB `node_set_property` answers success (the echoed value summarised) and the property
  really is set: the saved scene holds all of it.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx
import pytest

from conftest import editor_with_main_scene, structured
from editor_harness import Client, auth_headers, make_project, wait_until

pytestmark = pytest.mark.anyio

ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
PROTOCOL = "2025-06-18"
STORED_SESSIONS = 64  # the session store's MAX_SESSIONS, and the live bound
SESSIONS = 2000
# Measured: about 10 MB for 2,000 and for 4,000 (the live sessions and what the allocator
# keeps); a session leaked per open made it 32 MB. The exact, allocator-counted check is
# rust/mcp/tests/forgotten_sessions_memory.rs; this one checks the editor process as a whole.
RSS_BUDGET_MB = 20
DIAGNOSTIC_ACTION = "reinitialize_mcp_session"
FIVE_MIB = 5 * 1024 * 1024
SETTLED_SAMPLES = 20  # one second at the harness's poll interval


def godot_pid(pid: int) -> int:
    """The Godot process behind the launcher (it execs, so normally `pid` itself)."""
    while "godot" not in Path(f"/proc/{pid}/comm").read_text():
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        assert len(children) == 1, f"cannot tell which process is Godot under {pid}: {children}"
        pid = int(children[0])
    return pid


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def settled_rss_mb(pid: int, timeout: float = 30.0) -> float:
    """The editor's RSS once it has stopped moving. For a moment after it first answers, the
    editor keeps loading on its own (tens of MB, with no line in its Output to wait for), so a
    baseline taken then would charge that to the sessions: wait until a second of samples
    stays within half a megabyte."""
    samples: list[float] = []

    def settled():
        samples.append(rss_mb(pid))
        window = samples[-SETTLED_SAMPLES:]
        return len(window) == SETTLED_SAMPLES and max(window) - min(window) < 0.5 and window[-1]

    return wait_until(settled, timeout, "the editor's memory use to settle",
                      lambda: f"last RSS samples (MB): {samples[-SETTLED_SAMPLES:]}")


def headers(session: str) -> dict:
    return {**ACCEPT, "mcp-session-id": session, "mcp-protocol-version": PROTOCOL}


def open_session(http: httpx.Client, url: str, number: int) -> str:
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": PROTOCOL, "capabilities": {},
                       "clientInfo": {"name": f"forgetful-{number}", "version": "1"}}}
    response = http.post(url, json=init, headers=ACCEPT)
    assert response.status_code == 200, response.text
    session = response.headers["mcp-session-id"]
    notified = http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"},
                         headers=headers(session))
    assert notified.is_success, notified.text
    return session


def list_tools(http: httpx.Client, url: str, session: str) -> httpx.Response:
    return http.post(url, json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
                     headers=headers(session))


def sse_messages(response: httpx.Response) -> list[dict]:
    return [json.loads(line[5:]) for line in response.text.splitlines()
            if line.startswith("data:") and line[5:].strip()]


async def test_two_thousand_forgotten_sessions_stay_bounded_recent_ones_resume_old_ones_get_the_diagnostic():
    project = make_project("bounded_sessions")
    editor = await editor_with_main_scene(project, "bounded_sessions")
    try:
        pid = godot_pid(editor.process.pid)
        with httpx.Client(timeout=30, headers=auth_headers(editor.url)) as http:
            # One session and call first, so one-off allocations are in the baseline.
            first = open_session(http, editor.url, -1)
            assert list_tools(http, editor.url, first).status_code == 200
            before = settled_rss_mb(pid)
            sessions = [open_session(http, editor.url, number) for number in range(SESSIONS)]
            grown = rss_mb(pid) - before
            assert grown < RSS_BUDGET_MB, f"{SESSIONS} sessions added {grown:.1f} MB"

            recent, old = sessions[-STORED_SESSIONS:], sessions[:-STORED_SESSIONS]
            for session in recent:
                response = list_tools(http, editor.url, session)
                assert response.status_code == 200, (session, response.text)
                tools = sse_messages(response)[0]["result"]["tools"]
                assert any(tool["name"] == "editor_state" for tool in tools)
            for session in old:
                response = list_tools(http, editor.url, session)
                assert response.status_code == 404, (session, response.text)
                assert response.json()["error"]["data"]["action"] == DIAGNOSTIC_ACTION
        stored = json.loads(project.joinpath(".godot", "godot_ai_native", "mcp_sessions.json")
                            .read_text())
        assert {entry["id"] for entry in stored["sessions"]} == set(recent)
        print(f"RSS before {before:.1f} MB, +{grown:.1f} MB after {SESSIONS} sessions")
    finally:
        editor.kill()


async def test_a_request_that_stops_mid_headers_is_closed_within_seconds(editor):
    host, port = "127.0.0.1", editor.port
    with socket.create_connection((host, port), timeout=30) as stalled:
        started = time.monotonic()
        stalled.sendall(f"POST /mcp HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Ty".encode())
        # Blocks until the editor closes the connection (or the 30 s socket timeout fails it).
        while True:
            try:
                if not stalled.recv(4096):
                    break
            except ConnectionResetError:
                break
        closed_after = time.monotonic() - started
    assert closed_after < 10, f"closed after {closed_after:.1f} s"
    print(f"a request stalled mid-headers was closed after {closed_after:.1f} s")
    # The endpoint still serves everyone else.
    async with Client(editor.url) as client:
        assert structured(await client.call_tool("editor_state", {}))["readiness"] == "ready"


async def test_a_five_mib_property_write_answers_success_and_is_really_set():
    project = make_project("bounded_big_write")
    editor = await editor_with_main_scene(project, "bounded_big_write")
    try:
        pattern = "godot-ai-native 5 MiB editor description "
        text = (pattern * (FIVE_MIB // len(pattern) + 1))[:FIVE_MIB - 4] + "#end"
        async with Client(editor.url) as client:
            result = await client.call_tool("node_set_property", {
                "path": "/Main", "property": "editor_description", "value": text})
            assert not result.is_error, result.content[0].text[:500]
            data = structured(result)
            assert data["undoable"] is True
            assert data["summarised"] == ["/value"]
            assert data["value"].startswith(pattern)
            assert data["value"].endswith(f"({FIVE_MIB} characters, not echoed)")

            saved = await client.call_tool("scene_save", {})
            assert not saved.is_error, saved.content[0].text
        scene = project.joinpath("main.tscn").read_text()
        assert f'editor_description = "{text}"' in scene
    finally:
        editor.kill()
