//! `cargo xtask package`: the release zip, for every platform, built on this machine.
//!
//! Two builds of it: [`Build::Release`], the optimised, stripped libraries a user installs
//! (`cargo xtask package`), and [`Build::Checked`], the same libraries compiled without
//! optimisation, which `cargo xtask test` builds, checks, loads and installs on every run (see
//! [`Build`]). Every library is built inside the build root (see [`crate::build_root`]) from the
//! repository mounted at a fixed path, with Debian's Rust and zig as the linker; each is then
//! checked from its file (format, architecture, entry symbol, system-only imports), the
//! Windows x86_64 DLL is loaded with wine, and the zip is written deterministically: the same
//! commit gives the same bytes.

pub mod inspect;
pub mod targets;
mod zip;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};

use crate::build_root::{BuildRoot, SOURCE_IN_ROOT, TARGET_IN_ROOT};
use crate::paths;
use crate::process;
use targets::{Format, LIBRARIES, Library, Slice};

/// Which libraries the zip carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// The release: optimised, link-time optimised, stripped (cargo profile `dist`).
    Release,
    /// What the test suite builds on every run: the same sources, targets, linkers, link
    /// arguments, checks and zip, compiled without optimisation or LTO (cargo profile
    /// `package-check`), so a cold build takes minutes instead of an hour and a change to the
    /// plugin rebuilds in about a minute per platform.
    Checked,
}

impl Build {
    /// The cargo profile the libraries are built with.
    fn profile(self) -> &'static str {
        match self {
            Build::Release => "dist",
            Build::Checked => "package-check",
        }
    }

    /// Where the zip and its staged libraries go: one folder per build, so a test run never
    /// overwrites a release zip.
    fn dir(self) -> PathBuf {
        paths::target_dir().join(match self {
            Build::Release => "package",
            Build::Checked => "package-check",
        })
    }
}

/// The version of every part: the workspace's, which `plugin.cfg` must repeat.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Files of the addon folder that go into the zip as they are committed (the libraries aside;
/// `tests/test_package.py` checks that no file of the folder is missing here).
///
/// `runtime/draw_recipe.gd` ships with its `.uid`, so scenes that use it name the same UID in
/// every project.
const ADDON_FILES: [&str; 6] = [
    "godot_ai_native.gdextension",
    "plugin.cfg",
    "plugin.gd",
    "README.md",
    "runtime/draw_recipe.gd",
    "runtime/draw_recipe.gd.uid",
];

/// Builds every library, checks them, and writes the zip. Returns its path. `background`:
/// the compilers run at the lowest CPU priority, so tests running meanwhile keep theirs.
pub fn build_package(build: Build, background: bool) -> Result<PathBuf> {
    check_plugin_cfg_version()?;
    let gdextension = paths::addon_dir().join("godot_ai_native.gdextension");
    targets::check_gdextension(&fs::read_to_string(&gdextension)?)
        .with_context(|| format!("checking {}", gdextension.display()))?;
    let root = BuildRoot::ensure()?;
    let _lease = root.lease_for_build()?;
    root.copy_host_certificates()?;
    root.write_link_stubs()?;

    let staging = build.dir().join("libraries");
    fs::create_dir_all(&staging)?;
    for library in &LIBRARIES {
        let started = Instant::now();
        eprintln!(
            "xtask: building {} (profile {})",
            library.file,
            build.profile()
        );
        let built = build_library(&root, library, build.profile(), background)?;
        let data = fs::read(&built).with_context(|| format!("reading {}", built.display()))?;
        let findings = inspect::check(library, &data)?;
        eprintln!(
            "xtask:   {}: {} (built in {:.0} s)",
            library.file,
            findings.summary,
            started.elapsed().as_secs_f64()
        );
        fs::write(staging.join(library.file), &data)?;
    }
    load_windows_dll_with_wine(&root, &staging)?;

    let zip = build.dir().join(format!("godot-ai-native-{VERSION}.zip"));
    write_zip(&zip, &staging)?;
    eprintln!("xtask: wrote {}", zip.display());
    Ok(zip)
}

