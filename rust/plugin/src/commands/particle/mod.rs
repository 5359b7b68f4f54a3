//! The particle domain (godot-ai's `particle_manage`): emitters in the edited scene (GPU or
//! CPU, 2D or 3D), their node settings, their process settings (a `ParticleProcessMaterial`
//! for GPU emitters, the node itself for CPU ones), what they draw, and godot-ai's presets.
//! Every change is one undo step; an emitter and the resources it is made with are created in
//! the same step. Everything a call sets is checked before anything changes.

mod presets;
mod values;

use godot::classes::{
    ClassDb, Material, Mesh, ParticleProcessMaterial, QuadMesh, ResourceLoader, StandardMaterial3D,
    Texture2D,
};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::filesystem::checked_resource_path;
use crate::commands::material::values::material_value;
use crate::commands::node::edit::property_type;
use crate::commands::params::{integer_or, optional_string, required_string};
use crate::commands::properties::{self, editor_visible};
use crate::commands::reply::into_object;
use crate::commands::scene::guard::{edited_root, parent_at};
use crate::commands::scene::paths::{not_found, resolve, scene_path};
use crate::commands::undo::{change_property, undo_redo};
use presets::{Blueprint, MAIN_KEYS, Settings};
use values::{particle_value, shown};

/// The four kinds of emitter, as godot-ai names them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Gpu3d,
    Gpu2d,
    Cpu3d,
    Cpu2d,
}

const KINDS: &[(&str, Kind, &str)] = &[
    ("gpu_3d", Kind::Gpu3d, "GPUParticles3D"),
    ("gpu_2d", Kind::Gpu2d, "GPUParticles2D"),
    ("cpu_3d", Kind::Cpu3d, "CPUParticles3D"),
    ("cpu_2d", Kind::Cpu2d, "CPUParticles2D"),
];

impl Kind {
    fn parse(text: &str) -> Result<Self, CommandError> {
        KINDS
            .iter()
            .find(|(name, _, _)| *name == text)
            .map(|(_, kind, _)| *kind)
            .ok_or_else(|| {
                CommandError::new(
                    ErrorCode::ValueOutOfRange,
                    format!(
                        "Invalid particle type '{text}'. Valid: gpu_3d, gpu_2d, cpu_3d, cpu_2d"
                    ),
                )
            })
    }

    fn of(node: &Gd<Node>) -> Option<Self> {
        KINDS
            .iter()
            .find(|(_, _, class)| node.is_class(*class))
            .map(|(_, kind, _)| *kind)
    }

    fn name(self) -> &'static str {
        KINDS
            .iter()
            .find(|(_, kind, _)| *kind == self)
            .map_or("", |(name, _, _)| name)
    }

    fn class(self) -> &'static str {
        KINDS
            .iter()
            .find(|(_, kind, _)| *kind == self)
            .map_or("", |(_, _, class)| class)
    }

    fn is_gpu(self) -> bool {
        matches!(self, Kind::Gpu3d | Kind::Gpu2d)
    }
}

/// The emitter at the required param `node_path`, and its kind.
fn emitter_at(params: &JsonObject) -> Result<(Gd<Node>, Kind), CommandError> {
    let path = required_string(params, "node_path")?;
    let root = edited_root(params)?;
    let node = resolve(&root, path).ok_or_else(|| not_found(&root, path))?;
    let kind = Kind::of(&node).ok_or_else(|| {
        CommandError::new(
            ErrorCode::WrongType,
            format!(
                "Node {path} is not a particle node (got {})",
                node.get_class()
            ),
        )
    })?;
    Ok((node, kind))
}

/// A new emitter of `kind` named `name`, with what godot-ai gives it: a process material for
/// GPU emitters, and for 3D GPU ones a small billboard quad with a draw material that shows
/// the particles' colours (`draw` on top). Nothing is in the scene yet.
struct NewEmitter {
    node: Gd<Node>,
    process: Option<Gd<ParticleProcessMaterial>>,
    draw_material: Option<Gd<StandardMaterial3D>>,
}

