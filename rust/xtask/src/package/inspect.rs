//! Checks of a built library, read from its file: the format and architecture Godot expects
//! for its feature tag, the GDExtension entry symbol exported, and nothing imported but the
//! operating system's own libraries (a user installs the zip and nothing else).

use std::collections::BTreeSet;

use anyhow::{Context, Result, bail, ensure};
use object::elf;
use object::macho;
use object::read::elf::{Dyn as _, ElfFile64, FileHeader as _};
use object::read::macho::{FatArch as _, MachOFatFile32, MachOFile64};
use object::read::pe::PeFile64;
use object::{Architecture, Endianness, Object, ObjectSymbol};

use super::targets::{Arch, Format, GLIBC_MINIMUM, Library};

/// The symbol Godot looks up (`entry_symbol` in the `.gdextension`).
pub const ENTRY_SYMBOL: &str = "gdext_rust_init";

/// Shared objects every glibc system has.
const LINUX_SYSTEM_LIBRARIES: [&str; 8] = [
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "libpthread.so.0",
    "librt.so.1",
    "libgcc_s.so.1",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
];

/// DLLs of every Windows 10+ installation (plus the `api-ms-win-*` API sets, by prefix).
const WINDOWS_SYSTEM_LIBRARIES: [&str; 11] = [
    "kernel32.dll",
    "ntdll.dll",
    "advapi32.dll",
    "ws2_32.dll",
    "userenv.dll",
    "bcrypt.dll",
    "bcryptprimitives.dll",
    "msvcrt.dll",
    "ucrtbase.dll",
    "synchronization.dll",
    "shell32.dll",
];

/// What macOS itself provides.
const MACOS_SYSTEM_LIBRARIES: [&str; 4] = [
    "/usr/lib/libSystem.B.dylib",
    "/usr/lib/libcharset.1.dylib",
    "/usr/lib/libiconv.2.dylib",
    "/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation",
];

/// What was found in a library, for the report.
#[derive(Debug)]
pub struct Findings {
    pub summary: String,
}

/// Checks `data`, the contents of `library`'s file.
pub fn check(library: &Library, data: &[u8]) -> Result<Findings> {
    match library.format {
        Format::Elf => check_elf(library.slices[0].arch, data),
        Format::Pe => check_pe(library.slices[0].arch, data),
        Format::MachOUniversal => check_universal(library, data),
    }
    .with_context(|| format!("checking {}", library.file))
}

fn check_elf(arch: Arch, data: &[u8]) -> Result<Findings> {
    let file = ElfFile64::<Endianness>::parse(data).context("not a 64-bit ELF file")?;
    let header = file.elf_header();
    let endian = file.endian();
    ensure!(
        header.e_type(endian) == elf::ET_DYN,
        "not a shared object (ELF type {})",
        header.e_type(endian)
    );
    expect_arch(file.architecture(), arch)?;
    expect_export(&file, ENTRY_SYMBOL)?;

    let sections = file.elf_section_table();
    let mut needed = BTreeSet::new();
    if let Some((entries, link)) = sections.dynamic(endian, data)? {
        let strings = sections.strings(endian, data, link)?;
        for entry in entries {
            if entry.tag(endian) == elf::DT_NEEDED {
                let name = entry.string(endian, strings)?;
                needed.insert(String::from_utf8_lossy(name).into_owned());
            }
        }
    }
    expect_only(&needed, |name| LINUX_SYSTEM_LIBRARIES.contains(&name))?;

    let mut newest_glibc = (0, 0);
    if let Some((mut versions, link)) = sections.gnu_verneed(endian, data)? {
        let strings = sections.strings(endian, data, link)?;
        while let Some((_, mut auxes)) = versions.next()? {
            while let Some(aux) = auxes.next()? {
                let name = String::from_utf8_lossy(aux.name(endian, strings)?).into_owned();
                if let Some(version) = glibc_version(&name) {
                    newest_glibc = newest_glibc.max(version);
                }
            }
        }
    }
    ensure!(
        newest_glibc <= GLIBC_MINIMUM,
        "needs glibc {}.{}, newer than the {}.{} it is meant to run on",
        newest_glibc.0,
        newest_glibc.1,
        GLIBC_MINIMUM.0,
        GLIBC_MINIMUM.1
    );
    Ok(Findings {
        summary: format!(
            "ELF shared object, {arch:?}, exports {ENTRY_SYMBOL}, needs {} (glibc {}.{} or newer)",
            list(&needed),
            newest_glibc.0,
            newest_glibc.1
        ),
    })
}

