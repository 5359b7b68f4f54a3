//! Bind mounts that let the chrooted Godot see `/proc` and the repository, undone on drop.
//!
//! Each run stacks its own mounts and removes exactly those, so two runs at once (an editor
//! from `cargo xtask run` while `cargo xtask test` runs) do not pull the floor from under each
//! other: unmounting removes the topmost mount only.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::process;

/// Mount points made by this process, most recent last.
#[derive(Debug, Default)]
pub struct Mounts {
    points: Vec<PathBuf>,
}

impl Mounts {
    /// Nothing mounted.
    pub fn none() -> Self {
        Self::default()
    }

    /// `/proc` at `<root>/proc`, and `repo` at `<root><repo>`.
    pub fn for_chroot(root: &Path, repo: &Path) -> Result<Self> {
        let mut mounts = Self::for_chroot_proc(root)?;
        let inside = root.join(repo.strip_prefix("/").unwrap_or(repo));
        mounts.bind(repo, &inside)?;
        Ok(mounts)
    }

    /// `/proc` at `<root>/proc` only (what apt and most programs in a root need).
    pub fn for_chroot_proc(root: &Path) -> Result<Self> {
        let mut mounts = Self::none();
        mounts.mount(&["-t", "proc", "proc"], &root.join("proc"))?;
        Ok(mounts)
    }

    /// Makes the directory `source` visible at `point` too (created if missing).
    pub fn bind(&mut self, source: &Path, point: &Path) -> Result<()> {
        fs::create_dir_all(point).with_context(|| format!("creating {}", point.display()))?;
        let source = source.to_string_lossy().into_owned();
        self.mount(&["--bind", &source], point)
    }

    fn mount(&mut self, args: &[&str], point: &Path) -> Result<()> {
        process::run(Command::new("mount").args(args).arg(point))
            .with_context(|| format!("mounting {}", point.display()))?;
        self.points.push(point.to_path_buf());
        Ok(())
    }
}

impl Drop for Mounts {
    fn drop(&mut self) {
        while let Some(point) = self.points.pop() {
            let status = Command::new("umount").arg(&point).status();
            if !status.is_ok_and(|status| status.success()) {
                // A process may still use it (an editor still closing): detach lazily.
                let _ = Command::new("umount").arg("-l").arg(&point).status();
            }
        }
    }
}
