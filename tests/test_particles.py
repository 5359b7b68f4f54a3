"""Particle emitters through the MCP endpoint (particle_manage): created, set up (node
settings, process settings, what they draw), from presets with overrides; checked in the
editor, in the saved scene and in a fresh editor on the same project; each mutating op is also
undone (a failed batch rolls it back through the editor's undo history)."""

from __future__ import annotations

import pytest

from conftest import call_error, call_ok, editor_with_main_scene, rolled_back, structured
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio


async def op(client, name, params=None) -> dict:
    return await call_ok(client, "particle_manage", {"op": name, "params": params or {}})


async def op_error(client, name, params=None) -> str:
    return await call_error(client, "particle_manage", {"op": name, "params": params or {}})


async def test_emitters_are_created_set_up_and_saved():
    project = make_project("particles")
    editor = await editor_with_main_scene(project, "particles")
    try:
        async with Client(editor.url) as client:
            created = await op(client, "create", {"parent_path": "/Main/World", "name": "Sparks"})
            assert created == {"path": "/Main/World/Sparks", "parent_path": "/Main/World",
                               "name": "Sparks", "type": "gpu_3d", "class": "GPUParticles3D",
                               "process_material_created": True,
                               "draw_pass_mesh_created": True, "draw_material_created": True,
                               "undoable": True}
            main = await op(client, "set_main", {"node_path": "/Main/World/Sparks",
                                                 "properties": {"amount": 200, "lifetime": 2.5,
                                                                "one_shot": True}})
            assert main["applied"] == ["amount", "lifetime", "one_shot"]
            assert main["values"] == {"amount": 200, "lifetime": 2.5, "one_shot": True}
            process = await op(client, "set_process", {
                "node_path": "/Main/World/Sparks",
                "properties": {"emission_shape": "sphere", "gravity": [0, -12, 0],
                               "color_ramp": {"stops": [{"time": 0, "color": "white"},
                                                        {"time": 1, "color": "#ff000000"}]}}})
            assert process["values"]["emission_shape"] == 1
            assert process["values"]["gravity"] == {"x": 0.0, "y": -12.0, "z": 0.0}
            assert process["values"]["color_ramp"]["type"] == "GradientTexture1D"
            assert process["values"]["color_ramp"]["stops"][1]["color"] == \
                {"r": 1.0, "g": 0.0, "b": 0.0, "a": 0.0}
            drawn = await op(client, "set_draw_pass", {"node_path": "/Main/World/Sparks",
                                                       "pass": 2})
            assert drawn["draw_passes_grown"] is True and drawn["mesh_class"] == "QuadMesh"
            got = await op(client, "get", {"node_path": "/Main/World/Sparks"})
            assert got["main"]["amount"] == 200 and got["type"] == "gpu_3d"
            assert got["process"]["properties"]["gravity"] == {"x": 0.0, "y": -12.0, "z": 0.0}
            assert got["draw_passes"] == [{"pass": 1, "mesh_class": "QuadMesh"},
                                          {"pass": 2, "mesh_class": "QuadMesh"}]
            restarted = await op(client, "restart", {"node_path": "/Main/World/Sparks"})
            assert restarted["undoable"] is False

            cpu = await op(client, "create", {"type": "cpu_2d", "name": "Dust"})
            assert cpu["process_material_created"] is False
            await op(client, "set_process", {"node_path": "/Main/Dust",
                                             "properties": {"gravity": {"x": 0, "y": 98}}})

            # Undo, through a batch that fails after it: the old values come back.
            await rolled_back(client, "particle_set_main", {
                "node_path": "/Main/World/Sparks", "properties": {"amount": 5}})
            await rolled_back(client, "particle_set_process", {
                "node_path": "/Main/World/Sparks", "properties": {"spread": 90}})
            await rolled_back(client, "particle_create", {"name": "Gone"})
            got = await op(client, "get", {"node_path": "/Main/World/Sparks"})
            assert got["main"]["amount"] == 200
            assert got["process"]["properties"]["spread"] == 45.0

            assert "is not a particle node (got Node3D)" in await op_error(
                client, "get", {"node_path": "/Main/World"})
            assert "Unknown main property 'spread'" in await op_error(
                client, "set_main", {"node_path": "/Main/World/Sparks",
                                     "properties": {"spread": 1}})
            assert "Property 'interp_to_end' not" in await op_error(
                client, "set_main", {"node_path": "/Main/Dust",
                                     "properties": {"interp_to_end": 1}})
            assert "Invalid emission_shape 'cube'" in await op_error(
                client, "set_process", {"node_path": "/Main/World/Sparks",
                                        "properties": {"emission_shape": "cube"}})
            assert "pass must be 1..4 (got 5)" in await op_error(
                client, "set_draw_pass", {"node_path": "/Main/World/Sparks", "pass": 5})
            assert "Invalid particle type 'gpu_4d'" in await op_error(
                client, "create", {"type": "gpu_4d"})

            await client.call_tool("scene_save", {})
        text = (project / "main.tscn").read_text()
        assert '[node name="Sparks" type="GPUParticles3D" parent="World"' in text
        assert "amount = 200" in text and "draw_passes = 2" in text
        assert "gravity = Vector3(0, -12, 0)" in text and "emission_shape = 1" in text
        assert '[sub_resource type="GradientTexture1D"' in text
        assert 'name="Gone"' not in text
    finally:
        editor.kill()

    again = await editor_with_main_scene(project, "particles_reopened")
    try:
        async with Client(again.url) as client:
            got = await op(client, "get", {"node_path": "/Main/World/Sparks"})
            assert got["main"]["lifetime"] == 2.5 and got["main"]["one_shot"] is True
            assert got["process"]["properties"]["emission_shape"] == 1
    finally:
        again.kill()


