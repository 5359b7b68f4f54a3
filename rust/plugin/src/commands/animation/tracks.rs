//! Tracks: a property or method track added to an existing clip (one undo action that adds
//! the track and removes it again), and `create_simple`, a new clip of from/to tweens.
//!
//! Every key is read and converted before anything changes, so a bad key changes nothing.

use godot::classes::Animation;
use godot::classes::animation::{InterpolationType, TrackType};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject, json_type_name};
use serde_json::{Map, Value, json};

use super::player::{Planned, clip, existing_player, scene_action, track_root};
use super::values::{
    KeyType, interpolation, interpolation_name, invalid, list_param, loop_mode, loop_mode_name,
    new_clip_name, transition,
};
use crate::commands::params::{flag_or, optional_number, optional_string, required_string};
use crate::commands::reply::into_object;
use crate::commands::scene::guard::edited_root;
use crate::json_variant::plain;

/// One key of a track: its time, value and easing.
pub(super) struct Key {
    pub time: f64,
    pub value: Variant,
    pub transition: f32,
}

/// A track to add: its type, path, interpolation and keys.
pub(super) struct NewTrack {
    pub kind: TrackType,
    pub path: String,
    pub interpolation: InterpolationType,
    pub keys: Vec<Key>,
}

impl NewTrack {
    /// Builds the track into `animation` now (a clip not in any library yet).
    pub(super) fn build_into(&self, animation: &mut Gd<Animation>) {
        let track = animation.add_track(self.kind);
        animation.track_set_path(track, self.path.as_str());
        animation.track_set_interpolation_type(track, self.interpolation);
        for key in &self.keys {
            animation
                .track_insert_key_ex(track, key.time, &key.value)
                .transition(key.transition)
                .done();
        }
    }

    /// Adds the track to `animation` as the undo action `action`: do appends it with its keys,
    /// undo removes that track by its index (the last one, as actions undo in order).
    fn add_in_action(
        &self,
        root: &Gd<Node>,
        animation: &Gd<Animation>,
        action: &str,
    ) -> Result<(), CommandError> {
        let mut history = scene_action(root, action)?;
        let track = animation.get_track_count().to_variant();
        let target = animation.clone().upcast::<Object>();
        history.add_do_method(
            &target,
            "add_track",
            &[self.kind.ord().to_variant(), track.clone()],
        );
        history.add_do_method(
            &target,
            "track_set_path",
            &[
                track.clone(),
                NodePath::from(self.path.as_str()).to_variant(),
            ],
        );
        history.add_do_method(
            &target,
            "track_set_interpolation_type",
            &[track.clone(), self.interpolation.ord().to_variant()],
        );
        for key in &self.keys {
            history.add_do_method(
                &target,
                "track_insert_key",
                &[
                    track.clone(),
                    key.time.to_variant(),
                    key.value.clone(),
                    key.transition.to_variant(),
                ],
            );
        }
        history.add_undo_method(&target, "remove_track", &[track]);
        history.commit_action();
        Ok(())
    }
}

/// Each keyframe of the list param `keyframes` as an object.
fn keyframe_objects(params: &JsonObject) -> Result<Vec<Map<String, Value>>, CommandError> {
    list_param(params, "keyframes")?
        .into_iter()
        .map(|keyframe| match keyframe {
            Value::Object(fields) => Ok(fields),
            _ => Err(CommandError::new(
                ErrorCode::WrongType,
                "Each keyframe must be a dictionary",
            )),
        })
        .collect()
}

/// The required field `field` of a keyframe.
fn field<'a>(keyframe: &'a Map<String, Value>, field: &str) -> Result<&'a Value, CommandError> {
    keyframe.get(field).ok_or_else(|| {
        CommandError::new(
            ErrorCode::MissingRequiredParam,
            format!("Each keyframe must have a '{field}' field"),
        )
    })
}

/// A finite number of seconds.
fn seconds(value: &Value, what: &str) -> Result<f64, CommandError> {
    value
        .as_f64()
        .filter(|number| number.is_finite())
        .ok_or_else(|| {
            invalid(&format!(
                "{what} must be a number of seconds, got {}",
                json_type_name(value)
            ))
        })
}

