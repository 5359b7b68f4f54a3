//! Node mutations: create, set a property, delete, rename, groups. Each is one
//! `EditorUndoRedoManager` action named `MCP: <what>`, so Ctrl+Z in the editor undoes it.

use godot::classes::{ClassDb, PackedScene, ResourceLoader};
use godot::prelude::*;
use godot::register::info::PropertyHint;
use godot_ai_protocol::suggest::{closest, did_you_mean};
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::node::fit::{check_object_value, refuse_managed};
use crate::commands::params::{optional_name, optional_string, required_name, required_string};
use crate::commands::reply::into_object;
use crate::commands::scene::guard::{edited_root, node_at, parent_at};
use crate::commands::scene::node_entry;
use crate::commands::scene::paths::scene_path;
use crate::commands::undo::{Half, reown, scene_owned_subtree, undo_redo};
use crate::json_variant::to_variant;
use crate::variant_json::to_json;

/// `create_node {type, name?, parent_path?, scene_path?, scene_file?}`.
pub fn create_node(params: &JsonObject) -> CommandResult {
    let root = edited_root(params)?;
    let parent = parent_at(&root, optional_string(params, "parent_path")?)?;
    let packed_scene = optional_string(params, "scene_path")?;
    let name = optional_name(params, "name")?;
    let mut history = undo_redo()?;
    if !packed_scene.is_empty() {
        refuse_cyclic_instance(&root, packed_scene)?;
    }
    let mut node = if packed_scene.is_empty() {
        instantiate_class(optional_string(params, "type")?)?
    } else {
        instantiate_scene(packed_scene)?
    };
    if !name.is_empty() {
        node.set_name(name);
    }
    history.create_action(&format!("MCP: Create {}", node.get_name()));
    let object = node.clone().upcast::<Object>();
    history.add_do_method(
        &parent,
        "add_child",
        &[object.to_variant(), true.to_variant()],
    );
    history.add_do_method(&object, "set_owner", &[root.to_variant()]);
    history.add_do_reference(&object);
    history.add_undo_method(&parent, "remove_child", &[object.to_variant()]);
    history.commit_action();

    let mut data = json!({
        "name": node.get_name().to_string(),
        "type": node.get_class().to_string(),
        "path": scene_path(&root, &node),
        "parent_path": scene_path(&root, &parent),
        "undoable": true,
    });
    if !packed_scene.is_empty() {
        data["scene_path"] = json!(packed_scene);
    }
    Ok(into_object(data))
}

pub(in crate::commands) fn instantiate_class(class: &str) -> Result<Gd<Node>, CommandError> {
    if class.is_empty() {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "Missing required param: type (or provide scene_path)",
        ));
    }
    let db = ClassDb::singleton();
    if !db.class_exists(class) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("Unknown node type: {class}"),
        ));
    }
    if !db.is_parent_class(class, "Node") {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!("{class} is not a Node type"),
        ));
    }
    if !db.can_instantiate(class) {
        return Err(abstract_class(&db, class));
    }
    db.instantiate(class)
        .try_to::<Gd<Node>>()
        .map_err(|_| CommandError::internal(format!("Failed to instantiate {class}")))
}

/// Subclasses suggested when an abstract class is asked for.
const SUGGESTED_SUBCLASSES: usize = 6;

/// `INVALID_PARAMS` for a class that cannot be instanced (`CanvasItem`, `CollisionObject2D`...),
/// naming some of its subclasses that can.
fn abstract_class(db: &Gd<ClassDb>, class: &str) -> CommandError {
    let mut subclasses: Vec<String> = db
        .get_inheriters_from_class(class)
        .as_slice()
        .iter()
        .map(ToString::to_string)
        .filter(|subclass| db.can_instantiate(subclass.as_str()) && !subclass.starts_with("Editor"))
        .collect();
    // The direct subclasses first (CanvasItem: Control, Node2D), then the rest by name.
    subclasses.sort_by_key(|subclass| {
        let direct = db.get_parent_class(subclass.as_str()) == class;
        (!direct, subclass.clone())
    });
    subclasses.truncate(SUGGESTED_SUBCLASSES);
    let suggestion = if subclasses.is_empty() {
        String::new()
    } else {
        format!(
            ": use one of its subclasses, such as {}",
            subclasses.join(", ")
        )
    };
    CommandError::new(
        ErrorCode::InvalidParams,
        format!("{class} is abstract and cannot be created{suggestion}"),
    )
    .with_data("param", "type")
}

