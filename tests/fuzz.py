"""Seeded random, hostile and plausible tool calls against a real editor (issue 38).

The fuzzer reads `tools/list`, learns each `*_manage` op's params from the refusal that names
what an op takes, then sends calls built from the params' names and schema types: mostly
plausible values (the scene's own node paths, res:// paths under a scratch folder, real class
and property names), often hostile ones (paths that climb out, absolute and `file://` paths, a
symlink to a folder outside the project, huge strings, deep nesting, wrong types), and now and
then a chain an agent makes (create a node, change it, save the scene, and check the file).

It reports a finding for:
- a crash (the editor process ended) or a call that did not answer within `CALL_BOUND`;
- an `INTERNAL_ERROR` (kept for the plugin's own bugs: a caller's mistake is a parameter error);
- a transport or protocol failure (the connection cut, an answer that is not a tool result);
- a main-thread hold over the bound, read from the reply's `godot-ai-native/main_thread_longest_ms`
  (but for the tools whose work is the engine's own on a whole scene: `INHERENTLY_SLOW`);
- a write outside the project: anything new or changed in a sentinel folder beside the project
  (reachable through a symlink inside it) or among the project's siblings;
- a save that answered ok and did not write its file.

Run by `cargo xtask fuzz --calls N --seed S` (this file's `main`), and briefly by
tests/test_fuzz.py in `cargo xtask test`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from mcp import MCPError

from conftest import open_scene_ready
from editor_harness import WORKDIR, Client, Editor, free_port, make_project

CALL_BOUND = 40.0
"""Seconds a call may take before it counts as a hang (the plugin answers every call within
its own 30 s bound)."""

LONGEST_HOLD_META = "godot-ai-native/main_thread_longest_ms"

EXCLUDED = {
    # Ends the editor, or restarts the plugin (their own tests cover them).
    ("editor_manage", "quit"),
    ("editor_reload_plugin", None),
    # Writes other programs' config files in the user's home: not the project's business here.
    ("client_manage", None),
    # Runs the game: writes are refused while it runs, and the game's own tools need it live
    # (tests/test_runtime.py and test_game_link.py drive them).
    ("project_run", None),
    ("project_stop", None),
    ("game_manage", None),
    ("game_eval", None),
}

INHERENTLY_SLOW = {"scene_open", "scene_save", "scene_manage", "editor_screenshot", "test_run"}
"""Tools whose main-thread time is the engine's own work on a whole scene or file (loading,
packing, rendering), whatever the input: their holds are reported, not held to the bound."""

CLASSES = ["Node", "Node2D", "Node3D", "Label", "Sprite2D", "MeshInstance3D", "Camera3D",
           "CanvasItem", "Object", "Resource", "Script", "BoxMesh", "StandardMaterial3D",
           "Timer", "AnimationPlayer", "TileMapLayer", "GridMap", "GPUParticles3D", "CSGBox3D",
           "Control", "Button", "EditorPlugin", "NoSuchClass", "", "Theme", "Curve",
           "GradientTexture2D", "AudioStreamPlayer", "Area3D", "CollisionShape3D"]
PROPERTIES = ["position", "scale", "rotation", "visible", "name", "text", "mesh", "script",
              "scene_file_path", "owner", "modulate", "transform", "process_mode", "no_such",
              "", "size", "material_override", "unique_name_in_owner", "editor_description",
              "metadata/fuzz", "layers", "fov", "light_energy"]
SETTING_KEYS = ["debug/file_logging/log_path", "application/config/name",
                "display/window/size/viewport_width", "fuzz/custom", "editor_plugins/enabled",
                "application/run/main_scene", "application/config/icon",
                "rendering/environment/defaults/default_clear_color", ""]
NAMES = ["Thing", "node_1", "Ünïcödé", "with space", "", ".", "..", "a/b", "a:b", "@x", "%u",
         "x" * 300, "名前", "\u202e", "Main", "Sun"]
HOSTILE_PATHS = ["../outside/x.txt", "res://../outside/x.txt", "/tmp/fuzz_outside.txt",
                 "file:///tmp/fuzz_outside.txt", "user://../../x.txt", "res://escape/x.txt",
                 "res://escape/sub/x.tscn", "res://.godot/x.txt", "C:\\x.txt", "res://a\\b.txt",
                 "", "res://", "res://" + "n" * 300 + ".txt", "/Main/" + "x" * 5000,
                 "/Main/" + "x" * 100_000, "\x00", "res://fuzz/\u202e.gd", "//", "res:///abs",
                 "/root/Main", "../..", "*", "res://fuzz/x.txt/..", "uid://nope"]
RES_FILES = ["res://fuzz/a.tscn", "res://fuzz/b.tscn", "res://fuzz/s.gd", "res://fuzz/t.tres",
             "res://fuzz/m.tres", "res://fuzz/notes.txt", "res://fuzz/img.png", "res://main.tscn",
             "res://fuzz/sub/deep.tscn", "res://fuzz/theme.tres", "res://fuzz/sound.wav",
             "res://fuzz/shader.gdshader", "res://fuzz/", "res://fuzz"]
GDSCRIPT = ["extends Node\n", "extends Node3D\n\nfunc _ready():\n\tpass\n", "extends Label\n",
            "this is not gdscript (\n", "@tool\nextends Node\n", "extends Resource\n"]


@dataclass
class Finding:
    kind: str
    tool: str
    arguments: str
    detail: str

    def line(self) -> str:
        return f"{self.kind}: {self.tool} {self.arguments} -> {self.detail}"


@dataclass
class Report:
    calls: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    longest_hold_ms: float = 0.0
    longest_hold_call: str = ""
    longest_bounded_hold_ms: float = 0.0
    longest_bounded_hold_call: str = ""
    saves_checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    refusals: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        codes = ", ".join(f"{code} {count}" for code, count in
                          sorted(self.outcomes.items(), key=lambda item: -item[1]))
        lines = [f"{self.calls} calls: {codes}",
                 f"longest main-thread hold: {self.longest_hold_ms:.1f} ms ({self.longest_hold_call})",
                 f"longest held to the bound: {self.longest_bounded_hold_ms:.1f} ms "
                 f"({self.longest_bounded_hold_call})",
                 f"saves that said ok, checked on disk: {self.saves_checked}",
                 "most frequent refusals:"]
        lines += [f"  {count:5} {text}" for text, count in
                  sorted(self.refusals.items(), key=lambda item: -item[1])[:12]]
        lines += [f"findings: {len(self.findings)}"]
        lines += [f"  {finding.line()}" for finding in self.findings[:50]]
        return "\n".join(lines)


def shown(arguments: dict) -> str:
    text = json.dumps(arguments, ensure_ascii=True)
    return text if len(text) <= 240 else text[:240] + f"... ({len(text)} chars)"


def tree_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under `folder` with its size and modification time."""
    state = {}
    if not folder.exists():
        return state
    for path in sorted(folder.rglob("*")):
        stat = path.lstat()
        state[str(path.relative_to(folder))] = (stat.st_size, stat.st_mtime_ns)
    return state


