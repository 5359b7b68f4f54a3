//! Which camera is current, per kind (a `Camera2D` and a `Camera3D` can both be current).
//!
//! In the editor a `Camera3D`'s `current` is a stored flag (saved with the scene) that the
//! engine does not keep unique among the edited scene's cameras, so making one current also
//! clears the flag on the others, in the same undo action. A `Camera2D` has no stored flag:
//! it is current when its viewport says so (`make_current` / `is_current`), and the game picks
//! its first enabled camera again at start.

use godot::classes::{Camera2D, Camera3D, EditorUndoRedoManager};
use godot::prelude::*;

use super::{Kind, scene_cameras};

/// Whether `camera` (of `kind`) is current.
pub fn is_current(camera: &Gd<Node>, kind: Kind) -> bool {
    match kind {
        Kind::TwoD => camera
            .clone()
            .try_cast::<Camera2D>()
            .is_ok_and(|camera| camera.is_current()),
        Kind::ThreeD => camera
            .clone()
            .try_cast::<Camera3D>()
            .is_ok_and(|camera| camera.is_current()),
    }
}

/// Adds to the open action: `camera` becomes its kind's current camera; undo gives it back to
/// the camera that was current before (or leaves none current).
pub fn make_current_in_action(
    history: &mut Gd<EditorUndoRedoManager>,
    root: &Gd<Node>,
    camera: &Gd<Node>,
    kind: Kind,
) {
    let others: Vec<Gd<Node>> = scene_cameras(root)
        .into_iter()
        .filter(|other| other.kind == kind && other.node != *camera)
        .map(|other| other.node)
        .collect();
    match kind {
        Kind::ThreeD => {
            history.add_do_property(camera, "current", &true.to_variant());
            history.add_undo_property(camera, "current", &is_current(camera, kind).to_variant());
            for other in others.iter().filter(|other| is_current(other, kind)) {
                history.add_do_property(other, "current", &false.to_variant());
                history.add_undo_property(other, "current", &true.to_variant());
            }
        }
        Kind::TwoD => {
            history.add_do_method(camera, "make_current", &[]);
            match others.iter().find(|other| is_current(other, kind)) {
                Some(previous) => history.add_undo_method(previous, "make_current", &[]),
                None if camera.is_inside_tree() => {
                    history.add_undo_method(camera, "clear_current", &[])
                }
                // A new camera leaves the tree on undo, and with it the viewport.
                None => {}
            }
        }
    }
}

/// Adds to the open action: `camera` is made current (`wanted`) or stops being current.
pub fn set_in_action(
    history: &mut Gd<EditorUndoRedoManager>,
    root: &Gd<Node>,
    camera: &Gd<Node>,
    kind: Kind,
    wanted: bool,
) {
    let now = is_current(camera, kind);
    if wanted && !now {
        make_current_in_action(history, root, camera, kind);
    } else if !wanted && now {
        match kind {
            Kind::ThreeD => {
                history.add_do_property(camera, "current", &false.to_variant());
                history.add_undo_property(camera, "current", &true.to_variant());
            }
            Kind::TwoD => {
                history.add_do_method(camera, "clear_current", &[]);
                history.add_undo_method(camera, "make_current", &[]);
            }
        }
    }
}
