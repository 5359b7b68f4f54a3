"""Resources through the MCP endpoint (resource_manage): created inline on a node (one undo
step) or saved to a file, environments from presets, gradient and noise textures, assigned,
searched, read and described; checked in the saved files and in a fresh editor on the same
project."""

from __future__ import annotations

import pytest

from conftest import call_error, call_ok, editor_with_main_scene, node_properties, rolled_back
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio


async def op(client, name, params=None) -> dict:
    return await call_ok(client, "resource_manage", {"op": name, "params": params or {}})


async def op_error(client, name, params=None) -> str:
    return await call_error(client, "resource_manage", {"op": name, "params": params or {}})


async def test_resources_are_created_inline_or_saved_assigned_and_found():
    project = make_project("resources")
    editor = await editor_with_main_scene(project, "resources")
    try:
        async with Client(editor.url) as client:
            inline = await op(client, "create", {
                "type": "BoxMesh", "properties": {"size": {"x": 2, "y": 1, "z": 2}},
                "path": "/Main/World/Ground", "property": "mesh"})
            assert inline == {"path": "/Main/World/Ground", "property": "mesh",
                              "undoable": True, "type": "BoxMesh",
                              "resource_class": "BoxMesh", "properties_applied": 1}
            saved = await op(client, "create", {
                "type": "BoxShape3D", "properties": {"size": [1, 3, 1]},
                "resource_path": "res://shapes/pillar.tres"})
            assert saved["resource_path"] == "res://shapes/pillar.tres"
            assert saved["overwritten"] is False and saved["undoable"] is False
            assert saved["cleanup"] == {"rm": ["res://shapes/pillar.tres"]}
            assert "size = Vector3(1, 3, 1)" in (project / "shapes" / "pillar.tres").read_text()
            assert "already exists (pass overwrite=true" in await op_error(client, "create", {
                "type": "BoxShape3D", "resource_path": "res://shapes/pillar.tres"})

            await call_ok(client, "node_create", {"type": "CollisionShape3D", "name": "Pillar",
                                             "parent_path": "/Main/World"})
            assigned = await op(client, "assign", {"path": "/Main/World/Pillar",
                                                   "property": "shape",
                                                   "resource_path": "res://shapes/pillar.tres"})
            assert assigned["resource_type"] == "BoxShape3D" and assigned["undoable"] is True
            assert (await node_properties(client, "/Main/World/Pillar"))["shape"] == \
                "res://shapes/pillar.tres"

            loaded = await op(client, "load", {"path": "res://shapes/pillar.tres"})
            assert loaded["type"] == "BoxShape3D"
            size = next(p for p in loaded["properties"] if p["name"] == "size")
            assert size["value"] == {"x": 1.0, "y": 3.0, "z": 1.0}
            found = await op(client, "search", {"type": "Shape3D"})
            assert found["resources"] == [{"path": "res://shapes/pillar.tres",
                                           "type": "BoxShape3D"}]
            assert found["total_count"] == 1 and found["has_more"] is False
            by_path = await op(client, "search", {"path": "MAIN", "limit": 1})
            assert by_path["resources"][0]["path"] == "res://main.tscn"

            info = await op(client, "get_info", {"type": "Shape3D"})
            assert info["is_abstract"] is True and "BoxShape3D" in info["concrete_subclasses"]
            box = await op(client, "get_info", {"type": "BoxShape3D"})
            assert box["parent_class"] == "Shape3D" and box["can_instantiate"] is True
            size = next(p for p in box["properties"] if p["name"] == "size")
            assert size["type"] == "Vector3" and size["default"] == {"x": 1.0, "y": 1.0, "z": 1.0}

            # Undo, through a batch that fails after it: the property gets its old value.
            await rolled_back(client, "create_resource", {
                "type": "SphereMesh", "path": "/Main/World/Ground", "property": "mesh"})
            await rolled_back(client, "assign_resource", {
                "path": "/Main/World/Pillar", "property": "shape",
                "resource_path": "res://main.tscn"})
            assert (await node_properties(client, "/Main/World/Pillar"))["shape"] == \
                "res://shapes/pillar.tres"
            ground = await call_ok(client, "node_get_properties", {"path": "/Main/World/Ground"})
            mesh = next(p for p in ground["properties"] if p["name"] == "mesh")
            assert "BoxMesh" in str(mesh["value"]), mesh

            assert "Node3D is a Node type, not a Resource" in await op_error(
                client, "create", {"type": "Node3D", "resource_path": "res://x.tres"})
            assert "Shape3D is abstract" in await op_error(
                client, "create", {"type": "Shape3D", "resource_path": "res://x.tres"})
            assert "Unknown resource type: BoxMsh" in await op_error(
                client, "get_info", {"type": "BoxMsh"})
            assert "not an Object slot" in await op_error(client, "create", {
                "type": "BoxMesh", "path": "/Main/World/Ground", "property": "visible"})
            assert "either path+property or resource_path, not both" in await op_error(
                client, "create", {"type": "BoxMesh", "path": "/Main/World/Ground",
                                   "property": "mesh", "resource_path": "res://y.tres"})
            assert "Property 'sise' not found on BoxShape3D" in await op_error(
                client, "create", {"type": "BoxShape3D", "properties": {"sise": 1},
                                   "resource_path": "res://z.tres"})
            assert not (project / "z.tres").exists()

            await call_ok(client, "scene_save", {})
        text = (project / "main.tscn").read_text()
        assert 'path="res://shapes/pillar.tres"' in text
        assert '[sub_resource type="BoxMesh"' in text and "size = Vector3(2, 1, 2)" in text
    finally:
        editor.kill()


