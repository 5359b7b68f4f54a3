//! The node the addon's `plugin.gd` adds when the plugin is enabled: it starts the endpoint on
//! entering the tree and stops it on leaving.
//!
//! The editor creates and drops one instance of every registered class while loading the
//! extension, before any plugin runs, so nothing starts in `init`.

use godot::prelude::*;

use crate::runtime;
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
                "headless editor: the MCP endpoint and the server link stay off (set {}=1 to enable them)",
                settings::ALLOW_HEADLESS_ENV
            );
            return;
        }
        runtime::start();
    }

    fn exit_tree(&mut self) {
        runtime::stop();
    }
}
