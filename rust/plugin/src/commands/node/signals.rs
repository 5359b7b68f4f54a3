//! Signal connections between scene nodes (and autoloads the editor instances): list,
//! connect, disconnect.
//!
//! Connecting and disconnecting are one `EditorUndoRedoManager` action each. Connections are
//! made with `CONNECT_PERSIST`, like the editor's own Node dock, so saving the scene writes
//! them to the `.tscn` (godot-ai 2.4.2 connects without it, and the connection is lost on
//! save).

use std::collections::HashSet;

use godot::builtin::{AnyArray, AnyDictionary};
use godot::classes::object::ConnectFlags;
use godot::classes::{Engine, ProjectSettings, SceneTree};
use godot::global::type_string;
use godot::prelude::*;
use godot_ai_protocol::suggest::{closest, did_you_mean};
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::params::{required_name, required_string};
use crate::commands::reply::into_object;
use crate::commands::scene::guard::edited_root;
use crate::commands::scene::paths::{not_found, resolve, scene_path};
use crate::commands::undo::undo_redo;

/// `list_signals {path, include_editor = false}`: the node's signals with their argument
/// types, and its outgoing connections. Connections to nodes outside the edited scene that
/// are not under a declared autoload (the editor's own observers) are hidden and counted in
/// `editor_connection_count` unless `include_editor` is true.
pub fn list_signals(params: &JsonObject) -> CommandResult {
    let path = required_string(params, "path")?;
    let root = edited_root(&JsonObject::new())?;
    let node = resolve(&root, path).ok_or_else(|| not_found(&root, path))?;
    let include_editor = matches!(params.get("include_editor"), Some(Value::Bool(true)));

    let mut signals = Vec::new();
    let mut connections = Vec::new();
    let mut hidden = 0usize;
    let mut seen = HashSet::new();
    for info in node.get_signal_list().iter_shared() {
        let name = text_of(&info, "name");
        signals.push(json!({"name": name, "args": signal_args(&info)}));
        if !seen.insert(name.clone()) {
            continue;
        }
        for connection in node.get_signal_connection_list(name.as_str()).iter_shared() {
            let Some(callable) = connection
                .get("callable")
                .and_then(|value| value.try_to::<Callable>().ok())
            else {
                continue;
            };
            // A connection to a freed object has no live target: skipped.
            let Some(target) = callable.object() else {
                continue;
            };
            match target_label(&root, target, include_editor) {
                Some(label) => connections.push(json!({
                    "signal": name,
                    "target": label,
                    "method": method_label(&callable),
                })),
                None => hidden += 1,
            }
        }
    }
    let signal_count = signals.len();
    let connection_count = connections.len();
    Ok(into_object(json!({
        "path": scene_path(&root, &node),
        "signals": signals,
        "signal_count": signal_count,
        "connections": connections,
        "connection_count": connection_count,
        "editor_connection_count": hidden,
    })))
}

/// `connect_signal {path, signal, target, method}`: connects `path`'s `signal` to
/// `target.method` (persistent, saved with the scene), as one undoable action.
pub fn connect_signal(params: &JsonObject) -> CommandResult {
    let request = Request::read(params)?;
    let Request {
        source,
        target,
        signal,
        method,
        ..
    } = &request;
    if !source.has_signal(signal.as_str()) {
        return Err(unknown_signal(&request));
    }
    if !target.has_method(method.as_str()) {
        return Err(unknown_method(&request));
    }
    let callable = Callable::from_object_method(target, method.as_str());
    if source.is_connected(signal.as_str(), &callable) {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "Signal '{signal}' already connected to {}.{method} (nothing to do; \
                 signal_manage op=disconnect removes it).",
                request.target_param
            ),
        ));
    }
    let flags = ConnectFlags::PERSIST.ord() as i64;
    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Connect signal {signal}"));
    history.add_do_method(
        source,
        "connect",
        &[
            signal.to_variant(),
            callable.to_variant(),
            flags.to_variant(),
        ],
    );
    history.add_undo_method(
        source,
        "disconnect",
        &[signal.to_variant(), callable.to_variant()],
    );
    history.commit_action();
    Ok(request.reply())
}

