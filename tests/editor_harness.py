"""A real Godot editor, run headless for a test: start, wait for the MCP endpoint, read its
Output, stop.

Waits are event polls with a bound (the endpoint answering, a line appearing in the Output,
the process exiting), never fixed sleeps.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import select
import shutil
import socket
import struct
import subprocess
import time
import wave
import zipfile
from pathlib import Path

import anyio
import httpx
import mcp
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

GODOT = os.environ.get("GODOT_AI_TEST_GODOT", "")
XVFB = os.environ.get("GODOT_AI_TEST_XVFB", "")
WORKDIR = Path(os.environ.get("GODOT_AI_TEST_WORKDIR", "target/e2e")).resolve()
REPO = Path(__file__).resolve().parent.parent
ADDON = REPO / "addons" / "godot_ai_native"
TEST_PROJECT = REPO / "test_project"

STARTUP_TIMEOUT = 90.0
POLL_INTERVAL = 0.05

TOKEN_ENV = "GODOT_AI_MCP_TOKEN"

# The access token of each editor a test started, by endpoint URL: `Client` and
# `auth_headers` send it, as a client set up by the plugin does.
TOKENS: dict[str, str] = {}


def auth_headers(url: str) -> dict[str, str]:
    """The `Authorization` header for the editor at `url` (none for other servers)."""
    token = TOKENS.get(url)
    return {"Authorization": f"Bearer {token}"} if token else {}


def call_tool_over_http(url: str, tool: str, arguments: dict) -> dict:
    """One `tools/call` over plain HTTP in a session of its own (no SDK), sending the editor's
    token: the structured result, or `{"is_error": True, "text": ...}`. For a call after which
    the caller's own token stops working (a rotation), where the SDK's follow-up requests
    would be refused."""
    headers = {"accept": "application/json, text/event-stream", **auth_headers(url)}
    with httpx.Client(timeout=30, headers=headers) as http:
        opened = http.post(url, json={
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "raw-call", "version": "1"}}})
        assert opened.status_code == 200, opened.text
        session = {"mcp-session-id": opened.headers["mcp-session-id"],
                   "mcp-protocol-version": "2025-06-18"}
        http.post(url, headers=session,
                  json={"jsonrpc": "2.0", "method": "notifications/initialized"})
        answered = http.post(url, headers=session, json={
            "jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}})
    assert answered.status_code == 200, answered.text
    for line in answered.text.splitlines():
        payload = line[5:] if line.startswith("data:") else line
        if not payload.strip().startswith("{"):
            continue
        result = json.loads(payload).get("result")
        if result is None:
            continue
        if result.get("isError"):
            return {"is_error": True, "text": result["content"][0]["text"]}
        return result["structuredContent"]
    raise AssertionError(f"no result in {answered.text!r}")


class Client(mcp.Client):
    """The official MCP client, sending the access token of the editor whose URL it is given
    (as every client the plugin sets up does); any other server is reached as it is."""

    def __init__(self, server, *args, **kwargs):
        self._http = None
        headers = auth_headers(server) if isinstance(server, str) else {}
        if headers:
            self._http = create_mcp_http_client(headers=headers)
            server = streamable_http_client(server, http_client=self._http)
        super().__init__(server, *args, **kwargs)

    async def __aexit__(self, *exc):
        try:
            return await super().__aexit__(*exc)
        finally:
            if self._http is not None:
                await self._http.aclose()


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Whether a new server could listen on `port` now. Like every server (and Rust's
    `TcpListener`), the probe sets SO_REUSEADDR: connections the endpoint closed itself (a
    refusal says `Connection: close`) linger in TIME_WAIT, which does not keep a listener out."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_until(condition, timeout: float, what: str, on_timeout=lambda: ""):
    """Polls `condition` until it returns something truthy, and returns that; fails after
    `timeout` seconds saying `what` did not happen. For conditions with no event to wait on
    (a line in a log file, a port answering, a process gone), never as a delay."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}\n{on_timeout()}")
        time.sleep(POLL_INTERVAL)


