//! godot-ai-native: a Godot 4.6 editor plugin, in Rust, that serves MCP from inside the editor.
//!
//! The library registers one class, [`GodotAiController`](controller::GodotAiController), which
//! the addon's `plugin.gd` shim creates when the plugin is enabled and frees when it is
//! disabled. Everything else happens in Rust:
//! - [`runtime`] runs the MCP endpoint and the bridge to a godot-ai server on a tokio runtime
//!   of its own;
//! - [`main_thread`] runs queued editor commands once per frame, on the main thread;
//! - [`commands`] implements the editor commands with Godot's APIs;
//! - [`logging`] forwards `tracing` events to the editor Output panel with the `MCP | ` prefix.

mod commands;
mod controller;
mod json_variant;
mod logging;
mod main_thread;
mod pacing;
mod plugin_log;
mod runtime;
mod settings;
mod snapshot;
mod variant_json;

use godot::init::{ExtensionLibrary, InitStage, gdextension};

struct GodotAiNative;

#[gdextension]
unsafe impl ExtensionLibrary for GodotAiNative {
    fn on_stage_init(stage: InitStage) {
        if stage == InitStage::MainLoop {
            logging::install();
        }
    }

    fn on_main_loop_frame() {
        main_thread::run_frame();
    }

    fn on_stage_deinit(stage: InitStage) {
        if stage == InitStage::MainLoop {
            // The editor is closing: stop serving before the library goes away, even if the
            // plugin's exit_tree never ran.
            runtime::stop();
            logging::detach_from_engine();
        }
    }
}
