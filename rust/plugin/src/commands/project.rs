//! Project settings: read any, write and save to project.godot (not undoable: it is saved).

use godot::classes::ProjectSettings;
use godot::global::type_string;
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use super::editor::into_object;
use super::params::required_string;
use crate::variant_json::to_json;

/// `get_project_setting {key}`: `{key, value, type}`.
pub fn get_project_setting(params: &JsonObject) -> CommandResult {
    let key = required_string(params, "key")?;
    let settings = ProjectSettings::singleton();
    if !settings.has_setting(key) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("Setting not found: {key}"),
        ));
    }
    let value = settings.get_setting(key);
    Ok(into_object(json!({
        "key": key,
        "value": to_json(&value),
        "type": type_string(value.get_type().ord() as i64).to_string(),
    })))
}

/// `set_project_setting {key, value}`: sets and saves; `null` erases the setting. An int
/// setting given a whole float stays an int.
pub fn set_project_setting(params: &JsonObject) -> CommandResult {
    let key = required_string(params, "key")?;
    let Some(value) = params.get("value") else {
        return Err(CommandError::missing_param("value"));
    };
    let mut settings = ProjectSettings::singleton();
    let existed = settings.has_setting(key);
    let old = settings.get_setting(key);
    let new = match (old.get_type(), value) {
        (VariantType::INT, Value::Number(number))
            if number.as_f64().is_some_and(|f| f.fract() == 0.0) =>
        {
            (number.as_f64().unwrap_or_default() as i64).to_variant()
        }
        _ => crate::json_variant::to_variant(value, VariantType::NIL, None)?,
    };
    settings.set_setting(key, &new);
    let saved = settings.save();
    if saved != godot::global::Error::OK {
        let restore = if existed { old.clone() } else { Variant::nil() };
        settings.set_setting(key, &restore);
        return Err(CommandError::internal(format!(
            "Failed to save project settings ({saved:?})"
        )));
    }
    Ok(into_object(json!({
        "key": key,
        "value": to_json(&new),
        "old_value": if existed { to_json(&old) } else { Value::Null },
        "type": type_string(new.get_type().ord() as i64).to_string(),
        "undoable": false,
        "reason": "ProjectSettings changes are saved to disk",
    })))
}
