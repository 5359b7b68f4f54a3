//! The editor commands, by godot-ai plugin command name. Each runs on the main thread and
//! returns the reply's `data` object or a [`CommandError`].
//!
//! One folder per domain, like the MCP catalog (`editor`, `scene`, `node`, `script`,
//! `filesystem`, `project`, `runtime`, `camera`, `audio`, `material`, `resource`, `particle`,
//! `animation`, `theme`, `ui`, `csg`, `tilemap`, `gridmap`, `api`, `testing`, `custom`); the files here are what every domain shares: params, replies, settling over
//! frames, undo, saving resources, and batches.

mod animation;
mod api;
mod audio;
mod batch;
mod camera;
mod cells;
mod csg;
pub mod custom;
pub mod editor;
pub(crate) mod filesystem;
mod gridmap;
mod material;
mod node;
mod params;
mod particle;
mod project;
mod properties;
mod reply;
mod resource;
mod runtime;
mod saved_resource;
pub mod scene;
mod script;
mod script_instance;
mod settle;
mod testing;
mod theme;
mod tilemap;
mod ui;
mod undo;

use godot_ai_protocol::godot_ai_commands::{CUSTOM_TOOL_PREFIX, is_godot_ai_command};
use godot_ai_protocol::suggest::closest;
use godot_ai_protocol::{Command, CommandError, CommandResult, ErrorCode, JsonObject};

pub use settle::{Pending, Step};

