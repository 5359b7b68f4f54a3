//! The node the addon's `plugin.gd` adds when the plugin is enabled: it starts the endpoint on
//! entering the tree and stops it on leaving.
//!
//! The editor creates and drops one instance of every registered class while loading the
//! extension, before any plugin runs, so nothing starts in `init`.

use godot::classes::EditorPlugin;
use godot::prelude::*;

use crate::dock::{self, GodotAiDock};
use crate::editor_log;
use crate::game_link::{self, GameDebugger};
use crate::runtime;
use crate::settings;

/// Owns the plugin's lifetime in the editor. Created and freed by `plugin.gd`.
#[derive(GodotClass)]
#[class(base = Node, init, tool)]
pub struct GodotAiController {
    base: Base<Node>,
    /// Registered with the editor while the plugin runs: the channel to the running game.
    debugger: Option<Gd<GameDebugger>>,
    /// The plugin's dock, while it is in the editor.
    dock: Option<Gd<GodotAiDock>>,
}

#[godot_api]
impl INode for GodotAiController {
    fn enter_tree(&mut self) {
        self.start_services();
        // After the services, so the dock's first drawing shows them.
        if let Some(mut plugin) = self.editor_plugin() {
            self.dock = Some(dock::add_to_editor(&mut plugin));
        }
    }

    fn exit_tree(&mut self) {
        if let (Some(debugger), Some(mut plugin)) = (self.debugger.take(), self.editor_plugin()) {
            plugin.remove_debugger_plugin(&debugger);
        }
        game_link::detach();
        runtime::stop();
        editor_log::uninstall();
        if let (Some(dock), Some(mut plugin)) = (self.dock.take(), self.editor_plugin()) {
            dock::remove_from_editor(&mut plugin, dock);
        }
    }
}

impl GodotAiController {
    /// Starts the endpoint, the bridge and the game channel, unless this is a headless editor
    /// that did not opt in.
    fn start_services(&mut self) {
        if settings::is_headless() && !settings::headless_allowed() {
            tracing::info!(
                "headless editor: the MCP endpoint and the server link stay off (set {}=1 to enable them)",
                settings::ALLOW_HEADLESS_ENV
            );
            return;
        }
        editor_log::install();
        runtime::start();
        if let Some(mut plugin) = self.editor_plugin() {
            let debugger = GameDebugger::new_gd();
            plugin.add_debugger_plugin(&debugger);
            self.debugger = Some(debugger);
        }
    }

    /// The addon's `EditorPlugin` (`plugin.gd`), whose child this node is.
    fn editor_plugin(&self) -> Option<Gd<EditorPlugin>> {
        self.base()
            .get_parent()
            .and_then(|parent| parent.try_cast::<EditorPlugin>().ok())
    }
}
