//! godot-ai's camera presets: a kind of camera and the settings it starts with. The settings
//! are godot-ai's values, so a preset gives the same camera through either server.

use godot_ai_protocol::{CommandError, ErrorCode, JsonObject};
use serde_json::{Value, json};

use super::Kind;

/// A preset: its default kind and its settings, in order.
pub struct Preset {
    pub kind: Kind,
    pub settings: Vec<(&'static str, Value)>,
}

const NAMES: &[&str] = &["topdown_2d", "platformer_2d", "cinematic_3d", "action_3d"];

/// The preset called `name`; `VALUE_OUT_OF_RANGE` listing the presets otherwise.
pub fn preset(name: &str) -> Result<Preset, CommandError> {
    let settings = match name {
        "topdown_2d" => vec![
            ("zoom", json!({"x": 2.0, "y": 2.0})),
            ("anchor_mode", json!("drag_center")),
            ("position_smoothing_enabled", json!(true)),
            ("position_smoothing_speed", json!(5.0)),
            ("rotation_smoothing_enabled", json!(false)),
            ("drag_horizontal_enabled", json!(true)),
            ("drag_vertical_enabled", json!(true)),
            ("drag_left_margin", json!(0.2)),
            ("drag_right_margin", json!(0.2)),
            ("drag_top_margin", json!(0.2)),
            ("drag_bottom_margin", json!(0.2)),
        ],
        "platformer_2d" => vec![
            ("zoom", json!({"x": 1.5, "y": 1.5})),
            ("anchor_mode", json!("drag_center")),
            ("position_smoothing_enabled", json!(true)),
            ("position_smoothing_speed", json!(8.0)),
            ("drag_horizontal_enabled", json!(true)),
            ("drag_vertical_enabled", json!(false)),
            ("drag_left_margin", json!(0.15)),
            ("drag_right_margin", json!(0.15)),
        ],
        "cinematic_3d" => vec![
            ("fov", json!(40.0)),
            ("near", json!(0.1)),
            ("far", json!(500.0)),
            ("projection", json!("perspective")),
        ],
        "action_3d" => vec![
            ("fov", json!(70.0)),
            ("near", json!(0.1)),
            ("far", json!(200.0)),
            ("projection", json!("perspective")),
        ],
        "" => {
            return Err(CommandError::new(
                ErrorCode::MissingRequiredParam,
                "Missing required param: preset",
            ));
        }
        other => {
            return Err(CommandError::new(
                ErrorCode::ValueOutOfRange,
                format!("Unknown preset '{other}'. Valid: {}", NAMES.join(", ")),
            )
            .with_data("valid_values", NAMES));
        }
    };
    let kind = if name.ends_with("_2d") {
        Kind::TwoD
    } else {
        Kind::ThreeD
    };
    Ok(Preset { kind, settings })
}

/// The preset's settings with `overrides` on top: an overridden setting keeps its place, a new
/// one comes last.
pub fn merged(preset: &Preset, overrides: JsonObject) -> Vec<(String, Value)> {
    let mut settings: Vec<(String, Value)> = preset
        .settings
        .iter()
        .map(|(key, value)| ((*key).to_owned(), value.clone()))
        .collect();
    for (key, value) in overrides {
        match settings.iter_mut().find(|(known, _)| *known == key) {
            Some((_, slot)) => *slot = value,
            None => settings.push((key, value)),
        }
    }
    settings
}

/// The node name a preset's camera gets when none is given: the preset's name, words
/// capitalised (`topdown_2d` -> `Topdown 2d`), as godot-ai names it.
pub fn default_name(preset: &str) -> String {
    preset
        .split('_')
        .enumerate()
        .map(|(index, word)| {
            let mut chars = word.chars();
            match (index, chars.next()) {
                (0, Some(first)) => first.to_uppercase().chain(chars).collect(),
                (_, Some(first)) if first.is_ascii_alphabetic() => {
                    first.to_uppercase().chain(chars).collect()
                }
                _ => word.to_owned(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_keep_the_presets_order_and_new_settings_come_last() {
        let preset = preset("cinematic_3d").unwrap();
        let overrides = json!({"zoom": 3, "fov": 35}).as_object().unwrap().clone();
        let keys: Vec<(String, Value)> = merged(&preset, overrides);
        let names: Vec<&str> = keys.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(names, ["fov", "near", "far", "projection", "zoom"]);
        assert_eq!(keys[0].1, json!(35));
        assert_eq!(preset.kind, Kind::ThreeD);
    }

    #[test]
    fn a_preset_is_named_as_godot_ai_names_it_and_unknown_ones_list_the_valid_ones() {
        assert_eq!(default_name("topdown_2d"), "Topdown 2d");
        assert_eq!(default_name("action_3d"), "Action 3d");
        let unknown = preset("isometric").err().unwrap();
        assert_eq!(unknown.code, ErrorCode::ValueOutOfRange);
        assert!(
            unknown
                .message
                .contains("topdown_2d, platformer_2d, cinematic_3d, action_3d")
        );
        assert_eq!(
            preset("").err().unwrap().code,
            ErrorCode::MissingRequiredParam
        );
    }
}
