//! Godot's Control layout presets and resize modes by godot-ai's names.

use godot::classes::control::{LayoutPreset, LayoutPresetMode};
use godot_ai_protocol::{CommandError, ErrorCode};

/// A Control's four sides, in the order results list them.
pub const SIDES: [&str; 4] = ["left", "top", "right", "bottom"];

/// One layout preset.
#[derive(Clone, Copy)]
pub struct Preset {
    pub name: &'static str,
    pub value: LayoutPreset,
}

const PRESETS: [Preset; 16] = [
    preset("top_left", LayoutPreset::TOP_LEFT),
    preset("top_right", LayoutPreset::TOP_RIGHT),
    preset("bottom_left", LayoutPreset::BOTTOM_LEFT),
    preset("bottom_right", LayoutPreset::BOTTOM_RIGHT),
    preset("center_left", LayoutPreset::CENTER_LEFT),
    preset("center_top", LayoutPreset::CENTER_TOP),
    preset("center_right", LayoutPreset::CENTER_RIGHT),
    preset("center_bottom", LayoutPreset::CENTER_BOTTOM),
    preset("center", LayoutPreset::CENTER),
    preset("left_wide", LayoutPreset::LEFT_WIDE),
    preset("top_wide", LayoutPreset::TOP_WIDE),
    preset("right_wide", LayoutPreset::RIGHT_WIDE),
    preset("bottom_wide", LayoutPreset::BOTTOM_WIDE),
    preset("vcenter_wide", LayoutPreset::VCENTER_WIDE),
    preset("hcenter_wide", LayoutPreset::HCENTER_WIDE),
    preset("full_rect", LayoutPreset::FULL_RECT),
];

const fn preset(name: &'static str, value: LayoutPreset) -> Preset {
    Preset { name, value }
}

impl Preset {
    /// The preset named `name` (lowercase); `VALUE_OUT_OF_RANGE` listing them all.
    pub fn named(name: &str) -> Result<Self, CommandError> {
        PRESETS
            .iter()
            .find(|preset| preset.name == name)
            .copied()
            .ok_or_else(|| {
                let mut names: Vec<&str> = PRESETS.iter().map(|preset| preset.name).collect();
                names.sort_unstable();
                CommandError::new(
                    ErrorCode::ValueOutOfRange,
                    format!("Unknown preset '{name}'. Valid: {}", names.join(", ")),
                )
            })
    }
}

/// The resize mode named `name` (lowercase).
pub fn resize_mode(name: &str) -> Result<LayoutPresetMode, CommandError> {
    match name {
        "minsize" => Ok(LayoutPresetMode::MINSIZE),
        "keep_width" => Ok(LayoutPresetMode::KEEP_WIDTH),
        "keep_height" => Ok(LayoutPresetMode::KEEP_HEIGHT),
        "keep_size" => Ok(LayoutPresetMode::KEEP_SIZE),
        other => Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "Unknown resize_mode '{other}'. Valid: keep_height, keep_size, keep_width, \
                 minsize"
            ),
        )),
    }
}
