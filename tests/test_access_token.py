"""Only callers holding the editor's access token drive it: a request without it, with a wrong
one, or with it in the URL gets HTTP 401 saying how to fix it; the token is made per project,
kept private in `.godot/`, rotated on request (the old one refused at once), and never shown
in the Output, the plugin's log, the session file or a reply."""

from __future__ import annotations

import stat
import time

import httpx
import pytest

from conftest import running_editor, structured
from editor_harness import TOKENS, Client, auth_headers, call_tool_over_http, make_project

pytestmark = pytest.mark.anyio

TOKEN_FILE = (".godot", "godot_ai_native", "access_token")
SESSIONS_FILE = (".godot", "godot_ai_native", "mcp_sessions.json")
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                         "clientInfo": {"name": "token-test", "version": "1"}}}
ACCEPT = {"accept": "application/json, text/event-stream"}
FIX = "Configure button of the editor's Godot AI dock"


def initialize(url: str, headers: dict[str, str], path: str = "") -> httpx.Response:
    return httpx.post(url + path, json=INITIALIZE, headers={**ACCEPT, **headers}, timeout=10)


def assert_refused(response: httpx.Response, words: str = "needs its access token") -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    message = response.json()["error"]["message"]
    assert words in message and FIX in message, message
    assert "mcp-session-id" not in response.headers


def test_requests_without_the_right_token_get_401_naming_the_fix(editor):
    token = editor.token
    assert_refused(initialize(editor.url, {}))
    assert_refused(initialize(editor.url, {"Authorization": "Bearer " + "0" * 64}))
    assert_refused(initialize(editor.url, {"Authorization": f"Bearer {token[:-1]}"}))
    assert_refused(initialize(editor.url, {"Authorization": f"Bearer {token}x"}))
    assert_refused(initialize(editor.url, {"Authorization": f"Basic {token}"}))
    assert_refused(initialize(editor.url, {"Authorization": "Bearer"}))
    assert_refused(initialize(editor.url, {"Authorization": token}))
    # The token in the URL is refused even when it is right: URLs end up in logs.
    assert_refused(initialize(editor.url, auth_headers(editor.url), f"?token={token}"),
                   "never in the URL")
    accepted = initialize(editor.url, {"Authorization": f"bearer {token}"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.headers["mcp-session-id"]


async def test_a_burst_of_wrong_tokens_neither_locks_out_nor_slows_the_editor(editor):
    started = time.monotonic()
    with httpx.Client(timeout=10, headers=ACCEPT) as http:
        for attempt in range(300):
            wrong = {"Authorization": f"Bearer guess-{attempt:04d}-{'x' * 40}"}
            assert http.post(editor.url, json=INITIALIZE, headers=wrong).status_code == 401
    # Refusals cost a header read each: 300 of them in well under the time one editor call
    # may take, and the user's own token works at once afterwards.
    assert time.monotonic() - started < 30
    async with Client(editor.url) as client:
        state = structured(await client.call_tool("editor_state", {}))
    assert state["project_name"] == "Godot AI Native Test Project"
    assert editor.token not in editor.output()
    assert "guess-" not in editor.output()


async def test_the_project_token_is_private_rotatable_and_never_shown():
    project = make_project("access_token_file")
    with running_editor(project, "access_token_file", token_in_environment=False) as editor:
        editor.wait_for_endpoint()
        token_file = project.joinpath(*TOKEN_FILE)
        token = token_file.read_text().strip()
        assert len(token) == 64 and all(c in "0123456789abcdef" for c in token)
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert_refused(initialize(editor.url, {}))

        TOKENS[editor.url] = token
        async with Client(editor.url) as client:
            status = structured(await client.call_tool("client_manage", {"op": "status"}))
            assert status["url"] == editor.url
        rotated = call_tool_over_http(editor.url, "client_manage", {"op": "rotate_token"})
        assert rotated["rotated"] is True and rotated["reconfigured"] == [], rotated
        assert "restart" in rotated["note"], rotated

        new_token = token_file.read_text().strip()
        assert new_token != token and len(new_token) == 64
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert_refused(initialize(editor.url, {"Authorization": f"Bearer {token}"}))
        TOKENS[editor.url] = new_token
        # A session with the handshake (legacy mode), so the session file is written.
        async with Client(editor.url, mode="legacy") as client:
            plugin_log = structured(await client.call_tool(
                "logs_read", {"source": "plugin", "count": 500}))
            state = structured(await client.call_tool("editor_state", {}))
        assert state["project_name"] == "Godot AI Native Test Project"

        lines = "\n".join(plugin_log["lines"])
        assert "access token was rotated" in lines, lines[-2000:]
        output = editor.output()
        assert "requires this project's access token" in output
        for secret in (token, new_token):
            assert secret not in output
            assert secret not in lines
            assert secret not in project.joinpath(*SESSIONS_FILE).read_text()
            assert secret not in str(rotated) and secret not in str(status)


async def test_a_token_set_by_the_environment_is_not_rotated_here(editor):
    async with Client(editor.url) as client:
        refused = await client.call_tool("client_manage", {"op": "rotate_token"})
        # Code sent to the game is traced by its size only, like file contents.
        code = 'print("secret-marker-31337")'
        await client.call_tool("editor_manage", {"op": "game_eval", "params": {"code": code}})
        traced = structured(await client.call_tool(
            "logs_read", {"source": "plugin", "count": 500}))["lines"]
    assert f'MCP | [recv] game_eval({{"code":"<{len(code)} bytes>"}})' in traced, traced[-20:]
    assert not any("secret-marker" in line for line in traced)
    assert refused.is_error
    assert "GODOT_AI_MCP_TOKEN" in refused.content[0].text
    assert editor.token not in refused.content[0].text
    assert initialize(editor.url, auth_headers(editor.url)).status_code == 200
