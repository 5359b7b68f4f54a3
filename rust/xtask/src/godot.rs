//! Finding or installing Godot 4.6, and running it.
//!
//! Order: `$GODOT`, then a `godot` 4.6+ on PATH, then a Debian sid root with Debian's Godot
//! 4.6.3 package, built once with debootstrap into the cache (outside the clone) and reused.
//! Debian's stable release only packages Godot 3, and sid's Godot needs a newer glibc than the
//! host has, so the sid Godot runs inside that root with `chroot`; the repository is
//! bind-mounted at the same absolute path so project paths mean the same inside and out.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::debian_root::{self, SUITE};
use crate::mounts::Mounts;
use crate::paths;
use crate::process::{on_path, output};

/// Packages installed into the root besides Godot's own dependencies.
const EXTRA_PACKAGES: [&str; 2] = ["godot", "ca-certificates"];

/// A virtual display and a software OpenGL driver, for the tests of a GUI (not headless)
/// editor: installed into the root on first use.
const DISPLAY_PACKAGES: [&str; 3] = ["xvfb", "xauth", "libgl1-mesa-dri"];

/// A Godot 4.6 that can be run.
#[derive(Debug, Clone)]
pub enum Godot {
    /// A binary on this system.
    Native(PathBuf),
    /// Debian's Godot inside a root directory, run with chroot.
    Chroot { root: PathBuf },
}

impl Godot {
    /// Finds Godot 4.6+, installing it into the cache when none is available.
    pub fn ensure() -> Result<Godot> {
        if let Some(path) = std::env::var_os("GODOT") {
            let godot = Godot::Native(PathBuf::from(path));
            godot
                .check_version()
                .context("$GODOT does not point to a usable Godot 4.6+")?;
            return Ok(godot);
        }
        if on_path("godot") {
            let godot = Godot::Native(PathBuf::from("godot"));
            match godot.check_version() {
                Ok(()) => return Ok(godot),
                Err(error) => eprintln!("xtask: ignoring the `godot` on PATH: {error:#}"),
            }
        }
        let root = root_dir();
        if !root.join(READY_MARKER).is_file() {
            install_root(&root)?;
        }
        let godot = Godot::Chroot { root };
        godot.check_version()?;
        Ok(godot)
    }

    /// Mounts what this Godot needs to see the repository (none for a native Godot).
    /// The mounts are undone when the returned guard drops.
    pub fn prepare(&self) -> Result<Mounts> {
        match self {
            Godot::Native(_) => Ok(Mounts::none()),
            Godot::Chroot { root } => Mounts::for_chroot(root, &paths::repo_root()),
        }
    }

