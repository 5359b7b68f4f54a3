//! The animation domain (godot-ai's `animation_create` and `animation_manage`): players and
//! their clips in the edited scene (create, delete, tracks, autoplay, presets: each one undo
//! action in the scene's history), reading and checking clips, and previewing them in the
//! editor (play, stop: not saved, not undoable).
//!
//! Clips live in the player's libraries: a bare name is a clip of the default library (key
//! `""`), `library/clip` one of another library. Track paths are relative to the player's
//! root node (its parent by default), as Godot stores them.

mod player;
mod presets;
mod tracks;
mod values;

use godot::classes::{Animation, AnimationLibrary, AnimationPlayer, ClassDb};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::params::{
    flag_or, optional_name, optional_number, optional_string, required_string,
};
use crate::commands::reply::into_object;
use crate::commands::scene::guard::{edited_root, parent_at};
use crate::commands::scene::paths::scene_path;
use crate::commands::undo::change_property;
use player::{DEFAULT_LIBRARY, Planned, clip, existing_player, no_clip, scene_action, track_root};
use values::{interpolation_name, keys, loop_mode, loop_mode_name, new_clip_name, track_type_name};

pub use presets::{
    animation_preset_fade, animation_preset_pulse, animation_preset_shake, animation_preset_slide,
};
pub use tracks::{
    animation_add_method_track, animation_add_property_track, animation_create_simple,
};

/// Why play and stop are not undoable.
const RUNTIME_ONLY: &str = "Runtime playback state — not saved with scene";

/// `animation_player_create {parent_path?, name? ("AnimationPlayer")}`: a player with an
/// empty default library, ready for clips.
pub fn animation_player_create(params: &JsonObject) -> CommandResult {
    let root = edited_root(params)?;
    let parent = parent_at(&root, optional_string(params, "parent_path")?)?;
    let name = match optional_name(params, "name")? {
        "" => "AnimationPlayer",
        name => name,
    };
    let mut player = ClassDb::singleton()
        .instantiate("AnimationPlayer")
        .try_to::<Gd<AnimationPlayer>>()
        .map_err(|_| CommandError::internal("Failed to instantiate AnimationPlayer"))?;
    player.set_name(name);
    player.add_animation_library(DEFAULT_LIBRARY, &AnimationLibrary::new_gd());
    let mut history = scene_action(&root, &format!("MCP: Create AnimationPlayer {name}"))?;
    let object = player.clone().upcast::<Object>();
    history.add_do_method(
        &parent,
        "add_child",
        &[object.to_variant(), true.to_variant()],
    );
    history.add_do_method(&object, "set_owner", &[root.to_variant()]);
    history.add_do_reference(&object);
    history.add_undo_method(&parent, "remove_child", &[object.to_variant()]);
    history.commit_action();
    let node = player.upcast::<Node>();
    Ok(into_object(json!({
        "path": scene_path(&root, &node),
        "parent_path": scene_path(&root, &parent),
        "name": node.get_name().to_string(),
        "undoable": true,
    })))
}

/// `animation_create {player_path, name, length, loop_mode? ("none"), overwrite? (false)}`:
/// an empty clip; a missing player is made in the same undo action.
pub fn animation_create(params: &JsonObject) -> CommandResult {
    let player_path = required_string(params, "player_path")?;
    let name = new_clip_name("name", required_string(params, "name")?)?;
    let length = optional_number(params, "length")?.unwrap_or(1.0);
    if length <= 0.0 {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("length must be > 0 (got {length})"),
        ));
    }
    let loop_name = optional_string(params, "loop_mode")?;
    let mode = loop_mode(loop_name)?;
    let overwrite = flag_or(params, "overwrite", false)?;
    let root = edited_root(params)?;
    let planned = Planned::from_path(&root, player_path)?;
    planned.check_free(name, overwrite)?;
    let mut animation = Animation::new_gd();
    animation.set_length(length as f32);
    animation.set_loop_mode(mode);
    let added = planned.into_destination(root).add(
        name,
        animation,
        &format!("MCP: Create animation {name}"),
    )?;
    Ok(into_object(json!({
        "player_path": player_path,
        "name": name,
        "length": length,
        "loop_mode": loop_mode_name(mode),
        "library_created": added.library_created,
        "animation_player_created": added.player_created,
        "overwritten": added.overwritten,
        "undoable": true,
    })))
}

