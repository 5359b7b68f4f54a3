"""The release zip (`cargo xtask package`), installed as a user installs it: unpacked into a
new project, then loaded by a real editor, on Linux x86_64 natively and on Linux arm64 by
Debian's arm64 Godot under qemu. (The format, architecture and import checks of every library,
and the Windows DLL loaded by wine, run when the package is built.)"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from conftest import running_editor
from editor_harness import ADDON, Client, make_project
from test_plugin_lifecycle import ENDPOINT_LINE, plugin_errors

PACKAGE = os.environ.get("GODOT_AI_TEST_PACKAGE", "")
GODOT_ARM64 = os.environ.get("GODOT_AI_TEST_GODOT_ARM64", "")

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not PACKAGE, reason="GODOT_AI_TEST_PACKAGE is not set: `cargo xtask "
                       "test` (or `-- tests/test_package.py`) builds the package and sets it"),
]

# An editor under qemu runs several times slower: starting it and importing the project takes
# about half a minute here, so its bound is wider than a native editor's.
QEMU_STARTUP_TIMEOUT = 300.0

ADDON_IN_ZIP = "addons/godot_ai_native/"
LIBRARIES = [
    "libgodot_ai_native.linux.x86_64.so",
    "libgodot_ai_native.linux.arm64.so",
    "godot_ai_native.windows.x86_64.dll",
    "godot_ai_native.windows.arm64.dll",
    "libgodot_ai_native.macos.universal.dylib",
]


def test_the_zip_is_laid_out_for_the_asset_library():
    with zipfile.ZipFile(PACKAGE) as archive:
        names = archive.namelist()
        assert all(name.startswith("addons/") for name in names), names
        for file in ["godot_ai_native.gdextension", "plugin.cfg", "plugin.gd", "README.md",
                     "LICENSE"]:
            assert ADDON_IN_ZIP + file in names
        # Every file of the addon folder ships (the libraries are checked below).
        for path in ADDON.rglob("*"):
            relative = path.relative_to(ADDON).as_posix()
            if path.is_file() and not relative.startswith("bin/"):
                assert ADDON_IN_ZIP + relative in names, f"{relative} is missing from the zip"
        for library in LIBRARIES:
            info = archive.getinfo(ADDON_IN_ZIP + "bin/" + library)
            assert info.file_size > 1_000_000, (library, info.file_size)
        assert archive.read(ADDON_IN_ZIP + "godot_ai_native.gdextension") == \
            (ADDON / "godot_ai_native.gdextension").read_bytes()
        plugin_cfg = archive.read(ADDON_IN_ZIP + "plugin.cfg").decode()
        version = Path(PACKAGE).name.removeprefix("godot-ai-native-").removesuffix(".zip")
        assert f'version="{version}"' in plugin_cfg
        assert archive.testzip() is None


async def call_editor_state(url: str) -> dict:
    async with Client(url) as client:
        tools = (await client.list_tools()).tools
        assert {"editor_state", "node_create", "scene_open"} <= {tool.name for tool in tools}
        result = await client.call_tool("editor_state", {})
        assert not result.is_error, result
        return result.structured_content


async def test_the_zip_unpacked_into_a_new_project_loads_and_serves():
    project = make_project("from_zip", addon_zip=Path(PACKAGE), opened_before=False)
    with running_editor(project, "from_zip") as editor:
        editor.wait_for_endpoint()
        assert editor.wait_for_output(ENDPOINT_LINE).endswith(f"{editor.port}/mcp")
        state = await call_editor_state(editor.url)
        assert state["godot_version"].startswith("4.6")
        assert plugin_errors(editor.output()) == []


@pytest.mark.skipif(not GODOT_ARM64, reason="GODOT_AI_TEST_GODOT_ARM64 is not set")
async def test_the_arm64_library_loads_in_arm64_godot_under_qemu():
    project = make_project("from_zip_arm64", addon_zip=Path(PACKAGE), opened_before=False)
    with running_editor(project, "from_zip_arm64", godot=GODOT_ARM64) as editor:
        editor.wait_for_endpoint(timeout=QEMU_STARTUP_TIMEOUT)
        state = await call_editor_state(editor.url)
        assert state["godot_version"].startswith("4.6")
        # The launcher execs down to qemu: the editor's own process is the emulator.
        command_line = Path(f"/proc/{editor.process.pid}/cmdline").read_bytes().split(b"\0")
        assert command_line[0].endswith(b"qemu-aarch64"), command_line
        assert plugin_errors(editor.output()) == []