/// `disconnect_signal {path, signal, target, method}`: removes that connection, as one
/// undoable action (undo reconnects it with the flags it had).
pub fn disconnect_signal(params: &JsonObject) -> CommandResult {
    let request = Request::read(params)?;
    let Request {
        source,
        target,
        signal,
        method,
        ..
    } = &request;
    let callable = Callable::from_object_method(target, method.as_str());
    // `is_connected` on a signal the node lacks logs an engine error; it is not connected.
    if !source.has_signal(signal.as_str()) || !source.is_connected(signal.as_str(), &callable) {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "Signal '{signal}' is not connected to {}.{method}. Use signal_manage op=list \
                 on {} to see its connections.",
                request.target_param, request.source_param
            ),
        ));
    }
    let flags = connection_flags(source, signal, &callable);
    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Disconnect signal {signal}"));
    history.add_do_method(
        source,
        "disconnect",
        &[signal.to_variant(), callable.to_variant()],
    );
    history.add_undo_method(
        source,
        "connect",
        &[
            signal.to_variant(),
            callable.to_variant(),
            flags.to_variant(),
        ],
    );
    history.commit_action();
    Ok(request.reply())
}

/// A connect/disconnect request, its params checked and both ends resolved.
struct Request {
    root: Gd<Node>,
    source: Gd<Node>,
    target: Gd<Node>,
    source_param: String,
    target_param: String,
    signal: String,
    method: String,
}

impl Request {
    /// godot-ai's order: the four params, the open scene, the source, the target.
    fn read(params: &JsonObject) -> Result<Self, CommandError> {
        let source_param = required_string(params, "path")?.to_owned();
        let signal = required_name(params, "signal")?.to_owned();
        let target_param = required_string(params, "target")?.to_owned();
        let method = required_name(params, "method")?.to_owned();
        let root = edited_root(&JsonObject::new())?;
        let source = endpoint(&root, &source_param, "Source")?;
        let target = endpoint(&root, &target_param, "Target")?;
        Ok(Self {
            root,
            source,
            target,
            source_param,
            target_param,
            signal,
            method,
        })
    }

    /// `{source, signal, target, method, undoable}`, paths canonical (`""` outside the scene).
    fn reply(&self) -> JsonObject {
        into_object(json!({
            "source": canonical(&self.root, &self.source),
            "signal": self.signal,
            "target": canonical(&self.root, &self.target),
            "method": self.method,
            "undoable": true,
        }))
    }
}

/// The node named by `path`: in the edited scene, else a declared autoload the editor has
/// instanced (`/<Name>`, or `/root/<Name>`).
fn endpoint(root: &Gd<Node>, path: &str, role: &str) -> Result<Gd<Node>, CommandError> {
    if let Some(node) = resolve(root, path) {
        return Ok(node);
    }
    let name = path.strip_prefix('/').unwrap_or(path);
    let name = name.strip_prefix("root/").unwrap_or(name);
    if !name.is_empty() && ProjectSettings::singleton().has_setting(&format!("autoload/{name}")) {
        return live_autoload(name).ok_or_else(|| {
            CommandError::new(
                ErrorCode::InvalidParams,
                format!(
                    "{role} '{name}' is a declared autoload but isn't instantiated in the editor. \
                     Most autoloads are runtime-only; edit-time signal connection isn't \
                     supported for them. Connect it from a script attached to the scene using \
                     @onready + connect(), or enable editor-instancing for this autoload in \
                     Project Settings > Autoload. (An autoload whose script is @tool is \
                     instanced when the editor next starts.)"
                ),
            )
        });
    }
    Err(endpoint_not_found(root, path, role))
}

/// `NODE_NOT_FOUND` for a source or target, with the closest scene paths.
fn endpoint_not_found(root: &Gd<Node>, path: &str, role: &str) -> CommandError {
    let suggestions = not_found(root, path)
        .data
        .and_then(|mut data| data.remove("suggestions"));
    let best = suggestions
        .as_ref()
        .and_then(|list| list.get(0))
        .and_then(Value::as_str)
        .map(|best| format!(" Did you mean \"{best}\"?"))
        .unwrap_or_default();
    let root_path = format!("/{}", root.get_name());
    let mut error = CommandError::new(
        ErrorCode::NodeNotFound,
        format!(
            "{role} node not found: {path} (not in scene tree or autoloads).{best} Paths are \
             relative to the edited scene root (e.g. \"{root_path}/Child\"); scene root is \
             \"{root_path}\"."
        ),
    );
    if let Some(suggestions) = suggestions {
        error = error.with_data("suggestions", suggestions);
    }
    error
}

/// The editor's live instance of the autoload `name` (`/root/<name>`), if any.
fn live_autoload(name: &str) -> Option<Gd<Node>> {
    let tree = Engine::singleton()
        .get_main_loop()?
        .try_cast::<SceneTree>()
        .ok()?;
    tree.get_root()?.get_node_or_null(name)
}

