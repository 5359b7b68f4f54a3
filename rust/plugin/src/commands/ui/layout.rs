//! `build_layout`: a node tree from one JSON layout, built whole outside the scene and added
//! as one undo step; the first bad entry frees what was built and changes nothing.
//!
//! A layout node is `{type, name?, properties?, theme?, anchor_preset?, anchor_margin?,
//! children?}`. Per node, in this order: properties (with `theme_override_colors/…`,
//! `…_constants/…`, `…_font_sizes/…` and `…_styles/…` as overrides), the theme, the anchor
//! preset (so it wins over anchors and offsets in properties), then the children.

use godot::classes::control::LayoutPresetMode;
use godot::classes::{ClassDb, Control, ResourceLoader, StyleBox, Theme, Window};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Map, Value, json};

use super::CANVAS_LAYER_HINT;
use super::anchors::Preset;
use crate::commands::node::edit::property_variant;
use crate::commands::params::{optional_string, within_name_limit};
use crate::commands::reply::into_object;
use crate::commands::scene::guard::{edited_root, parent_at};
use crate::commands::scene::paths::scene_path;
use crate::commands::undo::{Half, reown, undo_redo};
use crate::json_variant::to_variant;

/// Most nodes one layout may create.
const MAX_NODES: usize = 2_000;

/// `build_layout {tree, parent_path? ("": the scene root)}`.
pub fn build_layout(params: &JsonObject) -> CommandResult {
    let tree = match params.get("tree") {
        None | Some(Value::Null) => return Err(CommandError::missing_param("tree")),
        Some(Value::String(text)) if text.trim_start().starts_with('{') => {
            serde_json::from_str::<Value>(text).map_err(|error| {
                CommandError::new(
                    ErrorCode::InvalidParams,
                    format!("tree is malformed JSON text: {error}"),
                )
            })?
        }
        Some(tree) => tree.clone(),
    };
    if !tree.is_object() {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            "tree must be a dictionary",
        ));
    }
    let root = edited_root(params)?;
    let parent_path = match optional_string(params, "parent_path")? {
        "/" => "",
        path => path,
    };
    let parent = parent_at(&root, parent_path)?;
    let mut count = 0;
    let built = build(&tree, "tree", &mut count)?;
    let mut history = undo_redo()?;
    history
        .create_action_ex(&format!("MCP: Build UI layout ({count} nodes)"))
        .custom_context(&root)
        .done();
    history.add_do_method(
        &parent,
        "add_child",
        &[built.to_variant(), true.to_variant()],
    );
    let mut all = vec![built.clone()];
    all.extend(descendants(&built));
    reown(&mut history, Half::Do, &root, &all);
    for node in &all {
        history.add_do_reference(node);
    }
    history.add_undo_method(&parent, "remove_child", &[built.to_variant()]);
    history.commit_action();
    Ok(into_object(json!({
        "root_path": scene_path(&root, &built),
        "node_count": count,
        "undoable": true,
    })))
}

/// `node`'s descendants, pre-order.
fn descendants(node: &Gd<Node>) -> Vec<Gd<Node>> {
    let mut found = Vec::new();
    for child in node.get_children().iter_shared() {
        found.push(child.clone());
        found.extend(descendants(&child));
    }
    found
}

/// `INVALID_PARAMS`-style error `code` at the layout position `at`.
fn at_error(at: &str, code: ErrorCode, message: impl std::fmt::Display) -> CommandError {
    CommandError::new(code, format!("{at}: {message}")).with_data("at", at)
}

/// Builds the layout node `spec` (at `at`, for messages) with its children; on error frees
/// what it built.
fn build(spec: &Value, at: &str, count: &mut usize) -> Result<Gd<Node>, CommandError> {
    let Value::Object(spec) = spec else {
        return Err(at_error(
            at,
            ErrorCode::WrongType,
            "each child must be a dictionary",
        ));
    };
    *count += 1;
    if *count > MAX_NODES {
        return Err(at_error(
            at,
            ErrorCode::ValueOutOfRange,
            format!("a layout may create at most {MAX_NODES} nodes"),
        ));
    }
    let mut node = instantiate(spec, at)?;
    if let Err(error) = configure(&mut node, spec, at, count) {
        node.free();
        return Err(error);
    }
    Ok(node)
}