async def test_environments_and_textures_are_built_from_presets_and_saved():
    project = make_project("resources_generated")
    editor = await editor_with_main_scene(project, "resources_generated")
    try:
        async with Client(editor.url) as client:
            await call_ok(client, "node_create", {"type": "WorldEnvironment", "name": "Env"})
            env = await op(client, "environment_create", {
                "path": "/Main/Env", "preset": "sunset",
                "properties": {"glow_enabled": True}})
            assert env == {"path": "/Main/Env", "property": "environment", "undoable": True,
                           "preset": "sunset", "sky_created": True,
                           "sky_material_class": "ProceduralSkyMaterial"}
            night = await op(client, "environment_create", {
                "preset": "night", "sky": False, "resource_path": "res://env/night.tres"})
            assert night["sky_created"] is False and night["undoable"] is False
            night_text = (project / "env" / "night.tres").read_text()
            assert "ambient_light_source = 2" in night_text and "Sky" not in night_text

            gradient = await op(client, "gradient_texture_create", {
                "stops": [{"offset": 0, "color": "#000000"},
                          {"offset": 1, "color": {"r": 1, "g": 0.5, "b": 0}}],
                "width": 32, "fill": "radial", "resource_path": "res://textures/glow.tres"})
            assert gradient["stop_count"] == 2 and gradient["fill"] == "radial"
            glow = (project / "textures" / "glow.tres").read_text()
            assert "fill = 1" in glow and "width = 32" in glow
            assert "PackedColorArray(0, 0, 0, 1, 1, 0.5, 0, 1)" in glow

            await call_ok(client, "node_create", {"type": "Sprite2D", "name": "Clouds"})
            noise = await op(client, "noise_texture_create", {
                "noise_type": "cellular", "width": 128, "height": 128, "seed": 7,
                "path": "/Main/Clouds", "property": "texture"})
            assert noise["noise_type"] == "cellular" and noise["undoable"] is True

            assert "Invalid preset 'dusk'" in await op_error(
                client, "environment_create", {"preset": "dusk", "path": "/Main/Env"})
            assert "must be WorldEnvironment" in await op_error(
                client, "environment_create", {"path": "/Main/World"})
            assert "requires at least 2 stops, got 1" in await op_error(
                client, "gradient_texture_create", {"stops": [{"offset": 0, "color": "red"}],
                                                    "resource_path": "res://g.tres"})
            # A file name no saver writes is the caller's to change (it was INTERNAL_ERROR),
            # and nothing is written.
            for creator in ("gradient_texture_create", "noise_texture_create"):
                params = {"resource_path": f"res://notes_{creator}.txt"}
                if creator == "gradient_texture_create":
                    params["stops"] = [{"offset": 0, "color": "red"}, {"offset": 1, "color": "blue"}]
                message = await op_error(client, creator, params)
                assert f"cannot be saved as res://notes_{creator}.txt: use a file name ending in" \
                    in message and ".tres" in message, message
                assert not (project / f"notes_{creator}.txt").exists()
            assert "Invalid noise_type 'wavy'" in await op_error(
                client, "noise_texture_create", {"noise_type": "wavy",
                                                 "resource_path": "res://n.tres"})
            await rolled_back(client, "environment_create", {"path": "/Main/Env",
                                                             "preset": "fog"})
            await call_ok(client, "scene_save", {})
        text = (project / "main.tscn").read_text()
        assert '[sub_resource type="ProceduralSkyMaterial"' in text
        assert "glow_enabled = true" in text and "ambient_light_energy = 0.8" in text
        assert "volumetric_fog_enabled" not in text
        assert '[sub_resource type="FastNoiseLite"' in text and "noise_type = 2" in text
    finally:
        editor.kill()

    again = await editor_with_main_scene(project, "resources_generated_reopened")
    try:
        async with Client(again.url) as client:
            env = await node_properties(client, "/Main/Env")
            assert env["environment"] is not None
            night = await op(client, "load", {"path": "res://env/night.tres"})
            energy = next(p for p in night["properties"] if p["name"] == "ambient_light_energy")
            assert energy["value"] == 0.4
    finally:
        again.kill()


