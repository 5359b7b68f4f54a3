//! The plugin commands godot-ai's protocol-v1 servers send, so a command that godot-ai-native
//! has not built yet is told apart from a typo. Both servers the bridge serves are covered:
//! godot-ai 2.4.2's 123 names plus the 20 that 3.2.5 added (143; 3.2.5 dropped none), and the
//! `custom_tool:<name>` family 3.2.5 sends to run an addon's custom tool.

/// The prefix of the commands that run a custom tool registered by an addon:
/// `custom_tool:<tool name>` (godot-ai 3.2.5's `custom_manage op=invoke`).
pub const CUSTOM_TOOL_PREFIX: &str = "custom_tool:";

/// Every fixed command name godot-ai 2.4.2 or 3.2.5's server can send to its editor plugin
/// (2.4.2's, plus 3.2.5's additions), sorted.
pub const GODOT_AI_COMMANDS: &[&str] = &[
    "add_action",
    "add_autoload",
    "add_to_group",
    "animation_add_method_track",
    "animation_add_property_track",
    "animation_create",
    "animation_create_simple",
    "animation_delete",
    "animation_get",
    "animation_list",
    "animation_play",
    "animation_player_create",
    "animation_preset_fade",
    "animation_preset_pulse",
    "animation_preset_shake",
    "animation_preset_slide",
    "animation_set_autoplay",
    "animation_stop",
    "animation_validate",
    "apply_theme",
    "assign_resource",
    "attach_script",
    "audio_list",
    "audio_play",
    "audio_player_create",
    "audio_player_set_playback",
    "audio_player_set_stream",
    "audio_stop",
    "batch_execute",
    "bind_event",
    "build_layout",
    "camera_apply_preset",
    "camera_configure",
    "camera_create",
    "camera_follow_2d",
    "camera_get",
    "camera_list",
    "camera_set_damping_2d",
    "camera_set_limits_2d",
    "check_client_status",
    "clear_logs",
    "configure_client",
    "connect_signal",
    "control_draw_recipe",
    "create_node",
    "create_resource",
    "create_scene",
    "create_script",
    "create_theme",
    "csg_create",
    "csg_set_operation",
    "curve_set_points",
    "delete_node",
    "detach_script",
    "disconnect_signal",
    "duplicate_node",
    "ensure_action",
    "ensure_binding",
    "environment_create",
    "find_nodes",
    "find_symbols",
    "game_command",
    "game_eval",
    "get_children",
    "get_class_info",
    "get_editor_state",
    "get_groups",
    "get_logs",
    "get_node_properties",
    "get_open_scenes",
    "get_performance_monitors",
    "get_project_setting",
    "get_resource_info",
    "get_scene_tree",
    "get_selection",
    "get_test_results",
    "gradient_texture_create",
    "gridmap_clear",
    "gridmap_fill",
    "gridmap_get_used_cells",
    "gridmap_list_library_items",
    "gridmap_set_item",
    "list_actions",
    "list_autoloads",
    "list_signals",
    "load_resource",
    "material_apply_preset",
    "material_apply_to_node",
    "material_assign",
    "material_create",
    "material_get",
    "material_list",
    "material_set_param",
    "material_set_shader_param",
    "move_node",
    "noise_texture_create",
    "open_scene",
    "particle_apply_preset",
    "particle_create",
    "particle_get",
    "particle_restart",
    "particle_set_draw_pass",
    "particle_set_main",
    "particle_set_process",
    "patch_script",
    "physics_shape_autofit",
    "quit_editor",
    "read_file",
    "read_script",
    "reimport",
    "reload_plugin",
    "remove_action",
    "remove_autoload",
    "remove_client",
    "remove_from_group",
    "rename_node",
    "reparent_node",
    "run_project",
    "run_tests",
    "save_scene",
    "save_scene_as",
    "scan_filesystem",
    "search_filesystem",
    "search_resources",
    "set_anchor_preset",
    "set_main_scene",
    "set_project_setting",
    "set_property",
    "set_selection",
    "set_text",
    "stop_project",
    "take_screenshot",
    "theme_set_color",
    "theme_set_constant",
    "theme_set_font_size",
    "theme_set_stylebox_flat",
    "tilemap_clear",
    "tilemap_get_cells",
    "tilemap_set_cell",
    "tilemap_set_cells_rect",
    "tileset_get_atlas_image",
    "tileset_get_atlas_tiles",
    "write_file",
];

/// Whether `name` is a command godot-ai's server sends: a listed one, or
/// `custom_tool:<tool name>` with a tool name.
pub fn is_godot_ai_command(name: &str) -> bool {
    GODOT_AI_COMMANDS.binary_search(&name).is_ok()
        || name
            .strip_prefix(CUSTOM_TOOL_PREFIX)
            .is_some_and(|tool| !tool.is_empty())
}

/// The longest a test run may be given (`run_tests timeout_budget_sec`, in seconds).
pub const TEST_RUN_MAX_BUDGET_SECONDS: u64 = 3600;

/// How long a caller should wait for `name` when that is longer than for most commands: a test
/// run answers within the budget it was given, at most [`TEST_RUN_MAX_BUDGET_SECONDS`].
pub fn long_reply_wait(name: &str) -> Option<std::time::Duration> {
    (name == "run_tests").then(|| std::time::Duration::from_secs(TEST_RUN_MAX_BUDGET_SECONDS + 15))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_so_lookups_work() {
        assert!(GODOT_AI_COMMANDS.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(is_godot_ai_command("create_node"));
        assert!(!is_godot_ai_command("node_create"));
    }

    #[test]
    fn both_servers_commands_are_listed() {
        assert_eq!(GODOT_AI_COMMANDS.len(), 143);
        for name in [
            "take_screenshot",
            "game_command",
            "game_eval",
            "scan_filesystem",
        ] {
            assert!(is_godot_ai_command(name), "{name}");
        }
    }

    #[test]
    fn custom_tool_commands_need_a_tool_name() {
        assert!(is_godot_ai_command("custom_tool:spawn_enemy"));
        assert!(!is_godot_ai_command("custom_tool:"));
        assert!(!is_godot_ai_command("custom_tools:spawn_enemy"));
    }
}
