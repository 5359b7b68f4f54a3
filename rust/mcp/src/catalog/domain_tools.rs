//! godot-ai's domain tools (resources, the class reference, UI, themes, animation, materials,
//! particles, cameras, audio, tile maps and tile sets, grid maps, CSG, tests, client
//! configuration). They are listed with godot-ai 3.2.5's names and schemas so an agent's tool
//! knowledge carries over, and pass their `params` through to the command (the ops the plugin
//! implements refuse keys they do not take, see [`op_params`](super::op_params)); the plugin
//! answers each op whose command it does not implement yet with a clear "not supported by
//! godot-ai-native yet" error.

use serde_json::json;

use super::*;

pub(super) const RESOURCE_MANAGE: ToolSpec = manage_tool!(
    "resource_manage",
    "Resources by `op`: search, load, get_info, create, assign, and helpers for curves, \
     environments, gradient and noise textures, physics shapes.",
    [
        "assign" => "assign_resource",
        "create" => "create_resource",
        "curve_set_points" => "curve_set_points",
        "environment_create" => "environment_create",
        "get_info" => "get_resource_info",
        "gradient_texture_create" => "gradient_texture_create",
        "load" => "load_resource",
        "noise_texture_create" => "noise_texture_create",
        "physics_shape_autofit" => "physics_shape_autofit",
        "search" => "search_resources",
    ]
);

pub(super) const API_MANAGE: ToolSpec = manage_tool!(
    "api_manage",
    "Godot's class reference from the editor's ClassDB, by `op`: get_class ({class_name, \
     sections? (properties, methods, signals, enums, constants, inheritors or all; default \
     properties), include_inherited?, include_inheritors?, offset?, limit?}).",
    ["get_class" => "get_class_info"]
);

pub(super) const CLIENT_MANAGE: ToolSpec = manage_tool!(
    "client_manage",
    "MCP client configuration by `op`: status, configure, remove, rotate_token (a new access \
     token for this editor: the old one is refused at once, and every client set up here gets \
     the new one).",
    [
        "configure" => "configure_client",
        "remove" => "remove_client",
        "rotate_token" => "rotate_access_token",
        "status" => "check_client_status",
    ]
);

/// The budget `test_run` gives a run, as godot-ai 3.2.5's server does.
const TEST_RUN_BUDGET_SECONDS: f64 = 300.0;

pub(super) const TEST_RUN: ToolSpec = ToolSpec {
    name: "test_run",
    description: "Run the project's editor test suites: res://tests/test_*.gd scripts that \
        extend McpTestSuite, every test_* method with godot-ai's assertions. Answers the counts \
        and the failures, each with the file, line and function where it failed; the run stops \
        within a 300 s budget and keeps what ran (test_manage results_get).",
    arguments: &[
        optional_text_arg("suite", "Only the suite with this suite_name()."),
        optional_text_arg("test_name", "Only tests whose name contains this."),
        optional_text_arg(
            "exclude_test_name",
            "Skip tests whose name contains one of these (comma-separated).",
        ),
        flag_arg(
            "verbose",
            "Include every test's result, not only the failures.",
        ),
    ],
    plan: |arguments| {
        let mut params = arguments.pick_non_empty(&["suite", "test_name", "exclude_test_name"]);
        params.extend(
            arguments
                .pick(&["verbose"])
                .into_iter()
                .filter(|(_, value)| *value == json!(true)),
        );
        params.insert(
            "timeout_budget_sec".to_owned(),
            json!(TEST_RUN_BUDGET_SECONDS),
        );
        Ok(Command::new("run_tests", params).into())
    },
    shape_result: unchanged,
};

pub(super) const TEST_MANAGE: ToolSpec = manage_tool!(
    "test_manage",
    "Test results by `op`: results_get ({verbose?}: the last test_run's counts and failures \
        again, without running anything).",
    ["results_get" => "get_test_results"]
);

pub(super) const UI_MANAGE: ToolSpec = manage_tool!(
    "ui_manage",
    "Control nodes by `op`: set_anchor_preset, set_text, build_layout, draw_recipe.",
    [
        "build_layout" => "build_layout",
        "draw_recipe" => "control_draw_recipe",
        "set_anchor_preset" => "set_anchor_preset",
        "set_text" => "set_text",
    ]
);

pub(super) const THEME_MANAGE: ToolSpec = manage_tool!(
    "theme_manage",
    "Themes by `op`: create, set_color, set_constant, set_font_size, set_stylebox_flat, apply.",
    [
        "apply" => "apply_theme",
        "create" => "create_theme",
        "set_color" => "theme_set_color",
        "set_constant" => "theme_set_constant",
        "set_font_size" => "theme_set_font_size",
        "set_stylebox_flat" => "theme_set_stylebox_flat",
    ]
);

pub(super) const ANIMATION_CREATE: ToolSpec = ToolSpec {
    name: "animation_create",
    description: "Create an animation in an AnimationPlayer.",
    arguments: &[
        text_arg("player_path", "Path of the AnimationPlayer node."),
        text_arg("name", "Animation name."),
        ArgSpec {
            name: "length",
            kind: ArgKind::Number,
            default: None,
            description: "Length in seconds.",
        },
        ArgSpec {
            name: "loop_mode",
            kind: ArgKind::String,
            default: Some(|| json!("none")),
            description: "none, linear or pingpong.",
        },
        flag_arg("overwrite", "Replace an animation with the same name."),
    ],
    plan: |arguments| {
        let mut params = arguments.pick(&["player_path", "name", "length", "loop_mode"]);
        params.extend(
            arguments
                .pick(&["overwrite"])
                .into_iter()
                .filter(|(_, value)| *value == json!(true)),
        );
        Ok(Command::new("animation_create", params).into())
    },
    shape_result: unchanged,
};