async def test_curves_get_their_points_and_collision_shapes_fit_their_visuals():
    project = make_project("resources_curves")
    editor = await editor_with_main_scene(project, "resources_curves")
    try:
        async with Client(editor.url) as client:
            await call_ok(client, "node_create", {"type": "Path3D", "name": "Track"})
            track = await op(client, "curve_set_points", {
                "path": "/Main/Track", "property": "curve", "points": [
                    {"position": {"x": 0, "y": 0, "z": 0}},
                    {"position": {"x": 4, "y": 1, "z": 0}, "in": {"x": -1, "y": 0, "z": 0},
                     "tilt": 0.5}]})
            assert track == {"path": "/Main/Track", "property": "curve",
                             "curve_class": "Curve3D", "point_count": 2,
                             "curve_created": True, "undoable": True}
            await op(client, "create", {"type": "Curve",
                                        "resource_path": "res://curves/falloff.tres"})
            falloff = await op(client, "curve_set_points", {
                "resource_path": "res://curves/falloff.tres", "points": [
                    {"offset": 0, "value": 1}, {"offset": 1, "value": 0, "left_tangent": -1}]})
            assert falloff["point_count"] == 2 and falloff["undoable"] is False
            assert "point_count = 2" in (project / "curves" / "falloff.tres").read_text()
            assert "must have 'position'" in await op_error(client, "curve_set_points", {
                "path": "/Main/Track", "property": "curve", "points": [{"x": 1}]})
            # A bad point changes nothing: the track keeps its two points.
            await rolled_back(client, "curve_set_points", {
                "path": "/Main/Track", "property": "curve",
                "points": [{"position": [9, 9, 9]}]})

            await call_ok(client, "node_create", {"type": "StaticBody3D", "name": "Crate",
                                             "parent_path": "/Main/World"})
            await call_ok(client, "node_create", {"type": "MeshInstance3D", "name": "Mesh",
                                             "parent_path": "/Main/World/Crate"})
            await call_ok(client, "node_set_property", {
                "path": "/Main/World/Crate/Mesh", "property": "mesh",
                "value": {"__class__": "BoxMesh", "size": {"x": 2, "y": 1, "z": 2}}})
            await call_ok(client, "node_set_property", {"path": "/Main/World/Crate/Mesh",
                                                   "property": "scale", "value": [1, 2, 1]})
            await call_ok(client, "node_create", {"type": "CollisionShape3D", "name": "Shape",
                                             "parent_path": "/Main/World/Crate"})
            fitted = await op(client, "physics_shape_autofit", {"path": "/Main/World/Crate/Shape"})
            assert fitted == {"path": "/Main/World/Crate/Shape",
                              "source_path": "/Main/World/Crate/Mesh", "shape_type": "box",
                              "shape_class": "BoxShape3D", "shape_created": True,
                              "size": {"x": 2.0, "y": 2.0, "z": 2.0}, "undoable": True}
            await rolled_back(client, "physics_shape_autofit", {
                "path": "/Main/World/Crate/Shape", "shape_type": "sphere"})
            again = await op(client, "physics_shape_autofit", {
                "path": "/Main/World/Crate/Shape", "shape_type": "BoxShape3D"})
            assert again["shape_created"] is False, "the box came back on undo and is reused"
            capsule = await op(client, "physics_shape_autofit", {
                "path": "/Main/World/Crate/Shape", "shape_type": "capsule"})
            assert capsule["size"] == {"radius": 1.0, "height": 2.0}
            assert "must be CollisionShape3D or CollisionShape2D" in await op_error(
                client, "physics_shape_autofit", {"path": "/Main/World/Crate/Mesh"})
            assert "Invalid shape_type 'cone'" in await op_error(
                client, "physics_shape_autofit", {"path": "/Main/World/Crate/Shape",
                                                  "shape_type": "cone"})
            await call_ok(client, "scene_save", {})
        text = (project / "main.tscn").read_text()
        assert '[sub_resource type="Curve3D"' in text and '[sub_resource type="CapsuleShape3D"' in text
        # (height 2 is the capsule's default, so the file leaves it out)
        assert "radius = 1.0" in text and '"tilts": PackedFloat32Array(0, 0.5)' in text
    finally:
        editor.kill()
