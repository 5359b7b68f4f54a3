//! The class reference (godot-ai's `api_manage get_class` and `godot://class/{name}`): what the
//! running editor's `ClassDB` knows about a class, for this exact engine build and the
//! GDExtensions it loaded: its inheritance, properties with defaults, methods, signals, enums,
//! constants and subclasses, paged. A script's `class_name` is not a ClassDB class: it is
//! named as one, with its script to read instead.

use godot::classes::{ClassDb, Engine, ProjectSettings};
use godot::global::type_string;
use godot::prelude::*;
use godot_ai_protocol::suggest::closest;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Map, Value, json};

use crate::commands::params::{flag_or, integer_or, required_string};
use crate::commands::reply::into_object;
use crate::variant_json::to_json;

/// The sections, in the order results list them; `all` is every one but `inheritors`.
const SECTIONS: [&str; 6] = [
    "properties",
    "methods",
    "signals",
    "enums",
    "constants",
    "inheritors",
];

/// `get_class_info {class_name, sections? (["properties"]; "all"), include_inherited?
/// (false), include_inheritors? (false), offset? (0), limit? (100; 0: no limit)}`.
pub fn get_class_info(params: &JsonObject) -> CommandResult {
    let class = required_string(params, "class_name")?;
    let classes = ClassDb::singleton();
    if !classes.class_exists(class) {
        return Err(unknown_class(class));
    }
    let limit = integer_or(params, "limit", 100)?;
    if limit < 0 {
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            "limit must be >= 0 (limit=0 means no limit)",
        ));
    }
    let offset = integer_or(params, "offset", 0)?.max(0) as usize;
    let sections = sections(params)?;
    let inherited = flag_or(params, "include_inherited", false)?;
    let with_inheritors =
        flag_or(params, "include_inheritors", false)? || sections.contains(&"inheritors");
    let mut chain = vec![class.to_owned()];
    let mut parent = classes.get_parent_class(class).to_string();
    while !parent.is_empty() {
        chain.push(parent.clone());
        parent = classes.get_parent_class(parent.as_str()).to_string();
    }
    let mut reply = into_object(json!({
        "class_name": class,
        "engine_version": Engine::singleton().get_version_info().get("string")
            .map(|v| v.to_string()).unwrap_or_default(),
        "parent_class": chain.get(1).cloned().unwrap_or_default(),
        "inheritance_chain": chain,
        "can_instantiate": classes.can_instantiate(class),
        "is_singleton": Engine::singleton().has_singleton(class),
        "include_inherited": inherited,
        "offset": offset,
        "limit": limit,
    }));
    let page = |items: Vec<Value>| -> (usize, Vec<Value>) {
        let total = items.len();
        let end = if limit == 0 {
            total
        } else {
            offset.saturating_add(limit as usize)
        };
        (
            total,
            items
                .into_iter()
                .skip(offset)
                .take(end.saturating_sub(offset))
                .collect(),
        )
    };
    let mut add = |key: &str, singular: &str, items: Vec<Value>| {
        let (total, shown) = page(items);
        reply.insert(format!("{singular}_count"), json!(total));
        reply.insert(format!("{singular}_returned_count"), json!(shown.len()));
        reply.insert(key.to_owned(), Value::Array(shown));
    };
    for section in &sections {
        match *section {
            "properties" => add("properties", "property", properties(class, inherited)),
            "methods" => add(
                "methods",
                "method",
                calls(
                    classes
                        .class_get_method_list_ex(class)
                        .no_inheritance(!inherited)
                        .done(),
                ),
            ),
            "signals" => add(
                "signals",
                "signal",
                calls(
                    classes
                        .class_get_signal_list_ex(class)
                        .no_inheritance(!inherited)
                        .done(),
                ),
            ),
            "enums" => add("enums", "enum", enums(class, inherited)),
            "constants" => add("constants", "constant", constants(class, inherited)),
            _ => {}
        }
    }
    if with_inheritors {
        let mut inheritors: Vec<String> = classes
            .get_inheriters_from_class(class)
            .as_slice()
            .iter()
            .map(GString::to_string)
            .collect();
        inheritors.sort_unstable();
        let concrete: Vec<Value> = inheritors
            .iter()
            .filter(|name| classes.can_instantiate(name.as_str()))
            .map(|name| json!(name))
            .collect();
        add(
            "inheritors",
            "inheritor",
            inheritors.into_iter().map(Value::String).collect(),
        );
        add("concrete_inheritors", "concrete_inheritor", concrete);
    }
    Ok(reply)
}

