"""The content tools in one scripted agent session, in a windowed editor (Xvfb): a 3D scene
built from an empty one (an environment, a lit mesh with a new StandardMaterial3D, a
ShaderMaterial with a uniform set, a looping autoplay animation, particles and a camera from
presets, an audio player with a stream), saved, opened in a fresh editor on a copy of the
saved project and verified property by property; then the whole build undone step by step
with the dock's Undo button, back to the empty scene."""

from __future__ import annotations

import re
import shutil

import pytest

from agent_session import Agent, every_property, scene_nodes
from conftest import call_ok, open_scene_ready, structured
from editor_harness import (WORKDIR, XVFB, Client, Editor, VirtualDisplay, copy_project, free_port,
                            make_project, wait_until_async, write_beep)

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not XVFB, reason="no Xvfb for this Godot (cargo xtask test provides one "
                                        "for its Debian Godot)"),
]

SCENE = "res://levels/showcase.tscn"

GLOW_SHADER = """shader_type spatial;

uniform float glow : hint_range(0.0, 8.0) = 1.0;
uniform vec4 tint : source_color = vec4(1.0);

void fragment() {
\tALBEDO = tint.rgb;
\tEMISSION = tint.rgb * glow;
}
"""


async def build_showcase(agent: Agent) -> None:
    """The session: every content domain, as an agent would call it."""
    await agent.op("scene_manage", "create", {"path": SCENE, "root_type": "Node3D",
                                              "root_name": "Showcase"})
    await agent.call("node_create", {"type": "WorldEnvironment", "name": "Env"})
    await agent.op("resource_manage", "environment_create", {"path": "/Showcase/Env",
                                                             "preset": "sunset"})
    await agent.call("node_create", {"type": "DirectionalLight3D", "name": "Sun"})
    await agent.call("node_set_property", {"path": "/Showcase/Sun", "property": "shadow_enabled",
                                           "value": True})

    await agent.call("node_create", {"type": "MeshInstance3D", "name": "Crate"})
    await agent.call("node_set_property", {"path": "/Showcase/Crate", "property": "mesh",
                                           "value": {"__class__": "BoxMesh"}})
    crate = await agent.op("material_manage", "apply_to_node", {
        "node_path": "/Showcase/Crate", "type": "standard",
        "params": {"albedo_color": "#8a5a2b", "metallic": 0.6}})
    assert crate["class"] == "StandardMaterial3D"

    await agent.op("filesystem_manage", "write_text", {"path": "res://shaders/glow.gdshader",
                                                       "content": GLOW_SHADER})
    await agent.op("material_manage", "create", {"path": "res://materials/glow.tres",
                                                 "type": "shader",
                                                 "shader_path": "res://shaders/glow.gdshader"})
    await agent.op("material_manage", "set_shader_param", {"path": "res://materials/glow.tres",
                                                           "param": "glow", "value": 3.5})
    await agent.call("node_create", {"type": "MeshInstance3D", "name": "Orb"})
    await agent.call("node_set_property", {"path": "/Showcase/Orb", "property": "mesh",
                                           "value": {"__class__": "SphereMesh"}})
    await agent.call("node_set_property", {"path": "/Showcase/Orb", "property": "position",
                                           "value": {"x": 0, "y": 1, "z": 0}})
    await agent.op("material_manage", "assign", {"node_path": "/Showcase/Orb",
                                                 "resource_path": "res://materials/glow.tres"})

    await agent.call("animation_create", {"player_path": "/Showcase/Anim", "name": "hover",
                                          "length": 2, "loop_mode": "linear"})
    await agent.op("animation_manage", "add_property_track", {
        "player_path": "/Showcase/Anim", "animation_name": "hover",
        "track_path": "Orb:position",
        "keyframes": [{"time": 0, "value": {"x": 0, "y": 1, "z": 0}},
                      {"time": 1, "value": {"x": 0, "y": 1.5, "z": 0}},
                      {"time": 2, "value": {"x": 0, "y": 1, "z": 0}}]})
    await agent.op("animation_manage", "set_autoplay", {"player_path": "/Showcase/Anim",
                                                        "animation_name": "hover"})

    sparks = await agent.op("particle_manage", "apply_preset", {
        "preset": "magic_swirl", "parent_path": "/Showcase", "name": "Sparks"})
    assert sparks["path"] == "/Showcase/Sparks" and sparks["class"] == "GPUParticles3D"
    camera = await agent.op("camera_manage", "apply_preset", {
        "preset": "cinematic_3d", "parent_path": "/Showcase", "name": "ShowCam"})
    assert camera["path"] == "/Showcase/ShowCam" and camera["current"] is True

    await agent.op("audio_manage", "player_create", {"parent_path": "/Showcase",
                                                     "name": "Music"})
    await agent.op("audio_manage", "player_set_stream", {"player_path": "/Showcase/Music",
                                                         "stream_path": "res://sfx/music.wav"})
    await agent.op("audio_manage", "player_set_playback", {"player_path": "/Showcase/Music",
                                                           "autoplay": True, "volume_db": -6})
    await agent.call("scene_save", {})


