//! The filesystem domain: files under `res://` and finding things in them (godot-ai's
//! `filesystem_manage`, `script_create`, `script_patch`).
//!
//! This file: text files and scripts under `res://`: read, write, create. Paths are checked with
//! [`resolve_res_path`] (res:// only, no `..`, no symlink out of the project, the same names on
//! every platform). File writes are not undoable and say so; the editor rescans after each
//! write.

pub(crate) mod index;
pub(crate) mod search;

use std::path::PathBuf;

use godot::classes::{EditorInterface, ProjectSettings};
use godot::prelude::*;
use godot_ai_protocol::atomic_file::{self, Visibility};
use godot_ai_protocol::res_path::resolve_res_path;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::json;

use crate::commands::params::{optional_string, required_string};
use crate::commands::reply::into_object;

fn project_root() -> PathBuf {
    PathBuf::from(
        ProjectSettings::singleton()
            .globalize_path("res://")
            .to_string(),
    )
}

pub(in crate::commands) fn checked_path(
    params: &JsonObject,
) -> Result<(String, PathBuf), CommandError> {
    let path = required_string(params, "path")?;
    Ok((path.to_owned(), checked_path_of(path)?))
}

/// The file `path` names, if it is a res:// path inside the project (see [`resolve_res_path`]).
pub(crate) fn checked_path_of(path: &str) -> Result<PathBuf, CommandError> {
    resolve_res_path(path, &project_root())
}

/// Tells the editor's file system that `path` changed, and rescans (so new resources are
/// imported; the editor reports `importing` until the scan ends).
pub(in crate::commands) fn refresh_file(path: &str) {
    if let Some(mut filesystem) = EditorInterface::singleton().get_resource_filesystem() {
        filesystem.update_file(path);
        filesystem.scan();
    }
}

/// Tells the editor's file system that `path` changed, without a full rescan.
pub(in crate::commands) fn note_file(path: &str) {
    if let Some(mut filesystem) = EditorInterface::singleton().get_resource_filesystem() {
        filesystem.update_file(path);
    }
}

/// Largest file `read_file` returns: replies travel as one message (godot-ai's server accepts
/// 4 MiB), and reading happens on the editor's main thread.
const MAX_READ_BYTES: u64 = 2 * 1024 * 1024;

/// `read_file {path}` (also `read_script`): `{path, content, size, line_count}` of a text file.
pub fn read_file(params: &JsonObject) -> CommandResult {
    let (path, file) = checked_path(params)?;
    refuse_folder(&path, &file)?;
    if let Ok(metadata) = std::fs::metadata(&file)
        && metadata.len() > MAX_READ_BYTES
    {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "{path} is {} bytes; read_text returns files up to {MAX_READ_BYTES} bytes",
                metadata.len()
            ),
        ));
    }
    let content = match std::fs::read_to_string(&file) {
        Ok(content) => content,
        Err(error) if error.kind() == std::io::ErrorKind::InvalidData => {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!("{path} is not a UTF-8 text file"),
            ));
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(CommandError::new(
                ErrorCode::ResourceNotFound,
                format!("File not found: {path}"),
            ));
        }
        Err(error) => {
            return Err(CommandError::internal(format!(
                "Failed to open file: {path} ({error})"
            )));
        }
    };
    let line_count = if content.is_empty() {
        0
    } else {
        content.matches('\n').count() + 1
    };
    Ok(into_object(json!({
        "path": path,
        "size": content.chars().count(),
        "line_count": line_count,
        "content": content,
    })))
}

/// `write_file {path, content}`: creates folders, overwrites, rescans.
pub fn write_file(params: &JsonObject) -> CommandResult {
    let (path, file) = checked_path(params)?;
    let content = optional_string(params, "content")?;
    let created = !file.exists();
    write(&path, &file, content)?;
    let mut data = json!({
        "path": path,
        "size": content.chars().count(),
        "undoable": false,
        "reason": "File system operations cannot be undone via editor undo",
    });
    if created {
        data["cleanup"] = json!({"rm": [path]});
    }
    Ok(into_object(data))
}

/// `create_script {path, content}`: a `.gd` file, then a rescan so the editor knows it.
pub fn create_script(params: &JsonObject) -> CommandResult {
    let (path, file) = checked_path(params)?;
    if !path.ends_with(".gd") {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            "Path must end with .gd",
        ));
    }
    let content = optional_string(params, "content")?;
    let created = !file.exists();
    write(&path, &file, content)?;
    // The reply does not wait for the editor's import of the new file: a write right after it
    // may be refused as `importing` (retryable) for a moment.
    let mut data = json!({
        "path": path,
        "size": content.chars().count(),
        "committed": true,
        "import_settled": false,
        "import_settle": "not_waited",
        "overwrote": !created,
        "undoable": false,
        "reason": "File system operations cannot be undone via editor undo",
    });
    if created {
        data["cleanup"] = json!({"rm": [path.as_str(), format!("{path}.uid")]});
    }
    Ok(into_object(data))
}

