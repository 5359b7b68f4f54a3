//! Project settings whose values name files: where such a value may point.
//!
//! The engine writes to some settings' paths (the game's log file, for one) and reads from
//! others, so a setting is as much a way out of the project as a file path is. A value that
//! names a place must name one of the project's own: a `res://` path inside the project (the
//! caller resolves it like any other file path) or the game's own `user://` data folder.
//!
//! Invariant: a string value is refused when it is an absolute path, a `file://` URL, or holds
//! a `..` segment or a backslash (in any setting: the engine or a game may read any setting as
//! a path), or, for a setting that holds a file or folder, anything but a `res://`, `user://`
//! or `uid://` path. Other values (text, numbers, web addresses) pass.

/// Where a setting's string value points, once it is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingTarget<'a> {
    /// A `res://` path, to be resolved and confined to the project by the caller.
    Project(&'a str),
    /// A place the engine resolves itself (the game's `user://` folder, a `uid://`), or a value
    /// that names no place.
    Elsewhere,
}

/// Where `value` points, or why it may not be a setting's value. `names_a_file`: the setting is
/// declared (by its property hint) to hold a file or folder path. An autoload's leading `*` (its
/// "is a singleton" mark) is not part of the path.
pub fn classify(value: &str, names_a_file: bool) -> Result<SettingTarget<'_>, String> {
    let path = value.strip_prefix('*').unwrap_or(value);
    let outside = |what: &str| {
        Err(format!(
            "'{}' {what}, which the engine would read or write outside the project. Use a \
             res:// path inside the project, or a user:// path for the game's own data.",
            shown(value)
        ))
    };
    if path.contains('\\') {
        return outside("has a backslash");
    }
    if path.split('/').any(|segment| segment == "..") {
        return outside("climbs out with '..'");
    }
    if let Some((scheme, _)) = path.split_once("://") {
        return match scheme {
            "res" => Ok(SettingTarget::Project(path)),
            "user" | "uid" => Ok(SettingTarget::Elsewhere),
            "file" => outside("is a file:// URL"),
            _ if names_a_file => outside(&format!("is a {scheme}:// address")),
            _ => Ok(SettingTarget::Elsewhere),
        };
    }
    if path.starts_with('/') || is_drive_path(path) {
        return outside("is an absolute path");
    }
    if names_a_file && !path.is_empty() {
        return outside("is a path relative to wherever the game starts");
    }
    Ok(SettingTarget::Elsewhere)
}

/// Whether the setting `key` names a file or folder by its name (`debug/file_logging/log_path`,
/// `..._dir`, `.../file`): many engine settings that do are declared with no path hint.
pub fn key_names_a_file(key: &str) -> bool {
    let last = key.rsplit('/').next().unwrap_or(key);
    ["path", "file", "dir", "folder", "directory"]
        .iter()
        .any(|ending| last == *ending || last.ends_with(&format!("_{ending}")))
}

/// `C:/...` or `C:` alone: a Windows drive.
fn is_drive_path(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.len() >= 2
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes.get(2), None | Some(b'/' | b'\\'))
}

/// A value as an error may quote it: long ones are cut.
fn shown(value: &str) -> String {
    crate::text::cut(value, 120)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_and_user_paths_pass() {
        assert_eq!(
            classify("res://logs/game.log", true),
            Ok(SettingTarget::Project("res://logs/game.log"))
        );
        assert_eq!(
            classify("*res://autoload/score.gd", false),
            Ok(SettingTarget::Project("res://autoload/score.gd"))
        );
        assert_eq!(
            classify("user://logs/godot.log", true),
            Ok(SettingTarget::Elsewhere)
        );
        assert_eq!(classify("uid://b1x2y3", true), Ok(SettingTarget::Elsewhere));
        assert_eq!(classify("", true), Ok(SettingTarget::Elsewhere));
    }

    #[test]
    fn places_outside_the_project_are_refused() {
        for value in [
            "/tmp/outside/x.log",
            "res://../outside/x.log",
            "user://../../x.log",
            "file:///tmp/x.log",
            "C:/Windows/x.log",
            "C:\\x.log",
            "\\\\server\\share\\x.log",
        ] {
            let why = classify(value, false).expect_err(value);
            assert!(why.contains("outside the project"), "{value}: {why}");
        }
    }

    #[test]
    fn a_file_setting_takes_only_engine_paths() {
        assert!(classify("logs/x.log", true).is_err());
        assert!(classify("https://example.com/x.log", true).is_err());
    }

    #[test]
    fn keys_ending_in_a_path_word_name_files() {
        assert!(key_names_a_file("debug/file_logging/log_path"));
        assert!(key_names_a_file("fuzz/output_dir"));
        assert!(key_names_a_file("x/path"));
        assert!(!key_names_a_file("application/config/name"));
        assert!(!key_names_a_file("debug/file_logging/enable_file_logging"));
        assert!(!key_names_a_file("rendering/xpath_mode"));
    }

    #[test]
    fn text_settings_keep_their_text() {
        assert_eq!(classify("My Game", false), Ok(SettingTarget::Elsewhere));
        assert_eq!(classify("a/b", false), Ok(SettingTarget::Elsewhere));
        assert_eq!(classify("X: The Game", false), Ok(SettingTarget::Elsewhere));
        assert_eq!(
            classify("https://example.com", false),
            Ok(SettingTarget::Elsewhere)
        );
    }
}
