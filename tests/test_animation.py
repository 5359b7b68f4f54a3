"""Animations through the MCP endpoint (animation_create, animation_manage): players, clips,
property and method tracks, tweens, autoplay, playback in the editor and godot-ai's presets;
checked in the editor, in the saved scene and in a fresh editor on the same project; each
mutating op is also undone (a failed batch rolls it back through the editor's undo history)."""

from __future__ import annotations

import pytest

from conftest import call_error, call_ok, editor_with_main_scene, rolled_back, structured
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio

MOVER = "/Main/World/Mover"


async def anim(client, name, params=None) -> dict:
    return await call_ok(client, "animation_manage", {"op": name, "params": params or {}})


async def anim_error(client, name, params=None) -> str:
    return await call_error(client, "animation_manage", {"op": name, "params": params or {}})


async def scene_paths(client) -> list[str]:
    tree = structured(await client.call_tool("scene_get_hierarchy", {}))
    return [node["path"] for node in tree["nodes"]]


def key(time, value, transition=1.0) -> dict:
    return {"time": time, "value": value, "transition": transition}


ORIGIN = {"x": 0.0, "y": 0.0, "z": 0.0}


async def test_players_clips_and_tracks_are_built_checked_played_and_saved():
    project = make_project("animation")
    editor = await editor_with_main_scene(project, "animation")
    try:
        async with Client(editor.url) as client:
            created = await anim(client, "player_create", {"parent_path": "/Main/World",
                                                           "name": "Mover"})
            assert created == {"path": MOVER, "parent_path": "/Main/World", "name": "Mover",
                               "undoable": True}
            # animation_create makes a missing player in the same step.
            idle = await call_ok(client, "animation_create", {
                "player_path": "/Main/Spinner", "name": "idle", "length": 1.5,
                "loop_mode": "pingpong"})
            assert idle == {"player_path": "/Main/Spinner", "name": "idle", "length": 1.5,
                            "loop_mode": "pingpong", "library_created": True,
                            "animation_player_created": True, "overwritten": False,
                            "undoable": True}
            bob = await call_ok(client, "animation_create", {
                "player_path": MOVER, "name": "bob", "length": 2, "loop_mode": "linear"})
            assert bob["animation_player_created"] is False and bob["library_created"] is False

            # Track paths are relative to the player's root node, its parent World.
            position = await anim(client, "add_property_track", {
                "player_path": MOVER, "animation_name": "bob", "track_path": "Ground:position",
                "keyframes": [{"time": 0, "value": {"x": 0, "y": 0, "z": 0}},
                              {"time": 1, "value": [0, 1.5, 0], "transition": "ease_in_out"},
                              {"time": 2, "value": {"x": 0, "y": 0, "z": 0}}]})
            assert position == {"player_path": MOVER, "animation_name": "bob",
                                "track_path": "Ground:position", "interpolation": "linear",
                                "keyframe_count": 3, "undoable": True}
            await anim(client, "add_property_track", {
                "player_path": MOVER, "animation_name": "bob",
                "track_path": "Ground:transparency", "interpolation": "cubic",
                "keyframes": '[{"time": 0, "value": 0}, {"time": 2, "value": 0.5}]'})
            method = await anim(client, "add_method_track", {
                "player_path": MOVER, "animation_name": "bob", "target_node_path": "Ground",
                "keyframes": [{"time": 1, "method": "set_visible", "args": [True]}]})
            assert method == {"player_path": MOVER, "animation_name": "bob",
                              "target_node_path": "Ground", "keyframe_count": 1,
                              "undoable": True}
            got = await anim(client, "get", {"player_path": MOVER, "animation_name": "bob"})
            assert got["length"] == 2.0 and got["loop_mode"] == "linear"
            assert got["track_count"] == 3
            assert got["tracks"][0] == {
                "index": 0, "type": "value", "path": "Ground:position",
                "interpolation": "linear", "key_count": 3,
                "keys": [key(0.0, ORIGIN), key(1.0, {"x": 0.0, "y": 1.5, "z": 0.0}, -2.0),
                         key(2.0, ORIGIN)]}
            assert got["tracks"][1]["interpolation"] == "cubic"
            assert got["tracks"][1]["keys"] == [key(0.0, 0.0), key(2.0, 0.5)]
            assert got["tracks"][2]["type"] == "method"
            assert got["tracks"][2]["keys"] == [key(1.0, {"method": "set_visible",
                                                          "args": [True]})]

            grow = await anim(client, "create_simple", {
                "player_path": MOVER, "name": "grow",
                "tweens": [{"target": "Ground", "property": "scale",
                            "from": {"x": 1, "y": 1, "z": 1}, "to": {"x": 2, "y": 2, "z": 2},
                            "duration": 0.5, "delay": 0.25, "transition": "ease_out"}]})
            assert grow == {"player_path": MOVER, "name": "grow", "length": 0.75,
                            "loop_mode": "none", "track_count": 1, "library_created": False,
                            "animation_player_created": False, "overwritten": False,
                            "undoable": True}
            grown = await anim(client, "get", {"player_path": MOVER, "animation_name": "grow"})
            assert grown["tracks"][0]["keys"] == [
                key(0.25, {"x": 1.0, "y": 1.0, "z": 1.0}, 0.5),
                key(0.75, {"x": 2.0, "y": 2.0, "z": 2.0}, 0.5)]

            # A track on a node that does not exist yet is kept, and validate names it.
            await anim(client, "add_property_track", {
                "player_path": MOVER, "animation_name": "grow", "track_path": "Ghost:position",
                "keyframes": [{"time": 0, "value": {"x": 1, "y": 2}}]})
            checked = await anim(client, "validate", {"player_path": MOVER,
                                                      "animation_name": "grow"})
            assert checked == {"player_path": MOVER, "animation_name": "grow",
                               "track_count": 2, "valid_count": 1, "broken_count": 1,
                               "broken_tracks": [{"index": 1, "path": "Ghost:position",
                                                  "type": "value", "issue": "node_not_found",
                                                  "node_path": "Ghost"}],
                               "valid": False}

            autoplay = await anim(client, "set_autoplay", {"player_path": MOVER,
                                                           "animation_name": "bob"})
            assert autoplay == {"player_path": MOVER, "animation_name": "bob",
                                "previous_autoplay": "", "cleared": False, "undoable": True}
            listing = await anim(client, "list", {"player_path": MOVER})
            assert listing == {"player_path": MOVER, "count": 2, "autoplay": "bob",
                               "animations": [
                                   {"name": "bob", "length": 2.0, "loop_mode": "linear",
                                    "track_count": 3},
                                   {"name": "grow", "length": 0.75, "loop_mode": "none",
                                    "track_count": 2}]}

            played = await anim(client, "play", {"player_path": MOVER, "animation_name": "bob"})
            assert played["playing"] is True and played["undoable"] is False
            resumed = await anim(client, "play", {"player_path": MOVER})
            assert resumed["animation_name"] == "bob"
            stopped = await anim(client, "stop", {"player_path": MOVER})
            assert stopped["playing"] is False and stopped["undoable"] is False

            # Undo, through a batch that fails after each: everything comes back as it was.
            await rolled_back(client, "animation_player_create", {"name": "GonePlayer"})
            await rolled_back(client, "animation_create", {"player_path": "/Main/GoneToo",
                                                           "name": "x", "length": 1})
            await rolled_back(client, "animation_create", {
                "player_path": "/Main/Spinner", "name": "idle", "length": 9,
                "overwrite": True})
            await rolled_back(client, "animation_create_simple", {
                "player_path": MOVER, "name": "gone",
                "tweens": [{"target": "Ground", "property": "visible", "from": False,
                            "to": True, "duration": 1}]})
            await rolled_back(client, "animation_add_property_track", {
                "player_path": MOVER, "animation_name": "bob",
                "track_path": "Ground:rotation:y",
                "keyframes": [{"time": 0, "value": 0}, {"time": 2, "value": 6.28}]})
            await rolled_back(client, "animation_add_method_track", {
                "player_path": MOVER, "animation_name": "bob", "target_node_path": "Ground",
                "keyframes": [{"time": 0, "method": "hide"}]})
            await rolled_back(client, "animation_set_autoplay", {"player_path": MOVER})
            await rolled_back(client, "animation_delete", {"player_path": MOVER,
                                                           "animation_name": "bob"})
            assert await anim(client, "list", {"player_path": MOVER}) == listing
            assert (await anim(client, "get", {"player_path": MOVER,
                                               "animation_name": "bob"})) == got
            spinner = await anim(client, "list", {"player_path": "/Main/Spinner"})
            assert spinner["animations"] == [{"name": "idle", "length": 1.5,
                                              "loop_mode": "pingpong", "track_count": 0}]
            paths = await scene_paths(client)
            assert "/Main/GonePlayer" not in paths and "/Main/GoneToo" not in paths
            assert "/Main/Spinner" in paths

            # Deleting the autoplay clip clears autoplay in the same step.
            await anim(client, "set_autoplay", {"player_path": "/Main/Spinner",
                                                "animation_name": "idle"})
            deleted = await anim(client, "delete", {"player_path": "/Main/Spinner",
                                                    "animation_name": "idle"})
            assert deleted == {"player_path": "/Main/Spinner", "animation_name": "idle",
                               "library_key": "", "autoplay_cleared": True, "undoable": True}
            assert await anim(client, "list", {"player_path": "/Main/Spinner"}) == {
                "player_path": "/Main/Spinner", "count": 0, "animations": [], "autoplay": ""}

            assert "contains '/'" in await call_error(client, "animation_create", {
                "player_path": MOVER, "name": "a/b", "length": 1})
            assert "Animation 'bob' already exists. Pass overwrite=true" in await call_error(
                client, "animation_create", {"player_path": MOVER, "name": "bob", "length": 1})
            assert "Animation 'nope' not found on player. Available: bob, grow" in \
                await anim_error(client, "get", {"player_path": MOVER, "animation_name": "nope"})
            missing = await anim_error(client, "add_property_track", {
                "player_path": MOVER, "animation_name": "bob", "track_path": "Ground:colour",
                "keyframes": [{"time": 0, "value": 1}]})
            assert "Property 'colour' not found" in missing and "(target path: 'Ground')" in missing
            assert "must include ':property' suffix" in await anim_error(
                client, "add_property_track", {"player_path": MOVER, "animation_name": "bob",
                                               "track_path": "Ground",
                                               "keyframes": [{"time": 0, "value": 1}]})
            assert "'position' has no component 'q'. Valid: x, y, z" in await anim_error(
                client, "add_property_track", {"player_path": MOVER, "animation_name": "bob",
                                               "track_path": "Ground:position:q",
                                               "keyframes": [{"time": 0, "value": 1}]})
            assert "keyframes must be a non-empty array" in await anim_error(
                client, "add_property_track", {"player_path": MOVER, "animation_name": "bob",
                                               "track_path": "Ground:position", "keyframes": []})
            assert "Unknown transition 'bouncy'" in await anim_error(
                client, "add_property_track", {
                    "player_path": MOVER, "animation_name": "bob",
                    "track_path": "Ground:position",
                    "keyframes": [{"time": 0, "value": [0, 0, 0], "transition": "bouncy"}]})
            assert "Cannot use \"tall\" as a key of 'scale'" in await anim_error(
                client, "add_property_track", {"player_path": MOVER, "animation_name": "bob",
                                               "track_path": "Ground:scale",
                                               "keyframes": [{"time": 0, "value": "tall"}]})
            assert "Node at /Main/World is not an AnimationPlayer (got Node3D)" in \
                await anim_error(client, "play", {"player_path": "/Main/World"})
            assert "unexpected param 'animation'" in await anim_error(
                client, "get", {"player_path": MOVER, "animation": "bob"})
            # None of the refused calls changed the clip.
            assert (await anim(client, "get", {"player_path": MOVER,
                                               "animation_name": "bob"})) == got

            await client.call_tool("scene_save", {})
        text = (project / "main.tscn").read_text()
        assert '[node name="Mover" type="AnimationPlayer" parent="World"' in text
        assert 'autoplay = &"bob"' in text
        assert 'tracks/0/path = NodePath("Ground:position")' in text
        assert 'tracks/2/type = "method"' in text
        assert "loop_mode = 1" in text and '&"grow": SubResource(' in text
    finally:
        editor.kill()

    again = await editor_with_main_scene(project, "animation_reopened")
    try:
        async with Client(again.url) as client:
            assert await anim(client, "list", {"player_path": MOVER}) == listing
            assert (await anim(client, "get", {"player_path": MOVER,
                                               "animation_name": "bob"})) == got
    finally:
        again.kill()


