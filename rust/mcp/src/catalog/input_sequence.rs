//! `game_manage` op=input_sequence: the checks godot-ai 3.2.5's server makes on a frame-timed
//! action plan before sending it, and the normalized plan it sends.
//!
//! The game applies each step on its frame and answers once the last frame (plus
//! `settle_frames`) has passed, so the caps bound how long that one reply can take. A plan that
//! passes [`normalize`] has 1 to [`MAX_STEPS`] steps, each `{at_frame, action, pressed,
//! strength}` with `at_frame` a whole number that never decreases, `pressed` a boolean,
//! `strength` within 0..=1, and spans at most [`MAX_FRAMES`] frames.

use godot_ai_protocol::{CommandError, JsonObject};
use serde_json::{Value, json};

use super::op_binding::Bound;
use crate::arguments::is_integer;

/// Most steps one plan may hold (the game helper's cap too).
pub(super) const MAX_STEPS: usize = 256;

/// Most frames one plan may span: the last step's frame plus `settle_frames`.
pub(super) const MAX_FRAMES: i64 = 600;

/// `{steps: [normalized step], settle_frames}` from the bound `steps` and `settle_frames`, or
/// `INVALID_PARAMS` naming the first field at fault (e.g. `steps[2].at_frame`).
pub(super) fn normalize(bound: &Bound) -> Result<JsonObject, CommandError> {
    let steps = match bound.value("steps") {
        Value::Array(steps) if !steps.is_empty() => steps,
        _ => return Err(bound.invalid("steps", "steps must be a non-empty list")),
    };
    if steps.len() > MAX_STEPS {
        let message = format!(
            "steps exceeds the {MAX_STEPS}-step cap (got {})",
            steps.len()
        );
        return Err(bound.invalid("steps", &message));
    }
    let settle_frames = bound
        .value("settle_frames")
        .as_i64()
        .filter(|frames| *frames >= 0)
        .ok_or_else(|| bound.invalid("settle_frames", "settle_frames must be an integer >= 0"))?;

    let mut normalized = Vec::with_capacity(steps.len());
    let mut previous_frame = -1;
    for (index, step) in steps.iter().enumerate() {
        let field = |name: &str| format!("steps[{index}].{name}");
        let Value::Object(step) = step else {
            let at = format!("steps[{index}]");
            return Err(bound.invalid(&at, &format!("{at} must be an object")));
        };
        let action = match step.get("action") {
            Some(Value::String(action)) if !action.is_empty() => action,
            _ => {
                let at = field("action");
                let message = format!("{at} is required and must be a non-empty string");
                return Err(bound.invalid(&at, &message));
            }
        };
        let at_frame = match step.get("at_frame") {
            None => 0,
            Some(frame) if is_integer(frame) && frame.as_f64().is_some_and(|f| f >= 0.0) => {
                frame.as_f64().unwrap_or_default() as i64
            }
            Some(_) => {
                let at = field("at_frame");
                return Err(bound.invalid(&at, &format!("{at} must be an integer >= 0")));
            }
        };
        if at_frame < previous_frame {
            let message = format!(
                "steps must be ordered by at_frame (steps[{index}]={at_frame} < previous \
                 {previous_frame})"
            );
            return Err(bound.invalid(&field("at_frame"), &message));
        }
        previous_frame = at_frame;
        let pressed = match step.get("pressed") {
            None => true,
            Some(Value::Bool(pressed)) => *pressed,
            Some(_) => {
                let at = field("pressed");
                return Err(bound.invalid(&at, &format!("{at} must be a boolean")));
            }
        };
        let strength = match step.get("strength") {
            None => 1.0,
            Some(Value::Number(strength)) => strength.as_f64().unwrap_or_default(),
            Some(_) => {
                let at = field("strength");
                return Err(bound.invalid(&at, &format!("{at} must be a number")));
            }
        };
        normalized.push(json!({
            "at_frame": at_frame,
            "action": action,
            "pressed": pressed,
            "strength": strength.clamp(0.0, 1.0),
        }));
    }

    let span = previous_frame.saturating_add(settle_frames);
    if span > MAX_FRAMES {
        let message = format!("sequence spans {span} frames, exceeds the {MAX_FRAMES}-frame cap");
        return Err(bound.invalid("steps", &message));
    }
    let mut plan = JsonObject::new();
    plan.insert("steps".to_owned(), Value::Array(normalized));
    plan.insert("settle_frames".to_owned(), json!(settle_frames));
    Ok(plan)
}
