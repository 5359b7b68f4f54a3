//! The theme domain (godot-ai's `theme_manage`): theme files under `res://` (create), their
//! items (a colour, constant, font size or flat stylebox for a theme type: each one undo step
//! that saves the file again on undo and redo), and giving a Control or Window a theme.
//!
//! Theme types and item names are not checked against the engine's classes: a theme may
//! style type variations and items a script reads.

mod stylebox;

use godot::classes::theme::DataType;
use godot::classes::{Control, ResourceLoader, Theme, Window};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject, json_type_name};
use serde_json::{Value, json};

use crate::commands::filesystem::checked_path_of;
use crate::commands::params::{flag_or, optional_string, required_string};
use crate::commands::reply::into_object;
use crate::commands::saved_resource::{file_change_action, load_saved, save, save_in_action};
use crate::commands::scene::guard::node_at;
use crate::commands::undo::{Half, change_property, undo_redo};
use crate::json_variant::to_variant;
use crate::variant_json::to_json;

pub use stylebox::theme_set_stylebox_flat;

/// `path` checked as a theme file: under `res://`, ending in `.tres`.
fn theme_path<'a>(params: &'a JsonObject, name: &str) -> Result<&'a str, CommandError> {
    let path = required_string(params, name)?;
    if !path.starts_with("res://") {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("{name} must start with res:// (got {path})"),
        ));
    }
    if !path.ends_with(".tres") {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("{name} must end with .tres (got {path})"),
        ));
    }
    checked_path_of(path)?;
    Ok(path)
}

/// The theme saved at `path`.
fn load_theme(path: &str) -> Result<Gd<Theme>, CommandError> {
    load_saved(path, "Theme", "create it with theme_manage op=create")
}

/// `create_theme {path, overwrite? (false)}`: an empty theme file, written all at once. Not
/// undoable (the file stays).
pub fn create_theme(params: &JsonObject) -> CommandResult {
    let path = theme_path(params, "path")?;
    let overwrite = flag_or(params, "overwrite", false)?;
    if !overwrite && checked_path_of(path)?.exists() {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!("Theme already exists at {path} (pass overwrite=true to replace)"),
        ));
    }
    let overwritten = save(&Theme::new_gd().upcast(), path)?;
    if overwritten {
        // Whoever holds the old theme (an open scene) sees the new, empty one.
        let _ = ResourceLoader::singleton()
            .load_ex(path)
            .cache_mode(godot::classes::resource_loader::CacheMode::REPLACE)
            .done();
    }
    Ok(into_object(json!({
        "path": path,
        "overwritten": overwritten,
        "undoable": false,
        "reason": "File creation is persistent; delete the file manually to revert",
    })))
}

/// The theme type and item name params, required.
fn slot(params: &JsonObject) -> Result<(StringName, StringName), CommandError> {
    let theme_type = required_string(params, "class_name")?;
    let name = required_string(params, "name")?;
    Ok((StringName::from(name), StringName::from(theme_type)))
}

/// One kind of theme item `theme_set_*` sets.
#[derive(Clone, Copy)]
enum Item {
    Color,
    Constant,
    FontSize,
}

impl Item {
    fn data_type(self) -> DataType {
        match self {
            Self::Color => DataType::COLOR,
            Self::Constant => DataType::CONSTANT,
            Self::FontSize => DataType::FONT_SIZE,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Color => "color",
            Self::Constant => "constant",
            Self::FontSize => "font_size",
        }
    }

    /// `value` as this item: a colour (`#rrggbb`, a name, `{r, g, b[, a]}`) or an integer.
    fn value(self, value: &Value) -> Result<Variant, CommandError> {
        if value.is_null() {
            return Err(CommandError::new(
                ErrorCode::ValueOutOfRange,
                format!(
                    "Invalid {} value: null (pass a concrete value)",
                    self.name()
                ),
            ));
        }
        match self {
            Self::Color => to_variant(value, VariantType::COLOR, None).map_err(|_| {
                CommandError::new(
                    ErrorCode::ValueOutOfRange,
                    format!(
                        "Invalid color value: {value} (expected hex #rrggbb, named color, or \
                         {{r,g,b,a}} dict)"
                    ),
                )
            }),
            Self::Constant | Self::FontSize => value
                .as_i64()
                .filter(|number| i32::try_from(*number).is_ok())
                .map(|number| (number as i32).to_variant())
                .ok_or_else(|| {
                    CommandError::new(
                        ErrorCode::InvalidParams,
                        format!(
                            "Invalid {} value: expected an integer, got {}",
                            self.name(),
                            json_type_name(value)
                        ),
                    )
                }),
        }
    }
}

