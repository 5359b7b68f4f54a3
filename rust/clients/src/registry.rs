//! The MCP clients this plugin sets up, with godot-ai's client ids: where each keeps its MCP
//! servers, in which format, and the entry that points it at the editor's endpoint.
//!
//! Entries are HTTP entries for the endpoint's URL in each client's documented shape; Claude
//! Desktop only speaks stdio to local servers, so its entry runs `mcp-remote` (pinned) to
//! reach the URL.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use crate::cli::Cli;
use crate::places::Places;

/// The name of our entry in every client's config (godot-ai's, so agents see the same tool
/// names when they switch).
pub const SERVER_NAME: &str = "godot-ai";

/// `mcp-remote`, pinned: what Claude Desktop runs to reach an HTTP server.
pub const MCP_REMOTE: &str = "mcp-remote@0.15.1";

/// A server entry: a JSON object (TOML entries are written from the same shape).
pub type Entry = Map<String, Value>;

/// How a client's config file holds its servers.
#[derive(Debug, Clone, Copy)]
pub enum Format {
    /// A JSON (or JSON with comments) file with the servers in the object at `section`.
    Json { section: &'static [&'static str] },
    /// A TOML file with the servers as tables under `section`.
    Toml { section: &'static str },
}

/// One supported client.
#[derive(Debug)]
pub struct Client {
    /// godot-ai's id for the client (`claude_code`, `codex`...).
    pub id: &'static str,
    pub display_name: &'static str,
    pub format: Format,
    /// The client's own command line for adding and removing our entry, used when it is on
    /// `PATH` (see [`crate::manage`]).
    pub cli: Option<Cli>,
    /// The config file, from the user's places.
    config_file: fn(&Places) -> PathBuf,
    /// The entry for `url`, given the entry there now (whose other keys are kept).
    entry: fn(&str, Option<&Entry>) -> Entry,
    /// The URL an existing entry points at, if it is one of ours in any known shape.
    url_of: fn(&Entry) -> Option<String>,
}

impl Client {
    pub fn config_file(&self, places: &Places) -> PathBuf {
        (self.config_file)(places)
    }

    pub fn entry_for(
        &self,
        url: &str,
        existing: Option<&Map<String, Value>>,
    ) -> Map<String, Value> {
        (self.entry)(url, existing)
    }

    pub fn url_of(&self, entry: &Map<String, Value>) -> Option<String> {
        (self.url_of)(entry)
    }
}

