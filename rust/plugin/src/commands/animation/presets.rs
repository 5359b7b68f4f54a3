//! godot-ai's four animation presets: a new clip with one value track on a Control, Node2D
//! or Node3D of the edited scene, added to an existing player as one undo action.
//!
//! - fade: `modulate:a` from 0 to 1 (in) or 1 to 0 (out);
//! - slide: `position` from an offset to where the node is (in), or away (out);
//! - shake: `position` jittered around where the node is, from Godot's own random generator
//!   (a seed gives the same keys every time);
//! - pulse: `scale` from one uniform scale to another and back.
//!
//! Every preset clip is as long as its `duration`, does not loop, and uses linear keys.

use godot::classes::animation::{InterpolationType, LoopMode, TrackType};
use godot::classes::{Animation, AnimationPlayer, Control, Node2D, Node3D, RandomNumberGenerator};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use super::player::{Added, Destination, check_free, existing_player, track_root};
use super::tracks::{Key, NewTrack};
use super::values::{invalid, new_clip_name};
use crate::commands::params::{
    flag_or, integer_or, optional_number, optional_string, required_string,
};
use crate::commands::properties;
use crate::commands::reply::into_object;
use crate::commands::scene::paths::{not_found, resolve};

/// What kind of node a preset animates: it decides vector sizes and default distances.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Control,
    TwoD,
    ThreeD,
}

impl Kind {
    fn of(node: &Gd<Node>) -> Option<Self> {
        if node.clone().try_cast::<Control>().is_ok() {
            Some(Self::Control)
        } else if node.clone().try_cast::<Node2D>().is_ok() {
            Some(Self::TwoD)
        } else if node.clone().try_cast::<Node3D>().is_ok() {
            Some(Self::ThreeD)
        } else {
            None
        }
    }

    /// The default for a distance-like setting: `flat` in pixels, `deep` in 3D units.
    fn default(self, flat: f64, deep: f64) -> f64 {
        if self == Self::ThreeD { deep } else { flat }
    }

    /// `(x, y, z)` as this kind's vector (z dropped in 2D).
    fn vector(self, x: f32, y: f32, z: f32) -> Variant {
        if self == Self::ThreeD {
            Vector3::new(x, y, z).to_variant()
        } else {
            Vector2::new(x, y).to_variant()
        }
    }
}

/// The player and node a preset animates.
struct Target {
    scene_root: Gd<Node>,
    player: Gd<AnimationPlayer>,
    node: Gd<Node>,
    /// The track's node path, relative to the player's root node.
    node_path: String,
    kind: Kind,
}

impl Target {
    /// The player at `player_path` and the node at `target_path`: a path starting with `/` is
    /// in the edited scene, any other one is relative to the player's root node.
    fn resolve(params: &JsonObject) -> Result<Self, CommandError> {
        let player_path = required_string(params, "player_path")?;
        let target_path = required_string(params, "target_path")?;
        let (scene_root, player) = existing_player(params)?;
        let Some(base) = track_root(&player) else {
            return Err(invalid(&format!(
                "AnimationPlayer at {player_path} has no resolvable root_node (is the scene open?)"
            )));
        };
        let (node, node_path) = if target_path.starts_with('/') {
            let node = resolve(&scene_root, target_path).ok_or_else(|| {
                let mut error = not_found(&scene_root, target_path);
                error.code = ErrorCode::InvalidParams;
                error
            })?;
            let node_path = base.get_path_to(&node).to_string();
            (node, node_path)
        } else {
            let node = base.get_node_or_null(target_path).ok_or_else(|| {
                invalid(&format!(
                    "Target node not found at '{target_path}' (resolved relative to \
                     AnimationPlayer's root_node '{}'). Pass a path relative to root_node (e.g. \
                     \"path/to/target\") or a scene-absolute path (e.g. \"/{}/path/to/target\").",
                    crate::commands::scene::paths::scene_path(&scene_root, &base),
                    scene_root.get_name()
                ))
            })?;
            (node, target_path.to_owned())
        };
        let kind = Kind::of(&node).ok_or_else(|| {
            CommandError::new(
                ErrorCode::WrongType,
                format!(
                    "Target '{target_path}' must be a Control, Node2D, or Node3D (got {})",
                    node.get_class()
                ),
            )
        })?;
        Ok(Self {
            scene_root,
            player,
            node,
            node_path,
            kind,
        })
    }

    /// The node's current `position`, as this kind's vector.
    fn position(&self) -> Variant {
        self.node.get("position")
    }