    /// A command running Godot with `args`, in the current directory.
    pub fn command(&self) -> Command {
        match self {
            Godot::Native(path) => Command::new(path),
            Godot::Chroot { root } => {
                let mut command = Command::new("/usr/sbin/chroot");
                command
                    .arg(root)
                    .args(["/bin/sh", "-c", CHROOT_SHIM, "godot-shim"])
                    .arg(std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")));
                command
            }
        }
    }

    /// Writes an executable script running this Godot with its arguments, for the tests.
    pub fn write_launcher(&self, path: &Path) -> Result<()> {
        let script = match self {
            Godot::Native(binary) => {
                format!(
                    "#!/bin/sh\nexec {} \"$@\"\n",
                    shell_quote(&binary.to_string_lossy())
                )
            }
            Godot::Chroot { root } => format!(
                "#!/bin/sh\n# Runs Debian's Godot inside {root} (see cargo xtask).\n\
                 exec /usr/sbin/chroot {root} /bin/sh -c {shim} godot-shim \"$PWD\" \"$@\"\n",
                root = shell_quote(&root.to_string_lossy()),
                shim = shell_quote(CHROOT_SHIM),
            ),
        };
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(path, script).with_context(|| format!("writing {}", path.display()))?;
        set_mode(path, 0o755)
    }

    /// Writes an executable script running `Xvfb` where this Godot can use it (inside the
    /// root for the Debian Godot, installing it there the first time; the system's for a
    /// native Godot). Returns false when there is none, so GUI tests are skipped. For the
    /// Debian root, call with its mounts in place (apt needs `/proc`).
    pub fn write_xvfb_launcher(&self, path: &Path) -> Result<bool> {
        let script = match self {
            Godot::Native(_) if on_path("Xvfb") => "#!/bin/sh\nexec Xvfb \"$@\"\n".to_owned(),
            Godot::Native(_) => return Ok(false),
            Godot::Chroot { root } => {
                ensure_display_packages(root)?;
                format!(
                    "#!/bin/sh\n# Runs Xvfb inside {root} (see cargo xtask).\n\
                     exec /usr/sbin/chroot {root} Xvfb \"$@\"\n",
                    root = shell_quote(&root.to_string_lossy()),
                )
            }
        };
        fs::write(path, script).with_context(|| format!("writing {}", path.display()))?;
        set_mode(path, 0o755)?;
        Ok(true)
    }

    fn check_version(&self) -> Result<()> {
        let version = self.version()?;
        let mut numbers = version
            .split('.')
            .map(|part| part.parse::<u32>().unwrap_or(0));
        let (major, minor) = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
        if (major, minor) < (4, 6) {
            bail!("Godot {version} is too old: godot-ai-native needs 4.6 or newer");
        }
        Ok(())
    }

    /// The version Godot reports, e.g. `4.6.3.stable.debian...`.
    pub fn version(&self) -> Result<String> {
        let mut command = match self {
            Godot::Native(path) => Command::new(path),
            Godot::Chroot { root } => {
                let mut command = Command::new("/usr/sbin/chroot");
                command.arg(root).arg("godot");
                command
            }
        };
        Ok(output(command.args(["--headless", "--version"]))?
            .trim()
            .to_owned())
    }
}

/// Inside the root: enter the caller's directory when it exists there, then run Godot.
const CHROOT_SHIM: &str = "cd \"$1\" 2>/dev/null || cd /; shift; exec godot \"$@\"";

/// Written into the root once it is complete.
const READY_MARKER: &str = ".godot-ai-native-ready";

fn root_dir() -> PathBuf {
    paths::cache_dir().join("godot-4.6-sid")
}

fn install_root(root: &Path) -> Result<()> {
    if !debian_root::is_root_user() {
        bail!(
            "Godot 4.6 is not installed, and installing it (debootstrap, chroot) needs root.\n\
             Run as root, or set GODOT=/path/to/godot (4.6 or newer)."
        );
    }
    let packages: Vec<&str> = EXTRA_PACKAGES
        .iter()
        .chain(&DISPLAY_PACKAGES)
        .copied()
        .collect();
    debian_root::bootstrap(root, &packages, "Godot 4.6")?;
    let godot = Godot::Chroot {
        root: root.to_path_buf(),
    };
    let version = godot.version()?;
    if !version.starts_with("4.6") {
        bail!("Debian {SUITE} installed Godot {version}, expected 4.6.x");
    }
    fs::write(root.join(DISPLAY_MARKER), DISPLAY_PACKAGES.join(" ") + "\n")?;
    fs::write(root.join(READY_MARKER), format!("{version}\n"))?;
    eprintln!("xtask: Godot {version} is ready");
    Ok(())
}

/// Written into the root once the display packages are in.
const DISPLAY_MARKER: &str = ".godot-ai-native-display";

fn ensure_display_packages(root: &Path) -> Result<()> {
    if root.join(DISPLAY_MARKER).is_file() {
        return Ok(());
    }
    eprintln!(
        "xtask: installing a virtual display (Xvfb, Mesa) into {}",
        root.display()
    );
    debian_root::apt_install(root, &DISPLAY_PACKAGES)
        .context("installing Xvfb and Mesa into the Debian root")?;
    fs::write(root.join(DISPLAY_MARKER), DISPLAY_PACKAGES.join(" ") + "\n")?;
    Ok(())
}

pub fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .with_context(|| format!("chmod {mode:o} {}", path.display()))
}

/// Single-quotes `text` for sh.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
