//! Scene and node tools.

use serde_json::{Value, json};

use super::*;

pub(super) const SCENE_GET_HIERARCHY: ToolSpec = ToolSpec {
    name: "scene_get_hierarchy",
    description: "Get the scene tree hierarchy from the open scene.\n\n\
        Returns a paginated flat list of nodes with name, type, path, and child count. \
        Walks up to the specified depth.",
    arguments: &[
        ArgSpec {
            name: "depth",
            kind: ArgKind::Integer,
            default: Some(|| json!(10)),
            description: "Maximum walk depth. Default 10.",
        },
        ArgSpec {
            name: "offset",
            kind: ArgKind::Integer,
            default: Some(|| json!(0)),
            description: "Number of nodes to skip. Default 0.",
        },
        ArgSpec {
            name: "limit",
            kind: ArgKind::Integer,
            default: Some(|| json!(100)),
            description: "Max number of nodes to return. Default 100.",
        },
    ],
    plan: |arguments| {
        let mut params = arguments.pick(&["depth"]);
        params.insert(
            "window".to_owned(),
            json!({"offset": arguments.integer("offset"), "limit": arguments.integer("limit")}),
        );
        Ok(Command::new("get_scene_tree", params).into())
    },
    shape_result: paging::page_scene_tree,
};

pub(super) const NODE_GET_PROPERTIES: ToolSpec = ToolSpec {
    name: "node_get_properties",
    description: "Get the properties of a node: all editor-visible ones, or only `fields`.\n\n\
        Returns path, node_type, properties (name, type, value) and count.",
    arguments: &[
        ArgSpec {
            name: "path",
            kind: ArgKind::String,
            default: None,
            description: "Scene path relative to the edited scene root (e.g. \"/Main/Camera3D\"), \
                NOT runtime \"/root/...\" paths. Derive from prior tool responses or \
                scene_get_hierarchy.",
        },
        ArgSpec {
            name: "fields",
            kind: ArgKind::StringListOrNull,
            default: Some(|| Value::Null),
            description: "Only these property names (all when empty or left out).",
        },
    ],
    plan: |arguments| {
        let mut params = arguments.pick(&["path"]);
        // Sent only when it names at least one property, as godot-ai does.
        params.extend(
            arguments
                .pick(&["fields"])
                .into_iter()
                .filter(|(_, fields)| fields.as_array().is_some_and(|names| !names.is_empty())),
        );
        Ok(Command::new("get_node_properties", params).into())
    },
    shape_result: unchanged,
};

pub(super) const SCENE_OPEN: ToolSpec = ToolSpec {
    name: "scene_open",
    description: "Open a scene in the editor (or switch to it if already open; force_reload \
        re-reads it from disk, dropping its unsaved edits).",
    arguments: &[
        text_arg("path", "res:// path of the scene, e.g. res://main.tscn."),
        flag_arg(
            "force_reload",
            "Re-read the scene from disk even if it is open, discarding its unsaved changes.",
        ),
    ],
    plan: |arguments| {
        let mut params = arguments.pick(&["path"]);
        params.extend(arguments.pick_true(&["force_reload"]));
        Ok(Command::new("open_scene", params).into())
    },
    shape_result: unchanged,
};

pub(super) const SCENE_SAVE: ToolSpec = ToolSpec {
    name: "scene_save",
    description: "Save the edited scene to its file.",
    arguments: &[],
    plan: |_| Ok(Command::bare("save_scene").into()),
    shape_result: unchanged,
};

pub(super) const SCENE_MANAGE: ToolSpec = manage_tool!(
    "scene_manage",
    "Scene operations by `op`: get_roots (open scenes), create, save_as. `params` \
     holds the op's arguments.",
    [
        "create" => "create_scene",
        "get_roots" => "get_open_scenes",
        "save_as" => "save_scene_as",
    ]
);

pub(super) const NODE_CREATE: ToolSpec = ToolSpec {
    name: "node_create",
    description: "Create a node in the edited scene, by class (`type`) or by instancing a \
        PackedScene (`scene_path`). Undoable.",
    arguments: &[
        optional_text_arg("type", "Godot class of the new node, e.g. Sprite2D."),
        optional_text_arg(
            "name",
            "Name of the new node (made unique among its siblings).",
        ),
        optional_text_arg(
            "parent_path",
            "Parent node path, e.g. /Main/World; empty for the scene root.",
        ),
        optional_text_arg(
            "scene_path",
            "res:// path of a scene to instance instead of a class.",
        ),
        SCENE_FILE_ARG,
    ],
    plan: |arguments| {
        let mut params = arguments.pick(&["type", "name", "parent_path"]);
        params.extend(arguments.pick_non_empty(&["scene_path", "scene_file"]));
        Ok(Command::new("create_node", params).into())
    },
    shape_result: unchanged,
};

pub(super) const NODE_SET_PROPERTY: ToolSpec = ToolSpec {
    name: "node_set_property",
    description: "Set a property of a node. Vectors as {x,y[,z]} or arrays, colours as \
        {r,g,b[,a]} or \"#rrggbb\", resources as res:// paths, enums by value or name. Undoable.",
    arguments: &[
        text_arg(
            "path",
            "Node path relative to the edited scene root, e.g. /Main/Camera3D.",
        ),
        text_arg(
            "property",
            "Property name, as node_get_properties lists it.",
        ),
        ArgSpec {
            name: "value",
            kind: ArgKind::Any,
            default: None,
            description: "The new value (null clears object properties).",
        },
        SCENE_FILE_ARG,
    ],
    plan: |arguments| {
        let mut params = arguments.pick(&["path", "property", "value"]);
        params.extend(arguments.pick_non_empty(&["scene_file"]));
        Ok(Command::new("set_property", params).into())
    },
    shape_result: unchanged,
};

pub(super) const NODE_MANAGE: ToolSpec = manage_tool!(
    "node_manage",
    "Node operations by `op`: get_children, get_groups, delete, rename (new_name), \
     add_to_group / remove_from_group (group), duplicate, move, reparent. `params` holds the \
     op's arguments, e.g. {\"path\": \"/Main/Player\"}. Changes are undoable.",
    [
        "add_to_group" => "add_to_group",
        "delete" => "delete_node",
        "duplicate" => "duplicate_node",
        "get_children" => "get_children",
        "get_groups" => "get_groups",
        "move" => "move_node",
        "remove_from_group" => "remove_from_group",
        "rename" => "rename_node",
        "reparent" => "reparent_node",
    ]
);

pub(super) const NODE_FIND: ToolSpec = ToolSpec {
    name: "node_find",
    description: "Find nodes in the edited scene by name (case-insensitive substring), type \
        (exact class) and/or group; filters combine. Returns a page of {name, type, path}.",
    arguments: &[
        optional_text_arg("name", "Part of the node name."),
        optional_text_arg("type", "Exact class, e.g. MeshInstance3D."),
        optional_text_arg("group", "Group the node is in."),
        integer_arg("offset", || json!(0), "Matches to skip. Default 0."),
        integer_arg(
            "limit",
            || json!(100),
            "Max matches to return. Default 100.",
        ),
    ],
    plan: |arguments| {
        let mut params = arguments.pick(&["name", "type", "group"]);
        params.insert(
            "window".to_owned(),
            json!({"offset": arguments.integer("offset"), "limit": arguments.integer("limit")}),
        );
        Ok(Command::new("find_nodes", params).into())
    },
    shape_result: paging::page_found_nodes,
};