/// Every supported client, in the order they are listed.
pub const CLIENTS: &[Client] = &[
    Client {
        id: "claude_code",
        display_name: "Claude Code",
        format: Format::Json {
            section: &["mcpServers"],
        },
        cli: Some(Cli {
            program: "claude",
            add: |url| {
                [
                    "mcp",
                    "add",
                    "--scope",
                    "user",
                    "--transport",
                    "http",
                    SERVER_NAME,
                    url,
                ]
                .map(str::to_owned)
                .to_vec()
            },
            remove: &["mcp", "remove", "--scope", "user", SERVER_NAME],
        }),
        config_file: |places| {
            places
                .folder_from("CLAUDE_CONFIG_DIR")
                .unwrap_or_else(|| places.home())
                .join(".claude.json")
        },
        entry: |url, existing| with_fields(existing, &[("type", "http"), ("url", url)]),
        url_of: |entry| text(entry, "url"),
    },
    Client {
        id: "claude_desktop",
        display_name: "Claude Desktop",
        format: Format::Json {
            section: &["mcpServers"],
        },
        cli: None,
        config_file: |places| {
            places
                .app_config()
                .join("Claude")
                .join("claude_desktop_config.json")
        },
        entry: |url, _| {
            let entry = json!({
                "command": "npx",
                "args": ["-y", MCP_REMOTE, url, "--transport", "http-only"],
            });
            entry.as_object().cloned().unwrap_or_default()
        },
        url_of: |entry| {
            let args = entry.get("args")?.as_array()?;
            let remote = args
                .iter()
                .filter_map(Value::as_str)
                .any(|arg| arg == "mcp-remote" || arg.starts_with("mcp-remote@"));
            if !remote {
                return text(entry, "url");
            }
            args.iter()
                .filter_map(Value::as_str)
                .find(|arg| arg.starts_with("http://") || arg.starts_with("https://"))
                .map(str::to_owned)
        },
    },
    Client {
        id: "codex",
        display_name: "Codex",
        format: Format::Toml {
            section: "mcp_servers",
        },
        cli: None,
        config_file: |places| {
            places
                .folder_from("CODEX_HOME")
                .unwrap_or_else(|| places.home().join(".codex"))
                .join("config.toml")
        },
        entry: |url, _| {
            let entry = json!({"url": url, "enabled": true});
            entry.as_object().cloned().unwrap_or_default()
        },
        url_of: |entry| text(entry, "url"),
    },
    Client {
        id: "gemini_cli",
        display_name: "Gemini CLI",
        format: Format::Json {
            section: &["mcpServers"],
        },
        cli: None,
        config_file: |places| {
            places
                .folder_from("GEMINI_CLI_HOME")
                .unwrap_or_else(|| places.home())
                .join(".gemini")
                .join("settings.json")
        },
        entry: |url, existing| with_fields(existing, &[("httpUrl", url)]),
        url_of: |entry| text(entry, "httpUrl").or_else(|| text(entry, "url")),
    },
    Client {
        id: "qwen_code",
        display_name: "Qwen Code",
        format: Format::Json {
            section: &["mcpServers"],
        },
        cli: None,
        config_file: |places| places.home().join(".qwen").join("settings.json"),
        entry: |url, existing| with_fields(existing, &[("httpUrl", url)]),
        url_of: |entry| text(entry, "httpUrl").or_else(|| text(entry, "url")),
    },
    Client {
        id: "opencode",
        display_name: "OpenCode",
        format: Format::Json { section: &["mcp"] },
        cli: None,
        config_file: |places| {
            places
                .folder_from("OPENCODE_CONFIG_DIR")
                .unwrap_or_else(|| places.xdg_config().join("opencode"))
                .join("opencode.json")
        },
        entry: |url, existing| {
            let mut entry = with_fields(existing, &[("type", "remote"), ("url", url)]);
            entry.entry("enabled").or_insert(Value::Bool(true));
            entry
        },
        url_of: |entry| text(entry, "url"),
    },
    Client {
        id: "cursor",
        display_name: "Cursor",
        format: Format::Json {
            section: &["mcpServers"],
        },
        cli: None,
        config_file: |places| places.home().join(".cursor").join("mcp.json"),
        entry: |url, existing| with_fields(existing, &[("url", url)]),
        url_of: |entry| text(entry, "url"),
    },
    Client {
        id: "vscode",
        display_name: "VS Code",
        format: Format::Json {
            section: &["servers"],
        },
        cli: None,
        config_file: |places| {
            places
                .app_config()
                .join("Code")
                .join("User")
                .join("mcp.json")
        },
        entry: |url, existing| with_fields(existing, &[("type", "http"), ("url", url)]),
        url_of: |entry| text(entry, "url"),
    },
    Client {
        id: "windsurf",
        display_name: "Windsurf",
        format: Format::Json {
            section: &["mcpServers"],
        },
        cli: None,
        config_file: |places| {
            places
                .home()
                .join(".codeium")
                .join("windsurf")
                .join("mcp_config.json")
        },
        entry: |url, existing| with_fields(existing, &[("serverUrl", url)]),
        url_of: |entry| text(entry, "serverUrl").or_else(|| text(entry, "url")),
    },
];

/// The client with godot-ai's id `id`.
pub fn client(id: &str) -> Option<&'static Client> {
    CLIENTS.iter().find(|client| client.id == id)
}

/// The ids, as a list for an error message.
pub fn ids() -> String {
    CLIENTS
        .iter()
        .map(|client| client.id)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The existing entry (its other keys kept) with `fields` set.
fn with_fields(
    existing: Option<&Map<String, Value>>,
    fields: &[(&str, &str)],
) -> Map<String, Value> {
    let mut entry = existing.cloned().unwrap_or_default();
    for (key, value) in fields {
        entry.insert((*key).to_owned(), Value::String((*value).to_owned()));
    }
    entry
}

fn text(entry: &Map<String, Value>, key: &str) -> Option<String> {
    entry.get(key)?.as_str().map(str::to_owned)
}
