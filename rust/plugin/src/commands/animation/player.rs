//! Finding the AnimationPlayer an op names, and adding a new clip to it as one undo action,
//! together with the player or default library it needs when they do not exist yet.
//!
//! Every action here is pinned to the edited scene's history (its root is the action's
//! context), so Ctrl+Z in the scene, the dock's Undo and a failed batch take it back.

use godot::classes::{Animation, AnimationLibrary, AnimationPlayer, EditorUndoRedoManager};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, ErrorCode, JsonObject};

use crate::commands::params::required_string;
use crate::commands::scene::guard::{edited_root, parent_at};
use crate::commands::scene::paths::{not_found, resolve};
use crate::commands::undo::undo_redo;

/// The default library's key.
pub const DEFAULT_LIBRARY: &str = "";

/// An existing player named by the required param `player_path`, with the scene root.
pub fn existing_player(
    params: &JsonObject,
) -> Result<(Gd<Node>, Gd<AnimationPlayer>), CommandError> {
    let path = required_string(params, "player_path")?;
    let root = edited_root(params)?;
    let node = resolve(&root, path).ok_or_else(|| not_found(&root, path))?;
    Ok((root, as_player(node, path)?))
}

fn as_player(node: Gd<Node>, path: &str) -> Result<Gd<AnimationPlayer>, CommandError> {
    node.try_cast::<AnimationPlayer>().map_err(|node| {
        CommandError::new(
            ErrorCode::WrongType,
            format!(
                "Node at {path} is not an AnimationPlayer (got {})",
                node.get_class()
            ),
        )
    })
}

/// The node the player's tracks are relative to: its `root_node` (by default `..`, its
/// parent), or its parent when that does not resolve. `None` for a player outside the tree.
pub fn track_root(player: &Gd<AnimationPlayer>) -> Option<Gd<Node>> {
    let root_node = player.get_root_node();
    let named = if root_node.is_empty() {
        None
    } else {
        player.get_node_or_null(&root_node)
    };
    named.or_else(|| player.get_parent())
}

/// The player a new clip goes into, before anything is changed: the existing one, or the one
/// to make (`animation_create` and `create_simple` make a missing player).
pub enum Planned {
    Existing(Gd<AnimationPlayer>),
    New { parent: Gd<Node>, name: String },
}

impl Planned {
    /// The player named by `player_path`; a missing one is planned under the parent its path
    /// names (the scene root for a bare name). A node of another class is `WRONG_TYPE`.
    pub fn from_path(root: &Gd<Node>, path: &str) -> Result<Self, CommandError> {
        if let Some(node) = resolve(root, path) {
            return as_player(node, path).map(Self::Existing);
        }
        let (parent_path, name) = path.rsplit_once('/').unwrap_or(("", path));
        if name.is_empty() {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!(
                    "Cannot auto-create AnimationPlayer: player_path '{path}' has no leaf name"
                ),
            ));
        }
        let parent = parent_at(root, parent_path).map_err(|error| {
            CommandError::new(
                ErrorCode::InvalidParams,
                format!(
                    "Cannot auto-create AnimationPlayer at {path}: {}",
                    error.message
                ),
            )
        })?;
        Ok(Self::New {
            parent,
            name: name.to_owned(),
        })
    }

    /// The node the clip's tracks will be relative to (a new player's parent).
    pub fn track_root(&self) -> Option<Gd<Node>> {
        match self {
            Self::Existing(player) => track_root(player),
            Self::New { parent, .. } => Some(parent.clone()),
        }
    }

    /// `NAME_TAKEN`-style refusal when the default library has `name` and `overwrite` is off.
    pub fn check_free(&self, name: &str, overwrite: bool) -> Result<(), CommandError> {
        if let Self::Existing(player) = self {
            check_free(player, name, overwrite)?;
        }
        Ok(())
    }

    /// Makes the planned player (not in the tree yet: the clip's action adds it).
    pub fn into_destination(self, root: Gd<Node>) -> Destination {
        match self {
            Self::Existing(player) => Destination::existing(root, player),
            Self::New { parent, name } => {
                let mut player = AnimationPlayer::new_alloc();
                player.set_name(&name);
                let library = AnimationLibrary::new_gd();
                player.add_animation_library(DEFAULT_LIBRARY, &library);
                Destination {
                    root,
                    player,
                    new_player_parent: Some(parent),
                    library,
                    new_library: false,
                }
            }
        }
    }
}

/// `INVALID_PARAMS` when the default library already has `name` and `overwrite` is off.
pub fn check_free(
    player: &Gd<AnimationPlayer>,
    name: &str,
    overwrite: bool,
) -> Result<(), CommandError> {
    let taken = player
        .get_animation_library(DEFAULT_LIBRARY)
        .is_some_and(|library| library.has_animation(name));
    if taken && !overwrite {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!("Animation '{name}' already exists. Pass overwrite=true or delete it first."),
        ));
    }
    Ok(())
}

