//! The root the release libraries are built and checked in: Debian sid with its own Rust 1.97
//! (whose `rust-src` lets cargo build `std` for targets Debian has no prebuilt one for), zig as
//! the cross linker for every target (through `cargo-zigbuild`), LLVM's binary tools, and the
//! programs that load the results: `qemu-aarch64` with Debian's arm64 Godot, and wine.
//!
//! Nothing is fetched with rustup: the toolchain is Debian's, zig comes from PyPI (`ziglang`)
//! and cargo-zigbuild from crates.io, each at an exact version.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::debian_root::{self, Step};
use crate::godot::{set_mode, shell_quote};
use crate::mounts::Mounts;
use crate::paths;
use crate::process;

/// Debian packages of the root. `:arm64` ones come from the foreign architecture added first.
const PACKAGES: [&str; 10] = [
    "rustc",
    "cargo",
    "rust-src",
    "libstd-rust-dev:arm64",
    "llvm",
    "qemu-user",
    "godot:arm64",
    "wine",
    "wine64",
    "python3",
];

/// zig, from PyPI: a static binary with libc headers and import libraries for every target.
const ZIG_VERSION: &str = "0.17.1";

/// cargo-zigbuild drives zig as the linker and C compiler for a cargo target.
const CARGO_ZIGBUILD_VERSION: &str = "0.24.1";

/// Where the repository is mounted inside the root for builds: the same path on every
/// machine, so nothing in a library depends on where the clone lives.
pub const SOURCE_IN_ROOT: &str = "/build/src";

/// Cargo's home and the target directory inside the root (kept between runs).
const CARGO_HOME_IN_ROOT: &str = "/build/cargo-home";
pub const TARGET_IN_ROOT: &str = "/build/target";
const ZIG_IN_ROOT: &str = "/opt/ziglang/ziglang";
const ZIGBUILD_IN_ROOT: &str = "/opt/cargo-zigbuild";
const WINE_PREFIX_IN_ROOT: &str = "/build/wine";

/// The certificate bundle the host trusts, copied into the root before cargo runs, so a
/// machine behind a TLS-inspecting proxy reaches crates.io from inside the root as it does
/// from outside.
const HOST_CA_IN_ROOT: &str = "/etc/ssl/host-ca-certificates.crt";

/// The CoreFoundation functions the library imports (iana-time-zone's, through chrono): a
/// text-based dylib stub as Apple's SDKs ship them. Compatibility version 150 is the one
/// CoreFoundation has kept since Mac OS X 10.0.
const CORE_FOUNDATION_STUB: &str = "--- !tapi-tbd
tbd-version:     4
targets:         [ x86_64-macos, arm64-macos ]
install-name:    '/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation'
current-version: 1
compatibility-version: 150
exports:
  - targets:         [ x86_64-macos, arm64-macos ]
    symbols:         [ _CFRelease, _CFStringGetBytes, _CFStringGetCStringPtr,
                       _CFStringGetLength, _CFTimeZoneCopySystem, _CFTimeZoneGetName,
                       _CFTimeZoneResetSystem ]
...
";

/// The provisioned build root.
pub struct BuildRoot {
    root: PathBuf,
}

impl BuildRoot {
    /// Provisions the root (each step once) and returns it.
    pub fn ensure() -> Result<Self> {
        let root = paths::cache_dir().join("build-sid");
        debian_root::bootstrap(&root, &["ca-certificates"], "the release build root")?;
        let this = Self { root };
        let mounts = Mounts::for_chroot_proc(&this.root)?;
        this.provision()?;
        drop(mounts);
        Ok(this)
    }

    fn provision(&self) -> Result<()> {
        let root = self.root.as_path();
        Step {
            root,
            marker: ".godot-ai-native-packages",
            recipe: format!("arm64\n{}\n", PACKAGES.join("\n")),
        }
        .ensure(|| {
            eprintln!(
                "xtask: installing the cross toolchain into {}",
                root.display()
            );
            process::run(debian_root::chroot(root).args(["dpkg", "--add-architecture", "arm64"]))?;
            debian_root::apt_update(root)?;
            debian_root::apt_install(root, &PACKAGES)
        })?;
        Step {
            root,
            marker: ".godot-ai-native-zig",
            recipe: format!("ziglang=={ZIG_VERSION}\n"),
        }
        .ensure(|| self.install_zig())?;
        Step {
            root,
            marker: ".godot-ai-native-cargo-zigbuild",
            recipe: format!("cargo-zigbuild@{CARGO_ZIGBUILD_VERSION}\n"),
        }
        .ensure(|| {
            eprintln!("xtask: building cargo-zigbuild {CARGO_ZIGBUILD_VERSION} in the build root");
            self.copy_host_certificates()?;
            process::run(
                self.command_in("/")
                    .args(["cargo", "install", "--locked", "--force", "--root"])
                    .arg(ZIGBUILD_IN_ROOT)
                    .arg(format!("cargo-zigbuild@{CARGO_ZIGBUILD_VERSION}")),
            )
        })?;
        self.link_rust_objcopy()
    }

