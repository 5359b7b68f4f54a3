//! Setting up MCP clients to use the editor's endpoint, without Godot: where each client keeps
//! its MCP servers, and writing, checking and removing this plugin's one entry there.
//!
//! Invariant: a config file is only ever changed at our entry; everything else in it (other
//! servers, settings, comments, formatting) is kept byte for byte, the file is replaced
//! atomically, and a file we cannot parse is reported and left untouched.

pub mod atomic;
pub mod cli;
pub mod commands;
pub mod endpoint;
pub mod json_config;
pub mod manage;
pub mod places;
pub mod registry;
pub mod setup;
pub mod toml_config;

pub use endpoint::Endpoint;

/// Why a config file could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file is not valid for its format (or not shaped as the client expects); it is left
    /// as it is.
    #[error("the file cannot be parsed ({0}); it was left as it is")]
    Unparsable(String),
    /// A value that this format cannot hold.
    #[error("{0}")]
    Unsupported(String),
    /// The client's own command line failed (what it printed is included).
    #[error("{0}")]
    Program(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
