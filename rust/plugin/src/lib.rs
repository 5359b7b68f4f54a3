//! godot-ai-native: a Godot 4.6 editor plugin, in Rust, that serves MCP from inside the editor.
//!
//! The library registers one class, [`GodotAiController`](controller::GodotAiController), which
//! the addon's `plugin.gd` shim creates when the plugin is enabled and frees when it is
//! disabled. Everything else happens in Rust:
//! - [`runtime`] runs the MCP endpoint and the bridge to a godot-ai server on a tokio runtime
//!   of its own;
//! - [`main_thread`] runs queued editor commands once per frame, on the main thread;
//! - [`commands`] implements the editor commands with Godot's APIs;
//! - [`logging`] forwards `tracing` events to the editor Output panel with the `MCP | ` prefix;
//! - [`game_link`] (in the editor) and [`game`] (in a game the editor runs) talk over Godot's
//!   debugger connection, so commands reach the live game.

mod access;
mod change_watch;
mod commands;
mod controller;
mod debugger_errors;
mod dock;
mod editor_log;
mod game;
mod game_channel;
mod game_link;
mod json_variant;
mod log_capture;
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
            game::start_if_debugged();
        }
    }

    fn on_main_loop_frame() {
        main_thread::run_frame();
        editor_log::frame();
        change_watch::frame();
        game_link::frame();
        game::frame();
        // Last: while an agent works, the plugin sleeps here in the engine's place, and a
        // request that ends the sleep is started at once.
        if pacing::sleep_until_next_frame() == pacing::Slept::Woken {
            main_thread::run_woken();
        }
    }

    fn on_stage_deinit(stage: InitStage) {
        if stage == InitStage::MainLoop {
            // The editor is closing: stop serving before the library goes away, even if the
            // plugin's exit_tree never ran.
            runtime::stop();
            game::stop();
            commands::custom::registry::forget_all();
            logging::detach_from_engine();
        }
    }
}
