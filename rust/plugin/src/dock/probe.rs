//! `dock_probe`, behind the `test_dock` test tool (only with `GODOT_AI_TEST_HOOKS=1`): the
//! dock's named controls and their texts, or a press of one of its buttons, so an end-to-end
//! test reads and uses the dock as a person would.

use godot::classes::{BaseButton, Control, Label, LineEdit, RenderingServer, TabContainer};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use super::find;

/// `dock_probe {op: "read"}` → `{controls: {name: {text, disabled?}}}`;
/// `dock_probe {op: "press", button}` → `{pressed: name}`;
/// `dock_probe {op: "show"}` → `{shown}`: the dock's tab brought to the front;
/// `dock_probe {op: "screenshot"}` → the editor window drawn and cut to the dock, as
/// screenshot data (`png_base64`, `width`, `height`).
pub fn dock_probe(params: &JsonObject) -> CommandResult {
    if !godot_ai_mcp::catalog::test_hooks::enabled() {
        return Err(CommandError::new(
            ErrorCode::UnknownCommand,
            "dock_probe is a test hook: start the editor with GODOT_AI_TEST_HOOKS=1",
        ));
    }
    let dock = find().ok_or_else(|| {
        CommandError::internal("The dock is not in this editor (is the plugin enabled?)")
    })?;
    let op = params.get("op").and_then(Value::as_str).unwrap_or("read");
    match op {
        "read" => {
            let mut controls = JsonObject::new();
            collect(&dock.upcast::<Node>(), &mut controls);
            Ok(object(json!({ "controls": controls })))
        }
        "press" => {
            let name = params.get("button").and_then(Value::as_str).unwrap_or("");
            let button = dock
                .find_child_ex(name)
                .recursive(true)
                .owned(false)
                .done()
                .and_then(|node| node.try_cast::<BaseButton>().ok())
                .ok_or_else(|| {
                    CommandError::new(
                        ErrorCode::NodeNotFound,
                        format!("The dock has no button named '{name}'"),
                    )
                })?;
            if button.is_disabled() {
                return Err(CommandError::new(
                    ErrorCode::InvalidParams,
                    format!("The dock's button '{name}' is disabled"),
                ));
            }
            let mut button = button;
            button.emit_signal("pressed", &[]);
            Ok(object(json!({ "pressed": name })))
        }
        "show" => {
            let shown = bring_to_front(&dock.clone().upcast::<Node>());
            Ok(object(json!({ "shown": shown })))
        }
        "screenshot" => screenshot(dock),
        other => Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!("Unknown op '{other}' for dock_probe; use read, press, show or screenshot"),
        )),
    }
}

fn screenshot(dock: Gd<super::GodotAiDock>) -> CommandResult {
    RenderingServer::singleton()
        .force_draw_ex()
        .swap_buffers(false)
        .done();
    let rect = dock.get_global_rect();
    let image = dock
        .get_viewport()
        .and_then(|viewport| viewport.get_texture())
        .and_then(|texture| texture.get_image())
        .filter(|image| !image.is_empty())
        .ok_or_else(|| CommandError::internal("The editor window could not be captured"))?;
    let region = Rect2i::new(
        Vector2i::new(rect.position.x as i32, rect.position.y as i32),
        Vector2i::new(rect.size.x as i32, rect.size.y as i32),
    );
    let cropped = image
        .get_region(region)
        .ok_or_else(|| CommandError::internal("The dock's area could not be cut out"))?;
    let mut data = object(crate::commands::editor::screenshot::encode(
        cropped, 0, "dock",
    ));
    // Kept as data (not an image block) so the test reads it from the structured result.
    if let Some(png) = data.remove("image_base64") {
        data.insert("png_base64".to_owned(), png);
    }
    Ok(data)
}

/// Makes the dock's tab the current one in its dock slot; false when it is in no tabs.
fn bring_to_front(dock: &Gd<Node>) -> bool {
    let mut branch = dock.clone();
    while let Some(parent) = branch.get_parent() {
        if let (Ok(mut tabs), Ok(control)) = (
            parent.clone().try_cast::<TabContainer>(),
            branch.clone().try_cast::<Control>(),
        ) {
            let index = tabs.get_tab_idx_from_control(&control);
            if index >= 0 {
                tabs.set_current_tab(index);
                return true;
            }
        }
        branch = parent;
    }
    false
}

/// Every descendant of `node` with a text, by node name.
fn collect(node: &Gd<Node>, controls: &mut JsonObject) {
    for child in node.get_children().iter_shared() {
        let name = child.get_name().to_string();
        let text = if let Ok(label) = child.clone().try_cast::<Label>() {
            Some(json!({"text": label.get_text().to_string()}))
        } else if let Ok(line) = child.clone().try_cast::<LineEdit>() {
            Some(json!({"text": line.get_text().to_string()}))
        } else if let Ok(button) = child.clone().try_cast::<godot::classes::Button>() {
            Some(json!({"text": button.get_text().to_string(), "disabled": button.is_disabled()}))
        } else {
            None
        };
        if let Some(entry) = text
            && child.clone().try_cast::<Control>().is_ok()
        {
            controls.insert(name, entry);
        }
        collect(&child, controls);
    }
}

fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    }
}
