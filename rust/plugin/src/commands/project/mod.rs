//! The project domain: settings, running the game, autoloads and the input map (godot-ai's
//! `project_run`, `project_manage`, `autoload_manage`, `input_map_manage`).
//!
//! This file: project settings: read any, write and save to project.godot (not undoable: it is saved).

pub(crate) mod autoloads;
pub(crate) mod input_map;
pub(crate) mod setting_paths;
pub(crate) mod settings;

use godot::classes::{EditorInterface, ProjectSettings, ResourceLoader};
use godot::global::type_string;
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::params::{optional_string, required_name, required_string};
use crate::commands::project::setting_paths::check_setting_value;
use crate::commands::project::settings::save_or_restore;
use crate::commands::reply::into_object;
use crate::commands::settle::{Pending, Step};
use crate::variant_json::to_json;

/// `get_project_setting {key}`: `{key, value, type}`.
pub fn get_project_setting(params: &JsonObject) -> CommandResult {
    let key = required_string(params, "key")?;
    let settings = ProjectSettings::singleton();
    if !settings.has_setting(key) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("Setting not found: {key}"),
        ));
    }
    let value = settings.get_setting(key);
    Ok(into_object(json!({
        "key": key,
        "value": to_json(&value),
        "type": type_string(value.get_type().ord() as i64).to_string(),
    })))
}

/// `set_project_setting {key, value}`: sets and saves; `null` erases the setting. An existing
/// setting keeps its type (a whole float for an int setting stays an int; a value that cannot
/// be that type is `WRONG_TYPE`). A value that names a place outside the project (an absolute
/// log path, `res://../x`) is `INVALID_PARAMS` and nothing is set.
pub fn set_project_setting(params: &JsonObject) -> CommandResult {
    let key = required_name(params, "key")?;
    let Some(value) = params.get("value") else {
        return Err(CommandError::missing_param("value"));
    };
    let mut settings = ProjectSettings::singleton();
    let existed = settings.has_setting(key);
    let old = settings.get_setting(key);
    // An existing setting keeps its type (a Vector2 stays a Vector2, never becomes a
    // Dictionary); a new one takes the JSON value's natural type; null erases.
    let target = if existed && !value.is_null() {
        old.get_type()
    } else {
        VariantType::NIL
    };
    let new = crate::json_variant::to_variant(value, target, None)?;
    check_setting_value(key, &new)?;
    settings.set_setting(key, &new);
    save_or_restore(
        key,
        existed.then(|| old.clone()),
        &format!("setting '{key}'"),
    )?;
    Ok(into_object(json!({
        "key": key,
        "value": to_json(&new),
        "old_value": if existed { to_json(&old) } else { Value::Null },
        "type": type_string(new.get_type().ord() as i64).to_string(),
        "undoable": false,
        "reason": "ProjectSettings changes are saved to disk",
    })))
}

const MAIN_SCENE: &str = "application/run/main_scene";

/// `set_main_scene {path}`: the scene the game starts with, checked to be a scene that loads,
/// saved to project.godot (not undoable: it is saved).
pub fn set_main_scene(params: &JsonObject) -> CommandResult {
    let path = required_string(params, "path")?;
    crate::commands::filesystem::checked_resource_path(path)?;
    let mut loader = ResourceLoader::singleton();
    if !loader.exists(path) {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("Scene not found: {path}"),
        ));
    }
    let Some(resource) = loader.load(path) else {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("Failed to load scene (it may be corrupt or have a broken dependency): {path}"),
        ));
    };
    if resource
        .clone()
        .try_cast::<godot::classes::PackedScene>()
        .is_err()
    {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "path must be a PackedScene, got {}: {path}",
                resource.get_class()
            ),
        ));
    }
    let mut settings = ProjectSettings::singleton();
    let old = settings
        .has_setting(MAIN_SCENE)
        .then(|| settings.get_setting(MAIN_SCENE));
    settings.set_setting(MAIN_SCENE, &GString::from(path).to_variant());
    save_or_restore(MAIN_SCENE, old.clone(), "setting the main scene")?;
    Ok(into_object(json!({
        "key": MAIN_SCENE,
        "path": path,
        "old_value": old.as_ref().map_or(Value::Null, to_json),
        "undoable": false,
        "reason": "ProjectSettings changes are saved to disk",
    })))
}

