//! `res://` paths from agents, checked before any file is touched.
//!
//! A path is checked in two steps, and anything refused is `INVALID_PARAMS` with a message
//! naming the rule (and the path as `data.path`):
//!
//! 1. As a string, by the same rules on every platform (see the `lexical` module): `res://` and a relative
//!    path with `/` separators, no `..`, no `\`, `:`, control characters, Windows device
//!    names or trailing dots and spaces, and not inside the editor's own `.godot/` folder
//!    (caches, and the MCP session ids) however its name is cased. No file is touched yet.
//! 2. On the file system: the project folder and the longest existing part of the path are
//!    canonicalised (symlinks resolved, dangling ones included, and on Windows junctions and
//!    8.3 short names too), and the result must still lie inside the project folder, and not
//!    in its `.godot/` folder.
//!
//! Both sides of the comparison in step 2 come from [`std::fs::canonicalize`], so they have
//! the same form on every platform: on Windows both are `\\?\` verbatim paths
//! (`\\?\C:\...`, or `\\?\UNC\server\share\...` for a network project) with the long
//! names and on-disk letter case, on macOS both have `/private` spelled out for `/var` and
//! `/tmp`. [`Path::strip_prefix`] then compares whole components, so `project2` is not inside
//! `project`. The returned path is the canonical project folder with the checked components
//! pushed one by one, which on Windows is again a verbatim path with `\` separators (inside
//! a verbatim path `/` is not a separator, so the components are never joined as one string).

mod lexical;

use std::path::{Component, Path, PathBuf};

use crate::{CommandError, ErrorCode};

use lexical::Rule;

/// Checks `path` and returns the file-system path it names inside `project_root`.
pub fn resolve_res_path(path: &str, project_root: &Path) -> Result<PathBuf, CommandError> {
    if path.is_empty() {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "Missing required param: path",
        ));
    }
    let components = lexical::components(path).map_err(|rule| invalid(path, rule.message()))?;
    let root = project_root
        .canonicalize()
        .map_err(|error| CommandError::internal(format!("Project folder unreadable: {error}")))?;
    let mut full = root.clone();
    for component in components {
        full.push(component);
    }
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
    let Ok(inside) = resolved.strip_prefix(&root) else {
        return Err(invalid(
            path,
            "Path must resolve under res:// root (a symlink points outside the project)",
        ));
    };
    // A link, a junction or a short name (`GODOT~1`) may lead into the editor's folder under
    // another name: what it resolves to is checked like the name itself.
    if let Some(Component::Normal(first)) = inside.components().next()
        && lexical::is_internal_folder(&first.to_string_lossy())
    {
        return Err(invalid(path, Rule::InternalFolder.message()));
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
        let canonical = root.canonicalize().unwrap();
        for (path, expected) in [
            (
                "res://scripts/new/player.gd",
                canonical.join("scripts").join("new").join("player.gd"),
            ),
            (
                "res://ui/Main Menu.tscn",
                canonical.join("ui").join("Main Menu.tscn"),
            ),
            ("res://a//b/", canonical.join("a").join("b")),
            ("res://", canonical.clone()),
        ] {
            assert_eq!(resolve_res_path(path, &root).unwrap(), expected, "{path}");
        }
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
            ("res://a\\..\\..\\x", "'\\'"),
            ("res://C:/x", "':'"),
            ("res://con.txt", "device name"),
            ("res://a. ", "ending in '.' or ' '"),
        ] {
            let error = resolve_res_path(path, &root).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidParams, "{path}");
            assert!(error.message.contains(rule), "{path}: {}", error.message);
            assert_eq!(error.data.as_ref().unwrap()["path"], path, "{path}");
        }
        assert_eq!(
            resolve_res_path("", &root).unwrap_err().code,
            ErrorCode::MissingRequiredParam
        );
    }

    #[test]
    fn the_string_rules_are_applied_before_the_file_system_is_touched() {
        // The project folder does not exist: a file-system check would fail as internal.
        let missing = project("missing").join("not-there");
        let refused = resolve_res_path("res://../x", &missing).unwrap_err();
        assert_eq!(refused.code, ErrorCode::InvalidParams);
        let unreadable = resolve_res_path("res://x.gd", &missing).unwrap_err();
        assert_eq!(unreadable.code, ErrorCode::InternalError);
    }

    #[test]
    fn the_editors_internal_folder_is_off_limits() {
        let root = project("internal");
        std::fs::create_dir_all(root.join(".godot/godot_ai_native")).unwrap();
        for path in [
            "res://.godot/godot_ai_native/mcp_sessions.json",
            "res://.GODOT/godot_ai_native/mcp_sessions.json",
            "res://.godot",
        ] {
            let error = resolve_res_path(path, &root).unwrap_err();
            assert!(
                error
                    .message
                    .starts_with("Path must not be inside res://.godot/"),
                "{path}: {error}"
            );
        }
        assert!(resolve_res_path("res://x/.godot/y", &root).is_ok());
    }

    #[cfg(unix)]
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

    #[cfg(unix)]
    #[test]
    fn a_sibling_folder_sharing_the_projects_name_prefix_is_outside() {
        let root = project("prefix");
        let sibling = PathBuf::from(format!("{}2", root.display()));
        let _ = std::fs::remove_dir_all(&sibling);
        std::fs::create_dir_all(&sibling).unwrap();
        std::os::unix::fs::symlink(&sibling, root.join("next")).unwrap();
        let error = resolve_res_path("res://next/x.gd", &root).unwrap_err();
        assert!(error.message.contains("outside the project"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_symlink_is_not_written_through() {
        let root = project("dangling");
        let outside = project("dangling-outside");
        std::os::unix::fs::symlink(outside.join("created.txt"), root.join("trap.txt")).unwrap();
        let error = resolve_res_path("res://trap.txt", &root).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidParams);
        assert!(
            error.message.contains("resolve under res:// root"),
            "{error}"
        );
        assert!(!outside.join("created.txt").exists());
        std::os::unix::fs::symlink(root.join("nowhere/x"), root.join("broken")).unwrap();
        let error = resolve_res_path("res://broken", &root).unwrap_err();
        assert!(error.message.contains("points nowhere"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_into_the_editors_folder_is_refused_like_its_name() {
        let root = project("alias");
        std::fs::create_dir_all(root.join(".godot/godot_ai_native")).unwrap();
        std::os::unix::fs::symlink(root.join(".godot"), root.join("cache")).unwrap();
        let error = resolve_res_path("res://cache/godot_ai_native/x.json", &root).unwrap_err();
        assert!(
            error
                .message
                .starts_with("Path must not be inside res://.godot/"),
            "{error}"
        );
        std::os::unix::fs::symlink(root.join(".godot/godot_ai_native"), root.join("deep")).unwrap();
        assert!(resolve_res_path("res://deep/new.json", &root).is_err());
    }
}
