//! The audio domain (godot-ai's `audio_manage`): audio players in the edited scene (create,
//! give a stream, set volume, pitch, autoplay and bus: each one undo action), previewing them
//! in the editor (play, stop: not saved, not undoable), and the project's audio streams.

use godot::classes::{
    AudioStream, AudioStreamPlayer, AudioStreamPlayer2D, AudioStreamPlayer3D, ClassDb,
    ResourceLoader,
};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::filesystem::index::{self, Walk};
use crate::commands::params::{flag_or, optional_number, optional_string, required_string};
use crate::commands::reply::{into_object, object};
use crate::commands::scene::guard::{edited_root, parent_at};
use crate::commands::scene::paths::{not_found, resolve, scene_path};
use crate::commands::undo::{change_property, undo_redo};

/// Why play and stop are not undoable.
const RUNTIME_ONLY: &str = "Runtime playback state — not saved with scene";

/// Most streams `audio_list` lists, so one call stays quick on a huge project.
const MAX_STREAMS: usize = 10_000;

/// The player class for godot-ai's `type`.
fn player_class(kind: &str) -> Result<&'static str, CommandError> {
    match kind {
        "1d" => Ok("AudioStreamPlayer"),
        "2d" => Ok("AudioStreamPlayer2D"),
        "3d" => Ok("AudioStreamPlayer3D"),
        other => Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("Invalid audio player type '{other}'. Valid: 1d, 2d, 3d"),
        )),
    }
}

fn kind_of(class: &str) -> &'static str {
    match class {
        "AudioStreamPlayer2D" => "2d",
        "AudioStreamPlayer3D" => "3d",
        _ => "1d",
    }
}

/// The player at the required param `player_path`.
fn player_at(params: &JsonObject) -> Result<Gd<Node>, CommandError> {
    let path = required_string(params, "player_path")?;
    let root = edited_root(params)?;
    let node = resolve(&root, path).ok_or_else(|| not_found(&root, path))?;
    let is_player = node.clone().try_cast::<AudioStreamPlayer>().is_ok()
        || node.clone().try_cast::<AudioStreamPlayer2D>().is_ok()
        || node.clone().try_cast::<AudioStreamPlayer3D>().is_ok();
    if !is_player {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "Node at {path} is not an AudioStreamPlayer/2D/3D (got {})",
                node.get_class()
            ),
        ));
    }
    Ok(node)
}

/// `audio_player_create {parent_path?, name? ("AudioStreamPlayer"), type? ("1d")}`.
pub fn audio_player_create(params: &JsonObject) -> CommandResult {
    let class = player_class(match optional_string(params, "type")? {
        "" => "1d",
        kind => kind,
    })?;
    let root = edited_root(params)?;
    let parent = parent_at(&root, optional_string(params, "parent_path")?)?;
    let name = match params.get("name") {
        None | Some(Value::Null) => "AudioStreamPlayer",
        Some(_) => optional_string(params, "name")?,
    };
    let mut player = ClassDb::singleton()
        .instantiate(class)
        .try_to::<Gd<Node>>()
        .map_err(|_| CommandError::internal(format!("Failed to instantiate {class}")))?;
    if !name.is_empty() {
        player.set_name(name);
    }
    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Create {class} '{name}'"));
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
    Ok(into_object(json!({
        "path": scene_path(&root, &player),
        "parent_path": scene_path(&root, &parent),
        "name": player.get_name().to_string(),
        "type": kind_of(class),
        "class": class,
        "undoable": true,
    })))
}

/// `audio_player_set_stream {player_path, stream_path}`: the player's `stream`, loaded from
/// the project (an imported .ogg/.wav/.mp3 or an AudioStream resource).
pub fn audio_player_set_stream(params: &JsonObject) -> CommandResult {
    let player_path = required_string(params, "player_path")?;
    let stream_path = required_string(params, "stream_path")?;
    let player = player_at(params)?;
    let stream = load_stream(stream_path)?;
    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Set audio stream on {}", player.get_name()));
    change_property(&mut history, &player, "stream", &stream.to_variant());
    history.commit_action();
    Ok(into_object(json!({
        "player_path": player_path,
        "stream_path": stream_path,
        "stream_class": stream.get_class().to_string(),
        "duration_seconds": stream.get_length(),
        "undoable": true,
    })))
}

fn load_stream(path: &str) -> Result<Gd<AudioStream>, CommandError> {
    crate::commands::filesystem::checked_resource_path(path)?;
    let mut loader = ResourceLoader::singleton();
    if !loader.exists(path) {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("AudioStream not found: {path}"),
        )
        .with_data(
            "hint",
            "a new sound file is imported by the editor's next scan: filesystem_manage reimport \
             it first",
        ));
    }
    let resource = loader
        .load(path)
        .ok_or_else(|| crate::commands::filesystem::unloadable(path, "an AudioStream"))?;
    let class = resource.get_class();
    resource.try_cast::<AudioStream>().map_err(|_| {
        CommandError::new(
            ErrorCode::WrongType,
            format!("Resource at {path} is not an AudioStream (got {class})"),
        )
    })
}