/// The unknown-class error: a script's `class_name` says where its script is; other names
/// get the closest ClassDB classes.
fn unknown_class(class: &str) -> CommandError {
    let scripts = ProjectSettings::singleton().get_global_class_list();
    if let Some(script) = scripts.iter_shared().find(|entry| {
        entry
            .get("class")
            .is_some_and(|name| name.to_string() == class)
    }) {
        let path = script
            .get("path")
            .map(|v| v.to_string())
            .unwrap_or_default();
        let base = script
            .get("base")
            .map(|v| v.to_string())
            .unwrap_or_default();
        return CommandError::new(
            ErrorCode::WrongType,
            format!(
                "{class} is a project script class, not a ClassDB class: read it with \
                 script_manage(op=\"find_symbols\", params={{\"path\": \"{path}\"}})"
            ),
        )
        .with_data("script_class", true)
        .with_data("class_name", class)
        .with_data("base_class", base)
        .with_data("path", path);
    }
    let known: Vec<String> = ClassDb::singleton()
        .get_class_list()
        .as_slice()
        .iter()
        .map(GString::to_string)
        .collect();
    let suggestions: Vec<String> = closest(class, known.iter().map(String::as_str), 5)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut message = format!("Unknown Godot class: {class}");
    if !suggestions.is_empty() {
        message.push_str(&format!(". Did you mean: {}?", suggestions.join(", ")));
    }
    CommandError::new(ErrorCode::ValueOutOfRange, message).with_data("suggestions", suggestions)
}

/// The `sections` param: a list or comma-separated text; `all` expands; unknown names are
/// `INVALID_PARAMS` with close ones.
fn sections(params: &JsonObject) -> Result<Vec<&'static str>, CommandError> {
    let given: Vec<String> = match params.get("sections") {
        Some(Value::String(text)) => text.split(',').map(str::to_owned).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| item.to_string())
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut chosen: Vec<&'static str> = Vec::new();
    let mut unknown = Vec::new();
    for token in given
        .iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
    {
        let names: Vec<&'static str> = if token == "all" {
            SECTIONS[..5].to_vec()
        } else {
            match SECTIONS.iter().find(|known| **known == token) {
                Some(known) => vec![*known],
                None => {
                    unknown.push(token);
                    continue;
                }
            }
        };
        for name in names {
            if !chosen.contains(&name) {
                chosen.push(name);
            }
        }
    }
    if !unknown.is_empty() {
        let mut hints = Map::new();
        for token in &unknown {
            let candidates = SECTIONS.iter().copied().chain(["all"]);
            hints.insert(token.clone(), json!(closest(token, candidates, 3)));
        }
        return Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!(
                "Unknown class-info section(s): {}. Valid sections: {}, all (every section but \
                 inheritors, which is asked for by name)",
                unknown.join(", "),
                SECTIONS.join(", ")
            ),
        )
        .with_data("suggestions", Value::Object(hints)));
    }
    if chosen.is_empty() {
        chosen.push("properties");
    }
    Ok(chosen)
}

/// A property/argument description from its ClassDB dictionary.
fn described(info: &VarDictionary) -> Value {
    let text = |key: &str| info.get(key).map(|v| v.to_string()).unwrap_or_default();
    let number = |key: &str| {
        info.get(key)
            .and_then(|v| v.try_to::<i64>().ok())
            .unwrap_or(0)
    };
    json!({
        "name": text("name"),
        "type": type_string(number("type")).to_string(),
        "class_name": text("class_name"),
        "hint": number("hint"),
        "hint_string": text("hint_string"),
        "usage": number("usage"),
    })
}