/// How deep [`refuse_cyclic_instance`] follows scene dependencies.
const MAX_DEPENDENCY_DEPTH: usize = 32;

/// `INVALID_PARAMS` when instancing `scene` into the scene at `root` would make a scene contain
/// itself (directly or through the scenes it instances): such a file can no longer be opened.
fn refuse_cyclic_instance(root: &Gd<Node>, scene: &str) -> Result<(), CommandError> {
    let edited = root.get_scene_file_path().to_string();
    if edited.is_empty() {
        return Ok(());
    }
    let loader = ResourceLoader::singleton();
    let mut pending = vec![(scene.to_owned(), 0)];
    let mut seen = std::collections::HashSet::new();
    while let Some((path, depth)) = pending.pop() {
        if path == edited {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!(
                    "Cannot instance {scene} into {edited}: it would contain itself (a cyclic \
                     scene can no longer be opened)"
                ),
            ));
        }
        if depth >= MAX_DEPENDENCY_DEPTH || !seen.insert(path.clone()) {
            continue;
        }
        for dependency in loader.get_dependencies(&path).as_slice() {
            // Entries look like `uid://...::Type::res://path` (or just the path).
            let dependency = dependency.to_string();
            let target = dependency
                .rsplit("::")
                .next()
                .unwrap_or(&dependency)
                .to_owned();
            if target.ends_with(".tscn") || target.ends_with(".scn") {
                pending.push((target, depth + 1));
            }
        }
    }
    Ok(())
}

fn instantiate_scene(path: &str) -> Result<Gd<Node>, CommandError> {
    if !path.starts_with("res://") {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            "scene_path must start with res://",
        ));
    }
    crate::commands::filesystem::checked_resource_path(path)?;
    let mut loader = ResourceLoader::singleton();
    if !loader.exists(path) {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("Scene not found: {path}"),
        ));
    }
    let scene = loader
        .load(path)
        .and_then(|resource| resource.try_cast::<PackedScene>().ok())
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::WrongType,
                format!("Resource at {path} is not a PackedScene"),
            )
        })?;
    scene
        .instantiate_ex()
        .edit_state(godot::classes::packed_scene::GenEditState::INSTANCE)
        .done()
        .ok_or_else(|| CommandError::internal(format!("Failed to instantiate scene: {path}")))
}

/// `set_property {path, property, value, scene_file?}`.
pub fn set_property(params: &JsonObject) -> CommandResult {
    let (_root, node) = node_at(params, "path")?;
    let property = required_string(params, "property")?;
    let Some(value) = params.get("value") else {
        return Err(CommandError::missing_param("value").with_data("hint", "pass null to clear"));
    };
    let new = property_variant(&node, property, value)?;
    let old = node.get(property);

    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Set {}.{property}", node.get_name()));
    history.add_do_property(&node, property, &new);
    history.add_undo_property(&node, property, &old);
    history.commit_action();

    Ok(into_object(json!({
        "path": required_string(params, "path")?,
        "property": property,
        "value": to_json(&node.get(property)),
        "old_value": to_json(&old),
        "undoable": true,
    })))
}

