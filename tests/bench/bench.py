"""`cargo xtask bench`: measures the plugin on a real headless editor and reports (it asserts
nothing). Writes target/bench/results.json and results.md, and refreshes the README table.

Measured:
- tool-call latency (p50/p95/max) through the official MCP client, in-process, with the
  editor's default frame sleep ("focused", 6900 us headless) and with 100000 us ("unfocused",
  set through the editor's own setting in a private config dir);
- the same calls through a real godot-ai 2.4.2 server and our bridge, and the ratio;
- editor_state through a minimal HTTP client (no SDK) on both paths: what each server stack
  costs apart from the official client's own ~1 ms;
- 8 concurrent client sessions x 500 calls, each session its own client process, and all in
  one process: calls/s, errors, slowest call;
- editor launch -> first answered call, and plugin enabled -> first answered call;
- idle CPU and RSS of the editor with the plugin on vs off (alternating rounds, averaged), and
  the stripped release .so size;
- agent pace: editor_state every 3 s (an agent thinking between calls), focused and
  unfocused, through the minimal client (with the editor's CPU while it calls and once it has
  stopped, against the idle CPU of an editor without the plugin at the same frame sleep) and
  through the official client;
- generated scenes of 1k, 10k and 50k nodes: the first hierarchy page, all pages, node_find
  by type, and the whole list as godot-ai's server asks for it (the plugin command
  `get_scene_tree` without a window, through `batch_execute`), through the minimal client,
  with the main-thread time each call reports in its result's `_meta`: in all, and its
  longest hold of one frame (the longest of all the scene's calls, the first ones included).
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from editor_harness import (REPO, WORKDIR, Client, Editor, auth_headers, free_port,  # noqa: E402
                            make_project, port_is_free)
from godot_ai_server import GodotAiServer  # noqa: E402

CALLS = int(os.environ.get("BENCH_CALLS", "300"))
CONCURRENT_SESSIONS = 8
CALLS_PER_SESSION = 500
IDLE_SECONDS = float(os.environ.get("BENCH_IDLE_SECONDS", "20"))
PACE_CALLS = 15
PACE_GAP_S = 3.0
# When "after the agent stopped" is sampled: two minutes on (the plugin still sleeps in the
# engine's place then, and should cost what an editor without it does).
AFTER_STOP_S = float(os.environ.get("BENCH_AFTER_STOP_SECONDS", "120"))
SCENE_SIZES = [int(n) for n in os.environ.get("BENCH_SCENE_SIZES", "1000,10000,50000").split(",")]
# BENCH_ONLY=scenes measures only the generated scenes, BENCH_ONLY=pace only the agent pace
# (with the idle CPU of an unfocused editor without the plugin), and prints them (the README is
# left as it is).
ONLY = [part for part in os.environ.get("BENCH_ONLY", "").split(",") if part]
OUT = REPO / "target" / "bench"
TOOLS = [
    ("editor_state", {}),
    ("scene_get_hierarchy", {}),
    ("node_get_properties", {"path": "/Main/Camera3D"}),
]


def percentiles(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    return {"p50": round(at(0.50), 3), "p95": round(at(0.95), 3), "max": round(ordered[-1], 3),
            "n": len(ordered)}


async def latencies(url: str) -> dict:
    """Per tool: CALLS sequential calls on one session, after a short warm-up; plus the
    client's own floor: `tools/list`, answered without visiting the editor's main thread."""
    results = {}
    async with Client(url) as client:
        samples = []
        for _ in range(CALLS):
            start = time.perf_counter()
            await client.list_tools(cache_mode="bypass")
            samples.append((time.perf_counter() - start) * 1000)
        results["tools/list (no main-thread hop)"] = percentiles(samples)
        for tool, arguments in TOOLS:
            for _ in range(10):
                await client.call_tool(tool, arguments)
            samples = []
            for _ in range(CALLS):
                start = time.perf_counter()
                result = await client.call_tool(tool, arguments)
                samples.append((time.perf_counter() - start) * 1000)
                assert not result.is_error, result
            results[tool] = percentiles(samples)
    return results


async def session_calls(client: Client, samples: list[float]) -> int:
    """One throughput session's calls; appends each latency (ms), returns how many failed."""
    errors = 0
    for _ in range(CALLS_PER_SESSION):
        start = time.perf_counter()
        try:
            result = await client.call_tool("editor_state", {})
            errors += int(bool(result.is_error))
        except Exception:  # noqa: BLE001 - every failure counts as an error
            errors += 1
        samples.append((time.perf_counter() - start) * 1000)
    return errors


