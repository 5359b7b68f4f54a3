//! Project autoloads: list, add, remove (saved to project.godot, so not undoable).
//!
//! An autoload is the project setting `autoload/<Name>` = `"*res://path"` (the `*` marks a
//! singleton, reachable as a global `<Name>`).

use godot::classes::{FileAccess, ProjectSettings};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::params::{required_name, required_string};
use crate::commands::project::settings::save_or_restore;
use crate::commands::reply::into_object;

const PREFIX: &str = "autoload/";
const REASON: &str = "Autoload changes are saved to project.godot";

/// `list_autoloads {}`: every `autoload/*` setting in project order.
pub fn list_autoloads(_params: &JsonObject) -> CommandResult {
    let settings = ProjectSettings::singleton();
    let autoloads: Vec<Value> = settings
        .get_property_list()
        .iter_shared()
        .filter_map(|info| info.get("name").map(|name| name.stringify().to_string()))
        .filter_map(|key| key.strip_prefix(PREFIX).map(str::to_owned))
        .map(|name| {
            let value = settings
                .get_setting(&format!("{PREFIX}{name}"))
                .stringify()
                .to_string();
            let (singleton, path) = match value.strip_prefix('*') {
                Some(path) => (true, path.to_owned()),
                None => (false, value),
            };
            json!({"name": name, "path": path, "singleton": singleton})
        })
        .collect();
    let count = autoloads.len();
    Ok(into_object(json!({"autoloads": autoloads, "count": count})))
}

/// `add_autoload {name, path, singleton = true}`: declares the autoload and saves
/// project.godot. The editor does not instance it.
pub fn add_autoload(params: &JsonObject) -> CommandResult {
    let name = required_name(params, "name")?;
    let path = required_string(params, "path")?;
    let singleton = crate::commands::params::flag_or(params, "singleton", true)?;
    let identifier = name
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !identifier || godot::classes::ClassDb::singleton().class_exists(name) {
        // The editor's Autoload dialog refuses these too: the name becomes a global identifier.
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "Invalid autoload name '{name}': use letters, digits and _ (not starting with a \
                 digit), and not the name of an engine class"
            ),
        ));
    }
    if !path.starts_with("res://") {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("Path must start with res:// (got: {path})"),
        ));
    }
    crate::commands::filesystem::checked_resource_path(path)?;
    if !FileAccess::file_exists(path) {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!(
                "File not found: {path}. Create the script or scene first (script_create), \
                 then add it."
            ),
        ));
    }
    let key = format!("{PREFIX}{name}");
    let mut settings = ProjectSettings::singleton();
    if settings.has_setting(&key) {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "Autoload '{name}' already exists. Remove it first (autoload_manage \
                 op=remove) to change it, or pick another name."
            ),
        ));
    }
    let value = if singleton {
        format!("*{path}")
    } else {
        path.to_owned()
    };
    settings.set_setting(&key, &value.to_variant());
    settings.set_initial_value(&key, &"".to_variant());
    settings.set_as_basic(&key, true);
    save_or_restore(&key, None, &format!("adding autoload '{name}'"))?;
    Ok(into_object(json!({
        "name": name,
        "path": path,
        "singleton": singleton,
        "undoable": false,
        "reason": REASON,
    })))
}

/// `remove_autoload {name}`: removes the declaration and saves project.godot; the file
/// stays.
pub fn remove_autoload(params: &JsonObject) -> CommandResult {
    let name = required_name(params, "name")?;
    let key = format!("{PREFIX}{name}");
    let mut settings = ProjectSettings::singleton();
    if !settings.has_setting(&key) {
        return Err(CommandError::new(
            ErrorCode::NodeNotFound,
            format!(
                "Autoload '{name}' not found. Use autoload_manage op=list to see the declared \
                 autoloads."
            ),
        ));
    }
    let old = settings.get_setting(&key);
    settings.clear(&key);
    save_or_restore(&key, Some(old), &format!("removing autoload '{name}'"))?;
    Ok(into_object(json!({
        "name": name,
        "removed": true,
        "undoable": false,
        "reason": REASON,
    })))
}