/// `theme_set_color | theme_set_constant | theme_set_font_size {theme_path, class_name, name,
/// value}`.
fn set_item(params: &JsonObject, item: Item) -> CommandResult {
    let path = theme_path(params, "theme_path")?;
    let theme = load_theme(path)?;
    let (name, theme_type) = slot(params)?;
    let value = params
        .get("value")
        .ok_or_else(|| CommandError::missing_param("value"))
        .and_then(|value| item.value(value))?;
    let kind = item.data_type();
    let previous = theme
        .has_theme_item(kind, &name, &theme_type)
        .then(|| theme.get_theme_item(kind, &name, &theme_type));
    let action = format!("MCP: Theme set {} {theme_type}/{name}", item.name());
    change_item(
        &theme,
        path,
        &action,
        kind,
        (&name, &theme_type),
        &value,
        previous.as_ref(),
    )?;
    Ok(into_object(json!({
        "path": path,
        "kind": item.name(),
        "class_name": theme_type.to_string(),
        "name": name.to_string(),
        "value": to_json(&value),
        "previous_value": previous.as_ref().map_or(Value::Null, to_json),
        "undoable": true,
    })))
}

/// Sets the item `slot` (name, theme type) of kind `kind` to `value` and saves the theme, as
/// the undo step `action`; undo gives back `previous` (or clears the item) and saves again.
fn change_item(
    theme: &Gd<Theme>,
    path: &str,
    action: &str,
    kind: DataType,
    (name, theme_type): (&StringName, &StringName),
    value: &Variant,
    previous: Option<&Variant>,
) -> Result<(), CommandError> {
    let mut edited = theme.clone();
    edited.set_theme_item(kind, name, theme_type, value);
    if let Err(error) = save(&theme.clone().upcast(), path) {
        match previous {
            Some(previous) => edited.set_theme_item(kind, name, theme_type, previous),
            None => edited.clear_theme_item(kind, name, theme_type),
        }
        return Err(error);
    }
    let slot = [
        kind.ord().to_variant(),
        name.to_variant(),
        theme_type.to_variant(),
    ];
    let mut history = file_change_action(action)?;
    let mut set = slot.to_vec();
    set.push(value.clone());
    history.add_do_method(theme, "set_theme_item", &set);
    save_in_action(&mut history, Half::Do, &theme.clone().upcast(), path);
    match previous {
        Some(previous) => {
            let mut restore = slot.to_vec();
            restore.push(previous.clone());
            history.add_undo_method(theme, "set_theme_item", &restore);
        }
        None => history.add_undo_method(theme, "clear_theme_item", &slot),
    }
    save_in_action(&mut history, Half::Undo, &theme.clone().upcast(), path);
    history.commit_action_ex().execute(false).done();
    Ok(())
}

pub fn theme_set_color(params: &JsonObject) -> CommandResult {
    set_item(params, Item::Color)
}

pub fn theme_set_constant(params: &JsonObject) -> CommandResult {
    set_item(params, Item::Constant)
}

pub fn theme_set_font_size(params: &JsonObject) -> CommandResult {
    set_item(params, Item::FontSize)
}

/// `apply_theme {node_path, theme_path? ("": no theme)}`: the node's `theme` (it cascades to
/// the Controls below), one undo step.
pub fn apply_theme(params: &JsonObject) -> CommandResult {
    let node_path = required_string(params, "node_path")?;
    let wanted = optional_string(params, "theme_path")?;
    let theme = if wanted.is_empty() {
        None
    } else {
        Some(load_theme(theme_path(params, "theme_path")?)?)
    };
    let (_, node) = node_at(params, "node_path")?;
    let themable =
        node.clone().try_cast::<Control>().is_ok() || node.clone().try_cast::<Window>().is_ok();
    if !themable {
        let mut error = CommandError::new(
            ErrorCode::WrongType,
            format!(
                "Node {node_path} is not a Control or Window (got {})",
                node.get_class()
            ),
        );
        if node.get_class() == "CanvasLayer" {
            error = error.with_data(
                "hint",
                "a CanvasLayer is not a Control: add a Control child (a Panel, or a Control \
                 anchored full_rect) and apply the theme to it",
            );
        }
        return Err(error);
    }
    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Apply theme to {}", node.get_name()));
    change_property(&mut history, &node, "theme", &theme.to_variant());
    history.commit_action();
    Ok(into_object(json!({
        "node_path": node_path,
        "theme_path": wanted,
        "cleared": theme.is_none(),
        "undoable": true,
    })))
}
