//! The camera domain (godot-ai's `camera_manage`): create, read, list, configure and preset the
//! edited scene's `Camera2D` / `Camera3D` nodes, and the 2D follow, limits and damping helpers.
//! Every change is one `MCP: …` action in the editor's undo history.
//!
//! This file: the commands that work on both kinds of camera.

mod current;
mod presets;
mod two_d;
mod values;

pub use two_d::{camera_follow_2d, camera_set_damping_2d, camera_set_limits_2d};

use godot::classes::{Camera2D, Camera3D, ClassDb};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::params::{flag_or, optional_string, required_string};
use crate::commands::properties;
use crate::commands::reply::into_object;
use crate::commands::scene::guard::{edited_root, parent_at};
use crate::commands::scene::paths::{not_found, resolve, scene_path};
use crate::commands::undo::{change_property, undo_redo};
use current::{is_current, make_current_in_action};
use values::{camera_value, shown};

/// The two kinds of camera.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    TwoD,
    ThreeD,
}

impl Kind {
    /// `"2d"` / `"3d"` as godot-ai names them; `VALUE_OUT_OF_RANGE` otherwise.
    fn parse(text: &str) -> Result<Self, CommandError> {
        match text {
            "2d" => Ok(Kind::TwoD),
            "3d" => Ok(Kind::ThreeD),
            other => Err(CommandError::new(
                ErrorCode::ValueOutOfRange,
                format!("Invalid camera type '{other}'. Valid: 2d, 3d"),
            )),
        }
    }

    fn of(node: &Gd<Node>) -> Option<Self> {
        if node.clone().try_cast::<Camera2D>().is_ok() {
            Some(Kind::TwoD)
        } else if node.clone().try_cast::<Camera3D>().is_ok() {
            Some(Kind::ThreeD)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::TwoD => "2d",
            Kind::ThreeD => "3d",
        }
    }

    fn class(self) -> &'static str {
        match self {
            Kind::TwoD => "Camera2D",
            Kind::ThreeD => "Camera3D",
        }
    }

    /// The camera settings `configure` and the presets may set on this kind.
    fn settings(self) -> &'static [&'static str] {
        match self {
            Kind::TwoD => CAMERA_2D_SETTINGS,
            Kind::ThreeD => CAMERA_3D_SETTINGS,
        }
    }
}

const CAMERA_2D_SETTINGS: &[&str] = &[
    "zoom",
    "offset",
    "anchor_mode",
    "ignore_rotation",
    "enabled",
    "current",
    "process_callback",
    "position_smoothing_enabled",
    "position_smoothing_speed",
    "rotation_smoothing_enabled",
    "rotation_smoothing_speed",
    "drag_horizontal_enabled",
    "drag_vertical_enabled",
    "drag_horizontal_offset",
    "drag_vertical_offset",
    "drag_left_margin",
    "drag_top_margin",
    "drag_right_margin",
    "drag_bottom_margin",
    "limit_left",
    "limit_right",
    "limit_top",
    "limit_bottom",
    "limit_smoothed",
];

const CAMERA_3D_SETTINGS: &[&str] = &[
    "fov",
    "near",
    "far",
    "size",
    "projection",
    "keep_aspect",
    "cull_mask",
    "doppler_tracking",
    "h_offset",
    "v_offset",
    "current",
];

/// Node properties an agent may try as camera settings: they live on the node.
const TRANSFORM_PROPERTIES: &[&str] = &[
    "position",
    "rotation",
    "scale",
    "transform",
    "global_position",
    "global_rotation",
    "global_scale",
    "global_transform",
];

/// A camera of the edited scene, named by the param `camera_path`.
pub(in crate::commands) struct Camera {
    root: Gd<Node>,
    node: Gd<Node>,
    kind: Kind,
}

impl Camera {
    /// The camera at the required param `camera_path`: `NODE_NOT_FOUND` or `WRONG_TYPE`
    /// (not a camera) otherwise.
    fn at(params: &JsonObject) -> Result<Self, CommandError> {
        let path = required_string(params, "camera_path")?;
        let root = edited_root(params)?;
        Self::resolve(root, path)
    }

