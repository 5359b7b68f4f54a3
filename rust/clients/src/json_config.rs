//! One named server entry inside a client's JSON (or JSON with comments) config file, read and
//! edited in place: comments, formatting, key order and every other entry stay as they were,
//! byte for byte outside the entry itself.

use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstInputValue, CstObject, CstRootNode};
use serde_json::Value;

use crate::ConfigError;

/// A parsed config file. An empty (or blank) file is an empty object.
pub struct JsonConfig {
    root: CstRootNode,
}

impl JsonConfig {
    /// Parses `text`; a file that is not JSON (comments and trailing commas allowed) or whose
    /// top level is not an object is refused, so it is never overwritten.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let source = if text.trim().is_empty() { "{}\n" } else { text };
        let root = CstRootNode::parse(source, &ParseOptions::default())
            .map_err(|error| ConfigError::Unparsable(error.to_string()))?;
        if root
            .value()
            .is_some_and(|value| value.as_object().is_none())
        {
            return Err(ConfigError::Unparsable(
                "the top level is not an object".to_owned(),
            ));
        }
        Ok(Self { root })
    }

    /// The entry `name` in the object at `section` (keys from the top), if there is one.
    pub fn entry(&self, section: &[&str], name: &str) -> Option<Value> {
        self.section(section)?.get(name)?.value()?.to_serde_value()
    }

    /// Sets the entry `name` in the object at `section` to `value`, creating the section's
    /// objects where missing and replacing only that entry's value if it exists.
    pub fn set_entry(
        &mut self,
        section: &[&str],
        name: &str,
        value: &Value,
    ) -> Result<(), ConfigError> {
        let mut object = self.root.object_value_or_set();
        for (depth, key) in section.iter().enumerate() {
            object = object.object_value_or_create(key).ok_or_else(|| {
                ConfigError::Unparsable(format!(
                    "\"{}\" is not an object",
                    section[..=depth].join(".")
                ))
            })?;
        }
        match object.get(name) {
            Some(existing) => existing.set_value(input(value)),
            None => {
                object.append(name, input(value));
            }
        }
        Ok(())
    }

    /// Removes the entry `name` from the object at `section`; says whether it was there. The
    /// section itself stays, even when it is left empty (it may be the user's).
    pub fn remove_entry(&mut self, section: &[&str], name: &str) -> bool {
        match self.section(section).and_then(|object| object.get(name)) {
            Some(entry) => {
                entry.remove();
                true
            }
            None => false,
        }
    }

    /// The file's text with the edits.
    pub fn text(&self) -> String {
        self.root.to_string()
    }

    fn section(&self, section: &[&str]) -> Option<CstObject> {
        let mut object = self.root.object_value()?;
        for key in section {
            object = object.object_value(key)?;
        }
        Some(object)
    }
}

fn input(value: &Value) -> CstInputValue {
    match value {
        Value::Null => CstInputValue::Null,
        Value::Bool(flag) => CstInputValue::Bool(*flag),
        Value::Number(number) => CstInputValue::Number(number.to_string()),
        Value::String(text) => CstInputValue::String(text.clone()),
        Value::Array(items) => CstInputValue::Array(items.iter().map(input).collect()),
        Value::Object(members) => CstInputValue::Object(
            members
                .iter()
                .map(|(key, value)| (key.clone(), input(value)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const WITH_COMMENTS: &str = r#"{
  // the user's own servers
  "mcpServers": {
    "other": { "command": "other-server", "args": ["--flag"] }, // keep me
  },
  "theme": "dark"
}
"#;

    #[test]
    fn adds_an_entry_and_keeps_comments_and_other_entries() {
        let mut config = JsonConfig::parse(WITH_COMMENTS).unwrap();
        let ours = json!({"type": "http", "url": "http://127.0.0.1:9600/mcp"});
        config
            .set_entry(&["mcpServers"], "godot-ai", &ours)
            .unwrap();
        let text = config.text();
        assert!(text.contains("// the user's own servers") && text.contains("// keep me"));
        let reread = JsonConfig::parse(&text).unwrap();
        assert_eq!(reread.entry(&["mcpServers"], "godot-ai"), Some(ours));
        assert_eq!(
            reread.entry(&["mcpServers"], "other"),
            Some(json!({"command": "other-server", "args": ["--flag"]}))
        );
    }

    #[test]
    fn removing_our_entry_restores_the_file_byte_for_byte() {
        let mut config = JsonConfig::parse(WITH_COMMENTS).unwrap();
        config
            .set_entry(&["mcpServers"], "godot-ai", &json!({"url": "http://x/mcp"}))
            .unwrap();
        let mut config = JsonConfig::parse(&config.text()).unwrap();
        assert!(config.remove_entry(&["mcpServers"], "godot-ai"));
        assert_eq!(config.text(), WITH_COMMENTS);
        assert!(!config.remove_entry(&["mcpServers"], "godot-ai"));
    }

    #[test]
    fn replaces_only_the_value_of_an_existing_entry() {
        let text = "{\"servers\": {\"godot-ai\": {\"url\": \"old\"}, \"b\": 1}}";
        let mut config = JsonConfig::parse(text).unwrap();
        config
            .set_entry(&["servers"], "godot-ai", &json!({"url": "new"}))
            .unwrap();
        let reread = JsonConfig::parse(&config.text()).unwrap();
        assert_eq!(
            reread.entry(&["servers"], "godot-ai"),
            Some(json!({"url": "new"}))
        );
        assert_eq!(reread.entry(&["servers"], "b"), Some(json!(1)));
    }

    #[test]
    fn creates_nested_sections_in_an_empty_file() {
        let mut config = JsonConfig::parse("").unwrap();
        config
            .set_entry(&["mcp", "servers"], "godot-ai", &json!({"url": "u"}))
            .unwrap();
        let value: Value = serde_json::from_str(&config.text()).unwrap();
        assert_eq!(
            value,
            json!({"mcp": {"servers": {"godot-ai": {"url": "u"}}}})
        );
    }

    #[test]
    fn refuses_what_it_cannot_parse_or_edit() {
        assert!(matches!(
            JsonConfig::parse("{\"mcpServers\": {"),
            Err(ConfigError::Unparsable(_))
        ));
        assert!(matches!(
            JsonConfig::parse("[1, 2]"),
            Err(ConfigError::Unparsable(_))
        ));
        let mut config = JsonConfig::parse("{\"mcpServers\": 3}").unwrap();
        let refused = config.set_entry(&["mcpServers"], "godot-ai", &json!({}));
        assert!(
            matches!(refused, Err(ConfigError::Unparsable(ref why)) if why.contains("mcpServers")),
            "{:?}",
            refused.err()
        );
    }
}
