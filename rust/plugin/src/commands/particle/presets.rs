//! godot-ai's particle presets: node settings, process settings and (for 3D GPU particles) the
//! draw material's settings, in order. The values are godot-ai's, tuned in metres for 3D.

use godot_ai_protocol::{CommandError, ErrorCode, JsonObject};
use serde_json::{Value, json};

/// Settings by name, in the order they are set.
pub type Settings = Vec<(String, Value)>;

/// A preset: its node (main), process and draw settings.
#[derive(Default)]
pub struct Blueprint {
    pub main: Settings,
    pub process: Settings,
    pub draw: Settings,
}

const NAMES: &[&str] = &[
    "fire",
    "smoke",
    "spark_burst",
    "magic_swirl",
    "rain",
    "explosion",
    "lightning",
];

/// The node settings `set_main` takes.
pub const MAIN_KEYS: &[&str] = &[
    "amount",
    "lifetime",
    "one_shot",
    "explosiveness",
    "preprocess",
    "speed_scale",
    "randomness",
    "fixed_fps",
    "emitting",
    "local_coords",
    "interp_to_end",
];

fn settings(pairs: Vec<(&str, Value)>) -> Settings {
    pairs
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
}

fn ramp(stops: &[(f64, [f64; 4])]) -> Value {
    let stops: Vec<Value> = stops
        .iter()
        .map(|(time, [r, g, b, a])| json!({"time": time, "color": [r, g, b, a]}))
        .collect();
    json!({ "stops": stops })
}

fn v3(x: f64, y: f64, z: f64) -> Value {
    json!([x, y, z])
}

