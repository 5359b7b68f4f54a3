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

/// What is mounted at `point` now (the mounted folder, as `/proc/self/mountinfo` names it),
/// if anything: a build that finds its source folder already mounted is racing another one.
pub fn mounted_at(point: &Path) -> Option<String> {
    let point = fs::canonicalize(point).unwrap_or_else(|_| point.to_path_buf());
    let table = fs::read_to_string("/proc/self/mountinfo").ok()?;
    table.lines().rev().find_map(|line| {
        let mut fields = line.split(' ').skip(3);
        let source = fields.next()?;
        let mounted = fields.next()?;
        (Path::new(mounted) == point).then(|| source.to_owned())
    })
}

/// Detaches whatever is mounted on top at `point` (lazily, so a process still inside it keeps
/// working until it leaves).
pub fn detach(point: &Path) -> Result<()> {
    process::run(Command::new("umount").arg("-l").arg(point))
        .with_context(|| format!("unmounting {}", point.display()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mount_point_is_seen_and_a_plain_folder_is_not() {
        assert!(
            mounted_at(Path::new("/proc")).is_some(),
            "/proc is a mount on Linux"
        );
        let plain = std::env::temp_dir().join(format!("not-a-mount-{}", std::process::id()));
        fs::create_dir_all(&plain).unwrap();
        assert_eq!(mounted_at(&plain), None);
        fs::remove_dir(plain).unwrap();
    }
}
