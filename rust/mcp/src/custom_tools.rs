//! The project's custom tools on this endpoint: the promoted ones are listed as tools of
//! their own (`custom_<name>`), and each session that initialized is told with
//! `notifications/tools/list_changed` whenever the catalog changes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

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

/// The project's custom tools as the endpoint sees them: the catalog, and one task telling
/// every live session with `notifications/tools/list_changed` when it changes. Made once per
/// endpoint and cloned into each session's handler (clones share everything).
///
/// One task for the endpoint, started with the first session, rather than one per session: a
/// session that a client forgets is closed in memory without any change of the catalog, and
/// a task of its own would wait, holding its peer's channel (about 14 KB), for as long as the
/// editor runs.
///
/// Invariant: the sessions held are the registered ones whose transport was open at the last
/// registration or announcement, so a closed session is let go at the next new session.
/// Changes that come while notices are on their way are told once.
#[derive(Clone, Debug)]
pub struct CustomTools {
    shared: Arc<Announcer>,
}

#[derive(Debug)]
struct Announcer {
    catalog: watch::Receiver<CustomToolCatalog>,
    sessions: Mutex<Vec<Peer<RoleServer>>>,
    started: AtomicBool,
}

impl CustomTools {
    /// The tools of `catalog`; the announcing task ends when the catalog's sender is gone.
    pub fn new(catalog: watch::Receiver<CustomToolCatalog>) -> Self {
        Self {
            shared: Arc::new(Announcer {
                catalog,
                sessions: Mutex::default(),
                started: AtomicBool::new(false),
            }),
        }
    }

    /// The catalog now.
    pub fn catalog(&self) -> watch::Ref<'_, CustomToolCatalog> {
        self.shared.catalog.borrow()
    }

    /// A receiver of the catalog's changes from now on.
    pub fn watch(&self) -> watch::Receiver<CustomToolCatalog> {
        self.shared.catalog.clone()
    }

    /// Tells `peer` about the changes from now on, until its session is gone. Needs a Tokio
    /// runtime (the first call starts the announcing task).
    pub fn announce_to(&self, peer: Peer<RoleServer>) {
        self.shared.open_sessions().push(peer);
        if !self.shared.started.swap(true, Ordering::SeqCst) {
            tokio::spawn(announce(self.shared.clone()));
        }
    }
}

impl Announcer {
    fn lock(&self) -> MutexGuard<'_, Vec<Peer<RoleServer>>> {
        // A list of handles: a panic elsewhere cannot leave it half-written.
        self.sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The list with the sessions whose transport has closed let go.
    fn open_sessions(&self) -> MutexGuard<'_, Vec<Peer<RoleServer>>> {
        let mut sessions = self.lock();
        sessions.retain(|peer| !peer.is_transport_closed());
        sessions
    }
}

async fn announce(shared: Arc<Announcer>) {
    let mut catalog = shared.catalog.clone();
    catalog.mark_unchanged();
    while catalog.changed().await.is_ok() {
        catalog.mark_unchanged();
        let sessions = shared.open_sessions().clone();
        for peer in sessions {
            // A session closing meanwhile is let go at the next pruning.
            let _ = peer.notify_tool_list_changed().await;
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
