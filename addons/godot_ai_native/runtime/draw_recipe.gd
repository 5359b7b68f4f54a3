@tool
extends Control
## Draws the shapes of a recipe that ui_manage draw_recipe stored on this Control, in the
## editor and in the game. The recipe is the `_ops` metadata: a list of dictionaries, each
## with its `draw` kind (line, rect, arc, circle, polyline, polygon, string) and the fields
## that kind needs, already checked and converted by the godot_ai_native plugin.


func _ready() -> void:
	queue_redraw()


func _draw() -> void:
	var ops = get_meta(&"_ops", [])
	if not ops is Array:
		return
	for op in ops:
		if op is Dictionary:
			_draw_one(op)


func _draw_one(op: Dictionary) -> void:
	var width: float = op.get("width", 1.0)
	var antialiased: bool = op.get("antialiased", false)
	match op.get("draw", ""):
		"line":
			draw_line(op["from"], op["to"], op["color"], width, antialiased)
		"rect":
			if op.get("filled", true):
				draw_rect(op["rect"], op["color"], true)
			else:
				draw_rect(op["rect"], op["color"], false, width)
		"arc":
			draw_arc(op["center"], op["radius"], op["start_angle"], op["end_angle"],
					op.get("point_count", 32), op["color"], width, antialiased)
		"circle":
			draw_circle(op["center"], op["radius"], op["color"])
		"polyline":
			if op.has("colors"):
				draw_polyline_colors(op["points"], op["colors"], width, antialiased)
			else:
				draw_polyline(op["points"], op["color"], width, antialiased)
		"polygon":
			var colors: PackedColorArray = op.get("colors", PackedColorArray())
			if colors.is_empty():
				colors = PackedColorArray([op["color"]])
			draw_polygon(op["points"], colors)
		"string":
			var font := get_theme_default_font()
			if font != null:
				draw_string(font, op["position"], op["text"], op.get("align", 0),
						op.get("max_width", -1.0), op.get("font_size", 16), op["color"])