async def throughput_one_process(url: str) -> dict:
    """8 sessions driven by one Python event loop: a slow call here may be waiting for the
    client's own loop, not for the editor."""
    errors = 0
    samples: list[float] = []

    async def one_session():
        nonlocal errors
        async with Client(url) as client:
            errors += await session_calls(client, samples)

    start = time.perf_counter()
    async with anyio.create_task_group() as group:
        for _ in range(CONCURRENT_SESSIONS):
            group.start_soon(one_session)
    return throughput_result(samples, errors, time.perf_counter() - start)


def throughput(url: str) -> dict:
    """8 sessions, each its own client process (as 8 agents would be): all connect first, then
    start together on a signal; wall time from the signal to the last answer."""
    workers = [subprocess.Popen([sys.executable, __file__, "--throughput-worker", url],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for _ in range(CONCURRENT_SESSIONS)]
    try:
        for worker in workers:
            if worker.stdout.readline().strip() != "ready":
                raise RuntimeError("a throughput worker could not connect")
        start = time.perf_counter()
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        reports = [json.loads(worker.stdout.readline()) for worker in workers]
        elapsed = time.perf_counter() - start
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
    samples = [sample for report in reports for sample in report["samples"]]
    return throughput_result(samples, sum(report["errors"] for report in reports), elapsed)


def throughput_result(samples: list[float], errors: int, elapsed: float) -> dict:
    total = CONCURRENT_SESSIONS * CALLS_PER_SESSION
    return {"sessions": CONCURRENT_SESSIONS, "calls": total, "errors": errors,
            "calls_per_s": round(total / elapsed, 1), **{f"latency_{k}": v for k, v in
                                                       percentiles(samples).items() if k != "n"}}


async def throughput_worker(url: str) -> None:
    """One session of `throughput`, in its own process: connect, say ready, wait for go, make
    the calls, print the latencies as JSON."""
    samples: list[float] = []
    async with Client(url) as client:
        await client.call_tool("editor_state", {})
        print("ready", flush=True)
        await anyio.to_thread.run_sync(sys.stdin.readline)
        errors = await session_calls(client, samples)
    print(json.dumps({"samples": samples, "errors": errors}), flush=True)


class RawSession:
    """A minimal MCP client: one kept-alive HTTP connection, hand-written JSON-RPC, no SDK.
    It shows what each server stack costs apart from the official client's own overhead."""

    HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}

    def __init__(self, url: str):
        parsed = urlparse(url)
        self.path = parsed.path
        self.connection = http.client.HTTPConnection(parsed.hostname, parsed.port)
        self.headers = {**self.HEADERS, **auth_headers(url)}
        self.next_id = 1
        init = self.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                           "clientInfo": {"name": "bench-raw", "version": "1"}})
        self.headers["mcp-protocol-version"] = init["result"]["protocolVersion"]
        self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def post(self, body: dict) -> tuple[dict, bytes]:
        self.connection.request("POST", self.path, body=json.dumps(body), headers=self.headers)
        response = self.connection.getresponse()
        data = response.read()
        session = response.getheader("mcp-session-id")
        if session:
            self.headers["mcp-session-id"] = session
        return response, data

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        response, data = self.post({"jsonrpc": "2.0", "id": self.next_id, "method": method,
                                    "params": params})
        if response.status != 200:
            raise RuntimeError(f"{method}: HTTP {response.status}: {data[:200]!r}")
        text = data.decode()
        if "text/event-stream" in (response.getheader("content-type") or ""):
            text = next(line[len("data: "):] for line in text.splitlines()
                        if line.startswith("data: {"))
        return json.loads(text)

    def close(self) -> None:
        self.connection.close()


