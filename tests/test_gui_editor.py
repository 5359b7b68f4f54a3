"""The plugin in an editor with a window (not headless): on a virtual X display with Mesa's
software OpenGL. Covers what a headless editor cannot: the plugin starting without the
headless opt-in, and real screenshots of the 3D viewport."""

from __future__ import annotations

import base64
import json
import struct

import pytest

from conftest import open_scene_ready, structured
from editor_harness import XVFB, Client, Editor, VirtualDisplay, free_port, make_project

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not XVFB, reason="no Xvfb for this Godot (cargo xtask test provides one "
                                        "for its Debian Godot)"),
]


@pytest.fixture
async def gui_editor():
    display = VirtualDisplay()
    editor = Editor(make_project("gui"), free_port(), "gui", allow_headless=False,
                    display=display.name)
    try:
        editor.start().wait_for_endpoint()
        await open_scene_ready(editor.url, "res://main.tscn")
        yield editor
    finally:
        editor.kill()
        display.stop()


def png_size(image: bytes) -> tuple[int, int]:
    assert image[:8] == b"\x89PNG\r\n\x1a\n", "a PNG file"
    width, height = struct.unpack(">II", image[16:24])  # the IHDR chunk comes first
    return width, height


async def test_a_windowed_editor_serves_and_captures_its_viewport(gui_editor):
    async with Client(gui_editor.url) as client:
        state = structured(await client.call_tool("editor_state", {}))
        assert state["readiness"] == "ready"

        shot = await client.call_tool("editor_screenshot", {})
        assert not shot.is_error, shot
        assert [block.type for block in shot.content] == ["text", "image"]
        metadata = json.loads(shot.content[0].text)
        assert metadata["source"] == "viewport" and metadata["format"] == "png"
        assert max(metadata["width"], metadata["height"]) <= 640
        image = base64.b64decode(shot.content[1].data)
        assert shot.content[1].mime_type == "image/png"
        assert png_size(image) == (metadata["width"], metadata["height"])
        assert metadata["original_width"] >= metadata["width"] > 0

        small = await client.call_tool("editor_screenshot", {"max_resolution": 100})
        small_meta = json.loads(small.content[0].text)
        assert max(small_meta["width"], small_meta["height"]) == 100
        assert png_size(base64.b64decode(small.content[1].data)) == (
            small_meta["width"], small_meta["height"])

        metadata_only = structured(await client.call_tool("editor_screenshot", {"include_image": False}))
        assert "image_base64" not in metadata_only and metadata_only["width"] > 0

        assert metadata["view"] == "3d", "main.tscn has a Node3D root"

        # Framing a node moves the editor camera for the capture only: the view is put back.
        framed = await client.call_tool("editor_screenshot", {
            "view_target": "World/Ground, Missing, World/Ground", "elevation": 60, "azimuth": 0})
        assert not framed.is_error, framed
        assert [block.type for block in framed.content] == ["text", "image"]
        framing = json.loads(framed.content[0].text)
        assert framing["view_target_count"] == 1 and framing["view_target_not_found"] == ["Missing"]
        # Ground draws nothing yet: it is framed as a 1-unit cube at its place.
        assert framing["aabb_size"] == [1.0, 1.0, 1.0] and framing["aabb_center"] == [0.0, 0.0, 0.0]
        assert (framing["elevation"], framing["azimuth"]) == (60, 0)
        assert framed.content[1].data != shot.content[1].data, "the framed view differs"
        again = await client.call_tool("editor_screenshot", {})
        assert again.content[1].data == shot.content[1].data, "the user's view is back"

        sweep = await client.call_tool("editor_screenshot", {"view_target": "World/Ground",
                                                             "coverage": True,
                                                             "max_resolution": 120})
        assert [block.type for block in sweep.content] == ["text", "image", "image"], sweep
        sweep_meta = json.loads(sweep.content[0].text)
        assert sweep_meta["image_count"] == 2
        assert [(i["label"], i["ortho"]) for i in sweep_meta["images"]] == [
            ("establishing", False), ("top", True)]
        assert png_size(base64.b64decode(sweep.content[2].data)) == (
            sweep_meta["images"][1]["width"], sweep_meta["images"][1]["height"])
        nothing = await client.call_tool("editor_screenshot", {"view_target": "Nope"})
        assert nothing.is_error and nothing.content[0].text.startswith(
            "NODE_NOT_FOUND: No Node3D found to frame: Nope")
        # The new scene is open for the very next call: no waiting, as for an agent.
        structured(await client.call_tool("scene_manage", {"op": "create", "params": {
            "path": "res://flat.tscn", "root_type": "Node2D"}}))
        flat = structured(await client.call_tool("editor_screenshot", {"include_image": False}))
        assert flat["view"] == "2d" and flat["width"] > 0

        other = await client.call_tool("editor_screenshot", {"source": "game"})
        assert other.is_error and other.content[0].text.startswith(
            "EDITOR_NOT_READY: Game is not running")


async def test_a_windowed_game_is_captured():
    display = VirtualDisplay()
    project = make_project("gui_game")
    settings = project / "project.godot"
    text = settings.read_text()
    assert "--headless --max-fps 30 --quit-after 900\"" in text
    # The game opens a window on the virtual display (no --headless), so it renders.
    settings.write_text(text.replace("--headless --max-fps 30 --quit-after 900\"",
                                     "--max-fps 30 --quit-after 9000\""))
    editor = Editor(project, free_port(), "gui_game", allow_headless=False, display=display.name)
    try:
        editor.start().wait_for_endpoint()
        await open_scene_ready(editor.url, "res://main.tscn")
        async with Client(editor.url) as client:
            structured(await client.call_tool("project_run", {"autosave": False}))
            shot = await client.call_tool("editor_screenshot", {"source": "game", "max_resolution": 200})
            assert not shot.is_error, shot
            assert [block.type for block in shot.content] == ["text", "image"]
            metadata = json.loads(shot.content[0].text)
            assert metadata["source"] == "game" and metadata["format"] == "png"
            assert max(metadata["width"], metadata["height"]) == 200
            assert metadata["original_width"] > 200
            image = base64.b64decode(shot.content[1].data)
            assert png_size(image) == (metadata["width"], metadata["height"])
            structured(await client.call_tool("project_manage", {"op": "stop"}))
    finally:
        editor.kill()
        display.stop()