    /// Adds a clip of `length` seconds with the one track `property` keyed by `keys` (time,
    /// value), under `name` (checked against the default library unless `overwrite`).
    fn add_clip(
        &self,
        name: &str,
        overwrite: bool,
        length: f64,
        property: &str,
        keys: Vec<(f64, Variant)>,
    ) -> Result<Added, CommandError> {
        check_free(&self.player, name, overwrite)?;
        let mut animation = Animation::new_gd();
        animation.set_length(length as f32);
        animation.set_loop_mode(LoopMode::NONE);
        NewTrack {
            kind: TrackType::VALUE,
            path: format!("{}:{property}", self.node_path),
            interpolation: InterpolationType::LINEAR,
            keys: keys
                .into_iter()
                .map(|(time, value)| Key {
                    time,
                    value,
                    transition: 1.0,
                })
                .collect(),
        }
        .build_into(&mut animation);
        Destination::existing(self.scene_root.clone(), self.player.clone()).add(
            name,
            animation,
            &format!("MCP: Create animation {name}"),
        )
    }
}

/// The clip name: `animation_name`, or the preset's default when it is empty.
fn clip_name(params: &JsonObject, default: String) -> Result<String, CommandError> {
    match optional_string(params, "animation_name")? {
        "" => Ok(default),
        name => new_clip_name("animation_name", name).map(str::to_owned),
    }
}

/// A number param with a default that must be greater than 0.
fn positive(params: &JsonObject, name: &str, default: f64) -> Result<f64, CommandError> {
    let value = optional_number(params, name)?.unwrap_or(default);
    if value <= 0.0 {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("'{name}' must be > 0"),
        ));
    }
    Ok(value)
}

/// `in` or `out` (default `in`).
fn fade_mode(params: &JsonObject) -> Result<&str, CommandError> {
    match optional_string(params, "mode")? {
        "" | "in" => Ok("in"),
        "out" => Ok("out"),
        other => Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("Invalid mode '{other}'. Valid: 'in', 'out'"),
        )),
    }
}

/// The fields every preset's result has.
fn result(params: &JsonObject, name: &str, added: &Added, fields: Value) -> CommandResult {
    let mut reply = into_object(json!({
        "player_path": optional_string(params, "player_path")?,
        "animation_name": name,
        "track_count": 1,
        "library_created": added.library_created,
        "overwritten": added.overwritten,
        "undoable": true,
    }));
    reply.extend(into_object(fields));
    Ok(reply)
}

/// `animation_preset_fade {player_path, target_path, mode? ("in"), duration? (0.5),
/// animation_name? ("fade_<mode>"), overwrite?}`.
pub fn animation_preset_fade(params: &JsonObject) -> CommandResult {
    required_string(params, "player_path")?;
    required_string(params, "target_path")?;
    let mode = fade_mode(params)?;
    let duration = positive(params, "duration", 0.5)?;
    let target = Target::resolve(params)?;
    if !properties::has(&target.node.clone().upcast(), "modulate") {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "Target '{}' (class {}) has no 'modulate' property — fade requires a CanvasItem, \
                 Control, Node2D, or Sprite3D",
                target.node_path,
                target.node.get_class()
            ),
        ));
    }
    let name = clip_name(params, format!("fade_{mode}"))?;
    let (from, to) = if mode == "in" { (0.0, 1.0) } else { (1.0, 0.0) };
    let added = target.add_clip(
        &name,
        flag_or(params, "overwrite", false)?,
        duration,
        "modulate:a",
        vec![(0.0, from.to_variant()), (duration, to.to_variant())],
    )?;
    result(
        params,
        &name,
        &added,
        json!({"mode": mode, "length": duration}),
    )
}

