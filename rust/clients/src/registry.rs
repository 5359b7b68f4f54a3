//! The MCP clients this plugin sets up, with godot-ai's client ids: where each keeps its MCP
//! servers, in which format, and the entry that points it at the editor's endpoint.
//!
//! Entries are HTTP entries for the endpoint's URL in each client's documented shape, carrying
//! the endpoint's access token as an `Authorization: Bearer` header the way that client takes
//! headers; Claude Desktop only speaks stdio to local servers, so its entry runs `mcp-remote`
//! (pinned) to reach the URL, with the header passed through its environment.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use crate::cli::Cli;
use crate::endpoint::{Endpoint, bearer, token_of_authorization};
use crate::places::Places;

/// The name of our entry in every client's config (godot-ai's, so agents see the same tool
/// names when they switch).
pub const SERVER_NAME: &str = "godot-ai";

/// `mcp-remote`, pinned: what Claude Desktop runs to reach an HTTP server.
pub const MCP_REMOTE: &str = "mcp-remote@0.15.1";

/// The header that carries the access token.
const AUTHORIZATION: &str = "Authorization";

/// The variable of Claude Desktop's entry that holds `Bearer <token>` for mcp-remote.
const DESKTOP_AUTH_VARIABLE: &str = "GODOT_AI_AUTHORIZATION";

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
    /// The entry for the endpoint, given the entry there now (whose other keys are kept).
    entry: fn(&Endpoint, Option<&Entry>) -> Entry,
    /// The URL an existing entry points at, if it is one of ours in any known shape.
    url_of: fn(&Entry) -> Option<String>,
    /// The bearer token an existing entry sends, if any.
    token_of: fn(&Entry) -> Option<String>,
}

impl Client {
    pub fn config_file(&self, places: &Places) -> PathBuf {
        (self.config_file)(places)
    }

    pub fn entry_for(
        &self,
        endpoint: &Endpoint,
        existing: Option<&Map<String, Value>>,
    ) -> Map<String, Value> {
        (self.entry)(endpoint, existing)
    }

    pub fn url_of(&self, entry: &Map<String, Value>) -> Option<String> {
        (self.url_of)(entry)
    }

    pub fn token_of(&self, entry: &Map<String, Value>) -> Option<String> {
        (self.token_of)(entry)
    }