/// `value` converted for `node`'s property `property` (its declared type, enum names by its
/// hint); `PROPERTY_NOT_ON_CLASS` with close names when the node has no such property, and a
/// parameter error for a value that would break the scene instead of changing it (see
/// [`fit`](crate::commands::node::fit)).
pub(in crate::commands) fn property_variant(
    node: &Gd<Node>,
    property: &str,
    value: &Value,
) -> Result<Variant, CommandError> {
    refuse_managed(property)?;
    let object = node.clone().upcast::<Object>();
    let (target, enum_hint) = property_type(&object, property, "node_get_properties")?;
    let converted = to_variant(value, target, enum_hint.as_deref())?;
    if target == VariantType::OBJECT {
        let info = property_info(&object, property, "node_get_properties")?;
        check_object_value(&object, property, &info, &converted)?;
    }
    Ok(converted)
}

/// The declared type of `object`'s property `property` (the current value's type when it is
/// declared as any), and its enum hint string when it is an enum; `PROPERTY_NOT_ON_CLASS` with
/// close names when there is no such property (and `lister`, the tool that lists them).
pub(in crate::commands) fn property_type(
    object: &Gd<Object>,
    property: &str,
    lister: &str,
) -> Result<(VariantType, Option<String>), CommandError> {
    let info = property_info(object, property, lister)?;
    let number = |key: &str| {
        info.get(key)
            .and_then(|v| v.try_to::<i64>().ok())
            .unwrap_or(0)
    };
    let target = match number("type") {
        0 => object.get(property).get_type(),
        declared => VariantType::from_ord(declared as i32),
    };
    let enum_hint = (number("hint") == PropertyHint::ENUM.ord() as i64)
        .then(|| info.get("hint_string").map(|v| v.stringify().to_string()))
        .flatten();
    Ok((target, enum_hint))
}

/// The property-list entry of `property`, or `PROPERTY_NOT_ON_CLASS` with close names.
fn property_info(
    object: &Gd<Object>,
    property: &str,
    lister: &str,
) -> Result<VarDictionary, CommandError> {
    let list = object.get_property_list();
    if let Some(info) = list.iter_shared().find(|info| {
        info.get("name")
            .is_some_and(|name| name.stringify() == property)
    }) {
        return Ok(info);
    }
    let editable: Vec<String> = list
        .iter_shared()
        .filter(|info| {
            let usage = info
                .get("usage")
                .and_then(|v| v.try_to::<i64>().ok())
                .unwrap_or(0);
            usage & godot::register::info::PropertyUsageFlags::EDITOR.ord() as i64 != 0
        })
        .filter_map(|info| info.get("name").map(|name| name.stringify().to_string()))
        .filter(|name| !name.starts_with('_'))
        .collect();
    let similar: Vec<String> = closest(property, editable.iter().map(String::as_str), 5)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let hint = did_you_mean(&similar);
    Err(CommandError::new(
        ErrorCode::PropertyNotOnClass,
        format!(
            "Property '{property}' not found on {}.{hint} Use {lister} to list them.",
            object.get_class()
        ),
    )
    .with_data("suggestions", similar))
}

/// `delete_node {path, scene_file?}`.
pub fn delete_node(params: &JsonObject) -> CommandResult {
    let (root, node) = node_at(params, "path")?;
    if node == root {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            "Cannot delete the scene root",
        ));
    }
    let parent = node
        .get_parent()
        .ok_or_else(|| CommandError::internal("Node has no parent"))?;
    let index = node.get_index_ex().include_internal(false).done();
    let owned = scene_owned_subtree(&root, &node);
    let object = node.clone().upcast::<Object>();
    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Delete {}", node.get_name()));
    history.add_do_method(&parent, "remove_child", &[object.to_variant()]);
    history.add_undo_method(
        &parent,
        "add_child",
        &[object.to_variant(), true.to_variant()],
    );
    history.add_undo_method(
        &parent,
        "move_child",
        &[object.to_variant(), index.to_variant()],
    );
    reown(&mut history, Half::Undo, &root, &owned);
    history.add_undo_reference(&object);
    history.commit_action();
    Ok(into_object(
        json!({"path": required_string(params, "path")?, "undoable": true}),
    ))
}

