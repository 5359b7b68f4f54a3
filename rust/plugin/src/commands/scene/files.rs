//! Scene files: open, save, save as, create, and the list of open scenes. None of these is
//! undoable (they touch files or switch tabs); replies say so.

use godot::classes::{EditorInterface, PackedScene, ResourceSaver, ResourceUid};
use godot::global::Error;
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::json;

use crate::commands::filesystem::{checked_path_of, note_file};
use crate::commands::node::edit::instantiate_class;
use crate::commands::params::{flag_or, optional_string, required_string};
use crate::commands::reply::into_object;
use crate::commands::scene::guard::edited_root;
use crate::commands::settle::{Pending, Settle, Step, current_frame};

/// `open_scene {path}`: opens (or switches to) a scene in the editor. Not undoable. Answers
/// once the scene is the edited one and the editor has finished switching.
///
/// With `force_reload` on the scene already open, the editor reads it again from disk (its
/// unsaved edits are dropped) and the answer comes once the new copy is the edited scene.
pub fn open_scene(params: &JsonObject) -> Step {
    let force_reload = match flag_or(params, "force_reload", false) {
        Ok(flag) => flag,
        Err(error) => return Step::Done(Err(error)),
    };
    match checked_scene_to_open(params) {
        Ok((path, file_path)) => {
            let reload = force_reload && edited_scene_path().as_deref() == Some(file_path.as_str());
            let reply = into_object(json!({
                "path": path,
                "force_reload": force_reload,
                "reloaded_from_disk": reload,
                "undoable": false,
                "reason": "Scene navigation cannot be undone via editor undo",
            }));
            if reload {
                reload_from_disk(file_path, reply)
            } else {
                switch_to(file_path, reply)
            }
        }
        Err(error) => Step::Done(Err(error)),
    }
}

/// Reloads the edited scene at `path` from its file and waits until the new copy is edited.
fn reload_from_disk(path: String, reply: JsonObject) -> Step {
    let before = EditorInterface::singleton()
        .get_edited_scene_root()
        .map(|root| root.instance_id());
    EditorInterface::singleton().reload_scene_from_path(&path);
    Step::Wait(Pending::new(SceneReload {
        path,
        before,
        reply: Some(reply),
    }))
}

/// A reload in progress: done when the edited scene is that file again, in a new instance.
struct SceneReload {
    path: String,
    before: Option<InstanceId>,
    reply: Option<JsonObject>,
}

impl Settle for SceneReload {
    fn poll(&mut self) -> Option<CommandResult> {
        let root = EditorInterface::singleton().get_edited_scene_root()?;
        let reloaded = root.get_scene_file_path().to_string() == self.path
            && Some(root.instance_id()) != self.before;
        if reloaded {
            self.reply.take().map(Ok)
        } else {
            None
        }
    }

    fn waiting_for(&self) -> String {
        format!("the editor to reload {} from disk", self.path)
    }
}

/// The scene path as given, and as the editor names the scene's file (a `uid://` resolved, the
/// path simplified), which is what the edited scene reports once it is open.
fn checked_scene_to_open(params: &JsonObject) -> Result<(&str, String), CommandError> {
    let path = required_string(params, "path")?;
    crate::commands::filesystem::checked_resource_path(path)?;
    let mut loader = godot::classes::ResourceLoader::singleton();
    if !loader.exists(path) {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("Scene not found: {path}"),
        ));
    }
    if !loader.exists_ex(path).type_hint("PackedScene").done() {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!("{path} is not a scene (.tscn or .scn)"),
        ));
    }
    // The editor answers an imported scene (a .glb, .fbx ...) with a dialog offering a new
    // inherited scene, which nobody answers here.
    let file_path = ResourceUid::ensure_path(path).simplify_path().to_string();
    crate::commands::filesystem::checked_resource_path(&file_path)?;
    let imported = file_path.starts_with("res://")
        && checked_path_of(&file_path).is_ok_and(|file| {
            let mut sidecar = file.into_os_string();
            sidecar.push(".import");
            std::path::Path::new(&sidecar).is_file()
        });
    if imported {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "{path} is an imported scene, which the editor does not open for editing; \
                 instance it in a scene instead (node_create with scene_path)"
            ),
        ));
    }
    Ok((path, file_path))
}