def raw_latencies(url: str) -> dict:
    """editor_state through [`RawSession`]; any error reply stops the bench."""
    session = RawSession(url)
    samples = []
    try:
        for _ in range(CALLS):
            start = time.perf_counter()
            reply = session.request("tools/call", {"name": "editor_state", "arguments": {}})
            samples.append((time.perf_counter() - start) * 1000)
            if "error" in reply or reply["result"].get("isError"):
                raise RuntimeError(f"editor_state failed: {reply}")
    finally:
        session.close()
    return percentiles(samples)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def agent_pace(url: str, pid: int) -> dict:
    """editor_state every PACE_GAP_S seconds (the wait is the agent thinking, part of what is
    measured), the editor's CPU meanwhile, and its CPU once AFTER_STOP_S have passed since."""
    session = RawSession(url)
    samples = []
    try:
        cpu_before, started = cpu_seconds(pid), time.monotonic()
        for _ in range(PACE_CALLS):
            time.sleep(PACE_GAP_S)
            start = time.perf_counter()
            reply = session.request("tools/call", {"name": "editor_state", "arguments": {}})
            samples.append((time.perf_counter() - start) * 1000)
            if "error" in reply or reply["result"].get("isError"):
                raise RuntimeError(f"editor_state failed: {reply}")
        calling = 100 * (cpu_seconds(pid) - cpu_before) / (time.monotonic() - started)
    finally:
        session.close()
    time.sleep(max(AFTER_STOP_S - IDLE_SECONDS, 0))
    after = cpu_and_rss(pid, IDLE_SECONDS)["cpu_percent"]
    return {**percentiles(samples), "cpu_calling_percent": round(calling, 2),
            "cpu_after_stop_percent": after}


async def agent_pace_sdk(url: str) -> dict:
    """editor_state every PACE_GAP_S seconds through the official client (its own cost
    included)."""
    samples = []
    async with Client(url) as client:
        for _ in range(PACE_CALLS):
            await anyio.sleep(PACE_GAP_S)
            start = time.perf_counter()
            result = await client.call_tool("editor_state", {})
            samples.append((time.perf_counter() - start) * 1000)
            if result.is_error:
                raise RuntimeError(f"editor_state failed: {result}")
    return percentiles(samples)


def generated_scene(nodes: int) -> str:
    """A .tscn of a Node3D root with groups of 100 Node3D children (and the groups), `nodes`
    nodes in all."""
    lines = ['[gd_scene format=3]', '', '[node name="Main" type="Node3D"]', '']
    made, group = 1, 0
    while made < nodes:
        lines += [f'[node name="G{group}" type="Node3D" parent="."]', '']
        made += 1
        for index in range(min(100, nodes - made)):
            lines += [f'[node name="N{index}" type="Node3D" parent="G{group}"]', '']
            made += 1
        group += 1
    return "\n".join(lines)


MAIN_THREAD_META = "godot-ai-native/main_thread_ms"
MAIN_THREAD_LONGEST_META = "godot-ai-native/main_thread_longest_ms"


class Call:
    """One timed tool call: round trip, main-thread time in all and its longest hold of one
    frame (ms), and its structured result."""

    def __init__(self, session: "RawSession", tool: str, arguments: dict):
        start = time.perf_counter()
        reply = session.request("tools/call", {"name": tool, "arguments": arguments})
        self.ms = (time.perf_counter() - start) * 1000
        if "error" in reply or reply["result"].get("isError"):
            raise RuntimeError(f"{tool} failed: {str(reply)[:300]}")
        self.main_ms = reply["result"]["_meta"][MAIN_THREAD_META]
        self.hold_ms = reply["result"]["_meta"][MAIN_THREAD_LONGEST_META]
        self.tool = tool if tool != "scene_get_hierarchy" else (
            f"{tool} offset {arguments.get('offset', 0)}")
        self.data = reply["result"]["structuredContent"]


async def big_scene(nodes: int) -> dict:
    project = make_project(f"bench_scene_{nodes}")
    (project / "main.tscn").write_text(generated_scene(nodes))
    editor = Editor(project, free_port(), f"bench_scene_{nodes}").start()
    try:
        editor.wait_for_endpoint(timeout=300)
        session = RawSession(editor.url)
        with anyio.fail_after(300):
            while Call(session, "editor_state", {}).data.get("current_scene") != "res://main.tscn":
                await anyio.sleep(0.1)
        firsts = [Call(session, "scene_get_hierarchy", {"depth": 10}) for _ in range(5)]
        total = firsts[0].data["total_count"]
        started, offset, pages = time.perf_counter(), 0, []
        while offset < total:
            pages.append(Call(session, "scene_get_hierarchy",
                              {"depth": 10, "offset": offset, "limit": 100}))
            offset += 100
        all_pages = (time.perf_counter() - started) * 1000
        finds = [Call(session, "node_find", {"type": "Node3D"}) for _ in range(5)]
        wholes = [Call(session, "batch_execute", {"commands": [
            {"command": "get_scene_tree", "params": {"depth": 10}}], "undo": False})
            for _ in range(3)]
        session.close()
        every = firsts + pages + finds + wholes
        return {"nodes": total, "first_page_ms": percentiles([c.ms for c in firsts])["p50"],
                "first_page_main_ms": percentiles([c.main_ms for c in firsts])["p50"],
                "all_pages_ms": round(all_pages, 1), "pages": len(pages),
                "all_pages_main_ms": round(sum(c.main_ms for c in pages), 1),
                "node_find_type_ms": percentiles([c.ms for c in finds])["p50"],
                "node_find_type_main_ms": percentiles([c.main_ms for c in finds])["p50"],
                "whole_list_ms": percentiles([c.ms for c in wholes])["p50"],
                "whole_list_main_ms": percentiles([c.main_ms for c in wholes])["p50"],
                "longest_hold_ms": round(max(c.hold_ms for c in every), 2),
                "longest_hold_call": max(every, key=lambda c: c.hold_ms).tool}
    finally:
        editor.kill()


