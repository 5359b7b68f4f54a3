//! Resources built from a few choices: an `Environment` from godot-ai's presets (with a
//! procedural sky), a gradient texture from colour stops, a noise texture. Each goes to a
//! [`Home`]: a node's property (one undo step) or a file.

use godot::classes::{Resource, WorldEnvironment};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use super::{Home, properties_param};
use crate::commands::params::{integer_or, optional_number, optional_string};
use crate::commands::reply::object;
use crate::json_variant::{instantiate_resource, set_resource_properties, to_variant};

const ENVIRONMENT_PRESETS: &[&str] = &["default", "clear", "sunset", "night", "fog"];

/// A colour with alpha 1, as JSON.
fn rgb(r: f64, g: f64, b: f64) -> Value {
    json!({"r": r, "g": g, "b": b, "a": 1.0})
}

/// Property values by name, in the order they are set.
type Settings = Vec<(String, Value)>;

/// The sky colours and the ambient light of an environment preset (godot-ai's values).
fn preset_settings(preset: &str) -> (Settings, Settings) {
    let sky = |top: Value, horizon: Value, ground_horizon: Value, ground_bottom: Value| {
        vec![
            ("sky_top_color".to_owned(), top),
            ("sky_horizon_color".to_owned(), horizon),
            ("ground_horizon_color".to_owned(), ground_horizon),
            ("ground_bottom_color".to_owned(), ground_bottom),
        ]
    };
    let ambient = |source: i64, color: Option<Value>, energy: f64| {
        let mut settings = vec![("ambient_light_source".to_owned(), json!(source))];
        if let Some(color) = color {
            settings.push(("ambient_light_color".to_owned(), color));
        }
        settings.push(("ambient_light_energy".to_owned(), json!(energy)));
        settings
    };
    const SKY: i64 = 3;
    const COLOR: i64 = 2;
    match preset {
        "sunset" => (
            sky(
                rgb(0.25, 0.3, 0.55),
                rgb(1.0, 0.55, 0.3),
                rgb(0.85, 0.4, 0.25),
                rgb(0.2, 0.12, 0.1),
            ),
            ambient(SKY, Some(rgb(1.0, 0.75, 0.55)), 0.8),
        ),
        "night" => (
            sky(
                rgb(0.02, 0.02, 0.07),
                rgb(0.05, 0.07, 0.15),
                rgb(0.04, 0.05, 0.1),
                rgb(0.0, 0.0, 0.02),
            ),
            ambient(COLOR, Some(rgb(0.2, 0.22, 0.35)), 0.4),
        ),
        "fog" => (
            sky(
                rgb(0.65, 0.65, 0.7),
                rgb(0.8, 0.8, 0.82),
                rgb(0.7, 0.7, 0.72),
                rgb(0.3, 0.3, 0.32),
            ),
            ambient(SKY, None, 0.7),
        ),
        // default and clear
        _ => {
            let mut settings = sky(
                rgb(0.38, 0.45, 0.55),
                rgb(0.65, 0.67, 0.7),
                rgb(0.65, 0.67, 0.7),
                rgb(0.2, 0.17, 0.13),
            );
            settings.push(("sun_angle_max".to_owned(), json!(30.0)));
            (settings, ambient(SKY, None, 1.0))
        }
    }
}

