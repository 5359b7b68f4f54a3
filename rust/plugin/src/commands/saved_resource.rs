//! Saving a resource to a file under `res://` all at once: the engine writes it to a hidden
//! sibling (same folder, same extension, so the same format), which then replaces the file in
//! one rename. A failed save leaves the old file whole, and a file that existed keeps its uid,
//! so what refers to it by uid still finds it.
//!
//! Undo and redo of a change to a saved resource save it again, through
//! [`GodotAiResourceSaver`], an object the undo history can call.

use godot::classes::{
    EditorInterface, EditorUndoRedoManager, Resource, ResourceLoader, ResourceSaver,
};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode};

use crate::commands::editor::is_scanning;
use crate::commands::filesystem::checked_path_of;
use crate::commands::settle::{Pending, Step};
use crate::commands::undo::{Half, undo_redo};

/// Saves `resource` to `path` (a checked `res://` path) atomically; returns whether a file
/// was there before. Tells the editor's file system about the file.
pub(in crate::commands) fn save(resource: &Gd<Resource>, path: &str) -> Result<bool, CommandError> {
    let file = checked_path_of(path)?;
    refuse_unsaveable_extension(resource, path)?;
    let existed = file.exists();
    let folder = file
        .parent()
        .ok_or_else(|| CommandError::internal(format!("{path} has no folder")))?;
    std::fs::create_dir_all(folder).map_err(|error| {
        CommandError::internal(format!("Failed to create the folder of {path}: {error}"))
    })?;
    let name = file
        .file_name()
        .and_then(|name| name.to_str())
        .ok_or_else(|| CommandError::internal(format!("{path} has no file name")))?;
    let (folder_path, _) = path.rsplit_once('/').unwrap_or(("res:/", name));
    let extension = name
        .rsplit_once('.')
        .map_or("tres", |(_, extension)| extension);
    let temp_name = format!(".{name}.{}.saving.{extension}", std::process::id());
    let temp_path = format!("{folder_path}/{temp_name}");
    let temp_file = folder.join(&temp_name);

    let old_uid = if existed {
        ResourceLoader::singleton().get_resource_uid(path)
    } else {
        -1
    };
    let mut saver = ResourceSaver::singleton();
    let saved = saver.save_ex(resource).path(&temp_path).done();
    if saved != godot::global::Error::OK {
        let _ = std::fs::remove_file(&temp_file);
        return Err(CommandError::internal(format!(
            "Failed to save {path}: {saved:?}"
        )));
    }
    if old_uid >= 0 && saver.set_uid(&temp_path, old_uid) != godot::global::Error::OK {
        let _ = std::fs::remove_file(&temp_file);
        return Err(CommandError::internal(format!(
            "Failed to keep the uid of {path} while saving it"
        )));
    }
    std::fs::rename(&temp_file, &file).map_err(|error| {
        let _ = std::fs::remove_file(&temp_file);
        CommandError::internal(format!("Failed to replace {path}: {error}"))
    })?;
    index(path, &temp_path, folder_path);
    Ok(existed)
}

/// `INVALID_PARAMS` when no saver of the engine writes `resource` to a file with `path`'s
/// extension (a texture to `.txt`): the caller chose the name, so the caller is told which
/// extensions work, before anything is written.
fn refuse_unsaveable_extension(resource: &Gd<Resource>, path: &str) -> Result<(), CommandError> {
    let recognized: Vec<String> = ResourceSaver::singleton()
        .get_recognized_extensions(resource)
        .as_slice()
        .iter()
        .map(|extension| extension.to_string().to_ascii_lowercase())
        .collect();
    let extension = path
        .rsplit_once('/')
        .map_or(path, |(_, name)| name)
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase());
    if recognized.is_empty()
        || extension
            .as_ref()
            .is_some_and(|ext| recognized.contains(ext))
    {
        return Ok(());
    }
    let mut choices: Vec<String> = recognized.iter().map(|ext| format!(".{ext}")).collect();
    choices.sort();
    choices.dedup();
    Err(CommandError::new(
        ErrorCode::InvalidParams,
        format!(
            "A {} cannot be saved as {path}: use a file name ending in {}",
            resource.get_class(),
            choices.join(", ")
        ),
    )
    .with_data("path", path))
}

