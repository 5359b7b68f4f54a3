//! The editor's undo history, and keeping node owners right across undo.
//!
//! Taking a node out of the tree clears the owner of every node in its subtree that was owned
//! by the scene root (Godot does this in `remove_child`), and a node without an owner is not
//! saved with the scene. So every action that re-adds a subtree also re-owns the nodes that were
//! owned before, in both its do and its undo half.

use godot::classes::{EditorInterface, EditorUndoRedoManager};
use godot::prelude::*;
use godot_ai_protocol::CommandError;

/// The editor's undo history (every scene change goes through it).
pub(super) fn undo_redo() -> Result<Gd<EditorUndoRedoManager>, CommandError> {
    EditorInterface::singleton()
        .get_editor_undo_redo()
        .ok_or_else(|| CommandError::internal("The editor's undo history is not available"))
}

/// `node` and its descendants that the scene root owns (the nodes saved with the scene),
/// pre-order. Nodes of instanced sub-scenes are owned by their instance and left out.
pub(super) fn scene_owned_subtree(root: &Gd<Node>, node: &Gd<Node>) -> Vec<Gd<Node>> {
    let mut owned = Vec::new();
    let mut pending = vec![node.clone()];
    while let Some(next) = pending.pop() {
        if next.get_owner().as_ref() == Some(root) {
            owned.push(next.clone());
        }
        let children: Vec<Gd<Node>> = next.get_children().iter_shared().collect();
        pending.extend(children.into_iter().rev());
    }
    owned
}

/// Which half of an undo action a call belongs to.
#[derive(Clone, Copy)]
pub(super) enum Half {
    Do,
    Undo,
}

/// Adds `set_owner(root)` for each of `nodes` to one half of the open action.
pub(super) fn reown(
    history: &mut Gd<EditorUndoRedoManager>,
    half: Half,
    root: &Gd<Node>,
    nodes: &[Gd<Node>],
) {
    for node in nodes {
        let args = [root.to_variant()];
        match half {
            Half::Do => history.add_do_method(node, "set_owner", &args),
            Half::Undo => history.add_undo_method(node, "set_owner", &args),
        }
    }
}

/// Adds to the open action: `target`'s `property` becomes `value`; undo gives back the value it
/// has now.
pub(super) fn change_property<T: Inherits<Object>>(
    history: &mut Gd<EditorUndoRedoManager>,
    target: &Gd<T>,
    property: &str,
    value: &Variant,
) {
    let object = target.clone().upcast::<Object>();
    history.add_do_property(&object, property, value);
    history.add_undo_property(&object, property, &object.get(property));
}
