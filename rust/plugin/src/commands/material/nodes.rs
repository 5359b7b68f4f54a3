//! Materials on nodes: which property a slot names on a node, and assigning a material there
//! (an existing file, a new inline one, or a preset) as one undo step.

use godot::classes::{
    CanvasItem, CsgShape3D, GpuParticles2D, GpuParticles3D, Material, MeshInstance3D,
    ResourceLoader,
};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use super::presets::{Settings, preset};
use super::{
    load_material, material_class, material_path, new_material, refuse_to_overwrite, set_on_new,
};
use crate::commands::params::{flag_or, optional_string, required_string};
use crate::commands::reply::into_object;
use crate::commands::saved_resource::save;
use crate::commands::scene::guard::node_at;
use crate::commands::undo::{change_property, undo_redo};

/// The node property a material `slot` names on `node`: `override` (the node's material
/// override, or a canvas item's material), `canvas`, `process` (a GPU particle system's
/// process material) or `surface_N` (a mesh surface's override).
fn slot_property(node: &Gd<Node>, slot: &str) -> Result<String, CommandError> {
    let class = node.get_class();
    let canvas = node.clone().try_cast::<CanvasItem>().is_ok();
    let particles_3d = node.is_class("GPUParticles3D") || node.is_class("CPUParticles3D");
    match slot {
        "override" | "" => {
            if node.clone().try_cast::<MeshInstance3D>().is_ok()
                || node.clone().try_cast::<CsgShape3D>().is_ok()
                || particles_3d
            {
                Ok("material_override".into())
            } else if canvas {
                Ok("material".into())
            } else {
                Err(CommandError::new(
                    ErrorCode::PropertyNotOnClass,
                    format!("Slot 'override' not supported on {class}"),
                ))
            }
        }
        "canvas" if canvas => Ok("material".into()),
        "canvas" => Err(CommandError::new(
            ErrorCode::WrongType,
            format!("Slot 'canvas' requires a CanvasItem (got {class})"),
        )),
        "process"
            if node.clone().try_cast::<GpuParticles2D>().is_ok()
                || node.clone().try_cast::<GpuParticles3D>().is_ok() =>
        {
            Ok("process_material".into())
        }
        "process" => Err(CommandError::new(
            ErrorCode::WrongType,
            format!("Slot 'process' requires a GPUParticles2D/3D (got {class})"),
        )),
        surface if surface.starts_with("surface_") => {
            let Ok(mesh_instance) = node.clone().try_cast::<MeshInstance3D>() else {
                return Err(CommandError::new(
                    ErrorCode::WrongType,
                    format!("Slot '{surface}' requires a MeshInstance3D (got {class})"),
                ));
            };
            let index: i32 = surface["surface_".len()..].parse().map_err(|_| {
                CommandError::new(
                    ErrorCode::ValueOutOfRange,
                    format!("Invalid surface slot: {surface}"),
                )
            })?;
            let surfaces = mesh_instance
                .get_mesh()
                .map_or(0, |mesh| mesh.get_surface_count());
            if index < 0 || index >= surfaces {
                return Err(CommandError::new(
                    ErrorCode::InvalidParams,
                    format!("Surface index {index} out of range (mesh has {surfaces} surfaces)"),
                ));
            }
            Ok(format!("surface_material_override/{index}"))
        }
        other => Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("Unknown slot '{other}'. Valid: override, canvas, process, surface_N"),
        )),
    }
}

fn slot(params: &JsonObject) -> Result<&str, CommandError> {
    Ok(match optional_string(params, "slot")? {
        "" => "override",
        slot => slot,
    })
}

/// Puts `material` in `node`'s `property` as one undo step named `action`.
fn assign_in_action(
    node: &Gd<Node>,
    property: &str,
    material: &Gd<Material>,
    action: &str,
) -> Result<(), CommandError> {
    let mut history = undo_redo()?;
    history.create_action(action);
    change_property(&mut history, node, property, &material.to_variant());
    history.commit_action();
    Ok(())
}

/// `material_assign {node_path, resource_path?, slot? ("override"), create_if_missing?,
/// type? ("standard")}`: a saved material, or with `create_if_missing` and no path a new
/// inline one, in the node's slot.
pub fn material_assign(params: &JsonObject) -> CommandResult {
    let (_, node) = node_at(params, "node_path")?;
    let slot = slot(params)?;
    let property = slot_property(&node, slot)?;
    let resource_path = optional_string(params, "resource_path")?;
    let create = flag_or(params, "create_if_missing", false)?;
    let (material, created) = if !resource_path.is_empty() {
        (load_material(resource_path)?, false)
    } else if create {
        let kind = match optional_string(params, "type")? {
            "" => "standard",
            kind => kind,
        };
        (new_material(kind)?, true)
    } else {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            "Missing resource_path (pass create_if_missing=true to create a new inline material)",
        ));
    };
    let action = format!("MCP: Assign material to {}.{property}", node.get_name());
    assign_in_action(&node, &property, &material, &action)?;
    Ok(into_object(json!({
        "node_path": required_string(params, "node_path")?,
        "property": property,
        "slot": slot,
        "resource_path": resource_path,
        "material_class": material.get_class().to_string(),
        "material_created": created,
        "undoable": true,
    })))
}