/// Tells the editor's file index about the saved file, and that the hidden sibling is gone
/// (the editor indexes every file the engine saves); a file in a folder the index does not
/// know yet is only found by a scan, which is started (see [`once_indexed`]).
fn index(path: &str, temp_path: &str, folder_path: &str) {
    let Some(mut file_system) = EditorInterface::singleton().get_resource_filesystem() else {
        return;
    };
    file_system.update_file(temp_path);
    // `res://x.tres` splits into `res:/` and `x.tres`.
    let folder_path = if folder_path == "res:/" {
        "res://"
    } else {
        folder_path
    };
    if file_system.get_filesystem_path(folder_path).is_some() {
        file_system.update_file(path);
    } else {
        file_system.scan();
    }
}

/// Answers `result` once the editor's file index has the files the command saved (a scan it
/// started has ended), so the next call (a listing) sees them.
pub(in crate::commands) fn once_indexed(result: CommandResult) -> Step {
    if result.is_err() || !is_scanning() {
        return Step::Done(result);
    }
    let mut result = Some(result);
    Step::Wait(Pending::after_frame(
        "the editor to index the saved file",
        move || {
            if is_scanning() {
                return None;
            }
            result.take()
        },
    ))
}

/// Saves resources for the undo history: its do and undo halves call [`save`](Self::save).
#[derive(GodotClass)]
#[class(base = RefCounted, init, tool)]
pub struct GodotAiResourceSaver {
    base: Base<RefCounted>,
}

#[godot_api]
impl GodotAiResourceSaver {
    /// Saves `resource` to `path` as [`save`] does; a failure is logged (an undo step has no
    /// caller to answer).
    #[func]
    fn save(&self, resource: Gd<Resource>, path: GString) -> bool {
        let path = path.to_string();
        match save(&resource, &path) {
            Ok(_) => true,
            Err(error) => {
                tracing::error!("could not save {path} for undo or redo: {}", error.message);
                false
            }
        }
    }
}

/// Adds "save `resource` to `path`" to one half of the open action.
pub(in crate::commands) fn save_in_action(
    history: &mut Gd<EditorUndoRedoManager>,
    half: Half,
    resource: &Gd<Resource>,
    path: &str,
) {
    let saver = GodotAiResourceSaver::new_gd();
    let args = [resource.to_variant(), path.to_variant()];
    match half {
        // The history keeps a reference to a RefCounted target, so the saver lives as long
        // as the step.
        Half::Do => history.add_do_method(&saver, "save", &args),
        Half::Undo => history.add_undo_method(&saver, "save", &args),
    }
}

/// Opens the undo step of a change to a saved resource file: in the edited scene's history
/// when a scene is open (so Ctrl+Z there, and a failed batch, take it back), else the global
/// one. The scene is not marked unsaved: the change is in the resource's file.
pub(in crate::commands) fn file_change_action(
    name: &str,
) -> Result<Gd<EditorUndoRedoManager>, CommandError> {
    let mut history = undo_redo()?;
    match EditorInterface::singleton().get_edited_scene_root() {
        Some(root) => history
            .create_action_ex(name)
            .custom_context(&root)
            .mark_unsaved(false)
            .done(),
        None => history.create_action_ex(name).mark_unsaved(false).done(),
    }
    Ok(history)
}

/// The resource of class `T` saved at `path` (a checked path): `RESOURCE_NOT_FOUND` "<kind>
/// not found" with `hint` when there is none, `WRONG_TYPE` when it is another class.
pub(in crate::commands) fn load_saved<T: Inherits<Resource> + GodotClass>(
    path: &str,
    kind: &str,
    hint: &str,
) -> Result<Gd<T>, CommandError> {
    let mut loader = ResourceLoader::singleton();
    if !loader.exists(path) {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("{kind} not found: {path}"),
        )
        .with_data("hint", hint));
    }
    loader
        .load(path)
        .and_then(|resource| resource.try_cast::<T>().ok())
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::WrongType,
                format!("Resource at {path} is not a {kind}"),
            )
        })
}