/// `environment_create {preset? ("default"), sky?, properties?, path | resource_path,
/// overwrite?}`: an `Environment` (with a `ProceduralSkyMaterial` sky unless `sky` is false;
/// `sky` as an object sets the sky material's properties), on a `WorldEnvironment` node or
/// saved to a file. `properties` are set last, on the environment.
pub fn environment_create(params: &JsonObject) -> CommandResult {
    let home = Home::of(params, false)?;
    let preset = match optional_string(params, "preset")? {
        "" => "default",
        preset => preset,
    };
    if !ENVIRONMENT_PRESETS.contains(&preset) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "Invalid preset '{preset}'. Valid: {}",
                ENVIRONMENT_PRESETS.join(", ")
            ),
        ));
    }
    let (with_sky, sky_settings) = match params.get("sky") {
        None | Some(Value::Null) => (true, JsonObject::new()),
        Some(Value::Bool(flag)) => (*flag, JsonObject::new()),
        Some(Value::Object(settings)) => {
            let mut settings = settings.clone();
            let material = settings
                .remove("sky_material")
                .map(|value| value.as_str().unwrap_or_default().to_lowercase())
                .unwrap_or_else(|| "procedural".to_owned());
            if material != "procedural" {
                return Err(CommandError::new(
                    ErrorCode::InvalidParams,
                    "sky.sky_material must be 'procedural' when sky is a dictionary",
                ));
            }
            (true, settings)
        }
        Some(_) => {
            return Err(CommandError::new(
                ErrorCode::WrongType,
                "sky must be a bool, null, or dictionary of ProceduralSkyMaterial properties",
            ));
        }
    };
    let home = match home {
        Home::Node {
            node,
            given_path,
            property: _,
        } => {
            if node.clone().try_cast::<WorldEnvironment>().is_err() {
                return Err(CommandError::new(
                    ErrorCode::WrongType,
                    format!(
                        "Node at {given_path} is {} — must be WorldEnvironment",
                        node.get_class()
                    ),
                ));
            }
            Home::Node {
                node,
                given_path,
                property: "environment".to_owned(),
            }
        }
        file => file,
    };
    home.check()?;
    let properties = properties_param(params, "properties")?;

    let mut environment = instantiate_resource("Environment")?;
    let (sky_colours, ambient) = preset_settings(preset);
    if with_sky {
        let mut material = instantiate_resource("ProceduralSkyMaterial")?;
        set_resource_properties(&mut material, sky_colours.iter().map(|(k, v)| (k, v)))?;
        set_resource_properties(&mut material, sky_settings.iter())?;
        let mut sky = instantiate_resource("Sky")?;
        sky.set("sky_material", &material.to_variant());
        environment.set("sky", &sky.to_variant());
        environment.set("background_mode", &2.to_variant());
    } else {
        environment.set("background_mode", &0.to_variant());
    }
    set_resource_properties(&mut environment, ambient.iter().map(|(k, v)| (k, v)))?;
    if preset == "fog" {
        environment.set("volumetric_fog_enabled", &true.to_variant());
        environment.set("volumetric_fog_density", &0.03.to_variant());
    }
    set_resource_properties(&mut environment, properties.iter())?;

    let action = format!(
        "MCP: Create Environment ({preset}) for {}",
        home.node_name()
    );
    let extra = object([
        ("preset", json!(preset)),
        ("sky_created", with_sky.into()),
        (
            "sky_material_class",
            json!(if with_sky {
                "ProceduralSkyMaterial"
            } else {
                ""
            }),
        ),
    ]);
    home.deliver(&environment, &action, extra)
}

