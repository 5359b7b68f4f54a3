//! The node domain: reading, creating, editing, finding and moving the edited scene's nodes,
//! and their signal connections (godot-ai's `node_*`, `node_manage` and `signal_manage`).
//!
//! This file: `get_node_properties`: every editor-visible property of one node, with its value.

pub(crate) mod edit;
pub(crate) mod find;
pub(crate) mod fit;
pub(crate) mod signals;
pub(crate) mod tree;

use godot::classes::EditorInterface;
use godot::global::type_string;
use godot::prelude::*;
use godot::register::info::PropertyUsageFlags;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::params::required_string;
use crate::commands::reply::into_object;
use crate::commands::scene::paths::{not_found, resolve};
use crate::variant_json::to_json;

/// Params: `path` (required). Reply: `{path, node_type, properties: [{name, type, value}],
/// count}`; `path` echoes the caller's string. Properties without the editor usage flag, and
/// null object properties, are left out, like godot-ai.
pub fn get_node_properties(params: &JsonObject) -> CommandResult {
    let path = required_string(params, "path")?;
    let Some(root) = EditorInterface::singleton().get_edited_scene_root() else {
        return Err(
            CommandError::new(ErrorCode::EditorNotReady, "No scene open")
                .with_data("hint", "open a scene first (scene_open) or create one"),
        );
    };
    let node = resolve(&root, path).ok_or_else(|| not_found(&root, path))?;

    let fields = fields(params)?;
    let editor_flag = PropertyUsageFlags::EDITOR.ord() as i64;
    let mut properties = Vec::new();
    let mut total_count = 0;
    let mut seen = Vec::new();
    for info in node.get_property_list().iter_shared() {
        let usage = info
            .get("usage")
            .and_then(|v| v.try_to::<i64>().ok())
            .unwrap_or(0);
        if usage & editor_flag == 0 {
            continue;
        }
        let Some(name) = info.get("name").map(|v| v.stringify().to_string()) else {
            continue;
        };
        let declared = info
            .get("type")
            .and_then(|v| v.try_to::<i64>().ok())
            .unwrap_or(0);
        let value = node.get(name.as_str());
        // An empty resource slot is left out of the full listing (and its count), but shown
        // (null) when asked for by name.
        let listed = !(value.is_nil() && declared != VariantType::NIL.ord() as i64);
        if listed {
            total_count += 1;
        }
        let shown = match &fields {
            Some(fields) => fields.contains(&name),
            None => listed,
        };
        if !shown {
            continue;
        }
        seen.push(name.clone());
        properties.push(json!({
            "name": name,
            "type": type_string(declared).to_string(),
            "value": to_json(&value),
        }));
    }
    let unknown_fields: Vec<String> = fields
        .unwrap_or_default()
        .into_iter()
        .filter(|field| !seen.contains(field))
        .collect();
    let count = properties.len();
    Ok(into_object(json!({
        "path": path,
        "node_type": node.get_class().to_string(),
        "properties": Value::Array(properties),
        "count": count,
        "total_count": total_count,
        "unknown_fields": unknown_fields,
    })))
}

/// The optional `fields` param: property names to list (absent, null or empty: all).
fn fields(params: &JsonObject) -> Result<Option<Vec<String>>, CommandError> {
    match params.get("fields") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) if items.is_empty() => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str().map(str::to_owned).ok_or_else(|| {
                    CommandError::new(
                        ErrorCode::InvalidParams,
                        "'fields' elements must be property-name strings",
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "'fields' must be an array of property names, got {}",
                godot_ai_protocol::json_type_name(other)
            ),
        )),
    }
}