/// `animation_add_property_track {player_path, animation_name, track_path, keyframes:
/// [{time, value, transition?}], interpolation? ("linear")}`: a value track on
/// `Node:property[:component]`, relative to the player's root node.
pub fn animation_add_property_track(params: &JsonObject) -> CommandResult {
    let player_path = required_string(params, "player_path")?;
    let name = required_string(params, "animation_name")?;
    let track_path = required_string(params, "track_path").map_err(|error| {
        CommandError::new(
            error.code,
            format!(
                "{} (format: 'NodeName:property', e.g. 'Panel:modulate')",
                error.message
            ),
        )
    })?;
    if !track_path.contains(':') {
        return Err(invalid(
            "track_path must include ':property' suffix (e.g. 'Panel:modulate', '.:position')",
        ));
    }
    let interpolation_kind = interpolation(optional_string(params, "interpolation")?)?;
    let keyframes = keyframe_objects(params)?;
    let (root, player) = existing_player(params)?;
    let (animation, ..) = clip(&player, name, None)?;
    let key_type = KeyType::of(track_root(&player).as_ref(), track_path)?;
    let keys = keyframes
        .iter()
        .map(|keyframe| {
            let time = seconds(field(keyframe, "time")?, "time")?;
            let value = key_type.convert(field(keyframe, "value")?)?;
            let transition = transition(keyframe.get("transition"))?;
            Ok(Key {
                time,
                value,
                transition,
            })
        })
        .collect::<Result<Vec<_>, CommandError>>()?;
    NewTrack {
        kind: TrackType::VALUE,
        path: track_path.to_owned(),
        interpolation: interpolation_kind,
        keys,
    }
    .add_in_action(
        &root,
        &animation,
        &format!("MCP: Add property track {track_path} to {name}"),
    )?;
    Ok(into_object(json!({
        "player_path": player_path,
        "animation_name": name,
        "track_path": track_path,
        "interpolation": interpolation_name(interpolation_kind),
        "keyframe_count": keyframes.len(),
        "undoable": true,
    })))
}

/// `animation_add_method_track {player_path, animation_name, target_node_path, keyframes:
/// [{time, method, args?}]}`: calls on the node at `target_node_path` (from the player's root
/// node). Whether the node and method exist is not checked: they may come later.
pub fn animation_add_method_track(params: &JsonObject) -> CommandResult {
    let player_path = required_string(params, "player_path")?;
    let name = required_string(params, "animation_name")?;
    let target = required_string(params, "target_node_path")?;
    if target.contains(':') {
        return Err(invalid(&format!(
            "target_node_path is a bare NodePath without ':property' (got '{target}'). Method \
             name goes in each keyframe's 'method' field, not the path."
        )));
    }
    let keys = keyframe_objects(params)?
        .iter()
        .map(|keyframe| {
            let time = seconds(field(keyframe, "time")?, "time")?;
            let method = match field(keyframe, "method")? {
                Value::String(method) if !method.is_empty() => method,
                _ => return Err(invalid("'method' must be a non-empty string")),
            };
            let args = match keyframe.get("args") {
                None | Some(Value::Null) => VarArray::new(),
                Some(args @ Value::Array(_)) => plain(args).to(),
                Some(other) => {
                    return Err(invalid(&format!(
                        "'args' must be an array if provided (got {})",
                        json_type_name(other)
                    )));
                }
            };
            let mut call = VarDictionary::new();
            call.set("method", &StringName::from(method.as_str()).to_variant());
            call.set("args", &args.to_variant());
            Ok(Key {
                time,
                value: call.to_variant(),
                transition: 1.0,
            })
        })
        .collect::<Result<Vec<_>, CommandError>>()?;
    let (root, player) = existing_player(params)?;
    let (animation, ..) = clip(&player, name, None)?;
    let keyframe_count = keys.len();
    NewTrack {
        kind: TrackType::METHOD,
        path: target.to_owned(),
        interpolation: InterpolationType::LINEAR,
        keys,
    }
    .add_in_action(
        &root,
        &animation,
        &format!("MCP: Add method track {target} to {name}"),
    )?;
    Ok(into_object(json!({
        "player_path": player_path,
        "animation_name": name,
        "target_node_path": target,
        "keyframe_count": keyframe_count,
        "undoable": true,
    })))
}

/// One from/to tween of `create_simple`, checked.
struct Tween {
    path: String,
    from: Value,
    to: Value,
    delay: f64,
    duration: f64,
    transition: f32,
}