async def test_presets_make_emitters_and_overrides_must_apply():
    project = make_project("particle_presets")
    editor = await editor_with_main_scene(project, "particle_presets")
    try:
        async with Client(editor.url) as client:
            fire = await op(client, "apply_preset", {
                "preset": "fire", "overrides": {"amount": 999, "emission_sphere_radius": 2.0,
                                                "draw": {"albedo_color": "orange"}}})
            assert fire["path"] == "/Main/Fire" and fire["name"] == "Fire"
            assert fire["applied_main"] == ["amount", "lifetime", "one_shot", "explosiveness",
                                            "preprocess", "local_coords"]
            assert fire["applied_process"][:2] == ["emission_shape", "emission_sphere_radius"]
            assert fire["applied_draw"] == ["blend_mode", "albedo_color"]
            got = await op(client, "get", {"node_path": "/Main/Fire"})
            assert got["main"]["amount"] == 999
            assert got["process"]["properties"]["emission_sphere_radius"] == 2.0
            rain = await op(client, "apply_preset", {"preset": "rain", "type": "cpu_3d"})
            # CPU emitters scale with scale_amount_*: the preset's scale_min/max are skipped.
            assert "scale_min" not in rain["applied_process"]
            assert rain["process_material_created"] is False

            assert "does not apply to CPUParticles3D" in await op_error(
                client, "apply_preset", {"preset": "smoke", "type": "cpu_3d",
                                         "overrides": {"interp_to_end": 0.5}})
            assert "draw settings apply to gpu_3d emitters only" in await op_error(
                client, "apply_preset", {"preset": "smoke", "type": "gpu_2d",
                                         "overrides": {"draw": {"blend_mode": "add"}}})
            assert "Unknown preset 'snow'" in await op_error(
                client, "apply_preset", {"preset": "snow"})
            await rolled_back(client, "particle_apply_preset", {"preset": "explosion"})
            tree = structured(await client.call_tool("scene_get_hierarchy", {}))
            paths = [node["path"] for node in tree["nodes"]]
            assert "/Main/Explosion" not in paths and "/Main/Smoke" not in paths
            await client.call_tool("scene_save", {})
        text = (project / "main.tscn").read_text()
        assert "amount = 999" in text and "emission_sphere_radius = 2.0" in text
        assert '[node name="Rain" type="CPUParticles3D"' in text
    finally:
        editor.kill()