/// How a command runs.
#[derive(Clone, Copy)]
enum Handler {
    /// Its effect is visible when it returns.
    Now(fn(&JsonObject) -> CommandResult),
    /// Its effect may land on a later frame: it may answer with a [`Pending`].
    Later(fn(&JsonObject) -> Step),
    /// A family of commands named `<prefix><name>` (custom tools), given the name.
    Named(&'static str, fn(&str, &JsonObject) -> Step),
}

impl Handler {
    fn start(self, command: &str, params: &JsonObject) -> Step {
        match self {
            Handler::Now(run) => Step::Done(run(params)),
            Handler::Later(run) => run(params),
            Handler::Named(prefix, run) => {
                run(command.strip_prefix(prefix).unwrap_or(command), params)
            }
        }
    }
}

/// Whether a command changes the project. Writes wait while the editor scans its files and
/// are refused while it runs the game (`stop_project` is a read in this sense: it is never
/// refused); reads never wait.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

use Access::{Read, Write};
use Handler::{Later, Now};

/// Every command this plugin implements.
const COMMANDS: &[(&str, Access, Handler)] = &[
    // editor
    ("get_editor_state", Read, Now(editor::get_editor_state)),
    ("get_selection", Read, Now(editor::selection::get_selection)),
    (
        "set_selection",
        Write,
        Now(editor::selection::set_selection),
    ),
    ("get_logs", Read, Now(editor::logs::get_logs)),
    ("clear_logs", Read, Now(editor::logs::clear_logs)),
    (
        "get_performance_monitors",
        Read,
        Now(editor::logs::get_performance_monitors),
    ),
    (
        "take_screenshot",
        Read,
        Later(editor::screenshot::take_screenshot),
    ),
    ("reload_plugin", Read, Now(editor::lifecycle::reload_plugin)),
    ("quit_editor", Read, Now(editor::lifecycle::quit_editor)),
    // scene
    ("get_scene_tree", Read, Later(scene::get_scene_tree)),
    ("open_scene", Write, Later(scene::files::open_scene)),
    ("save_scene", Write, Now(scene::files::save_scene)),
    ("save_scene_as", Write, Now(scene::files::save_scene_as)),
    ("create_scene", Write, Later(scene::files::create_scene)),
    ("get_open_scenes", Read, Now(scene::files::get_open_scenes)),
    // node
    ("get_node_properties", Read, Now(node::get_node_properties)),
    ("create_node", Write, Now(node::edit::create_node)),
    ("set_property", Write, Now(node::edit::set_property)),
    ("find_nodes", Read, Later(node::find::find_nodes)),
    ("get_children", Read, Now(node::edit::get_children)),
    ("get_groups", Read, Now(node::edit::get_groups)),
    ("delete_node", Write, Now(node::edit::delete_node)),
    ("duplicate_node", Write, Now(node::tree::duplicate_node)),
    ("rename_node", Write, Now(node::edit::rename_node)),
    ("move_node", Write, Now(node::tree::move_node)),
    ("reparent_node", Write, Now(node::tree::reparent_node)),
    (
        "add_to_group",
        Write,
        Now(|params| node::edit::change_group(params, true)),
    ),
    (
        "remove_from_group",
        Write,
        Now(|params| node::edit::change_group(params, false)),
    ),
    // script
    ("create_script", Write, Now(filesystem::create_script)),
    ("patch_script", Write, Now(filesystem::patch_script)),
    ("attach_script", Write, Now(script::attach_script)),
    ("detach_script", Write, Now(script::detach_script)),
    ("read_script", Read, Now(filesystem::read_file)),
    ("find_symbols", Read, Now(filesystem::search::find_symbols)),
    // filesystem
    ("read_file", Read, Now(filesystem::read_file)),
    ("write_file", Write, Now(filesystem::write_file)),
    (
        "search_filesystem",
        Read,
        Now(filesystem::search::search_filesystem),
    ),
    ("reimport", Write, Later(filesystem::search::reimport)),
    (
        "scan_filesystem",
        Read,
        Later(filesystem::search::scan_filesystem),
    ),
    // project
    ("run_project", Read, Later(project::run_project)),
    ("stop_project", Read, Later(project::stop_project)),
    (
        "get_project_setting",
        Read,
        Now(project::get_project_setting),
    ),
    (
        "set_project_setting",
        Write,
        Now(project::set_project_setting),
    ),
    ("set_main_scene", Write, Now(project::set_main_scene)),
    ("batch_execute", Write, Later(batch::batch_execute)),
    // signals, autoloads, input map
    ("list_signals", Read, Now(node::signals::list_signals)),
    ("connect_signal", Write, Now(node::signals::connect_signal)),
    (
        "disconnect_signal",
        Write,
        Now(node::signals::disconnect_signal),
    ),
    (
        "list_autoloads",
        Read,
        Now(project::autoloads::list_autoloads),
    ),
    ("add_autoload", Write, Now(project::autoloads::add_autoload)),
    (
        "remove_autoload",
        Write,
        Now(project::autoloads::remove_autoload),
    ),
    ("list_actions", Read, Now(project::input_map::list_actions)),
    ("add_action", Write, Now(project::input_map::add_action)),
    (
        "remove_action",
        Write,
        Now(project::input_map::remove_action),
    ),
    ("bind_event", Write, Now(project::input_map::bind_event)),
    (
        "ensure_action",
        Write,
        Now(project::input_map::ensure_action),
    ),
    (
        "ensure_binding",
        Write,
        Now(project::input_map::ensure_binding),
    ),
    // resources
    ("search_resources", Read, Now(resource::search_resources)),
    ("load_resource", Read, Now(resource::load_resource)),
    ("get_resource_info", Read, Now(resource::get_resource_info)),
    ("assign_resource", Write, Now(resource::assign_resource)),
    (
        "create_resource",
        Write,
        Later(|params| saved_resource::once_indexed(resource::create_resource(params))),
    ),
    (
        "environment_create",
        Write,
        Later(|params| saved_resource::once_indexed(resource::environment_create(params))),
    ),
    (
        "gradient_texture_create",
        Write,
        Later(|params| saved_resource::once_indexed(resource::gradient_texture_create(params))),
    ),
    (
        "noise_texture_create",
        Write,
        Later(|params| saved_resource::once_indexed(resource::noise_texture_create(params))),
    ),
    ("curve_set_points", Write, Now(resource::curve_set_points)),
    (
        "physics_shape_autofit",
        Write,
        Now(resource::physics_shape_autofit),
    ),
    // materials
    (
        "material_create",
        Write,
        Later(|params| saved_resource::once_indexed(material::material_create(params))),
    ),
    ("material_get", Read, Now(material::material_get)),
    ("material_list", Read, Now(material::material_list)),
    (
        "material_set_param",
        Write,
        Now(material::material_set_param),
    ),
    (
        "material_set_shader_param",
        Write,
        Now(material::material_set_shader_param),
    ),
    ("material_assign", Write, Now(material::material_assign)),
    (
        "material_apply_to_node",
        Write,
        Later(|params| saved_resource::once_indexed(material::material_apply_to_node(params))),
    ),
    (
        "material_apply_preset",
        Write,
        Later(|params| saved_resource::once_indexed(material::material_apply_preset(params))),
    ),
    // particles
    ("particle_create", Write, Now(particle::particle_create)),
    ("particle_get", Read, Now(particle::particle_get)),
    ("particle_set_main", Write, Now(particle::particle_set_main)),
    (
        "particle_set_process",
        Write,
        Now(particle::particle_set_process),
    ),
    (
        "particle_set_draw_pass",
        Write,
        Now(particle::particle_set_draw_pass),
    ),
    ("particle_restart", Read, Now(particle::particle_restart)),
    (
        "particle_apply_preset",
        Write,
        Now(particle::particle_apply_preset),
    ),
    // cameras
    ("camera_create", Write, Now(camera::camera_create)),
    ("camera_get", Read, Now(camera::camera_get)),
    ("camera_list", Read, Now(camera::camera_list)),
    ("camera_configure", Write, Now(camera::camera_configure)),
    (
        "camera_apply_preset",
        Write,
        Now(camera::camera_apply_preset),
    ),
    ("camera_follow_2d", Write, Now(camera::camera_follow_2d)),
    (
        "camera_set_limits_2d",
        Write,
        Now(camera::camera_set_limits_2d),
    ),
    (
        "camera_set_damping_2d",
        Write,
        Now(camera::camera_set_damping_2d),
    ),
    // audio
    (
        "audio_player_create",
        Write,
        Now(audio::audio_player_create),
    ),
    (
        "audio_player_set_stream",
        Write,
        Now(audio::audio_player_set_stream),
    ),
    (
        "audio_player_set_playback",
        Write,
        Now(audio::audio_player_set_playback),
    ),
    ("audio_play", Read, Now(audio::audio_play)),
    ("audio_stop", Read, Now(audio::audio_stop)),
    ("audio_list", Read, Now(audio::audio_list)),
    // animation
    (
        "animation_player_create",
        Write,
        Now(animation::animation_player_create),
    ),
    ("animation_create", Write, Now(animation::animation_create)),
    (
        "animation_create_simple",
        Write,
        Now(animation::animation_create_simple),
    ),
    (
        "animation_add_property_track",
        Write,
        Now(animation::animation_add_property_track),
    ),
    (
        "animation_add_method_track",
        Write,
        Now(animation::animation_add_method_track),
    ),
    ("animation_delete", Write, Now(animation::animation_delete)),
    (
        "animation_set_autoplay",
        Write,
        Now(animation::animation_set_autoplay),
    ),
    ("animation_play", Read, Now(animation::animation_play)),
    ("animation_stop", Read, Now(animation::animation_stop)),
    ("animation_list", Read, Now(animation::animation_list)),
    ("animation_get", Read, Now(animation::animation_get)),
    (
        "animation_validate",
        Read,
        Now(animation::animation_validate),
    ),
    (
        "animation_preset_fade",
        Write,
        Now(animation::animation_preset_fade),
    ),
    (
        "animation_preset_slide",
        Write,
        Now(animation::animation_preset_slide),
    ),
    (
        "animation_preset_shake",
        Write,
        Now(animation::animation_preset_shake),
    ),
    (
        "animation_preset_pulse",
        Write,
        Now(animation::animation_preset_pulse),
    ),
    // themes
    (
        "create_theme",
        Write,
        Later(|params| saved_resource::once_indexed(theme::create_theme(params))),
    ),
    ("theme_set_color", Write, Now(theme::theme_set_color)),
    ("theme_set_constant", Write, Now(theme::theme_set_constant)),
    (
        "theme_set_font_size",
        Write,
        Now(theme::theme_set_font_size),
    ),
    (
        "theme_set_stylebox_flat",
        Write,
        Now(theme::theme_set_stylebox_flat),
    ),
    ("apply_theme", Write, Now(theme::apply_theme)),
    // UI
    ("set_anchor_preset", Write, Now(ui::set_anchor_preset)),
    ("set_text", Write, Now(ui::set_text)),
    ("build_layout", Write, Now(ui::build_layout)),
    ("control_draw_recipe", Write, Now(ui::control_draw_recipe)),
    // CSG
    ("csg_create", Write, Now(csg::csg_create)),
    ("csg_set_operation", Write, Now(csg::csg_set_operation)),
    // tile maps and tile sets
    ("tilemap_set_cell", Write, Now(tilemap::tilemap_set_cell)),
    (
        "tilemap_set_cells_rect",
        Write,
        Now(tilemap::tilemap_set_cells_rect),
    ),
    ("tilemap_clear", Write, Now(tilemap::tilemap_clear)),
    ("tilemap_get_cells", Read, Now(tilemap::tilemap_get_cells)),
    (
        "tileset_get_atlas_tiles",
        Read,
        Now(tilemap::tileset_get_atlas_tiles),
    ),
    (
        "tileset_get_atlas_image",
        Read,
        Now(tilemap::tileset_get_atlas_image),
    ),
    // grid maps
    ("gridmap_set_item", Write, Now(gridmap::gridmap_set_item)),
    ("gridmap_fill", Write, Now(gridmap::gridmap_fill)),
    ("gridmap_clear", Write, Now(gridmap::gridmap_clear)),
    (
        "gridmap_get_used_cells",
        Read,
        Now(gridmap::gridmap_get_used_cells),
    ),
    (
        "gridmap_list_library_items",
        Read,
        Now(gridmap::gridmap_list_library_items),
    ),
    // the class reference
    ("get_class_info", Read, Now(api::get_class_info)),
    // custom tools other addons register
    ("list_custom_tools", Read, Now(custom::list_custom_tools)),
    // the project's test suites
    ("run_tests", Read, Later(testing::run_tests)),
    ("get_test_results", Read, Now(testing::get_test_results)),
    // the running game
    ("game_command", Read, Later(runtime::game_command)),
    ("game_eval", Read, Later(runtime::game_eval)),
    // sessions (the in-process endpoint's session tools)
    ("session_list", Read, Now(editor::sessions::session_list)),
    (
        "session_activate",
        Read,
        Now(editor::sessions::session_activate),
    ),
    // the editor dock (a test hook, see `dock::probe`)
    ("dock_probe", Read, Now(crate::dock::probe::dock_probe)),
];

/// Whether a command may start now.
pub enum Admission {
    /// Run it.
    Run,
    /// Not yet: the editor is busy with something short (a filesystem scan); look again next
    /// frame. The error is the answer if the wait runs out.
    Wait(CommandError),
    /// Never in this state: answer with the error.
    Refuse(CommandError),
}

/// May `name` start now? Reads always may; writes wait while the editor scans its files and
/// are refused while the game runs. Unknown commands may "start" (to answer their error).
pub fn admission(name: &str) -> Admission {
    match command(name) {
        Some((Write, _)) => write_admission(),
        _ => Admission::Run,
    }
}

/// Starts `command` on the editor, keeping a trace of it in the plugin log. Must be called on
/// the main thread, once [`admission`] said `Run`. A [`Step::Wait`] must be polled on later
/// frames; pass its result (like a `Step::Done` one) to [`finished`].
pub fn start(command: &Command) -> Step {
    crate::plugin_log::trace_received(&command.name, &command.params);
    match command_handler(&command.name) {
        Some(handler) => handler.start(&command.name, &command.params),
        None => Step::Done(Err(unknown_command(&command.name))),
    }
}

/// Records how the command `name` ended in the plugin log.
pub fn finished(name: &str, result: &CommandResult) {
    match result {
        Ok(_) => crate::plugin_log::trace(&format!("[send] {name} -> ok")),
        Err(error) => {
            crate::plugin_log::trace(&format!("[send] {name} -> error: {}", error.message))
        }
    }
}

fn command(name: &str) -> Option<(Access, Handler)> {
    if let Some(tool) = name.strip_prefix(CUSTOM_TOOL_PREFIX) {
        // Every name of the family has a handler: an unknown tool is its error to answer.
        let access = if custom::changes_project(tool) {
            Write
        } else {
            Read
        };
        return Some((access, Handler::Named(CUSTOM_TOOL_PREFIX, custom::invoke)));
    }
    COMMANDS
        .iter()
        .find(|(known, _, _)| *known == name)
        .map(|(_, access, handler)| (*access, *handler))
}

/// The handler of the command `name`, if this plugin implements it.
fn command_handler(name: &str) -> Option<Handler> {
    command(name).map(|(_, handler)| handler)
}

/// Every command name this plugin implements.
fn command_names() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().map(|(name, _, _)| *name)
}