    /// zig's wheel unpacked into the root with the host's pip (the root's Python has none).
    fn install_zig(&self) -> Result<()> {
        eprintln!("xtask: installing zig {ZIG_VERSION} into the build root");
        let target = self.path_of("/opt/ziglang");
        if target.exists() {
            fs::remove_dir_all(&target)?;
        }
        process::run(
            Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .args(["--only-binary", ":all:", "--no-deps", "--target"])
                .arg(&target)
                .arg(format!("ziglang=={ZIG_VERSION}")),
        )
        .context("installing zig from PyPI with the host's python3 -m pip")
    }

    /// rustc strips Apple binaries with `rust-objcopy` from its own tool directory, which
    /// Debian does not ship; LLVM's objcopy is the same program.
    fn link_rust_objcopy(&self) -> Result<()> {
        let tools = self.path_of("/usr/lib/rustlib/x86_64-unknown-linux-gnu/bin");
        let link = tools.join("rust-objcopy");
        if fs::symlink_metadata(&link).is_ok() {
            return Ok(());
        }
        fs::create_dir_all(&tools)?;
        std::os::unix::fs::symlink("/usr/bin/llvm-objcopy", &link)
            .with_context(|| format!("linking {}", link.display()))
    }

    /// Copies the host's CA bundle into the root (see [`HOST_CA_IN_ROOT`]).
    pub fn copy_host_certificates(&self) -> Result<()> {
        let host = std::env::var_os("SSL_CERT_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/etc/ssl/certs/ca-certificates.crt"));
        if host.is_file() {
            fs::copy(&host, self.path_of(HOST_CA_IN_ROOT))
                .with_context(|| format!("copying {} into the build root", host.display()))?;
        }
        Ok(())
    }

    /// Writes the link stubs the target flags point at (see `package::targets`): empty
    /// archives for mingw's `libssp`, and a text stub of macOS's CoreFoundation naming the
    /// functions the library calls, so the linker records them as imports from the real
    /// framework (at its system path, which every macOS has).
    pub fn write_link_stubs(&self) -> Result<()> {
        let windows = self.path_of("/build/stubs/windows-gnu");
        fs::create_dir_all(&windows)?;
        for archive in ["libssp.a", "libssp_nonshared.a"] {
            fs::write(windows.join(archive), b"!<arch>\n")?;
        }
        let framework = self.path_of("/build/stubs/macos/CoreFoundation.framework");
        fs::create_dir_all(&framework)?;
        fs::write(framework.join("CoreFoundation.tbd"), CORE_FOUNDATION_STUB)?;
        Ok(())
    }

    /// `path` inside the root, as seen from the host.
    pub fn path_of(&self, path_in_root: &str) -> PathBuf {
        self.root.join(path_in_root.trim_start_matches('/'))
    }

    pub fn dir(&self) -> &Path {
        &self.root
    }

    /// A command run inside the root with the toolchain's environment: cargo, zig and
    /// cargo-zigbuild on `PATH`, cargo's home and target directory in the root, the host's
    /// certificates, and nothing else of the caller's environment.
    /// The command starts in `dir` (a path inside the root).
    pub fn command_in(&self, dir: &str) -> Command {
        let mut command = debian_root::chroot(&self.root);
        command.env_clear().args(["/usr/bin/env", "-C", dir]);
        command
            .env(
                "PATH",
                format!("{ZIGBUILD_IN_ROOT}/bin:{ZIG_IN_ROOT}:/usr/bin:/bin:/usr/sbin:/sbin"),
            )
            .env("HOME", "/root")
            .env("LANG", "C.UTF-8")
            .env("CARGO_HOME", CARGO_HOME_IN_ROOT)
            .env("CARGO_TARGET_DIR", TARGET_IN_ROOT)
            .env("ZIG_GLOBAL_CACHE_DIR", "/build/zig-cache")
            .env("WINEPREFIX", WINE_PREFIX_IN_ROOT)
            .env("WINEDEBUG", "-all");
        if self.path_of(HOST_CA_IN_ROOT).is_file() {
            command.env("CARGO_HTTP_CAINFO", HOST_CA_IN_ROOT);
        }
        command
    }

    /// Takes the root for one release build: waits while another build holds it, clears
    /// what a killed build left mounted, and mounts `/proc` and the repository at
    /// [`SOURCE_IN_ROOT`]. The root is the build's until the lease is dropped.
    pub fn lease_for_build(&self) -> Result<BuildLease> {
        let lock = BuildLock::acquire(&self.path_of(BUILD_LOCK_IN_ROOT))?;
        let source = self.path_of(SOURCE_IN_ROOT);
        fs::create_dir_all(&source)?;
        // Two builds share the root's cargo target, so only the lock holder may have its tree
        // here. Whatever is mounted now was left by a build that died holding the lock (the
        // kernel let the lock go with the process) and would make this one compile its sources.
        while let Some(stale) = crate::mounts::mounted_at(&source) {
            eprintln!(
                "xtask: {} still has {stale} mounted by a build that was stopped; unmounting it",
                source.display()
            );
            crate::mounts::detach(&source)?;
        }
        let mut mounts = Mounts::for_chroot_proc(&self.root)?;
        mounts.bind(&paths::repo_root(), &source)?;
        Ok(BuildLease {
            _mounts: mounts,
            _lock: lock,
        })
    }
}