/// `GLIBC_2.28` → (2, 28).
fn glibc_version(name: &str) -> Option<(u32, u32)> {
    let (major, minor) = name.strip_prefix("GLIBC_")?.split_once('.')?;
    let minor = minor.split('.').next()?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

fn check_pe(arch: Arch, data: &[u8]) -> Result<Findings> {
    let file = PeFile64::parse(data).context("not a 64-bit PE file")?;
    let header = &file.nt_headers().file_header;
    let characteristics = header.characteristics.get(object::LittleEndian);
    ensure!(
        characteristics.contains(object::pe::IMAGE_FILE_DLL),
        "not a DLL (characteristics {characteristics:?})"
    );
    expect_arch(file.architecture(), arch)?;
    expect_export(&file, ENTRY_SYMBOL)?;
    let mut imported = BTreeSet::new();
    for import in file.imports()? {
        imported.insert(String::from_utf8_lossy(import?.library()).to_ascii_lowercase());
    }
    expect_only(&imported, |name| {
        WINDOWS_SYSTEM_LIBRARIES.contains(&name) || name.starts_with("api-ms-win-")
    })?;
    let timestamp = header.time_date_stamp.get(object::LittleEndian);
    ensure!(
        timestamp == 0,
        "carries its link time ({timestamp}): rebuilds of one commit would differ"
    );
    Ok(Findings {
        summary: format!(
            "PE DLL, {arch:?}, exports {ENTRY_SYMBOL}, imports {}, no timestamp",
            list(&imported)
        ),
    })
}

fn check_universal(library: &Library, data: &[u8]) -> Result<Findings> {
    let fat = MachOFatFile32::parse(data).context("not a universal (fat) Mach-O file")?;
    let mut found = Vec::new();
    for slice in library.slices {
        let wanted = object_arch(slice.arch);
        let arch = fat
            .arches()
            .iter()
            .find(|arch| arch.architecture() == wanted)
            .with_context(|| format!("no {:?} slice", slice.arch))?;
        let bytes = arch.data(data)?;
        found.push(
            check_macho_slice(slice.arch, bytes)
                .with_context(|| format!("in the {:?} slice", slice.arch))?,
        );
    }
    ensure!(
        fat.arches().len() == library.slices.len(),
        "{} slices, expected {}",
        fat.arches().len(),
        library.slices.len()
    );
    Ok(Findings {
        summary: format!("universal Mach-O: {}", found.join("; ")),
    })
}

fn check_macho_slice(arch: Arch, data: &[u8]) -> Result<String> {
    let file = MachOFile64::<Endianness>::parse(data).context("not a 64-bit Mach-O")?;
    let endian = file.endian();
    let filetype = file.macho_header().filetype.get(endian);
    ensure!(
        filetype == macho::MH_DYLIB,
        "not a dylib (file type {filetype})"
    );
    expect_arch(file.architecture(), arch)?;
    // Mach-O symbol names carry a leading underscore.
    expect_export(&file, &format!("_{ENTRY_SYMBOL}"))?;
    let mut dylibs = BTreeSet::new();
    let mut signed = false;
    let mut minimum_os = None;
    let mut commands = file.macho_load_commands()?;
    while let Some(command) = commands.next()? {
        match command.cmd() {
            macho::LC_LOAD_DYLIB | macho::LC_LOAD_WEAK_DYLIB | macho::LC_REEXPORT_DYLIB => {
                if let Some(dylib) = command.dylib()? {
                    let name = command.string(endian, dylib.dylib.name)?;
                    dylibs.insert(String::from_utf8_lossy(name).into_owned());
                }
            }
            macho::LC_CODE_SIGNATURE => signed = true,
            macho::LC_BUILD_VERSION => {
                if let Some((build, _tools)) = command.build_version(endian)? {
                    minimum_os = Some(build.minos.get(endian));
                }
            }
            _ => {}
        }
    }
    expect_only(&dylibs, |name| MACOS_SYSTEM_LIBRARIES.contains(&name))?;
    // Apple silicon refuses to map code without a signature; an ad-hoc one is enough.
    if arch == Arch::Arm64 {
        ensure!(
            signed,
            "the arm64 slice has no code signature (macOS would refuse to load it)"
        );
    }
    let minimum = minimum_os.map_or_else(
        || "unknown".to_owned(),
        |version| format!("{}.{}", version.major(), version.minor()),
    );
    Ok(format!(
        "{arch:?} dylib, exports _{ENTRY_SYMBOL}, links {}, macOS {minimum}+{}",
        list(&dylibs),
        if signed { ", ad-hoc signed" } else { "" }
    ))
}

fn object_arch(arch: Arch) -> Architecture {
    match arch {
        Arch::X86_64 => Architecture::X86_64,
        Arch::Arm64 => Architecture::Aarch64,
    }
}

fn expect_arch(found: Architecture, arch: Arch) -> Result<()> {
    ensure!(
        found == object_arch(arch),
        "architecture {found:?}, expected {arch:?}"
    );
    Ok(())
}

fn expect_export<'data>(file: &impl Object<'data>, symbol: &str) -> Result<()> {
    let mut exported = false;
    for export in file.exports()? {
        exported |= export?.name() == object::read::NameOrOrdinal::Name(symbol.as_bytes());
    }
    // ELF exports come from the dynamic symbol table.
    let dynamic = file.dynamic_symbols().any(|candidate| {
        candidate.is_definition() && candidate.name_bytes() == Ok(symbol.as_bytes())
    });
    if !(exported || dynamic) {
        bail!("does not export {symbol}");
    }
    Ok(())
}

fn expect_only(found: &BTreeSet<String>, allowed: impl Fn(&str) -> bool) -> Result<()> {
    let foreign: Vec<&str> = found
        .iter()
        .map(String::as_str)
        .filter(|name| !allowed(name))
        .collect();
    ensure!(
        foreign.is_empty(),
        "links libraries that are not part of the operating system: {}",
        foreign.join(", ")
    );
    Ok(())
}

fn list(names: &BTreeSet<String>) -> String {
    names.iter().cloned().collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glibc_version_names_parse() {
        assert_eq!(glibc_version("GLIBC_2.28"), Some((2, 28)));
        assert_eq!(glibc_version("GLIBC_2.2.5"), Some((2, 2)));
        assert_eq!(glibc_version("GLIBC_PRIVATE"), None);
        assert_eq!(glibc_version("GCC_3.0"), None);
    }

    #[test]
    fn a_file_of_the_wrong_format_is_refused_with_its_name() {
        let error = check(&super::super::targets::LIBRARIES[2], b"\x7fELF not a dll").unwrap_err();
        assert!(
            format!("{error:#}").contains("godot_ai_native.windows.x86_64.dll"),
            "{error:#}"
        );
        assert!(
            format!("{error:#}").contains("not a 64-bit PE file"),
            "{error:#}"
        );
    }
}