async def wait_until_async(condition, timeout: float, what: str, on_timeout=lambda: ""):
    """`wait_until` for async code: `condition` is a coroutine function, typically a read-only
    query (the editor's or a server's state) whose answer changes when the awaited event has
    happened. Never for retrying a call whose answer the test asserts."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = await condition()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} "
                                 f"(last answer: {last!r})\n{on_timeout()}")
        await anyio.sleep(POLL_INTERVAL)


def make_project(name: str, *, with_addon: bool = True, plugin_enabled: bool = True,
                 addon_zip: Path | None = None, opened_before: bool = True) -> Path:
    """A fresh copy of test_project under the e2e workdir, optionally with the addon copied in
    (exactly what a user does; from the release zip when `addon_zip` is given, unpacked at the
    project's root as the Asset Library does) and enabled in project.godot.

    `opened_before` (the default) gives the project what an editor that opened it once leaves:
    `.godot/extension_list.cfg` naming the addon, so the editor loads the extension at start.
    Without it the editor discovers the extension during its first scan and loads it then,
    which is what a user sees once, right after installing; Godot then regenerates its class
    documentation on a thread, and Godot 4.6.3 crashes if it quits during that (an engine
    bug the plugin cannot observe). Tests of the first install pass False."""
    project = WORKDIR / "projects" / name
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(TEST_PROJECT, project, ignore=shutil.ignore_patterns(".godot", "addons"))
    if addon_zip is not None:
        with zipfile.ZipFile(addon_zip) as archive:
            archive.extractall(project)
    elif with_addon:
        shutil.copytree(ADDON, project / "addons" / "godot_ai_native", copy_function=link_or_copy)
    if opened_before and (with_addon or addon_zip is not None):
        (project / ".godot").mkdir()
        (project / ".godot" / "extension_list.cfg").write_text(
            "res://addons/godot_ai_native/godot_ai_native.gdextension\n")
    if not plugin_enabled:
        settings = project / "project.godot"
        text = settings.read_text()
        start = text.index("[editor_plugins]")
        settings.write_text(text[:start])
    return project


def link_or_copy(source: str, destination: str) -> str:
    """A hard link to `source` when it is a built library (the addon's debug library is over
    100 MB and the suite makes about a hundred projects: copies filled CI's disk), a copy
    otherwise or where links cannot be made. Nothing writes to a library while tests run; every
    other file is copied, as tests edit them."""
    if Path(source).suffix in (".so", ".dll", ".dylib"):
        try:
            os.link(source, destination)
            return destination
        except OSError:
            pass
    return shutil.copy2(source, destination)


def copy_project(project: Path, name: str) -> Path:
    """A copy of `project`'s files as they are on disk now (what a user would send on), under
    the e2e workdir, without the editor's `.godot` cache: a fresh editor opens it as it would
    after a clone (the addon's extension named in `.godot/extension_list.cfg`, as in
    `make_project`)."""
    copy = WORKDIR / "projects" / name
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".godot"),
                    copy_function=link_or_copy)
    (copy / ".godot").mkdir()
    (copy / ".godot" / "extension_list.cfg").write_text(
        "res://addons/godot_ai_native/godot_ai_native.gdextension\n")
    return copy


BEEP_RATE = 22050
BEEP_SECONDS = 0.25


def write_beep(path: Path) -> None:
    """A quarter-second 440 Hz mono WAV, for the editor to import."""
    path.parent.mkdir(parents=True, exist_ok=True)
    samples = (int(12000 * math.sin(2 * math.pi * 440 * n / BEEP_RATE))
               for n in range(int(BEEP_RATE * BEEP_SECONDS)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(BEEP_RATE)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))


class VirtualDisplay:
    """An Xvfb server (where the editor can reach it) for GUI-editor tests. Ready when Xvfb has
    reported its display number (`-displayfd`) and accepts a connection on it, not after a
    guessed delay. Its output goes to logs/xvfb-<display>.log."""

    def __init__(self, timeout: float = 30.0):
        if not XVFB:
            raise RuntimeError("GODOT_AI_TEST_XVFB is not set: no virtual display available")
        self.log_path = WORKDIR / "logs" / f"xvfb-{os.getpid()}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._pipe: int | None = None
        read_end, write_end = os.pipe()
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [XVFB, "-displayfd", str(write_end), "-screen", "0", "1280x800x24",
                 "-nolisten", "tcp"],
                pass_fds=(write_end,), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        os.close(write_end)
        # Xvfb writes the number and the newline separately, and dies if the pipe is closed in
        # between: read up to the newline, and keep our end open while Xvfb runs.
        self._pipe = read_end
        number = self._read_line(timeout)
        if not number:
            self.stop()
            raise AssertionError(f"Xvfb did not report a display within {timeout:.0f}s\n{self.tail()}")
        self.name = f":{number}"
        wait_until(lambda: self._accepts(number), timeout, f"Xvfb to accept connections on {self.name}",
                   self.tail)

    def _read_line(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        text = b""
        while not text.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self._pipe], [], [], max(remaining, 0))
            chunk = os.read(self._pipe, 32) if ready else b""
            if not chunk:
                break
            text += chunk
        return text.decode().strip() if text.endswith(b"\n") else ""

    def _accepts(self, number: str) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"Xvfb exited with {self.process.returncode}\n{self.tail()}")
        # X servers also listen on an abstract socket, shared with the chroot Xvfb runs in.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(f"\0/tmp/.X11-unix/X{number}")
                return True
            except OSError:
                return False

    def tail(self, lines: int = 20) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "--- Xvfb output (tail) ---\n" + "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None


class Editor:
    """One editor process on `project`, with its MCP endpoint on `port`: headless, or with a
    window on `display` (an X display such as `:3`, rendering with OpenGL)."""

    def __init__(self, project: Path, port: int, name: str, *, allow_headless: bool = True,
                 extra_env: dict[str, str] | None = None, display: str | None = None,
                 godot: str | None = None, token_in_environment: bool = True):
        """`token_in_environment` (the default) gives the editor a fresh access token through
        GODOT_AI_MCP_TOKEN, which `Client` and `auth_headers` send; without it the editor uses
        the project's token file, which the test reads itself."""
        self._godot = godot or GODOT
        if not self._godot:
            raise RuntimeError("GODOT_AI_TEST_GODOT is not set: run the tests with `cargo xtask test`")
        self.project = project
        self.port = port
        self.url = f"http://127.0.0.1:{port}/mcp"
        self.log_path = WORKDIR / "logs" / f"{name}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env["GODOT_AI_MCP_PORT"] = str(port)
        # No godot-ai server unless a test starts one: keep the bridge off by default.
        env["GODOT_AI_WS_PORT"] = "0"
        if allow_headless:
            env["GODOT_AI_ALLOW_HEADLESS"] = "1"
        else:
            env.pop("GODOT_AI_ALLOW_HEADLESS", None)
        if display:
            env["DISPLAY"] = display
        env.pop(TOKEN_ENV, None)
        if token_in_environment:
            # An editor started again on the same endpoint keeps its token, as one reading the
            # project's token file does.
            env[TOKEN_ENV] = TOKENS.get(self.url) or secrets.token_hex(32)
        env.update(extra_env or {})
        self.token = env.get(TOKEN_ENV)
        if self.token:
            TOKENS[self.url] = self.token
        else:
            TOKENS.pop(self.url, None)
        self._env = env
        self._window_args = ["--rendering-driver", "opengl3"] if display else ["--headless"]
        self.process: subprocess.Popen | None = None

    def start(self) -> "Editor":
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [self._godot, *self._window_args, "--editor", "--path", str(self.project), "res://main.tscn"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self._env,
            cwd=self.project,
        )
        log.close()
        return self

    # --- observing -----------------------------------------------------------------------

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def output_lines(self) -> list[str]:
        return self.output().splitlines()

    def tail(self, lines: int = 40) -> str:
        return "--- editor output (tail) ---\n" + "\n".join(self.output_lines()[-lines:])

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def endpoint_answers(self) -> bool:
        try:
            httpx.get(self.url, timeout=1.0)
            return True
        except httpx.TransportError:
            return False

    def wait_for_endpoint(self, timeout: float = STARTUP_TIMEOUT) -> "Editor":
        def ready():
            if not self.is_running():
                raise AssertionError(f"the editor exited with {self.process.returncode}\n{self.tail()}")
            return self.endpoint_answers()

        wait_until(ready, timeout, f"the MCP endpoint at {self.url}", self.tail)
        return self

    def wait_for_output(self, text: str, timeout: float = STARTUP_TIMEOUT, after: int = 0) -> str:
        """Waits for an Output line containing `text` (among lines from index `after` on)."""
        return self.wait_for_line(text, timeout, after)[1]

    def wait_for_line(self, text: str, timeout: float = STARTUP_TIMEOUT,
                      after: int = 0) -> tuple[int, str]:
        """Like `wait_for_output`, and also returns the line's index, for waiting on what
        comes after it."""

        def find():
            for index, line in enumerate(self.output_lines()[after:], start=after):
                if text in line:
                    return index, line
            return None

        return wait_until(find, timeout, f"Output line containing {text!r} (after line {after})",
                          self.tail)

    def wait_for_exit(self, timeout: float = 30.0) -> int:
        wait_until(lambda: not self.is_running(), timeout, "the editor to exit", self.tail)
        return self.process.returncode

    # --- stopping ------------------------------------------------------------------------

    def kill(self) -> None:
        if self.is_running():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
