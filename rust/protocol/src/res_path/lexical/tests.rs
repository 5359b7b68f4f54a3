//! Tables of paths per platform whose semantics a rule protects against. Every rule runs on
//! every platform, so all of them are checked wherever the tests run.

use super::*;

/// Asserts that each path is refused for the given rule.
fn assert_refused(table: &[(&str, Rule)]) {
    for (path, rule) in table {
        assert_eq!(components(path), Err(*rule), "{path:?}");
    }
}

#[test]
fn paths_projects_really_use_are_accepted_component_by_component() {
    let table: &[(&str, &[&str])] = &[
        ("res://", &[]),
        ("res://project.godot", &["project.godot"]),
        ("res://scripts/player.gd", &["scripts", "player.gd"]),
        ("res://ui/Main Menu.tscn", &["ui", "Main Menu.tscn"]),
        ("res://a.b.c/x.tres", &["a.b.c", "x.tres"]),
        ("res://a..b/c", &["a..b", "c"]),
        ("res://.gdignore", &[".gdignore"]),
        ("res://.hidden/.env", &[".hidden", ".env"]),
        ("res:// leading.gd", &[" leading.gd"]),
        ("res://ünïcödé/日本語.gd", &["ünïcödé", "日本語.gd"]),
        (
            "res://family_👨\u{200D}👩\u{200D}👧.png",
            &["family_👨\u{200D}👩\u{200D}👧.png"],
        ),
        ("res://x/.godot/y", &["x", ".godot", "y"]),
        ("res://godot/x", &["godot", "x"]),
        ("res://.godot_old/x", &[".godot_old", "x"]),
        ("res://.godot2", &[".godot2"]),
        ("res://console.gd", &["console.gd"]),
        ("res://aux_data.tres", &["aux_data.tres"]),
        ("res://COM10.txt", &["COM10.txt"]),
        ("res://LPT/nul_sound.ogg", &["LPT", "nul_sound.ogg"]),
        ("res://100%/~backup~1.tres", &["100%", "~backup~1.tres"]),
        ("res://scripts/", &["scripts"]),
        ("res://a//b", &["a", "b"]),
    ];
    for (path, expected) in table {
        assert_eq!(components(path), Ok(expected.to_vec()), "{path:?}");
    }
}

/// Rules that matter on every platform, Linux included.
#[test]
fn everywhere_other_schemes_traversal_and_absolute_paths_are_refused() {
    assert_refused(&[
        ("user://x.gd", Rule::NotRes),
        ("/etc/passwd", Rule::NotRes),
        ("RES://x.gd", Rule::NotRes),
        ("res:/x.gd", Rule::NotRes),
        ("scripts/player.gd", Rule::NotRes),
        ("res://..", Rule::ParentDir),
        ("res://../outside.gd", Rule::ParentDir),
        ("res://scripts/../../x", Rule::ParentDir),
        ("res://scripts/..", Rule::ParentDir),
        ("res://.", Rule::DotsOnly),
        ("res://./.godot/x", Rule::DotsOnly),
        ("res://a/./b", Rule::DotsOnly),
        ("res:///etc/passwd", Rule::Absolute),
        ("res:////etc", Rule::Absolute),
    ]);
}

#[test]
fn everywhere_control_characters_are_refused() {
    assert_refused(&[
        ("res://a\0b.gd", Rule::ControlCharacter),
        ("res://a.gd\0", Rule::ControlCharacter),
        ("res://a\nb.gd", Rule::ControlCharacter),
        ("res://a\rb.gd", Rule::ControlCharacter),
        ("res://a\tb.gd", Rule::ControlCharacter),
        ("res://a\u{1b}[31m.gd", Rule::ControlCharacter),
        ("res://a\u{7f}.gd", Rule::ControlCharacter),
        ("res://a\u{85}.gd", Rule::ControlCharacter),
        // Checked first: a control character hides what else the path holds.
        ("res://\0/../x", Rule::ControlCharacter),
    ]);
}

