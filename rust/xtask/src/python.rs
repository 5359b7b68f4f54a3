//! The Python virtualenv the end-to-end tests run in, with pinned dependencies.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

use crate::paths;
use crate::process;

/// The test runner's virtualenv (pytest, the MCP SDK, godot-ai 2.4.2).
pub fn ensure_test_venv() -> Result<PathBuf> {
    ensure_venv("venv", "tests/requirements.txt")
}

/// A separate virtualenv for the godot-ai 3.x server (it cannot share one with 2.4.2).
pub fn ensure_godot_ai_3_venv() -> Result<PathBuf> {
    ensure_venv("venv-godot-ai-3", "tests/requirements-godot-ai-3.txt")
}

/// Creates (once per requirements content) the virtualenv `name` in the cache from the
/// repository file `requirements`, and returns its python.
fn ensure_venv(name: &str, requirements: &str) -> Result<PathBuf> {
    let requirements = paths::repo_root().join(requirements);
    let pinned = fs::read_to_string(&requirements)
        .with_context(|| format!("reading {}", requirements.display()))?;
    let venv = paths::cache_dir().join(name);
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
