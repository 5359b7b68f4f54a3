"""Materials through the MCP endpoint (material_manage, godot://materials): material files
created, changed and read back (on disk too), shader uniforms, materials put on nodes, presets;
checked in the saved files and in a fresh editor on the same project. Each change to a saved
material and each assignment is undone too (a failed batch rolls it back through the editor's
undo history, which saves the file again)."""

from __future__ import annotations

import json

import pytest

from conftest import call_error, call_ok, editor_with_main_scene, rolled_back
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio


async def op(client, name, params=None) -> dict:
    return await call_ok(client, "material_manage", {"op": name, "params": params or {}})


async def op_error(client, name, params=None) -> str:
    return await call_error(client, "material_manage", {"op": name, "params": params or {}})

SHADER = """shader_type spatial;

uniform vec4 tint : source_color = vec4(1.0);
uniform float speed = 1.0;
uniform vec3 offset;
uniform vec4 weights;

void fragment() {
\tALBEDO = tint.rgb;
}
"""


def values(material: dict) -> dict:
    return {p["name"]: p["value"] for p in material["properties"]}


async def test_material_files_are_created_changed_undone_and_listed():
    project = make_project("materials_files")
    (project / "shaders").mkdir()
    (project / "shaders" / "wave.gdshader").write_text(SHADER)
    editor = await editor_with_main_scene(project, "materials_files")
    try:
        async with Client(editor.url) as client:
            created = await op(client, "create", {"path": "res://materials/steel.tres"})
            assert created == {"path": "res://materials/steel.tres", "type": "standard",
                               "class": "StandardMaterial3D", "shader_path": "",
                               "overwritten": False, "undoable": False,
                               "reason": "File creation is persistent; delete the file "
                                         "manually to revert"}
            assert (project / "materials" / "steel.tres").is_file()
            again = await op_error(client, "create", {"path": "res://materials/steel.tres"})
            assert "already exists at res://materials/steel.tres (pass overwrite=true" in again

            metallic = await op(client, "set_param", {"path": "res://materials/steel.tres",
                                                      "param": "metallic", "value": 0.8})
            assert metallic == {"path": "res://materials/steel.tres", "property": "metallic",
                                "value": 0.8, "previous_value": 0.0, "undoable": True}
            colour = await op(client, "set_param", {"path": "res://materials/steel.tres",
                                                    "param": "albedo_color", "value": "#336699"})
            assert colour["value"]["b"] == pytest.approx(0.6, abs=0.01)
            named = await op(client, "set_param", {"path": "res://materials/steel.tres",
                                                   "param": "emission", "value": "red"})
            assert named["value"] == {"r": 1.0, "g": 0.0, "b": 0.0, "a": 1.0}
            alpha = await op(client, "set_param", {"path": "res://materials/steel.tres",
                                                   "param": "transparency", "value": "alpha"})
            assert alpha["value"] == 1
            text = (project / "materials" / "steel.tres").read_text()
            assert "metallic = 0.8" in text and "transparency = 1" in text

            # Undo puts the value back and saves the file again.
            await rolled_back(client, "material_set_param", {
                "path": "res://materials/steel.tres", "param": "metallic", "value": 0.1})
            assert "metallic = 0.8" in (project / "materials" / "steel.tres").read_text()
            steel = await op(client, "get", {"path": "res://materials/steel.tres"})
            assert steel["class"] == "StandardMaterial3D" and steel["type"] == "standard"
            assert values(steel)["metallic"] == 0.8 and steel["shader_parameters"] == []

            assert (await op_error(client, "set_param", {
                "path": "res://materials/steel.tres", "param": "metalic", "value": 1}
            )).startswith("PROPERTY_NOT_ON_CLASS: Property 'metalic' not found on "
                          "StandardMaterial3D. Did you mean")
            assert "Invalid transparency value" in await op_error(client, "set_param", {
                "path": "res://materials/steel.tres", "param": "transparency",
                "value": "frosted"})
            assert "must end with one of .tres, .material, .res" in await op_error(
                client, "create", {"path": "res://materials/steel.png"})
            assert "Invalid material type 'plastic'" in await op_error(
                client, "create", {"path": "res://materials/x.tres", "type": "plastic"})

            wave = await op(client, "create", {"path": "res://materials/wave.tres",
                                               "type": "shader",
                                               "shader_path": "res://shaders/wave.gdshader"})
            assert wave["class"] == "ShaderMaterial"
            await op(client, "set_shader_param", {"path": "res://materials/wave.tres",
                                                  "param": "tint",
                                                  "value": {"r": 1, "g": 0.5, "b": 0, "a": 1}})
            speed = await op(client, "set_shader_param", {"path": "res://materials/wave.tres",
                                                          "param": "speed", "value": 2.5})
            assert speed["value"] == 2.5 and speed["undoable"] is True
            await op(client, "set_shader_param", {"path": "res://materials/wave.tres",
                                                  "param": "offset", "value": [1, 2, 3]})
            await op(client, "set_shader_param", {"path": "res://materials/wave.tres",
                                                  "param": "weights", "value": [1, 0, 0, 0.5]})
            await rolled_back(client, "material_set_shader_param", {
                "path": "res://materials/wave.tres", "param": "speed", "value": 9})
            shader = await op(client, "get", {"path": "res://materials/wave.tres"})
            uniforms = {u["name"]: u["value"] for u in shader["shader_parameters"]}
            assert uniforms["speed"] == 2.5
            assert uniforms["offset"] == {"x": 1.0, "y": 2.0, "z": 3.0}
            assert uniforms["weights"] == {"x": 1.0, "y": 0.0, "z": 0.0, "w": 0.5}
            assert uniforms["tint"] == {"r": 1.0, "g": 0.5, "b": 0.0, "a": 1.0}
            assert shader["shader_path"] == "res://shaders/wave.gdshader"
            text = (project / "materials" / "wave.tres").read_text()
            assert "shader_parameter/speed = 2.5" in text
            assert "shader_parameter/offset = Vector3(1, 2, 3)" in text

            missing = await op_error(client, "set_shader_param", {
                "path": "res://materials/wave.tres", "param": "sped", "value": 1})
            assert missing.startswith("PROPERTY_NOT_ON_CLASS: Shader uniform 'sped' not declared")
            assert "speed" in missing
            assert "is StandardMaterial3D, not ShaderMaterial" in await op_error(
                client, "set_shader_param", {"path": "res://materials/steel.tres",
                                             "param": "speed", "value": 1})

            listing = await op(client, "list", {})
            assert {"path": "res://materials/steel.tres", "class": "StandardMaterial3D"} in \
                listing["materials"]
            assert {"path": "res://materials/wave.tres", "class": "ShaderMaterial"} in \
                listing["materials"]
            only_shader = await op(client, "list", {"type": "ShaderMaterial"})
            assert [m["path"] for m in only_shader["materials"]] == ["res://materials/wave.tres"]
            read = await client.read_resource("godot://materials")
            assert json.loads(read.contents[0].text) == listing
    finally:
        editor.kill()