/// `audio_player_set_playback {player_path, volume_db?, pitch_scale?, autoplay?, bus?}`.
pub fn audio_player_set_playback(params: &JsonObject) -> CommandResult {
    let player_path = required_string(params, "player_path")?;
    let player = player_at(params)?;
    let mut changes: Vec<(&str, Variant, Value)> = Vec::new();
    for key in ["volume_db", "pitch_scale", "autoplay", "bus"] {
        let Some(value) = params.get(key) else {
            continue;
        };
        let converted = match (key, value) {
            ("volume_db" | "pitch_scale", Value::Number(number)) => {
                number.as_f64().map(|n| (n.to_variant(), json!(n)))
            }
            ("autoplay", Value::Bool(flag)) => Some((flag.to_variant(), json!(flag))),
            ("bus", Value::String(bus)) => {
                Some((StringName::from(bus.as_str()).to_variant(), json!(bus)))
            }
            _ => None,
        };
        let Some((variant, shown)) = converted else {
            let expected = match key {
                "autoplay" => "bool",
                "bus" => "String",
                _ => "float",
            };
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!(
                    "Invalid value for {key}: expected {expected}, got {}",
                    godot_ai_protocol::json_type_name(value)
                ),
            ));
        };
        if key == "pitch_scale" && variant.to::<f64>() <= 0.0 {
            return Err(CommandError::new(
                ErrorCode::ValueOutOfRange,
                "pitch_scale must be greater than 0 (Godot refuses other values)",
            ));
        }
        changes.push((key, variant, shown));
    }
    if changes.is_empty() {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "At least one of volume_db, pitch_scale, autoplay, bus is required",
        ));
    }
    let mut history = undo_redo()?;
    history.create_action(&format!("MCP: Update playback on {}", player.get_name()));
    let mut values = JsonObject::new();
    let mut applied = Vec::new();
    for (key, variant, shown) in changes {
        change_property(&mut history, &player, key, &variant);
        applied.push(key);
        values.insert(key.to_owned(), shown);
    }
    history.commit_action();
    Ok(into_object(json!({
        "player_path": player_path,
        "applied": applied,
        "values": values,
        "undoable": true,
    })))
}

/// `audio_play {player_path, from_position? (0)}`: plays the player in the editor (you hear
/// it); not saved, not undoable.
pub fn audio_play(params: &JsonObject) -> CommandResult {
    let player_path = required_string(params, "player_path")?;
    let mut player = player_at(params)?;
    if player.get("stream").is_nil() {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "Player has no stream assigned — call audio_player_set_stream first",
        ));
    }
    let from_position = optional_number(params, "from_position")?.unwrap_or(0.0);
    player.call("play", &[(from_position as f32).to_variant()]);
    Ok(into_object(json!({
        "player_path": player_path,
        "from_position": from_position,
        "playing": player.get("playing").try_to::<bool>().unwrap_or(false),
        "undoable": false,
        "reason": RUNTIME_ONLY,
    })))
}

/// `audio_stop {player_path}`: stops the player's preview.
pub fn audio_stop(params: &JsonObject) -> CommandResult {
    let player_path = required_string(params, "player_path")?;
    let mut player = player_at(params)?;
    player.call("stop", &[]);
    Ok(into_object(json!({
        "player_path": player_path,
        "playing": player.get("playing").try_to::<bool>().unwrap_or(false),
        "undoable": false,
        "reason": RUNTIME_ONLY,
    })))
}

/// `audio_list {root? ("res://"), include_duration? (true)}`: the audio streams the editor's
/// file system knows under `root` (no scene needed, nothing imported).
pub fn audio_list(params: &JsonObject) -> CommandResult {
    let root = match optional_string(params, "root")? {
        "" => "res://",
        root => root,
    };
    if !root.starts_with("res://") {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            "root must start with res://",
        ));
    }
    let include_duration = flag_or(params, "include_duration", true)?;
    let start = index::folder_or_root(root)?;
    let db = ClassDb::singleton();
    let mut streams = Vec::new();
    let mut truncated = false;
    index::each_file(start, |folder, index| {
        let path = folder.get_file_path(index).to_string();
        let class = folder.get_file_type(index);
        let is_stream = class == "AudioStream" || db.is_parent_class(&class, "AudioStream");
        if !path.starts_with(root) || !is_stream {
            return Walk::Next;
        }
        if streams.len() >= MAX_STREAMS {
            truncated = true;
            return Walk::Stop;
        }
        let mut entry = json!({"path": path, "class": class.to_string()});
        if include_duration {
            let length = ResourceLoader::singleton()
                .load(&path)
                .and_then(|resource| resource.try_cast::<AudioStream>().ok())
                .map_or(0.0, |stream| stream.get_length());
            entry["duration_seconds"] = json!(length);
        }
        streams.push(entry);
        Walk::Next
    });
    let count = streams.len();
    let mut data = object([
        ("root", json!(root)),
        ("streams", Value::Array(streams)),
        ("count", count.into()),
    ]);
    if truncated {
        data.insert("truncated".into(), true.into());
    }
    Ok(data)
}
