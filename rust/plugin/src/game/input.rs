//! Input for the live game: actions, keys, mouse, gamepad, timed action sequences, and the
//! state of actions.
//!
//! Events go through `Input.parse_input_event`, so the game sees them as it sees a player's:
//! `_input` handlers run and action states change (an action event both). Soft failures (an
//! unknown key or action) answer `{sent: false, error}`, as godot-ai's game helper does.

use std::cell::RefCell;

use godot::classes::{
    Input, InputEvent, InputEventAction, InputEventJoypadButton, InputEventJoypadMotion,
    InputEventKey, InputEventMouseButton, InputEventMouseMotion, InputMap, Os,
};
use godot::global::{JoyAxis, JoyButton, Key, MouseButton, MouseButtonMask};
use godot::prelude::*;
use serde_json::{Map, Value, json};

use super::reply;
use super::requests::{flag, integer, number, text};

type OpResult = Result<Value, (&'static str, String)>;

fn send_event(event: Gd<impl Inherits<InputEvent>>) {
    Input::singleton().parse_input_event(&event.upcast::<InputEvent>());
}

/// `input_action {action, pressed = true, strength = 1.0}`.
pub fn action(params: &Map<String, Value>) -> OpResult {
    let action = text(params, "action", "");
    if action.is_empty() {
        return Ok(json!({"sent": false, "error": "Missing action"}));
    }
    if !InputMap::singleton().has_action(action) {
        return Ok(
            json!({"sent": false, "action": action, "error": format!("Unknown action: {action}")}),
        );
    }
    let pressed = flag(params, "pressed", true);
    let strength = number(params, "strength", 1.0).clamp(0.0, 1.0);
    press_action(action, pressed, strength);
    Ok(json!({
        "sent": true,
        "action": action,
        "pressed": pressed,
        "strength": strength,
        "delivery": "event",
    }))
}

fn press_action(action: &str, pressed: bool, strength: f64) {
    let mut event = InputEventAction::new_gd();
    event.set_action(action);
    event.set_pressed(pressed);
    event.set_strength(if pressed { strength as f32 } else { 0.0 });
    send_event(event);
}

/// `input_key {key, pressed = true, echo = false}`: `key` as Godot spells it (`A`, `Space`,
/// `Ctrl+S`).
pub fn key(params: &Map<String, Value>) -> OpResult {
    let name = text(params, "key", "");
    let keycode = Os::singleton().find_keycode_from_string(name);
    if name.is_empty() || keycode == Key::NONE {
        return Ok(json!({"sent": false, "error": format!("Unknown key: {name}")}));
    }
    let pressed = flag(params, "pressed", true);
    let mut event = InputEventKey::new_gd();
    event.set_keycode(keycode);
    event.set_physical_keycode(keycode);
    event.set_pressed(pressed);
    event.set_echo(flag(params, "echo", false));
    send_event(event);
    Ok(json!({"sent": true, "key": name, "pressed": pressed}))
}

/// `input_mouse {event: "motion" | "button", position?, button = "left", pressed = true}`:
/// `position` as `{x, y}` or `[x, y]`, missing parts from the current mouse position.
pub fn mouse(params: &Map<String, Value>) -> OpResult {
    let kind = text(params, "event", "");
    let position = match position(params.get("position")) {
        Ok(position) => position,
        Err(error) => return Ok(json!({"sent": false, "event": kind, "error": error})),
    };
    match kind {
        "motion" => {
            let mut event = InputEventMouseMotion::new_gd();
            event.set_position(position);
            event.set_global_position(position);
            send_event(event);
            Ok(
                json!({"sent": true, "event": "motion", "position": {"x": position.x, "y": position.y}}),
            )
        }
        "button" => {
            let name = text(params, "button", "left");
            let Some((button, mask)) = mouse_button(name) else {
                return Ok(
                    json!({"sent": false, "event": kind, "error": format!("Unknown mouse button: {name}")}),
                );
            };
            let pressed = flag(params, "pressed", true);
            let mut event = InputEventMouseButton::new_gd();
            event.set_button_index(button);
            event.set_pressed(pressed);
            event.set_position(position);
            event.set_global_position(position);
            if pressed {
                event.set_button_mask(mask);
            }
            send_event(event);
            Ok(json!({
                "sent": true,
                "event": "button",
                "button": name,
                "pressed": pressed,
                "position": {"x": position.x, "y": position.y},
            }))
        }
        other => Ok(json!({"sent": false, "error": format!("Invalid mouse event: {other}")})),
    }
}

fn mouse_button(name: &str) -> Option<(MouseButton, MouseButtonMask)> {
    Some(match name {
        "left" => (MouseButton::LEFT, MouseButtonMask::LEFT),
        "right" => (MouseButton::RIGHT, MouseButtonMask::RIGHT),
        "middle" => (MouseButton::MIDDLE, MouseButtonMask::MIDDLE),
        "wheel_up" => (MouseButton::WHEEL_UP, MouseButtonMask::default()),
        "wheel_down" => (MouseButton::WHEEL_DOWN, MouseButtonMask::default()),
        _ => return None,
    })
}

/// The event position: `{x, y}` or `[x, y]`; a missing coordinate is the mouse's own.
fn position(value: Option<&Value>) -> Result<Vector2, String> {
    let mouse = godot::classes::Engine::singleton()
        .get_main_loop()
        .and_then(|main_loop| main_loop.try_cast::<godot::classes::SceneTree>().ok())
        .and_then(|tree| tree.get_root())
        .map(|root| root.get_mouse_position())
        .unwrap_or_default();
    let coordinate = |value: Option<&Value>, fallback: f32| match value {
        None | Some(Value::Null) => Ok(fallback),
        Some(value) => value
            .as_f64()
            .map(|number| number as f32)
            .ok_or_else(|| format!("position coordinates must be numbers, got {value}")),
    };
    match value {
        None | Some(Value::Null) => Ok(mouse),
        Some(Value::Object(map)) => Ok(Vector2::new(
            coordinate(map.get("x"), mouse.x)?,
            coordinate(map.get("y"), mouse.y)?,
        )),
        Some(Value::Array(items)) if items.len() == 2 => Ok(Vector2::new(
            coordinate(items.first(), mouse.x)?,
            coordinate(items.get(1), mouse.y)?,
        )),
        Some(other) => Err(format!("position must be {{x, y}} or [x, y], got {other}")),
    }
}

/// `input_gamepad {device = 0, control = "button", index = 0, pressed = true, value = 0.0}`.
pub fn gamepad(params: &Map<String, Value>) -> OpResult {
    let device = integer(params, "device", 0) as i32;
    let index = integer(params, "index", 0);
    match text(params, "control", "button") {
        "button" => {
            let Some(button) = i32::try_from(index).ok().and_then(JoyButton::try_from_ord) else {
                return Ok(
                    json!({"sent": false, "error": format!("Invalid gamepad button index: {index}")}),
                );
            };
            let pressed = flag(params, "pressed", true);
            let mut event = InputEventJoypadButton::new_gd();
            event.set_device(device);
            event.set_button_index(button);
            event.set_pressed(pressed);
            event.set_pressure(if pressed { 1.0 } else { 0.0 });
            send_event(event);
            Ok(
                json!({"sent": true, "control": "button", "device": device, "index": index, "pressed": pressed}),
            )
        }
        "axis" => {
            let Some(axis) = i32::try_from(index).ok().and_then(JoyAxis::try_from_ord) else {
                return Ok(
                    json!({"sent": false, "error": format!("Invalid gamepad axis index: {index}")}),
                );
            };
            let value = number(params, "value", 0.0).clamp(-1.0, 1.0);
            let mut event = InputEventJoypadMotion::new_gd();
            event.set_device(device);
            event.set_axis(axis);
            event.set_axis_value(value as f32);
            send_event(event);
            Ok(
                json!({"sent": true, "control": "axis", "device": device, "index": index, "value": value}),
            )
        }
        other => Ok(json!({"sent": false, "error": format!("Invalid gamepad control: {other}")})),
    }
}

/// `input_state {actions?}`: `{actions: {name: pressed}}` for the named actions, or every one
/// the game's input map has.
pub fn state(params: &Map<String, Value>) -> OpResult {
    let input = Input::singleton();
    let names: Vec<String> = match params.get("actions") {
        Some(Value::Array(names)) if !names.is_empty() => names
            .iter()
            .map(|name| {
                name.as_str()
                    .map_or_else(|| name.to_string(), str::to_owned)
            })
            .collect(),
        _ => InputMap::singleton()
            .get_actions()
            .iter_shared()
            .map(|name| name.to_string())
            .collect(),
    };
    let mut actions = Map::new();
    for name in names {
        let pressed = InputMap::singleton().has_action(&name) && input.is_action_pressed(&name);
        actions.insert(name, json!(pressed));
    }
    Ok(json!({"actions": actions}))
}

/// One step of a sequence: at frame `at_frame` (counted from the start), press or release.
struct Step {
    at_frame: u64,
    action: String,
    pressed: bool,
    strength: f64,
}

/// A sequence being played, one frame at a time.
struct Sequence {
    id: i64,
    steps: Vec<Step>,
    next: usize,
    frame: u64,
    end_frame: u64,
    applied: Vec<Value>,
}

thread_local! {
    static SEQUENCES: RefCell<Vec<Sequence>> = const { RefCell::new(Vec::new()) };
}

/// `input_sequence {steps: [{at_frame, action, pressed, strength}], settle_frames}` (already
/// validated and ordered by the endpoint): checks every action, then plays the steps on their
/// frames; replies when the last frame has passed.
pub fn start_sequence(id: i64, params: &Map<String, Value>) {
    let mut steps = Vec::new();
    for step in params
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(step) = step.as_object() else {
            continue;
        };
        let action = text(step, "action", "").to_owned();
        if !InputMap::singleton().has_action(&action) {
            reply(
                id,
                Err(("INVALID_PARAMS", format!("Unknown action: {action}"))),
            );
            return;
        }
        steps.push(Step {
            at_frame: integer(step, "at_frame", 0).max(0) as u64,
            action,
            pressed: flag(step, "pressed", true),
            strength: number(step, "strength", 1.0).clamp(0.0, 1.0),
        });
    }
    steps.sort_by_key(|step| step.at_frame);
    let settle = integer(params, "settle_frames", 0).max(0) as u64;
    let end_frame = steps.last().map_or(0, |step| step.at_frame) + settle;
    // Frame 0 is played by this frame's `advance_sequences`, which runs after the requests.
    SEQUENCES.with(|sequences| {
        sequences.borrow_mut().push(Sequence {
            id,
            steps,
            next: 0,
            frame: 0,
            end_frame,
            applied: Vec::new(),
        })
    });
}

