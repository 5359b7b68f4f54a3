//! Saving project.godot after a change to one setting, all or nothing.

use godot::classes::ProjectSettings;
use godot::global::{Error, error_string};
use godot::prelude::*;
use godot_ai_protocol::CommandError;

/// Saves project.godot after `key` was changed. When the save fails, `key` gets `old` back (or
/// is erased if it did not exist) and the answer is godot-ai's error:
/// `Failed to save project settings while <doing>: <error text> (error N)`.
pub(in crate::commands) fn save_or_restore(
    key: &str,
    old: Option<Variant>,
    doing: &str,
) -> Result<(), CommandError> {
    let mut settings = ProjectSettings::singleton();
    let saved = settings.save();
    if saved == Error::OK {
        return Ok(());
    }
    match old {
        Some(old) => settings.set_setting(key, &old),
        None => settings.clear(key),
    }
    let code = saved.ord() as i64;
    Err(CommandError::internal(format!(
        "Failed to save project settings while {doing}: {} (error {code}). Check that \
         project.godot is writable, then retry.",
        error_string(code)
    )))
}