    fn resolve(root: Gd<Node>, path: &str) -> Result<Self, CommandError> {
        let node = resolve(&root, path).ok_or_else(|| not_found(&root, path))?;
        let kind = Kind::of(&node).ok_or_else(|| {
            CommandError::new(
                ErrorCode::WrongType,
                format!("Node {path} is not a camera (got {})", node.get_class()),
            )
        })?;
        Ok(Self { root, node, kind })
    }

    fn path(&self) -> String {
        scene_path(&self.root, &self.node)
    }

    /// `{path, class, type, current}`, as listings show a camera.
    fn entry(&self) -> Value {
        json!({
            "path": self.path(),
            "class": self.node.get_class().to_string(),
            "type": self.kind.name(),
            "current": is_current(&self.node, self.kind),
        })
    }
}

/// Every camera of the edited scene, the root included, in tree order.
fn scene_cameras(root: &Gd<Node>) -> Vec<Camera> {
    let mut nodes: Vec<Gd<Node>> = Vec::new();
    for class in ["Camera2D", "Camera3D"] {
        if root.is_class(class) {
            nodes.push(root.clone());
        }
        nodes.extend(
            root.find_children_ex("*")
                .type_(class)
                .recursive(true)
                .owned(false)
                .done()
                .iter_shared(),
        );
    }
    nodes.sort_by(|a, b| {
        if a == b {
            std::cmp::Ordering::Equal
        } else if a.is_greater_than(b) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Less
        }
    });
    nodes
        .into_iter()
        .filter_map(|node| {
            Kind::of(&node).map(|kind| Camera {
                root: root.clone(),
                node,
                kind,
            })
        })
        .collect()
}

/// `camera_create {parent_path?, name?, type? ("2d"), make_current?}`.
pub fn camera_create(params: &JsonObject) -> CommandResult {
    let kind = Kind::parse(text_or(params, "type", "2d")?)?;
    let root = edited_root(params)?;
    let parent = parent_at(&root, optional_string(params, "parent_path")?)?;
    let name = text_or(params, "name", "Camera")?.to_owned();
    let make_current = flag_or(params, "make_current", false)?;
    let camera = new_camera(kind, &name)?;
    let action = format!("MCP: Create {} '{name}'", kind.class());
    add_in_action(&root, &parent, &camera, kind, make_current, &action)?;
    Ok(into_object(json!({
        "path": scene_path(&root, &camera),
        "parent_path": scene_path(&root, &parent),
        "name": camera.get_name().to_string(),
        "type": kind.name(),
        "class": kind.class(),
        "current": make_current,
        "undoable": true,
    })))
}

/// `camera_get {camera_path?}`: one camera's settings; without a path, the current camera (a
/// 2D one first), else the first camera. A scene without a camera is not an error.
pub fn camera_get(params: &JsonObject) -> CommandResult {
    let root = edited_root(params)?;
    let path = optional_string(params, "camera_path")?;
    let (camera, resolved_via) = if path.is_empty() {
        let cameras = scene_cameras(&root);
        let current = [Kind::TwoD, Kind::ThreeD].into_iter().find_map(|kind| {
            cameras
                .iter()
                .position(|camera| camera.kind == kind && is_current(&camera.node, kind))
        });
        match (current, cameras.is_empty()) {
            (Some(index), _) => (cameras.into_iter().nth(index), "current"),
            (None, false) => (cameras.into_iter().next(), "first"),
            (None, true) => (None, "not_found"),
        }
    } else {
        (Some(Camera::resolve(root, path)?), "path")
    };
    let Some(camera) = camera else {
        return Ok(into_object(json!({
            "path": "", "type": "", "class": "", "current": false,
            "properties": {}, "resolved_via": resolved_via,
        })));
    };
    let current = is_current(&camera.node, camera.kind);
    let mut properties = JsonObject::new();
    for setting in camera.kind.settings() {
        if *setting == "current" {
            properties.insert("current".into(), current.into());
        } else if has_property(&camera.node, setting) {
            properties.insert((*setting).into(), shown(&camera.node.get(*setting)));
        }
    }
    Ok(into_object(json!({
        "path": camera.path(),
        "type": camera.kind.name(),
        "class": camera.node.get_class().to_string(),
        "current": current,
        "properties": properties,
        "resolved_via": resolved_via,
    })))
}

