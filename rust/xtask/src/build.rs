//! Building the extension and installing it into the addon (and the test project).

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::paths::{self, LIBRARY_FILE};
use crate::process;

/// Cargo profile to build the extension with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Dev,
    Release,
}

impl Profile {
    fn output_dir(self) -> &'static str {
        match self {
            Profile::Dev => "debug",
            Profile::Release => "release",
        }
    }
}

/// Builds the GDExtension, puts it into `addons/godot_ai_native/bin/`, and copies the addon
/// into `test_project/addons/`.
pub fn build_and_install(profile: Profile) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .current_dir(paths::repo_root())
        .args(["build", "--package", "godot-ai-native"]);
    if profile == Profile::Release {
        command.arg("--release");
    }
    process::run(&mut command).context("building the extension failed")?;

    let built = paths::target_dir()
        .join(profile.output_dir())
        .join("libgodot_ai_native.so");
    let installed = paths::addon_dir().join("bin").join(LIBRARY_FILE);
    replace_atomically(&built, &installed)?;
    sync_addon_into_test_project()
}

/// Copies `from` over `to` through a temporary file and a rename, so a running editor that
/// has the old library mapped never sees a half-written file.
fn replace_atomically(from: &Path, to: &Path) -> Result<()> {
    let dir = to.parent().expect("library path has a parent");
    fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(".{LIBRARY_FILE}.partial"));
    fs::copy(from, &temporary)
        .with_context(|| format!("copying {} (was it built?)", from.display()))?;
    fs::rename(&temporary, to).with_context(|| format!("installing {}", to.display()))?;
    Ok(())
}

/// Copies the files of `from` into `to`, and its folders recursively (at the addon's top,
/// `bin/` is skipped: the library is copied on its own).
fn copy_files(from: &Path, to: &Path, top: bool) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if entry.file_type()?.is_dir() {
            if !(top && name == "bin") {
                copy_files(&entry.path(), &to.join(&name), false)?;
            }
            continue;
        }
        fs::copy(entry.path(), to.join(&name))
            .with_context(|| format!("copying {}", entry.path().display()))?;
    }
    Ok(())
}

/// `test_project/addons/godot_ai_native` is a copy of the addon, refreshed on every build
/// (git ignores it), exactly what a user gets by copying the folder into a project.
fn sync_addon_into_test_project() -> Result<()> {
    let target = paths::test_project().join("addons/godot_ai_native");
    copy_addon(&paths::addon_dir(), &target)
}

/// Copies the addon folder `from` to `to` (its subfolders too), replacing the library
/// atomically; `bin/` gets only the library.
pub fn copy_addon(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to.join("bin"))?;
    copy_files(from, to, true)?;
    replace_atomically(
        &from.join("bin").join(LIBRARY_FILE),
        &to.join("bin").join(LIBRARY_FILE),
    )
}
