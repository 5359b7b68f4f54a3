//! The `Camera2D`-only helpers: following a node, scroll limits, smoothing and drag margins.

use godot::classes::Node2D;
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use super::{Camera, Kind};
use crate::commands::params::{flag_or, optional_number, optional_string, required_string};
use crate::commands::reply::into_object;
use crate::commands::scene::paths::{resolve, scene_path};
use crate::commands::undo::{Half, change_property, reown, scene_owned_subtree, undo_redo};

/// The camera at `camera_path`, which must be a `Camera2D` for `command`.
fn camera_2d(params: &JsonObject, command: &str) -> Result<Camera, CommandError> {
    let camera = Camera::at(params)?;
    if camera.kind != Kind::TwoD {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "{command} requires a Camera2D (got {})",
                camera.node.get_class()
            ),
        ));
    }
    Ok(camera)
}

/// Property changes to make in one action, and how results show them.
#[derive(Default)]
struct Changes {
    list: Vec<(&'static str, Variant)>,
}

impl Changes {
    fn set(&mut self, property: &'static str, value: Variant) {
        self.list.push((property, value));
    }

    /// Commits the changes on `camera` as the action `action` and answers
    /// `{path, applied, values, undoable}`.
    fn commit(self, camera: &Camera, path: &str, action: &str) -> CommandResult {
        let mut history = undo_redo()?;
        history.create_action(action);
        let mut values = JsonObject::new();
        for (property, value) in &self.list {
            change_property(&mut history, &camera.node, property, value);
            values.insert((*property).to_owned(), crate::variant_json::to_json(value));
        }
        history.commit_action();
        let applied: Vec<&str> = self.list.iter().map(|(property, _)| *property).collect();
        Ok(into_object(json!({
            "path": path,
            "applied": applied,
            "values": values,
            "undoable": true,
        })))
    }
}

/// `camera_set_limits_2d {camera_path, left?, right?, top?, bottom?, smoothed?}`: scroll
/// limits in pixels; an absent or null limit is left as it is.
pub fn camera_set_limits_2d(params: &JsonObject) -> CommandResult {
    let camera = camera_2d(params, "camera_set_limits_2d")?;
    let mut changes = Changes::default();
    for (param, property) in [
        ("left", "limit_left"),
        ("right", "limit_right"),
        ("top", "limit_top"),
        ("bottom", "limit_bottom"),
    ] {
        if let Some(limit) = optional_integer(params, param)? {
            changes.set(property, limit.to_variant());
        }
    }
    if let Some(smoothed) = optional_flag(params, "smoothed")? {
        changes.set("limit_smoothed", smoothed.to_variant());
    }
    if changes.list.is_empty() {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "No limits specified; provide at least one of left, right, top, bottom, smoothed",
        ));
    }
    let action = format!("MCP: Set camera limits on {}", camera.node.get_name());
    changes.commit(&camera, required_string(params, "camera_path")?, &action)
}

/// `camera_set_damping_2d {camera_path, position_speed?, rotation_speed?, drag_margins?,
/// drag_horizontal_enabled?, drag_vertical_enabled?}`: a speed above 0 turns that smoothing
/// on at that speed, 0 turns it off; margins are fractions of the screen in [0, 1].
pub fn camera_set_damping_2d(params: &JsonObject) -> CommandResult {
    let camera = camera_2d(params, "camera_set_damping_2d")?;
    let mut changes = Changes::default();
    for (param, enabled, speed) in [
        (
            "position_speed",
            "position_smoothing_enabled",
            "position_smoothing_speed",
        ),
        (
            "rotation_speed",
            "rotation_smoothing_enabled",
            "rotation_smoothing_speed",
        ),
    ] {
        if let Some(value) = optional_number(params, param)? {
            changes.set(enabled, (value > 0.0).to_variant());
            if value > 0.0 {
                changes.set(speed, value.to_variant());
            }
        }
    }
    for (param, property) in [
        ("drag_horizontal_enabled", "drag_horizontal_enabled"),
        ("drag_vertical_enabled", "drag_vertical_enabled"),
    ] {
        if let Some(flag) = optional_flag(params, param)? {
            changes.set(property, flag.to_variant());
        }
    }
    match params.get("drag_margins") {
        None | Some(Value::Null) => {}
        Some(Value::Object(margins)) => {
            for (edge, property) in [
                ("left", "drag_left_margin"),
                ("top", "drag_top_margin"),
                ("right", "drag_right_margin"),
                ("bottom", "drag_bottom_margin"),
            ] {
                match margins.get(edge) {
                    None | Some(Value::Null) => {}
                    Some(Value::Number(margin))
                        if margin.as_f64().is_some_and(|m| (0.0..=1.0).contains(&m)) =>
                    {
                        changes.set(property, margin.as_f64().unwrap_or(0.0).to_variant());
                    }
                    Some(other) => {
                        return Err(CommandError::new(
                            ErrorCode::InvalidParams,
                            format!("drag_margins.{edge} must be in [0, 1] (got {other})"),
                        ));
                    }
                }
            }
        }
        Some(_) => {
            return Err(CommandError::new(
                ErrorCode::WrongType,
                "drag_margins must be a dict with optional keys left/top/right/bottom",
            ));
        }
    }
    if changes.list.is_empty() {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "No damping params specified; provide at least one of position_speed, \
             rotation_speed, drag_margins, drag_horizontal_enabled, drag_vertical_enabled",
        ));
    }
    let action = format!("MCP: Set camera damping on {}", camera.node.get_name());
    changes.commit(&camera, required_string(params, "camera_path")?, &action)
}