fn by_name(mut items: Vec<Value>) -> Vec<Value> {
    items.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    items
}

/// The class's inspector properties with their defaults.
fn properties(class: &str, inherited: bool) -> Vec<Value> {
    let classes = ClassDb::singleton();
    let editor = godot::register::info::PropertyUsageFlags::EDITOR.ord() as i64;
    let items = classes
        .class_get_property_list_ex(class)
        .no_inheritance(!inherited)
        .done()
        .iter_shared()
        .filter(|info| {
            info.get("usage")
                .and_then(|v| v.try_to::<i64>().ok())
                .is_some_and(|usage| usage & editor != 0)
        })
        .map(|info| {
            let mut shown = described(&info);
            let name = shown["name"].as_str().unwrap_or_default().to_owned();
            shown["default"] =
                to_json(&classes.class_get_property_default_value(class, name.as_str()));
            shown
        })
        .collect();
    by_name(items)
}

/// Methods or signals: name, arguments, default arguments, return (methods), flags.
fn calls(list: Array<VarDictionary>) -> Vec<Value> {
    let items = list
        .iter_shared()
        .map(|info| {
            let arguments: Vec<Value> = info
                .get("args")
                .and_then(|v| v.try_to::<Array<VarDictionary>>().ok())
                .map(|args| args.iter_shared().map(|arg| described(&arg)).collect())
                .unwrap_or_default();
            let mut shown = json!({
                "name": info.get("name").map(|v| v.to_string()).unwrap_or_default(),
                "arguments": arguments,
                "default_arguments": info.get("default_args").map(|v| to_json(&v)).unwrap_or(json!([])),
                "flags": info.get("flags").and_then(|v| v.try_to::<i64>().ok()).unwrap_or(0),
            });
            if let Some(returned) = info.get("return").and_then(|v| v.try_to::<VarDictionary>().ok()) {
                shown["return"] = described(&returned);
            }
            shown
        })
        .collect();
    by_name(items)
}

fn enums(class: &str, inherited: bool) -> Vec<Value> {
    let classes = ClassDb::singleton();
    let mut names: Vec<String> = classes
        .class_get_enum_list_ex(class)
        .no_inheritance(!inherited)
        .done()
        .as_slice()
        .iter()
        .map(GString::to_string)
        .collect();
    names.sort_unstable();
    names
        .into_iter()
        .map(|name| {
            let mut values: Vec<String> = classes
                .class_get_enum_constants_ex(class, name.as_str())
                .no_inheritance(!inherited)
                .done()
                .as_slice()
                .iter()
                .map(GString::to_string)
                .collect();
            values.sort_unstable();
            let values: Vec<Value> = values
                .into_iter()
                .map(|value| {
                    json!({"name": value, "value": classes.class_get_integer_constant(class, value.as_str())})
                })
                .collect();
            json!({
                "name": name,
                "is_bitfield": classes.is_class_enum_bitfield(class, name.as_str()),
                "values": values,
            })
        })
        .collect()
}

/// Integer constants that belong to no enum.
fn constants(class: &str, inherited: bool) -> Vec<Value> {
    let classes = ClassDb::singleton();
    let mut names: Vec<String> = classes
        .class_get_integer_constant_list_ex(class)
        .no_inheritance(!inherited)
        .done()
        .as_slice()
        .iter()
        .map(GString::to_string)
        .filter(|name| {
            classes
                .class_get_integer_constant_enum_ex(class, name.as_str())
                .no_inheritance(!inherited)
                .done()
                .is_empty()
        })
        .collect();
    names.sort_unstable();
    names
        .into_iter()
        .map(|name| json!({"name": name, "value": classes.class_get_integer_constant(class, name.as_str())}))
        .collect()
}