/// `camera_list {}`: every camera of the edited scene, in tree order.
pub fn camera_list(params: &JsonObject) -> CommandResult {
    let root = edited_root(params)?;
    let cameras: Vec<Value> = scene_cameras(&root).iter().map(Camera::entry).collect();
    Ok(into_object(json!({ "cameras": cameras })))
}

/// `camera_configure {camera_path, properties}`: sets camera settings (and `current`) in one
/// action. Every setting is checked before anything changes.
pub fn camera_configure(params: &JsonObject) -> CommandResult {
    let camera = Camera::at(params)?;
    let properties = match params.get("properties") {
        Some(Value::Object(properties)) if !properties.is_empty() => properties,
        Some(Value::Object(_)) | None | Some(Value::Null) => {
            return Err(CommandError::new(
                ErrorCode::MissingRequiredParam,
                "properties dict is empty",
            ));
        }
        Some(other) => {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!(
                    "properties must be an object of camera settings, got {}",
                    godot_ai_protocol::json_type_name(other)
                ),
            ));
        }
    };
    let mut changes = Vec::new();
    let mut wanted_current = None;
    for (key, value) in properties {
        check_setting(&camera, key)?;
        if key == "current" {
            wanted_current = Some(value.as_bool().ok_or_else(|| {
                CommandError::new(ErrorCode::InvalidParams, "Expected bool for current")
            })?);
            continue;
        }
        changes.push((key.as_str(), camera_value(&camera.node, key, value)?));
    }
    let mut history = undo_redo()?;
    history
        .create_action_ex(&format!("MCP: Configure camera {}", camera.node.get_name()))
        .custom_context(&camera.root)
        .done();
    let mut values = JsonObject::new();
    let mut applied = Vec::new();
    for (key, value) in &changes {
        change_property(&mut history, &camera.node, key, value);
        applied.push(json!(key));
        values.insert((*key).to_owned(), shown(value));
    }
    if let Some(wanted) = wanted_current {
        current::set_in_action(
            &mut history,
            &camera.root,
            &camera.node,
            camera.kind,
            wanted,
        );
        applied.push(json!("current"));
        values.insert("current".into(), wanted.into());
    }
    history.commit_action();
    Ok(into_object(json!({
        "path": required_string(params, "camera_path")?,
        "type": camera.kind.name(),
        "class": camera.node.get_class().to_string(),
        "applied": applied,
        "values": values,
        "undoable": true,
    })))
}