async def first_answer(url: str, timeout: float = 120) -> float:
    """Polls every few ms until a tool call succeeds; returns when it did."""
    with anyio.fail_after(timeout):
        while True:
            try:
                async with Client(url) as client:
                    result = await client.call_tool("editor_state", {})
                    if not result.is_error:
                        return time.monotonic()
            except Exception:  # noqa: BLE001 - not up yet
                await anyio.sleep(0.002)


def cpu_and_rss(pid: int, seconds: float) -> dict:
    """CPU (percent of one core) over `seconds`, and resident memory, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu_ticks() -> int:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    before, start = cpu_ticks(), time.monotonic()
    time.sleep(seconds)
    used = (cpu_ticks() - before) / ticks
    elapsed = time.monotonic() - start
    rss_kb = int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))
    return {"cpu_percent": round(100 * used / elapsed, 2), "rss_mb": round(rss_kb / 1024, 1)}


def unfocused_config_dir() -> Path:
    """A private XDG config dir whose editor settings make the editor sleep 100 ms per frame,
    as it does when unfocused. The user's own editor settings are not touched."""
    config = WORKDIR / "bench-config-unfocused"
    settings = config / "godot" / "editor_settings-4.6.tres"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('[gd_resource type="EditorSettings" format=3]\n\n[resource]\n'
                        "interface/editor/low_processor_mode_sleep_usec = 100000\n")
    return config


def stripped_library_size() -> float:
    library = REPO / "addons/godot_ai_native/bin/libgodot_ai_native.linux.x86_64.so"
    stripped = OUT / "stripped.so"
    shutil.copy(library, stripped)
    subprocess.run(["strip", str(stripped)], check=True)
    return round(stripped.stat().st_size / 1e6, 2)


async def run_editor_phase(name: str, extra_env: dict, server: GodotAiServer) -> dict:
    project = make_project(name)
    editor = Editor(project, free_port(), name,
                    extra_env={"GODOT_AI_WS_PORT": str(server.ws_port), **extra_env})
    launched = time.monotonic()
    editor.start()
    try:
        answered = await first_answer(editor.url)
        editor.wait_for_output("MCP | connected to server")
        phase = {"launch_to_first_call_s": round(answered - launched, 3)}
        if ONLY == ["pace"]:
            phase["agent_pace"] = agent_pace(editor.url, editor.process.pid)
            return phase
        phase["in_process"] = await latencies(editor.url)
        phase["via_godot_ai"] = await latencies(server.mcp_url)
        phase["raw_in_process"] = raw_latencies(editor.url)
        phase["raw_via_godot_ai"] = raw_latencies(server.mcp_url)
        phase["agent_pace"] = agent_pace(editor.url, editor.process.pid)
        phase["agent_pace_sdk"] = await agent_pace_sdk(editor.url)
        if not extra_env:
            phase["throughput"] = throughput(editor.url)
            phase["throughput_one_process"] = await throughput_one_process(editor.url)
            phase["enable_to_first_call_ms"] = await enable_to_first_call(editor)
        return phase
    finally:
        editor.kill()


