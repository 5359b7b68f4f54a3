//! `res://` paths from agents, checked before any file is touched.
//!
//! A path is accepted when it starts with `res://`, has no `..` component, is not inside the
//! editor's own `.godot/` folder (caches, and the MCP session ids), and, once symlinks in its
//! existing part are resolved (dangling ones included), still lies inside the project folder.
//! Anything else is `INVALID_PARAMS` with a message saying which rule failed.

use std::path::{Component, Path, PathBuf};

use crate::{CommandError, ErrorCode};

/// Checks `path` and returns the file-system path it names inside `project_root`.
pub fn resolve_res_path(path: &str, project_root: &Path) -> Result<PathBuf, CommandError> {
    if path.is_empty() {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "Missing required param: path",
        ));
    }
    let Some(relative) = path.strip_prefix("res://") else {
        return Err(invalid(path, "Path must start with res://"));
    };
    let relative = Path::new(relative);
    if relative
        .components()
        .any(|component| matches!(component, Component::ParentDir))
    {
        return Err(invalid(
            path,
            "Path must not contain '..' (path traversal not allowed)",
        ));
    }
    if relative.is_absolute() {
        return Err(invalid(path, "Path must be relative to res://"));
    }
    if relative.components().next() == Some(Component::Normal(".godot".as_ref())) {
        return Err(invalid(
            path,
            "Path must not be inside res://.godot/ (the editor's internal folder)",
        ));
    }
    let root = project_root
        .canonicalize()
        .map_err(|error| CommandError::internal(format!("Project folder unreadable: {error}")))?;
    let full = root.join(relative);
    // Resolve symlinks in the part that exists; the rest is created under it. A dangling
    // symlink counts as existing: writing through it would create its target.
    let mut existing = full.as_path();
    while std::fs::symlink_metadata(existing).is_err() {
        existing = match existing.parent() {
            Some(parent) => parent,
            None => break,
        };
    }
    let Ok(resolved) = existing.canonicalize() else {
        // Only a dangling symlink exists but cannot be resolved: where it leads is unknown.
        return Err(invalid(
            path,
            "Path must resolve under res:// root (a symlink on it points nowhere)",
        ));
    };
    if !resolved.starts_with(&root) {
        return Err(invalid(
            path,
            "Path must resolve under res:// root (a symlink points outside the project)",
        ));
    }
    Ok(full)
}

fn invalid(path: &str, rule: &str) -> CommandError {
    CommandError::new(ErrorCode::InvalidParams, rule).with_data("path", path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(name: &str) -> PathBuf {
        let root =
            std::env::temp_dir().join(format!("godot-ai-res-path-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("scripts")).unwrap();
        root
    }

    #[test]
    fn res_paths_inside_the_project_resolve_even_when_not_yet_created() {
        let root = project("ok");
        let resolved = resolve_res_path("res://scripts/new/player.gd", &root).unwrap();
        assert_eq!(
            resolved,
            root.canonicalize().unwrap().join("scripts/new/player.gd")
        );
    }

    #[test]
    fn other_schemes_traversal_and_absolute_paths_are_refused() {
        let root = project("refused");
        for (path, rule) in [
            ("user://x.gd", "must start with res://"),
            ("/etc/passwd", "must start with res://"),
            ("res://../outside.gd", "'..'"),
            ("res://scripts/../../x", "'..'"),
            ("res:///etc/passwd", "relative to res://"),
        ] {
            let error = resolve_res_path(path, &root).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidParams, "{path}");
            assert!(error.message.contains(rule), "{path}: {}", error.message);
        }
        assert_eq!(
            resolve_res_path("", &root).unwrap_err().code,
            ErrorCode::MissingRequiredParam
        );
    }

    #[test]
    fn a_symlink_that_escapes_the_project_is_refused() {
        let root = project("symlink");
        let outside = project("symlink-outside");
        std::os::unix::fs::symlink(&outside, root.join("escape")).unwrap();
        let error = resolve_res_path("res://escape/secret.txt", &root).unwrap_err();
        assert!(error.message.contains("outside the project"), "{error}");
        std::os::unix::fs::symlink(root.join("scripts"), root.join("inside")).unwrap();
        assert!(resolve_res_path("res://inside/a.gd", &root).is_ok());
    }

    #[test]
    fn a_dangling_symlink_is_not_written_through() {
        let root = project("dangling");
        let outside = project("dangling-outside");
        std::os::unix::fs::symlink(outside.join("created.txt"), root.join("trap.txt")).unwrap();
        let error = resolve_res_path("res://trap.txt", &root).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidParams);
        std::os::unix::fs::symlink(root.join("nowhere/x"), root.join("broken")).unwrap();
        assert!(resolve_res_path("res://broken", &root).is_err());
    }

    #[test]
    fn the_editors_internal_folder_is_off_limits() {
        let root = project("internal");
        let error =
            resolve_res_path("res://.godot/godot_ai_native/mcp_sessions.json", &root).unwrap_err();
        assert!(error.message.contains(".godot"), "{error}");
        assert!(resolve_res_path("res://x/.godot/y", &root).is_ok());
    }
}
