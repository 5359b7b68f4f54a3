//! The node the addon's `plugin.gd` adds when the plugin is enabled: it starts the endpoint on
//! entering the tree and stops it on leaving.
//!
//! The editor creates and drops one instance of every registered class while loading the
//! extension, before any plugin runs, so nothing starts in `init`.

use godot::prelude::*;

use crate::endpoint;
use crate::settings;

/// Owns the plugin's lifetime in the editor. Created and freed by `plugin.gd`.
#[derive(GodotClass)]
#[class(base = Node, init, tool)]
pub struct GodotAiController {
    base: Base<Node>,
}

#[godot_api]
impl INode for GodotAiController {
    fn enter_tree(&mut self) {
        if settings::is_headless() && !settings::headless_allowed() {
            tracing::info!(
                "headless editor: the MCP endpoint stays off (set {}=1 to enable it)",
                settings::ALLOW_HEADLESS_ENV
            );
            return;
        }
        match endpoint::start() {
            Ok(url) => {
                tracing::info!("MCP endpoint listening on {url}");
                tracing::info!(
                    "add it to Claude Code with: claude mcp add --transport http godot-ai-native {url}"
                );
            }
            Err(error) => tracing::error!("{error}"),
        }
    }

    fn exit_tree(&mut self) {
        endpoint::stop_running();
    }
}
