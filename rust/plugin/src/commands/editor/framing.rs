//! `take_screenshot view_target=...`: the editor's own 3D camera is moved for one forced draw
//! to frame the named Node3Ds (one angle, or with `coverage` an establishing shot and a top
//! view), then put back exactly as it was, all within one main-thread call.
//!
//! Invariant: the editor camera's transform and projection are restored, and the viewport
//! redrawn with them, before this returns, whatever happened in between, so the user's view
//! never moves.

use godot::classes::{Camera3D, Image, Node3D, RenderingServer, SubViewport, VisualInstance3D};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, ErrorCode};
use serde_json::{Value, json};

use crate::commands::editor::screenshot::encode;
use crate::commands::scene::paths::resolve;

/// How the caller wants the camera placed; `None` picks the default.
#[derive(Clone, Copy, Default)]
pub struct Angles {
    pub elevation: Option<f64>,
    pub azimuth: Option<f64>,
    pub fov: Option<f64>,
}

const DEFAULT_ELEVATION: f64 = 25.0;
const DEFAULT_AZIMUTH: f64 = 30.0;
/// Distance as a multiple of what just fits the bounds: breathing room around the targets.
const DEFAULT_PADDING: f64 = 1.8;

/// The targets named in `view_target` (comma-separated paths, duplicates once), resolved in the
/// edited scene: the Node3Ds found, and the paths that are missing or not 3D.
pub struct Targets {
    pub nodes: Vec<Gd<Node3D>>,
    pub not_found: Vec<String>,
}

pub fn resolve_targets(root: &Gd<Node>, view_target: &str) -> Targets {
    let mut seen = Vec::<&str>::new();
    let mut targets = Targets {
        nodes: Vec::new(),
        not_found: Vec::new(),
    };
    for path in view_target.split(',').map(str::trim) {
        if path.is_empty() || seen.contains(&path) {
            continue;
        }
        seen.push(path);
        match resolve(root, path).and_then(|node| node.try_cast::<Node3D>().ok()) {
            Some(node) => targets.nodes.push(node),
            None => targets.not_found.push(path.to_owned()),
        }
    }
    targets
}

/// The world-space box around what the nodes draw (their meshes, sprites, particles... and
/// those of their 3D descendants); a node that draws nothing counts as a 1-unit cube at its
/// position, so an empty marker can still be framed.
pub fn visual_bounds(nodes: &[Gd<Node3D>]) -> Aabb {
    nodes
        .iter()
        .map(node_bounds)
        .reduce(Aabb::merge)
        .unwrap_or_default()
}

fn node_bounds(node: &Gd<Node3D>) -> Aabb {
    drawn_bounds(node).unwrap_or_else(|| {
        Aabb::new(
            node.get_global_position() - Vector3::splat(0.5),
            Vector3::ONE,
        )
    })
}

fn drawn_bounds(node: &Gd<Node3D>) -> Option<Aabb> {
    let own = node
        .clone()
        .try_cast::<VisualInstance3D>()
        .ok()
        .map(|visual| node.get_global_transform() * visual.get_aabb())
        .filter(|aabb| aabb.size != Vector3::ZERO);
    node.get_children()
        .iter_shared()
        .filter_map(|child| child.try_cast::<Node3D>().ok())
        .filter_map(|child| drawn_bounds(&child))
        .fold(own, |acc, child| {
            Some(acc.map_or(child, |acc| acc.merge(child)))
        })
}

/// A camera placement and the label it is reported under.
struct Shot {
    label: &'static str,
    elevation: f64,
    azimuth: f64,
    fov: f64,
    /// Orthographic top view: `fov` is then 0 and unused.
    ortho: bool,
    padding: f64,
}