async def test_materials_on_nodes_and_presets_are_saved_with_the_scene():
    project = make_project("materials_nodes")
    editor = await editor_with_main_scene(project, "materials_nodes")
    try:
        async with Client(editor.url) as client:
            await call_ok(client, "node_create", {"type": "MeshInstance3D", "name": "Crate",
                                             "parent_path": "/Main/World"})
            await call_ok(client, "node_set_property", {"path": "/Main/World/Crate",
                                                   "property": "mesh",
                                                   "value": {"__class__": "BoxMesh"}})
            await op(client, "create", {"path": "res://materials/steel.tres"})
            await op(client, "set_param", {"path": "res://materials/steel.tres",
                                           "param": "metallic", "value": 0.9})

            assigned = await op(client, "assign", {"node_path": "/Main/World/Crate",
                                                   "resource_path": "res://materials/steel.tres"})
            assert assigned == {"node_path": "/Main/World/Crate", "property": "material_override",
                                "slot": "override", "resource_path": "res://materials/steel.tres",
                                "material_class": "StandardMaterial3D",
                                "material_created": False, "undoable": True}
            applied = await op(client, "apply_to_node", {
                "node_path": "/Main/World/Ground",
                "params": {"albedo_color": "red", "roughness": 0.3}})
            assert applied["property"] == "material_override"
            assert applied["applied_params"] == ["albedo_color", "roughness"]
            assert applied["saved_to"] == "" and applied["undoable"] is True
            glass = await op(client, "apply_preset", {
                "preset": "glass", "path": "res://materials/glass.tres",
                "node_path": "/Main/World/Crate", "slot": "surface_0",
                "overrides": {"roughness": 0.2}})
            assert glass["assigned"] is True and glass["saved_to_disk"] is True
            assert glass["applied_params"][0] == "transparency"
            saved_glass = await op(client, "get", {"path": "res://materials/glass.tres"})
            assert values(saved_glass)["roughness"] == pytest.approx(0.2)
            assert values(saved_glass)["transparency"] == 1
            unlit = await op(client, "apply_preset", {"preset": "unlit",
                                                      "node_path": "/Main/HUD/Score"})
            assert unlit["property"] == "material" and unlit["saved_to_disk"] is False

            # Undo of an assignment gives the slot its old material back.
            await rolled_back(client, "material_assign", {
                "node_path": "/Main/World/Crate", "create_if_missing": True, "type": "orm"})
            await rolled_back(client, "material_apply_to_node", {
                "node_path": "/Main/World/Ground", "type": "orm"})
            crate = await call_ok(client, "node_get_properties", {"path": "/Main/World/Crate"})
            crate = {p["name"]: p["value"] for p in crate["properties"]}
            assert crate["material_override"] == "res://materials/steel.tres"

            assert "Surface index 3 out of range (mesh has 1 surfaces)" in await op_error(
                client, "assign", {"node_path": "/Main/World/Crate", "slot": "surface_3",
                                   "resource_path": "res://materials/steel.tres"})
            assert "Slot 'override' not supported on Node3D" in await op_error(
                client, "assign", {"node_path": "/Main/World",
                                   "resource_path": "res://materials/steel.tres"})
            assert "pass create_if_missing=true" in await op_error(
                client, "assign", {"node_path": "/Main/World/Crate"})
            assert "Unknown preset 'chrome'" in await op_error(
                client, "apply_preset", {"preset": "chrome", "node_path": "/Main/World/Crate"})
            # Checked before the file is written: nothing is left behind.
            assert "requires a GPUParticles2D/3D" in await op_error(client, "apply_preset", {
                "preset": "matte", "path": "res://materials/matte.tres",
                "node_path": "/Main/World/Crate", "slot": "process"})
            assert not (project / "materials" / "matte.tres").exists()

            await client.call_tool("scene_save", {})
        text = (project / "main.tscn").read_text()
        assert 'path="res://materials/steel.tres"' in text
        assert 'path="res://materials/glass.tres"' in text
        assert "albedo_color = Color(1, 0, 0, 1)" in text
        assert "surface_material_override/0 = ExtResource(" in text
    finally:
        editor.kill()

    again = await editor_with_main_scene(project, "materials_nodes_reopened")
    try:
        async with Client(again.url) as client:
            crate = await call_ok(client, "node_get_properties", {"path": "/Main/World/Crate"})
            crate = {p["name"]: p["value"] for p in crate["properties"]}
            assert crate["material_override"] == "res://materials/steel.tres"
            assert crate["surface_material_override/0"] == "res://materials/glass.tres"
            steel = await op(client, "get", {"path": "res://materials/steel.tres"})
            assert values(steel)["metallic"] == pytest.approx(0.9)
    finally:
        again.kill()
