//! The rules a `res://` path must meet as a string, checked before any file is touched.
//!
//! The rules are the same on every platform, so a project behaves the same whether the editor
//! runs on Linux, macOS or Windows, and they are all unit-tested on any of them. They refuse
//! every name that one of those systems would read differently from the others:
//!
//! - The path starts with `res://` and what follows is relative: no leading `/` (so no
//!   `res:///etc`, no UNC `res:////server/share`, no device namespace `res:////?/C:/`).
//! - `/` is the only separator (Godot's own): a backslash is refused anywhere, since Windows
//!   reads it as a separator (`res://a\..\..\x` would climb out there).
//! - No `:` at all: on Windows it makes a drive (`res://C:/x`, the drive-relative `res://c:x`)
//!   or an NTFS alternate data stream (`res://a.gd:stream`, `res://.godot::$INDEX_ALLOCATION`
//!   names the folder itself).
//! - No `< > " | ? *`: Windows refuses them in names, and some of its APIs read them as
//!   wildcards. Godot's own file dialogs refuse them too.
//! - No control characters (NUL, newlines, DEL, the C1 range).
//! - No component made of dots only: `..` is traversal, `.` and `...` are refused rather than
//!   normalised, so what is checked is exactly what is opened.
//! - No component ending in `.` or ` `: Windows strips trailing dots and spaces from every
//!   component, so `a.` and `a ` would be the file `a`, `.. ` would be `..`, and
//!   `.godot.` would be `.godot`. (Through a `\\?\` path, which is what the resolved path is
//!   on Windows, the stripping does not happen, so such a file could be created but the editor
//!   would then open a different one.) Refusing them is simpler than normalising and no
//!   portable project uses such names. Leading and inner spaces and dots are fine
//!   (`Main Menu.tscn`, `a.b.c`, `.hidden`).
//! - No Windows device name as a component, in any case, with or without an extension or
//!   spaces before it (`CON`, `con.txt`, `NUL .tar.gz`): `PRN AUX NUL CON CONIN$ CONOUT$`,
//!   `COM0`-`COM9`, `LPT0`-`LPT9` and the superscript `COM¹ COM² COM³ LPT¹ LPT² LPT³`. Windows
//!   opens the device instead of a file. `console.gd`, `COM10` and `aux_data.tres` are fine.
//! - The first component is not the editor's `.godot` folder, compared the way the
//!   case-insensitive file systems of macOS and Windows compare names: letter case ignored
//!   (`.GODOT`), and the code points HFS+ ignores (zero-width joiners, bidi marks, BOM) left
//!   out, and trailing dots and spaces stripped. Only the top level is the editor's:
//!   `res://x/.godot/y` is an ordinary folder.
//!
//! - No file or folder name longer than 255 bytes (the limit of ext4, APFS and NTFS names, in
//!   the strictest unit), and no path longer than [`MAX_PATH_BYTES`] after `res://`: the
//!   engine would fail on them anyway, and the work a path costs stays bounded.
//!
//! Empty components (`res://a//b`, a trailing `/`) are skipped, as every platform does.
//!
//! What a string cannot show is left to the file-system check that follows (see
//! [`super::resolve_res_path`]): symlinks, junctions and Windows 8.3 short names
//! (`GODOT~1`), all of which canonicalising resolves.

/// The rule a path broke. Its [`Rule::message`] is what the agent reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    NotRes,
    ControlCharacter,
    Backslash,
    Absolute,
    Colon,
    WindowsReservedCharacter,
    ParentDir,
    DotsOnly,
    TrailingDotOrSpace,
    DeviceName,
    InternalFolder,
    NameTooLong,
    PathTooLong,
}

/// Longest file or folder name, in bytes.
pub(crate) const MAX_NAME_BYTES: usize = 255;

/// Longest path after `res://`, in bytes.
pub(crate) const MAX_PATH_BYTES: usize = 2048;