/// A new node of the spec's `type`, named.
fn instantiate(spec: &Map<String, Value>, at: &str) -> Result<Gd<Node>, CommandError> {
    let class = match spec.get("type") {
        Some(Value::String(class)) if !class.is_empty() => class.as_str(),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            return Err(at_error(
                at,
                ErrorCode::MissingRequiredParam,
                "Every layout node requires a 'type'",
            ));
        }
        Some(_) => {
            return Err(at_error(
                at,
                ErrorCode::WrongType,
                "'type' must be a string",
            ));
        }
    };
    let classes = ClassDb::singleton();
    if !classes.class_exists(class) {
        return Err(at_error(
            at,
            ErrorCode::ValueOutOfRange,
            format!("Unknown type: {class}"),
        ));
    }
    if !classes.is_parent_class(class, "Node") {
        return Err(at_error(
            at,
            ErrorCode::WrongType,
            format!("{class} is not a Node type"),
        ));
    }
    let name = match spec.get("name") {
        None | Some(Value::Null) => "",
        Some(Value::String(name)) => within_name_limit("name", name)?,
        Some(_) => {
            return Err(at_error(
                at,
                ErrorCode::WrongType,
                "'name' must be a string",
            ));
        }
    };
    let mut node = classes
        .instantiate(class)
        .try_to::<Gd<Node>>()
        .map_err(|_| {
            at_error(
                at,
                ErrorCode::InternalError,
                format!("Failed to instantiate {class}"),
            )
        })?;
    if !name.is_empty() {
        node.set_name(name);
    }
    Ok(node)
}

/// Properties, theme, anchor preset and children of `node`, in that order.
fn configure(
    node: &mut Gd<Node>,
    spec: &Map<String, Value>,
    at: &str,
    count: &mut usize,
) -> Result<(), CommandError> {
    match spec.get("properties") {
        None | Some(Value::Null) => {}
        Some(Value::Object(properties)) => {
            for (key, value) in properties {
                set_property(node, key, value)
                    .map_err(|error| at_error(at, error.code, error.message))?;
            }
        }
        Some(_) => {
            return Err(at_error(
                at,
                ErrorCode::WrongType,
                "properties must be a dictionary",
            ));
        }
    }
    if let Some(Value::String(theme)) = spec.get("theme")
        && !theme.is_empty()
    {
        let theme = load_theme(theme).map_err(|error| at_error(at, error.code, error.message))?;
        let themable =
            node.clone().try_cast::<Control>().is_ok() || node.clone().try_cast::<Window>().is_ok();
        if !themable {
            return Err(at_error(
                at,
                ErrorCode::InvalidParams,
                format!(
                    "theme can only be set on Control / Window (got {})",
                    node.get_class()
                ),
            )
            .with_data("hint", CANVAS_LAYER_HINT));
        }
        node.set("theme", &theme.to_variant());
    }
    if let Some(preset) = spec.get("anchor_preset").filter(|preset| !preset.is_null()) {
        let Some(name) = preset.as_str() else {
            return Err(at_error(
                at,
                ErrorCode::WrongType,
                "anchor_preset must be a string",
            ));
        };
        let preset = Preset::named(&name.to_lowercase())
            .map_err(|error| at_error(at, error.code, error.message))?;
        let margin = match spec.get("anchor_margin") {
            None | Some(Value::Null) => 0,
            Some(margin) => margin.as_f64().map(|m| m as i32).ok_or_else(|| {
                at_error(at, ErrorCode::WrongType, "anchor_margin must be a number")
            })?,
        };
        let Ok(mut control) = node.clone().try_cast::<Control>() else {
            return Err(at_error(
                at,
                ErrorCode::InvalidParams,
                format!(
                    "anchor_preset requires a Control (got {})",
                    node.get_class()
                ),
            )
            .with_data("hint", CANVAS_LAYER_HINT));
        };
        control
            .set_anchors_and_offsets_preset_ex(preset.value)
            .resize_mode(LayoutPresetMode::MINSIZE)
            .margin(margin)
            .done();
    }
    match spec.get("children") {
        None | Some(Value::Null) => {}
        Some(Value::Array(children)) => {
            for (index, child) in children.iter().enumerate() {
                let child = build(child, &format!("{at}.children[{index}]"), count)?;
                node.add_child_ex(&child).force_readable_name(true).done();
            }
        }
        Some(_) => {
            return Err(at_error(
                at,
                ErrorCode::WrongType,
                "children must be an array",
            ));
        }
    }
    Ok(())
}

