"""Audio players through the MCP endpoint (audio_manage), on a real imported sound file:
checked in the editor, in the saved scene and in a fresh editor on the same project; each
mutating op is also undone (a failed batch rolls it back through the editor's undo history)."""

from __future__ import annotations

import pytest

from conftest import (call_error, call_ok, editor_with_main_scene, node_properties, rolled_back,
                      structured)
from editor_harness import BEEP_SECONDS, Client, make_project, write_beep

pytestmark = pytest.mark.anyio


async def op(client, name, params=None) -> dict:
    return await call_ok(client, "audio_manage", {"op": name, "params": params or {}})


async def op_error(client, name, params=None) -> str:
    return await call_error(client, "audio_manage", {"op": name, "params": params or {}})

async def test_players_get_a_stream_and_playback_settings_that_are_saved_and_undoable():
    project = make_project("audio")
    write_beep(project / "sfx" / "beep.wav")
    editor = await editor_with_main_scene(project, "audio")
    try:
        async with Client(editor.url) as client:
            created = await op(client, "player_create", {"type": "3d", "name": "Engine",
                                                         "parent_path": "/Main/World"})
            assert created == {"path": "/Main/World/Engine", "parent_path": "/Main/World",
                               "name": "Engine", "type": "3d", "class": "AudioStreamPlayer3D",
                               "undoable": True}
            music = await op(client, "player_create", {})
            assert music["path"] == "/Main/AudioStreamPlayer" and music["type"] == "1d"

            # A write waits for the editor's first scan, so the new file is imported by now.
            listing = await op(client, "list", {"root": "res://sfx"})
            assert listing["count"] == 1, listing
            beep = listing["streams"][0]
            assert beep["path"] == "res://sfx/beep.wav" and beep["class"] == "AudioStreamWAV"
            assert beep["duration_seconds"] == pytest.approx(BEEP_SECONDS, abs=0.01)
            assert "duration_seconds" not in (await op(
                client, "list", {"include_duration": False}))["streams"][0]

            stream = await op(client, "player_set_stream", {"player_path": "/Main/World/Engine",
                                                            "stream_path": "res://sfx/beep.wav"})
            assert stream["stream_class"] == "AudioStreamWAV" and stream["undoable"] is True
            assert stream["duration_seconds"] == pytest.approx(BEEP_SECONDS, abs=0.01)
            playback = await op(client, "player_set_playback", {
                "player_path": "/Main/World/Engine", "volume_db": -6, "pitch_scale": 1.25,
                "autoplay": True, "bus": "Master"})
            assert playback["applied"] == ["volume_db", "pitch_scale", "autoplay", "bus"]
            assert playback["values"] == {"volume_db": -6.0, "pitch_scale": 1.25,
                                          "autoplay": True, "bus": "Master"}
            engine = await node_properties(client, "/Main/World/Engine")
            assert engine["volume_db"] == -6.0 and engine["autoplay"] is True

            played = await op(client, "play", {"player_path": "/Main/World/Engine"})
            assert played["undoable"] is False and played["from_position"] == 0.0
            stopped = await op(client, "stop", {"player_path": "/Main/World/Engine"})
            assert stopped["playing"] is False and stopped["undoable"] is False

            # Undo, through a batch that fails after each: the old values come back.
            await rolled_back(client, "audio_player_set_playback", {
                "player_path": "/Main/World/Engine", "volume_db": 3, "autoplay": False})
            engine = await node_properties(client, "/Main/World/Engine")
            assert engine["volume_db"] == -6.0 and engine["autoplay"] is True
            await rolled_back(client, "audio_player_set_stream", {
                "player_path": "/Main/AudioStreamPlayer", "stream_path": "res://sfx/beep.wav"})
            assert "stream" not in await node_properties(client, "/Main/AudioStreamPlayer")
            await rolled_back(client, "audio_player_create", {"name": "Gone"})
            tree = structured(await client.call_tool("scene_get_hierarchy", {}))
            assert "/Main/Gone" not in [node["path"] for node in tree["nodes"]]

            assert (await op_error(client, "player_set_stream", {
                "player_path": "/Main/World/Engine", "stream_path": "res://sfx/missing.wav"}
            )).startswith("RESOURCE_NOT_FOUND: AudioStream not found: res://sfx/missing.wav")
            assert "is not an AudioStream (got PackedScene)" in await op_error(
                client, "player_set_stream", {"player_path": "/Main/World/Engine",
                                              "stream_path": "res://main.tscn"})
            assert "is not an AudioStreamPlayer/2D/3D (got Camera3D)" in await op_error(
                client, "play", {"player_path": "/Main/Camera3D"})
            assert "call audio_player_set_stream first" in await op_error(
                client, "play", {"player_path": "/Main/AudioStreamPlayer"})
            assert "Invalid value for autoplay: expected bool" in await op_error(
                client, "player_set_playback", {"player_path": "/Main/World/Engine",
                                                "autoplay": "yes"})
            assert "root must start with res://" in await op_error(
                client, "list", {"root": "user://"})
            assert "Invalid audio player type '4d'" in await op_error(
                client, "player_create", {"type": "4d"})

            await client.call_tool("scene_save", {})
        text = (project / "main.tscn").read_text()
        start = text.index('[node name="Engine" type="AudioStreamPlayer3D" parent="World"')
        engine = text[start:text.find("\n[", start + 1)]
        assert "stream = ExtResource(" in engine and "volume_db = -6.0" in engine
        assert "pitch_scale = 1.25" in engine and "autoplay = true" in engine
        assert 'path="res://sfx/beep.wav"' in text
    finally:
        editor.kill()

    again = await editor_with_main_scene(project, "audio_reopened")
    try:
        async with Client(again.url) as client:
            engine = await node_properties(client, "/Main/World/Engine")
            assert engine["volume_db"] == -6.0 and engine["pitch_scale"] == 1.25
            assert engine["stream"] is not None, engine
    finally:
        again.kill()
