//! Bounds on the size of a command's input, checked before the command reaches the editor.
//!
//! The work some commands do grows with their input: a node path that names no node is
//! compared with every node of the scene, an array is walked on the main thread. An input
//! whose size no real call needs is refused here, so no call holds the editor for long because
//! of its size.
//!
//! Invariants:
//! - A value that is a path (a node path or a file path: see [`is_a_path`]) is at most
//!   [`MAX_PATH_CHARS`] long. Names have their own, tighter bound where they are read (255
//!   characters); content (script source, text, values) is bounded only by the count.
//! - Params nest at most [`MAX_DEPTH`] levels and hold at most [`MAX_VALUES`] JSON values in
//!   all, nested commands (`batch_execute`) included.
//! - The check is linear in the size of the params and never echoes an oversized value.

use serde_json::Value;

use crate::{CommandError, ErrorCode, JsonObject};

/// The longest path a command takes, in characters (a node path or a file path; res:// paths
/// have their own, tighter bound in [`crate::res_path`]).
pub const MAX_PATH_CHARS: usize = 4096;

/// The deepest nesting of objects and arrays in a command's params.
pub const MAX_DEPTH: usize = 64;

/// The most JSON values (objects, arrays, strings, numbers, ...) in a command's params.
pub const MAX_VALUES: usize = 200_000;

/// Keys whose string value is a path (node or file) rather than content.
const PATH_KEYS: &[&str] = &[
    "path",
    "paths",
    "node",
    "nodes",
    "parent",
    "target",
    "scene_file",
];

/// Key endings that mark a path or a list of paths (`parent_path`, `node_paths`).
const PATH_SUFFIXES: &[&str] = &["_path", "_paths", "_node", "_nodes", "_file"];

/// Whether the value under `key` is a path (and so bounded by [`MAX_PATH_CHARS`]).
pub fn is_a_path(key: &str) -> bool {
    PATH_KEYS.contains(&key) || PATH_SUFFIXES.iter().any(|suffix| key.ends_with(suffix))
}

/// `VALUE_OUT_OF_RANGE` for an overlong path, `INVALID_PARAMS` for params nested too deep or
/// too many, saying which param and what to change.
pub fn check(params: &JsonObject) -> Result<(), CommandError> {
    let mut walk = Walk { values: 0 };
    for (key, value) in params {
        walk.value(key, value, 1)?;
    }
    Ok(())
}

struct Walk {
    values: usize,
}

impl Walk {
    /// Checks `value`, found under `key` at nesting `depth` (1: a top-level param).
    fn value(&mut self, key: &str, value: &Value, depth: usize) -> Result<(), CommandError> {
        self.values += 1;
        if self.values > MAX_VALUES {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!(
                    "The params hold more than {MAX_VALUES} values; split the work into \
                     several calls."
                ),
            ));
        }
        if depth > MAX_DEPTH {
            return Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!(
                    "'{}' nests more than {MAX_DEPTH} levels deep; flatten it.",
                    shown(key)
                ),
            ));
        }
        match value {
            Value::String(text) if text.len() > MAX_PATH_CHARS && is_a_path(key) => {
                let length = text.chars().count();
                if length <= MAX_PATH_CHARS {
                    return Ok(());
                }
                Err(CommandError::new(
                    ErrorCode::ValueOutOfRange,
                    format!(
                        "Param '{}' is {length} characters long; paths are limited to \
                         {MAX_PATH_CHARS} characters. Give the node's path from the scene root \
                         (scene_get_hierarchy lists them), or a shorter file path.",
                        shown(key)
                    ),
                )
                .with_data("length", length)
                .with_data("max_length", MAX_PATH_CHARS))
            }
            // The items of a list of names are names too.
            Value::Array(items) => items
                .iter()
                .try_for_each(|item| self.value(key, item, depth + 1)),
            Value::Object(fields) => fields
                .iter()
                .try_for_each(|(inner, item)| self.value(inner, item, depth + 1)),
            _ => Ok(()),
        }
    }
}

/// A key as an error may quote it (a key is itself input: a huge one is cut).
fn shown(key: &str) -> String {
    crate::text::cut(key, 64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(value: Value) -> JsonObject {
        value.as_object().cloned().expect("an object")
    }

    fn refusal(value: Value) -> CommandError {
        check(&params(value)).expect_err("refused")
    }

    #[test]
    fn ordinary_calls_pass() {
        let call = json!({
            "path": "/Main/World/Player",
            "property": "position",
            "value": {"x": 1, "y": 2},
            "source": "x".repeat(100_000),
            "commands": [{"command": "create_node", "params": {"parent_path": "/Main"}}],
        });
        assert_eq!(check(&params(call)), Ok(()));
    }

    #[test]
    fn a_huge_node_path_is_refused_without_echoing_it() {
        let error = refusal(json!({"path": format!("/Main/{}", "a".repeat(1_000_000))}));
        assert_eq!(error.code, ErrorCode::ValueOutOfRange);
        assert!(
            error
                .message
                .starts_with("Param 'path' is 1000006 characters long"),
            "{}",
            error.message
        );
        assert!(error.message.len() < 300);
    }

    #[test]
    fn paths_inside_nested_commands_and_lists_are_bounded() {
        let long = "n".repeat(MAX_PATH_CHARS + 1);
        let nested =
            json!({"commands": [{"command": "get_node", "params": {"parent_path": long}}]});
        assert!(refusal(nested).message.contains("'parent_path'"));
        let listed = json!({"node_paths": ["/Main", long]});
        assert!(refusal(listed).message.contains("'node_paths'"));
        let exact = json!({"scene_path": "n".repeat(MAX_PATH_CHARS)});
        assert_eq!(check(&params(exact)), Ok(()));
        let wide = json!({"path": "é".repeat(MAX_PATH_CHARS)});
        assert_eq!(check(&params(wide)), Ok(()));
    }

    #[test]
    fn names_and_content_are_not_paths() {
        for key in [
            "source", "text", "content", "code", "value", "name", "new_name", "group",
        ] {
            assert!(!is_a_path(key), "{key}");
        }
        for key in [
            "path",
            "scene_path",
            "paths",
            "node_paths",
            "parent",
            "scene_file",
        ] {
            assert!(is_a_path(key), "{key}");
        }
    }

    #[test]
    fn deep_nesting_and_huge_counts_are_refused() {
        let mut deep = json!(1);
        for _ in 0..MAX_DEPTH {
            deep = json!([deep]);
        }
        assert!(
            refusal(json!({"value": deep}))
                .message
                .contains("nests more than 64")
        );
        let many = json!({"cells": vec![0; MAX_VALUES]});
        assert!(refusal(many).message.contains("more than 200000 values"));
    }

    #[test]
    fn a_huge_key_is_cut_when_quoted() {
        let key = format!("{}_path", "k".repeat(10_000));
        let error = refusal(json!({key: "p".repeat(MAX_PATH_CHARS + 1)}));
        assert!(error.message.len() < 400, "{}", error.message);
    }
}