/// Asks the editor to edit the scene at `path` and waits until it does, answering `reply`.
fn switch_to(path: String, reply: JsonObject) -> Step {
    if edited_scene_path().as_deref() == Some(path.as_str()) {
        return Step::Done(Ok(reply));
    }
    EditorInterface::singleton().open_scene_from_path(&path);
    Step::Wait(Pending::new(SceneSwitch {
        path,
        reply: Some(reply),
        asked_on_frame: current_frame(),
        asks_left: SCENE_SWITCH_ASKS,
    }))
}

/// How many times a scene switch is asked for: the editor silently ignores a request made
/// while it is still finishing another switch, so a switch not seen on the next frame is asked
/// for again (a few times, never in a loop that could reopen a failing scene's dialog forever).
const SCENE_SWITCH_ASKS: u32 = 3;

/// A scene switch in progress.
///
/// The editor switches tabs at once but finishes in a deferred call, and until that call has
/// run it ignores `open_scene_from_path`; so the switch is done when the scene is the edited
/// one on a frame after the request was made (the deferred call ran in between).
struct SceneSwitch {
    path: String,
    reply: Option<JsonObject>,
    asked_on_frame: u64,
    asks_left: u32,
}

impl Settle for SceneSwitch {
    fn poll(&mut self) -> Option<CommandResult> {
        if current_frame() <= self.asked_on_frame {
            return None;
        }
        if edited_scene_path().as_deref() == Some(self.path.as_str()) {
            return self.reply.take().map(Ok);
        }
        if self.asks_left > 1 {
            self.asks_left -= 1;
            EditorInterface::singleton().open_scene_from_path(&self.path);
            self.asked_on_frame = current_frame();
        }
        None
    }

    fn waiting_for(&self) -> String {
        format!(
            "the editor to switch to {} (it is editing {})",
            self.path,
            edited_scene_path().unwrap_or_else(|| "no scene".to_owned())
        )
    }
}

/// The file of the scene the editor edits, if any.
fn edited_scene_path() -> Option<String> {
    EditorInterface::singleton()
        .get_edited_scene_root()
        .map(|root| root.get_scene_file_path().to_string())
}

/// `save_scene {}`: saves the edited scene to its file. Not undoable.
pub fn save_scene(params: &JsonObject) -> CommandResult {
    let root = edited_root(params)?;
    let path = root.get_scene_file_path().to_string();
    if path.is_empty() {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            "Current scene has never been saved; call scene_manage(op='save_as') with a res://... \
             path ending in .tscn or .scn.",
        ));
    }
    let file = checked_path_of(&path).map_err(|why| {
        CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "The edited scene's file path ({path}) is not a scene file inside the project: \
                 {} Save it under a res:// path with scene_manage (op save_as).",
                why.message
            ),
        )
    })?;
    let before = modified(&file);
    let asked = std::time::SystemTime::now();
    let result = EditorInterface::singleton().save_scene();
    if result != godot::global::Error::OK {
        return Err(CommandError::internal(format!(
            "Failed to save scene: {result:?}"
        )));
    }
    // The editor reports a failed write in a dialog, not in its return value.
    // Where the file system keeps coarse times (FAT: 2 s), a file written just before may
    // show the same time after a good save: only an older time proves nothing was written.
    let after = modified(&file);
    let proves_nothing_written = match (before, after) {
        (_, None) => true,
        (Some(before), Some(after)) => {
            after == before
                && asked
                    .duration_since(before)
                    .is_ok_and(|age| age > COARSEST_FILE_TIME)
        }
        (None, Some(_)) => false,
    };
    if proves_nothing_written {
        return Err(CommandError::internal(format!(
            "The editor did not write {path}: the file is unchanged. Check that the file and \
             its folder are writable; the Output panel has the editor's reason."
        ))
        .with_data("path", path));
    }
    Ok(into_object(json!({
        "path": path,
        "undoable": false,
        "reason": "File save cannot be undone via editor undo",
    })))
}

/// The coarsest modification-time step of a file system a project may live on (FAT's 2 s).
const COARSEST_FILE_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// When `file` was last written, if it exists.
fn modified(file: &std::path::Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(file)
        .and_then(|meta| meta.modified())
        .ok()
}

/// `get_open_scenes {}`.
pub fn get_open_scenes(_params: &JsonObject) -> CommandResult {
    let editor = EditorInterface::singleton();
    let scenes: Vec<String> = editor
        .get_open_scenes()
        .as_slice()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let current = editor
        .get_edited_scene_root()
        .map(|root| root.get_scene_file_path().to_string())
        .unwrap_or_default();
    let count = scenes.len();
    Ok(into_object(
        json!({"scenes": scenes, "current_scene": current, "count": count}),
    ))
}