fn new_emitter(kind: Kind, name: &str) -> Result<NewEmitter, CommandError> {
    let mut node = ClassDb::singleton()
        .instantiate(kind.class())
        .try_to::<Gd<Node>>()
        .map_err(|_| CommandError::internal("Failed to instantiate particle node"))?;
    if !name.is_empty() {
        node.set_name(name);
    }
    let process = kind.is_gpu().then(|| {
        let material = ParticleProcessMaterial::new_gd();
        node.set("process_material", &material.to_variant());
        material
    });
    let draw_material = (kind == Kind::Gpu3d).then(|| {
        let mut material = StandardMaterial3D::new_gd();
        material.set("shading_mode", &0.to_variant());
        material.set("vertex_color_use_as_albedo", &true.to_variant());
        material.set("transparency", &1.to_variant());
        material.set("billboard_mode", &3.to_variant());
        material.set("billboard_keep_scale", &true.to_variant());
        let mut quad = QuadMesh::new_gd();
        quad.set_size(Vector2::new(0.25, 0.25));
        quad.set_material(&material);
        node.set("draw_pass_1", &quad.to_variant());
        material
    });
    Ok(NewEmitter {
        node,
        process,
        draw_material,
    })
}

/// Adds `emitter` under `parent` as one undo step named `action`.
fn add_in_action(
    root: &Gd<Node>,
    parent: &Gd<Node>,
    emitter: &NewEmitter,
    action: &str,
) -> Result<(), CommandError> {
    let mut history = undo_redo()?;
    history.create_action(action);
    let object = emitter.node.clone().upcast::<Object>();
    history.add_do_method(
        parent,
        "add_child",
        &[object.to_variant(), true.to_variant()],
    );
    history.add_do_method(&object, "set_owner", &[root.to_variant()]);
    history.add_do_reference(&object);
    history.add_undo_method(parent, "remove_child", &[object.to_variant()]);
    history.commit_action();
    Ok(())
}

fn text_or<'a>(
    params: &'a JsonObject,
    name: &str,
    default: &'a str,
) -> Result<&'a str, CommandError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(_) => optional_string(params, name),
    }
}

/// `particle_create {parent_path?, name? ("Particles"), type? ("gpu_3d")}`.
pub fn particle_create(params: &JsonObject) -> CommandResult {
    let kind = Kind::parse(text_or(params, "type", "gpu_3d")?)?;
    let root = edited_root(params)?;
    let parent = parent_at(&root, optional_string(params, "parent_path")?)?;
    let name = text_or(params, "name", "Particles")?;
    let emitter = new_emitter(kind, name)?;
    add_in_action(
        &root,
        &parent,
        &emitter,
        &format!("MCP: Create {} '{name}'", kind.class()),
    )?;
    Ok(into_object(json!({
        "path": scene_path(&root, &emitter.node),
        "parent_path": scene_path(&root, &parent),
        "name": emitter.node.get_name().to_string(),
        "type": kind.name(),
        "class": kind.class(),
        "process_material_created": emitter.process.is_some(),
        "draw_pass_mesh_created": emitter.draw_material.is_some(),
        "draw_material_created": emitter.draw_material.is_some(),
        "undoable": true,
    })))
}

/// The object param `name`, which must hold at least one setting.
fn settings_param<'a>(params: &'a JsonObject, name: &str) -> Result<&'a JsonObject, CommandError> {
    match params.get(name) {
        Some(Value::Object(settings)) if !settings.is_empty() => Ok(settings),
        Some(Value::Object(_)) | None | Some(Value::Null) => Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            format!("{name} dict is empty"),
        )),
        Some(other) => Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "{name} must be an object of settings, got {}",
                godot_ai_protocol::json_type_name(other)
            ),
        )),
    }
}