/// `gradient_texture_create {stops: [{offset, color}], width? (256), height? (1), fill?
/// ("linear"), path + property | resource_path, overwrite?}`.
pub fn gradient_texture_create(params: &JsonObject) -> CommandResult {
    let stops = match params.get("stops") {
        Some(Value::Array(stops)) => stops.as_slice(),
        _ => &[],
    };
    if stops.len() < 2 {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "gradient_texture_create requires at least 2 stops, got {}",
                stops.len()
            ),
        ));
    }
    let fill = match optional_string(params, "fill")? {
        "" => "linear",
        fill => fill,
    };
    let fill_mode = match fill {
        "linear" => 0,
        "radial" => 1,
        "square" => 2,
        other => {
            return Err(CommandError::new(
                ErrorCode::ValueOutOfRange,
                format!("Invalid fill '{other}'. Valid: linear, radial, square"),
            ));
        }
    };
    let home = Home::of(params, true)?;
    home.check()?;
    let mut offsets = PackedFloat32Array::new();
    let mut colors = PackedColorArray::new();
    for (index, stop) in stops.iter().enumerate() {
        let Value::Object(stop) = stop else {
            return Err(CommandError::new(
                ErrorCode::WrongType,
                format!("stops[{index}] must be a dict with 'offset' and 'color' keys"),
            ));
        };
        let (Some(offset), Some(color)) = (stop.get("offset"), stop.get("color")) else {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!("stops[{index}] missing 'offset' or 'color' key"),
            ));
        };
        let offset = offset.as_f64().ok_or_else(|| {
            CommandError::new(
                ErrorCode::WrongType,
                format!("stops[{index}].offset must be a number"),
            )
        })?;
        let color = to_variant(color, VariantType::COLOR, None).map_err(|error| {
            CommandError::new(
                ErrorCode::WrongType,
                format!("stops[{index}].color: {}", error.message),
            )
        })?;
        offsets.push(offset as f32);
        colors.push(color.to::<Color>());
    }
    let mut gradient = instantiate_resource("Gradient")?;
    gradient.set("offsets", &offsets.to_variant());
    gradient.set("colors", &colors.to_variant());
    let mut texture = instantiate_resource("GradientTexture2D")?;
    texture.set("gradient", &gradient.to_variant());
    texture.set("width", &integer_or(params, "width", 256)?.to_variant());
    texture.set("height", &integer_or(params, "height", 1)?.to_variant());
    texture.set("fill", &fill_mode.to_variant());
    let action = format!(
        "MCP: Create Gradient texture for {}.{}",
        home.node_name(),
        home.property()
    );
    let extra = object([
        ("texture_class", json!("GradientTexture2D")),
        ("gradient_class", json!("Gradient")),
        ("stop_count", stops.len().into()),
        ("fill", json!(fill)),
    ]);
    home.deliver(&texture, &action, extra)
}

const NOISE_TYPES: &[(&str, i64)] = &[
    ("simplex", 0),
    ("simplex_smooth", 1),
    ("perlin", 3),
    ("cellular", 2),
    ("value", 5),
    ("value_cubic", 4),
];

/// `noise_texture_create {noise_type? ("simplex_smooth"), width? (512), height? (512),
/// frequency? (0.01), seed? (0), fractal_octaves?, path + property | resource_path,
/// overwrite?}`: a `NoiseTexture2D` of a `FastNoiseLite`.
pub fn noise_texture_create(params: &JsonObject) -> CommandResult {
    let noise_type = match optional_string(params, "noise_type")? {
        "" => "simplex_smooth",
        kind => kind,
    };
    let Some((_, noise_mode)) = NOISE_TYPES.iter().find(|(name, _)| *name == noise_type) else {
        let valid: Vec<&str> = NOISE_TYPES.iter().map(|(name, _)| *name).collect();
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "Invalid noise_type '{noise_type}'. Valid: {}",
                valid.join(", ")
            ),
        ));
    };
    let home = Home::of(params, true)?;
    home.check()?;
    let mut noise = instantiate_resource("FastNoiseLite")?;
    noise.set("noise_type", &noise_mode.to_variant());
    noise.set(
        "frequency",
        &optional_number(params, "frequency")?
            .unwrap_or(0.01)
            .to_variant(),
    );
    noise.set("seed", &integer_or(params, "seed", 0)?.to_variant());
    let octaves = integer_or(params, "fractal_octaves", 0)?;
    if octaves > 0 {
        noise.set("fractal_octaves", &octaves.to_variant());
    }
    let mut texture: Gd<Resource> = instantiate_resource("NoiseTexture2D")?;
    texture.set("noise", &noise.to_variant());
    texture.set("width", &integer_or(params, "width", 512)?.to_variant());
    texture.set("height", &integer_or(params, "height", 512)?.to_variant());
    let action = format!(
        "MCP: Create Noise texture for {}.{}",
        home.node_name(),
        home.property()
    );
    let extra = object([
        ("texture_class", json!("NoiseTexture2D")),
        ("noise_class", json!("FastNoiseLite")),
        ("noise_type", json!(noise_type)),
    ]);
    home.deliver(&texture, &action, extra)
}