async def verify_reopened(client, built: dict[str, dict]) -> None:
    """The scene in a fresh editor: every property as it was built, and what each domain
    reads back."""
    assert await every_property(client) == built
    env = built["/Showcase/Env"]
    assert env["environment"] == "<Environment>"
    assert built["/Showcase/Crate"]["material_override"] == "<StandardMaterial3D>"
    assert built["/Showcase/Orb"]["material_override"] == "res://materials/glow.tres"
    glow = await call_ok(client, "material_manage", {"op": "get", "params": {
        "path": "res://materials/glow.tres"}})
    uniforms = {u["name"]: u["value"] for u in glow["shader_parameters"]}
    assert uniforms["glow"] == 3.5 and glow["shader_path"] == "res://shaders/glow.gdshader"

    hover = await call_ok(client, "animation_manage", {"op": "list", "params": {
        "player_path": "/Showcase/Anim"}})
    assert hover["autoplay"] == "hover"
    assert hover["animations"] == [{"name": "hover", "length": 2.0, "loop_mode": "linear",
                                    "track_count": 1}]
    track = (await call_ok(client, "animation_manage", {"op": "get", "params": {
        "player_path": "/Showcase/Anim", "animation_name": "hover"}}))["tracks"][0]
    assert track["path"] == "Orb:position"
    assert [k["value"]["y"] for k in track["keys"]] == [1.0, 1.5, 1.0]

    sparks = await call_ok(client, "particle_manage", {"op": "get", "params": {
        "node_path": "/Showcase/Sparks"}})
    assert sparks["type"] == "gpu_3d" and sparks["process"]["properties"]
    camera = await call_ok(client, "camera_manage", {"op": "get", "params": {
        "camera_path": "/Showcase/ShowCam"}})
    assert camera["current"] is True and camera["properties"]["far"] == 500.0
    music = built["/Showcase/Music"]
    assert music["stream"] == "res://sfx/music.wav" and music["autoplay"] is True
    assert music["volume_db"] == -6.0
    assert built["/Showcase/Sun"]["shadow_enabled"] is True


async def test_an_agent_builds_a_lit_animated_3d_scene_reopens_it_and_undoes_it_all():
    project = make_project("content_session")
    write_beep(project / "sfx" / "music.wav")
    display = VirtualDisplay()
    home = WORKDIR / "homes" / "content_session"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    editor = Editor(project, free_port(), "content_session", allow_headless=False,
                    display=display.name,
                    extra_env={"GODOT_AI_TEST_HOOKS": "1", "HOME": str(home)})
    try:
        editor.start().wait_for_endpoint()
        await open_scene_ready(editor.url, "res://main.tscn")
        async with Client(editor.url) as client:
            agent = Agent(client)
            await build_showcase(agent)
            built = await every_property(client)
            assert list(built) == ["/Showcase", "/Showcase/Env", "/Showcase/Sun",
                                   "/Showcase/Crate", "/Showcase/Orb", "/Showcase/Anim",
                                   "/Showcase/Sparks", "/Showcase/ShowCam", "/Showcase/Music"]
            text = (project / "levels" / "showcase.tscn").read_text()
            assert "metallic = 0.6" in text
            assert "albedo_color = Color(0.5411765, 0.3529412, 0.16862746, 1)" in text
            assert 'autoplay = &"hover"' in text and "loop_mode = 1" in text
            assert "shader_parameter/glow = 3.5" in (
                project / "materials" / "glow.tres").read_text()

            # The saved project, opened by a fresh editor.
            copy = copy_project(project, "content_session_reopened")
            fresh = Editor(copy, free_port(), "content_session_reopened").start()
            try:
                fresh.wait_for_endpoint()
                await open_scene_ready(fresh.url, "res://main.tscn")
                async with Client(fresh.url) as reopened:
                    await call_ok(reopened, "scene_open", {"path": SCENE})
                    await verify_reopened(reopened, built)
            finally:
                fresh.kill()

            # Undone with the dock's Undo button, one step per press, newest first.
            async def undo_ready():
                controls = (await dock(client))["controls"]
                return controls if not controls["UndoAgentChange"]["disabled"] else None
            await wait_until_async(undo_ready, 10, "the dock to offer the agent's last change")
            undone = []
            while True:
                button = (await dock(client))["controls"]["UndoAgentChange"]
                if button["disabled"]:
                    break
                assert len(undone) < agent.undoable_steps, f"more steps than calls: {undone}"
                undone.append(button["text"])
                await dock(client, "press", button="UndoAgentChange")
            assert len(undone) == agent.undoable_steps, undone
            assert [re.fullmatch(r"Undo “(.*)”", text)[1] for text in undone] == [
                "MCP: Update playback on Music", "MCP: Set audio stream on Music",
                "MCP: Create AudioStreamPlayer 'Music'",
                "MCP: Apply camera preset cinematic_3d", "MCP: Apply preset magic_swirl",
                "MCP: Set autoplay hover on /Showcase/Anim",
                "MCP: Add property track Orb:position to hover", "MCP: Create animation hover",
                "MCP: Assign material to Orb.material_override", "MCP: Set Orb.position",
                "MCP: Set Orb.mesh", "MCP: Create Orb", "MCP: Set shader param glow.tres.glow",
                "MCP: Apply standard material to Crate", "MCP: Set Crate.mesh",
                "MCP: Create Crate", "MCP: Set Sun.shadow_enabled", "MCP: Create Sun",
                "MCP: Create Environment (sunset) for Env", "MCP: Create Env"]
            assert await scene_nodes(client) == ["/Showcase"]
            state = await call_ok(client, "editor_state", {})
            assert state["current_scene"] == SCENE
    finally:
        editor.kill()
        display.stop()


async def dock(client, op="read", **params):
    result = await client.call_tool("test_dock", {"op": op, **params})
    assert not result.is_error, result.content[0].text
    return structured(result)