/// A new material of `kind` with `settings` applied in order; the names applied.
fn built(kind: &str, settings: &Settings) -> Result<(Gd<Material>, Vec<String>), CommandError> {
    let mut material = new_material(kind)?;
    let mut applied = Vec::new();
    for (param, value) in settings {
        set_on_new(&mut material, param, value)?;
        applied.push(param.clone());
    }
    Ok((material, applied))
}

/// The params object `name` (absent or null: none), in order.
fn settings_param(params: &JsonObject, name: &str) -> Result<Settings, CommandError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(settings)) => Ok(settings
            .iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()),
        Some(other) => Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "{name} must be an object of material parameters, got {}",
                godot_ai_protocol::json_type_name(other)
            ),
        )),
    }
}

/// Saves `material` to `path` and answers the saved one (the one the file system caches).
fn saved(material: &Gd<Material>, path: &str) -> Result<(Gd<Material>, bool), CommandError> {
    let existed = save(&material.clone().upcast(), path)?;
    let reloaded = ResourceLoader::singleton()
        .load_ex(path)
        .cache_mode(godot::classes::resource_loader::CacheMode::REPLACE)
        .done()
        .and_then(|resource| resource.try_cast::<Material>().ok())
        .unwrap_or_else(|| material.clone());
    Ok((reloaded, existed))
}

/// `material_apply_to_node {node_path, type? ("standard"), params?, slot? ("override"),
/// save_to?, overwrite?}`: a new material with `params`, saved to `save_to` when given, in the
/// node's slot (one undo step; the saved file stays).
pub fn material_apply_to_node(params: &JsonObject) -> CommandResult {
    let kind = match optional_string(params, "type")? {
        "" => "standard",
        kind => kind,
    };
    material_class(kind)?;
    let (_, node) = node_at(params, "node_path")?;
    let slot = slot(params)?;
    let property = slot_property(&node, slot)?;
    let settings = settings_param(params, "params")?;
    let (material, applied) = built(kind, &settings)?;
    let save_to = optional_string(params, "save_to")?;
    let (material, overwritten) = if save_to.is_empty() {
        (material, false)
    } else {
        material_path(params, "save_to")?;
        refuse_to_overwrite(save_to, flag_or(params, "overwrite", false)?)?;
        saved(&material, save_to)?
    };
    let action = format!("MCP: Apply {kind} material to {}", node.get_name());
    assign_in_action(&node, &property, &material, &action)?;
    Ok(into_object(json!({
        "node_path": required_string(params, "node_path")?,
        "property": property,
        "slot": slot,
        "type": kind,
        "class": material.get_class().to_string(),
        "applied_params": applied,
        "material_created": true,
        "saved_to": save_to,
        "overwritten": overwritten,
        "undoable": true,
    })))
}

/// `material_apply_preset {preset, path?, node_path?, overrides?, slot?, overwrite?}`: a
/// preset's material (overrides on top, `type` among them), saved to `path` and/or put on the
/// node. Everything is checked before the file is written.
pub fn material_apply_preset(params: &JsonObject) -> CommandResult {
    let preset_name = required_string(params, "preset")?;
    let (preset_kind, mut settings) = preset(preset_name)?;
    let mut kind = preset_kind.to_owned();
    for (key, value) in settings_param(params, "overrides")? {
        if key == "type" {
            kind = value.as_str().unwrap_or_default().to_owned();
            material_class(&kind)?;
            continue;
        }
        match settings.iter_mut().find(|(known, _)| *known == key) {
            Some((_, slot_value)) => *slot_value = value,
            None => settings.push((key, value)),
        }
    }
    let kind = kind.as_str();
    let path = optional_string(params, "path")?;
    let node_path = optional_string(params, "node_path")?;
    if path.is_empty() && node_path.is_empty() {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "Pass at least one of: path (save to disk), node_path (assign to node)",
        ));
    }
    let target = if node_path.is_empty() {
        None
    } else {
        let (_, node) = node_at(params, "node_path")?;
        let property = slot_property(&node, slot(params)?)?;
        Some((node, property))
    };
    let (material, applied) = built(kind, &settings)?;
    if path.is_empty() {
        let (node, property) = target.expect("a node path was given");
        let action = format!("MCP: Apply {kind} material to {}", node.get_name());
        assign_in_action(&node, &property, &material, &action)?;
        return Ok(into_object(json!({
            "preset": preset_name,
            "node_path": node_path,
            "property": property,
            "slot": slot(params)?,
            "type": kind,
            "class": material.get_class().to_string(),
            "applied_params": applied,
            "material_created": true,
            "assigned": true,
            "path": "",
            "saved_to_disk": false,
            "undoable": true,
            "reason": "Inline material assigned to node",
        })));
    }
    material_path(params, "path")?;
    refuse_to_overwrite(path, flag_or(params, "overwrite", false)?)?;
    let (material, overwritten) = saved(&material, path)?;
    let assigned = match &target {
        Some((node, property)) => {
            let action = format!("MCP: Apply preset {preset_name} to {}", node.get_name());
            assign_in_action(node, property, &material, &action)?;
            true
        }
        None => false,
    };
    Ok(into_object(json!({
        "preset": preset_name,
        "type": kind,
        "class": material.get_class().to_string(),
        "path": path,
        "node_path": node_path,
        "applied_params": applied,
        "material_created": true,
        "assigned": assigned,
        "saved_to_disk": true,
        "overwritten": overwritten,
        "undoable": assigned,
        "reason": if assigned { "" } else { "File save is not undoable" },
    })))
}
