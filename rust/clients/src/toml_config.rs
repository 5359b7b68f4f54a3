//! One named server table inside a client's TOML config file (Codex's `[mcp_servers.<name>]`),
//! read and edited in place: comments, formatting and every other table stay as they were.

use serde_json::{Map, Value};
use toml_edit::{DocumentMut, Item, Table, value};

use crate::ConfigError;

/// A parsed TOML config file. An empty file is an empty document.
pub struct TomlConfig {
    document: DocumentMut,
}

impl TomlConfig {
    /// Parses `text`; a file that is not TOML is refused, so it is never overwritten.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let document = text
            .parse::<DocumentMut>()
            .map_err(|error| ConfigError::Unparsable(error.to_string().trim().to_owned()))?;
        Ok(Self { document })
    }

    /// The table `name` under `section`, as JSON (strings, numbers, booleans, arrays and
    /// tables), if there is one.
    pub fn entry(&self, section: &str, name: &str) -> Option<Value> {
        let table = self.document.get(section)?.as_table_like()?;
        to_json(table.get(name)?)
    }

    /// Sets the table `name` under `section` to the fields of `fields`, replacing only that
    /// table if it exists. Our entries hold strings, booleans, string arrays and inline tables
    /// of strings (headers).
    pub fn set_entry(
        &mut self,
        section: &str,
        name: &str,
        fields: &Map<String, Value>,
    ) -> Result<(), ConfigError> {
        let parent = self
            .document
            .entry(section)
            .or_insert_with(|| {
                let mut table = Table::new();
                table.set_implicit(true);
                Item::Table(table)
            })
            .as_table_mut()
            .ok_or_else(|| ConfigError::Unparsable(format!("\"{section}\" is not a table")))?;
        let mut table = Table::new();
        for (key, field) in fields {
            table.insert(key, toml_item(field)?);
        }
        match parent.get_mut(name).and_then(Item::as_table_mut) {
            // Keep the table's place and decoration; replace its fields.
            Some(existing) => {
                existing.clear();
                for (key, item) in table.iter() {
                    existing.insert(key, item.clone());
                }
            }
            None => {
                parent.insert(name, Item::Table(table));
            }
        }
        Ok(())
    }

    /// Removes the table `name` under `section`; says whether it was there.
    pub fn remove_entry(&mut self, section: &str, name: &str) -> bool {
        self.document
            .get_mut(section)
            .and_then(Item::as_table_like_mut)
            .and_then(|table| table.remove(name))
            .is_some()
    }

    pub fn text(&self) -> String {
        self.document.to_string()
    }
}

fn toml_item(field: &Value) -> Result<Item, ConfigError> {
    match field {
        Value::String(text) => Ok(value(text.as_str())),
        Value::Bool(flag) => Ok(value(*flag)),
        Value::Array(items) => {
            let mut array = toml_edit::Array::new();
            for item in items {
                let Value::String(text) = item else {
                    return Err(ConfigError::Unsupported(
                        "only arrays of strings are written to TOML".to_owned(),
                    ));
                };
                array.push(text.as_str());
            }
            Ok(value(array))
        }
        Value::Object(fields) => {
            let mut table = toml_edit::InlineTable::new();
            for (key, field) in fields {
                let Value::String(text) = field else {
                    return Err(ConfigError::Unsupported(
                        "only tables of strings are written to TOML".to_owned(),
                    ));
                };
                table.insert(key, text.as_str().into());
            }
            Ok(value(table))
        }
        other => Err(ConfigError::Unsupported(format!(
            "a TOML entry field cannot be {other}"
        ))),
    }
}

fn to_json(item: &Item) -> Option<Value> {
    if let Some(table) = item.as_table_like() {
        return Some(Value::Object(
            table
                .iter()
                .filter_map(|(key, item)| Some((key.to_owned(), to_json(item)?)))
                .collect(),
        ));
    }
    value_to_json(item.as_value()?)
}

fn value_to_json(value: &toml_edit::Value) -> Option<Value> {
    use toml_edit::Value as Toml;
    Some(match value {
        Toml::String(text) => Value::String(text.value().clone()),
        Toml::Integer(number) => Value::from(*number.value()),
        Toml::Float(number) => Value::from(*number.value()),
        Toml::Boolean(flag) => Value::Bool(*flag.value()),
        Toml::Datetime(time) => Value::String(time.value().to_string()),
        Toml::Array(items) => Value::Array(items.iter().filter_map(value_to_json).collect()),
        Toml::InlineTable(table) => Value::Object(
            table
                .iter()
                .filter_map(|(key, value)| Some((key.to_owned(), value_to_json(value)?)))
                .collect(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CODEX: &str = r#"# my Codex settings
model = "o4"

[mcp_servers.other]
command = "other-server" # keep me
args = ["--flag"]
"#;

    fn fields(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn adds_and_removes_our_table_leaving_the_rest_byte_for_byte() {
        let mut config = TomlConfig::parse(CODEX).unwrap();
        config
            .set_entry(
                "mcp_servers",
                "godot-ai",
                &fields(json!({"url": "http://127.0.0.1:9600/mcp"})),
            )
            .unwrap();
        let text = config.text();
        assert!(text.contains("[mcp_servers.godot-ai]\nurl = \"http://127.0.0.1:9600/mcp\""));
        let mut reread = TomlConfig::parse(&text).unwrap();
        assert_eq!(
            reread.entry("mcp_servers", "other"),
            Some(json!({"command": "other-server", "args": ["--flag"]}))
        );
        assert!(reread.remove_entry("mcp_servers", "godot-ai"));
        assert_eq!(reread.text(), CODEX);
        assert!(!reread.remove_entry("mcp_servers", "godot-ai"));
    }

    #[test]
    fn replaces_the_fields_of_an_existing_table() {
        let mut config =
            TomlConfig::parse("[mcp_servers.godot-ai]\nurl = \"old\"\nenabled = false\n").unwrap();
        config
            .set_entry("mcp_servers", "godot-ai", &fields(json!({"url": "new"})))
            .unwrap();
        assert_eq!(
            config.entry("mcp_servers", "godot-ai"),
            Some(json!({"url": "new"}))
        );
    }

    #[test]
    fn refuses_a_file_that_is_not_toml() {
        assert!(matches!(
            TomlConfig::parse("[mcp_servers\nurl = "),
            Err(ConfigError::Unparsable(_))
        ));
        let mut config = TomlConfig::parse("mcp_servers = 3\n").unwrap();
        assert!(matches!(
            config.set_entry("mcp_servers", "godot-ai", &Map::new()),
            Err(ConfigError::Unparsable(_))
        ));
    }
}