/// A write waits while the editor scans or imports (a short scan often follows our own file
/// writes) and is refused while the game runs.
fn write_admission() -> Admission {
    match editor::readiness() {
        "importing" => Admission::Wait(
            CommandError::new(
                ErrorCode::EditorNotReady,
                "Editor is still importing resources after waiting for the scan to finish — \
                 a long import is running; try again when editor_state says readiness 'ready'",
            )
            .with_data("retryable", true)
            .with_data("state", "importing"),
        ),
        "playing" => Admission::Refuse(
            CommandError::new(
                ErrorCode::EditorNotReady,
                "Editor is in play mode — call project_stop to stop the game, then retry",
            )
            .with_data("retryable", false)
            .with_data("state", "playing"),
        ),
        _ => Admission::Run,
    }
}

/// `UNKNOWN_COMMAND`: godot-ai commands not built yet say so; other names get the closest
/// commands that exist.
fn unknown_command(name: &str) -> CommandError {
    if is_godot_ai_command(name) {
        return CommandError::new(
            ErrorCode::UnknownCommand,
            format!(
                "'{name}' is not supported by godot-ai-native yet. Supported: {}.",
                command_names().collect::<Vec<_>>().join(", ")
            ),
        );
    }
    let similar = closest(name, command_names(), 3);
    let mut error = CommandError::new(
        ErrorCode::UnknownCommand,
        format!("Unknown command: {name}"),
    );
    if !similar.is_empty() {
        error = error.with_data("did_you_mean", similar);
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use godot_ai_protocol::godot_ai_commands::GODOT_AI_COMMANDS;

    #[test]
    fn every_command_godot_ais_servers_send_is_built() {
        let missing: Vec<&str> = GODOT_AI_COMMANDS
            .iter()
            .copied()
            .filter(|name| command(name).is_none() && !godot_ai_clients::commands::handles(name))
            .collect();
        assert!(missing.is_empty(), "not built: {missing:?}");
    }
}
