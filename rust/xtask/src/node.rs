//! The real MCP clients the end-to-end tests drive (Claude Code, Gemini CLI, OpenCode, Codex),
//! pinned by `tests/clients/package.json` (exact versions) and its lock file, installed into
//! the cache with a Node 22 of their own (Claude Code needs it; the machine's Node may be
//! older). `npm install` rather than `npm ci`: OpenCode declares its other platforms' binaries
//! as optional dependencies without versions, which `npm ci` refuses as out of sync.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::paths;
use crate::process;

/// Installs the pinned clients once per lock file content and returns the folder of their
/// programs (`node_modules/.bin`, which also holds the pinned `node`).
pub fn ensure_test_clients() -> Result<PathBuf> {
    let pinned = paths::repo_root().join("tests/clients");
    let lock = fs::read_to_string(pinned.join("package-lock.json"))
        .context("reading tests/clients/package-lock.json")?;
    let root = paths::cache_dir().join("clients");
    let bin = root.join("node_modules/.bin");
    let stamp = root.join("package-lock.installed");
    if bin.join("claude").is_file() && fs::read_to_string(&stamp).is_ok_and(|done| done == lock) {
        return Ok(bin);
    }
    if !process::on_path("npm") {
        bail!(
            "npm is needed to install the MCP clients the tests drive (on Debian: apt-get install npm)"
        );
    }
    eprintln!(
        "xtask: installing the pinned MCP clients into {}",
        root.display()
    );
    fs::create_dir_all(&root)?;
    for file in ["package.json", "package-lock.json"] {
        fs::copy(pinned.join(file), root.join(file))
            .with_context(|| format!("copying tests/clients/{file}"))?;
    }
    // Install scripts (OpenCode's runs its binary) write into HOME: give them one of their own.
    let home = root.join("install-home");
    fs::create_dir_all(&home)?;
    process::run(
        Command::new("npm")
            .current_dir(&root)
            .env("HOME", &home)
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"]),
    )?;
    fs::write(&stamp, lock)?;
    Ok(bin)
}

/// Installs the pinned MCP conformance suites (`tests/conformance/package.json`: 0.1.16 and
/// 0.2.0-alpha.12, side by side under npm aliases) once per lock file content and returns
/// their `node_modules`. They run on the clients' Node 22 ([`ensure_test_clients`]).
pub fn ensure_conformance_suites() -> Result<PathBuf> {
    let pinned = paths::repo_root().join("tests/conformance");
    let lock = fs::read_to_string(pinned.join("package-lock.json"))
        .context("reading tests/conformance/package-lock.json")?;
    let root = paths::cache_dir().join("conformance");
    let modules = root.join("node_modules");
    let stamp = root.join("package-lock.installed");
    if modules.is_dir() && fs::read_to_string(&stamp).is_ok_and(|done| done == lock) {
        return Ok(modules);
    }
    if !process::on_path("npm") {
        bail!(
            "npm is needed to install the MCP conformance suites (on Debian: apt-get install npm)"
        );
    }
    eprintln!(
        "xtask: installing the pinned MCP conformance suites into {}",
        root.display()
    );
    fs::create_dir_all(&root)?;
    for file in ["package.json", "package-lock.json"] {
        fs::copy(pinned.join(file), root.join(file))
            .with_context(|| format!("copying tests/conformance/{file}"))?;
    }
    process::run(Command::new("npm").current_dir(&root).args([
        "ci",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
    ]))?;
    fs::write(&stamp, lock)?;
    Ok(modules)
}