async def enable_to_first_call(editor: Editor) -> float:
    """Reloads the plugin and measures from the reload's reply to the first call the new
    plugin answers. The port stays bound across a reload (a call meanwhile waits rather than
    being refused), so the new plugin is told apart by its own "listening" line in the
    editor's output."""
    listening = "MCP | MCP endpoint listening"
    before = editor.output().count(listening)
    async with Client(editor.url) as client:
        await client.call_tool("editor_reload_plugin", {})
    replied = time.monotonic()
    with anyio.fail_after(30):
        while editor.output().count(listening) <= before:
            await anyio.sleep(0.001)
    answered = await first_answer(editor.url)
    return round((answered - replied) * 1000, 1)


def idle_phase(name: str, plugin_enabled: bool, extra_env: dict | None = None) -> dict:
    project = make_project(name, plugin_enabled=plugin_enabled)
    editor = Editor(project, free_port(), name,
                    extra_env={"GODOT_AI_WS_PORT": str(free_port()), **(extra_env or {})})
    editor.start()
    try:
        if plugin_enabled:
            editor.wait_for_endpoint()
        editor.wait_for_output("loading_editor_layout")
        time.sleep(5)  # let start-up work (first scan, imports) finish before sampling
        return cpu_and_rss(editor.process.pid, IDLE_SECONDS)
    finally:
        editor.kill()


IDLE_ROUNDS = int(os.environ.get("BENCH_IDLE_ROUNDS", "3"))


def idle_comparison() -> dict:
    """Idle CPU swings by about a percentage point between editor runs, so plugin on and off
    are sampled in alternating rounds and averaged."""
    rounds = {"plugin_on": [], "plugin_off": []}
    for index in range(IDLE_ROUNDS):
        rounds["plugin_on"].append(idle_phase(f"bench_idle_on_{index}", True))
        rounds["plugin_off"].append(idle_phase(f"bench_idle_off_{index}", False))
    return {key: {"cpu_percent": round(sum(r["cpu_percent"] for r in runs) / len(runs), 2),
                  "rss_mb": round(sum(r["rss_mb"] for r in runs) / len(runs), 1),
                  "cpu_percent_rounds": [r["cpu_percent"] for r in runs]}
            for key, runs in rounds.items()}


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}"


def ratio(a: float, b: float) -> float:
    return round(b / a, 1) if a else 0.0


