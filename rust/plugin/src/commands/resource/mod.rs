//! The resource domain (godot-ai's `resource_manage`): finding and reading resources, the
//! class reference of resource types, putting a resource in a node's property, and creating
//! resources (any class, environments, gradient and noise textures) either inline in a node's
//! property (one undo step) or saved to a file under `res://` (all at once; not undoable, and
//! it says so); setting a curve's points; sizing a collision shape to a visual.
//!
//! This file: the ops on any resource, and where a new resource goes ([`Home`]).

mod curves;
mod generated;
mod shapes;

pub use curves::curve_set_points;
pub use generated::{environment_create, gradient_texture_create, noise_texture_create};
pub use shapes::physics_shape_autofit;

use godot::classes::{ClassDb, Resource, ResourceLoader};
use godot::global::type_string;
use godot::prelude::*;
use godot::register::info::PropertyUsageFlags;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::filesystem::index::{self, Walk};
use crate::commands::filesystem::{checked_path_of, checked_resource_path};
use crate::commands::node::edit::property_type;
use crate::commands::params::{flag_or, integer_or, optional_string, required_string};
use crate::commands::properties::editor_visible;
use crate::commands::reply::{into_object, object};
use crate::commands::saved_resource::save;
use crate::commands::scene::guard::node_at;
use crate::commands::undo::{change_property, undo_redo};
use crate::json_variant::{instantiate_resource, set_resource_properties};
use crate::variant_json::to_json;

/// Why a saved file is not undoable.
const FILE_IS_PERSISTENT: &str = "File creation is persistent; delete the file manually to revert";

/// Most resources `search_resources` lists, so one call stays quick on a huge project.
const MAX_RESOURCES: usize = 20_000;

/// Where a new resource goes: a node's property (`path` + `property`) or a file
/// (`resource_path`, replaced only with `overwrite`).
pub(in crate::commands) enum Home {
    Node {
        node: Gd<Node>,
        property: String,
        given_path: String,
    },
    File {
        path: String,
        overwrite: bool,
    },
}

impl Home {
    /// The home the params name; without `require_property`, a node home needs no property
    /// (the caller knows which one).
    fn of(params: &JsonObject, require_property: bool) -> Result<Self, CommandError> {
        let path = optional_string(params, "path")?;
        let resource_path = optional_string(params, "resource_path")?;
        let (both, neither) = if require_property {
            (
                "Provide either path+property or resource_path, not both",
                "Must provide either path+property (assign inline) or resource_path (save .tres)",
            )
        } else {
            (
                "Provide either path or resource_path, not both",
                "Must provide either path or resource_path",
            )
        };
        match (path.is_empty(), resource_path.is_empty()) {
            (false, false) => Err(CommandError::new(ErrorCode::InvalidParams, both)),
            (true, true) => Err(CommandError::new(ErrorCode::InvalidParams, neither)),
            (true, false) => {
                checked_path_of(resource_path)?;
                Ok(Home::File {
                    path: resource_path.to_owned(),
                    overwrite: flag_or(params, "overwrite", false)?,
                })
            }
            (false, true) => {
                let property = optional_string(params, "property")?;
                if require_property && property.is_empty() {
                    return Err(CommandError::new(
                        ErrorCode::InvalidParams,
                        "Missing required param: property (required when path is given)",
                    ));
                }
                let (_, node) = node_at(params, "path")?;
                Ok(Home::Node {
                    node,
                    property: property.to_owned(),
                    given_path: path.to_owned(),
                })
            }
        }
    }

    /// Checks what can be checked before the resource is built: a node home's property holds
    /// objects; a file home is free or may be replaced.
    fn check(&self) -> Result<(), CommandError> {
        match self {
            Home::Node { node, property, .. } => {
                let object = node.clone().upcast::<Object>();
                let (kind, _) = property_type(&object, property, "node_get_properties")?;
                if kind != VariantType::OBJECT && kind != VariantType::NIL {
                    return Err(CommandError::new(
                        ErrorCode::PropertyNotOnClass,
                        format!(
                            "Property '{property}' on {} is not an Object slot (type {})",
                            node.get_class(),
                            type_string(kind.ord() as i64)
                        ),
                    ));
                }
                Ok(())
            }
            Home::File { path, overwrite } => {
                if !overwrite && checked_path_of(path)?.exists() {
                    return Err(CommandError::new(
                        ErrorCode::InvalidParams,
                        format!("{path} already exists (pass overwrite=true to replace)"),
                    ));
                }
                Ok(())
            }
        }
    }

