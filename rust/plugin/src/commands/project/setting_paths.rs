//! A project setting's new value, checked before it is set when it names a file or folder:
//! confined to the project like every file path an agent gives (see
//! [`godot_ai_protocol::setting_paths`]).

use godot::classes::ProjectSettings;
use godot::prelude::*;
use godot::register::info::PropertyHint;
use godot_ai_protocol::setting_paths::{SettingTarget, classify, key_names_a_file};
use godot_ai_protocol::{CommandError, ErrorCode};

use crate::commands::filesystem::checked_path_of;

/// `INVALID_PARAMS` when `value` (a string, or any string in an array) for the setting `key`
/// names a place outside the project.
pub fn check_setting_value(key: &str, value: &Variant) -> Result<(), CommandError> {
    let names_a_file = key_names_a_file(key) || declared_as_path(key);
    for text in strings_in(value) {
        let refused = |why: String| {
            CommandError::new(
                ErrorCode::InvalidParams,
                format!("Setting '{key}' names a file or folder: {why}"),
            )
            .with_data("key", key)
        };
        match classify(&text, names_a_file).map_err(refused)? {
            SettingTarget::Project(path) => {
                checked_path_of(path).map_err(|why| refused(why.message))?;
            }
            SettingTarget::Elsewhere => {}
        }
    }
    Ok(())
}

/// The strings a setting value holds: itself, or the items of a string array or array.
fn strings_in(value: &Variant) -> Vec<String> {
    if let Ok(text) = value.try_to::<GString>() {
        return vec![text.to_string()];
    }
    if let Ok(texts) = value.try_to::<PackedStringArray>() {
        return texts.as_slice().iter().map(GString::to_string).collect();
    }
    if let Ok(items) = value.try_to::<VarArray>() {
        return items
            .iter_shared()
            .filter_map(|item| item.try_to::<GString>().ok())
            .map(|text| text.to_string())
            .collect();
    }
    Vec::new()
}

/// Whether the engine declares `key` to hold a file or folder path (its property hint).
fn declared_as_path(key: &str) -> bool {
    const PATH_HINTS: [PropertyHint; 7] = [
        PropertyHint::FILE,
        PropertyHint::DIR,
        PropertyHint::GLOBAL_FILE,
        PropertyHint::GLOBAL_DIR,
        PropertyHint::SAVE_FILE,
        PropertyHint::GLOBAL_SAVE_FILE,
        PropertyHint::FILE_PATH,
    ];
    ProjectSettings::singleton()
        .get_property_list()
        .iter_shared()
        .find(|info| info.get("name").is_some_and(|name| name.stringify() == key))
        .and_then(|info| info.get("hint"))
        .and_then(|hint| hint.try_to::<i64>().ok())
        .is_some_and(|hint| PATH_HINTS.iter().any(|path| path.ord() as i64 == hint))
}
