//! `McpCustomToolSpec`: what an addon fills in to register a custom tool, and the checks
//! that make a spec registrable.

use godot::classes::{FileAccess, RefCounted};
use godot::prelude::*;
use godot_ai_protocol::custom_tools::{CustomToolDefinition, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS};
use serde_json::{Value, json};

use crate::variant_json::to_json;

/// The longest description an agent is shown.
pub const MAX_DESCRIPTION_CHARS: usize = 600;
/// The largest params schema, as JSON.
pub const MAX_SCHEMA_BYTES: usize = 8192;
/// The longest tool name.
pub const MAX_NAME_CHARS: usize = 128;
/// The shortest reply wait a tool may set, in milliseconds.
pub const MIN_TIMEOUT_MS: i64 = 500;

/// A custom tool as an addon describes it: data only, checked by [`McpCustomToolSpec::validate`]
/// and copied when it is registered (changing the spec afterwards changes nothing).
#[derive(GodotClass)]
#[class(base = RefCounted, init, tool)]
pub struct McpCustomToolSpec {
    base: Base<RefCounted>,
    /// The tool's name: an ASCII identifier, unique in the project.
    #[var]
    pub name: GString,
    #[var]
    pub description: GString,
    /// A JSON Schema object for the params, shown to agents. Params reach the handler
    /// unchecked.
    #[var]
    pub params_schema: VarDictionary,
    /// The handler's script, made with `new()` when the tool is first called.
    #[var]
    pub script_path: GString,
    /// The handler's method: `(params: Dictionary, ctx: McpCallContext) -> Dictionary`.
    #[var]
    pub method: StringName,
    /// The registering addon's `plugin.cfg`: a tool registered again from the same addon
    /// replaces the old one; the same name from another addon is refused.
    #[var]
    pub source_path: GString,
    /// The addon's display name; the `name` in `source_path`'s `plugin.cfg` when empty.
    #[var]
    pub source: GString,
    #[var]
    pub promoted: bool,
    #[var]
    #[init(val = DEFAULT_TIMEOUT_MS as i64)]
    pub timeout_ms: i64,
    /// The handler may return `{"_deferred": true}` and answer later with
    /// `ctx.send_deferred(reply)`.
    #[var]
    pub deferred: bool,
    #[var]
    pub requires_writable: bool,
    #[var]
    pub undoable: bool,
}

#[godot_api]
impl McpCustomToolSpec {
    /// What keeps the spec from being registered; empty when it can be.
    #[func]
    fn validate(&self) -> PackedStringArray {
        self.problems()
            .iter()
            .map(|problem| GString::from(problem.as_str()))
            .collect()
    }
}

impl McpCustomToolSpec {
    /// What keeps the spec from being registered, in words.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let name = self.name.to_string();
        if !is_identifier(&name) {
            problems.push(format!(
                "name '{name}' must be an ASCII identifier (letters, digits, _; not starting \
                 with a digit) of at most {MAX_NAME_CHARS} characters"
            ));
        }
        if name == "manage" {
            problems.push("name 'manage' would be promoted over custom_manage".to_owned());
        }
        let description = self.description.to_string();
        if description.trim().is_empty() {
            problems.push("description must say what the tool does".to_owned());
        } else if description.chars().count() > MAX_DESCRIPTION_CHARS {
            problems.push(format!(
                "description is longer than {MAX_DESCRIPTION_CHARS} characters"
            ));
        }
        let schema_bytes = self.schema().to_string().len();
        if schema_bytes > MAX_SCHEMA_BYTES {
            problems.push(format!(
                "params_schema is {schema_bytes} bytes as JSON, more than {MAX_SCHEMA_BYTES}"
            ));
        }
        let script_path = self.script_path.to_string();
        if script_path.is_empty() || !FileAccess::file_exists(&script_path) {
            problems.push(format!("script_path '{script_path}' is not a file"));
        }
        if self.method.is_empty() {
            problems.push("method must name the handler's method".to_owned());
        }
        let source_path = self.source_path.to_string();
        if !source_path.is_empty()
            && (!source_path.ends_with("plugin.cfg") || !FileAccess::file_exists(&source_path))
        {
            problems.push(format!(
                "source_path '{source_path}' must be the addon's existing plugin.cfg"
            ));
        }
        if !(MIN_TIMEOUT_MS..=MAX_TIMEOUT_MS as i64).contains(&self.timeout_ms) {
            problems.push(format!(
                "timeout_ms {} must be within {MIN_TIMEOUT_MS}..{MAX_TIMEOUT_MS}",
                self.timeout_ms
            ));
        }
        problems
    }

    /// The params schema as JSON: an empty object schema when none is set.
    pub fn schema(&self) -> Value {
        if self.params_schema.is_empty() {
            return json!({"type": "object", "properties": {}});
        }
        to_json(&self.params_schema.to_variant())
    }

    /// The tool's published description, with `source` and `enabled` filled in.
    pub fn definition(&self, source: String, enabled: bool) -> CustomToolDefinition {
        CustomToolDefinition {
            name: self.name.to_string(),
            description: self.description.to_string(),
            params_schema: self.schema(),
            source,
            deferred: self.deferred,
            timeout_ms: self.timeout_ms.max(0) as u64,
            requires_writable: self.requires_writable,
            undoable: self.undoable,
            promoted: self.promoted,
            enabled,
        }
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`, at most [`MAX_NAME_CHARS`].
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    name.len() <= MAX_NAME_CHARS
        && (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::is_identifier;

    #[test]
    fn names_are_ascii_identifiers() {
        assert!(is_identifier("spawn_wave"));
        assert!(is_identifier("_x2"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("2d_tool"));
        assert!(!is_identifier("spawn-wave"));
        assert!(!is_identifier("sp\u{e9}cial"));
        assert!(!is_identifier(&"a".repeat(129)));
    }
}
