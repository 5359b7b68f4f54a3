//! Custom tools: tools other addons in the project register with the plugin
//! (`McpToolRegistry`), run by the command `custom_tool:<name>`.
//!
//! The [`CustomToolCatalog`] is what the plugin publishes each time the registry changes: the
//! bridge announces it to a godot-ai server (`custom_tools_changed`), and the in-process
//! endpoint lists it (`custom_manage list`) and offers the promoted ones as tools of their own
//! (`custom_<name>`), telling its sessions with `notifications/tools/list_changed`.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A promoted custom tool `x` is also listed as the tool `custom_x`.
pub const PROMOTED_PREFIX: &str = "custom_";

/// At most this many custom tools are promoted (the rest stay reachable through
/// `custom_manage invoke`), as godot-ai 3.2.5 does.
pub const MAX_PROMOTED_TOOLS: usize = 8;

/// The wait for a reply a tool gives when it sets none, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u64 = 4500;

/// The longest reply wait a tool may ask for, in milliseconds.
pub const MAX_TIMEOUT_MS: u64 = 120_000;

/// One registered tool, as godot-ai 3.2.5's `custom_tools_changed` event and `custom_manage
/// list` describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomToolDefinition {
    pub name: String,
    pub description: String,
    /// A JSON Schema object for the tool's params (shown to agents; params are not checked).
    pub params_schema: Value,
    /// The addon that registered it, by display name.
    pub source: String,
    /// Whether the tool answers on a later frame.
    pub deferred: bool,
    /// How long a caller waits for its answer.
    pub timeout_ms: u64,
    /// Refused while the game runs, waits while the editor imports.
    pub requires_writable: bool,
    /// Its edits are one undo step, so it may run in an undoable batch.
    pub undoable: bool,
    /// Also offered as the tool `custom_<name>`.
    pub promoted: bool,
    /// Switched on (a switched-off tool is listed to godot-ai's server, refused when called).
    pub enabled: bool,
}

impl CustomToolDefinition {
    /// How long a caller should wait for this tool's reply: its timeout and a margin.
    pub fn reply_wait(&self) -> Duration {
        let timeout_ms = match self.timeout_ms {
            0 => DEFAULT_TIMEOUT_MS,
            ms => ms.min(MAX_TIMEOUT_MS),
        };
        Duration::from_millis(timeout_ms) + Duration::from_secs(2)
    }
}

/// The registered tools at one revision of the registry.
///
/// Invariant: two catalogs with the same revision hold the same tools (the registry bumps the
/// revision on every change), so comparing catalogs compares revisions only.
#[derive(Debug, Clone, Default)]
pub struct CustomToolCatalog {
    pub revision: u64,
    pub tools: Arc<[CustomToolDefinition]>,
}

impl PartialEq for CustomToolCatalog {
    fn eq(&self, other: &Self) -> bool {
        self.revision == other.revision
    }
}

impl Eq for CustomToolCatalog {}

impl CustomToolCatalog {
    /// The tool called `name`, switched on or not.
    pub fn find(&self, name: &str) -> Option<&CustomToolDefinition> {
        self.tools.iter().find(|tool| tool.name == name)
    }

    /// The tools offered as `custom_<name>`: switched on, promoted, by name, at most
    /// [`MAX_PROMOTED_TOOLS`].
    pub fn promoted(&self) -> Vec<&CustomToolDefinition> {
        let mut promoted: Vec<_> = self
            .tools
            .iter()
            .filter(|tool| tool.enabled && tool.promoted)
            .collect();
        promoted.sort_by(|a, b| a.name.cmp(&b.name));
        promoted.truncate(MAX_PROMOTED_TOOLS);
        promoted
    }

    /// The tool a promoted name (`custom_<name>`) stands for, if it is one of the promoted.
    pub fn promoted_tool(&self, tool_name: &str) -> Option<&CustomToolDefinition> {
        let name = tool_name.strip_prefix(PROMOTED_PREFIX)?;
        self.promoted().into_iter().find(|tool| tool.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(name: &str, promoted: bool, enabled: bool) -> CustomToolDefinition {
        CustomToolDefinition {
            name: name.to_owned(),
            description: String::new(),
            params_schema: serde_json::json!({"type": "object"}),
            source: "Level tools".to_owned(),
            deferred: false,
            timeout_ms: 0,
            requires_writable: false,
            undoable: false,
            promoted,
            enabled,
        }
    }

    #[test]
    fn promoted_tools_are_the_enabled_ones_by_name_and_at_most_eight() {
        let mut tools: Vec<_> = (0..10)
            .rev()
            .map(|i| tool(&format!("t{i}"), true, true))
            .collect();
        tools.push(tool("off", true, false));
        tools.push(tool("plain", false, true));
        let catalog = CustomToolCatalog {
            revision: 1,
            tools: tools.into(),
        };
        let names: Vec<_> = catalog.promoted().iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"]);
        assert!(catalog.promoted_tool("custom_t0").is_some());
        assert!(catalog.promoted_tool("custom_off").is_none());
        assert!(catalog.promoted_tool("custom_t9").is_none());
        assert!(catalog.find("off").is_some());
    }

    #[test]
    fn the_reply_wait_follows_the_tools_timeout() {
        let mut quick = tool("quick", false, true);
        assert_eq!(quick.reply_wait(), Duration::from_millis(6500));
        quick.timeout_ms = 1_000_000;
        assert_eq!(quick.reply_wait(), Duration::from_millis(122_000));
    }
}