/// `PROPERTY_NOT_ON_CLASS` for a signal the source lacks, with close signal names.
fn unknown_signal(request: &Request) -> CommandError {
    let names: Vec<String> = request
        .source
        .get_signal_list()
        .iter_shared()
        .map(|info| text_of(&info, "name"))
        .collect();
    let similar: Vec<String> = closest(&request.signal, names.iter().map(String::as_str), 5)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let hint = did_you_mean(&similar);
    CommandError::new(
        ErrorCode::PropertyNotOnClass,
        format!(
            "Signal '{}' not found on {}.{hint} Use signal_manage op=list on it to see its \
             signals.",
            request.signal, request.source_param
        ),
    )
    .with_data("suggestions", similar)
}

/// `PROPERTY_NOT_ON_CLASS` for a method the target lacks.
fn unknown_method(request: &Request) -> CommandError {
    CommandError::new(
        ErrorCode::PropertyNotOnClass,
        format!(
            "Method '{method}' not found on {target}. Attach a script that defines \
             func {method}(...) to {target} (script_create, then script_attach), or pick a \
             method it has.",
            method = request.method,
            target = request.target_param
        ),
    )
}

/// The flags of the existing connection `signal` -> `callable` (so undoing a disconnect
/// restores it as it was); `CONNECT_PERSIST` if it cannot be read.
fn connection_flags(source: &Gd<Node>, signal: &str, callable: &Callable) -> i64 {
    source
        .get_signal_connection_list(signal)
        .iter_shared()
        .find(|connection| {
            connection
                .get("callable")
                .and_then(|value| value.try_to::<Callable>().ok())
                .is_some_and(|other| other == *callable)
        })
        .and_then(|connection| connection.get("flags"))
        .and_then(|flags| flags.try_to::<i64>().ok())
        .unwrap_or(ConnectFlags::PERSIST.ord() as i64)
}

/// `/Root/...` for a node of the edited scene, `""` for any other.
fn canonical(root: &Gd<Node>, node: &Gd<Node>) -> String {
    if node == root || root.is_ancestor_of(node) {
        scene_path(root, node)
    } else {
        String::new()
    }
}

/// How a connection's target is shown, or `None` when it is hidden as an editor connection:
/// scene nodes by their scene path, other in-tree nodes by their absolute path, other objects
/// by their text.
fn target_label(root: &Gd<Node>, target: Gd<Object>, include_editor: bool) -> Option<String> {
    let node = match target.try_cast::<Node>() {
        Ok(node) => node,
        Err(object) => return Some(object.to_variant().stringify().to_string()),
    };
    if node == *root || root.is_ancestor_of(&node) {
        return Some(scene_path(root, &node));
    }
    if !include_editor && !under_autoload(&node) {
        return None;
    }
    Some(if node.is_inside_tree() {
        node.get_path().to_string()
    } else {
        node.to_variant().stringify().to_string()
    })
}

/// Whether `node` is a declared autoload (`/root/<Name>` with `autoload/<Name>` set) or
/// under one.
fn under_autoload(node: &Gd<Node>) -> bool {
    if !node.is_inside_tree() {
        return false;
    }
    let path = node.get_path().to_string();
    let Some(rest) = path.strip_prefix("/root/") else {
        return false;
    };
    let name = rest.split('/').next().unwrap_or(rest);
    !name.is_empty() && ProjectSettings::singleton().has_setting(&format!("autoload/{name}"))
}

/// The method a connection calls. Custom callables (lambdas, bound callables) have no
/// method name to ask for (asking logs an engine error): their text is used instead.
fn method_label(callable: &Callable) -> String {
    if callable.is_custom() {
        return callable.to_variant().stringify().to_string();
    }
    callable
        .method_name()
        .map(|name| name.to_string())
        .unwrap_or_default()
}

/// `[{name, type}]` for a signal's arguments; an untyped argument is `"Nil"`.
fn signal_args(info: &VarDictionary) -> Vec<Value> {
    // Typed or untyped containers alike.
    let Some(args) = info
        .get("args")
        .and_then(|args| args.try_to::<AnyArray>().ok())
    else {
        return Vec::new();
    };
    args.iter_shared()
        .filter_map(|arg| arg.try_to::<AnyDictionary>().ok())
        .map(|arg| {
            let name = arg
                .get(&"name".to_variant())
                .map(|name| name.stringify().to_string())
                .unwrap_or_default();
            let ty = arg
                .get(&"type".to_variant())
                .and_then(|ty| ty.try_to::<i64>().ok())
                .unwrap_or(0);
            json!({"name": name, "type": type_string(ty).to_string()})
        })
        .collect()
}

/// The text of `key` in a Godot dictionary (`""` when absent).
fn text_of(dictionary: &VarDictionary, key: &str) -> String {
    dictionary
        .get(key)
        .map(|value| value.stringify().to_string())
        .unwrap_or_default()
}
