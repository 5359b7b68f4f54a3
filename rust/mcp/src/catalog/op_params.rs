//! The params each `*_manage` op that passes its params through takes (godot-ai's keyword
//! arguments, plus the `overwrite` flag this plugin adds to `scene_manage` create/save_as). A
//! key an op does not take is refused, as godot-ai refuses an unexpected keyword: a misspelt
//! `scene_file` guard must not be dropped silently. Ops not listed pass their params through
//! unchecked: the free-form event fields of `bind_event` and
//! `ensure_binding`, and the ops whose params are typed and built by
//! [`op_binding`](super::op_binding) instead (which refuses unexpected keys the same way).

use godot_ai_protocol::{CommandError, ErrorCode, JsonObject};

/// `(tool, op, params it takes)`.
const OP_PARAMS: &[(&str, &str, &[&str])] = &[
    ("session_manage", "list", &[]),
    ("editor_manage", "state", &[]),
    ("editor_manage", "quit", &[]),
    ("editor_manage", "selection_get", &[]),
    ("editor_manage", "selection_set", &["paths"]),
    ("editor_manage", "monitors_get", &["monitors"]),
    (
        "scene_manage",
        "create",
        &["path", "root_type", "root_name", "overwrite"],
    ),
    ("scene_manage", "save_as", &["path", "overwrite"]),
    ("scene_manage", "get_roots", &[]),
    ("node_manage", "get_children", &["path"]),
    ("node_manage", "get_groups", &["path"]),
    ("node_manage", "delete", &["path", "scene_file"]),
    ("node_manage", "duplicate", &["path", "name", "scene_file"]),
    ("node_manage", "rename", &["path", "new_name", "scene_file"]),
    ("node_manage", "move", &["path", "index", "scene_file"]),
    (
        "node_manage",
        "reparent",
        &["path", "new_parent", "scene_file"],
    ),
    (
        "node_manage",
        "add_to_group",
        &["path", "group", "scene_file"],
    ),
    (
        "node_manage",
        "remove_from_group",
        &["path", "group", "scene_file"],
    ),
    ("project_manage", "settings_get", &["key"]),
    ("project_manage", "settings_set", &["key", "value"]),
    ("project_manage", "stop", &[]),
    ("project_manage", "set_main_scene", &["path"]),
    ("script_manage", "read", &["path"]),
    ("script_manage", "detach", &["path"]),
    ("script_manage", "find_symbols", &["path"]),
    ("filesystem_manage", "read_text", &["path"]),
    ("filesystem_manage", "write_text", &["path", "content"]),
    ("filesystem_manage", "reimport", &["paths"]),
    ("filesystem_manage", "scan", &[]),
    (
        "filesystem_manage",
        "search",
        &["name", "type", "path", "offset", "limit"],
    ),
    ("signal_manage", "list", &["path", "include_editor"]),
    (
        "signal_manage",
        "connect",
        &["path", "signal", "target", "method"],
    ),
    (
        "signal_manage",
        "disconnect",
        &["path", "signal", "target", "method"],
    ),
    ("autoload_manage", "list", &[]),
    ("autoload_manage", "add", &["name", "path", "singleton"]),
    ("autoload_manage", "remove", &["name"]),
    ("input_map_manage", "list", &["include_builtin"]),
    ("input_map_manage", "add_action", &["action", "deadzone"]),
    ("input_map_manage", "remove_action", &["action"]),
    ("input_map_manage", "ensure_action", &["action", "deadzone"]),
    (
        "camera_manage",
        "create",
        &["parent_path", "name", "type", "make_current"],
    ),
    ("camera_manage", "get", &["camera_path"]),
    ("camera_manage", "list", &[]),
    ("camera_manage", "configure", &["camera_path", "properties"]),
    (
        "camera_manage",
        "apply_preset",
        &[
            "parent_path",
            "name",
            "preset",
            "type",
            "make_current",
            "overrides",
        ],
    ),
    (
        "camera_manage",
        "follow_2d",
        &[
            "camera_path",
            "target_path",
            "smoothing_speed",
            "zero_transform",
        ],
    ),
    (
        "camera_manage",
        "set_limits_2d",
        &["camera_path", "left", "right", "top", "bottom", "smoothed"],
    ),
    (
        "camera_manage",
        "set_damping_2d",
        &[
            "camera_path",
            "position_speed",
            "rotation_speed",
            "drag_margins",
            "drag_horizontal_enabled",
            "drag_vertical_enabled",
        ],
    ),
    (
        "audio_manage",
        "player_create",
        &["parent_path", "name", "type"],
    ),
    (
        "audio_manage",
        "player_set_stream",
        &["player_path", "stream_path"],
    ),
    (
        "audio_manage",
        "player_set_playback",
        &["player_path", "volume_db", "pitch_scale", "autoplay", "bus"],
    ),
    ("audio_manage", "play", &["player_path", "from_position"]),
    ("audio_manage", "stop", &["player_path"]),
    ("audio_manage", "list", &["root", "include_duration"]),
    (
        "resource_manage",
        "search",
        &["type", "path", "offset", "limit"],
    ),
    ("resource_manage", "load", &["path"]),
    ("resource_manage", "get_info", &["type"]),
    (
        "resource_manage",
        "assign",
        &["path", "property", "resource_path"],
    ),
    (
        "resource_manage",
        "create",
        &[
            "type",
            "properties",
            "path",
            "property",
            "resource_path",
            "overwrite",
        ],
    ),
    (
        "resource_manage",
        "environment_create",
        &[
            "path",
            "preset",
            "properties",
            "sky",
            "resource_path",
            "overwrite",
        ],
    ),
    (
        "resource_manage",
        "gradient_texture_create",
        &[
            "stops",
            "width",
            "height",
            "fill",
            "path",
            "property",
            "resource_path",
            "overwrite",
        ],
    ),
    (
        "resource_manage",
        "noise_texture_create",
        &[
            "noise_type",
            "width",
            "height",
            "frequency",
            "seed",
            "fractal_octaves",
            "path",
            "property",
            "resource_path",
            "overwrite",
        ],
    ),
    (
        "resource_manage",
        "curve_set_points",
        &["points", "path", "property", "resource_path"],
    ),
    (
        "resource_manage",
        "physics_shape_autofit",
        &["path", "source_path", "shape_type"],
    ),
    (
        "particle_manage",
        "create",
        &["parent_path", "name", "type"],
    ),
    ("particle_manage", "get", &["node_path"]),
    ("particle_manage", "set_main", &["node_path", "properties"]),
    (
        "particle_manage",
        "set_process",
        &["node_path", "properties"],
    ),
    (
        "particle_manage",
        "set_draw_pass",
        &["node_path", "pass", "pass_", "mesh", "texture", "material"],
    ),
    ("particle_manage", "restart", &["node_path"]),
    (
        "particle_manage",
        "apply_preset",
        &["parent_path", "name", "preset", "type", "overrides"],
    ),
    (
        "animation_manage",
        "player_create",
        &["parent_path", "name"],
    ),
    (
        "animation_manage",
        "delete",
        &["player_path", "animation_name"],
    ),
    (
        "animation_manage",
        "validate",
        &["player_path", "animation_name"],
    ),
    (
        "animation_manage",
        "add_property_track",
        &[
            "player_path",
            "animation_name",
            "track_path",
            "keyframes",
            "interpolation",
        ],
    ),
    (
        "animation_manage",
        "add_method_track",
        &[
            "player_path",
            "animation_name",
            "target_node_path",
            "keyframes",
        ],
    ),
    (
        "animation_manage",
        "set_autoplay",
        &["player_path", "animation_name"],
    ),
    (
        "animation_manage",
        "play",
        &["player_path", "animation_name"],
    ),
    ("animation_manage", "stop", &["player_path"]),
    ("animation_manage", "list", &["player_path"]),
    (
        "animation_manage",
        "get",
        &["player_path", "animation_name"],
    ),
    (
        "animation_manage",
        "create_simple",
        &[
            "player_path",
            "name",
            "tweens",
            "length",
            "loop_mode",
            "overwrite",
        ],
    ),
    (
        "animation_manage",
        "preset_fade",
        &[
            "player_path",
            "target_path",
            "mode",
            "duration",
            "animation_name",
            "overwrite",
        ],
    ),
    (
        "animation_manage",
        "preset_slide",
        &[
            "player_path",
            "target_path",
            "direction",
            "mode",
            "distance",
            "duration",
            "animation_name",
            "overwrite",
        ],
    ),
    (
        "animation_manage",
        "preset_shake",
        &[
            "player_path",
            "target_path",
            "intensity",
            "duration",
            "frequency",
            "seed",
            "animation_name",
            "overwrite",
        ],
    ),
    (
        "animation_manage",
        "preset_pulse",
        &[
            "player_path",
            "target_path",
            "from_scale",
            "to_scale",
            "duration",
            "animation_name",
            "overwrite",
        ],
    ),
    (
        "material_manage",
        "create",
        &["path", "type", "shader_path", "overwrite"],
    ),
    ("material_manage", "get", &["path"]),
    ("material_manage", "list", &["root", "type"]),
    ("material_manage", "set_param", &["path", "param", "value"]),
    (
        "material_manage",
        "set_shader_param",
        &["path", "param", "value"],
    ),
    (
        "material_manage",
        "assign",
        &[
            "node_path",
            "resource_path",
            "slot",
            "create_if_missing",
            "type",
        ],
    ),
    (
        "material_manage",
        "apply_to_node",
        &[
            "node_path",
            "type",
            "params",
            "slot",
            "save_to",
            "overwrite",
        ],
    ),
    (
        "material_manage",
        "apply_preset",
        &[
            "preset",
            "path",
            "node_path",
            "overrides",
            "slot",
            "overwrite",
        ],
    ),
    // Content domains II. Node-targeting ops also take the plugin's `scene_file` guard.
    (
        "ui_manage",
        "set_anchor_preset",
        &["path", "preset", "resize_mode", "margin", "scene_file"],
    ),
    ("ui_manage", "set_text", &["path", "text", "scene_file"]),
    (
        "ui_manage",
        "build_layout",
        &["tree", "parent_path", "scene_file"],
    ),
    (
        "ui_manage",
        "draw_recipe",
        &["path", "ops", "clear_existing", "scene_file"],
    ),
    ("theme_manage", "create", &["path", "overwrite"]),
    (
        "theme_manage",
        "set_color",
        &["theme_path", "class_name", "name", "value"],
    ),
    (
        "theme_manage",
        "set_constant",
        &["theme_path", "class_name", "name", "value"],
    ),
    (
        "theme_manage",
        "set_font_size",
        &["theme_path", "class_name", "name", "value"],
    ),
    (
        "theme_manage",
        "set_stylebox_flat",
        &[
            "theme_path",
            "class_name",
            "name",
            "bg_color",
            "border_color",
            "border",
            "corners",
            "margins",
            "shadow",
            "anti_aliasing",
        ],
    ),
    (
        "theme_manage",
        "apply",
        &["node_path", "theme_path", "scene_file"],
    ),
    (
        "tilemap_manage",
        "tilemap_set_cell",
        &[
            "path",
            "source_id",
            "atlas_col",
            "atlas_row",
            "map_x",
            "map_y",
            "scene_file",
        ],
    ),
    (
        "tilemap_manage",
        "tilemap_set_cells_rect",
        &[
            "path",
            "source_id",
            "atlas_col",
            "atlas_row",
            "rect_x",
            "rect_y",
            "rect_w",
            "rect_h",
            "scene_file",
        ],
    ),
    ("tilemap_manage", "tilemap_clear", &["path", "scene_file"]),
    (
        "tilemap_manage",
        "tilemap_get_cells",
        &["path", "scene_file"],
    ),
    (
        "tileset_manage",
        "tileset_get_atlas_tiles",
        &["tileset_path", "source_id"],
    ),
    (
        "tileset_manage",
        "tileset_get_atlas_image",
        &["tileset_path", "source_id", "max_size"],
    ),
    (
        "gridmap_manage",
        "gridmap_set_item",
        &[
            "path",
            "item",
            "map_x",
            "map_y",
            "map_z",
            "orientation",
            "scene_file",
        ],
    ),
    (
        "gridmap_manage",
        "gridmap_fill",
        &[
            "path",
            "item",
            "rect_x",
            "rect_y",
            "rect_z",
            "rect_w",
            "rect_h",
            "rect_d",
            "orientation",
            "scene_file",
        ],
    ),
    ("gridmap_manage", "gridmap_clear", &["path", "scene_file"]),
    (
        "gridmap_manage",
        "gridmap_get_used_cells",
        &["path", "scene_file"],
    ),
    (
        "gridmap_manage",
        "gridmap_list_library_items",
        &["path", "scene_file"],
    ),
    (
        "csg_manage",
        "csg_create",
        &["parent_path", "name", "shape", "operation", "scene_file"],
    ),
    (
        "csg_manage",
        "csg_set_operation",
        &["path", "operation", "scene_file"],
    ),
    (
        "api_manage",
        "get_class",
        &[
            "class_name",
            "sections",
            "include_inherited",
            "include_inheritors",
            "offset",
            "limit",
        ],
    ),
];

