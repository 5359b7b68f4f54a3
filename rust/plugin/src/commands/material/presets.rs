//! godot-ai's material presets: a material type and the parameters it starts with, in order.
//! The values are godot-ai's, so a preset gives the same material through either server.

use godot_ai_protocol::{CommandError, ErrorCode};
use serde_json::{Value, json};

const NAMES: &[&str] = &["metal", "glass", "emissive", "unlit", "matte", "ceramic"];

/// Material parameters by name, in the order they are set.
pub type Settings = Vec<(String, Value)>;

/// The preset called `name`: its material type and parameters.
pub fn preset(name: &str) -> Result<(&'static str, Settings), CommandError> {
    let rgba = |r: f64, g: f64, b: f64, a: f64| json!({"r": r, "g": g, "b": b, "a": a});
    let (kind, params): (&str, Vec<(&str, Value)>) = match name {
        "metal" => (
            "orm",
            vec![
                ("metallic", json!(1.0)),
                ("roughness", json!(0.25)),
                ("albedo_color", rgba(0.85, 0.85, 0.88, 1.0)),
            ],
        ),
        "glass" => (
            "standard",
            vec![
                ("transparency", json!("alpha")),
                ("albedo_color", rgba(0.9, 0.95, 1.0, 0.3)),
                ("metallic", json!(0.0)),
                ("metallic_specular", json!(0.5)),
                ("roughness", json!(0.05)),
                ("refraction_enabled", json!(true)),
                ("refraction_scale", json!(0.05)),
            ],
        ),
        "emissive" => (
            "standard",
            vec![
                ("emission_enabled", json!(true)),
                ("emission_energy_multiplier", json!(3.0)),
                ("emission", rgba(1.0, 1.0, 1.0, 1.0)),
                ("albedo_color", rgba(1.0, 1.0, 1.0, 1.0)),
            ],
        ),
        "unlit" => (
            "standard",
            vec![
                ("shading_mode", json!("unshaded")),
                ("albedo_color", rgba(1.0, 1.0, 1.0, 1.0)),
            ],
        ),
        "matte" => (
            "standard",
            vec![
                ("roughness", json!(1.0)),
                ("metallic", json!(0.0)),
                ("albedo_color", rgba(0.7, 0.7, 0.7, 1.0)),
            ],
        ),
        "ceramic" => (
            "standard",
            vec![
                ("roughness", json!(0.4)),
                ("metallic", json!(0.0)),
                ("clearcoat_enabled", json!(true)),
                ("clearcoat", json!(0.7)),
                ("clearcoat_roughness", json!(0.15)),
                ("albedo_color", rgba(0.95, 0.95, 0.95, 1.0)),
            ],
        ),
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
    Ok((
        kind,
        params
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_godot_ais_and_unknown_ones_list_the_valid_ones() {
        let (kind, params) = preset("metal").unwrap();
        assert_eq!(kind, "orm");
        assert_eq!(params[0], ("metallic".to_owned(), json!(1.0)));
        let (kind, params) = preset("glass").unwrap();
        assert_eq!(kind, "standard");
        assert_eq!(params.len(), 7);
        let unknown = preset("chrome").err().unwrap();
        assert_eq!(unknown.code, ErrorCode::ValueOutOfRange);
        assert!(
            unknown
                .message
                .ends_with("metal, glass, emissive, unlit, matte, ceramic")
        );
    }
}
