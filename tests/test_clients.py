"""Client set-up (`client_manage`) with the real clients, pinned in tests/clients and installed
by `cargo xtask test`, each run in a throwaway HOME.

After `configure`, each client's own command reports the editor's endpoint: `claude mcp list`,
`gemini mcp list` (with the workspace trusted) and `opencode mcp list` say Connected, and
Codex's app server lists the editor's tools. `remove` takes away exactly our entry: an entry
the user had keeps its bytes. A config file that cannot be parsed is reported and left as it is.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import running_editor, structured
from editor_harness import TOKENS, WORKDIR, Client, call_tool_over_http, make_project

pytestmark = pytest.mark.anyio

CLIENTS_BIN = os.environ.get("GODOT_AI_TEST_CLIENTS_BIN", "")
OTHER_URL = "http://127.0.0.1:9/mcp"

# What the user had before: another server in each file, with comments where the format has them.
GEMINI_BEFORE = """{
  // the user's own note
  "mcpServers": {
    "other": {"httpUrl": "http://127.0.0.1:9/mcp"}  // keep me
  },
  "ui": {"theme": "Default"}
}
"""
CODEX_BEFORE = """# the user's own note
model = "o3"

[mcp_servers.other]
url = "http://127.0.0.1:9/mcp"  # keep me
"""
OPENCODE_BEFORE = """{
  "$schema": "https://opencode.ai/config.json",
  "mcp": {
    "other": {"type": "remote", "url": "http://127.0.0.1:9/mcp", "enabled": false}
  }
}
"""


class Home:
    """A throwaway HOME with the pinned clients first on PATH."""

    def __init__(self, name: str):
        if not CLIENTS_BIN:
            pytest.fail("GODOT_AI_TEST_CLIENTS_BIN is not set: run the tests with `cargo xtask test`")
        self.path = WORKDIR / "homes" / name
        subprocess.run(["rm", "-rf", str(self.path)], check=True)
        self.path.mkdir(parents=True)
        self.env = {
            key: value for key, value in os.environ.items()
            if key not in {"XDG_CONFIG_HOME", "CLAUDE_CONFIG_DIR", "CODEX_HOME", "GEMINI_CLI_HOME",
                           "OPENCODE_CONFIG_DIR"}
        }
        self.env.update({
            "HOME": str(self.path),
            "PATH": f"{CLIENTS_BIN}:{os.environ['PATH']}",
            "GEMINI_CLI_TRUST_WORKSPACE": "true",
            "NO_COLOR": "1",
        })

    def file(self, relative: str) -> Path:
        return self.path / relative

    def write(self, relative: str, text: str) -> Path:
        path = self.file(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def run(self, *args: str, timeout: float = 120, stdin: str | None = None) -> str:
        done = subprocess.run(list(args), env=self.env, cwd=self.path, capture_output=True,
                              text=True, timeout=timeout, input=stdin)
        printed = done.stdout + done.stderr
        assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{printed}"
        return printed


def entry_text(text: str, name: str) -> str:
    """The exact text of the JSON object `"name": {...}` in `text`."""
    start = text.index(f'"{name}": {{')
    depth = 0
    for position in range(text.index("{", start), len(text)):
        depth += {"{": 1, "}": -1}.get(text[position], 0)
        if depth == 0:
            return text[start:position + 1]
    raise AssertionError(f"no end to {name} in {text}")


def server_line(listing: str, name: str = "godot-ai") -> str:
    lines = [line for line in listing.splitlines() if re.search(rf"\b{re.escape(name)}\b", line)]
    assert lines, f"{name} is not listed:\n{listing}"
    return lines[0]


async def manage(url: str, op: str, params: dict | None = None, *, expect_error: bool = False):
    async with Client(url) as client:
        result = await client.call_tool("client_manage", {"op": op, "params": params or {}})
    if expect_error:
        assert result.is_error, result
        return result.content[0].text
    assert not result.is_error, result.content[0].text
    return structured(result)


def codex_tools(home: Home) -> list[str]:
    """The godot-ai tools Codex's app server sees, over its stdio JSON-RPC."""
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"clientInfo": {"name": "godot-ai-native-tests", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "mcpServerStatus/list", "params": {}},
    ]
    process = subprocess.Popen([str(Path(CLIENTS_BIN) / "codex"), "app-server"], env=home.env,
                               cwd=home.path, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        for request in requests:
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
        for line in process.stdout:
            message = json.loads(line)
            if message.get("id") == 2:
                assert "result" in message, message
                servers = message["result"]["data"]
                ours = [server for server in servers if server["name"] == "godot-ai"]
                assert ours, servers
                return sorted(ours[0]["tools"])
        raise AssertionError("codex app-server ended without answering")
    finally:
        process.kill()
        process.wait()


async def test_real_clients_are_configured_connected_and_removed_leaving_the_rest(tmp_path):
    home = Home("configure")
    home.run("claude", "mcp", "add", "--scope", "user", "--transport", "http", "other", OTHER_URL)
    claude_other = entry_text(home.file(".claude.json").read_text(), "other")
    gemini = home.write(".gemini/settings.json", GEMINI_BEFORE)
    codex = home.write(".codex/config.toml", CODEX_BEFORE)
    opencode = home.write(".config/opencode/opencode.json", OPENCODE_BEFORE)

    project = make_project("clients")
    with running_editor(project, "clients", extra_env=home.env) as editor:
        editor.wait_for_endpoint()
        url = editor.url
        for client in ["claude_code", "gemini_cli", "codex", "opencode"]:
            done = await manage(url, "configure", {"client": client})
            assert done["status"] == "ok", done
            assert done["message"].endswith(
                f"configured (HTTP: {url}, with the editor's access token)"), done
        assert done["via"] == {"kind": "file"}, "opencode is configured in its file"

        status = await manage(url, "status")
        states = {entry["id"]: entry for entry in status["clients"]}
        for client in ["claude_code", "gemini_cli", "codex", "opencode"]:
            assert states[client]["status"] == "configured", states[client]
            assert states[client]["installed"] is True, states[client]
        assert states["cursor"]["status"] == "not_configured"

        assert "Connected" in server_line(home.run("claude", "mcp", "list"))
        assert "Connected" in server_line(home.run("gemini", "mcp", "list"))
        assert re.search(r"connected", server_line(home.run("opencode", "mcp", "list")), re.I)
        tools = codex_tools(home)
        assert {"editor_state", "scene_get_hierarchy", "node_create"} <= set(tools), tools

        for client in ["claude_code", "gemini_cli", "codex", "opencode"]:
            removed = await manage(url, "remove", {"client": client})
            assert removed["changed"] is True, removed
            assert removed["message"].endswith("configuration removed"), removed

    assert gemini.read_text() == GEMINI_BEFORE
    assert codex.read_text() == CODEX_BEFORE
    assert opencode.read_text() == OPENCODE_BEFORE
    claude_file = home.file(".claude.json").read_text()
    assert entry_text(claude_file, "other") == claude_other
    assert "godot-ai" not in json.loads(claude_file)["mcpServers"]
    assert "godot-ai" not in home.run("claude", "mcp", "list")


async def test_a_config_file_that_cannot_be_parsed_is_reported_and_left_as_it_is():
    home = Home("broken")
    broken = {
        "gemini_cli": home.write(".gemini/settings.json", '{"mcpServers": {'),
        "claude_code": home.write(".claude.json", '{"mcpServers": '),
        "codex": home.write(".codex/config.toml", "[mcp_servers\n"),
    }
    before = {client: path.read_text() for client, path in broken.items()}
    project = make_project("clients_broken")
    with running_editor(project, "clients_broken", extra_env=home.env) as editor:
        editor.wait_for_endpoint()
        for client, path in broken.items():
            message = await manage(editor.url, "configure", {"client": client}, expect_error=True)
            assert "cannot be parsed" in message and str(path) in message, message
            message = await manage(editor.url, "remove", {"client": client}, expect_error=True)
            assert "cannot be parsed" in message, message
        status = await manage(editor.url, "status")
        states = {entry["id"]: entry for entry in status["clients"]}
        for client in broken:
            assert states[client]["status"] == "error", states[client]
        unknown = await manage(editor.url, "configure", {"client": "claude"}, expect_error=True)
        assert unknown.startswith(
            "VALUE_OUT_OF_RANGE: Unknown client: claude. Use one of: claude_code, "), unknown
    for client, path in broken.items():
        assert path.read_text() == before[client], client
    assert not list(home.path.glob(".claude/backups/*")), "Claude Code was never run on it"


TOKEN_FILE = (".godot", "godot_ai_native", "access_token")


async def test_after_a_rotation_the_clients_set_up_here_connect_with_the_new_token():
    """The project's own token (no GODOT_AI_MCP_TOKEN): clients set up by client_manage carry
    it; a rotation refuses the old one and sets every one of them to the new one. A client
    given the URL alone is refused and says so, without opening a browser."""
    home = Home("clients_rotate")
    project = make_project("clients_rotate")
    with running_editor(project, "clients_rotate", extra_env=home.env,
                        token_in_environment=False) as editor:
        editor.wait_for_endpoint()
        url = editor.url
        token_file = project.joinpath(*TOKEN_FILE)
        TOKENS[url] = first = token_file.read_text().strip()
        clients = ["claude_code", "gemini_cli", "codex", "opencode"]
        for client in clients:
            await manage(url, "configure", {"client": client})
        # The URL alone, as a user who skipped the set-up would add it: each client reports
        # the server not connected, and none opens a browser (for an OAuth sign-in).
        opened = home.path / "browser-opened"
        home.write("bin/xdg-open", f"#!/bin/sh\necho \"$@\" >> '{opened}'\n")
        os.chmod(home.file("bin/xdg-open"), 0o755)
        home.env["PATH"] = f"{home.path / 'bin'}:{home.env['PATH']}"
        home.env["BROWSER"] = str(home.file("bin/xdg-open"))
        home.run("claude", "mcp", "add", "--scope", "user", "--transport", "http", "bare", url)
        home.run("gemini", "mcp", "add", "--scope", "user", "--transport", "http", "bare", url)
        listing = home.run("claude", "mcp", "list")
        assert "Connected" in server_line(listing)
        bare = server_line(listing, "bare")
        assert "Connected" not in bare and "✔" not in bare, bare
        gemini_bare = server_line(home.run("gemini", "mcp", "list"), "bare")
        assert "Connected" not in gemini_bare, gemini_bare
        home.run("gemini", "mcp", "remove", "--scope", "user", "bare")
        home.run("codex", "mcp", "add", "bare", "--url", url)
        codex_listing = home.run("codex", "mcp", "list")
        home.run("codex", "mcp", "remove", "bare")
        opencode_file = home.file(".config/opencode/opencode.json")
        with_ours = opencode_file.read_text()
        config = json.loads(with_ours)
        config["mcp"]["bare"] = {"type": "remote", "url": url, "enabled": True}
        opencode_file.write_text(json.dumps(config))
        opencode_bare = server_line(home.run("opencode", "mcp", "list"), "bare")
        opencode_file.write_text(with_ours)
        assert not re.search(r"\bconnected", opencode_bare, re.I), opencode_bare
        assert not opened.exists(), (opened.read_text(), codex_listing)

        # Over plain HTTP: the caller's own token stops working with the rotation, and the
        # SDK's follow-up requests after the answer would be refused.
        rotated = call_tool_over_http(url, "client_manage", {"op": "rotate_token"})
        assert rotated["rotated"] is True and sorted(rotated["reconfigured"]) == sorted(clients)
        assert rotated["failed"] == []
        TOKENS[url] = second = token_file.read_text().strip()
        assert second != first
        status = await manage(url, "status")
        states = {entry["id"]: entry["status"] for entry in status["clients"]}
        assert all(states[client] == "configured" for client in clients), states

        assert "Connected" in server_line(home.run("claude", "mcp", "list"))
        assert "Connected" in server_line(home.run("gemini", "mcp", "list"))
        assert re.search(r"connected", server_line(home.run("opencode", "mcp", "list")), re.I)
        assert "editor_state" in codex_tools(home)
        for config in (".claude.json", ".gemini/settings.json", ".codex/config.toml",
                       ".config/opencode/opencode.json"):
            text = home.file(config).read_text()
            assert second in text and first not in text, config
        assert first not in editor.output() and second not in editor.output()