/// Sets checked `changes` on `target` as one undo step; answers `{path, applied, values,
/// undoable}`.
fn commit_changes(
    target: &Gd<Object>,
    changes: Vec<(String, Variant)>,
    path: &str,
    action: &str,
) -> Result<JsonObject, CommandError> {
    let mut history = undo_redo()?;
    history.create_action(action);
    let mut values = JsonObject::new();
    let mut applied = Vec::new();
    for (key, value) in &changes {
        change_property(&mut history, target, key.as_str(), value);
        applied.push(json!(key));
        values.insert(key.clone(), shown(value));
    }
    history.commit_action();
    Ok(into_object(json!({
        "path": path,
        "applied": applied,
        "values": values,
        "undoable": true,
    })))
}

/// `particle_set_main {node_path, properties}`: the emitter's node settings (amount,
/// lifetime, one_shot, ...).
pub fn particle_set_main(params: &JsonObject) -> CommandResult {
    let (node, _) = emitter_at(params)?;
    let settings = settings_param(params, "properties")?;
    let object = node.clone().upcast::<Object>();
    let mut changes = Vec::new();
    for (key, value) in settings {
        if !MAIN_KEYS.contains(&key.as_str()) {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!(
                    "Unknown main property '{key}'. Valid: {}",
                    MAIN_KEYS.join(", ")
                ),
            ));
        }
        changes.push((
            key.clone(),
            particle_value(&object, key, value, "particle_manage op=get")?,
        ));
    }
    let action = format!("MCP: Set particle main on {}", node.get_name());
    commit_changes(
        &object,
        changes,
        required_string(params, "node_path")?,
        &action,
    )
}

/// `particle_set_process {node_path, properties}`: process settings, on the GPU emitter's
/// `ParticleProcessMaterial` (made in the same undo step when it has none) or on a CPU
/// emitter itself.
pub fn particle_set_process(params: &JsonObject) -> CommandResult {
    let (node, kind) = emitter_at(params)?;
    let settings = settings_param(params, "properties")?;
    let path = required_string(params, "node_path")?;
    let action = format!("MCP: Set particle process on {}", node.get_name());
    if !kind.is_gpu() {
        let object = node.clone().upcast::<Object>();
        let changes = settings
            .iter()
            .map(|(key, value)| {
                Ok((
                    key.clone(),
                    particle_value(&object, key, value, "particle_manage op=get")?,
                ))
            })
            .collect::<Result<Vec<_>, CommandError>>()?;
        let mut data = commit_changes(&object, changes, path, &action)?;
        data.insert("process_material_created".into(), false.into());
        return Ok(data);
    }
    let existing = node
        .get("process_material")
        .try_to::<Gd<ParticleProcessMaterial>>()
        .ok();
    let material = existing
        .clone()
        .unwrap_or_else(ParticleProcessMaterial::new_gd);
    let object = material.clone().upcast::<Object>();
    let changes = settings
        .iter()
        .map(|(key, value)| {
            Ok((
                key.clone(),
                particle_value(&object, key, value, "particle_manage op=get")?,
            ))
        })
        .collect::<Result<Vec<_>, CommandError>>()?;
    if existing.is_some() {
        let mut data = commit_changes(&object, changes, path, &action)?;
        data.insert("process_material_created".into(), false.into());
        return Ok(data);
    }
    // A new material: set up before the step, put in place by it.
    let mut fresh = material.clone();
    let mut values = JsonObject::new();
    let mut applied = Vec::new();
    for (key, value) in &changes {
        fresh.set(key.as_str(), value);
        applied.push(json!(key));
        values.insert(key.clone(), shown(value));
    }
    let mut history = undo_redo()?;
    history.create_action(&action);
    change_property(
        &mut history,
        &node,
        "process_material",
        &material.to_variant(),
    );
    history.commit_action();
    Ok(into_object(json!({
        "path": path,
        "applied": applied,
        "values": values,
        "process_material_created": true,
        "undoable": true,
    })))
}

