//! The project's custom tools on this endpoint: the promoted ones are listed as tools of
//! their own (`custom_<name>`), and each session that initialized is told with
//! `notifications/tools/list_changed` whenever the catalog changes.

use std::sync::Arc;

use godot_ai_protocol::custom_tools::{CustomToolCatalog, PROMOTED_PREFIX};
use rmcp::model::Tool;
use rmcp::service::{Peer, RoleServer};
use serde_json::Value;
use tokio::sync::watch;

/// The tool a promoted custom tool is listed as.
pub fn promoted_tools(catalog: &CustomToolCatalog) -> Vec<Tool> {
    catalog
        .promoted()
        .into_iter()
        .map(|tool| {
            let schema = match &tool.params_schema {
                Value::Object(schema) => schema.clone(),
                _ => serde_json::Map::new(),
            };
            let source = if tool.source.is_empty() {
                "a project addon".to_owned()
            } else {
                tool.source.clone()
            };
            let description = format!(
                "{}\n\nA custom tool of {source}, a Godot editor addon of this project.",
                tool.description
            );
            Tool::new(
                format!("{PROMOTED_PREFIX}{}", tool.name),
                description,
                Arc::new(schema),
            )
        })
        .collect()
}

/// The custom tool a tool name calls, if it is one: a promoted name, or one that was
/// promoted and is now switched off (still answered, with the tool's "disabled" error, so a
/// client holding an old list learns why).
pub fn called_tool(catalog: &CustomToolCatalog, tool_name: &str) -> Option<String> {
    let name = tool_name.strip_prefix(PROMOTED_PREFIX)?;
    if catalog.promoted_tool(tool_name).is_some() {
        return Some(name.to_owned());
    }
    catalog
        .find(name)
        .filter(|tool| tool.promoted && !tool.enabled)
        .map(|tool| tool.name.clone())
}

/// Tells `peer` each time the catalog changes, until its session is gone. Changes that
/// come while a notice is on its way are told once.
pub async fn announce_changes(
    mut catalog: watch::Receiver<CustomToolCatalog>,
    peer: Peer<RoleServer>,
) {
    catalog.mark_unchanged();
    while catalog.changed().await.is_ok() {
        catalog.mark_unchanged();
        if peer.is_transport_closed() || peer.notify_tool_list_changed().await.is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use godot_ai_protocol::custom_tools::CustomToolDefinition;

    fn tool(name: &str, promoted: bool, enabled: bool) -> CustomToolDefinition {
        CustomToolDefinition {
            name: name.to_owned(),
            description: "Spawns a wave.".to_owned(),
            params_schema: serde_json::json!({"type": "object", "properties": {"count": {"type": "integer"}}}),
            source: "Waves".to_owned(),
            deferred: false,
            timeout_ms: 4500,
            requires_writable: false,
            undoable: false,
            promoted,
            enabled,
        }
    }

    #[test]
    fn promoted_tools_are_listed_under_their_prefix_with_their_schema() {
        let catalog = CustomToolCatalog {
            revision: 3,
            tools: vec![tool("spawn_wave", true, true), tool("hidden", false, true)].into(),
        };
        let tools = promoted_tools(&catalog);
        assert_eq!(tools.len(), 1);
        assert_eq!(tools[0].name, "custom_spawn_wave");
        assert!(tools[0].input_schema.contains_key("properties"));
        assert!(tools[0].description.as_deref().unwrap().contains("Waves"));
        assert_eq!(
            called_tool(&catalog, "custom_spawn_wave").as_deref(),
            Some("spawn_wave")
        );
        assert_eq!(called_tool(&catalog, "custom_hidden"), None);
        assert_eq!(called_tool(&catalog, "custom_manage"), None);
    }

    #[test]
    fn a_switched_off_promoted_tool_is_still_called_to_say_so() {
        let catalog = CustomToolCatalog {
            revision: 4,
            tools: vec![tool("spawn_wave", true, false)].into(),
        };
        assert!(promoted_tools(&catalog).is_empty());
        assert_eq!(
            called_tool(&catalog, "custom_spawn_wave").as_deref(),
            Some("spawn_wave")
        );
    }
}