class Fuzzer:
    def __init__(self, editor: Editor, project: Path, sentinel: Path, seed: int,
                 hold_bound_ms: float):
        self.editor = editor
        self.project = project
        self.sentinel = sentinel
        self.rng = random.Random(seed)
        self.hold_bound_ms = hold_bound_ms
        self.report = Report()
        self.tools: dict[str, dict] = {}
        self.ops: dict[tuple[str, str], list[str] | None] = {}
        self.node_paths = ["/Main", "/Main/World", "/Main/Sun", "/Main/HUD/Score"]
        self.sentinel_before = tree_state(sentinel)
        self.siblings_before = self.siblings()

    def siblings(self) -> set[str]:
        return {path.name for path in self.project.parent.iterdir()}

    # -- learning ---------------------------------------------------------------------------

    async def learn(self, client: Client) -> None:
        listing = await client.list_tools()
        for tool in listing.tools:
            schema = tool.input_schema or {}
            if (tool.name, None) in EXCLUDED:
                continue
            self.tools[tool.name] = schema
            op = schema.get("properties", {}).get("op", {})
            ops = op.get("enum") or ([op["const"]] if "const" in op else [])
            for name in ops:
                if (tool.name, name) in EXCLUDED:
                    continue
                self.ops[(tool.name, name)] = await self.op_params(client, tool.name, name)

    async def op_params(self, client: Client, tool: str, op: str) -> list[str] | None:
        """The params `tool.op` takes, from its refusal of a param it does not take; None when
        it takes free-form params (nothing refused)."""
        result = await client.call_tool(tool, {"op": op, "params": {"__fuzz_probe__": 1}})
        text = result.content[0].text if result.content else ""
        match = re.search(r"It takes: ([^.]*)\.", text)
        if not match:
            return None
        takes = match.group(1)
        return [] if takes == "no params" else [name.strip() for name in takes.split(",")]

    # -- values -----------------------------------------------------------------------------

    def hostile(self) -> bool:
        return self.rng.random() < 0.35

    def path_value(self, key: str) -> str:
        if self.hostile():
            return self.rng.choice(HOSTILE_PATHS)
        res_like = any(word in key for word in ("scene", "script", "file", "texture", "theme",
                                                 "resource", "material", "mesh", "stream")) \
            and key not in ("scene_file",)
        if key == "scene_file":
            return self.rng.choice(["res://main.tscn", "", "res://fuzz/a.tscn"])
        if res_like or (key == "path" and self.rng.random() < 0.4):
            return self.rng.choice(RES_FILES)
        return self.rng.choice(self.node_paths + ["", "Main", "World/Nope", "/root/Main/World"])

    def number(self, integer: bool):
        pool = [0, 1, -1, 2, 7, 64, 1000, 2 ** 31, -2 ** 63, 10 ** 12]
        if not integer:
            pool += [0.5, -3.25, 1e308, -1e308, 1e-300]
        return self.rng.choice(pool)

    def json_value(self, depth: int = 0):
        roll = self.rng.random()
        if depth > 2 or roll < 0.5:
            return self.rng.choice([None, True, False, 0, 1, -1, 0.5, 1e308, "", "text",
                                    "res://fuzz/a.tscn", "#ff0000", "Vector2(1, 2)", "x" * 1000])
        if roll < 0.65:
            return {"x": self.number(False), "y": self.number(False)}
        if roll < 0.75:
            return {"__class__": self.rng.choice(CLASSES)}
        if roll < 0.8:
            deep = 1
            for _ in range(self.rng.choice([10, 70])):
                deep = [deep]
            return deep
        if roll < 0.82:
            return list(range(self.rng.choice([100, 5000])))
        if roll < 0.9:
            return [self.json_value(depth + 1) for _ in range(self.rng.randint(0, 4))]
        return {self.rng.choice(["r", "g", "b", "a", "x", "z", "w", "type"]):
                self.json_value(depth + 1) for _ in range(self.rng.randint(0, 4))}

    def value_for(self, key: str, schema: dict):
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = self.rng.choice(kind)
        if "enum" in schema and not self.hostile():
            return self.rng.choice(schema["enum"])
        if self.rng.random() < 0.08:
            return self.json_value()  # any type, whatever the schema says
        if key in ("path", "paths", "node", "parent", "target", "scene_file", "new_parent") \
                or key.endswith(("_path", "_paths", "_file")):
            value = self.path_value(key)
            return [value, self.path_value(key)] if key.endswith("s") else value
        if key in ("type", "class", "class_name", "node_type", "root_type", "resource_type") \
                or key.endswith("_type"):
            return self.rng.choice(CLASSES)
        if key in ("property", "param") or key.endswith("_property"):
            return self.rng.choice(PROPERTIES)
        if key == "key":
            return self.rng.choice(SETTING_KEYS)
        if key in ("name", "new_name", "group", "action", "signal", "method", "root_name") \
                or key.endswith("_name"):
            return self.rng.choice(NAMES)
        if key in ("content", "code", "source", "text"):
            return self.rng.choice(GDSCRIPT + ["plain text", "x" * 100_000])
        if key == "value" or kind is None:
            return self.json_value()
        if kind == "boolean":
            return self.rng.choice([True, False])
        if kind in ("integer", "number"):
            return self.number(kind == "integer")
        if kind == "array":
            return [self.json_value(1) for _ in range(self.rng.randint(0, 3))]
        if kind == "object":
            return self.json_value(1) if self.hostile() else {}
        return self.rng.choice(NAMES)

    # -- calls ------------------------------------------------------------------------------

    def make_call(self) -> tuple[str, dict]:
        if self.ops and self.rng.random() < 0.7:
            tool, op = self.rng.choice(sorted(self.ops))
            takes = self.ops[(tool, op)]
            keys = takes if takes is not None else ["path", "name", "value", "type"]
            params = {key: self.value_for(key, {}) for key in keys if self.rng.random() < 0.9}
            if self.rng.random() < 0.05:
                params["unexpected"] = 1
            return tool, {"op": op, "params": params}
        names = sorted(name for name in self.tools
                       if "op" not in self.tools[name].get("properties", {}))
        tool = self.rng.choice(names)
        schema = self.tools[tool]
        required = set(schema.get("required", []))
        arguments = {}
        for key, spec in schema.get("properties", {}).items():
            if key in required and self.rng.random() < 0.95 or self.rng.random() < 0.6:
                arguments[key] = self.value_for(key, spec if isinstance(spec, dict) else {})
        return tool, arguments

    async def call(self, client: Client, tool: str, arguments: dict):
        """One call, checked; returns its result (None when it failed outright)."""
        self.report.calls += 1
        started_ns = time.time_ns()
        try:
            with anyio.fail_after(CALL_BOUND):
                result = await client.call_tool(tool, arguments)
        except TimeoutError:
            self.find("hang", tool, arguments, f"no answer within {CALL_BOUND:.0f}s")
            return None
        except MCPError as error:
            self.count("mcp error")
            if error.error.code not in (-32602,):
                self.find("protocol", tool, arguments, f"MCP error {error.error.code}: {error}")
            return None
        except Exception as error:  # noqa: BLE001 - a transport failure is a finding
            self.find("transport", tool, arguments, f"{type(error).__name__}: {error}")
            return None
        if not self.editor.is_running():
            self.find("crash", tool, arguments, "the editor exited\n" + self.editor.tail())
            return None
        hold = (result.meta or {}).get(LONGEST_HOLD_META)
        if isinstance(hold, (int, float)) and hold > self.report.longest_hold_ms:
            self.report.longest_hold_ms = hold
            self.report.longest_hold_call = f"{tool} {shown(arguments)[:120]}"
        bounded = isinstance(hold, (int, float)) and tool not in INHERENTLY_SLOW
        if bounded and hold > self.report.longest_bounded_hold_ms:
            self.report.longest_bounded_hold_ms = hold
            self.report.longest_bounded_hold_call = f"{tool} {shown(arguments)[:120]}"
        if bounded and hold > self.hold_bound_ms:
            self.find("main-thread hold", tool, arguments, f"{hold:.0f} ms")
        text = result.content[0].text if result.content else ""
        if result.is_error:
            code = text.split(":", 1)[0]
            self.count(code)
            gist = re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "_", f"{tool}: {text}")[:90]
            self.report.refusals[gist] = self.report.refusals.get(gist, 0) + 1
            if code == "INTERNAL_ERROR":
                self.find("INTERNAL_ERROR", tool, arguments, text[:400])
        else:
            self.count("ok")
            self.check_save(tool, arguments, result, started_ns)
        return result

    def count(self, outcome: str) -> None:
        self.report.outcomes[outcome] = self.report.outcomes.get(outcome, 0) + 1

    def find(self, kind: str, tool: str, arguments: dict, detail: str) -> None:
        self.report.findings.append(Finding(kind, tool, shown(arguments), detail))

    def check_save(self, tool: str, arguments: dict, result, started_ns: int) -> None:
        saving = tool == "scene_save" or (
            tool == "scene_manage" and arguments.get("op") in ("save_as", "create"))
        if not saving:
            return
        data = result.structured_content or {}
        path = data.get("path", "")
        if not path.startswith("res://"):
            return
        file = self.project / path.removeprefix("res://")
        self.report.saves_checked += 1
        if not file.is_file() or file.stat().st_mtime_ns < started_ns - 2_000_000_000:
            self.find("save wrote nothing", tool, arguments, f"{path} is not written")

    def check_outside(self, when: str) -> None:
        after = tree_state(self.sentinel)
        if after != self.sentinel_before:
            changed = sorted(set(after.items()) ^ set(self.sentinel_before.items()))
            self.find("write outside the project", when, {}, f"sentinel changed: {changed[:5]}")
            self.sentinel_before = after
        siblings = self.siblings()
        new = siblings - self.siblings_before
        if new:
            self.find("write outside the project", when, {}, f"new beside the project: {sorted(new)}")
            self.siblings_before = siblings

    async def refresh_node_paths(self, client: Client) -> None:
        result = await client.call_tool("scene_get_hierarchy", {"depth": 6})
        if result.is_error or not result.structured_content:
            return
        paths = [node.get("path") for node in result.structured_content.get("nodes", [])]
        paths = [path for path in paths if isinstance(path, str)]
        if paths:
            self.node_paths = paths[:200]

    async def chain(self, client: Client) -> None:
        """What an agent does: open the scene, create a node, change it, save, check the file."""
        await self.call(client, "scene_open", {"path": "res://main.tscn"})
        name = f"Chain{self.report.calls}"
        created = await self.call(client, "node_create", {
            "type": self.rng.choice(["Node3D", "MeshInstance3D", "Label", "Timer"]),
            "name": name, "parent_path": "/Main"})
        if created is None or created.is_error:
            return
        path = (created.structured_content or {}).get("path", f"/Main/{name}")
        await self.call(client, "node_set_property", {
            "path": path, "property": self.rng.choice(PROPERTIES), "value": self.json_value()})
        saved = await self.call(client, "scene_save", {})
        if saved is not None and not saved.is_error:
            text = (self.project / "main.tscn").read_text(errors="replace")
            live = await client.call_tool("node_get_properties", {"path": path})
            if not live.is_error and f'name="{name}"' not in text:
                self.find("save wrote nothing", "scene_save", {"after": "node_create"},
                          f"{name} is in the scene but not in main.tscn")

    async def run(self, calls: int) -> Report:
        async with Client(self.editor.url) as client:
            await self.learn(client)
            while self.report.calls < calls:
                if not self.editor.is_running():
                    break
                if self.report.calls % 50 == 0:
                    await self.refresh_node_paths(client)
                    self.check_outside(f"after call {self.report.calls}")
                if self.rng.random() < 0.05:
                    await self.chain(client)
                    continue
                tool, arguments = self.make_call()
                await self.call(client, tool, arguments)
        self.check_outside("at the end")
        return self.report


