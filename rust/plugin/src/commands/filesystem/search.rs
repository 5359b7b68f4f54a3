//! Finding things in the project: files by name/type/path, symbols in a script; and
//! reimporting files.

use godot::prelude::*;
use godot_ai_protocol::script_symbols::outline;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::editor::is_scanning;
use crate::commands::filesystem::index::{self, Walk, file_system};
use crate::commands::filesystem::{checked_path_of, read_file};
use crate::commands::params::optional_string;
use crate::commands::reply::{into_object, object};
use crate::commands::settle::{Pending, Step};

/// Most files `search_filesystem` lists, so one call stays quick on a huge project.
const MAX_FILES: usize = 20_000;

/// `search_filesystem {name?, type?, path?}`: files the editor knows, matching every given
/// filter: `name` and `path` are case-insensitive substrings of the file name and the res://
/// path, `type` the exact resource type (e.g. PackedScene, GDScript).
pub fn search_filesystem(params: &JsonObject) -> CommandResult {
    let name = optional_string(params, "name")?.to_lowercase();
    let kind = optional_string(params, "type")?;
    let path = optional_string(params, "path")?.to_lowercase();
    if name.is_empty() && kind.is_empty() && path.is_empty() {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "At least one filter (name, type, path) is required",
        ));
    }
    let root = file_system()?.get_filesystem().ok_or_else(|| {
        CommandError::new(ErrorCode::EditorNotReady, "EditorFileSystem not available")
    })?;
    let mut files = Vec::new();
    let mut truncated = false;
    index::each_file(root, |folder, index| {
        if files.len() >= MAX_FILES {
            truncated = true;
            return Walk::Stop;
        }
        let file_path = folder.get_file_path(index).to_string();
        let file_name = folder.get_file(index).to_string();
        let file_type = folder.get_file_type(index).to_string();
        let matches = (name.is_empty() || file_name.to_lowercase().contains(&name))
            && (kind.is_empty() || file_type == kind)
            && (path.is_empty() || file_path.to_lowercase().contains(&path));
        if matches {
            files.push(json!({"path": file_path, "type": file_type}));
        }
        Walk::Next
    });
    let count = files.len();
    let mut data = Value::Object(object([
        ("files", Value::Array(files)),
        ("count", count.into()),
    ]));
    if truncated {
        data["truncated"] = json!(true);
    }
    Ok(into_object(data))
}

/// `find_symbols {path}`: class name, base, functions, signals and exports of a script.
pub fn find_symbols(params: &JsonObject) -> CommandResult {
    let read = read_file(params)?;
    let source = read.get("content").and_then(Value::as_str).unwrap_or("");
    let found = outline(source);
    Ok(into_object(json!({
        "path": read.get("path"),
        "class_name": found.class_name,
        "extends": found.extends,
        "functions": found.functions,
        "signals": found.signals,
        "exports": found.exports,
        "function_count": found.functions.len(),
        "signal_count": found.signals.len(),
        "export_count": found.exports.len(),
    })))
}

/// `reimport {paths}`: reimports each existing file (updates it in the editor's file system,
/// and runs its importer when it has one). Paths that are invalid or missing are listed in
/// `not_found` with the reason; the others still run.
pub fn reimport(params: &JsonObject) -> Step {
    match start_reimport(params) {
        Ok(started) => started,
        Err(error) => Step::Done(Err(error)),
    }
}

/// Reimports the files that were imported before; a file the editor has not imported yet (new,
/// or written behind its back) is picked up by a scan, and the reply waits until the scan has
/// imported it, so the reply describes files that are imported.
fn start_reimport(params: &JsonObject) -> Result<Step, CommandError> {
    let paths: Vec<String> = match params.get("paths") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map_or_else(|| item.to_string(), str::to_owned)
            })
            .collect(),
        Some(Value::Array(_)) | None | Some(Value::Null) => {
            return Err(CommandError::new(
                ErrorCode::MissingRequiredParam,
                "Missing required param: paths (non-empty array)",
            ));
        }
        Some(other) => {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!("Param 'paths' must be an array of res:// paths, got {other}"),
            ));
        }
    };
    let mut file_system = file_system()?;
    let mut reimported = Vec::new();
    let mut imported = PackedStringArray::new();
    let mut not_found = Vec::new();
    let mut new_files = false;
    for path in paths {
        match checked_path_of(&path) {
            Err(error) => not_found.push(format!("{path} ({})", error.message)),
            Ok(file) if !file.is_file() => not_found.push(format!("{path} (file does not exist)")),
            Ok(file) => {
                file_system.update_file(&path);
                let mut sidecar = file.into_os_string();
                sidecar.push(".import");
                if std::path::Path::new(&sidecar).is_file() {
                    imported.push(&path);
                } else {
                    new_files = true;
                }
                reimported.push(path);
            }
        }
    }
    if !imported.is_empty() {
        file_system.reimport_files(&imported);
    }
    let reply = into_object(json!({
        "reimported_count": reimported.len(),
        "not_found_count": not_found.len(),
        "reimported": reimported,
        "not_found": not_found,
        "undoable": false,
        "reason": "Reimport is a file system operation",
    }));
    if !new_files {
        return Ok(Step::Done(Ok(reply)));
    }
    file_system.scan();
    let mut reply = Some(reply);
    Ok(Step::Wait(Pending::after_frame(
        "the editor to scan and import the new files",
        move || {
            if is_scanning() {
                return None;
            }
            reply.take().map(Ok)
        },
    )))
}

/// `scan_filesystem {}`: a full scan of the project's files (which also registers new
/// `class_name` scripts), answered when it has finished; a scan already running is waited
/// for, not started twice. Not undoable.
pub fn scan_filesystem(_params: &JsonObject) -> Step {
    let mut file_system = match file_system() {
        Ok(file_system) => file_system,
        Err(error) => return Step::Done(Err(error)),
    };
    let was_already_scanning = is_scanning();
    let classes_before = global_class_count();
    if !was_already_scanning {
        file_system.scan();
    }
    Step::Wait(Pending::after_frame(
        "the editor to finish scanning the project's files",
        move || {
            if is_scanning() {
                return None;
            }
            let classes = global_class_count();
            Some(Ok(into_object(json!({
                "scan_completed": true,
                "scan_settle": "settled",
                "was_already_scanning": was_already_scanning,
                "global_class_count": classes,
                "global_classes_registered_delta": classes as i64 - classes_before as i64,
                "undoable": false,
                "reason": "Filesystem scan is an editor operation",
            }))))
        },
    ))
}

/// How many `class_name` scripts the project registers.
fn global_class_count() -> usize {
    godot::classes::ProjectSettings::singleton()
        .get_global_class_list()
        .len()
}
