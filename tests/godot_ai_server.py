"""A real godot-ai server (the PyPI package, pinned in requirements.txt) on free loopback ports,
as the WebSocket peer of the plugin's bridge."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

from editor_harness import WORKDIR, free_port, wait_until


#: Server versions the bridge is tested against, and the python that runs each.
PYTHONS = {
    "2.4.2": sys.executable,
    "3.2.5": os.environ.get("GODOT_AI_3_PYTHON", ""),
}


class GodotAiServer:
    def __init__(self, name: str, http_port: int | None = None, ws_port: int | None = None,
                 version: str = "2.4.2"):
        self.version = version
        self.python = PYTHONS[version]
        if not self.python:
            raise RuntimeError(f"no python for godot-ai {version}: run the tests with `cargo xtask test`")
        self.http_port = http_port or free_port()
        self.ws_port = ws_port or free_port()
        self.mcp_url = f"http://127.0.0.1:{self.http_port}/mcp"
        self.log_path = WORKDIR / "logs" / f"{name}.server.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None

    def start(self) -> "GodotAiServer":
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.python, "-m", "godot_ai", "--transport", "streamable-http",
             "--port", str(self.http_port), "--ws-port", str(self.ws_port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, "GODOT_AI_DISABLE_TELEMETRY": "1"},
        )
        log.close()
        wait_until(self._status_answers, 60, "the godot-ai server to answer /godot-ai/status",
                   self.tail)
        return self

    def _status_answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the godot-ai server exited\n{self.tail()}")
        try:
            status = httpx.get(f"http://127.0.0.1:{self.http_port}/godot-ai/status", timeout=1)
        except httpx.TransportError:
            return False
        return status.status_code == 200 and status.json()["server_version"] == self.version

    def tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "--- godot-ai server log (tail) ---\n" + "\n".join(text.splitlines()[-lines:])

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