const RUN_MODES: [&str; 3] = ["main", "current", "custom"];

/// `run_project {mode = "main", scene?, autosave = true}`: plays the main scene, the edited
/// scene, or `scene`, from the editor. Not undoable. Answers once the editor says the game
/// runs.
pub fn run_project(params: &JsonObject) -> Step {
    match start_game(params) {
        Ok(reply) => Step::Wait(Pending::after_frame("the game to start", move || {
            EditorInterface::singleton()
                .is_playing_scene()
                .then(|| Ok(reply.clone()))
        })),
        Err(error) => Step::Done(Err(error)),
    }
}

fn start_game(params: &JsonObject) -> Result<JsonObject, CommandError> {
    let mut editor = EditorInterface::singleton();
    if editor.is_playing_scene() {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            "Project is already running; stop it first (project_manage op=stop)",
        ));
    }
    let mode = match optional_string(params, "mode")? {
        "" => "main",
        given => given,
    };
    let scene = optional_string(params, "scene")?;
    let autosave = crate::commands::params::flag_or(params, "autosave", true)?;
    if mode == "custom" && scene.is_empty() {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "Missing required param: scene (required when mode='custom')",
        ));
    }
    if !RUN_MODES.contains(&mode) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("Invalid mode '{mode}' — use 'main', 'current', or 'custom'"),
        ));
    }
    let target = match mode {
        "main" => ProjectSettings::singleton()
            .get_setting("application/run/main_scene")
            .stringify()
            .to_string(),
        "current" => editor
            .get_edited_scene_root()
            .map(|root| root.get_scene_file_path().to_string())
            .unwrap_or_default(),
        _ => scene.to_owned(),
    };
    // The editor would open a dialog for a missing scene, which nobody answers here.
    if target.is_empty() {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            match mode {
                "main" => {
                    "No main scene is set (application/run/main_scene); set it with \
                           project_manage settings_set, or run mode='current'"
                }
                _ => {
                    "No saved scene is being edited: open one (scene_open), or save the edited \
                      scene first (scene_manage save_as)"
                }
            },
        ));
    }
    crate::commands::filesystem::checked_resource_path(&target)?;
    if !ResourceLoader::singleton().exists(&target) {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("Scene not found: {target}"),
        ));
    }
    with_autosave(autosave, || match mode {
        "main" => editor.play_main_scene(),
        "current" => editor.play_current_scene(),
        _ => editor.play_custom_scene(&target),
    });
    Ok(into_object(json!({
        "mode": mode,
        "scene": scene,
        "autosave": autosave,
        "undoable": false,
        "reason": "Play/stop is a runtime action",
    })))
}

const SAVE_BEFORE_RUNNING: &str = "run/auto_save/save_before_running";

/// Runs `play` with the editor's save-before-running setting off when `autosave` is false,
/// restoring the user's value right after.
fn with_autosave(autosave: bool, play: impl FnOnce()) {
    let settings = EditorInterface::singleton().get_editor_settings();
    match settings {
        Some(mut settings) if !autosave && settings.has_setting(SAVE_BEFORE_RUNNING) => {
            let previous = settings.get_setting(SAVE_BEFORE_RUNNING);
            settings.set_setting(SAVE_BEFORE_RUNNING, &false.to_variant());
            play();
            settings.set_setting(SAVE_BEFORE_RUNNING, &previous);
        }
        _ => play(),
    }
}

/// `stop_project {}`: stops the game the editor runs. Never refused by the write gate.
/// Answers once the editor says the game has stopped.
pub fn stop_project(_params: &JsonObject) -> Step {
    let mut editor = EditorInterface::singleton();
    if !editor.is_playing_scene() {
        return Step::Done(Err(CommandError::new(
            ErrorCode::InvalidParams,
            "Project is not running",
        )));
    }
    editor.stop_playing_scene();
    Step::Wait(Pending::after_frame("the game to stop", || {
        let editor = EditorInterface::singleton();
        (!editor.is_playing_scene()).then(|| {
            Ok(into_object(json!({
                "stopped": true,
                "undoable": false,
                "reason": "Play/stop is a runtime action",
                "readiness_after": crate::commands::editor::readiness(),
            })))
        })
    }))
}