/// Where a new clip goes: a player and its default library, either of which the clip's undo
/// action may have to add first.
pub struct Destination {
    root: Gd<Node>,
    pub player: Gd<AnimationPlayer>,
    /// Set when the player is new: it is added under this parent in the clip's action.
    new_player_parent: Option<Gd<Node>>,
    library: Gd<AnimationLibrary>,
    /// Whether the default library is new: it is attached in the clip's action.
    new_library: bool,
}

/// How a clip was added.
pub struct Added {
    /// A player or a default library was made for it.
    pub library_created: bool,
    pub player_created: bool,
    /// A clip of the same name was replaced.
    pub overwritten: bool,
}

impl Destination {
    /// An existing player, with its default library or a new one to attach.
    pub fn existing(root: Gd<Node>, player: Gd<AnimationPlayer>) -> Self {
        let (library, new_library) = match player.get_animation_library(DEFAULT_LIBRARY) {
            Some(library) => (library, false),
            None => (AnimationLibrary::new_gd(), true),
        };
        Self {
            root,
            player,
            new_player_parent: None,
            library,
            new_library,
        }
    }

    /// Adds `animation` as `name` in one undo action named `action` (replacing a clip of that
    /// name), with the player or library it needs.
    pub fn add(
        self,
        name: &str,
        animation: Gd<Animation>,
        action: &str,
    ) -> Result<Added, CommandError> {
        let mut history = match scene_action(&self.root, action) {
            Ok(history) => history,
            Err(error) => {
                if self.new_player_parent.is_some() {
                    self.player.free();
                }
                return Err(error);
            }
        };
        let library = self.library.clone().upcast::<Object>();
        if let Some(parent) = &self.new_player_parent {
            let player = self.player.clone().upcast::<Object>();
            history.add_do_method(
                parent,
                "add_child",
                &[player.to_variant(), true.to_variant()],
            );
            history.add_do_method(&player, "set_owner", &[self.root.to_variant()]);
            history.add_do_reference(&player);
            history.add_undo_method(parent, "remove_child", &[player.to_variant()]);
        } else if self.new_library {
            let key = StringName::from(DEFAULT_LIBRARY).to_variant();
            history.add_do_method(
                &self.player,
                "add_animation_library",
                &[key.clone(), library.to_variant()],
            );
            history.add_undo_method(&self.player, "remove_animation_library", &[key]);
        }
        let key = StringName::from(name).to_variant();
        let old = self
            .library
            .has_animation(name)
            .then(|| self.library.get_animation(name))
            .flatten();
        if old.is_some() {
            history.add_do_method(&library, "remove_animation", std::slice::from_ref(&key));
        }
        history.add_do_method(
            &library,
            "add_animation",
            &[key.clone(), animation.to_variant()],
        );
        history.add_undo_method(&library, "remove_animation", std::slice::from_ref(&key));
        if let Some(old) = &old {
            history.add_undo_method(&library, "add_animation", &[key, old.to_variant()]);
        }
        history.commit_action();
        Ok(Added {
            library_created: self.new_library || self.new_player_parent.is_some(),
            player_created: self.new_player_parent.is_some(),
            overwritten: old.is_some(),
        })
    }
}

/// Opens an undo action named `name` in the edited scene's history.
pub fn scene_action(
    root: &Gd<Node>,
    name: &str,
) -> Result<Gd<EditorUndoRedoManager>, CommandError> {
    let mut history = undo_redo()?;
    history.create_action_ex(name).custom_context(root).done();
    Ok(history)
}

/// The clip `name` of `player` (`clip` in the default library, or `library/clip`), with the
/// library that holds it and its key there; `PROPERTY_NOT_ON_CLASS` listing the player's
/// clips when there is none.
pub fn clip(
    player: &Gd<AnimationPlayer>,
    name: &str,
    player_path: Option<&str>,
) -> Result<(Gd<Animation>, Gd<AnimationLibrary>, String, String), CommandError> {
    let (library_key, clip_key) = name.split_once('/').unwrap_or((DEFAULT_LIBRARY, name));
    let found = player.has_animation(name).then(|| {
        let library = player.get_animation_library(library_key)?;
        let animation = library.get_animation(clip_key)?;
        Some((animation, library))
    });
    match found.flatten() {
        Some((animation, library)) => Ok((
            animation,
            library,
            library_key.to_owned(),
            clip_key.to_owned(),
        )),
        None => Err(no_clip(player, name, player_path)),
    }
}

/// `PROPERTY_NOT_ON_CLASS`: the player has no clip `name`; lists the ones it has.
pub fn no_clip(
    player: &Gd<AnimationPlayer>,
    name: &str,
    player_path: Option<&str>,
) -> CommandError {
    let available: Vec<String> = player
        .get_animation_list()
        .as_slice()
        .iter()
        .map(GString::to_string)
        .collect();
    let place = player_path.map_or_else(String::new, |path| format!(" at {path}"));
    CommandError::new(
        ErrorCode::PropertyNotOnClass,
        format!(
            "Animation '{name}' not found on player{place}. Available: {}",
            if available.is_empty() {
                "none (create one with animation_create)".to_owned()
            } else {
                available.join(", ")
            }
        ),
    )
    .with_data("available", available)
}
