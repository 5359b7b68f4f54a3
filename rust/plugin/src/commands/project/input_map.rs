//! Project input actions: list, add, remove, bind events (saved to project.godot, so not
//! undoable).
//!
//! Each change is made to the editor's live `InputMap` and to the project setting
//! `input/<action>` = `{deadzone, events}`, then project.godot is saved; a failed save rolls
//! both back. The editor's InputMap starts with Godot's built-in actions only, so every
//! command first loads the project's declared actions into it (see [`project_input_map`]).

use std::collections::HashSet;

use godot::builtin::{AnyArray, AnyDictionary};
use godot::classes::{
    ConfigFile, InputEvent, InputEventJoypadButton, InputEventJoypadMotion, InputEventKey,
    InputEventMouseButton, InputMap, Os, ProjectSettings,
};
use godot::global::{Error, Key, MouseButton};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject, json_type_name};
use serde_json::{Value, json};

use crate::commands::params::{integer_or, required_name, required_string};
use crate::commands::project::settings::save_or_restore;
use crate::commands::reply::into_object;

const ACTIONS_REASON: &str = "Input actions are saved to project.godot";
const BINDINGS_REASON: &str = "Input bindings are saved to project.godot";
const DEFAULT_DEADZONE: f64 = 0.5;

/// `list_actions {include_builtin = false}`: the actions with their events. Only actions in
/// the `[input]` section of project.godot on disk count as user-authored; the others
/// (Godot's `ui_*`) are listed only with `include_builtin`.
pub fn list_actions(params: &JsonObject) -> CommandResult {
    let include_builtin = matches!(params.get("include_builtin"), Some(Value::Bool(true)));
    let user_authored = user_authored_actions();
    let mut map = project_input_map();
    let mut actions = Vec::new();
    for action in map.get_actions().iter_shared() {
        let name = action.to_string();
        let is_user = user_authored.contains(&name);
        if !include_builtin && !is_user {
            continue;
        }
        let events: Vec<Value> = map
            .action_get_events(&action)
            .iter_shared()
            .map(|event| serialize_event(&event))
            .collect();
        let event_count = events.len();
        actions.push(json!({
            "name": name,
            "events": events,
            "event_count": event_count,
            "is_builtin": !is_user,
        }));
    }
    let count = actions.len();
    Ok(into_object(json!({"actions": actions, "count": count})))
}

/// `add_action {action, deadzone = 0.5}`: a new action without events.
pub fn add_action(params: &JsonObject) -> CommandResult {
    let action = required_name(params, "action")?;
    let deadzone = number_or(params, "deadzone", DEFAULT_DEADZONE)?;
    let mut map = project_input_map();
    if map.has_action(action) {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "Action '{action}' already exists. Bind events to it with input_map_manage \
                 op=bind_event, or pick another name."
            ),
        ));
    }
    map.add_action_ex(action).deadzone(deadzone as f32).done();
    let key = setting_key(action);
    let mut settings = ProjectSettings::singleton();
    settings.set_setting(
        &key,
        &action_setting(deadzone, VarArray::new()).to_variant(),
    );
    if let Err(error) = save_or_restore(&key, None, &format!("adding action '{action}'")) {
        map.erase_action(action);
        return Err(error);
    }
    Ok(into_object(json!({
        "action": action,
        "deadzone": deadzone,
        "undoable": false,
        "reason": ACTIONS_REASON,
    })))
}