/// A resource from the project of class `T`, named `what` in errors.
fn project_resource<T: GodotClass + Inherits<godot::classes::Resource>>(
    path: &str,
    what: &str,
    class: &str,
) -> Result<Gd<T>, CommandError> {
    checked_resource_path(path)?;
    let mut loader = ResourceLoader::singleton();
    if !loader.exists(path) {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("{what} not found: {path}"),
        ));
    }
    loader
        .load(path)
        .and_then(|resource| resource.try_cast::<T>().ok())
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::WrongType,
                format!("Resource at {path} is not a {class}"),
            )
        })
}

/// `particle_set_draw_pass {node_path, pass? or pass_? (1), mesh?, texture?, material?}`: what the
/// emitter draws: a 3D GPU emitter's draw pass mesh (a small quad when none is given or
/// there), a 3D CPU emitter's mesh, a 2D emitter's texture; a material goes to the node's
/// material override.
pub fn particle_set_draw_pass(params: &JsonObject) -> CommandResult {
    let (node, kind) = emitter_at(params)?;
    let path = required_string(params, "node_path")?;
    let mesh_path = optional_string(params, "mesh")?;
    let material_path = optional_string(params, "material")?;
    let texture_path = optional_string(params, "texture")?;
    let mesh = match mesh_path {
        "" => None,
        given => Some(project_resource::<Mesh>(given, "Mesh", "Mesh")?),
    };
    let material = match material_path {
        "" => None,
        given => Some(project_resource::<Material>(given, "Material", "Material")?),
    };
    let mut history = undo_redo()?;
    match kind {
        Kind::Gpu3d => {
            // godot-ai's tool calls it `pass_` (its server renames it `pass`).
            let key = if params.contains_key("pass_") {
                "pass_"
            } else {
                "pass"
            };
            let pass = integer_or(params, key, 1)?;
            if !(1..=4).contains(&pass) {
                return Err(CommandError::new(
                    ErrorCode::ValueOutOfRange,
                    format!("pass must be 1..4 (got {pass})"),
                ));
            }
            let passes = node.get("draw_passes").try_to::<i64>().unwrap_or(1);
            let slot = format!("draw_pass_{pass}");
            let existing = (passes >= pass)
                .then(|| node.get(&slot).try_to::<Gd<Mesh>>().ok())
                .flatten();
            let created = mesh.is_none() && existing.is_none();
            let used = match (&mesh, &existing) {
                (Some(mesh), _) => Some(mesh.clone()),
                (None, Some(existing)) => Some(existing.clone()),
                (None, None) => {
                    let mut quad = QuadMesh::new_gd();
                    quad.set_size(Vector2::new(0.25, 0.25));
                    Some(quad.upcast())
                }
            };
            history.create_action(&format!("MCP: Set {}.{slot}", node.get_name()));
            if passes < pass {
                history.add_do_property(&node, "draw_passes", &pass.to_variant());
                history.add_undo_property(&node, "draw_passes", &passes.to_variant());
            }
            if mesh.is_some() || created {
                change_property(&mut history, &node, &slot, &used.to_variant());
            }
            if let Some(material) = &material {
                change_property(
                    &mut history,
                    &node,
                    "material_override",
                    &material.to_variant(),
                );
            }
            history.commit_action();
            Ok(into_object(json!({
                "path": path,
                "pass": pass,
                "mesh_path": mesh_path,
                "mesh_class": used.map(|mesh| mesh.get_class().to_string()).unwrap_or_default(),
                "material_path": material_path,
                "draw_pass_mesh_created": created,
                "draw_passes_grown": passes < pass,
                "undoable": true,
            })))
        }
        Kind::Cpu3d => {
            if mesh.is_none() && material.is_none() {
                return Err(CommandError::new(
                    ErrorCode::MissingRequiredParam,
                    "CPUParticles3D requires mesh or material param",
                ));
            }
            history.create_action(&format!(
                "MCP: Set CPU particle draw on {}",
                node.get_name()
            ));
            if let Some(mesh) = &mesh {
                change_property(&mut history, &node, "mesh", &mesh.to_variant());
            }
            if let Some(material) = &material {
                change_property(
                    &mut history,
                    &node,
                    "material_override",
                    &material.to_variant(),
                );
            }
            history.commit_action();
            Ok(into_object(json!({
                "path": path,
                "mesh_path": mesh_path,
                "material_path": material_path,
                "draw_pass_mesh_created": false,
                "undoable": true,
            })))
        }
        Kind::Gpu2d | Kind::Cpu2d => {
            if texture_path.is_empty() {
                return Err(CommandError::new(
                    ErrorCode::MissingRequiredParam,
                    "2D particles require texture param",
                ));
            }
            let texture = project_resource::<Texture2D>(texture_path, "Texture", "Texture2D")?;
            history.create_action(&format!(
                "MCP: Set 2D particle texture on {}",
                node.get_name()
            ));
            change_property(&mut history, &node, "texture", &texture.to_variant());
            history.commit_action();
            Ok(into_object(json!({
                "path": path,
                "texture_path": texture_path,
                "undoable": true,
            })))
        }
    }
}