impl Tween {
    fn parse(spec: &Value) -> Result<Self, CommandError> {
        let Value::Object(spec) = spec else {
            return Err(CommandError::new(
                ErrorCode::WrongType,
                "Each tween spec must be a dictionary",
            ));
        };
        for required in ["target", "property", "from", "to", "duration"] {
            if !spec.contains_key(required) {
                return Err(CommandError::new(
                    ErrorCode::MissingRequiredParam,
                    format!("Each tween spec must have '{required}'"),
                ));
            }
        }
        let text = |key: &str| match &spec[key] {
            Value::String(text) if !text.is_empty() => Ok(text.as_str()),
            other => Err(invalid(&format!(
                "tween '{key}' must be a non-empty string, got {}",
                json_type_name(other)
            ))),
        };
        let path = format!("{}:{}", text("target")?, text("property")?);
        let duration = seconds(&spec["duration"], "tween 'duration'")?;
        if duration <= 0.0 {
            return Err(CommandError::new(
                ErrorCode::ValueOutOfRange,
                "tween 'duration' must be > 0",
            ));
        }
        let delay = match spec.get("delay") {
            None | Some(Value::Null) => 0.0,
            Some(delay) => seconds(delay, "tween 'delay'")?,
        };
        if delay < 0.0 {
            return Err(CommandError::new(
                ErrorCode::ValueOutOfRange,
                "tween 'delay' must be >= 0",
            ));
        }
        Ok(Self {
            path,
            from: spec["from"].clone(),
            to: spec["to"].clone(),
            delay,
            duration,
            transition: transition(spec.get("transition"))?,
        })
    }

    /// The tween's track, its values converted for the property it animates from `root`.
    fn track(&self, root: Option<&Gd<Node>>) -> Result<NewTrack, CommandError> {
        let in_tween = |error: CommandError| {
            CommandError::new(
                ErrorCode::InvalidParams,
                format!("tween '{}': {}", self.path, error.message),
            )
        };
        let key_type = KeyType::of(root, &self.path).map_err(in_tween)?;
        let from = key_type.convert(&self.from).map_err(in_tween)?;
        let to = key_type.convert(&self.to).map_err(in_tween)?;
        Ok(NewTrack {
            kind: TrackType::VALUE,
            path: self.path.clone(),
            interpolation: InterpolationType::LINEAR,
            keys: vec![
                Key {
                    time: self.delay,
                    value: from,
                    transition: self.transition,
                },
                Key {
                    time: self.delay + self.duration,
                    value: to,
                    transition: self.transition,
                },
            ],
        })
    }
}

/// `animation_create_simple {player_path, name, tweens: [{target, property, from, to,
/// duration, delay?, transition?}], length? (the last tween's end), loop_mode? ("none"),
/// overwrite? (false)}`: a new clip with one two-key track per tween; a missing player is made
/// in the same undo action.
pub fn animation_create_simple(params: &JsonObject) -> CommandResult {
    let player_path = required_string(params, "player_path")?;
    let name = new_clip_name("name", required_string(params, "name")?)?;
    let tweens = list_param(params, "tweens")
        .map_err(|_| CommandError::new(ErrorCode::WrongType, "tweens must be a non-empty array"))?
        .iter()
        .map(Tween::parse)
        .collect::<Result<Vec<_>, CommandError>>()?;
    let mode = loop_mode(optional_string(params, "loop_mode")?)?;
    for (index, tween) in tweens.iter().enumerate() {
        if tweens[..index]
            .iter()
            .any(|earlier| earlier.path == tween.path)
        {
            return Err(invalid(&format!(
                "Duplicate tween target '{}' — merge keyframes into a single track via \
                 animation_add_property_track instead of two separate tweens.",
                tween.path
            )));
        }
    }
    let length = match optional_number(params, "length")? {
        Some(length) if length <= 0.0 => {
            return Err(CommandError::new(
                ErrorCode::ValueOutOfRange,
                format!("'length' must be > 0 when provided (got {length})"),
            ));
        }
        Some(length) => length,
        None => tweens
            .iter()
            .map(|tween| tween.delay + tween.duration)
            .fold(0.0, f64::max),
    };
    let overwrite = flag_or(params, "overwrite", false)?;
    let root = edited_root(params)?;
    let planned = Planned::from_path(&root, player_path)?;
    planned.check_free(name, overwrite)?;
    let track_root = planned.track_root();
    let new_tracks = tweens
        .iter()
        .map(|tween| tween.track(track_root.as_ref()))
        .collect::<Result<Vec<_>, CommandError>>()?;
    let mut animation = Animation::new_gd();
    animation.set_length(length as f32);
    animation.set_loop_mode(mode);
    for track in &new_tracks {
        track.build_into(&mut animation);
    }
    let added = planned.into_destination(root).add(
        name,
        animation,
        &format!("MCP: Create animation {name} ({} tracks)", new_tracks.len()),
    )?;
    Ok(into_object(json!({
        "player_path": player_path,
        "name": name,
        "length": length,
        "loop_mode": loop_mode_name(mode),
        "track_count": new_tracks.len(),
        "library_created": added.library_created,
        "animation_player_created": added.player_created,
        "overwritten": added.overwritten,
        "undoable": true,
    })))
}
