"""While an agent works, the plugin sleeps between frames in the engine's place, in a sleep a
request ends: a call is answered when it arrives, not when the editor's next frame would
have come.

The editor here sleeps half a second between frames (its own setting, in a private config
dir, as an unfocused editor sleeps 100 ms). Every call is sent right after the previous
answer, so it arrives while the editor sleeps: without the plugin's wake it would wait about
half a second; with it, about a millisecond. How fast exactly is the bench's business
(`cargo xtask bench`); this asserts the wake, with a wide margin.
"""

from __future__ import annotations

import statistics
import time

import httpx
import pytest

from conftest import editor_with_main_scene
from editor_harness import WORKDIR, auth_headers, make_project

pytestmark = pytest.mark.anyio

EDITOR_SLEEP_USEC = 500_000
CALLS = 20
# A tenth of the editor's sleep: far above a woken call (about 1 ms), far below an unwoken one.
WOKEN_BOUND_MS = EDITOR_SLEEP_USEC / 1000 / 10
ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
PROTOCOL = "2025-06-18"


def slow_frames_config_dir() -> str:
    """A private XDG config dir whose editor settings sleep EDITOR_SLEEP_USEC between frames."""
    config = WORKDIR / "pacing-config"
    settings = config / "godot" / "editor_settings-4.6.tres"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('[gd_resource type="EditorSettings" format=3]\n\n[resource]\n'
                        f"interface/editor/low_processor_mode_sleep_usec = {EDITOR_SLEEP_USEC}\n")
    return str(config)


def open_session(http: httpx.Client, url: str) -> dict:
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": PROTOCOL, "capabilities": {},
                       "clientInfo": {"name": "pacing", "version": "1"}}}
    response = http.post(url, json=init, headers=ACCEPT)
    assert response.status_code == 200, response.text
    headers = {**ACCEPT, "mcp-session-id": response.headers["mcp-session-id"],
               "mcp-protocol-version": PROTOCOL}
    notified = http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"},
                         headers=headers)
    assert notified.is_success, notified.text
    return headers


async def test_calls_that_arrive_while_the_editor_sleeps_are_answered_at_once():
    project = make_project("frame_pacing")
    editor = await editor_with_main_scene(project, "frame_pacing",
                                          {"XDG_CONFIG_HOME": slow_frames_config_dir()})
    try:
        with httpx.Client(timeout=30, headers=auth_headers(editor.url)) as http:
            headers = open_session(http, editor.url)
            latencies_ms = []
            for number in range(CALLS):
                call = {"jsonrpc": "2.0", "id": 10 + number, "method": "tools/call",
                        "params": {"name": "editor_state", "arguments": {}}}
                started = time.perf_counter()
                response = http.post(editor.url, json=call, headers=headers)
                latencies_ms.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
                assert '"current_scene"' in response.text, response.text
        median = statistics.median(latencies_ms)
        assert median < WOKEN_BOUND_MS, (
            f"calls waited for the editor's {EDITOR_SLEEP_USEC / 1000:g} ms frame sleep: "
            f"median {median:.1f} ms; all: {[round(ms, 1) for ms in latencies_ms]}")
    finally:
        editor.kill()