/// The lock file that says a release build owns the root (its cargo target and source mount).
const BUILD_LOCK_IN_ROOT: &str = "/build/release-build.lock";

/// A release build's hold on the build root: its mounts, undone before the lock is let go
/// (fields drop in declaration order).
pub struct BuildLease {
    _mounts: Mounts,
    _lock: BuildLock,
}

/// An exclusive `flock` on a file, let go on drop or when the process ends however it ends,
/// so a killed holder never leaves the lock taken.
struct BuildLock {
    _file: fs::File,
}

impl BuildLock {
    /// Takes the lock, waiting (and saying so) while another process holds it.
    fn acquire(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                eprintln!(
                    "xtask: another release build (cargo xtask package, or a full cargo xtask \
                     test) is using the build root; waiting for it to finish"
                );
                file.lock()
                    .with_context(|| format!("waiting for the lock {}", path.display()))?;
            }
            Err(fs::TryLockError::Error(error)) => {
                return Err(error).with_context(|| format!("locking {}", path.display()));
            }
        }
        Ok(Self { _file: file })
    }
}

/// Debian's arm64 Godot in the build root, run by `qemu-aarch64` (no binfmt needed), behind a
/// launcher script that behaves like the x86_64 one: it runs in the caller's directory, with
/// the repository mounted at its own path so project paths mean the same inside and out.
pub struct Arm64Godot {
    launcher: PathBuf,
    _mounts: Mounts,
}

impl Arm64Godot {
    /// Writes the launcher at `launcher` and mounts what it needs, for as long as this lives.
    pub fn prepare(launcher: &Path) -> Result<Self> {
        let root = BuildRoot::ensure()?;
        let mounts = Mounts::for_chroot(root.dir(), &paths::repo_root())?;
        let shim =
            "cd \"$1\" 2>/dev/null || cd /; shift; exec qemu-aarch64 -L / /usr/bin/godot \"$@\"";
        let script = format!(
            "#!/bin/sh\n# Runs Debian's arm64 Godot under qemu inside {root} (see cargo xtask).\n\
             exec /usr/sbin/chroot {root} /bin/sh -c {shim} godot-shim \"$PWD\" \"$@\"\n",
            root = shell_quote(&root.dir().to_string_lossy()),
            shim = shell_quote(shim),
        );
        if let Some(dir) = launcher.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(launcher, script).with_context(|| format!("writing {}", launcher.display()))?;
        set_mode(launcher, 0o755)?;
        Ok(Self {
            launcher: launcher.to_path_buf(),
            _mounts: mounts,
        })
    }

    pub fn launcher(&self) -> &Path {
        &self.launcher
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_lock_is_held_until_it_is_dropped() {
        let path = std::env::temp_dir().join(format!("build-lock-{}", std::process::id()));
        let held = BuildLock::acquire(&path).unwrap();
        let other = fs::OpenOptions::new().write(true).open(&path).unwrap();
        assert!(
            matches!(other.try_lock(), Err(fs::TryLockError::WouldBlock)),
            "a second build must see the root taken"
        );
        drop(held);
        other
            .try_lock()
            .expect("the lock is free once its holder is gone");
        fs::remove_file(path).unwrap();
    }
}
