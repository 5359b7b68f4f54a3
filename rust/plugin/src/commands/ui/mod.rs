//! The UI domain (godot-ai's `ui_manage`): anchoring a Control by Godot's layout presets,
//! setting a Control's text, building a whole Control tree from one JSON layout, and giving a
//! Control a drawing recipe (one undo step each).

mod anchors;
mod draw_recipe;
mod layout;

use godot::classes::Control;
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::params::{integer_or, optional_string, required_string};
use crate::commands::reply::into_object;
use crate::commands::scene::guard::node_at;
use crate::commands::undo::{change_property, undo_redo};
use anchors::{Preset, resize_mode};

pub use draw_recipe::control_draw_recipe;
pub use layout::build_layout;

/// The hint for a CanvasLayer where a Control is needed.
const CANVAS_LAYER_HINT: &str = "a CanvasLayer is not a Control: add a Control child (a Panel, \
                                 or a Control with anchor_preset full_rect) and anchor, style or \
                                 theme that one";

/// `WRONG_TYPE`: the node at `path` is not a Control (with the CanvasLayer hint for one).
fn not_a_control(path: &str, node: &Gd<Node>) -> CommandError {
    let class = node.get_class();
    let error = CommandError::new(
        ErrorCode::WrongType,
        format!("Node {path} is not a Control (got {class})"),
    );
    if class == "CanvasLayer" {
        error.with_data("hint", CANVAS_LAYER_HINT)
    } else {
        error
    }
}

/// The Control named by the required param `path`.
fn control_at(params: &JsonObject) -> Result<Gd<Control>, CommandError> {
    let path = required_string(params, "path")?;
    let (_, node) = node_at(params, "path")?;
    node.clone()
        .try_cast::<Control>()
        .map_err(|_| not_a_control(path, &node))
}

/// `set_anchor_preset {path, preset, resize_mode? ("minsize"), margin? (0)}`: Godot's
/// "Anchors and offsets" preset; undo gives back the four anchors and four offsets.
pub fn set_anchor_preset(params: &JsonObject) -> CommandResult {
    let path = required_string(params, "path")?;
    let preset = Preset::named(&required_string(params, "preset")?.to_lowercase())?;
    let mode_name = match optional_string(params, "resize_mode")?.to_lowercase() {
        name if name.is_empty() => "minsize".to_owned(),
        name => name,
    };
    let mode = resize_mode(&mode_name)?;
    let margin = integer_or(params, "margin", 0)?;
    let control = control_at(params)?;
    let mut history = undo_redo()?;
    history.create_action(&format!(
        "MCP: Set {} anchor preset {}",
        control.get_name(),
        preset.name
    ));
    history.add_do_method(
        &control,
        "set_anchors_and_offsets_preset",
        &[
            preset.value.ord().to_variant(),
            mode.ord().to_variant(),
            margin.to_variant(),
        ],
    );
    for property in anchors::SIDES
        .iter()
        .flat_map(|side| [format!("anchor_{side}"), format!("offset_{side}")])
    {
        history.add_undo_property(&control, &property, &control.get(&property));
    }
    history.commit_action();
    let read = |prefix: &str| -> Value {
        let sides: serde_json::Map<String, Value> = anchors::SIDES
            .iter()
            .map(|side| {
                let value = control.get(&format!("{prefix}_{side}"));
                ((*side).to_owned(), crate::variant_json::to_json(&value))
            })
            .collect();
        Value::Object(sides)
    };
    Ok(into_object(json!({
        "path": path,
        "preset": preset.name,
        "resize_mode": mode_name,
        "margin": margin,
        "anchors": read("anchor"),
        "offsets": read("offset"),
        "undoable": true,
    })))
}

/// `set_text {path, text}`: the Control's String `text` (Label, Button, LineEdit, ...).
pub fn set_text(params: &JsonObject) -> CommandResult {
    let path = required_string(params, "path")?;
    let text = match params.get("text") {
        None => return Err(CommandError::missing_param("text")),
        Some(Value::String(text)) => text,
        Some(_) => {
            return Err(CommandError::new(
                ErrorCode::WrongType,
                "text must be a string",
            ));
        }
    };
    let control = control_at(params)?;
    let class = control.get_class().to_string();
    let object = control.clone().upcast::<Object>();
    let declared = object
        .get_property_list()
        .iter_shared()
        .find(|info| {
            info.get("name")
                .is_some_and(|name| name.stringify() == "text")
        })
        .and_then(|info| info.get("type"))
        .and_then(|kind| kind.try_to::<i64>().ok());
    match declared {
        None => {
            return Err(CommandError::new(
                ErrorCode::PropertyNotOnClass,
                format!("Control {path} has no 'text' property (got {class})"),
            ));
        }
        Some(kind) if kind != VariantType::STRING.ord() as i64 => {
            return Err(CommandError::new(
                ErrorCode::PropertyNotOnClass,
                format!("Control {path} has a non-string 'text' property (got {class})"),
            ));
        }
        Some(_) => {}
    }
    let old_text = control.get("text").to_string();
    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Set {} text", control.get_name()));
    change_property(
        &mut history,
        &control,
        "text",
        &GString::from(text.as_str()).to_variant(),
    );
    history.commit_action();
    Ok(into_object(json!({
        "path": path,
        "text": text,
        "old_text": old_text,
        "node_type": class,
        "undoable": true,
    })))
}