#[test]
fn everywhere_the_top_level_editor_folder_is_refused() {
    assert_refused(&[
        ("res://.godot", Rule::InternalFolder),
        ("res://.godot/", Rule::InternalFolder),
        (
            "res://.godot/godot_ai_native/mcp_sessions.json",
            Rule::InternalFolder,
        ),
        ("res://.godot//editor", Rule::InternalFolder),
    ]);
}

/// Windows reads `\` as a separator: any of these would climb or jump elsewhere there.
#[test]
fn windows_backslashes_are_refused() {
    assert_refused(&[
        ("res://a\\..\\..\\x", Rule::Backslash),
        ("res://..\\x", Rule::Backslash),
        ("res://\\\\?\\C:\\", Rule::Backslash),
        ("res://\\\\server\\share\\x", Rule::Backslash),
        ("res://scripts\\player.gd", Rule::Backslash),
        ("res://.godot\\x", Rule::Backslash),
    ]);
}

/// Windows drives, drive-relative paths, NTFS alternate data streams, UNC and device paths.
#[test]
fn windows_drives_streams_unc_and_device_paths_are_refused() {
    assert_refused(&[
        ("res://C:/x", Rule::Colon),
        ("res://c:x", Rule::Colon),
        ("res://C:", Rule::Colon),
        ("res://scripts/C:/x", Rule::Colon),
        ("res://a.gd:stream", Rule::Colon),
        ("res://a.gd::$DATA", Rule::Colon),
        ("res://.godot::$INDEX_ALLOCATION/x", Rule::Colon),
        ("res://x.tscn::SubResource_1", Rule::Colon),
        ("res:////server/share", Rule::Absolute),
        ("res:////?/C:/x", Rule::Absolute),
        ("res:////./COM1", Rule::Absolute),
        ("res://?/C/x", Rule::WindowsReservedCharacter),
        ("res://a*.gd", Rule::WindowsReservedCharacter),
        ("res://a?.gd", Rule::WindowsReservedCharacter),
        ("res://<a>.gd", Rule::WindowsReservedCharacter),
        ("res://a|b", Rule::WindowsReservedCharacter),
        ("res://\"a\".gd", Rule::WindowsReservedCharacter),
    ]);
}

/// Windows strips trailing dots and spaces from every component, so these would alias
/// another name (or `..`) there.
#[test]
fn windows_trailing_dots_and_spaces_are_refused() {
    assert_refused(&[
        ("res://...", Rule::DotsOnly),
        ("res://scripts/.../x", Rule::DotsOnly),
        ("res://.. ", Rule::TrailingDotOrSpace),
        ("res://../ ", Rule::ParentDir),
        ("res://scripts/.. /x", Rule::TrailingDotOrSpace),
        ("res://a.", Rule::TrailingDotOrSpace),
        ("res://a ", Rule::TrailingDotOrSpace),
        ("res://a. . ", Rule::TrailingDotOrSpace),
        ("res://dir./x.gd", Rule::TrailingDotOrSpace),
        ("res://dir /x.gd", Rule::TrailingDotOrSpace),
        ("res://scripts/player.gd.", Rule::TrailingDotOrSpace),
        ("res://scripts/player.gd ", Rule::TrailingDotOrSpace),
        ("res://x/.godot./y", Rule::TrailingDotOrSpace),
    ]);
}

