//! `take_screenshot`: the editor's viewport (2D for a 2D scene, else 3D), or with
//! `source=game` the running game's window, as a PNG scaled down to `max_resolution`.
//!
//! `view_target` frames Node3Ds of the edited scene with the editor's 3D camera for the capture
//! ([`crate::commands::editor::framing`]). A headless editor (or game) has no renderer, so nothing can be
//! captured: it answers with an error that says so instead of an empty image.

use godot::classes::image::Interpolation;
use godot::classes::{DisplayServer, EditorInterface, Image, Marshalls};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::json;

use crate::commands::editor::framing::{Angles, framed_capture, resolve_targets};
use crate::commands::params::{flag_or, integer_or, optional_number, optional_string};
use crate::commands::reply::into_object;
use crate::commands::scene::guard::edited_root;
use crate::commands::settle::Step;

/// `take_screenshot {source = "viewport", max_resolution = 0 (no scaling)}`; the game's
/// answer comes on a later frame.
pub fn take_screenshot(params: &JsonObject) -> Step {
    match optional_string(params, "source") {
        Ok("game") => crate::commands::runtime::game_screenshot(params),
        _ => Step::Done(editor_screenshot(params)),
    }
}

fn editor_screenshot(params: &JsonObject) -> CommandResult {
    let source = match optional_string(params, "source")? {
        "" => "viewport",
        given => given,
    };
    match source {
        "viewport" => {}
        "cinematic" => {
            return Err(CommandError::new(
                ErrorCode::ValueOutOfRange,
                format!(
                    "source '{source}' is not supported by godot-ai-native yet; use 'viewport'"
                ),
            ));
        }
        other => {
            return Err(CommandError::new(
                ErrorCode::ValueOutOfRange,
                format!("Invalid source '{other}' — use 'viewport', 'cinematic', or 'game'"),
            ));
        }
    }
    if DisplayServer::singleton().get_name() == "headless" {
        return Err(CommandError::new(
            ErrorCode::EditorNotReady,
            "Screenshots need a renderer, and this editor runs headless (no display, no \
             rendering). Run the editor with a display to capture the viewport.",
        )
        .with_data("retryable", false)
        .with_data("state", "headless"));
    }
    let max_resolution = integer_or(params, "max_resolution", 0)?;
    let view_target = optional_string(params, "view_target")?;
    if !view_target.trim().is_empty() {
        return framed_screenshot(params, view_target, max_resolution);
    }
    let editor = EditorInterface::singleton();
    // The editor shows a 2D scene (Node2D or Control root) in its 2D view, anything else in 3D.
    let two_d = editor
        .get_edited_scene_root()
        .is_some_and(|root| root.is_class("CanvasItem"));
    let viewport = if two_d {
        editor.get_editor_viewport_2d()
    } else {
        editor.get_editor_viewport_3d()
    };
    let image = viewport
        .and_then(|viewport| viewport.get_texture())
        .and_then(|texture| texture.get_image())
        .filter(|image| !image.is_empty())
        .ok_or_else(|| CommandError::internal("Failed to capture image from viewport"))?;
    let mut data = encode(image, max_resolution, source);
    data["view"] = json!(if two_d { "2d" } else { "3d" });
    Ok(into_object(data))
}

/// The 3D viewport with the editor camera framing `view_target` for the capture.
fn framed_screenshot(params: &JsonObject, view_target: &str, max_resolution: i64) -> CommandResult {
    let angles = Angles {
        elevation: optional_number(params, "elevation")?,
        azimuth: optional_number(params, "azimuth")?,
        fov: optional_number(params, "fov")?,
    };
    if let Some(fov) = angles.fov
        && !(1.0..=179.0).contains(&fov)
    {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("fov must be between 1 and 179 degrees, got {fov}"),
        ));
    }
    let coverage = flag_or(params, "coverage", false)?;
    let root = edited_root(params)?;
    let targets = resolve_targets(&root, view_target);
    if targets.nodes.is_empty() {
        return Err(CommandError::new(
            ErrorCode::NodeNotFound,
            format!(
                "No Node3D found to frame: {}. view_target takes comma-separated paths of \
                 Node3Ds in the edited scene, relative to its root.",
                targets.not_found.join(", ")
            ),
        ));
    }
    let viewport = EditorInterface::singleton()
        .get_editor_viewport_3d()
        .ok_or_else(|| CommandError::new(ErrorCode::EditorNotReady, "No 3D viewport available"))?;
    let mut data = framed_capture(
        &viewport,
        view_target,
        &targets,
        angles,
        coverage,
        max_resolution,
    )?;
    data["view"] = json!("3d");
    Ok(into_object(data))
}

/// The image as godot-ai's screenshot data: PNG in base64 plus sizes.
pub fn encode(mut image: Gd<Image>, max_resolution: i64, source: &str) -> serde_json::Value {
    let (width, height) = (image.get_width(), image.get_height());
    let longest = i64::from(width.max(height));
    if max_resolution > 0 && longest > max_resolution {
        let scale = max_resolution as f64 / longest as f64;
        let scaled = |side: i32| ((f64::from(side) * scale).round() as i32).max(1);
        image
            .resize_ex(scaled(width), scaled(height))
            .interpolation(Interpolation::LANCZOS)
            .done();
    }
    let png = image.save_png_to_buffer();
    json!({
        "source": source,
        "width": image.get_width(),
        "height": image.get_height(),
        "original_width": width,
        "original_height": height,
        "format": "png",
        "image_base64": Marshalls::singleton().raw_to_base64(&png).to_string(),
    })
}