async def test_presets_fade_slide_pulse_and_shake_the_nodes_they_target():
    project = make_project("animation_presets")
    editor = await editor_with_main_scene(project, "animation_presets")
    try:
        async with Client(editor.url) as client:
            await anim(client, "player_create", {"parent_path": "/Main", "name": "Fx"})
            fade = await anim(client, "preset_fade", {"player_path": "/Main/Fx",
                                                      "target_path": "HUD/Score"})
            assert fade == {"player_path": "/Main/Fx", "animation_name": "fade_in",
                            "mode": "in", "length": 0.5, "track_count": 1,
                            "library_created": False, "overwritten": False, "undoable": True}
            faded = await anim(client, "get", {"player_path": "/Main/Fx",
                                               "animation_name": "fade_in"})
            assert faded["tracks"][0]["path"] == "HUD/Score:modulate:a"
            assert faded["tracks"][0]["keys"] == [key(0.0, 0.0), key(0.5, 1.0)]

            # A scene-absolute target is stored relative to the player's root node.
            slide = await anim(client, "preset_slide", {
                "player_path": "/Main/Fx", "target_path": "/Main/HUD/Score",
                "direction": "up", "mode": "out"})
            assert slide["animation_name"] == "slide_out_up" and slide["distance"] == 100.0
            slid = await anim(client, "get", {"player_path": "/Main/Fx",
                                              "animation_name": "slide_out_up"})
            assert slid["tracks"][0]["path"] == "HUD/Score:position"
            assert slid["tracks"][0]["keys"] == [key(0.0, {"x": 0.0, "y": 0.0}),
                                                 key(0.4, {"x": 0.0, "y": -100.0})]

            pulse = await anim(client, "preset_pulse", {"player_path": "/Main/Fx",
                                                        "target_path": "/Main/World",
                                                        "to_scale": 1.5})
            assert pulse["from_scale"] == 1.0 and pulse["to_scale"] == 1.5
            pulsed = await anim(client, "get", {"player_path": "/Main/Fx",
                                                "animation_name": "pulse"})
            one, big = {"x": 1.0, "y": 1.0, "z": 1.0}, {"x": 1.5, "y": 1.5, "z": 1.5}
            assert pulsed["tracks"][0]["path"] == "World:scale"
            assert pulsed["tracks"][0]["keys"] == [key(0.0, one), key(0.2, big), key(0.4, one)]

            # Shake draws from Godot's own generator: a seed gives the same keys every time
            # (the values godot-ai's GDScript gets for this seed).
            await call_ok(client, "node_create", {"type": "Node2D", "name": "Shaker",
                                                  "parent_path": "/Main"})
            await call_ok(client, "node_set_property", {"path": "/Main/Shaker",
                                                        "property": "position",
                                                        "value": {"x": 10, "y": 20}})
            shake = {"player_path": "/Main/Fx", "target_path": "Shaker", "seed": 42,
                     "intensity": 5, "duration": 0.2, "frequency": 20}
            shaken = await anim(client, "preset_shake", shake)
            assert shaken["keyframe_count"] == 5 and shaken["intensity"] == 5.0
            keys = (await anim(client, "get", {"player_path": "/Main/Fx",
                                               "animation_name": "shake"}))["tracks"][0]["keys"]
            expected = [(0.0, 10, 20), (0.05, 6.183702, 21.59032), (0.1, 7.981868, 15.37597),
                        (0.15, 12.59907, 16.60139), (0.2, 10, 20)]
            assert [k["time"] for k in keys] == pytest.approx([e[0] for e in expected])
            shown = [c for k in keys for c in (k["value"]["x"], k["value"]["y"])]
            assert shown == pytest.approx([c for e in expected for c in e[1:]], abs=1e-4)
            await anim(client, "preset_shake", {**shake, "animation_name": "shake_again"})
            again = (await anim(client, "get", {"player_path": "/Main/Fx",
                                                "animation_name": "shake_again"}))
            assert again["tracks"][0]["keys"] == keys

            await rolled_back(client, "animation_preset_pulse", {
                "player_path": "/Main/Fx", "target_path": "World", "animation_name": "gone"})
            await rolled_back(client, "animation_preset_fade", {
                "player_path": "/Main/Fx", "target_path": "HUD/Score", "mode": "out",
                "overwrite": True, "animation_name": "fade_in"})
            names = [a["name"] for a in (await anim(client, "list",
                                                    {"player_path": "/Main/Fx"}))["animations"]]
            assert names == ["fade_in", "pulse", "shake", "shake_again", "slide_out_up"]
            assert (await anim(client, "get", {"player_path": "/Main/Fx",
                                               "animation_name": "fade_in"})) == faded

            assert "has no 'modulate' property" in await anim_error(
                client, "preset_fade", {"player_path": "/Main/Fx", "target_path": "World"})
            assert "must be a Control, Node2D, or Node3D (got CanvasLayer)" in await anim_error(
                client, "preset_pulse", {"player_path": "/Main/Fx", "target_path": "HUD"})
            assert "Invalid direction 'sideways'" in await anim_error(
                client, "preset_slide", {"player_path": "/Main/Fx", "target_path": "HUD/Score",
                                         "direction": "sideways"})
            assert "Target node not found at 'Nope'" in await anim_error(
                client, "preset_pulse", {"player_path": "/Main/Fx", "target_path": "Nope"})
            assert "Node not found" in await anim_error(
                client, "preset_pulse", {"player_path": "/Main/NoPlayer",
                                         "target_path": "World"})
            assert "Animation 'pulse' already exists" in await anim_error(
                client, "preset_pulse", {"player_path": "/Main/Fx", "target_path": "World"})
            assert "'duration' must be > 0" in await anim_error(
                client, "preset_shake", {"player_path": "/Main/Fx", "target_path": "Shaker",
                                         "duration": 0})
            await client.call_tool("scene_save", {})
        text = (project / "main.tscn").read_text()
        assert 'NodePath("HUD/Score:modulate:a")' in text
        assert 'NodePath("World:scale")' in text and 'NodePath("Shaker:position")' in text
    finally:
        editor.kill()