/// `remove_action {action}`: erases the action from the InputMap and, when project.godot
/// declares it, from there.
pub fn remove_action(params: &JsonObject) -> CommandResult {
    let action = required_name(params, "action")?;
    let mut map = project_input_map();
    if !map.has_action(action) {
        return Err(action_not_found(action));
    }
    if !user_authored_actions().contains(action) {
        // A built-in the project does not declare: erasing it would only break the editor's
        // own input (text editing, tree navigation) until restart, and save nothing.
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "'{action}' is one of Godot's built-in actions and is not declared by this \
                 project, so there is nothing to remove from project.godot"
            ),
        ));
    }
    let deadzone = map.action_get_deadzone(action);
    let events = map.action_get_events(action);
    let key = setting_key(action);
    let mut settings = ProjectSettings::singleton();
    let old = settings
        .has_setting(&key)
        .then(|| settings.get_setting(&key));
    map.erase_action(action);
    if let Some(old) = old {
        settings.clear(&key);
        if let Err(error) = save_or_restore(&key, Some(old), &format!("removing action '{action}'"))
        {
            map.add_action_ex(action).deadzone(deadzone).done();
            for event in events.iter_shared() {
                map.action_add_event(action, &event);
            }
            return Err(error);
        }
    }
    Ok(into_object(json!({
        "action": action,
        "removed": true,
        "undoable": false,
        "reason": ACTIONS_REASON,
    })))
}

/// `bind_event {action, event_type, ...}`: adds a `key` (`keycode`, `ctrl`/`alt`/`shift`/
/// `meta`), `mouse_button` (`button` >= 1) or `joy_button` (`button` >= 0) event to the
/// action. Binding an identical event again changes nothing and succeeds.
pub fn bind_event(params: &JsonObject) -> CommandResult {
    let action = required_name(params, "action")?;
    let event_type = required_string(params, "event_type")?;
    let mut map = project_input_map();
    if !map.has_action(action) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "Action '{action}' not found. Create it first with input_map_manage \
                 op=add_action."
            ),
        ));
    }
    let event = requested_event(event_type, params)?;
    bind_and_save(&mut map, action, &event)?;
    Ok(into_object(json!({
        "action": action,
        "event": serialize_event(&event),
        "undoable": false,
        "reason": BINDINGS_REASON,
    })))
}

/// A deadzone param (default 0.5), within 0..1.
fn deadzone_param(params: &JsonObject) -> Result<f64, CommandError> {
    let deadzone = number_or(params, "deadzone", DEFAULT_DEADZONE)?;
    if !(0.0..=1.0).contains(&deadzone) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "deadzone must be within 0..1 (got {deadzone}); typical values are 0.2 to 0.5,                  the default 0.5"
            ),
        ));
    }
    Ok(deadzone)
}

/// Makes `action` exist in the live map and in project.godot, leaving what is there alone: a
/// saved action is loaded (see [`project_input_map`]), a live one is saved with its deadzone
/// and events, a new one gets `deadzone` and no events. Whether it was created.
fn ensure(map: &mut Gd<InputMap>, action: &str, deadzone: f64) -> Result<bool, CommandError> {
    let key = setting_key(action);
    let mut settings = ProjectSettings::singleton();
    if settings.has_setting(&key) {
        return Ok(false);
    }
    let created = !map.has_action(action);
    let events = if created {
        map.add_action_ex(action).deadzone(deadzone as f32).done();
        VarArray::new()
    } else {
        let mut events = VarArray::new();
        for event in map.action_get_events(action).iter_shared() {
            events.push(&event.to_variant());
        }
        events
    };
    let stored = f64::from(map.action_get_deadzone(action));
    settings.set_setting(&key, &action_setting(stored, events).to_variant());
    if let Err(error) = save_or_restore(&key, None, &format!("saving action '{action}'")) {
        if created {
            map.erase_action(action);
        }
        return Err(error);
    }
    Ok(created)
}

/// `ensure_action {action, deadzone? (0.5, for a new action)}`: the action exists afterwards,
/// live and in project.godot; an existing one is left as it is.
pub fn ensure_action(params: &JsonObject) -> CommandResult {
    let action = required_name(params, "action")?;
    let deadzone = deadzone_param(params)?;
    let mut map = project_input_map();
    let created = ensure(&mut map, action, deadzone)?;
    Ok(into_object(json!({
        "action": action,
        "deadzone": f64::from(map.action_get_deadzone(action)),
        "created": created,
        "already_exists": !created,
        "loaded_in_input_map": true,
        "persisted": true,
        "undoable": false,
        "reason": ACTIONS_REASON,
    })))
}

