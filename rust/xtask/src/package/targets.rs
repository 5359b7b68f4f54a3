//! The platforms the release zip carries, and how each library is built.

/// One library of the package.
#[derive(Debug, Clone, Copy)]
pub struct Library {
    /// The file in `addons/godot_ai_native/bin/` (as the `.gdextension` names it).
    pub file: &'static str,
    /// The `.gdextension` keys that load it (`<os>.<build>[.<arch>]`, debug and release).
    pub feature_tags: [&'static str; 2],
    /// The slices it is made of: one, or two merged into a universal Mach-O.
    pub slices: &'static [Slice],
    pub format: Format,
}

/// One cargo build of the plugin crate.
#[derive(Debug, Clone, Copy)]
pub struct Slice {
    /// The Rust target triple.
    pub triple: &'static str,
    /// What cargo-zigbuild is given: the triple, for Linux with the glibc version to link
    /// against (`.2.28`), so the library loads on every distribution Godot itself supports.
    pub zig_target: &'static str,
    /// True when Debian ships no prebuilt `std` for it: cargo builds one from `rust-src`.
    pub build_std: bool,
    /// `MACOSX_DEPLOYMENT_TARGET` for Apple slices.
    pub macos_minimum: Option<&'static str>,
    /// Extra rustc flags for this target (link stubs, see [`crate::build_root`]).
    pub rustflags: &'static [&'static str],
    /// Linker arguments for the library itself (given to the last `rustc` only, so changing
    /// them relinks without rebuilding the dependencies).
    pub link_args: &'static [&'static str],
    /// The file cargo writes in `target/<triple>/<profile>/`.
    pub output: &'static str,
    pub arch: Arch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Elf,
    Pe,
    MachOUniversal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    Arm64,
}

/// The oldest glibc the Linux libraries need: the one Godot's own Linux builds target.
pub const GLIBC_MINIMUM: (u32, u32) = (2, 28);

/// macOS versions Godot 4.6 supports: 10.13 on Intel, 11 on Apple silicon (its first).
const MACOS_INTEL_MINIMUM: &str = "10.13";
const MACOS_ARM_MINIMUM: &str = "11.0";

/// rustc's windows-gnu target asks for mingw's `libssp` (stack protector support), which zig's
/// mingw does not ship; nothing in the library uses it, so empty archives satisfy the linker.
/// And see [`NO_SHARED_GENERICS`].
const WINDOWS_GNU_RUSTFLAGS: &[&str] =
    &["-L", "native=/build/stubs/windows-gnu", NO_SHARED_GENERICS];

/// Without optimisation rustc shares generic instances between crates, and on Windows a shared
/// instance is a DLL export: an unoptimised DLL would export over 200,000 symbols, beyond the
/// PE format's 65,535 ("too many exported symbols"). The release build does not share them
/// anyway. (A `-Z` flag: both Windows slices build `std`, which already needs
/// `RUSTC_BOOTSTRAP`.)
const NO_SHARED_GENERICS: &str = "-Zshare-generics=n";

/// zig ships no macOS frameworks: CoreFoundation (which chrono's time-zone lookup, pulled in
/// by rmcp's schemas, links) is described by a text stub (see [`crate::build_root`]).
const MACOS_RUSTFLAGS: &[&str] = &["-C", "link-arg=-F/build/stubs/macos"];

/// Without it the dylib names itself by its path in the build root.
const MACOS_LINK_ARGS: &[&str] =
    &["-Wl,-install_name,@rpath/libgodot_ai_native.macos.universal.dylib"];

const LINUX_SO: &str = "libgodot_ai_native.so";
const WINDOWS_DLL: &str = "godot_ai_native.dll";
const MACOS_DYLIB: &str = "libgodot_ai_native.dylib";