/// `animation_preset_slide {player_path, target_path, direction? ("left"), mode? ("in"),
/// distance? (100 px, 1 unit in 3D), duration? (0.4), animation_name?
/// ("slide_<mode>_<direction>"), overwrite?}`: in slides from the offset to where the node
/// is, out from there to the offset.
pub fn animation_preset_slide(params: &JsonObject) -> CommandResult {
    required_string(params, "player_path")?;
    required_string(params, "target_path")?;
    let direction = match optional_string(params, "direction")? {
        "" => "left",
        direction @ ("left" | "right" | "up" | "down") => direction,
        other => {
            return Err(CommandError::new(
                ErrorCode::ValueOutOfRange,
                format!("Invalid direction '{other}'. Valid: 'left', 'right', 'up', 'down'"),
            ));
        }
    };
    let mode = fade_mode(params)?;
    let duration = positive(params, "duration", 0.4)?;
    let target = Target::resolve(params)?;
    let distance =
        optional_number(params, "distance")?.unwrap_or_else(|| target.kind.default(100.0, 1.0));
    if distance == 0.0 {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            "'distance' must be non-zero",
        ));
    }
    let d = distance as f32;
    // Screen y grows downwards, 3D y upwards.
    let up = if target.kind == Kind::ThreeD { d } else { -d };
    let offset = match direction {
        "left" => target.kind.vector(-d, 0.0, 0.0),
        "right" => target.kind.vector(d, 0.0, 0.0),
        "up" => target.kind.vector(0.0, up, 0.0),
        _ => target.kind.vector(0.0, -up, 0.0),
    };
    let here = target.position();
    let away = here
        .evaluate(&offset, VariantOperator::ADD)
        .unwrap_or(here.clone());
    let keys = if mode == "in" {
        vec![(0.0, away), (duration, here)]
    } else {
        vec![(0.0, here), (duration, away)]
    };
    let name = clip_name(params, format!("slide_{mode}_{direction}"))?;
    let added = target.add_clip(
        &name,
        flag_or(params, "overwrite", false)?,
        duration,
        "position",
        keys,
    )?;
    result(
        params,
        &name,
        &added,
        json!({"direction": direction, "mode": mode, "distance": distance, "length": duration}),
    )
}

/// `animation_preset_shake {player_path, target_path, intensity? (10 px, 0.1 in 3D),
/// duration? (0.3), frequency? (30 keys a second), seed? (0: random), animation_name?
/// ("shake"), overwrite?}`: starts and ends where the node is.
pub fn animation_preset_shake(params: &JsonObject) -> CommandResult {
    required_string(params, "player_path")?;
    required_string(params, "target_path")?;
    let duration = positive(params, "duration", 0.3)?;
    let frequency = positive(params, "frequency", 30.0)?;
    let seed = integer_or(params, "seed", 0)?;
    let target = Target::resolve(params)?;
    let intensity =
        optional_number(params, "intensity")?.unwrap_or_else(|| target.kind.default(10.0, 0.1));
    if intensity <= 0.0 {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            "'intensity' must be > 0",
        ));
    }
    let mut random = RandomNumberGenerator::new_gd();
    if seed == 0 {
        random.randomize();
    } else {
        random.set_seed(seed as u64);
    }
    let samples = ((frequency * duration).ceil() as i64).max(2);
    let here = target.position();
    let spread = intensity as f32;
    let mut keys = vec![(0.0, here.clone())];
    for sample in 1..samples {
        let x = random.randf_range(-spread, spread);
        let y = random.randf_range(-spread, spread);
        let z = if target.kind == Kind::ThreeD {
            random.randf_range(-spread, spread)
        } else {
            0.0
        };
        let jitter = target.kind.vector(x, y, z);
        let shaken = here
            .evaluate(&jitter, VariantOperator::ADD)
            .unwrap_or(here.clone());
        keys.push((sample as f64 / samples as f64 * duration, shaken));
    }
    keys.push((duration, here));
    let keyframe_count = keys.len();
    let name = clip_name(params, "shake".to_owned())?;
    let added = target.add_clip(
        &name,
        flag_or(params, "overwrite", false)?,
        duration,
        "position",
        keys,
    )?;
    result(
        params,
        &name,
        &added,
        json!({
            "length": duration,
            "frequency": frequency,
            "intensity": intensity,
            "keyframe_count": keyframe_count,
        }),
    )
}

/// `animation_preset_pulse {player_path, target_path, from_scale? (1.0), to_scale? (1.1),
/// duration? (0.4), animation_name? ("pulse"), overwrite?}`: to `to_scale` at half time and
/// back.
pub fn animation_preset_pulse(params: &JsonObject) -> CommandResult {
    required_string(params, "player_path")?;
    required_string(params, "target_path")?;
    let duration = positive(params, "duration", 0.4)?;
    let from_scale = positive(params, "from_scale", 1.0)?;
    let to_scale = positive(params, "to_scale", 1.1)?;
    let target = Target::resolve(params)?;
    let uniform = |scale: f64| {
        let s = scale as f32;
        target.kind.vector(s, s, s)
    };
    let keys = vec![
        (0.0, uniform(from_scale)),
        (duration * 0.5, uniform(to_scale)),
        (duration, uniform(from_scale)),
    ];
    let name = clip_name(params, "pulse".to_owned())?;
    let added = target.add_clip(
        &name,
        flag_or(params, "overwrite", false)?,
        duration,
        "scale",
        keys,
    )?;
    result(
        params,
        &name,
        &added,
        json!({"from_scale": from_scale, "to_scale": to_scale, "length": duration}),
    )
}