/// The preset called `name`.
pub fn preset(name: &str) -> Result<Blueprint, CommandError> {
    let main = |amount: i64, lifetime: f64, one_shot: bool, preprocess: Option<f64>| {
        let mut pairs = vec![
            ("amount", json!(amount)),
            ("lifetime", json!(lifetime)),
            ("one_shot", json!(one_shot)),
            ("explosiveness", json!(if one_shot { 1.0 } else { 0.0 })),
        ];
        if let Some(preprocess) = preprocess {
            pairs.push(("preprocess", json!(preprocess)));
        }
        pairs.push(("local_coords", json!(false)));
        settings(pairs)
    };
    let sphere_burst = |radius: f64,
                        spread: f64,
                        vel: (f64, f64),
                        gravity: Value,
                        scale: (f64, f64),
                        color_ramp: Value| {
        settings(vec![
            ("emission_shape", json!("sphere")),
            ("emission_sphere_radius", json!(radius)),
            ("direction", v3(0.0, 1.0, 0.0)),
            ("spread", json!(spread)),
            ("initial_velocity_min", json!(vel.0)),
            ("initial_velocity_max", json!(vel.1)),
            ("gravity", gravity),
            ("scale_min", json!(scale.0)),
            ("scale_max", json!(scale.1)),
            ("color_ramp", color_ramp),
        ])
    };
    let glow = |emission: [f64; 4], energy: f64| {
        settings(vec![
            ("blend_mode", json!("add")),
            ("emission_enabled", json!(true)),
            ("emission", json!(emission)),
            ("emission_energy_multiplier", json!(energy)),
        ])
    };
    let add = || settings(vec![("blend_mode", json!("add"))]);
    Ok(match name {
        "fire" => Blueprint {
            main: main(80, 1.2, false, Some(0.5)),
            process: sphere_burst(
                0.3,
                15.0,
                (2.0, 4.0),
                v3(0.0, 1.0, 0.0),
                (0.4, 0.8),
                ramp(&[
                    (0.0, [1.0, 1.0, 0.9, 1.0]),
                    (0.3, [1.0, 0.6, 0.1, 1.0]),
                    (0.7, [0.8, 0.1, 0.05, 0.7]),
                    (1.0, [0.2, 0.05, 0.05, 0.0]),
                ]),
            ),
            draw: add(),
        },
        "smoke" => Blueprint {
            main: main(40, 3.0, false, None),
            process: sphere_burst(
                0.4,
                20.0,
                (0.5, 1.5),
                v3(0.0, 0.2, 0.0),
                (0.6, 1.4),
                ramp(&[
                    (0.0, [0.3, 0.3, 0.3, 0.0]),
                    (0.25, [0.35, 0.35, 0.35, 0.7]),
                    (0.75, [0.2, 0.2, 0.2, 0.5]),
                    (1.0, [0.1, 0.1, 0.1, 0.0]),
                ]),
            ),
            draw: settings(vec![("blend_mode", json!("mix"))]),
        },
        "spark_burst" => Blueprint {
            main: main(60, 0.8, true, None),
            process: settings(vec![
                ("emission_shape", json!("point")),
                ("direction", v3(0.0, 1.0, 0.0)),
                ("spread", json!(180.0)),
                ("initial_velocity_min", json!(5.0)),
                ("initial_velocity_max", json!(12.0)),
                ("gravity", v3(0.0, -9.8, 0.0)),
                ("scale_min", json!(0.05)),
                ("scale_max", json!(0.12)),
                ("color", json!({"r": 1.0, "g": 0.9, "b": 0.2, "a": 1.0})),
            ]),
            draw: glow([1.0, 0.8, 0.2, 1.0], 2.0),
        },
        "magic_swirl" => Blueprint {
            main: main(120, 2.0, false, None),
            process: settings(vec![
                ("emission_shape", json!("ring")),
                ("emission_ring_radius", json!(0.8)),
                ("emission_ring_inner_radius", json!(0.6)),
                ("emission_ring_height", json!(0.0)),
                ("direction", v3(0.0, 1.0, 0.0)),
                ("spread", json!(30.0)),
                ("initial_velocity_min", json!(1.0)),
                ("initial_velocity_max", json!(2.0)),
                ("gravity", v3(0.0, 0.0, 0.0)),
                ("angular_velocity_min", json!(90.0)),
                ("angular_velocity_max", json!(180.0)),
                ("scale_min", json!(0.1)),
                ("scale_max", json!(0.2)),
                (
                    "color_ramp",
                    ramp(&[
                        (0.0, [0.4, 0.9, 1.0, 0.0]),
                        (0.3, [0.5, 0.7, 1.0, 1.0]),
                        (0.7, [1.0, 0.4, 0.9, 1.0]),
                        (1.0, [0.8, 0.2, 0.7, 0.0]),
                    ]),
                ),
            ]),
            draw: add(),
        },
        "rain" => Blueprint {
            main: main(500, 1.5, false, None),
            process: settings(vec![
                ("emission_shape", json!("box")),
                ("emission_box_extents", v3(10.0, 0.1, 10.0)),
                ("direction", v3(0.0, -1.0, 0.0)),
                ("spread", json!(2.0)),
                ("initial_velocity_min", json!(15.0)),
                ("initial_velocity_max", json!(18.0)),
                ("gravity", v3(0.0, -2.0, 0.0)),
                ("scale_min", json!(0.02)),
                ("scale_max", json!(0.04)),
                ("color", json!({"r": 0.7, "g": 0.85, "b": 1.0, "a": 0.5})),
            ]),
            draw: settings(vec![
                ("billboard_mode", json!("fixed_y")),
                ("blend_mode", json!("mix")),
            ]),
        },
        "explosion" => Blueprint {
            main: main(200, 1.5, true, None),
            process: sphere_burst(
                0.1,
                180.0,
                (6.0, 10.0),
                v3(0.0, -4.0, 0.0),
                (0.3, 0.7),
                ramp(&[
                    (0.0, [1.0, 0.95, 0.5, 1.0]),
                    (0.2, [1.0, 0.4, 0.1, 1.0]),
                    (0.7, [0.3, 0.15, 0.1, 0.7]),
                    (1.0, [0.1, 0.1, 0.1, 0.0]),
                ]),
            ),
            draw: glow([1.0, 0.5, 0.1, 1.0], 1.5),
        },
        "lightning" => Blueprint {
            main: main(40, 0.35, true, None),
            process: settings(vec![
                ("emission_shape", json!("box")),
                ("emission_box_extents", v3(0.1, 1.5, 0.1)),
                ("direction", v3(0.0, -1.0, 0.0)),
                ("spread", json!(8.0)),
                ("initial_velocity_min", json!(18.0)),
                ("initial_velocity_max", json!(28.0)),
                ("gravity", v3(0.0, 0.0, 0.0)),
                ("scale_min", json!(0.08)),
                ("scale_max", json!(0.18)),
                (
                    "color_ramp",
                    ramp(&[
                        (0.0, [1.0, 1.0, 1.0, 1.0]),
                        (0.2, [0.6, 0.85, 1.0, 1.0]),
                        (0.6, [0.3, 0.5, 1.0, 0.9]),
                        (1.0, [0.1, 0.2, 0.7, 0.0]),
                    ]),
                ),
            ]),
            draw: glow([0.5, 0.8, 1.0, 1.0], 4.0),
        },
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
    })
}

