//! The material domain (godot-ai's `material_manage`, and the `godot://materials` resource):
//! material files under `res://` (create, read, list, change a parameter or a shader uniform)
//! and materials on nodes (assign one, apply a new one, apply a preset).
//!
//! Files are saved all at once (see [`saved_resource`](crate::commands::saved_resource)). A
//! change to a saved material is one undo step (in the edited scene's history) that saves the
//! file again on undo and redo;
//! creating a file is not undoable (it says so); putting a material on a node is one undo step.
//!
//! This file: the material files.

mod nodes;
mod presets;
pub(in crate::commands) mod values;

pub use nodes::{material_apply_preset, material_apply_to_node, material_assign};

use godot::classes::{ClassDb, Material, ResourceLoader, Shader, ShaderMaterial};
use godot::global::type_string;
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::filesystem::index::{self, Walk};
use crate::commands::filesystem::{checked_path_of, checked_resource_path};
use crate::commands::node::edit::property_type;
use crate::commands::params::{flag_or, optional_string, required_string};
use crate::commands::properties::editor_visible;
use crate::commands::reply::{into_object, object};
use crate::commands::saved_resource::{file_change_action, load_saved, save, save_in_action};
use crate::commands::undo::Half;
use values::{material_value, shown};

/// godot-ai's material types and the classes they make.
const TYPES: &[(&str, &str)] = &[
    ("standard", "StandardMaterial3D"),
    ("orm", "ORMMaterial3D"),
    ("canvas_item", "CanvasItemMaterial"),
    ("shader", "ShaderMaterial"),
];

/// The extensions a material file may have.
const EXTENSIONS: &[&str] = &[".tres", ".material", ".res"];

/// Why creating a file is not undoable.
const FILE_IS_PERSISTENT: &str = "File creation is persistent; delete the file manually to revert";

/// The class of godot-ai's material `type`.
fn material_class(kind: &str) -> Result<&'static str, CommandError> {
    TYPES
        .iter()
        .find(|(known, _)| *known == kind)
        .map(|(_, class)| *class)
        .ok_or_else(|| {
            let valid: Vec<&str> = TYPES.iter().map(|(known, _)| *known).collect();
            CommandError::new(
                ErrorCode::ValueOutOfRange,
                format!(
                    "Invalid material type '{kind}'. Valid: {}",
                    valid.join(", ")
                ),
            )
        })
}

/// The type name of a material class, `""` for classes godot-ai has no type for.
fn type_of(class: &str) -> &'static str {
    TYPES
        .iter()
        .find(|(_, known)| *known == class)
        .map_or("", |(kind, _)| *kind)
}

/// A new, default material of godot-ai's `type`.
fn new_material(kind: &str) -> Result<Gd<Material>, CommandError> {
    let class = material_class(kind)?;
    ClassDb::singleton()
        .instantiate(class)
        .try_to::<Gd<Material>>()
        .map_err(|_| CommandError::internal(format!("Failed to instantiate {class}")))
}

/// The material file path in the param `name`: a `res://` path inside the project ending in a
/// material extension.
fn material_path<'a>(params: &'a JsonObject, name: &str) -> Result<&'a str, CommandError> {
    let path = required_string(params, name)?;
    checked_path_of(path)?;
    if !EXTENSIONS.iter().any(|extension| path.ends_with(extension)) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "{name} must end with one of {} (got {path})",
                EXTENSIONS.join(", ")
            ),
        ));
    }
    Ok(path)
}

/// `INVALID_PARAMS` when a file is at `path` and `overwrite` is off.
fn refuse_to_overwrite(path: &str, overwrite: bool) -> Result<(), CommandError> {
    if !overwrite && checked_path_of(path)?.exists() {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!("Material already exists at {path} (pass overwrite=true to replace)"),
        ));
    }
    Ok(())
}

/// The material saved at `path`.
fn load_material(path: &str) -> Result<Gd<Material>, CommandError> {
    checked_resource_path(path)?;
    load_saved(path, "Material", "create it with material_manage op=create")
}

/// Sets `param` on a new (not yet saved or assigned) material, converted for its type.
fn set_on_new(material: &mut Gd<Material>, param: &str, value: &Value) -> Result<(), CommandError> {
    let object = material.clone().upcast::<Object>();
    let (target, enum_hint) = property_type(&object, param, "material_manage op=get")?;
    let converted = material_value(param, value, target, enum_hint.as_deref())?;
    material.set(param, &converted);
    Ok(())
}