/// The coverage sweep: an establishing perspective shot across the longest ground axis (a
/// wider lens for spread-out subjects), and an orthographic top view for the layout.
fn coverage_shots(bounds: Aabb) -> [Shot; 2] {
    let (x, z) = (
        f64::from(bounds.size.x).max(0.01),
        f64::from(bounds.size.z).max(0.01),
    );
    let facing = if x >= z { 0.0 } else { 90.0 };
    let spread = x.max(z) / x.min(z);
    [
        Shot {
            label: "establishing",
            elevation: 25.0,
            azimuth: facing + 20.0,
            fov: (40.0 + spread * 5.0).clamp(45.0, 65.0),
            ortho: false,
            padding: DEFAULT_PADDING,
        },
        Shot {
            label: "top",
            elevation: 90.0,
            azimuth: 0.0,
            fov: 0.0,
            ortho: true,
            padding: DEFAULT_PADDING,
        },
    ]
}

/// The editor camera's state before we moved it.
struct SavedCamera {
    rid: Rid,
    transform: Transform3D,
    fov: f32,
    near: f32,
    far: f32,
}

impl SavedCamera {
    fn of(camera: &Gd<Camera3D>) -> Self {
        Self {
            rid: camera.get_camera_rid(),
            transform: camera.get_global_transform(),
            fov: camera.get_fov(),
            near: camera.get_near(),
            far: camera.get_far(),
        }
    }

    fn restore(&self) {
        let mut server = RenderingServer::singleton();
        server.camera_set_perspective(self.rid, self.fov, self.near, self.far);
        server.camera_set_transform(self.rid, self.transform);
    }
}

/// Frames `targets` in the editor's 3D viewport and captures it: one image at `angles`, or the
/// coverage sweep. The result is godot-ai's screenshot data with the framing fields.
pub fn framed_capture(
    viewport: &Gd<SubViewport>,
    view_target: &str,
    targets: &Targets,
    angles: Angles,
    coverage: bool,
    max_resolution: i64,
) -> Result<Value, CommandError> {
    let camera = viewport.get_camera_3d().ok_or_else(|| {
        CommandError::new(
            ErrorCode::EditorNotReady,
            "The editor's 3D viewport has no camera",
        )
    })?;
    let saved = SavedCamera::of(&camera);
    let bounds = visual_bounds(&targets.nodes);
    let captured = if coverage {
        capture_sweep(viewport, &saved, bounds, max_resolution)
    } else {
        capture_one(viewport, &saved, bounds, angles, max_resolution)
    };
    saved.restore();
    // Draw the user's view again: the editor redraws only on change, and the viewport would
    // otherwise keep showing (and a plain capture return) the framed image.
    RenderingServer::singleton()
        .force_draw_ex()
        .swap_buffers(false)
        .done();
    let mut data = captured?;
    data["view_target"] = json!(view_target);
    data["view_target_count"] = json!(targets.nodes.len());
    let (center, size) = (bounds.center(), bounds.size);
    data["aabb_center"] = json!([center.x, center.y, center.z]);
    data["aabb_size"] = json!([size.x, size.y, size.z]);
    data["aabb_longest_ground_axis"] = json!(if size.x >= size.z { "x" } else { "z" });
    if !targets.not_found.is_empty() {
        data["view_target_not_found"] = json!(targets.not_found);
    }
    Ok(data)
}

fn capture_one(
    viewport: &Gd<SubViewport>,
    saved: &SavedCamera,
    bounds: Aabb,
    angles: Angles,
    max_resolution: i64,
) -> Result<Value, CommandError> {
    let shot = Shot {
        label: "",
        elevation: angles.elevation.unwrap_or(DEFAULT_ELEVATION),
        azimuth: angles.azimuth.unwrap_or(DEFAULT_AZIMUTH),
        fov: angles.fov.unwrap_or(f64::from(saved.fov)),
        ortho: false,
        padding: DEFAULT_PADDING,
    };
    let image = draw(viewport, saved, bounds, &shot, angles.fov.is_some())
        .ok_or_else(|| CommandError::internal("The framed viewport rendered an empty image"))?;
    let mut data = encode(image, max_resolution, "viewport");
    if angles.elevation.is_some() || angles.azimuth.is_some() {
        data["elevation"] = json!(shot.elevation);
        data["azimuth"] = json!(shot.azimuth);
    }
    if angles.fov.is_some() {
        data["fov"] = json!(shot.fov);
    }
    Ok(data)
}