/// Which overrides the caller gave, by group: they must apply (a preset's own keys may be
/// skipped on a kind of emitter they do not fit).
#[derive(Default)]
pub struct UserKeys {
    pub main: Vec<String>,
    pub process: Vec<String>,
    pub draw: Vec<String>,
}

/// Merges `overrides` into `blueprint`: `main`, `process`, `draw` objects into their group, a
/// bare node setting into main, any other bare key into process. A merged key keeps its place,
/// a new one comes last.
pub fn merge(blueprint: &mut Blueprint, overrides: JsonObject) -> UserKeys {
    fn put(group: &mut Settings, keys: &mut Vec<String>, key: String, value: Value) {
        keys.push(key.clone());
        match group.iter_mut().find(|(known, _)| *known == key) {
            Some((_, slot)) => *slot = value,
            None => group.push((key, value)),
        }
    }
    let mut user = UserKeys::default();
    for (key, value) in overrides {
        match (key.as_str(), value) {
            ("main", Value::Object(entries)) => {
                for (k, v) in entries {
                    put(&mut blueprint.main, &mut user.main, k, v);
                }
            }
            ("process", Value::Object(entries)) => {
                for (k, v) in entries {
                    put(&mut blueprint.process, &mut user.process, k, v);
                }
            }
            ("draw", Value::Object(entries)) => {
                for (k, v) in entries {
                    put(&mut blueprint.draw, &mut user.draw, k, v);
                }
            }
            (bare, value) if MAIN_KEYS.contains(&bare) => {
                put(&mut blueprint.main, &mut user.main, key, value)
            }
            (_, value) => put(&mut blueprint.process, &mut user.process, key, value),
        }
    }
    user
}

/// The node name of a preset's emitter when none is given: `spark_burst` -> `Spark Burst`.
pub fn default_name(preset: &str) -> String {
    preset
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_go_to_their_group_and_keep_the_presets_order() {
        let mut fire = preset("fire").unwrap();
        let overrides = json!({"amount": 999, "emission_sphere_radius": 2.0,
                               "draw": {"albedo_color": "red"}});
        let user = merge(&mut fire, overrides.as_object().unwrap().clone());
        assert_eq!(fire.main[0], ("amount".to_owned(), json!(999)));
        assert_eq!(
            fire.process[1],
            ("emission_sphere_radius".to_owned(), json!(2.0))
        );
        assert_eq!(fire.draw.last().unwrap().0, "albedo_color");
        assert_eq!(user.main, ["amount"]);
        assert_eq!(user.process, ["emission_sphere_radius"]);
        assert_eq!(user.draw, ["albedo_color"]);
    }

    #[test]
    fn presets_are_named_as_godot_ai_names_them() {
        assert_eq!(default_name("spark_burst"), "Spark Burst");
        assert_eq!(preset("lightning").unwrap().main[1].1, json!(0.35));
        let unknown = preset("snow").err().unwrap();
        assert!(
            unknown
                .message
                .ends_with("magic_swirl, rain, explosion, lightning")
        );
    }
}