/// `material_create {path, type? ("standard"), shader_path?, overwrite? (false)}`.
pub fn material_create(params: &JsonObject) -> CommandResult {
    let path = material_path(params, "path")?;
    let kind = match optional_string(params, "type")? {
        "" => "standard",
        kind => kind,
    };
    let mut material = new_material(kind)?;
    let overwrite = flag_or(params, "overwrite", false)?;
    refuse_to_overwrite(path, overwrite)?;
    let shader_path = optional_string(params, "shader_path")?;
    if kind == "shader" {
        let shader = load_shader(shader_path)?;
        material.set("shader", &shader.to_variant());
    }
    let existed = save(&material.clone().upcast(), path)?;
    if existed {
        // Whoever holds the old material (an open scene) sees the new one.
        let _ = ResourceLoader::singleton()
            .load_ex(path)
            .cache_mode(godot::classes::resource_loader::CacheMode::REPLACE)
            .done();
    }
    Ok(into_object(json!({
        "path": path,
        "type": kind,
        "class": material.get_class().to_string(),
        "shader_path": shader_path,
        "overwritten": existed,
        "undoable": false,
        "reason": FILE_IS_PERSISTENT,
    })))
}

fn load_shader(path: &str) -> Result<Gd<Shader>, CommandError> {
    if path.is_empty() {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            "ShaderMaterial requires shader_path (a .gdshader or VisualShader .tres path)",
        ));
    }
    checked_resource_path(path)?;
    let mut loader = ResourceLoader::singleton();
    if !loader.exists(path) {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("Shader not found: {path}"),
        ));
    }
    loader
        .load(path)
        .and_then(|resource| resource.try_cast::<Shader>().ok())
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::WrongType,
                format!("Resource at {path} is not a Shader"),
            )
        })
}

/// `material_get {path}`: the material's editor-visible properties, and a shader material's
/// uniforms.
pub fn material_get(params: &JsonObject) -> CommandResult {
    let path = required_string(params, "path")?;
    let material = load_material(path)?;
    let properties: Vec<Value> = editor_visible(&material.clone().upcast())
        .into_iter()
        .filter(|property| !property.name.starts_with("shader_parameter/"))
        .map(|property| {
            json!({
                "name": property.name,
                "type": type_string(property.declared).to_string(),
                "value": shown(&property.value),
            })
        })
        .collect();
    let (shader_parameters, shader_path) = match shader_of(&material) {
        Some((shader_material, shader)) => (
            uniforms(&shader)
                .into_iter()
                .filter_map(|uniform| {
                    let name = uniform.get("name")?.stringify().to_string();
                    let kind = uniform.get("type")?.try_to::<i64>().ok()?;
                    Some(json!({
                        "name": name,
                        "type": type_string(kind).to_string(),
                        "value": shown(&shader_material.get_shader_parameter(name.as_str())),
                    }))
                })
                .collect(),
            shader.get_path().to_string(),
        ),
        None => (Vec::new(), String::new()),
    };
    let class = material.get_class().to_string();
    let count = properties.len();
    Ok(object([
        ("path", json!(path)),
        ("type", json!(type_of(&class))),
        ("class", json!(class)),
        ("properties", Value::Array(properties)),
        ("property_count", count.into()),
        ("shader_parameters", Value::Array(shader_parameters)),
        ("shader_path", json!(shader_path)),
    ]))
}

/// The uniforms `shader` declares, as property descriptions (`name`, `type`, `hint_string`).
fn uniforms(shader: &Gd<Shader>) -> Vec<VarDictionary> {
    shader
        .get_shader_uniform_list()
        .iter_shared()
        .filter_map(|uniform| uniform.try_to::<VarDictionary>().ok())
        .collect()
}

fn shader_of(material: &Gd<Material>) -> Option<(Gd<ShaderMaterial>, Gd<Shader>)> {
    let shader_material = material.clone().try_cast::<ShaderMaterial>().ok()?;
    let shader = shader_material.get_shader()?;
    Some((shader_material, shader))
}

/// Most materials `material_list` lists, so one call stays quick on a huge project.
const MAX_MATERIALS: usize = 10_000;

/// `material_list {root? ("res://"), type?}`: the material files the editor's file system
/// knows under `root`, of class `type` (or a subclass) when given.
pub fn material_list(params: &JsonObject) -> CommandResult {
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
    let wanted = optional_string(params, "type")?;
    let start = index::folder_or_root(root)?;
    let db = ClassDb::singleton();
    let is_a = |class: &StringName, base: &str| *class == base || db.is_parent_class(class, base);
    let mut materials = Vec::new();
    let mut truncated = false;
    index::each_file(start, |folder, index| {
        let path = folder.get_file_path(index).to_string();
        let class = folder.get_file_type(index);
        if !path.starts_with(root)
            || !is_a(&class, "Material")
            || (!wanted.is_empty() && !is_a(&class, wanted))
        {
            return Walk::Next;
        }
        if materials.len() >= MAX_MATERIALS {
            truncated = true;
            return Walk::Stop;
        }
        materials.push(json!({"path": path, "class": class.to_string()}));
        Walk::Next
    });
    let count = materials.len();
    let mut data = object([
        ("materials", Value::Array(materials)),
        ("count", count.into()),
    ]);
    if truncated {
        data.insert("truncated".into(), true.into());
    }
    Ok(data)
}

