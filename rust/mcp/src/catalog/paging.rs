//! godot-ai's server-side paging: the plugin returns a whole listing and the tool returns one
//! page of it, with Python slice semantics (out-of-range values give an empty page, never an
//! error).

use godot_ai_protocol::JsonObject;
use serde_json::{Value, json};

use crate::arguments::Arguments;

/// `{<key>: page, total_count, offset, limit, has_more}` from the listing `data[key]`.
pub(super) fn page(mut data: JsonObject, key: &str, offset: i64, limit: i64) -> JsonObject {
    let items = match data.remove(key) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let total = items.len() as i64;
    let start = python_index(offset, total);
    let end = python_index(offset.saturating_add(limit), total).max(start);
    let items = items[start as usize..end as usize].to_vec();
    shaped_page(data, key, items, total, offset, limit)
}

/// The page `items` of a listing of `total` in godot-ai's shape, keeping the plugin's
/// `truncated` from `data`.
fn shaped_page(
    mut data: JsonObject,
    key: &str,
    items: Vec<Value>,
    total: i64,
    offset: i64,
    limit: i64,
) -> JsonObject {
    let mut shaped = JsonObject::new();
    shaped.insert(key.to_owned(), Value::Array(items));
    shaped.insert("total_count".to_owned(), json!(total));
    shaped.insert("offset".to_owned(), json!(offset));
    shaped.insert("limit".to_owned(), json!(limit));
    shaped.insert(
        "has_more".to_owned(),
        json!(offset.saturating_add(limit) < total),
    );
    // The plugin stopped listing at its cap: say the total is not the whole story.
    if let Some(truncated) = data.remove("truncated") {
        shaped.insert("truncated".to_owned(), truncated);
    }
    shaped
}

/// `scene_get_hierarchy`: `{root, nodes, total_count, offset, limit, has_more}`. The plugin
/// lists only the page asked for (`windowed: true`, see the plan); a whole list (an older
/// plugin's) is paged here.
pub(super) fn page_scene_tree(mut data: JsonObject, arguments: &Arguments) -> JsonObject {
    let root = data.remove("root").unwrap_or_else(|| json!(""));
    let (offset, limit) = (arguments.integer("offset"), arguments.integer("limit"));
    let paged = if data.remove("windowed") == Some(Value::Bool(true)) {
        windowed_page(data, offset, limit)
    } else {
        page(data, "nodes", offset, limit)
    };
    let mut shaped = JsonObject::new();
    shaped.insert("root".to_owned(), root);
    shaped.extend(paged);
    shaped
}

/// The shape of [`page`] for a page the plugin already cut: `has_more` from its total.
fn windowed_page(mut data: JsonObject, offset: i64, limit: i64) -> JsonObject {
    let total = data.get("total_count").and_then(Value::as_i64).unwrap_or(0);
    let items = match data.remove("nodes") {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    shaped_page(data, "nodes", items, total, offset, limit)
}

/// `node_find`: one page of the matching nodes.
pub(super) fn page_found_nodes(mut data: JsonObject, arguments: &Arguments) -> JsonObject {
    let (offset, limit) = (arguments.integer("offset"), arguments.integer("limit"));
    if data.remove("windowed") == Some(Value::Bool(true)) {
        return windowed_page(data, offset, limit);
    }
    page(data, "nodes", offset, limit)
}

/// Clamps a Python-style slice bound (negative counts from the end) into `0..=len`.
fn python_index(index: i64, len: i64) -> i64 {
    if index < 0 {
        (len + index).max(0)
    } else {
        index.min(len)
    }
}

/// `filesystem_manage`: op=search returns one page of `files` (by `params.offset`, default 0,
/// and `params.limit`, default 100); the other ops return the reply unchanged.
pub(super) fn page_search_results(data: JsonObject, arguments: &Arguments) -> JsonObject {
    if arguments.string("op") != "search" {
        return data;
    }
    let params = arguments.object("params");
    let number =
        |name: &str, default: i64| params.get(name).and_then(Value::as_i64).unwrap_or(default);
    page(data, "files", number("offset", 0), number("limit", 100))
}
