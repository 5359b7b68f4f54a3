@tool
extends EditorPlugin
## Creates the Rust controller when the plugin is enabled and frees it when disabled.
## Everything else lives in the GDExtension (see rust/plugin).

var _controller: Node


func _enter_tree() -> void:
	if not ClassDB.class_exists(&"GodotAiController"):
		push_error("MCP | the godot_ai_native library is not loaded: build it with `cargo xtask build` or reinstall the addon (bin/ is missing)")
		return
	_controller = ClassDB.instantiate(&"GodotAiController")
	_controller.name = "GodotAiController"
	add_child(_controller)


func _exit_tree() -> void:
	if is_instance_valid(_controller):
		_controller.free()
	_controller = null
