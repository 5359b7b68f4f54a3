"""Scripts, files and project settings through the MCP endpoint, checked on disk and in the
editor."""

from __future__ import annotations

import pytest

from conftest import editor_with_main_scene, structured
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio

SCRIPT = "extends Node3D\n\nfunc _ready() -> void:\n\tprint(\"hello\")\n"


async def test_scripts_files_and_settings_round_trip():
    project = make_project("scripts_files")
    editor = await editor_with_main_scene(project, "scripts_files")
    try:
        async with Client(editor.url) as client:
            created = structured(await client.call_tool("script_create", {
                "path": "res://scripts/world.gd", "content": SCRIPT}))
            assert created["path"] == "res://scripts/world.gd" and created["size"] == len(SCRIPT)
            assert (project / "scripts" / "world.gd").read_text() == SCRIPT

            attached = structured(await client.call_tool("script_attach", {
                "path": "/Main/World", "script_path": "res://scripts/world.gd"}))
            assert attached == {"path": "/Main/World", "script_path": "res://scripts/world.gd",
                                "had_previous_script": False, "undoable": True}
            mismatch = await client.call_tool("script_attach", {
                "path": "/Main/HUD/Score", "script_path": "res://scripts/world.gd"})
            assert mismatch.is_error and mismatch.content[0].text.startswith(
                "WRONG_TYPE: res://scripts/world.gd extends Node3D, which a Label node is not")
            props = structured(await client.call_tool("node_get_properties", {"path": "/Main/World"}))
            script = next(p for p in props["properties"] if p["name"] == "script")
            assert script["value"] == "res://scripts/world.gd"

            read = structured(await client.call_tool("script_manage", {
                "op": "read", "params": {"path": "res://scripts/world.gd"}}))
            assert read["content"] == SCRIPT and read["line_count"] == 5
            detached = structured(await client.call_tool("script_manage", {
                "op": "detach", "params": {"path": "/Main/World"}}))
            assert detached["removed_script"] == "res://scripts/world.gd"

            written = structured(await client.call_tool("filesystem_manage", {
                "op": "write_text", "params": {"path": "res://notes/todo.txt", "content": "a\nb"}}))
            assert written["cleanup"] == {"rm": ["res://notes/todo.txt"]}
            assert (project / "notes" / "todo.txt").read_text() == "a\nb"
            text = structured(await client.call_tool("filesystem_manage", {
                "op": "read_text", "params": {"path": "res://notes/todo.txt"}}))
            assert text["content"] == "a\nb" and text["line_count"] == 2

            escape = await client.call_tool("filesystem_manage", {
                "op": "read_text", "params": {"path": "res://../outside.txt"}})
            assert escape.is_error and escape.content[0].text.startswith(
                "INVALID_PARAMS: Path must not contain '..'")
            other_scheme = await client.call_tool("filesystem_manage", {
                "op": "write_text", "params": {"path": "/tmp/x.txt", "content": "x"}})
            assert other_scheme.content[0].text.startswith("INVALID_PARAMS: Path must start with res://")
            # A name too long for the file system is the caller's to shorten (it was
            # INTERNAL_ERROR), and nothing is written.
            long_name = await client.call_tool("filesystem_manage", {
                "op": "write_text", "params": {"path": f"res://notes/{'n' * 300}.txt",
                                               "content": "x"}})
            assert long_name.content[0].text.startswith(
                "INVALID_PARAMS: Path must not have a file or folder name longer than 255 bytes"), \
                long_name.content[0].text

            name = structured(await client.call_tool("project_manage", {
                "op": "settings_get", "params": {"key": "application/config/name"}}))
            assert name == {"key": "application/config/name",
                            "value": "Godot AI Native Test Project", "type": "String"}
            changed = structured(await client.call_tool("project_manage", {
                "op": "settings_set",
                "params": {"key": "display/window/size/viewport_width", "value": 1280}}))
            assert changed["value"] == 1280 and changed["undoable"] is False
            missing = await client.call_tool("project_manage", {
                "op": "settings_get", "params": {"key": "no/such/setting"}})
            assert missing.content[0].text == "VALUE_OUT_OF_RANGE: Setting not found: no/such/setting"
        assert "viewport_width=1280" in (project / "project.godot").read_text()
    finally:
        editor.kill()
