"""Web pages get nothing: a real browser (Debian's Chromium, headless) loads a page served from
another loopback port, which tries every way a page has to send the endpoint a tool call (a
JSON `fetch`, a text/plain `fetch`, a `no-cors` fetch, `sendBeacon`, a form POST whose body is
JSON-RPC). The scene is unchanged and no tool ran."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import threading

import pytest

from conftest import editor_with_main_scene, structured
from editor_harness import WORKDIR, Client, make_project, wait_until

pytestmark = pytest.mark.anyio

CHROMIUM = os.environ.get("GODOT_AI_TEST_CHROMIUM", "")

PAGE = """<!doctype html>
<html><body>
<iframe name="sink" id="sink"></iframe>
<script>
const endpoint = ENDPOINT;
const call = (name) => JSON.stringify({jsonrpc: "2.0", id: 1, method: "tools/call",
  params: {name: "node_create", arguments: {type: "Node2D", name: name}}});
async function attempt(how) {
  try { return await how(); } catch (error) { return "refused: " + error.name; }
}
async function run() {
  const seen = {};
  seen.json = await attempt(async () => (await fetch(endpoint, {method: "POST",
    headers: {"content-type": "application/json",
              "accept": "application/json, text/event-stream",
              "mcp-protocol-version": "2025-06-18"},
    body: call("FromJsonFetch")})).status);
  seen.text = await attempt(async () => (await fetch(endpoint, {method: "POST",
    headers: {"content-type": "text/plain"}, body: call("FromTextFetch")})).status);
  seen.no_cors = await attempt(async () => (await fetch(endpoint, {method: "POST",
    mode: "no-cors", body: call("FromNoCorsFetch")})).type);
  seen.beacon = navigator.sendBeacon(endpoint, call("FromBeacon"));
  const sink = document.getElementById("sink");
  await new Promise((loaded) => {
    sink.onload = loaded;
    const form = document.createElement("form");
    form.method = "POST"; form.action = endpoint; form.target = "sink";
    form.enctype = "text/plain";
    const field = document.createElement("input");
    field.name = call("FromForm").slice(0, -1) + ', "pad": "';
    field.value = '"}';
    form.appendChild(field);
    document.body.appendChild(form);
    form.submit();
  });
  seen.form = "answered";
  await fetch("/results", {method: "POST", body: JSON.stringify(seen)});
}
run();
</script>
</body></html>
"""

NAMES = ["FromJsonFetch", "FromTextFetch", "FromNoCorsFetch", "FromBeacon", "FromForm"]


class PageServer:
    """Serves the page on its own loopback port and keeps what the page reports."""

    def __init__(self, endpoint: str):
        self.results: dict | None = None
        page = PAGE.replace("ENDPOINT", json.dumps(endpoint)).encode()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("content-type", "text/html")
                self.end_headers()
                self.wfile.write(page)

            def do_POST(self):
                length = int(self.headers.get("content-length", "0"))
                server.results = json.loads(self.rfile.read(length))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()


async def test_a_web_page_on_another_loopback_port_cannot_run_a_tool():
    if not CHROMIUM:
        pytest.fail("GODOT_AI_TEST_CHROMIUM is not set: run the tests with `cargo xtask test`")
    editor = await editor_with_main_scene(make_project("browser"), "browser")
    page = PageServer(editor.url)
    profile = WORKDIR / "chromium-profile"
    browser = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", page.url],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        results = wait_until(lambda: page.results, 60, "the page to report its attempts")
        # The page ran every attempt: the fetches the browser let through were refused by the
        # endpoint (so the page cannot read them), the opaque ones were sent.
        assert results["json"].startswith("refused"), results
        assert results["text"].startswith("refused"), results
        assert results["no_cors"] == "opaque", results
        assert results["beacon"] is True, results
        assert results["form"] == "answered", results
        async with Client(editor.url) as client:
            tree = structured(await client.call_tool("scene_get_hierarchy", {"depth": 3}))
            log = structured(await client.call_tool(
                "logs_read", {"source": "plugin", "count": 1000}))["lines"]
        names = json.dumps(tree)
        assert not any(name in names for name in NAMES), tree
        assert not any("[recv] create_node" in line for line in log), log[-20:]
        assert not any(name in line for line in log for name in NAMES)
    finally:
        browser.kill()
        browser.wait()
        page.stop()
        editor.kill()
