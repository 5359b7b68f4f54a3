"""A small addon that registers custom tools with the plugin's McpToolRegistry, the way a
project's own editor addon would: a promoted tool that edits the scene, a plain one that reads
it, one that answers an error, one that answers on a later frame, and one that switches a tool
off and registers a new one (so a test can change the catalog through an agent's call)."""

from __future__ import annotations

from pathlib import Path

PLUGIN_CFG = """[plugin]

name="Wave Tools"
description="Custom MCP tools for enemy waves."
author="tests"
version="1.0"
script="plugin.gd"
"""

PLUGIN = """@tool
extends EditorPlugin

const HANDLER := "res://addons/wave_tools/handler.gd"
const SOURCE := "res://addons/wave_tools/plugin.cfg"


static func spec(tool_name: String, method: StringName, description: String) -> Object:
	var tool = ClassDB.instantiate("McpCustomToolSpec")
	tool.name = tool_name
	tool.method = method
	tool.description = description
	tool.script_path = HANDLER
	tool.source_path = SOURCE
	return tool


func _enter_tree() -> void:
	var registry = ClassDB.class_call_static("McpToolRegistry", "get_instance")
	var spawn = spec("spawn_wave", &"spawn", "Adds a wave of enemies under the scene root.")
	spawn.params_schema = {"type": "object", "properties": {"count": {"type": "integer"}}}
	spawn.promoted = true
	spawn.requires_writable = true
	var count = spec("count_enemies", &"count", "Counts the enemies in the edited scene.")
	var refuse = spec("refuse", &"refuse", "Always answers an error.")
	var later = spec("later", &"later", "Answers on a later frame.")
	later.deferred = true
	later.timeout_ms = 3000
	var switch = spec("switch_off_spawn", &"switch", "Switches spawn_wave off, adds rally.")
	var bad = spec("2bad", &"spawn", "")
	registry.register(bad)  # refused: the Output panel says why
	registry.batch_register([spawn, count, refuse, later, switch])


func _exit_tree() -> void:
	var registry = ClassDB.class_call_static("McpToolRegistry", "get_instance")
	registry.unregister_source(SOURCE)
"""

HANDLER = """@tool
extends RefCounted


func spawn(params: Dictionary, ctx) -> Dictionary:
	var root := EditorInterface.get_edited_scene_root()
	var wanted := int(params.get("count", 1))
	for i in wanted:
		var enemy := Node3D.new()
		enemy.name = "Enemy"
		root.add_child(enemy, true)
		enemy.owner = root
	return {"data": {"spawned": wanted, "tool": ctx.tool_name}}


func count(_params: Dictionary, _ctx) -> Dictionary:
	var root := EditorInterface.get_edited_scene_root()
	var enemies := root.find_children("Enemy*", "Node3D", false)
	return {"data": {"enemies": enemies.size()}}


func refuse(_params: Dictionary, _ctx) -> Dictionary:
	return {"error": {"code": "VALUE_OUT_OF_RANGE", "message": "count must be positive"}}


func later(_params: Dictionary, ctx) -> Dictionary:
	var timer: SceneTreeTimer = (Engine.get_main_loop() as SceneTree).create_timer(0.2)
	timer.timeout.connect(func(): ctx.send_deferred({"data": {"late": true}}))
	return {"_deferred": true}


func switch(_params: Dictionary, _ctx) -> Dictionary:
	var registry = ClassDB.class_call_static("McpToolRegistry", "get_instance")
	registry.set_tool_enabled("spawn_wave", false)
	var rally = ClassDB.instantiate("McpCustomToolSpec")
	rally.name = "rally"
	rally.method = &"count"
	rally.description = "Counts the enemies, promoted."
	rally.script_path = "res://addons/wave_tools/handler.gd"
	rally.source_path = "res://addons/wave_tools/plugin.cfg"
	rally.promoted = true
	return {"data": {"registered": registry.register(rally)}}
"""

TOOL_NAMES = ["spawn_wave", "count_enemies", "refuse", "later", "switch_off_spawn"]


def install_wave_tools(project: Path) -> None:
    """Copies the addon into `project` and enables it after this plugin."""
    addon = project / "addons" / "wave_tools"
    addon.mkdir(parents=True, exist_ok=True)
    (addon / "plugin.cfg").write_text(PLUGIN_CFG)
    (addon / "plugin.gd").write_text(PLUGIN)
    (addon / "handler.gd").write_text(HANDLER)
    settings = project / "project.godot"
    text = settings.read_text()
    ours = '"res://addons/godot_ai_native/plugin.cfg"'
    assert ours in text, text
    settings.write_text(text.replace(ours, ours + ', "res://addons/wave_tools/plugin.cfg"'))