/// Builds `library` (each slice, merged when universal) and returns the host path of the file.
fn build_library(
    root: &BuildRoot,
    library: &Library,
    profile: &str,
    background: bool,
) -> Result<PathBuf> {
    let mut slices = Vec::new();
    for slice in library.slices {
        slices.push(build_slice(root, slice, profile, background)?);
    }
    if library.format != Format::MachOUniversal {
        return Ok(root.path_of(&slices[0]));
    }
    let merged = format!("{TARGET_IN_ROOT}/universal/{profile}/{}", library.file);
    fs::create_dir_all(root.path_of(&format!("{TARGET_IN_ROOT}/universal/{profile}")))?;
    process::run(
        root.command_in("/")
            .args(["llvm-lipo", "-create"])
            .args(&slices)
            .args(["-output", &merged]),
    )
    .context("merging the macOS slices with llvm-lipo")?;
    Ok(root.path_of(&merged))
}

/// Builds one slice; returns the library's path inside the root.
fn build_slice(root: &BuildRoot, slice: &Slice, profile: &str, background: bool) -> Result<String> {
    // The slices that build `std` share one target directory, so the host programs they need
    // (the proc macros, gdext's code generator) are built once for all four. The Linux slices
    // each keep one of their own: host programs built for a slice without `-Zbuild-std` differ
    // from those built beside it, so sharing would rebuild them (and everything that uses
    // them) at every switch; and cargo-zigbuild configures the linker of the slice's triple,
    // which for x86_64 Linux is also the host's.
    let target_dir = if slice.build_std {
        format!("{TARGET_IN_ROOT}/cross-std")
    } else {
        format!("{TARGET_IN_ROOT}/{}", slice.triple)
    };
    let mut command = root.command_in(SOURCE_IN_ROOT);
    command.env("CARGO_TARGET_DIR", &target_dir);
    // A PE file carries its link time in its header; zig's linker (which rejects mingw's
    // `--no-insert-timestamp`) writes this instead, so rebuilds of a commit stay identical.
    command.env("SOURCE_DATE_EPOCH", "0");
    if background {
        command.args(["nice", "-n", "19"]);
    }
    // `cargo-zigbuild rustc` rather than `cargo zigbuild`: only rustc passes link arguments
    // to the final crate alone (see `Slice::link_args`).
    command.args([
        "cargo-zigbuild",
        "rustc",
        "--locked",
        "--package",
        "godot-ai-native",
        "--profile",
        profile,
        "--target",
        slice.zig_target,
    ]);
    if slice.build_std {
        // Debian ships std for Linux targets only; cargo builds it for the others from
        // Debian's rust-src, which needs nightly features on a stable compiler.
        command
            .arg("-Zbuild-std=std,panic_unwind")
            .env("RUSTC_BOOTSTRAP", "1");
    }
    if !slice.rustflags.is_empty() {
        let variable = format!(
            "CARGO_TARGET_{}_RUSTFLAGS",
            slice.triple.to_uppercase().replace('-', "_")
        );
        command.env(variable, slice.rustflags.join(" "));
    }
    if let Some(minimum) = slice.macos_minimum {
        command.env("MACOSX_DEPLOYMENT_TARGET", minimum);
    }
    if !slice.link_args.is_empty() {
        command.arg("--");
        for arg in slice.link_args {
            command.arg(format!("-Clink-arg={arg}"));
        }
    }
    process::run(&mut command).with_context(|| format!("building for {}", slice.triple))?;
    Ok(format!(
        "{target_dir}/{}/{profile}/{}",
        slice.triple, slice.output
    ))
}