fn write(path: &str, file: &std::path::Path, content: &str) -> Result<(), CommandError> {
    refuse_folder(path, file)?;
    if let Some(folder) = file.parent() {
        std::fs::create_dir_all(folder).map_err(|error| {
            CommandError::internal(format!("Failed to create directory for {path}: {error}"))
        })?;
    }
    // Replaced all at once (a sibling renamed over it), so a failed write leaves the old file
    // whole (and a loaded library's mapping intact).
    atomic_file::replace(file, content.as_bytes(), Visibility::Shared).map_err(|error| {
        CommandError::internal(format!("Failed to open file for writing: {path} ({error})"))
    })?;
    refresh_file(path);
    Ok(())
}

/// `INVALID_PARAMS` for a file the engine has but cannot load (a broken or foreign file): the
/// caller named it, so the caller can fix or replace it.
pub(crate) fn unloadable(path: &str, what: &str) -> CommandError {
    CommandError::new(
        ErrorCode::InvalidParams,
        format!(
            "The engine could not load {path} as {what}: the file is broken or not a resource \
             it reads (the Output panel has the engine's reason). Fix or rewrite the file, or \
             name another."
        ),
    )
    .with_data("path", path)
}

/// `INVALID_PARAMS` when `file` (named `path`) is a folder where a file is wanted.
fn refuse_folder(path: &str, file: &std::path::Path) -> Result<(), CommandError> {
    if file.is_dir() {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "{path} is a folder; give the path of a file in it (filesystem_manage search \
                 lists them)."
            ),
        )
        .with_data("path", path));
    }
    Ok(())
}

/// Checks a resource path an agent gives for loading (a scene, a script, a resource): a
/// `uid://` reference, or a `res://` path inside the project (see [`resolve_res_path`]).
/// Absolute and `user://` paths are refused: a `@tool` script from elsewhere would run in the
/// editor.
pub(crate) fn checked_resource_path(path: &str) -> Result<(), CommandError> {
    if path.starts_with("uid://") {
        return Ok(());
    }
    checked_path_of(path).map(|_| ())
}

/// `patch_script {path, old_text, new_text, replace_all = false}`: replaces an exact snippet
/// of a `.gd` file. Several matches without `replace_all` are refused, so an edit never lands
/// somewhere the agent did not mean.
pub fn patch_script(params: &JsonObject) -> CommandResult {
    let (path, file) = checked_path(params)?;
    let old_text = match params.get("old_text") {
        None | Some(serde_json::Value::Null) => {
            return Err(CommandError::new(
                ErrorCode::MissingRequiredParam,
                "Missing required param: old_text",
            ));
        }
        Some(_) => optional_string(params, "old_text")?,
    };
    if !params.contains_key("new_text") {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "Missing required param: new_text",
        ));
    }
    let new_text = optional_string(params, "new_text")?;
    let replace_all = crate::commands::params::flag_or(params, "replace_all", false)?;
    if !path.ends_with(".gd") {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            "Path must end with .gd (use filesystem_manage write_text for other text files)",
        ));
    }
    if old_text.is_empty() {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "old_text must not be empty",
        ));
    }
    let content = std::fs::read_to_string(&file).map_err(|error| {
        CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("File not found or unreadable: {path} ({error})"),
        )
    })?;
    let matches = content.matches(old_text).count();
    if matches == 0 {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "old_text not found in {path}; read the script (script_manage read) and copy the exact text"
            ),
        ));
    }
    if matches > 1 && !replace_all {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "old_text matches {matches} times; pass replace_all=true or provide a more \
                 specific snippet"
            ),
        )
        .with_data("matches", matches));
    }
    let patched = if replace_all {
        content.replace(old_text, new_text)
    } else {
        content.replacen(old_text, new_text, 1)
    };
    write(&path, &file, &patched)?;
    Ok(into_object(json!({
        "path": path,
        "replacements": if replace_all { matches } else { 1 },
        "size": patched.chars().count(),
        "old_size": content.chars().count(),
        "undoable": false,
        "reason": "File system operations cannot be undone via editor undo",
    })))
}