pub(super) const ANIMATION_MANAGE: ToolSpec = manage_tool!(
    "animation_manage",
    "Animations by `op`: players, tracks, presets, playback and validation.",
    [
        "add_method_track" => "animation_add_method_track",
        "add_property_track" => "animation_add_property_track",
        "create_simple" => "animation_create_simple",
        "delete" => "animation_delete",
        "get" => "animation_get",
        "list" => "animation_list",
        "play" => "animation_play",
        "player_create" => "animation_player_create",
        "preset_fade" => "animation_preset_fade",
        "preset_pulse" => "animation_preset_pulse",
        "preset_shake" => "animation_preset_shake",
        "preset_slide" => "animation_preset_slide",
        "set_autoplay" => "animation_set_autoplay",
        "stop" => "animation_stop",
        "validate" => "animation_validate",
    ]
);

pub(super) const MATERIAL_MANAGE: ToolSpec = manage_tool!(
    "material_manage",
    "Materials by `op`: create, get, list, set_param, set_shader_param, assign, apply_to_node, \
     apply_preset.",
    [
        "apply_preset" => "material_apply_preset",
        "apply_to_node" => "material_apply_to_node",
        "assign" => "material_assign",
        "create" => "material_create",
        "get" => "material_get",
        "list" => "material_list",
        "set_param" => "material_set_param",
        "set_shader_param" => "material_set_shader_param",
    ]
);

pub(super) const PARTICLE_MANAGE: ToolSpec = manage_tool!(
    "particle_manage",
    "Particle systems by `op`: create, get, set_main, set_process, set_draw_pass, restart, \
     apply_preset.",
    [
        "apply_preset" => "particle_apply_preset",
        "create" => "particle_create",
        "get" => "particle_get",
        "restart" => "particle_restart",
        "set_draw_pass" => "particle_set_draw_pass",
        "set_main" => "particle_set_main",
        "set_process" => "particle_set_process",
    ]
);

pub(super) const CAMERA_MANAGE: ToolSpec = manage_tool!(
    "camera_manage",
    "Cameras by `op`: create, configure, get, list, 2D limits/damping/follow, apply_preset.",
    [
        "apply_preset" => "camera_apply_preset",
        "configure" => "camera_configure",
        "create" => "camera_create",
        "follow_2d" => "camera_follow_2d",
        "get" => "camera_get",
        "list" => "camera_list",
        "set_damping_2d" => "camera_set_damping_2d",
        "set_limits_2d" => "camera_set_limits_2d",
    ]
);

pub(super) const AUDIO_MANAGE: ToolSpec = manage_tool!(
    "audio_manage",
    "Audio players by `op`: player_create, player_set_stream, player_set_playback, play, stop, \
     list.",
    [
        "list" => "audio_list",
        "play" => "audio_play",
        "player_create" => "audio_player_create",
        "player_set_playback" => "audio_player_set_playback",
        "player_set_stream" => "audio_player_set_stream",
        "stop" => "audio_stop",
    ]
);

pub(super) const TILEMAP_MANAGE: ToolSpec = manage_tool!(
    "tilemap_manage",
    "TileMapLayer nodes of the edited scene by `op`: tilemap_set_cell ({path, source_id, \
     atlas_col, atlas_row, map_x, map_y}), tilemap_set_cells_rect (the same tile over rect_x, \
     rect_y, rect_w, rect_h), tilemap_clear ({path}), tilemap_get_cells ({path}). Undoable.",
    [
        "tilemap_clear" => "tilemap_clear",
        "tilemap_get_cells" => "tilemap_get_cells",
        "tilemap_set_cell" => "tilemap_set_cell",
        "tilemap_set_cells_rect" => "tilemap_set_cells_rect",
    ]
);

pub(super) const TILESET_MANAGE: ToolSpec = manage_tool!(
    "tileset_manage",
    "TileSet resources, read only, by `op`: tileset_get_atlas_tiles ({tileset_path, \
     source_id}: the occupied atlas cells), tileset_get_atlas_image ({tileset_path, source_id, \
     max_size?}: the atlas texture as PNG).",
    [
        "tileset_get_atlas_image" => "tileset_get_atlas_image",
        "tileset_get_atlas_tiles" => "tileset_get_atlas_tiles",
    ]
);

pub(super) const GRIDMAP_MANAGE: ToolSpec = manage_tool!(
    "gridmap_manage",
    "GridMap nodes of the edited scene by `op`: gridmap_set_item ({path, item, map_x, map_y, \
     map_z, orientation?}; item -1 erases), gridmap_fill (a box from rect_x/y/z of size \
     rect_w/h/d), gridmap_clear, gridmap_get_used_cells, gridmap_list_library_items ({path}). \
     Undoable.",
    [
        "gridmap_clear" => "gridmap_clear",
        "gridmap_fill" => "gridmap_fill",
        "gridmap_get_used_cells" => "gridmap_get_used_cells",
        "gridmap_list_library_items" => "gridmap_list_library_items",
        "gridmap_set_item" => "gridmap_set_item",
    ]
);

pub(super) const CSG_MANAGE: ToolSpec = manage_tool!(
    "csg_manage",
    "CSG shapes in the edited scene by `op`: csg_create ({parent_path, name?, shape? (box, \
     sphere, cylinder, torus, polygon), operation? (union, intersection, subtraction)}), \
     csg_set_operation ({path, operation}). Undoable.",
    [
        "csg_create" => "csg_create",
        "csg_set_operation" => "csg_set_operation",
    ]
);
