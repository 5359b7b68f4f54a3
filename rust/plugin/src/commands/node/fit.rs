//! What a node property may be set to, beyond its type: the checks that keep a value from
//! breaking the scene instead of changing it.
//!
//! Godot accepts some values that leave a scene it can no longer save or load, and some that
//! it drops while the call looks successful:
//! - `scene_file_path` and `owner` tie a node to its scene file; the editor keeps them. Set by
//!   hand, the scene stops saving ("Cannot open file") or loses nodes on the next save.
//! - A resource of the wrong class for a typed property (a texture for `mesh`) is stored as
//!   null, clearing what was there.
//! - A script whose base class the node is not is refused by the engine, which prints an error
//!   and keeps the node without a script.
//!
//! Each is refused here with a parameter error saying what to do instead.

use godot::classes::{ClassDb, Resource, Script};
use godot::prelude::*;
use godot::register::info::PropertyHint;
use godot_ai_protocol::{CommandError, ErrorCode};

/// `INVALID_PARAMS` for a property the editor manages itself.
pub fn refuse_managed(property: &str) -> Result<(), CommandError> {
    let why = match property {
        "scene_file_path" => {
            "scene_file_path ties a node to its scene file and is kept by the editor; set by hand \
             it stops the scene from saving. Save under another file with scene_manage \
             (op save_as), or instance a scene with node_create's scene_path."
        }
        "owner" => {
            "owner ties a node to the scene it is saved in and is kept by the editor; nodes made \
             with these tools already belong to the edited scene. Move a node with node_manage \
             (op reparent)."
        }
        _ => return Ok(()),
    };
    Err(CommandError::new(ErrorCode::InvalidParams, why).with_data("property", property))
}

/// `WRONG_TYPE` when `value` is a resource that `object`'s property `property` cannot hold
/// (its hint names the classes it takes), or a script `object` cannot run.
pub fn check_object_value(
    object: &Gd<Object>,
    property: &str,
    info: &VarDictionary,
    value: &Variant,
) -> Result<(), CommandError> {
    let Ok(resource) = value.try_to::<Gd<Resource>>() else {
        return Ok(());
    };
    let hint = info
        .get("hint")
        .and_then(|hint| hint.try_to::<i64>().ok())
        .unwrap_or(0);
    if hint == PropertyHint::RESOURCE_TYPE.ord() as i64 {
        let accepted = info
            .get("hint_string")
            .map(|classes| classes.stringify().to_string())
            .unwrap_or_default();
        // A script class (`class_name`) is not known to ClassDb: left to the engine.
        let db = ClassDb::singleton();
        let fits = accepted.split(',').map(str::trim).any(|class| {
            class.is_empty()
                || !db.class_exists(&StringName::from(class))
                || resource.is_class(class)
        });
        if !fits {
            return Err(CommandError::new(
                ErrorCode::WrongType,
                format!(
                    "'{property}' takes a {accepted}; {} is a {}. Give a resource of that class, \
                     or null to clear it.",
                    shown_resource(&resource),
                    resource.get_class()
                ),
            ));
        }
    }
    if let Ok(script) = resource.try_cast::<Script>() {
        check_script_base(object, &script)?;
    }
    Ok(())
}

/// `WRONG_TYPE` when `script` extends a class `object` is not (Godot would refuse it, print
/// an error and leave the object without a script).
pub fn check_script_base(object: &Gd<Object>, script: &Gd<Script>) -> Result<(), CommandError> {
    let base = script.get_instance_base_type();
    let class = object.get_class();
    if base.is_empty() || ClassDb::singleton().is_parent_class(&StringName::from(&class), &base) {
        return Ok(());
    }
    Err(CommandError::new(
        ErrorCode::WrongType,
        format!(
            "{} extends {base}, which a {class} node is not: attach it to a {base} (or a \
             subclass), or change its extends line",
            shown_resource(&script.clone().upcast())
        ),
    ))
}

fn shown_resource(resource: &Gd<Resource>) -> String {
    match resource.get_path().to_string() {
        path if path.is_empty() => "the given resource".to_owned(),
        path => path,
    }
}
