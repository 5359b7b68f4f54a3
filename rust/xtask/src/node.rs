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
    let root = install_pinned(
        "clients",
        "the MCP clients the tests drive",
        "node_modules/.bin/claude",
        |root| {
            // Install scripts (OpenCode's runs its binary) write into HOME: give them one of their own.
            let home = root.join("install-home");
            fs::create_dir_all(&home)?;
            let mut npm = Command::new("npm");
            npm.env("HOME", &home)
                .args(["install", "--no-audit", "--no-fund", "--loglevel=error"]);
            Ok(npm)
        },
    )?;
    Ok(root.join("node_modules/.bin"))
}

/// Installs the pinned MCP conformance suites (`tests/conformance/package.json`: 0.1.16 and
/// 0.2.0-alpha.12, side by side under npm aliases) once per lock file content and returns
/// their `node_modules`. They run on the clients' Node 22 ([`ensure_test_clients`]).
pub fn ensure_conformance_suites() -> Result<PathBuf> {
    let root = install_pinned(
        "conformance",
        "the MCP conformance suites",
        "node_modules",
        |_| {
            let mut npm = Command::new("npm");
            npm.args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
            Ok(npm)
        },
    )?;
    Ok(root.join("node_modules"))
}

/// Installs `tests/<name>/package.json` and its lock file into the cache folder `<name>`, with
/// the command `npm` makes (run there), unless `ready` (a path in that folder) exists and the
/// lock file is the one installed last; returns the cache folder.
fn install_pinned(
    name: &str,
    what: &str,
    ready: &str,
    npm: impl FnOnce(&std::path::Path) -> Result<Command>,
) -> Result<PathBuf> {
    let pinned = paths::repo_root().join("tests").join(name);
    let lock = fs::read_to_string(pinned.join("package-lock.json"))
        .with_context(|| format!("reading tests/{name}/package-lock.json"))?;
    let root = paths::cache_dir().join(name);
    let stamp = root.join("package-lock.installed");
    if root.join(ready).exists() && fs::read_to_string(&stamp).is_ok_and(|done| done == lock) {
        return Ok(root);
    }
    if !process::on_path("npm") {
        bail!("npm is needed to install {what} (on Debian: apt-get install npm)");
    }
    eprintln!(
        "xtask: installing the pinned {} into {}",
        what.trim_start_matches("the "),
        root.display()
    );
    fs::create_dir_all(&root)?;
    for file in ["package.json", "package-lock.json"] {
        fs::copy(pinned.join(file), root.join(file))
            .with_context(|| format!("copying tests/{name}/{file}"))?;
    }
    process::run(npm(&root)?.current_dir(&root))?;
    fs::write(&stamp, lock)?;
    Ok(root)
}