    /// Puts `resource` in its home: the node's property as one undo step named `action`, or
    /// the file. Answers the home's fields with `extra` on top.
    fn deliver(self, resource: &Gd<Resource>, action: &str, extra: JsonObject) -> CommandResult {
        let mut data = match self {
            Home::Node {
                node,
                property,
                given_path,
            } => {
                let mut history = undo_redo()?;
                history.create_action(action);
                change_property(&mut history, &node, &property, &resource.to_variant());
                history.commit_action();
                into_object(json!({
                    "path": given_path,
                    "property": property,
                    "undoable": true,
                }))
            }
            Home::File { path, .. } => {
                let existed = save(resource, &path)?;
                let mut data = into_object(json!({
                    "resource_path": path,
                    "overwritten": existed,
                    "undoable": false,
                    "reason": FILE_IS_PERSISTENT,
                }));
                if !existed {
                    data.insert("cleanup".into(), json!({"rm": [path]}));
                }
                data
            }
        };
        data.extend(extra);
        Ok(data)
    }

    /// The node the home is on, for naming undo steps.
    fn node_name(&self) -> String {
        match self {
            Home::Node { node, .. } => node.get_name().to_string(),
            Home::File { .. } => String::new(),
        }
    }

    fn property(&self) -> &str {
        match self {
            Home::Node { property, .. } => property,
            Home::File { .. } => "",
        }
    }
}

/// `search_resources {type?, path?, offset?, limit?}`: resource files the editor's file index
/// knows, of class `type` (or a subclass), and/or whose path contains `path`
/// (case-insensitive), paged as godot-ai's server pages them.
pub fn search_resources(params: &JsonObject) -> CommandResult {
    let wanted = optional_string(params, "type")?;
    let path_part = optional_string(params, "path")?.to_lowercase();
    if wanted.is_empty() && path_part.is_empty() {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "At least one filter (type, path) is required",
        ));
    }
    let offset = integer_or(params, "offset", 0)?.max(0);
    let limit = integer_or(params, "limit", 100)?.max(0);
    let root = index::file_system()?.get_filesystem().ok_or_else(|| {
        CommandError::new(ErrorCode::EditorNotReady, "EditorFileSystem not available")
    })?;
    let db = ClassDb::singleton();
    let mut found = Vec::new();
    index::each_file(root, |folder, index| {
        let path = folder.get_file_path(index).to_string();
        let class = folder.get_file_type(index);
        let type_matches =
            wanted.is_empty() || class == wanted || db.is_parent_class(&class, wanted);
        if type_matches && (path_part.is_empty() || path.to_lowercase().contains(&path_part)) {
            if found.len() >= MAX_RESOURCES {
                return Walk::Stop;
            }
            found.push(json!({"path": path, "type": class.to_string()}));
        }
        Walk::Next
    });
    let total = found.len();
    let start = usize::try_from(offset).unwrap_or(0).min(total);
    let end = start
        .saturating_add(usize::try_from(limit).unwrap_or(0))
        .min(total);
    let page: Vec<Value> = found.drain(start..end).collect();
    Ok(object([
        ("resources", Value::Array(page)),
        ("total_count", total.into()),
        ("offset", offset.into()),
        ("limit", limit.into()),
        ("has_more", (end < total).into()),
    ]))
}

/// The resource at `path`, checked and loaded.
fn load_at(path: &str) -> Result<Gd<Resource>, CommandError> {
    checked_resource_path(path)?;
    let mut loader = ResourceLoader::singleton();
    if !loader.exists(path) {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("Resource not found: {path}"),
        ));
    }
    loader
        .load(path)
        .ok_or_else(|| crate::commands::filesystem::unloadable(path, "a resource"))
}

/// `load_resource {path}`: a resource's class and editor-visible properties.
pub fn load_resource(params: &JsonObject) -> CommandResult {
    let path = required_string(params, "path")?;
    let resource = load_at(path)?;
    let properties: Vec<Value> = editor_visible(&resource.clone().upcast())
        .into_iter()
        .map(|property| {
            json!({
                "name": property.name,
                "type": type_string(property.declared).to_string(),
                "value": to_json(&property.value),
            })
        })
        .collect();
    let count = properties.len();
    Ok(object([
        ("path", json!(path)),
        ("type", json!(resource.get_class().to_string())),
        ("properties", Value::Array(properties)),
        ("property_count", count.into()),
    ]))
}