    /// True when `entry` points at the endpoint with its token (and no token when none is
    /// required).
    pub fn points_at(&self, entry: &Map<String, Value>, endpoint: &Endpoint) -> bool {
        self.url_of(entry).as_deref() == Some(endpoint.url())
            && self.token_of(entry).as_deref() == endpoint.token()
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
            add: |endpoint| {
                let mut args: Vec<String> = [
                    "mcp",
                    "add",
                    "--scope",
                    "user",
                    "--transport",
                    "http",
                    SERVER_NAME,
                    endpoint.url(),
                ]
                .map(str::to_owned)
                .to_vec();
                if let Some(authorization) = endpoint.authorization() {
                    args.push("--header".to_owned());
                    args.push(format!("{AUTHORIZATION}: {authorization}"));
                }
                args
            },
            remove: &["mcp", "remove", "--scope", "user", SERVER_NAME],
        }),
        config_file: |places| {
            places
                .folder_from("CLAUDE_CONFIG_DIR")
                .unwrap_or_else(|| places.home())
                .join(".claude.json")
        },
        entry: |endpoint, existing| {
            let entry = with_fields(existing, &[("type", "http"), ("url", endpoint.url())]);
            with_header(entry, "headers", endpoint)
        },
        url_of: |entry| text(entry, "url"),
        token_of: |entry| header_token(entry, "headers"),
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
        entry: |endpoint, _| {
            let mut entry = json!({
                "command": "npx",
                "args": ["-y", MCP_REMOTE, endpoint.url(), "--transport", "http-only"],
            });
            // mcp-remote fills `${VAR}` in a header from its environment: the value stays out
            // of the arguments, where a space breaks on some platforms.
            if let Some(authorization) = endpoint.authorization() {
                entry["args"]
                    .as_array_mut()
                    .expect("args is an array")
                    .extend([
                        json!("--header"),
                        json!(format!("{AUTHORIZATION}:${{{DESKTOP_AUTH_VARIABLE}}}")),
                    ]);
                entry["env"] = json!({ DESKTOP_AUTH_VARIABLE: authorization });
            }
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
        token_of: |entry| {
            let value = entry.get("env")?.get(DESKTOP_AUTH_VARIABLE)?.as_str()?;
            token_of_authorization(value).map(str::to_owned)
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
        entry: |endpoint, _| {
            let mut entry = json!({"url": endpoint.url(), "enabled": true});
            if let Some(authorization) = endpoint.authorization() {
                entry["http_headers"] = json!({ AUTHORIZATION: authorization });
            }
            entry.as_object().cloned().unwrap_or_default()
        },
        url_of: |entry| text(entry, "url"),
        token_of: |entry| header_token(entry, "http_headers"),
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
        entry: |endpoint, existing| {
            let entry = with_fields(existing, &[("httpUrl", endpoint.url())]);
            with_header(entry, "headers", endpoint)
        },
        url_of: |entry| text(entry, "httpUrl").or_else(|| text(entry, "url")),
        token_of: |entry| header_token(entry, "headers"),
    },
    Client {
        id: "qwen_code",
        display_name: "Qwen Code",
        format: Format::Json {
            section: &["mcpServers"],
        },
        cli: None,
        config_file: |places| places.home().join(".qwen").join("settings.json"),
        entry: |endpoint, existing| {
            let entry = with_fields(existing, &[("httpUrl", endpoint.url())]);
            with_header(entry, "headers", endpoint)
        },
        url_of: |entry| text(entry, "httpUrl").or_else(|| text(entry, "url")),
        token_of: |entry| header_token(entry, "headers"),
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
        entry: |endpoint, existing| {
            let mut entry = with_fields(existing, &[("type", "remote"), ("url", endpoint.url())]);
            entry.entry("enabled").or_insert(Value::Bool(true));
            with_header(entry, "headers", endpoint)
        },
        url_of: |entry| text(entry, "url"),
        token_of: |entry| header_token(entry, "headers"),
    },
    Client {
        id: "cursor",
        display_name: "Cursor",
        format: Format::Json {
            section: &["mcpServers"],
        },
        cli: None,
        config_file: |places| places.home().join(".cursor").join("mcp.json"),
        entry: |endpoint, existing| {
            let entry = with_fields(existing, &[("url", endpoint.url())]);
            with_header(entry, "headers", endpoint)
        },
        url_of: |entry| text(entry, "url"),
        token_of: |entry| header_token(entry, "headers"),
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
        entry: |endpoint, existing| {
            let entry = with_fields(existing, &[("type", "http"), ("url", endpoint.url())]);
            with_header(entry, "headers", endpoint)
        },
        url_of: |entry| text(entry, "url"),
        token_of: |entry| header_token(entry, "headers"),
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
        entry: |endpoint, existing| {
            let entry = with_fields(existing, &[("serverUrl", endpoint.url())]);
            with_header(entry, "headers", endpoint)
        },
        url_of: |entry| text(entry, "serverUrl").or_else(|| text(entry, "url")),
        token_of: |entry| header_token(entry, "headers"),
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

/// `entry` with `Authorization: Bearer <token>` in its header object at `key` (other headers
/// kept), or without our `Authorization` when the endpoint needs no token.
fn with_header(mut entry: Entry, key: &str, endpoint: &Endpoint) -> Entry {
    let mut headers = match entry.remove(key) {
        Some(Value::Object(headers)) => headers,
        _ => Map::new(),
    };
    headers.retain(|name, _| !name.eq_ignore_ascii_case(AUTHORIZATION));
    if let Some(token) = endpoint.token() {
        headers.insert(AUTHORIZATION.to_owned(), Value::String(bearer(token)));
    }
    if !headers.is_empty() {
        entry.insert(key.to_owned(), Value::Object(headers));
    }
    entry
}

/// The bearer token in the header object at `key` of `entry`.
fn header_token(entry: &Map<String, Value>, key: &str) -> Option<String> {
    entry
        .get(key)?
        .as_object()?
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(AUTHORIZATION))
        .and_then(|(_, value)| value.as_str())
        .and_then(token_of_authorization)
        .map(str::to_owned)
}

fn text(entry: &Map<String, Value>, key: &str) -> Option<String> {
    entry.get(key)?.as_str().map(str::to_owned)
}