/// `INVALID_PARAMS` naming the first param `tool.op` does not take, with the ones it does.
pub(super) fn check(tool: &str, op: &str, params: &JsonObject) -> Result<(), CommandError> {
    let Some((_, _, allowed)) = OP_PARAMS
        .iter()
        .find(|(known_tool, known_op, _)| *known_tool == tool && *known_op == op)
    else {
        return Ok(());
    };
    match params.keys().find(|key| !allowed.contains(&key.as_str())) {
        None => Ok(()),
        Some(unexpected) => Err(unexpected_param(tool, op, unexpected, allowed, params)),
    }
}

/// `INVALID_PARAMS`: `tool.op` does not take the param `unexpected`; it takes `allowed`.
pub(super) fn unexpected_param(
    tool: &str,
    op: &str,
    unexpected: &str,
    allowed: &[&str],
    received: &JsonObject,
) -> CommandError {
    let takes = if allowed.is_empty() {
        "no params".to_owned()
    } else {
        allowed.join(", ")
    };
    CommandError::new(
        ErrorCode::InvalidParams,
        format!("{tool}.{op}: unexpected param '{unexpected}'. It takes: {takes}."),
    )
    .with_data("tool", tool)
    .with_data("op", op)
    .with_data("received", received.keys().cloned().collect::<Vec<_>>())
}

/// Every listed `(tool, op)`, for tests.
#[cfg(test)]
pub(super) fn listed() -> impl Iterator<Item = (&'static str, &'static str)> {
    OP_PARAMS.iter().map(|(tool, op, _)| (*tool, *op))
}
