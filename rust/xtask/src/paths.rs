//! Where things live: the repository, the shared cache outside it, build outputs.

use std::path::{Path, PathBuf};

/// The repository root (the workspace holding `rust/xtask`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("xtask lives at <repo>/rust/xtask")
        .to_path_buf()
}

/// A cache outside the clone, reused by every clone and CI run on this machine:
/// `$GODOT_AI_NATIVE_CACHE`, else `$XDG_CACHE_HOME/godot-ai-native`, else
/// `~/.cache/godot-ai-native`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("GODOT_AI_NATIVE_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("/var/cache"));
    base.join("godot-ai-native")
}

/// The cargo target directory (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                repo_root().join(dir)
            }
        })
        .unwrap_or_else(|| repo_root().join("target"))
}

/// Scratch space for the end-to-end tests. Always inside the repository (never under a custom
/// `CARGO_TARGET_DIR`), because the chrooted Godot only sees the repository.
pub fn e2e_dir() -> PathBuf {
    repo_root().join("target/e2e")
}

/// The addon folder users copy into their projects.
pub fn addon_dir() -> PathBuf {
    repo_root().join("addons/godot_ai_native")
}

/// The project the editor opens in `run` and the tests.
pub fn test_project() -> PathBuf {
    repo_root().join("test_project")
}

/// The library file name inside the addon's `bin/` (see the `.gdextension`).
pub const LIBRARY_FILE: &str = "libgodot_ai_native.linux.x86_64.so";