/// A scene path as given, with `.tscn` added when it names no scene format. Checked like every
/// file path (res:// only, no `..`, no symlink escape).
fn scene_file_path(params: &JsonObject) -> Result<(String, std::path::PathBuf), CommandError> {
    let mut path = required_string(params, "path")?.to_owned();
    if !(path.ends_with(".tscn") || path.ends_with(".scn")) {
        path.push_str(".tscn");
    }
    let file = checked_path_of(&path)?;
    Ok((path, file))
}

fn create_folder(path: &str, file: &std::path::Path) -> Result<(), CommandError> {
    match file.parent() {
        Some(folder) => std::fs::create_dir_all(folder).map_err(|error| {
            CommandError::internal(format!("Failed to create directory for {path}: {error}"))
        }),
        None => Ok(()),
    }
}

/// `INVALID_PARAMS` when `file` exists and the call did not pass `overwrite: true`: an agent
/// never replaces a scene it did not mean to (the editor's own Save As asks first, too).
fn keep_existing(
    path: &str,
    file: &std::path::Path,
    params: &JsonObject,
    replacing: &str,
) -> Result<(), CommandError> {
    let overwrite = crate::commands::params::flag_or(params, "overwrite", false)?;
    if file.exists() && !overwrite {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "Scene already exists: {path}. Open it with scene_open, choose another path, or \
                 pass overwrite=true to {replacing}."
            ),
        )
        .with_data("path", path));
    }
    Ok(())
}

/// `save_scene_as {path, overwrite = false}`: saves the edited scene under a new file, which it
/// then edits. Another existing file is kept unless `overwrite` is true.
pub fn save_scene_as(params: &JsonObject) -> CommandResult {
    let (path, file) = scene_file_path(params)?;
    let root = edited_root(&JsonObject::new())?;
    let overwrote = file.exists();
    if root.get_scene_file_path() != path.as_str() {
        keep_existing(&path, &file, params, "save the edited scene over it")?;
    }
    create_folder(&path, &file)?;
    EditorInterface::singleton()
        .save_scene_as_ex(&path)
        .with_preview(false)
        .done();
    if !file.exists() || root.get_scene_file_path() != path.as_str() {
        return Err(CommandError::internal(format!(
            "The editor did not save the scene to {path}; check the Output panel for why"
        )));
    }
    Ok(into_object(json!({
        "path": path,
        "overwrote": overwrote,
        "undoable": false,
        "reason": "File save cannot be undone via editor undo",
    })))
}

/// `create_scene {path, root_type = "Node3D", root_name?, overwrite = false}`: writes a scene
/// holding one root node and opens it (answering once it is the edited scene). An existing
/// file is kept unless `overwrite` is true.
pub fn create_scene(params: &JsonObject) -> Step {
    match write_new_scene(params) {
        Ok(step) => step,
        Err(error) => Step::Done(Err(error)),
    }
}

fn write_new_scene(params: &JsonObject) -> Result<Step, CommandError> {
    let (path, file) = scene_file_path(params)?;
    let root_type = match optional_string(params, "root_type")? {
        "" => "Node3D",
        given => given,
    };
    let root_name = match crate::commands::params::optional_name(params, "root_name")? {
        "" => file
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Root".to_owned()),
        given => given.to_owned(),
    };
    keep_existing(&path, &file, params, "replace it with an empty scene")?;
    let mut root = instantiate_class(root_type)?;
    root.set_name(&root_name);
    let saved = pack_and_save(&root, &path, &file);
    root.free();
    saved?;
    note_file(&path);
    let reply = into_object(json!({
        "path": path,
        "root_type": root_type,
        "root_name": root_name,
        "undoable": false,
        "reason": "Scene creation involves file system operations",
    }));
    Ok(switch_to(path, reply))
}

fn pack_and_save(root: &Gd<Node>, path: &str, file: &std::path::Path) -> Result<(), CommandError> {
    create_folder(path, file)?;
    let mut scene = PackedScene::new_gd();
    let packed = scene.pack(root);
    if packed != Error::OK {
        return Err(CommandError::internal(format!(
            "Failed to pack the new scene: {packed:?}"
        )));
    }
    let saved = ResourceSaver::singleton().save_ex(&scene).path(path).done();
    if saved != Error::OK {
        return Err(CommandError::internal(format!(
            "Failed to save scene: {saved:?}"
        )));
    }
    Ok(())
}