/// Plays this frame's steps of every sequence; replies for the ones that have ended.
pub fn advance_sequences() {
    let mut sequences = SEQUENCES.with(|sequences| std::mem::take(&mut *sequences.borrow_mut()));
    if sequences.is_empty() {
        return;
    }
    let mut running = Vec::new();
    for mut sequence in sequences.drain(..) {
        while let Some(step) = sequence.steps.get(sequence.next) {
            if step.at_frame > sequence.frame {
                break;
            }
            press_action(&step.action, step.pressed, step.strength);
            sequence.applied.push(json!({
                "at_frame": step.at_frame,
                "action": step.action,
                "pressed": step.pressed,
            }));
            sequence.next += 1;
        }
        if sequence.frame >= sequence.end_frame {
            let mut input = Input::singleton();
            // Events may be buffered until the next frame; the state must include them.
            input.flush_buffered_events();
            let mut pressed_at_end: Vec<String> = sequence
                .steps
                .iter()
                .map(|step| step.action.clone())
                .filter(|action| input.is_action_pressed(action))
                .collect();
            pressed_at_end.sort();
            pressed_at_end.dedup();
            reply(
                sequence.id,
                Ok(json!({
                    "completed": true,
                    "steps_applied": sequence.applied.len(),
                    "frames_elapsed": sequence.end_frame,
                    "applied": sequence.applied,
                    "actions_pressed_at_end": pressed_at_end,
                })),
            );
        } else {
            sequence.frame += 1;
            running.push(sequence);
        }
    }
    SEQUENCES.with(|slot| slot.borrow_mut().extend(running));
}