/// `assign_resource {path, property, resource_path}`: a saved resource in a node's property,
/// one undo step.
pub fn assign_resource(params: &JsonObject) -> CommandResult {
    let path = required_string(params, "path")?;
    let property = required_string(params, "property")?;
    let resource_path = required_string(params, "resource_path")?;
    checked_resource_path(resource_path)?;
    let (_, node) = node_at(params, "path")?;
    let object = node.clone().upcast::<Object>();
    property_type(&object, property, "node_get_properties")?;
    let resource = load_at(resource_path)?;
    let file = resource_path.rsplit('/').next().unwrap_or(resource_path);
    let mut history = undo_redo()?;
    history.create_action(&format!(
        "MCP: Assign {file} to {}.{property}",
        node.get_name()
    ));
    change_property(&mut history, &node, property, &resource.to_variant());
    history.commit_action();
    Ok(into_object(json!({
        "path": path,
        "property": property,
        "resource_path": resource_path,
        "resource_type": resource.get_class().to_string(),
        "undoable": true,
    })))
}

/// `get_resource_info {type}`: a resource class's reference from the running editor's
/// `ClassDB`: its parent, whether it can be made, its editor-visible properties (inherited
/// ones too, by name), and for an abstract class the classes that can be made instead.
pub fn get_resource_info(params: &JsonObject) -> CommandResult {
    let class = required_string(params, "type")?;
    let db = ClassDb::singleton();
    if !db.class_exists(class) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "Unknown resource type: {class} — not an engine built-in class. Check the \
                 spelling (class names are case-sensitive, e.g. StandardMaterial3D)."
            ),
        ));
    }
    if db.is_parent_class(class, "Node") {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "{class} is a Node type, not a Resource — use node_* tools for node introspection"
            ),
        ));
    }
    if class != "Resource" && !db.is_parent_class(class, "Resource") {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "{class} is not a Resource type (extends {})",
                db.get_parent_class(class)
            ),
        ));
    }
    let editor_flag = PropertyUsageFlags::EDITOR.ord() as i64;
    let mut properties: Vec<Value> = db
        .class_get_property_list(class)
        .iter_shared()
        .filter_map(|info| {
            let number = |key: &str| {
                info.get(key)
                    .and_then(|v| v.try_to::<i64>().ok())
                    .unwrap_or(0)
            };
            if number("usage") & editor_flag == 0 {
                return None;
            }
            let name = info.get("name")?.stringify().to_string();
            let default = db.class_get_property_default_value(class, name.as_str());
            Some(json!({
                "name": name,
                "type": type_string(number("type")).to_string(),
                "class_name": info.get("class_name").map(|v| v.stringify().to_string()),
                "hint": number("hint"),
                "hint_string": info.get("hint_string").map(|v| v.stringify().to_string()),
                "usage": number("usage"),
                "default": to_json(&default),
            }))
        })
        .collect();
    properties.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let can_instantiate = db.can_instantiate(class);
    let count = properties.len();
    let mut data = object([
        ("type", json!(class)),
        (
            "parent_class",
            json!(db.get_parent_class(class).to_string()),
        ),
        ("can_instantiate", can_instantiate.into()),
        ("is_abstract", (!can_instantiate).into()),
        ("properties", Value::Array(properties)),
        ("property_count", count.into()),
    ]);
    if !can_instantiate {
        let mut concrete: Vec<String> = db
            .get_inheriters_from_class(class)
            .as_slice()
            .iter()
            .filter(|name| db.can_instantiate(&StringName::from(*name)))
            .map(ToString::to_string)
            .collect();
        concrete.sort();
        data.insert("concrete_subclasses".into(), json!(concrete));
    }
    Ok(data)
}

/// `create_resource {type, properties?, path + property | resource_path, overwrite?}`: a new
/// resource of an engine class with `properties` set, in a node's property (one undo step) or
/// saved to a file.
pub fn create_resource(params: &JsonObject) -> CommandResult {
    let class = required_string(params, "type")?;
    let home = Home::of(params, true)?;
    let mut resource = instantiate_resource(class)?;
    home.check()?;
    let properties = properties_param(params, "properties")?;
    set_resource_properties(&mut resource, properties.iter())?;
    let action = format!(
        "MCP: Create {class} for {}.{}",
        home.node_name(),
        home.property()
    );
    let extra = object([
        ("type", json!(class)),
        ("resource_class", json!(resource.get_class().to_string())),
        ("properties_applied", properties.len().into()),
    ]);
    home.deliver(&resource, &action, extra)
}

/// The object param `name` (absent or null: empty).
fn properties_param(params: &JsonObject, name: &str) -> Result<JsonObject, CommandError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(JsonObject::new()),
        Some(Value::Object(properties)) => Ok(properties.clone()),
        Some(other) => Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "{name} must be an object of property values, got {}",
                godot_ai_protocol::json_type_name(other)
            ),
        )),
    }
}