/// `animation_delete {player_path, animation_name}`: removes the clip (`library/clip` for
/// another library); the player's autoplay is cleared in the same action when it named it.
pub fn animation_delete(params: &JsonObject) -> CommandResult {
    let player_path = required_string(params, "player_path")?;
    let name = required_string(params, "animation_name")?;
    let (root, player) = existing_player(params)?;
    let (animation, library, library_key, clip_key) = clip(&player, name, None)?;
    let autoplay_cleared = player.get_autoplay() == name;
    let mut history = scene_action(&root, &format!("MCP: Delete animation {name}"))?;
    if autoplay_cleared {
        change_property(
            &mut history,
            &player,
            "autoplay",
            &GString::new().to_variant(),
        );
    }
    let key = StringName::from(clip_key.as_str()).to_variant();
    history.add_do_method(&library, "remove_animation", std::slice::from_ref(&key));
    history.add_undo_method(&library, "add_animation", &[key, animation.to_variant()]);
    history.commit_action();
    Ok(into_object(json!({
        "player_path": player_path,
        "animation_name": name,
        "library_key": library_key,
        "autoplay_cleared": autoplay_cleared,
        "undoable": true,
    })))
}

/// `animation_set_autoplay {player_path, animation_name? ("": no autoplay)}`.
pub fn animation_set_autoplay(params: &JsonObject) -> CommandResult {
    let player_path = required_string(params, "player_path")?;
    let name = optional_string(params, "animation_name")?;
    let (root, player) = existing_player(params)?;
    if !name.is_empty() && !player.has_animation(name) {
        return Err(no_clip(&player, name, Some(player_path)));
    }
    let previous = player.get_autoplay().to_string();
    let mut history = scene_action(&root, &format!("MCP: Set autoplay {name} on {player_path}"))?;
    change_property(
        &mut history,
        &player,
        "autoplay",
        &GString::from(name).to_variant(),
    );
    history.commit_action();
    Ok(into_object(json!({
        "player_path": player_path,
        "animation_name": name,
        "previous_autoplay": previous,
        "cleared": name.is_empty(),
        "undoable": true,
    })))
}

/// `animation_play {player_path, animation_name? ("": the assigned clip)}`: plays it in the
/// editor (the animated nodes really move); not saved, not undoable.
pub fn animation_play(params: &JsonObject) -> CommandResult {
    let player_path = required_string(params, "player_path")?;
    let name = optional_string(params, "animation_name")?;
    let (_, mut player) = existing_player(params)?;
    if name.is_empty() {
        if player.get_assigned_animation().is_empty() {
            return Err(CommandError::new(
                ErrorCode::MissingRequiredParam,
                format!(
                    "The player at {player_path} has no assigned animation to resume: pass \
                     animation_name (animation_list shows its clips)"
                ),
            ));
        }
    } else if !player.has_animation(name) {
        return Err(no_clip(&player, name, Some(player_path)));
    }
    player.play_ex().name(name).done();
    Ok(into_object(json!({
        "player_path": player_path,
        "animation_name": if name.is_empty() { player.get_assigned_animation().to_string() } else { name.to_owned() },
        "playing": player.is_playing(),
        "undoable": false,
        "reason": RUNTIME_ONLY,
    })))
}

/// `animation_stop {player_path}`: stops the preview and rewinds it.
pub fn animation_stop(params: &JsonObject) -> CommandResult {
    let player_path = required_string(params, "player_path")?;
    let (_, mut player) = existing_player(params)?;
    player.stop();
    Ok(into_object(json!({
        "player_path": player_path,
        "playing": player.is_playing(),
        "undoable": false,
        "reason": RUNTIME_ONLY,
    })))
}

