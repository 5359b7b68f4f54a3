//! Text files and scripts under `res://`: read, write, create. Paths are checked with
//! [`resolve_res_path`] (res:// only, no `..`, no symlink out of the project). File writes are
//! not undoable and say so; the editor rescans after each write.

use std::path::PathBuf;

use godot::classes::{EditorInterface, ProjectSettings};
use godot::prelude::*;
use godot_ai_protocol::res_path::resolve_res_path;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::json;

use super::editor::into_object;
use super::params::{optional_string, required_string};

fn project_root() -> PathBuf {
    PathBuf::from(
        ProjectSettings::singleton()
            .globalize_path("res://")
            .to_string(),
    )
}

fn checked_path(params: &JsonObject) -> Result<(String, PathBuf), CommandError> {
    let path = required_string(params, "path")?;
    Ok((path.to_owned(), resolve_res_path(path, &project_root())?))
}

/// `read_file {path}` (also `read_script`): `{path, content, size, line_count}`.
pub fn read_file(params: &JsonObject) -> CommandResult {
    let (path, file) = checked_path(params)?;
    let content = match std::fs::read_to_string(&file) {
        Ok(content) => content,
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
    write(&path, &file, content)?;
    Ok(into_object(json!({
        "path": path,
        "size": content.chars().count(),
        "committed": true,
        "undoable": false,
        "reason": "File system operations cannot be undone via editor undo",
    })))
}

fn write(path: &str, file: &std::path::Path, content: &str) -> Result<(), CommandError> {
    if let Some(folder) = file.parent() {
        std::fs::create_dir_all(folder).map_err(|error| {
            CommandError::internal(format!("Failed to create directory for {path}: {error}"))
        })?;
    }
    std::fs::write(file, content).map_err(|error| {
        CommandError::internal(format!("Failed to open file for writing: {path} ({error})"))
    })?;
    if let Some(mut filesystem) = EditorInterface::singleton().get_resource_filesystem() {
        filesystem.update_file(path);
        filesystem.scan();
    }
    Ok(())
}