/// `ensure_binding {action, event_type, deadzone?, ...bind_event's keys}`: the action exists
/// and has the event afterwards; an event already bound is not added again. The event is
/// checked before the action is made.
pub fn ensure_binding(params: &JsonObject) -> CommandResult {
    let action = required_name(params, "action")?;
    let event_type = required_string(params, "event_type")?;
    let deadzone = deadzone_param(params)?;
    let event = requested_event(event_type, params)?;
    let mut map = project_input_map();
    let action_created = ensure(&mut map, action, deadzone)?;
    let bound = map
        .action_get_events(action)
        .iter_shared()
        .find(|existing| existing.is_match_ex(&event).exact_match(true).done());
    if let Some(existing) = bound {
        return Ok(into_object(json!({
            "action": action,
            "event": serialize_event(&existing),
            "already_bound": true,
            "action_created": action_created,
            "undoable": false,
            "reason": "Input binding already exists",
        })));
    }
    bind_and_save(&mut map, action, &event)?;
    Ok(into_object(json!({
        "action": action,
        "event": serialize_event(&event),
        "already_bound": false,
        "action_created": action_created,
        "undoable": false,
        "reason": BINDINGS_REASON,
    })))
}

/// The InputMap, with the project's own actions in it.
///
/// The editor loads only Godot's built-in actions into its InputMap at start-up; the
/// project's (the `input/<action>` settings) are missing until added. Each command first adds
/// every declared action the map lacks, with its deadzone and events, so actions saved in an
/// earlier session can be listed, bound and removed, and are not re-added empty. Actions the
/// map has (built-ins, ones added this session) are left alone.
fn project_input_map() -> Gd<InputMap> {
    let mut map = InputMap::singleton();
    let settings = ProjectSettings::singleton();
    for info in settings.get_property_list().iter_shared() {
        let Some(key) = info.get("name").map(|name| name.stringify().to_string()) else {
            continue;
        };
        let Some(action) = key.strip_prefix("input/") else {
            continue;
        };
        if action.is_empty() || map.has_action(action) {
            continue;
        }
        let Ok(setting) = settings.get_setting(&key).try_to::<AnyDictionary>() else {
            continue;
        };
        let deadzone = setting
            .get(&"deadzone".to_variant())
            .and_then(|deadzone| deadzone.try_to::<f64>().ok())
            .unwrap_or(DEFAULT_DEADZONE);
        map.add_action_ex(action).deadzone(deadzone as f32).done();
        let events = setting
            .get(&"events".to_variant())
            .and_then(|events| events.try_to::<AnyArray>().ok());
        for event in events.iter().flat_map(AnyArray::iter_shared) {
            if let Ok(event) = event.try_to::<Gd<InputEvent>>() {
                map.action_add_event(action, &event);
            }
        }
    }
    map
}

/// `VALUE_OUT_OF_RANGE` (godot-ai's code here) for an action the InputMap lacks.
fn action_not_found(action: &str) -> CommandError {
    CommandError::new(
        ErrorCode::ValueOutOfRange,
        format!(
            "Action '{action}' not found. Use input_map_manage op=list (include_builtin=true \
             for Godot's ui_* actions) to see the actions."
        ),
    )
}

fn setting_key(action: &str) -> String {
    format!("input/{action}")
}

/// The value of `input/<action>`: `{deadzone, events}`.
fn action_setting(deadzone: f64, events: VarArray) -> VarDictionary {
    let mut setting = VarDictionary::new();
    setting.set("deadzone", deadzone);
    setting.set("events", &events);
    setting
}

