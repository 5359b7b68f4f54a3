"""Engine errors belong to the call that caused them (issue 39, part 4): what the engine logs
while a command runs comes back in that call's reply, with file and line, and a call that
caused none carries nothing extra."""

from __future__ import annotations

import pytest

from conftest import call_ok, editor_with_main_scene, structured
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio

GUARDED_SIZE = """@tool
extends Node3D

@export var size := 1:
	set(value):
		if value < 0:
			push_error("size must not be negative")
			return
		size = value
"""

async def test_a_setter_error_comes_back_with_its_call():
    project = make_project("engine_errors")
    editor = await editor_with_main_scene(project, "engine_errors")
    try:
        async with Client(editor.url) as client:
            created = await call_ok(client, "script_create", {
                "path": "res://tools/guarded_size.gd", "content": GUARDED_SIZE})
            assert "engine_errors" not in created, created
            await call_ok(client, "script_attach", {
                "path": "/Main/World", "script_path": "res://tools/guarded_size.gd"})
            fine = await call_ok(client, "node_set_property", {
                "path": "/Main/World", "property": "size", "value": 3})
            assert fine["value"] == 3 and "engine_errors" not in fine, fine

            result = await client.call_tool("node_set_property", {
                "path": "/Main/World", "property": "size", "value": -1})
            refused = structured(result)
            assert refused["value"] == 3, "the setter kept the old value"
            errors = refused["engine_errors"]
            assert [(e["level"], e["message"], e["file"], e["line"]) for e in errors] == [
                ("error", "size must not be negative", "res://tools/guarded_size.gd", 7)]
            assert refused["engine_errors_summary"].startswith(
                "The engine logged 1 error(s) and 0 warning(s) during this call; first: size must "
                "not be negative (res://tools/guarded_size.gd:7)")
            # The text a text-only client shows says it too.
            assert "size must not be negative" in result.content[0].text

            state = await call_ok(client, "editor_state", {})
            assert "engine_errors" not in state
    finally:
        editor.kill()