/// `particle_restart {node_path}`: clears the emitter's particles and emits again (a one-shot
/// emitter fires once more). Not saved, not undoable.
pub fn particle_restart(params: &JsonObject) -> CommandResult {
    let (mut node, _) = emitter_at(params)?;
    node.call("restart", &[]);
    Ok(into_object(json!({
        "path": required_string(params, "node_path")?,
        "undoable": false,
        "reason": "Restart is a runtime operation, not tracked in undo history",
    })))
}

/// `particle_get {node_path}`: the emitter's node settings, process settings and what it
/// draws.
pub fn particle_get(params: &JsonObject) -> CommandResult {
    let (node, kind) = emitter_at(params)?;
    let mut main = JsonObject::new();
    for key in MAIN_KEYS {
        if properties::has(&node.clone().upcast(), key) {
            main.insert((*key).to_owned(), shown(&node.get(*key)));
        }
    }
    let process = match node
        .get("process_material")
        .try_to::<Gd<ParticleProcessMaterial>>()
    {
        Ok(material) if kind.is_gpu() => {
            let properties: JsonObject = editor_visible(&material.upcast())
                .into_iter()
                .filter(|property| !property.value.is_nil())
                .map(|property| (property.name, shown(&property.value)))
                .collect();
            json!({"class": "ParticleProcessMaterial", "properties": properties})
        }
        _ => json!({}),
    };
    let draw_passes: Vec<Value> = if kind == Kind::Gpu3d {
        let passes = node
            .get("draw_passes")
            .try_to::<i64>()
            .unwrap_or(0)
            .clamp(0, 4);
        (1..=passes)
            .map(|pass| {
                let mesh = node.get(&format!("draw_pass_{pass}"));
                let class = mesh
                    .try_to::<Gd<Mesh>>()
                    .map(|mesh| mesh.get_class().to_string())
                    .unwrap_or_default();
                json!({"pass": pass, "mesh_class": class})
            })
            .collect()
    } else {
        Vec::new()
    };
    let texture_path = match kind {
        Kind::Gpu2d | Kind::Cpu2d => node
            .get("texture")
            .try_to::<Gd<Texture2D>>()
            .map(|texture| texture.get_path().to_string())
            .unwrap_or_default(),
        _ => String::new(),
    };
    Ok(into_object(json!({
        "path": required_string(params, "node_path")?,
        "type": kind.name(),
        "class": node.get_class().to_string(),
        "main": main,
        "process": process,
        "draw_passes": draw_passes,
        "texture_path": texture_path,
    })))
}