/// Loads the x86_64 DLL the way Godot does (`LoadLibraryW`, then `GetProcAddress` of the
/// entry symbol) in wine, with a small loader built by zig.
fn load_windows_dll_with_wine(root: &BuildRoot, staging: &Path) -> Result<()> {
    let library = LIBRARIES
        .iter()
        .find(|library| {
            library.format == Format::Pe && library.slices[0].triple.starts_with("x86_64")
        })
        .expect("an x86_64 Windows library is packaged");
    let check_dir = "/build/wine-check";
    fs::create_dir_all(root.path_of(check_dir))?;
    fs::copy(
        staging.join(library.file),
        root.path_of(&format!("{check_dir}/{}", library.file)),
    )?;
    let loader = format!("{check_dir}/load_library.exe");
    process::run(
        root.command_in(SOURCE_IN_ROOT)
            .args([
                "zig",
                "cc",
                "-target",
                "x86_64-windows-gnu",
                "-municode",
                "-O2",
                "-o",
            ])
            .arg(&loader)
            .arg("rust/xtask/src/package/load_library.c"),
    )
    .context("building the DLL loader with zig")?;
    let dll = format!("Z:{}\\{}", check_dir.replace('/', "\\"), library.file);
    let output = process::output(
        root.command_in(check_dir)
            .args(["wine", &loader, &dll, inspect::ENTRY_SYMBOL])
            // No Mono or Gecko installer prompts while wine creates its prefix.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml="),
    )
    .context("loading the Windows DLL in wine")?;
    ensure!(
        output.contains(&format!("{} found", inspect::ENTRY_SYMBOL)),
        "the wine loader did not report the entry symbol: {output}"
    );
    eprintln!("xtask:   wine: {}", output.trim());
    Ok(())
}

/// `plugin.cfg` must carry the workspace version (the one place versions come from).
fn check_plugin_cfg_version() -> Result<()> {
    let path = paths::addon_dir().join("plugin.cfg");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let expected = format!("version=\"{VERSION}\"");
    if !text.lines().any(|line| line.trim() == expected) {
        bail!(
            "{} does not say {expected}: set it to the workspace version in Cargo.toml",
            path.display()
        );
    }
    Ok(())
}

/// The zip as the Asset Library expects it: `addons/godot_ai_native/` at the top, holding the
/// addon files, the license, and every library in `bin/`.
fn write_zip(zip_path: &Path, staging: &Path) -> Result<()> {
    let repo = paths::repo_root();
    let mut zip = zip::ZipWriter::new(commit_time(&repo));
    zip.add_folder("addons/")?;
    zip.add_folder("addons/godot_ai_native/")?;
    let addon = paths::addon_dir();
    let mut files: Vec<(String, PathBuf)> = ADDON_FILES
        .iter()
        .map(|name| (name.to_string(), addon.join(name)))
        .collect();
    files.push(("LICENSE".to_owned(), repo.join("LICENSE")));
    files.sort();
    let mut folders = std::collections::BTreeSet::new();
    for (name, path) in &files {
        if let Some((folder, _)) = name.rsplit_once('/')
            && folders.insert(folder.to_owned())
        {
            zip.add_folder(&format!("addons/godot_ai_native/{folder}/"))?;
        }
        let data = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        zip.add_file(&format!("addons/godot_ai_native/{name}"), &data)?;
    }
    zip.add_folder("addons/godot_ai_native/bin/")?;
    let mut libraries: Vec<&str> = LIBRARIES.iter().map(|library| library.file).collect();
    libraries.sort_unstable();
    for file in libraries {
        let data = fs::read(staging.join(file))?;
        zip.add_file(&format!("addons/godot_ai_native/bin/{file}"), &data)?;
    }
    let bytes = zip.finish()?;
    let partial = zip_path.with_extension("zip.partial");
    fs::write(&partial, bytes)?;
    fs::rename(&partial, zip_path)?;
    Ok(())
}

/// The time of the commit being packaged, so the zip's dates are the same on every rebuild.
fn commit_time(repo: &Path) -> i64 {
    process::output(
        Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(["log", "-1", "--format=%ct"]),
    )
    .ok()
    .and_then(|text| text.trim().parse().ok())
    .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn plugin_cfg_carries_the_workspace_version() {
        super::check_plugin_cfg_version().unwrap();
    }
}