pub const LIBRARIES: [Library; 5] = [
    Library {
        file: "libgodot_ai_native.linux.x86_64.so",
        feature_tags: ["linux.debug.x86_64", "linux.release.x86_64"],
        slices: &[Slice {
            triple: "x86_64-unknown-linux-gnu",
            zig_target: "x86_64-unknown-linux-gnu.2.28",
            build_std: false,
            macos_minimum: None,
            rustflags: &[],
            link_args: &[],
            output: LINUX_SO,
            arch: Arch::X86_64,
        }],
        format: Format::Elf,
    },
    Library {
        file: "libgodot_ai_native.linux.arm64.so",
        feature_tags: ["linux.debug.arm64", "linux.release.arm64"],
        slices: &[Slice {
            triple: "aarch64-unknown-linux-gnu",
            zig_target: "aarch64-unknown-linux-gnu.2.28",
            build_std: false,
            macos_minimum: None,
            rustflags: &[],
            link_args: &[],
            output: LINUX_SO,
            arch: Arch::Arm64,
        }],
        format: Format::Elf,
    },
    Library {
        file: "godot_ai_native.windows.x86_64.dll",
        feature_tags: ["windows.debug.x86_64", "windows.release.x86_64"],
        slices: &[Slice {
            triple: "x86_64-pc-windows-gnu",
            zig_target: "x86_64-pc-windows-gnu",
            build_std: true,
            macos_minimum: None,
            rustflags: WINDOWS_GNU_RUSTFLAGS,
            link_args: &[],
            output: WINDOWS_DLL,
            arch: Arch::X86_64,
        }],
        format: Format::Pe,
    },
    Library {
        file: "godot_ai_native.windows.arm64.dll",
        feature_tags: ["windows.debug.arm64", "windows.release.arm64"],
        slices: &[Slice {
            triple: "aarch64-pc-windows-gnullvm",
            zig_target: "aarch64-pc-windows-gnullvm",
            build_std: true,
            macos_minimum: None,
            rustflags: &[NO_SHARED_GENERICS],
            link_args: &[],
            output: WINDOWS_DLL,
            arch: Arch::Arm64,
        }],
        format: Format::Pe,
    },
    Library {
        file: "libgodot_ai_native.macos.universal.dylib",
        feature_tags: ["macos.debug", "macos.release"],
        slices: &[
            Slice {
                triple: "x86_64-apple-darwin",
                zig_target: "x86_64-apple-darwin",
                build_std: true,
                macos_minimum: Some(MACOS_INTEL_MINIMUM),
                rustflags: MACOS_RUSTFLAGS,
                link_args: MACOS_LINK_ARGS,
                output: MACOS_DYLIB,
                arch: Arch::X86_64,
            },
            Slice {
                triple: "aarch64-apple-darwin",
                zig_target: "aarch64-apple-darwin",
                build_std: true,
                macos_minimum: Some(MACOS_ARM_MINIMUM),
                rustflags: MACOS_RUSTFLAGS,
                link_args: MACOS_LINK_ARGS,
                output: MACOS_DYLIB,
                arch: Arch::Arm64,
            },
        ],
        format: Format::MachOUniversal,
    },
];

/// Checks that the `[libraries]` section of the `.gdextension` text names exactly these
/// libraries, in this order, so the zip holds every file Godot may look for.
pub fn check_gdextension(text: &str) -> anyhow::Result<()> {
    let listed: Vec<&str> = text
        .split("[libraries]")
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("the .gdextension has no [libraries] section"))?
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with(';'))
        .collect();
    let expected = gdextension_library_lines();
    anyhow::ensure!(
        listed == expected,
        "the .gdextension's [libraries] do not match the packaged libraries:\n  listed: {listed:#?}\n  expected: {expected:#?}"
    );
    Ok(())
}

/// The `[libraries]` lines of the `.gdextension` for these libraries, in order.
fn gdextension_library_lines() -> Vec<String> {
    LIBRARIES
        .iter()
        .flat_map(|library| {
            library.feature_tags.iter().map(move |tag| {
                format!(
                    "{tag} = \"res://addons/godot_ai_native/bin/{}\"",
                    library.file
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_gdextension_lists_exactly_the_packaged_libraries() {
        let committed =
            std::fs::read_to_string(crate::paths::addon_dir().join("godot_ai_native.gdextension"))
                .unwrap();
        check_gdextension(&committed).unwrap();
        let missing_one = committed.replace(
            "macos.release = \"res://addons/godot_ai_native/bin/libgodot_ai_native.macos.universal.dylib\"\n",
            "",
        );
        assert_ne!(missing_one, committed);
        assert!(check_gdextension(&missing_one).is_err());
    }

    #[test]
    fn windows_slices_do_not_share_generics_and_build_std_to_allow_it() {
        for library in LIBRARIES.iter().filter(|l| l.format == Format::Pe) {
            for slice in library.slices {
                assert!(
                    slice.rustflags.contains(&NO_SHARED_GENERICS),
                    "{}",
                    slice.triple
                );
                assert!(
                    slice.build_std,
                    "{}: -Z flags need RUSTC_BOOTSTRAP",
                    slice.triple
                );
            }
        }
    }

    #[test]
    fn linux_slices_link_against_the_documented_glibc() {
        let suffix = format!(".{}.{}", GLIBC_MINIMUM.0, GLIBC_MINIMUM.1);
        for library in LIBRARIES.iter().filter(|l| l.format == Format::Elf) {
            for slice in library.slices {
                assert_eq!(slice.zig_target, format!("{}{suffix}", slice.triple));
            }
        }
    }
}