/// Windows opens a device for these names, in any case and with any extension.
#[test]
fn windows_device_names_are_refused() {
    assert_refused(&[
        ("res://CON", Rule::DeviceName),
        ("res://con", Rule::DeviceName),
        ("res://PRN", Rule::DeviceName),
        ("res://Aux", Rule::DeviceName),
        ("res://nul", Rule::DeviceName),
        ("res://COM1", Rule::DeviceName),
        ("res://com9", Rule::DeviceName),
        ("res://COM0", Rule::DeviceName),
        ("res://LPT1", Rule::DeviceName),
        ("res://lpt9", Rule::DeviceName),
        ("res://LPT0", Rule::DeviceName),
        ("res://COM¹", Rule::DeviceName),
        ("res://lpt³.txt", Rule::DeviceName),
        ("res://CONIN$", Rule::DeviceName),
        ("res://conout$.log", Rule::DeviceName),
        ("res://con.txt", Rule::DeviceName),
        ("res://NUL.tar.gz", Rule::DeviceName),
        ("res://CON .txt", Rule::DeviceName),
        ("res://scripts/aux.gd", Rule::DeviceName),
        ("res://nul/x.gd", Rule::DeviceName),
        ("res://a/PRN/b", Rule::DeviceName),
    ]);
}

/// On the case-insensitive file systems of macOS and Windows these are the editor's folder;
/// HFS+ also ignores some invisible code points, and Windows strips trailing dots and spaces.
#[test]
fn macos_and_windows_aliases_of_the_editor_folder_are_refused() {
    assert_refused(&[
        ("res://.GODOT/x", Rule::InternalFolder),
        ("res://.Godot/x", Rule::InternalFolder),
        ("res://.godoT", Rule::InternalFolder),
        ("res://.go\u{200C}dot/x", Rule::InternalFolder),
        ("res://\u{FEFF}.godot/x", Rule::InternalFolder),
        ("res://.godot\u{200D}/x", Rule::InternalFolder),
        ("res://.\u{202E}godot/x", Rule::InternalFolder),
        ("res://.godot./x", Rule::InternalFolder),
        ("res://.godot /x", Rule::InternalFolder),
        ("res://.GODOT. . /x", Rule::InternalFolder),
    ]);
    assert!(!is_internal_folder(".godots"));
    assert!(!is_internal_folder("godot"));
    assert!(!is_internal_folder("..godot"));
}

#[test]
fn messages_name_their_rule_and_keep_the_wording_agents_see_today() {
    let rules = [
        Rule::NotRes,
        Rule::ControlCharacter,
        Rule::Backslash,
        Rule::Absolute,
        Rule::Colon,
        Rule::WindowsReservedCharacter,
        Rule::ParentDir,
        Rule::DotsOnly,
        Rule::TrailingDotOrSpace,
        Rule::DeviceName,
        Rule::InternalFolder,
        Rule::NameTooLong,
        Rule::PathTooLong,
    ];
    let messages: std::collections::HashSet<&str> =
        rules.iter().map(|rule| rule.message()).collect();
    assert_eq!(messages.len(), rules.len(), "one message per rule");
    assert!(
        messages
            .iter()
            .all(|message| message.starts_with("Path must"))
    );
    assert!(
        Rule::NotRes
            .message()
            .starts_with("Path must start with res://")
    );
    assert!(
        Rule::ParentDir
            .message()
            .starts_with("Path must not contain '..'")
    );
    assert!(
        Rule::InternalFolder
            .message()
            .starts_with("Path must not be inside res://.godot/")
    );
    assert!(Rule::Absolute.message().contains("relative to res://"));
}

#[test]
fn names_and_paths_are_bounded_in_bytes() {
    let longest = "a".repeat(MAX_NAME_BYTES);
    assert!(components(&format!("res://{longest}")).is_ok());
    assert_eq!(
        components(&format!("res://{longest}b")),
        Err(Rule::NameTooLong)
    );
    // Bytes, not characters: 100 three-byte characters are 300 bytes.
    assert_eq!(
        components(&format!("res://dir/{}.gd", "\u{4e16}".repeat(100))),
        Err(Rule::NameTooLong)
    );
    let deep = vec!["folder"; MAX_PATH_BYTES / 7].join("/");
    assert!(components(&format!("res://{deep}")).is_ok());
    assert_eq!(
        components(&format!("res://{deep}/{}", "x".repeat(10))),
        Err(Rule::PathTooLong)
    );
}