impl Rule {
    pub(crate) fn message(self) -> &'static str {
        match self {
            Rule::NotRes => "Path must start with res://",
            Rule::ControlCharacter => "Path must not contain control characters (NUL, newline...)",
            Rule::Backslash => "Path must use '/' between folders, never '\\'",
            Rule::Absolute => "Path must be relative to res:// (no '/' right after res://)",
            Rule::Colon => {
                "Path must not contain ':' after res:// (drive letters and alternate data \
                 streams are not allowed)"
            }
            Rule::WindowsReservedCharacter => {
                "Path must not contain < > \" | ? * (not allowed in file names on Windows)"
            }
            Rule::ParentDir => "Path must not contain '..' (path traversal not allowed)",
            Rule::DotsOnly => "Path must not contain '.' or '...' as a folder or file name",
            Rule::TrailingDotOrSpace => {
                "Path must not have a name ending in '.' or ' ' (Windows drops them, so it \
                 would name another file)"
            }
            Rule::DeviceName => {
                "Path must not use a Windows device name (CON, PRN, AUX, NUL, COM0-COM9, \
                 LPT0-LPT9), with or without an extension"
            }
            Rule::InternalFolder => {
                "Path must not be inside res://.godot/ (the editor's internal folder)"
            }
            Rule::NameTooLong => {
                "Path must not have a file or folder name longer than 255 bytes (the limit of \
                 most file systems): shorten that name"
            }
            Rule::PathTooLong => "Path must be at most 2048 bytes long after res://",
        }
    }
}

/// The components of `path` after `res://`, in order (none for `res://` itself), when every
/// rule of the module holds; else the first rule it breaks.
pub(crate) fn components(path: &str) -> Result<Vec<&str>, Rule> {
    let relative = path.strip_prefix("res://").ok_or(Rule::NotRes)?;
    if relative.len() > MAX_PATH_BYTES {
        return Err(Rule::PathTooLong);
    }
    if relative.chars().any(char::is_control) {
        return Err(Rule::ControlCharacter);
    }
    if relative.contains('\\') {
        return Err(Rule::Backslash);
    }
    if relative.starts_with('/') {
        return Err(Rule::Absolute);
    }
    if relative.contains(':') {
        return Err(Rule::Colon);
    }
    if relative.contains(['<', '>', '"', '|', '?', '*']) {
        return Err(Rule::WindowsReservedCharacter);
    }
    let components: Vec<&str> = relative.split('/').filter(|c| !c.is_empty()).collect();
    for (index, component) in components.iter().enumerate() {
        if index == 0 && is_internal_folder(component) {
            return Err(Rule::InternalFolder);
        }
        if *component == ".." {
            return Err(Rule::ParentDir);
        }
        if component.chars().all(|c| c == '.') {
            return Err(Rule::DotsOnly);
        }
        if component.ends_with(['.', ' ']) {
            return Err(Rule::TrailingDotOrSpace);
        }
        if is_device_name(component) {
            return Err(Rule::DeviceName);
        }
        if component.len() > MAX_NAME_BYTES {
            return Err(Rule::NameTooLong);
        }
    }
    Ok(components)
}

/// Whether a top-level name is the editor's `.godot` folder on some file system: case
/// ignored, HFS+'s ignorable code points left out, trailing dots and spaces stripped.
pub(crate) fn is_internal_folder(name: &str) -> bool {
    let visible: String = name.chars().filter(|c| !is_ignorable(*c)).collect();
    let stripped = visible.trim_end_matches(['.', ' ']);
    stripped
        .chars()
        .flat_map(char::to_lowercase)
        .eq(".godot".chars())
}

/// Code points that HFS+ leaves out when comparing names (and a few more of Unicode's default
/// ignorables, which no real name needs inside `.godot`).
fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
    )
}

/// Whether Windows would open a device for this component: its part before the first dot,
/// trailing spaces dropped, is a device name in any letter case.
fn is_device_name(component: &str) -> bool {
    let stem = component.split('.').next().unwrap_or_default();
    let stem = stem.trim_end_matches(' ').to_ascii_uppercase();
    match stem.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        _ => ["COM", "LPT"].iter().any(|port| {
            stem.strip_prefix(port).is_some_and(|number| {
                let mut digits = number.chars();
                matches!(
                    (digits.next(), digits.next()),
                    (Some('0'..='9' | '¹' | '²' | '³'), None)
                )
            })
        }),
    }
}

#[cfg(test)]
mod tests;