/// Each clip of `player` with its qualified name, library by library (the default first).
fn clips(player: &Gd<AnimationPlayer>) -> Vec<(String, Gd<Animation>)> {
    let mut found = Vec::new();
    for library_key in player.get_animation_library_list().iter_shared() {
        let Some(library) = player.get_animation_library(&library_key) else {
            continue;
        };
        for clip_key in library.get_animation_list().iter_shared() {
            let Some(animation) = library.get_animation(&clip_key) else {
                continue;
            };
            let name = if library_key.is_empty() {
                clip_key.to_string()
            } else {
                format!("{library_key}/{clip_key}")
            };
            found.push((name, animation));
        }
    }
    found
}

/// `animation_list {player_path}`: every clip with its length, loop mode and track count.
pub fn animation_list(params: &JsonObject) -> CommandResult {
    let player_path = required_string(params, "player_path")?;
    let (_, player) = existing_player(params)?;
    let animations: Vec<Value> = clips(&player)
        .into_iter()
        .map(|(name, animation)| {
            json!({
                "name": name,
                "length": shown_seconds(animation.get_length()),
                "loop_mode": loop_mode_name(animation.get_loop_mode()),
                "track_count": animation.get_track_count(),
            })
        })
        .collect();
    Ok(into_object(json!({
        "player_path": player_path,
        "count": animations.len(),
        "animations": animations,
        "autoplay": player.get_autoplay().to_string(),
    })))
}

/// A length as results show it (Godot stores it in 32 bits).
fn shown_seconds(seconds: f32) -> Value {
    crate::variant_json::to_json(&seconds.to_variant())
}

/// `animation_get {player_path, animation_name}`: the clip with every track and key.
pub fn animation_get(params: &JsonObject) -> CommandResult {
    let player_path = required_string(params, "player_path")?;
    let name = required_string(params, "animation_name")?;
    let (_, player) = existing_player(params)?;
    let (animation, ..) = clip(&player, name, None)?;
    let tracks: Vec<Value> = (0..animation.get_track_count())
        .map(|track| {
            let keys = keys(&animation, track);
            json!({
                "index": track,
                "type": track_type_name(animation.track_get_type(track)),
                "path": animation.track_get_path(track).to_string(),
                "interpolation": interpolation_name(animation.track_get_interpolation_type(track)),
                "key_count": keys.len(),
                "keys": keys,
            })
        })
        .collect();
    Ok(into_object(json!({
        "player_path": player_path,
        "name": name,
        "length": shown_seconds(animation.get_length()),
        "loop_mode": loop_mode_name(animation.get_loop_mode()),
        "track_count": tracks.len(),
        "tracks": tracks,
    })))
}

/// `animation_validate {player_path, animation_name}`: which tracks point at a node that
/// does not exist (from the player's root node).
pub fn animation_validate(params: &JsonObject) -> CommandResult {
    let player_path = required_string(params, "player_path")?;
    let name = required_string(params, "animation_name")?;
    let (_, player) = existing_player(params)?;
    let Some(animation) = player
        .has_animation(name)
        .then(|| player.get_animation(name))
        .flatten()
    else {
        return Err(no_clip(&player, name, Some(player_path)));
    };
    let root = track_root(&player);
    let mut broken = Vec::new();
    for track in 0..animation.get_track_count() {
        let path = animation.track_get_path(track).to_string();
        let node_part = path.split_once(':').map_or(path.as_str(), |(node, _)| node);
        let found = !node_part.is_empty()
            && root
                .as_ref()
                .is_some_and(|root| root.get_node_or_null(node_part).is_some());
        if !found {
            broken.push(json!({
                "index": track,
                "path": path,
                "type": track_type_name(animation.track_get_type(track)),
                "issue": "node_not_found",
                "node_path": node_part,
            }));
        }
    }
    let track_count = animation.get_track_count() as usize;
    Ok(into_object(json!({
        "player_path": player_path,
        "animation_name": name,
        "track_count": track_count,
        "valid_count": track_count - broken.len(),
        "broken_count": broken.len(),
        "broken_tracks": broken,
        "valid": broken.is_empty(),
    })))
}