/// The param `value`, which must be given (null clears an object parameter).
fn given_value(params: &JsonObject) -> Result<&Value, CommandError> {
    params
        .get("value")
        .ok_or_else(|| CommandError::missing_param("value").with_data("hint", "pass null to clear"))
}

/// `material_set_param {path, param, value}`: one parameter of a saved material, saved again;
/// one undo step (undo and redo save the file too).
pub fn material_set_param(params: &JsonObject) -> CommandResult {
    let path = material_path(params, "path")?;
    let mut material = load_material(path)?;
    let param = required_string(params, "param")?;
    let value = given_value(params)?;
    let object = material.clone().upcast::<Object>();
    let (target, enum_hint) = property_type(&object, param, "material_manage op=get")?;
    let new = material_value(param, value, target, enum_hint.as_deref())?;
    let old = material.get(param);
    material.set(param, &new);
    if let Err(error) = save(&material.clone().upcast(), path) {
        material.set(param, &old);
        return Err(error);
    }
    let mut history =
        file_change_action(&format!("MCP: Set material {}.{param}", file_name(path)))?;
    history.add_do_property(&material, param, &new);
    save_in_action(&mut history, Half::Do, &material.clone().upcast(), path);
    history.add_undo_property(&material, param, &old);
    save_in_action(&mut history, Half::Undo, &material.clone().upcast(), path);
    history.commit_action_ex().execute(false).done();
    Ok(into_object(json!({
        "path": path,
        "property": param,
        "value": shown(&material.get(param)),
        "previous_value": shown(&old),
        "undoable": true,
    })))
}

/// `material_set_shader_param {path, param, value}`: one uniform of a saved shader material,
/// saved again; one undo step (undo and redo save the file too).
pub fn material_set_shader_param(params: &JsonObject) -> CommandResult {
    let path = material_path(params, "path")?;
    let material = load_material(path)?;
    let Ok(mut shader_material) = material.clone().try_cast::<ShaderMaterial>() else {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!(
                "Material at {path} is {}, not ShaderMaterial",
                material.get_class()
            ),
        ));
    };
    let Some(shader) = shader_material.get_shader() else {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!("ShaderMaterial at {path} has no shader assigned"),
        ));
    };
    let param = required_string(params, "param")?;
    let value = given_value(params)?;
    let uniforms = uniforms(&shader);
    let Some(uniform) = uniforms.iter().find(|uniform| {
        uniform
            .get("name")
            .is_some_and(|name| name.stringify() == param)
    }) else {
        let declared: Vec<String> = uniforms
            .iter()
            .filter_map(|uniform| uniform.get("name").map(|name| name.stringify().to_string()))
            .collect();
        return Err(CommandError::new(
            ErrorCode::PropertyNotOnClass,
            format!(
                "Shader uniform '{param}' not declared on shader at {} (it declares: {})",
                shader.get_path(),
                declared.join(", ")
            ),
        )
        .with_data("uniforms", declared));
    };
    let kind = uniform
        .get("type")
        .and_then(|kind| kind.try_to::<i64>().ok())
        .unwrap_or(0);
    let new = material_value(param, value, VariantType::from_ord(kind as i32), None)?;
    let old = shader_material.get_shader_parameter(param);
    shader_material.set_shader_parameter(param, &new);
    if let Err(error) = save(&material.clone().upcast(), path) {
        shader_material.set_shader_parameter(param, &old);
        return Err(error);
    }
    let mut history = file_change_action(&format!(
        "MCP: Set shader param {}.{param}",
        file_name(path)
    ))?;
    let name = param.to_variant();
    history.add_do_method(
        &shader_material,
        "set_shader_parameter",
        &[name.clone(), new],
    );
    save_in_action(&mut history, Half::Do, &material.clone().upcast(), path);
    history.add_undo_method(
        &shader_material,
        "set_shader_parameter",
        &[name, old.clone()],
    );
    save_in_action(&mut history, Half::Undo, &material.clone().upcast(), path);
    history.commit_action_ex().execute(false).done();
    Ok(into_object(json!({
        "path": path,
        "param": param,
        "value": shown(&shader_material.get_shader_parameter(param)),
        "previous_value": shown(&old),
        "undoable": true,
    })))
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