def scratch_project(name: str) -> tuple[Path, Path]:
    """A fresh copy of test_project with the addon, a sentinel folder outside it (holding one
    file), and a symlink `escape` inside it pointing at the sentinel."""
    project = make_project(name)
    sentinel = WORKDIR / f"{name}_sentinel"
    if sentinel.exists():
        shutil.rmtree(sentinel)
    sentinel.mkdir(parents=True)
    (sentinel / "keep.txt").write_text("nothing may change here\n")
    (project / "escape").symlink_to(sentinel, target_is_directory=True)
    (project / "fuzz").mkdir()
    return project, sentinel


async def fuzz(calls: int, seed: int, hold_bound_ms: float, name: str = "fuzz") -> Report:
    project, sentinel = scratch_project(name)
    editor = Editor(project, free_port(), name).start()
    try:
        editor.wait_for_endpoint()
        await open_scene_ready(editor.url, "res://main.tscn")
        return await Fuzzer(editor, project, sentinel, seed, hold_bound_ms).run(calls)
    finally:
        editor.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hold-bound-ms", type=float, default=100.0)
    options = parser.parse_args()
    started = time.monotonic()
    report = anyio.run(fuzz, options.calls, options.seed, options.hold_bound_ms,
                       f"fuzz_{options.seed}")
    print(f"seed {options.seed}, {time.monotonic() - started:.0f} s")
    print(report.summary())
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