/// The theme at `path` (under `res://`).
fn load_theme(path: &str) -> Result<Gd<Theme>, CommandError> {
    if !path.starts_with("res://") {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            "theme must be a res:// path",
        ));
    }
    crate::commands::filesystem::checked_resource_path(path)?;
    let mut loader = ResourceLoader::singleton();
    if !loader.exists(path) {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("Theme not found: {path}"),
        ));
    }
    loader
        .load(path)
        .and_then(|resource| resource.try_cast::<Theme>().ok())
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::WrongType,
                format!("theme path must point to a Theme resource: {path}"),
            )
        })
}

/// Sets one `properties` entry: a theme override by its prefix, else the property converted
/// for its declared type.
fn set_property(node: &mut Gd<Node>, key: &str, value: &Value) -> Result<(), CommandError> {
    const OVERRIDES: [&str; 4] = [
        "theme_override_colors/",
        "theme_override_constants/",
        "theme_override_font_sizes/",
        "theme_override_styles/",
    ];
    let Some((prefix, item)) = OVERRIDES
        .iter()
        .find_map(|prefix| key.strip_prefix(prefix).map(|item| (*prefix, item)))
    else {
        let converted = property_variant(node, key, value)?;
        node.set(key, &converted);
        return Ok(());
    };
    let Ok(mut control) = node.clone().try_cast::<Control>() else {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "theme_override_* requires a Control node (got {})",
                node.get_class()
            ),
        ));
    };
    let cannot = |expected: &str| {
        CommandError::new(
            ErrorCode::WrongType,
            format!("Cannot use {value} for {key}: expected {expected}"),
        )
    };
    match prefix {
        "theme_override_colors/" => {
            let color = to_variant(value, VariantType::COLOR, None)
                .map_err(|_| cannot("a colour (#rrggbb, a name or {r, g, b[, a]})"))?;
            control.add_theme_color_override(item, color.to());
        }
        "theme_override_styles/" => {
            let stylebox = value
                .as_str()
                .filter(|path| path.starts_with("res://"))
                .ok_or_else(|| {
                    CommandError::new(
                        ErrorCode::InvalidParams,
                        "theme_override_styles/ expects a res:// path to a StyleBox",
                    )
                })
                .and_then(|path| {
                    crate::commands::filesystem::checked_resource_path(path)?;
                    ResourceLoader::singleton()
                        .load(path)
                        .and_then(|resource| resource.try_cast::<StyleBox>().ok())
                        .ok_or_else(|| {
                            CommandError::new(
                                ErrorCode::InvalidParams,
                                format!("Style resource not found or not a StyleBox: {path}"),
                            )
                        })
                })?;
            control.add_theme_stylebox_override(item, &stylebox);
        }
        _ => {
            let number = value
                .as_i64()
                .or_else(|| {
                    value
                        .as_f64()
                        .filter(|f| f.fract() == 0.0)
                        .map(|f| f as i64)
                })
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| cannot("an integer"))?;
            if prefix == "theme_override_constants/" {
                control.add_theme_constant_override(item, number);
            } else {
                control.add_theme_font_size_override(item, number);
            }
        }
    }
    Ok(())
}