/// Sets `settings` on `target` (a new emitter or its material): a setting the caller gave
/// must apply (else `INVALID_PARAMS` naming it); one of the preset's own that the target does
/// not have is skipped. Answers the names set.
fn apply_settings(
    target: &Gd<Object>,
    settings: &Settings,
    user_keys: &[String],
    group: &str,
) -> Result<Vec<String>, CommandError> {
    let convert = |key: &str, value: &Value| -> Result<Variant, CommandError> {
        if group == "draw" {
            // The draw material takes godot-ai's material names (`blend_mode: "add"`).
            let (kind, hint) = property_type(target, key, "material_manage op=get")?;
            material_value(key, value, kind, hint.as_deref())
        } else {
            particle_value(target, key, value, "particle_manage op=get")
        }
    };
    let mut applied = Vec::new();
    for (key, value) in settings {
        let from_user = user_keys.contains(key);
        if !properties::has(target, key) {
            if from_user {
                return Err(CommandError::new(
                    ErrorCode::InvalidParams,
                    format!(
                        "overrides: {group} setting '{key}' does not apply to {}",
                        target.get_class()
                    ),
                ));
            }
            continue;
        }
        let converted = convert(key, value).map_err(|error| {
            CommandError::new(
                ErrorCode::InvalidParams,
                format!("overrides: {}", error.message),
            )
        })?;
        target.clone().set(key.as_str(), &converted);
        applied.push(key.clone());
    }
    Ok(applied)
}

/// `particle_apply_preset {preset, parent_path?, name?, type? ("gpu_3d"), overrides?}`: a
/// new emitter with a preset's settings (`overrides` on top: `main`, `process` and `draw`
/// objects, or bare keys), as one undo step.
pub fn particle_apply_preset(params: &JsonObject) -> CommandResult {
    let preset_name = required_string(params, "preset")?;
    let mut blueprint: Blueprint = presets::preset(preset_name)?;
    let overrides = match params.get("overrides") {
        None | Some(Value::Null) => JsonObject::new(),
        Some(Value::Object(overrides)) => overrides.clone(),
        Some(other) => {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!(
                    "overrides must be an object, got {}",
                    godot_ai_protocol::json_type_name(other)
                ),
            ));
        }
    };
    let user = presets::merge(&mut blueprint, overrides);
    let name = match optional_string(params, "name")? {
        "" => presets::default_name(preset_name),
        given => given.to_owned(),
    };
    let kind = Kind::parse(text_or(params, "type", "gpu_3d")?)?;
    let root = edited_root(params)?;
    let parent = parent_at(&root, optional_string(params, "parent_path")?)?;
    if kind != Kind::Gpu3d && !user.draw.is_empty() {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "overrides: draw settings apply to gpu_3d emitters only (a {} draws a texture: \
                 set it with op=set_draw_pass)",
                kind.class()
            ),
        ));
    }
    let emitter = new_emitter(kind, &name)?;
    let node = emitter.node.clone().upcast::<Object>();
    let applied_main = apply_settings(&node, &blueprint.main, &user.main, "main")?;
    let process_target = match &emitter.process {
        Some(material) => material.clone().upcast::<Object>(),
        None => node.clone(),
    };
    let applied_process = apply_settings(
        &process_target,
        &blueprint.process,
        &user.process,
        "process",
    )?;
    let applied_draw = match &emitter.draw_material {
        Some(material) => apply_settings(
            &material.clone().upcast::<Object>(),
            &blueprint.draw,
            &user.draw,
            "draw",
        )?,
        None => Vec::new(),
    };
    add_in_action(
        &root,
        &parent,
        &emitter,
        &format!("MCP: Apply preset {preset_name}"),
    )?;
    Ok(into_object(json!({
        "path": scene_path(&root, &emitter.node),
        "parent_path": scene_path(&root, &parent),
        "name": name,
        "preset": preset_name,
        "type": kind.name(),
        "class": kind.class(),
        "applied_main": applied_main,
        "applied_process": applied_process,
        "applied_draw": applied_draw,
        "process_material_created": emitter.process.is_some(),
        "draw_pass_mesh_created": emitter.draw_material.is_some(),
        "draw_material_created": emitter.draw_material.is_some(),
        "is_3d": matches!(kind, Kind::Gpu3d | Kind::Cpu3d),
        "undoable": true,
    })))
}