/// Adds `event` to `input/<action>` (keeping the saved deadzone, 0.5 when there is none) and
/// saves; restores the old setting if the save fails. The saved events are the base when the
/// project declares the action (the editor's live map may hold Godot's defaults for an
/// overridden `ui_*` action, or be stale), the live map's otherwise.
fn save_action_events(action: &str, event: &Gd<InputEvent>) -> Result<(), CommandError> {
    let key = setting_key(action);
    let mut settings = ProjectSettings::singleton();
    let old = settings
        .has_setting(&key)
        .then(|| settings.get_setting(&key));
    let saved_events = old
        .as_ref()
        .and_then(|old| old.try_to::<AnyDictionary>().ok())
        .and_then(|old| old.get(&"events".to_variant()))
        .and_then(|events| events.try_to::<AnyArray>().ok());
    let mut events = VarArray::new();
    match saved_events {
        Some(saved) => {
            let mut already = false;
            for existing in saved.iter_shared() {
                if let Ok(existing) = existing.try_to::<Gd<InputEvent>>() {
                    already |= existing.is_match_ex(event).exact_match(true).done();
                    events.push(&existing.to_variant());
                }
            }
            if !already {
                events.push(&event.to_variant());
            }
        }
        None => {
            for existing in InputMap::singleton()
                .action_get_events(action)
                .iter_shared()
            {
                events.push(&existing.to_variant());
            }
        }
    }
    let deadzone = old
        .as_ref()
        .and_then(|old| old.try_to::<AnyDictionary>().ok())
        .and_then(|old| old.get(&"deadzone".to_variant()))
        .and_then(|deadzone| deadzone.try_to::<f64>().ok())
        .unwrap_or(DEFAULT_DEADZONE);
    settings.set_setting(&key, &action_setting(deadzone, events).to_variant());
    save_or_restore(&key, old, &format!("binding event to action '{action}'"))
}

/// The event `event_type` and the params describe; `VALUE_OUT_OF_RANGE` saying why not.
fn requested_event(event_type: &str, params: &JsonObject) -> Result<Gd<InputEvent>, CommandError> {
    create_event(event_type, params).map_err(|detail| {
        CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "Unsupported event_type: {event_type} (use key, mouse_button, or \
                 joy_button){detail}"
            ),
        )
    })
}

/// Adds `event` to `action` live and in project.godot; a failed save takes it off again.
fn bind_and_save(
    map: &mut Gd<InputMap>,
    action: &str,
    event: &Gd<InputEvent>,
) -> Result<(), CommandError> {
    map.action_add_event(action, event);
    save_action_events(action, event).inspect_err(|_| map.action_erase_event(action, event))
}

/// The event `bind_event` describes, or why it cannot be made (appended to the error).
fn create_event(event_type: &str, params: &JsonObject) -> Result<Gd<InputEvent>, String> {
    match event_type {
        "key" => key_event(params).map(Gd::upcast),
        "mouse_button" => {
            let button =
                integer_or(params, "button", 0).map_err(|error| format!(" — {}", error.message))?;
            let button = i32::try_from(button).ok().filter(|button| *button > 0).ok_or(
                " — mouse_button needs button >= 1 (1 left, 2 right, 3 middle, 4/5 wheel up/down)",
            )?;
            let mut event = InputEventMouseButton::new_gd();
            event.set_button_index(MouseButton::from_ord(button));
            Ok(event.upcast())
        }
        "joy_button" => {
            if !params.contains_key("button") {
                return Err(" — joy_button needs button (0 is the bottom face button)".to_owned());
            }
            let button =
                integer_or(params, "button", 0).map_err(|error| format!(" — {}", error.message))?;
            if !(0..=i64::from(i32::MAX)).contains(&button) {
                return Err(" — joy_button needs button >= 0".to_owned());
            }
            let mut event = InputEventJoypadButton::new_gd();
            // Through the property: the typed setter only takes the named JoyButton values.
            event.set("button_index", &button.to_variant());
            Ok(event.upcast())
        }
        _ => Err(String::new()),
    }
}