fn capture_sweep(
    viewport: &Gd<SubViewport>,
    saved: &SavedCamera,
    bounds: Aabb,
    max_resolution: i64,
) -> Result<Value, CommandError> {
    let images: Vec<Value> = coverage_shots(bounds)
        .iter()
        .filter_map(|shot| {
            let image = draw(viewport, saved, bounds, shot, true)?;
            let mut entry = encode(image, max_resolution, "viewport");
            entry["label"] = json!(shot.label);
            entry["elevation"] = json!(shot.elevation);
            entry["azimuth"] = json!(shot.azimuth);
            entry["fov"] = json!(shot.fov);
            entry["ortho"] = json!(shot.ortho);
            Some(entry)
        })
        .collect();
    if images.is_empty() {
        return Err(CommandError::internal(
            "The coverage sweep rendered no images",
        ));
    }
    Ok(json!({"source": "viewport", "coverage": true, "images": images}))
}

/// Places the camera for `shot`, forces one draw and reads the viewport back.
fn draw(
    viewport: &Gd<SubViewport>,
    saved: &SavedCamera,
    bounds: Aabb,
    shot: &Shot,
    set_projection: bool,
) -> Option<Gd<Image>> {
    let mut server = RenderingServer::singleton();
    let transform = if shot.ortho {
        let extent = f64::from(bounds.size.length());
        let height = (extent * 3.0).max(10.0);
        let far = f64::from(saved.far).max(height * 2.0);
        server.camera_set_orthogonal(saved.rid, (extent * 1.8) as f32, saved.near, far as f32);
        looking_down_at(bounds.center(), height as f32)
    } else {
        if set_projection {
            server.camera_set_perspective(saved.rid, shot.fov as f32, saved.near, saved.far);
        }
        orbit_transform(bounds, shot)
    };
    server.camera_set_transform(saved.rid, transform);
    server.force_draw_ex().swap_buffers(false).done();
    viewport
        .get_texture()
        .and_then(|texture| texture.get_image())
        .filter(|image| !image.is_empty())
}

/// A camera on a sphere around the bounds' centre, far enough that the bounds fit the lens
/// (at least one unit clear of them), looking at the centre.
fn orbit_transform(bounds: Aabb, shot: &Shot) -> Transform3D {
    let center = bounds.center();
    let radius = f64::from(bounds.size.length()) * 0.5;
    let half_fov = shot.fov.clamp(1.0, 179.0).to_radians() * 0.5;
    let distance = (radius / half_fov.tan() * shot.padding).max(radius * 2.0 + 1.0);
    let (elevation, azimuth) = (shot.elevation.to_radians(), shot.azimuth.to_radians());
    let offset = Vector3::new(
        (distance * elevation.cos() * azimuth.sin()) as f32,
        (distance * elevation.sin()) as f32,
        (distance * elevation.cos() * azimuth.cos()) as f32,
    );
    // Straight down, "up" would be parallel to the view: use forward instead.
    let up = if shot.elevation > 85.0 {
        Vector3::FORWARD
    } else {
        Vector3::UP
    };
    looking_at(center + offset, center, up)
}

fn looking_down_at(center: Vector3, height: f32) -> Transform3D {
    looking_at(center + Vector3::UP * height, center, Vector3::FORWARD)
}

/// A transform at `eye` whose -Z axis points at `target` (Godot's camera convention).
fn looking_at(eye: Vector3, target: Vector3, up: Vector3) -> Transform3D {
    let back = (eye - target).normalized();
    let right = up.cross(back).normalized();
    let up = back.cross(right);
    Transform3D::new(Basis::from_cols(right, up, back), eye)
}