/// `camera_apply_preset {preset, parent_path?, name?, type?, make_current? (true),
/// overrides?}`: a new camera with a preset's settings (overrides on top).
pub fn camera_apply_preset(params: &JsonObject) -> CommandResult {
    let preset_name = required_string(params, "preset")?;
    let preset = presets::preset(preset_name)?;
    let kind = match optional_string(params, "type")? {
        "" => preset.kind,
        text => Kind::parse(text)?,
    };
    let root = edited_root(params)?;
    let parent = parent_at(&root, optional_string(params, "parent_path")?)?;
    let name = match optional_string(params, "name")? {
        "" => presets::default_name(preset_name),
        given => given.to_owned(),
    };
    let make_current = flag_or(params, "make_current", true)?;
    let overrides = match params.get("overrides") {
        None | Some(Value::Null) => JsonObject::new(),
        Some(Value::Object(overrides)) => overrides.clone(),
        Some(other) => {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!(
                    "overrides must be an object of camera settings, got {}",
                    godot_ai_protocol::json_type_name(other)
                ),
            ));
        }
    };
    let camera = new_camera(kind, &name)?;
    let mut applied = Vec::new();
    for (key, value) in presets::merged(&preset, overrides) {
        // Settings of the other kind, `current` (make_current decides) and unknown keys are
        // skipped, as godot-ai does.
        if key == "current" || !kind.settings().contains(&key.as_str()) {
            continue;
        }
        if !has_property(&camera, &key) {
            continue;
        }
        let converted = camera_value(&camera, &key, &value)?;
        let mut node = camera.clone();
        node.set(&key, &converted);
        applied.push(key);
    }
    let action = format!("MCP: Apply camera preset {preset_name}");
    add_in_action(&root, &parent, &camera, kind, make_current, &action)?;
    Ok(into_object(json!({
        "path": scene_path(&root, &camera),
        "parent_path": scene_path(&root, &parent),
        "name": name,
        "preset": preset_name,
        "type": kind.name(),
        "class": kind.class(),
        "applied": applied,
        "current": make_current,
        "undoable": true,
    })))
}

/// A new camera node of `kind` named `name` (empty: the class name).
fn new_camera(kind: Kind, name: &str) -> Result<Gd<Node>, CommandError> {
    let mut camera = ClassDb::singleton()
        .instantiate(kind.class())
        .try_to::<Gd<Node>>()
        .map_err(|_| CommandError::internal(format!("Failed to instantiate {}", kind.class())))?;
    if !name.is_empty() {
        camera.set_name(name);
    }
    Ok(camera)
}

/// Adds `camera` under `parent` as one undo action named `action`, made current in the same
/// action when asked.
fn add_in_action(
    root: &Gd<Node>,
    parent: &Gd<Node>,
    camera: &Gd<Node>,
    kind: Kind,
    make_current: bool,
    action: &str,
) -> Result<(), CommandError> {
    let mut history = undo_redo()?;
    history.create_action_ex(action).custom_context(root).done();
    let object = camera.clone().upcast::<Object>();
    history.add_do_method(
        parent,
        "add_child",
        &[object.to_variant(), true.to_variant()],
    );
    history.add_do_method(&object, "set_owner", &[root.to_variant()]);
    history.add_do_reference(&object);
    if make_current {
        make_current_in_action(&mut history, root, camera, kind);
    }
    history.add_undo_method(parent, "remove_child", &[object.to_variant()]);
    history.commit_action();
    Ok(())
}

/// `INVALID_PARAMS` unless `key` is a setting of this camera's kind (a transform gets a hint
/// to set it on the node); `PROPERTY_NOT_ON_CLASS` when the node lacks it.
fn check_setting(camera: &Camera, key: &str) -> Result<(), CommandError> {
    let settings = camera.kind.settings();
    if !settings.contains(&key) {
        let mut message = format!(
            "Property '{key}' not valid for {}. Valid: {}",
            camera.kind.class(),
            settings.join(", ")
        );
        if TRANSFORM_PROPERTIES.contains(&key) {
            message.push_str(&format!(
                ". Transforms live on the Node, not on the camera config — use \
                 node_set_property(path=\"{}\", property=\"{key}\", value=...)",
                camera.path()
            ));
        }
        return Err(CommandError::new(ErrorCode::InvalidParams, message));
    }
    if key != "current" && !has_property(&camera.node, key) {
        return Err(CommandError::new(
            ErrorCode::PropertyNotOnClass,
            format!(
                "Property '{key}' not present on {}",
                camera.node.get_class()
            ),
        ));
    }
    Ok(())
}

fn has_property(node: &Gd<Node>, property: &str) -> bool {
    properties::has(&node.clone().upcast(), property)
}

/// The string param `name`, or `default` when it is absent or null (an empty string stays
/// empty: the engine names the node after its class).
fn text_or<'a>(
    params: &'a JsonObject,
    name: &str,
    default: &'a str,
) -> Result<&'a str, CommandError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(_) => optional_string(params, name),
    }
}