def markdown(results: dict) -> str:
    focused, unfocused = results["focused"], results["unfocused"]
    rows = ["| measure | in-process (this plugin) | via godot-ai 2.4.2 server + bridge | ratio |",
            "|---|---|---|---|"]
    for label, phase in (("focused", focused), ("unfocused", unfocused)):
        for tool in [name for name, _ in TOOLS] + ["tools/list (no main-thread hop)"]:
            native, server = phase["in_process"][tool], phase["via_godot_ai"][tool]
            rows.append(f"| {tool} {label}, p50 / p95 / max ms | {native['p50']} / {native['p95']} / "
                        f"{native['max']} | {server['p50']} / {server['p95']} / {server['max']} | "
                        f"{ratio(native['p50'], server['p50'])}x |")
        native, server = phase["raw_in_process"], phase["raw_via_godot_ai"]
        rows.append(f"| editor_state {label}, minimal HTTP client (no SDK), p50 / p95 / max ms | "
                    f"{native['p50']} / {native['p95']} / {native['max']} | {server['p50']} / "
                    f"{server['p95']} / {server['max']} | {ratio(native['p50'], server['p50'])}x |")
    t, t1 = focused["throughput"], focused["throughput_one_process"]
    idle_on, idle_off = results["idle"]["plugin_on"], results["idle"]["plugin_off"]
    lines = [
        f"Measured {results['date']} on {results['machine']}, headless Godot "
        f"{results['godot_version']}, release build, official MCP Python client "
        f"(`mcp` {results['mcp_version']}), {CALLS} calls per row. Regenerate with `cargo xtask bench`.",
        "",
        *rows,
        "",
        "| measure | result |",
        "|---|---|",
        *[f"| agent pace {label} (editor_state every {PACE_GAP_S:g} s), minimal client / official "
          f"client, p50 / p95 / max ms | {p['p50']} / {p['p95']} / {p['max']}; {sdk['p50']} / "
          f"{sdk['p95']} / {sdk['max']} |"
          for label, p, sdk in (("focused", focused["agent_pace"], focused["agent_pace_sdk"]),
                                ("unfocused", unfocused["agent_pace"],
                                 unfocused["agent_pace_sdk"]))],
        *[f"| editor CPU {label}: idle without the plugin / while an agent calls every "
          f"{PACE_GAP_S:g} s / {AFTER_STOP_S:g} s after its last call | {idle} % / "
          f"{p['cpu_calling_percent']} % / {p['cpu_after_stop_percent']} % of a core |"
          for label, p, idle in (("focused", focused["agent_pace"], idle_off["cpu_percent"]),
                                 ("unfocused", unfocused["agent_pace"],
                                  results["idle_unfocused_off"]))],
        *[f"| scene of {scene['nodes']} nodes: hierarchy first page / all {scene['pages']} pages / "
          f"node_find by type / whole list for a godot-ai server (minimal client; main thread in "
          f"all) | {scene['first_page_ms']} ms ({scene['first_page_main_ms']}) / "
          f"{scene['all_pages_ms']} ms ({scene['all_pages_main_ms']}) / "
          f"{scene['node_find_type_ms']} ms ({scene['node_find_type_main_ms']}) / "
          f"{scene['whole_list_ms']} ms ({scene['whole_list_main_ms']}); longest hold of one "
          f"frame {scene['longest_hold_ms']} ms ({scene['longest_hold_call']}) |"
          for scene in results["scenes"]],
        f"| {t['sessions']} concurrent sessions x {CALLS_PER_SESSION} calls, one client process each | "
        f"{t['calls_per_s']} calls/s, {t['errors']} errors, slowest {t['latency_max']} ms "
        f"(p95 {t['latency_p95']} ms) |",
        f"| the same, all sessions in one client process | {t1['calls_per_s']} calls/s, "
        f"{t1['errors']} errors, slowest {t1['latency_max']} ms (p95 {t1['latency_p95']} ms) |",
        f"| editor launch -> first answered call | {focused['launch_to_first_call_s']} s |",
        f"| plugin reload (its reply) -> first call answered by the new plugin | {focused['enable_to_first_call_ms']} ms |",
        f"| idle CPU, plugin on / off (mean of {IDLE_ROUNDS} alternating {IDLE_SECONDS:g} s samples) | "
        f"{idle_on['cpu_percent']} % / {idle_off['cpu_percent']} % of a core |",
        f"| RSS, plugin on / off | {idle_on['rss_mb']} MB / {idle_off['rss_mb']} MB |",
        f"| release library, stripped | {results['library_stripped_mb']} MB |",
    ]
    return "\n".join(lines) + "\n"


def update_readme(table: str) -> None:
    readme = REPO / "README.md"
    text = readme.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        readme.write_text(f"{before}{start}\n{table}{end}{after}")


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    from importlib.metadata import version

    results = {"date": date.today().isoformat(), "machine": machine(),
               "mcp_version": version("mcp"), "calls_per_row": CALLS}
    if ONLY != ["scenes"]:
        server = GodotAiServer("bench").start()
        try:
            results["focused"] = await run_editor_phase("bench_focused", {}, server)
            results["unfocused"] = await run_editor_phase(
                "bench_unfocused", {"XDG_CONFIG_HOME": str(unfocused_config_dir())}, server)
        finally:
            server.kill()
    if ONLY == ["pace"]:
        results["idle_unfocused_off"] = idle_phase(
            "bench_idle_unfocused_off", False,
            {"XDG_CONFIG_HOME": str(unfocused_config_dir())})["cpu_percent"]
        print(json.dumps(results, indent=2))
        return
    results["scenes"] = [await big_scene(nodes) for nodes in SCENE_SIZES]
    if ONLY == ["scenes"]:
        print(json.dumps(results["scenes"], indent=2))
        return
    results["idle"] = idle_comparison()
    results["idle_unfocused_off"] = idle_phase(
        "bench_idle_unfocused_off", False,
        {"XDG_CONFIG_HOME": str(unfocused_config_dir())})["cpu_percent"]
    results["library_stripped_mb"] = stripped_library_size()
    results["godot_version"] = godot_version()
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    (OUT / "results.md").write_text(table)
    update_readme(table)
    print(table)
    print(f"wrote {OUT / 'results.json'} and {OUT / 'results.md'}; README table refreshed")


def godot_version() -> str:
    out = subprocess.run([os.environ["GODOT_AI_TEST_GODOT"], "--headless", "--version"],
                         capture_output=True, text=True, check=True, cwd=REPO)
    return out.stdout.strip().splitlines()[-1]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--throughput-worker"]:
        anyio.run(throughput_worker, sys.argv[2])
    else:
        anyio.run(main)