/// A key event from `keycode` (a key name such as "A", "Space", "Escape", "F1") and the
/// `ctrl`/`alt`/`shift`/`meta` flags. Only the layout keycode is set, never the physical one.
fn key_event(params: &JsonObject) -> Result<Gd<InputEventKey>, String> {
    let name = match params.get("keycode") {
        Some(Value::String(name)) if !name.is_empty() => name.as_str(),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            return Err(
                " — key needs keycode, a key name such as \"A\", \"Space\", \"Escape\", \"F1\""
                    .to_owned(),
            );
        }
        Some(other) => {
            return Err(format!(
                " — keycode must be a key name string such as \"A\" or \"Space\", got {}",
                json_type_name(other)
            ));
        }
    };
    let keycode = Os::singleton().find_keycode_from_string(name);
    if keycode == Key::NONE {
        return Err(format!(
            " — '{name}' is not a key name; use names such as \"A\", \"Space\", \"Enter\", \
             \"Escape\", \"F1\", \"Left\""
        ));
    }
    let flag = |key: &str| matches!(params.get(key), Some(Value::Bool(true)));
    let mut event = InputEventKey::new_gd();
    event.set_keycode(keycode);
    event.set_ctrl_pressed(flag("ctrl"));
    event.set_alt_pressed(flag("alt"));
    event.set_shift_pressed(flag("shift"));
    event.set_meta_pressed(flag("meta"));
    Ok(event)
}

/// godot-ai's event shapes: `key`, `mouse_button`, `joy_button`, `joy_axis`, else
/// `{type: <class>, string}`.
fn serialize_event(event: &Gd<InputEvent>) -> Value {
    if let Ok(key) = event.clone().try_cast::<InputEventKey>() {
        return json!({
            "type": "key",
            "keycode": key_name(key.get_keycode()),
            "physical_keycode": key_name(key.get_physical_keycode()),
            "ctrl": key.is_ctrl_pressed(),
            "alt": key.is_alt_pressed(),
            "shift": key.is_shift_pressed(),
            "meta": key.is_meta_pressed(),
        });
    }
    // Joypad indices are read through properties: the typed getters only know the named
    // enum values and would fail on other (valid) indices.
    if event.clone().try_cast::<InputEventMouseButton>().is_ok() {
        return json!({"type": "mouse_button", "button": int_property(event, "button_index")});
    }
    if event.clone().try_cast::<InputEventJoypadButton>().is_ok() {
        return json!({"type": "joy_button", "button": int_property(event, "button_index")});
    }
    if let Ok(motion) = event.clone().try_cast::<InputEventJoypadMotion>() {
        return json!({
            "type": "joy_axis",
            "axis": int_property(event, "axis"),
            "axis_value": f64::from(motion.get_axis_value()),
        });
    }
    json!({
        "type": event.get_class().to_string(),
        "string": event.to_variant().stringify().to_string(),
    })
}

fn int_property(event: &Gd<InputEvent>, property: &str) -> i64 {
    event.get(property).try_to::<i64>().unwrap_or(0)
}

/// A key's name as Godot spells it ("Space", "A"); `""` for no key.
fn key_name(key: Key) -> String {
    if key == Key::NONE {
        String::new()
    } else {
        Os::singleton().get_keycode_string(key).to_string()
    }
}

/// The actions declared in the `[input]` section of project.godot on disk (none when it
/// cannot be read).
fn user_authored_actions() -> HashSet<String> {
    let mut file = ConfigFile::new_gd();
    if file.load("res://project.godot") != Error::OK || !file.has_section("input") {
        return HashSet::new();
    }
    file.get_section_keys("input")
        .as_slice()
        .iter()
        .map(GString::to_string)
        .collect()
}

/// An optional number param with a default.
fn number_or(params: &JsonObject, name: &str, default: f64) -> Result<f64, CommandError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Number(number)) => number.as_f64().ok_or_else(|| {
            CommandError::new(
                ErrorCode::InvalidParams,
                format!("Param '{name}' must be a number"),
            )
        }),
        Some(other) => Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "Param '{name}' must be a number, got {}",
                json_type_name(other)
            ),
        )),
    }
}
