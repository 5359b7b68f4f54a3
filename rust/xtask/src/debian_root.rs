//! Debian sid roots made with debootstrap and used with chroot: the one Godot runs in, and the
//! one the release libraries are built in. Both live in the cache outside the clone.
//!
//! Provisioning is idempotent and resumable in steps: a root is created under
//! `<name>.partial` and renamed into place only when debootstrap succeeded, and each later step
//! writes a marker holding its recipe, so a step runs again only when its recipe changed or it
//! never finished.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::process::{self, on_path, output};

/// The Debian suite both roots follow: the only one packaging Godot 4.6 and Rust 1.97.
pub const SUITE: &str = "sid";

/// Options every apt call in a root gets. sid's Release file is sometimes past its
/// `Valid-Until` date on a mirror; its signature is still checked.
const APT_OPTIONS: [&str; 2] = ["-o", "Acquire::Check-Valid-Until=false"];

/// Installs debootstrap on the host if it is missing. Call it before building roots on two
/// threads at once: two `apt-get` runs would fight over the host's package lock.
pub fn ensure_debootstrap() -> Result<()> {
    if on_path("debootstrap") || Path::new("/usr/sbin/debootstrap").exists() {
        return Ok(());
    }
    install_on_host(&["debootstrap"], "debootstrap")
}

/// Installs Debian `packages` on the host (one `apt-get` at a time in this process), for
/// `what`. Needs root.
pub fn install_on_host(packages: &[&str], what: &str) -> Result<()> {
    static APT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = APT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if !is_root_user() {
        bail!("{what} is not installed, and installing it needs root. Run as root.");
    }
    process::run(Command::new("apt-get").arg("update").arg("-q"))?;
    process::run(
        Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
    .with_context(|| format!("installing {what}"))
}

/// Creates `root` with `debootstrap --variant=minbase --include=<packages>`, unless it exists.
/// Needs root (the user) and installs debootstrap on the host if it is missing.
pub fn bootstrap(root: &Path, packages: &[&str], what: &str) -> Result<()> {
    if root.is_dir() {
        return Ok(());
    }
    if !is_root_user() {
        bail!(
            "{what} is not installed, and installing it (debootstrap, chroot) needs root.\n\
             Run as root."
        );
    }
    eprintln!(
        "xtask: building a Debian {SUITE} root for {what} in {}",
        root.display()
    );
    ensure_debootstrap()?;
    let partial = PathBuf::from(format!("{}.partial", root.display()));
    if partial.exists() {
        // A previous attempt was interrupted: nothing of ours is mounted in it, start over.
        fs::remove_dir_all(&partial)
            .with_context(|| format!("removing the unfinished {}", partial.display()))?;
    }
    fs::create_dir_all(partial.parent().expect("cache has a parent"))?;
    process::run(
        Command::new("debootstrap")
            .args([
                "--variant=minbase",
                &format!("--include={}", packages.join(",")),
            ])
            .arg(SUITE)
            .arg(&partial),
    )
    .with_context(|| format!("debootstrap could not build the Debian root for {what}"))?;
    fs::rename(&partial, root)?;
    Ok(())
}

/// A command run inside `root` (with chroot).
pub fn chroot(root: &Path) -> Command {
    let mut command = Command::new("/usr/sbin/chroot");
    command.arg(root);
    command
}

/// Installs `packages` (no recommends) into `root`, refreshing the package lists once if the
/// first attempt fails (they may be stale). Call with `/proc` mounted in the root.
pub fn apt_install(root: &Path, packages: &[&str]) -> Result<()> {
    let install = || {
        process::run(
            chroot(root)
                .arg("apt-get")
                .args(APT_OPTIONS)
                .args(["install", "-y", "-q", "--no-install-recommends"])
                .args(packages)
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )
    };
    if install().is_ok() {
        return Ok(());
    }
    apt_update(root)?;
    install().with_context(|| format!("installing {} into {}", packages.join(" "), root.display()))
}

/// Refreshes the package lists of `root`.
pub fn apt_update(root: &Path) -> Result<()> {
    process::run(
        chroot(root)
            .arg("apt-get")
            .args(APT_OPTIONS)
            .args(["update", "-q"]),
    )
}

/// A provisioning step of a root, done once per recipe: `marker` in the root records the
/// recipe of the last successful run.
pub struct Step<'a> {
    pub root: &'a Path,
    pub marker: &'a str,
    pub recipe: String,
}

impl Step<'_> {
    /// Runs `work` unless this recipe already ran to the end, then records it.
    pub fn ensure(&self, work: impl FnOnce() -> Result<()>) -> Result<()> {
        let marker = self.root.join(self.marker);
        if fs::read_to_string(&marker).is_ok_and(|done| done == self.recipe) {
            return Ok(());
        }
        work()?;
        fs::write(&marker, &self.recipe).with_context(|| format!("writing {}", marker.display()))
    }
}

pub fn is_root_user() -> bool {
    output(Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}