/// `camera_follow_2d {camera_path, target_path, smoothing_speed? (5), zero_transform?
/// (true)}`: the camera becomes a child of the target (so it follows it), with position
/// smoothing on; with `zero_transform` it sits on the target.
pub fn camera_follow_2d(params: &JsonObject) -> CommandResult {
    let camera = camera_2d(params, "camera_follow_2d")?;
    let target_path = optional_string(params, "target_path")?;
    if target_path.is_empty() {
        return Err(CommandError::missing_param("target_path"));
    }
    let smoothing_speed = optional_number(params, "smoothing_speed")?.unwrap_or(5.0);
    let zero_transform = flag_or(params, "zero_transform", true)?;
    let root = &camera.root;
    let target = resolve(root, target_path).ok_or_else(|| {
        CommandError::new(
            ErrorCode::NodeNotFound,
            format!("Target not found: {target_path}"),
        )
    })?;
    let target_is_2d = target.clone().try_cast::<Node2D>().is_ok();
    if !target_is_2d && target != *root {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "Follow target must be a Node2D (got {})",
                target.get_class()
            ),
        ));
    }
    if target == camera.node {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            "Camera cannot follow itself",
        ));
    }
    if camera.node.is_ancestor_of(&target) {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            "Cannot follow a descendant of the camera",
        ));
    }
    let node = &camera.node;
    let old_parent = node
        .get_parent()
        .ok_or_else(|| CommandError::internal("The camera has no parent"))?;
    let reparented = old_parent != target;
    let zeroed = zero_transform && target_is_2d;
    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Camera follow {}", target.get_name()));
    if reparented {
        let index = node.get_index_ex().include_internal(false).done();
        let owned = scene_owned_subtree(root, node);
        let object = node.clone().upcast::<Object>();
        history.add_do_method(&old_parent, "remove_child", &[object.to_variant()]);
        history.add_do_method(
            &target,
            "add_child",
            &[object.to_variant(), true.to_variant()],
        );
        reown(&mut history, Half::Do, root, &owned);
        history.add_undo_method(&target, "remove_child", &[object.to_variant()]);
        history.add_undo_method(
            &old_parent,
            "add_child",
            &[object.to_variant(), true.to_variant()],
        );
        history.add_undo_method(
            &old_parent,
            "move_child",
            &[object.to_variant(), index.to_variant()],
        );
        reown(&mut history, Half::Undo, root, &owned);
    }
    let mut set = |property: &str, value: Variant| {
        change_property(&mut history, node, property, &value);
    };
    if zeroed {
        set("position", Vector2::ZERO.to_variant());
        set("rotation", 0.0f32.to_variant());
    }
    set("position_smoothing_enabled", true.to_variant());
    if smoothing_speed > 0.0 {
        set("position_smoothing_speed", smoothing_speed.to_variant());
    }
    history.commit_action();
    Ok(into_object(json!({
        "path": scene_path(root, node),
        "target_path": scene_path(root, &target),
        "reparented": reparented,
        "smoothing_speed": smoothing_speed,
        "zero_transform": zeroed,
        "undoable": true,
    })))
}

/// An integer param, absent or null: `None`; a float is truncated as godot-ai's plugin does.
fn optional_integer(params: &JsonObject, name: &str) -> Result<Option<i64>, CommandError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => Ok(number
            .as_i64()
            .or_else(|| number.as_f64().map(|value| value as i64))),
        Some(other) => Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!("Expected int for {name}, got {other}"),
        )),
    }
}

/// A boolean param, absent or null: `None`.
fn optional_flag(params: &JsonObject, name: &str) -> Result<Option<bool>, CommandError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => flag_or(params, name, false).map(Some),
    }
}