/// `rename_node {path, new_name, scene_file?}`.
pub fn rename_node(params: &JsonObject) -> CommandResult {
    let (root, node) = node_at(params, "path")?;
    let new_name = required_name(params, "new_name")?;
    if node == root {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            "Cannot rename the scene root",
        ));
    }
    if GString::from(new_name).validate_node_name() != new_name {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("Invalid characters in name: {new_name} (. : @ / \" % are not allowed)"),
        ));
    }
    let old_name = node.get_name().to_string();
    let path = required_string(params, "path")?;
    if old_name == new_name {
        return Ok(into_object(json!({
            "path": path, "name": new_name, "old_name": old_name,
            "unchanged": true, "undoable": false, "reason": "Name unchanged",
        })));
    }
    if let Some(parent) = node.get_parent()
        && parent.has_node(new_name)
    {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!("A sibling already has the name '{new_name}'"),
        ));
    }
    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Rename {old_name} to {new_name}"));
    history.add_do_property(&node, "name", &new_name.to_variant());
    history.add_undo_property(&node, "name", &old_name.to_variant());
    history.commit_action();
    Ok(into_object(json!({
        "path": scene_path(&root, &node),
        "old_path": path,
        "name": node.get_name().to_string(),
        "old_name": old_name,
        "undoable": true,
    })))
}

/// `add_to_group {path, group, scene_file?}` and `remove_from_group` (`adding` false).
pub fn change_group(params: &JsonObject, adding: bool) -> CommandResult {
    let (_root, node) = node_at(params, "path")?;
    let group = match params.get("group") {
        Some(Value::String(group)) if !group.is_empty() => {
            crate::commands::params::within_name_limit("group", group)?
        }
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(CommandError::new(
                ErrorCode::MissingRequiredParam,
                "Missing required param: group",
            ));
        }
        Some(other) => {
            return Err(CommandError::new(
                ErrorCode::WrongType,
                format!(
                    "Param 'group' must be a String, got {}",
                    godot_ai_protocol::json_type_name(other)
                ),
            ));
        }
    };
    let path = required_string(params, "path")?;
    let member = node.is_in_group(group);
    if member == adding {
        let (flag, reason) = if adding {
            ("already_member", "No change made")
        } else {
            ("not_member", "Node not in group")
        };
        return Ok(into_object(json!({
            "path": path, "group": group, flag: true, "undoable": false, "reason": reason,
        })));
    }
    let object = node.clone().upcast::<Object>();
    let mut history = undo_redo()?;
    let name = node.get_name();
    if adding {
        history.create_action(&format!("MCP: Add {name} to group {group}"));
        history.add_do_method(
            &object,
            "add_to_group",
            &[group.to_variant(), true.to_variant()],
        );
        history.add_undo_method(&object, "remove_from_group", &[group.to_variant()]);
    } else {
        history.create_action(&format!("MCP: Remove {name} from group {group}"));
        history.add_do_method(&object, "remove_from_group", &[group.to_variant()]);
        history.add_undo_method(
            &object,
            "add_to_group",
            &[group.to_variant(), true.to_variant()],
        );
    }
    history.commit_action();
    Ok(into_object(
        json!({"path": path, "group": group, "undoable": true}),
    ))
}

/// `get_children {path}`.
pub fn get_children(params: &JsonObject) -> CommandResult {
    let (root, node) = node_at(params, "path")?;
    let children: Vec<Value> = node
        .get_children()
        .iter_shared()
        .map(|child| node_entry(&root, &child))
        .collect();
    let count = children.len();
    Ok(into_object(json!({
        "parent_path": required_string(params, "path")?,
        "children": children,
        "count": count,
    })))
}

/// `get_groups {path}`: the node's groups, without internal ones (starting with `_`).
pub fn get_groups(params: &JsonObject) -> CommandResult {
    let (_root, node) = node_at(params, "path")?;
    let groups: Vec<String> = node
        .get_groups()
        .iter_shared()
        .map(|group| group.to_string())
        .filter(|group| !group.starts_with('_'))
        .collect();
    let count = groups.len();
    Ok(into_object(json!({
        "path": required_string(params, "path")?,
        "groups": groups,
        "count": count,
    })))
}
