//! The Python virtualenv the end-to-end tests run in, with pinned dependencies.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

use crate::paths;
use crate::process;

/// Creates (once per requirements content) a virtualenv in the cache and returns its python.
pub fn ensure_venv() -> Result<PathBuf> {
    let requirements = paths::repo_root().join("tests/requirements.txt");
    let pinned = fs::read_to_string(&requirements)
        .with_context(|| format!("reading {}", requirements.display()))?;
    let venv = paths::cache_dir().join("venv");
    let python = venv.join("bin/python");
    let stamp = venv.join("requirements.installed");
    if python.is_file() && fs::read_to_string(&stamp).is_ok_and(|done| done == pinned) {
        return Ok(python);
    }
    eprintln!("xtask: preparing the test virtualenv in {}", venv.display());
    if !python.is_file() {
        process::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))
            .context("python3 -m venv failed (on Debian: apt-get install python3-venv)")?;
    }
    process::run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements),
    )?;
    fs::write(&stamp, pinned)?;
    Ok(python)
}
