//! The in-editor MCP endpoint, free of Godot: everything here runs on tokio and reaches the
//! editor only through an [`ExecutorHandle`](godot_ai_executor::ExecutorHandle).
//!
//! ```text
//! request -> loopback guard (403 on foreign Host/Origin) -> access token (401 without it)
//!         -> rmcp streamable HTTP at /mcp
//!            (sessions: bounded in memory, restorable, resumable)
//!         -> GodotMcpServer -> catalog tool -> executor -> Godot main thread
//! ```

pub mod access;
pub mod activity;
mod app;
mod arguments;
pub mod catalog;
mod completions;
mod custom_tools;
pub mod editor_events;
pub mod fixtures;
pub mod guard;
mod in_flight;
mod notices;
mod progress;
mod prompts;
mod resources;
mod serve;
mod server;
pub mod session_file;
pub mod sessions;
pub mod stale_session;
mod tasks;
pub mod token_file;
mod wire_answers;

pub use access::{Access, AccessToken, InvalidToken};
pub use app::{AppConfig, MAX_REQUEST_BODY_BYTES, MCP_PATH, app, app_with_sessions};
pub use arguments::ArgKind;
pub use editor_events::{EditorEvent, EditorEvents, LogSource, Severity, Topic};
pub use in_flight::InFlight;
pub use serve::{
    BODY_IDLE_TIMEOUT, BindError, BoundEndpoint, HEADER_READ_TIMEOUT, KeptListener, ServeTimeouts,
};
pub use server::{GodotMcpServer, SERVER_NAME};
pub use session_file::SessionFile;
pub use stale_session::StaleSessionLayer;
pub use token_file::TokenFile;
