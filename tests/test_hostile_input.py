"""Hostile and careless calls (issue 38's findings): each gets a parameter error that says what
to change, the editor keeps answering, nothing is written outside the project, and a save that
says ok has written the file."""

from __future__ import annotations

import os
import time

import pytest

from conftest import call_error, call_ok, editor_with_main_scene, node_properties, structured
from editor_harness import WORKDIR, Client, make_project

pytestmark = pytest.mark.anyio

LOG_PATH = "debug/file_logging/log_path"


async def test_a_node_path_of_a_million_characters_is_refused_at_once_and_the_editor_answers(editor):
    async with Client(editor.url) as client:
        for tool, arguments in [
            ("node_manage", {"op": "get_groups", "params": {"path": "/Main/" + "x" * 1_000_000}}),
            ("node_get_properties", {"path": "/Main/" + "x" * 1_000_000}),
            ("node_create", {"type": "Node", "parent_path": "/Main/" + "x" * 5_000}),
        ]:
            text = await call_error(client, tool, arguments)
            assert text.startswith("VALUE_OUT_OF_RANGE: Param '"), text[:300]
            assert "paths are limited to 4096 characters" in text, text[:300]
            assert len(text) < 1000, "the error does not echo the path"
        # A long path under the bound that names no node: not found, with no suggestions
        # (nothing that long is a near miss), answered like any other miss.
        result = await client.call_tool("node_get_properties", {"path": "/Main/" + "y" * 4000})
        assert result.is_error and result.content[0].text.startswith("NODE_NOT_FOUND: Node not found")
        assert "suggestions" not in (result.structured_content["error"].get("data") or {})
        state = structured(await client.call_tool("editor_state", {}))
        assert state["current_scene"] == "res://main.tscn"


async def test_settings_that_name_files_stay_inside_the_project_and_saves_that_say_ok_wrote():
    project = make_project("hostile_input")
    outside = WORKDIR / "hostile_input_outside"
    editor = await editor_with_main_scene(project, "hostile_input")
    try:
        async with Client(editor.url) as client:
            before = structured(await client.call_tool("project_manage", {
                "op": "settings_get", "params": {"key": LOG_PATH}}))["value"]
            # Finding 1: a setting whose value names a file is confined like a file path.
            for value, why in [
                ("logs/x.log", "relative to wherever the game starts"),
                (f"{outside}/x.log", "is an absolute path"),
                ("res://../outside/x.log", "climbs out with '..'"),
                ("file:///tmp/x.log", "is a file:// URL"),
            ]:
                text = await call_error(client, "project_manage", {
                    "op": "settings_set", "params": {"key": LOG_PATH, "value": value}})
                assert text.startswith(f"INVALID_PARAMS: Setting '{LOG_PATH}' names a file or "
                                       "folder:"), text
                assert why in text, text
            text = await call_error(client, "project_manage", {"op": "settings_set", "params": {
                "key": "editor_plugins/enabled", "value": ["res://addons/../../x/plugin.cfg"]}})
            assert text.startswith("INVALID_PARAMS: Setting 'editor_plugins/enabled'"), text
            after = structured(await client.call_tool("project_manage", {
                "op": "settings_get", "params": {"key": LOG_PATH}}))["value"]
            assert after == before
            assert str(outside) not in (project / "project.godot").read_text()
            # The game's own data folder and a file inside the project are fine.
            for value in ["user://logs/agent.log", "res://logs/agent.log"]:
                await call_ok(client, "project_manage", {
                    "op": "settings_set", "params": {"key": LOG_PATH, "value": value}})
            await call_ok(client, "project_manage", {
                "op": "settings_set", "params": {"key": "application/config/description",
                                                 "value": "A: game about paths/and slashes"}})

            # Finding 3: properties that tie a node to its scene file are the editor's.
            for path, value in [("/Main", "res://nothing.tscn"), ("/Main/World", "[]")]:
                text = await call_error(client, "node_set_property", {
                    "path": path, "property": "scene_file_path", "value": value})
                assert text.startswith("INVALID_PARAMS: scene_file_path ties a node to its scene "
                                       "file"), text
            text = await call_error(client, "node_set_property", {
                "path": "/Main/World", "property": "owner", "value": None})
            assert text.startswith("INVALID_PARAMS: owner ties a node"), text
            # A resource of the wrong class would be stored as null, clearing the mesh.
            await call_ok(client, "node_set_property", {
                "path": "/Main/World/Ground", "property": "mesh",
                "value": {"__class__": "BoxMesh"}})
            mesh_before = (await node_properties(client, "/Main/World/Ground"))["mesh"]
            text = await call_error(client, "node_set_property", {
                "path": "/Main/World/Ground", "property": "mesh",
                "value": {"__class__": "GradientTexture2D"}})
            assert text.startswith("WRONG_TYPE: 'mesh' takes a Mesh; the given resource is a "
                                   "GradientTexture2D"), text
            assert (await node_properties(client, "/Main/World/Ground"))["mesh"] == mesh_before
            await call_ok(client, "script_create", {
                "path": "res://scripts/label_only.gd", "content": "extends Label\n"})
            text = await call_error(client, "node_set_property", {
                "path": "/Main/World", "property": "script",
                "value": "res://scripts/label_only.gd"})
            assert text.startswith("WRONG_TYPE: res://scripts/label_only.gd extends Label, which "
                                   "a Node3D node is not"), text

            # So the scene still saves, and what was created after reaches the disk.
            await call_ok(client, "node_create", {"type": "Node3D", "name": "MadeAfter",
                                                  "parent_path": "/Main"})
            saved = await call_ok(client, "scene_save", {})
            assert saved["path"] == "res://main.tscn"
            assert 'name="MadeAfter"' in (project / "main.tscn").read_text()
            # A save the editor cannot write is an error, never "ok": here a folder stands where
            # the scene's file was (the tests run as root, so a read-only file would not stop it).
            scene_file = project / "main.tscn"
            kept = project / "main.tscn.kept"
            await call_ok(client, "node_create", {"type": "Node3D", "name": "Unwritten",
                                                  "parent_path": "/Main"})
            scene_file.rename(kept)
            scene_file.mkdir()
            # Older than any file system's time step: an unchanged time then proves no write.
            long_ago = time.time() - 60
            os.utime(scene_file, (long_ago, long_ago))
            try:
                text = await call_error(client, "scene_save", {})
            finally:
                scene_file.rmdir()
                kept.rename(scene_file)
            assert "did not write res://main.tscn" in text, text
            assert 'name="Unwritten"' not in scene_file.read_text()
            saved = await call_ok(client, "scene_save", {})
            assert 'name="Unwritten"' in scene_file.read_text()
        assert not outside.exists()
    finally:
        editor.kill()
