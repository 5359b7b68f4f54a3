//! Where the plugin's settings come from: environment variables first, then editor settings,
//! then defaults.

use godot::classes::{DisplayServer, EditorInterface, Os};
use godot::prelude::*;
use godot::register::info::PropertyHint;

/// The MCP port when nothing else is set: distinct from godot-ai's 8000 (HTTP) and 9500 (WS).
pub const DEFAULT_MCP_PORT: u16 = 9600;

/// Editor setting holding the MCP port.
pub const MCP_PORT_SETTING: &str = "godot_ai/mcp_port";

/// Editor setting: seconds of inactivity after which an MCP session is forgotten; 0 = never.
pub const SESSION_IDLE_SETTING: &str = "godot_ai/mcp_session_idle_timeout_s";

/// Environment variable overriding the MCP port (also passed through by `cargo xtask run`).
pub const MCP_PORT_ENV: &str = "GODOT_AI_MCP_PORT";

/// Editor setting holding the port of the godot-ai server's WebSocket (godot-ai's own key).
pub const WS_PORT_SETTING: &str = "godot_ai/ws_port";

/// godot-ai's default WebSocket port.
pub const DEFAULT_WS_PORT: u16 = 9500;

/// Environment variable overriding the WebSocket port; `0` turns the bridge off.
pub const WS_PORT_ENV: &str = "GODOT_AI_WS_PORT";

/// Editor setting: whether the endpoint requires its access token (on unless the user turns
/// it off).
pub const REQUIRE_TOKEN_SETTING: &str = "godot_ai/require_token";

/// Editor setting: web origins (`http://host:port`, comma-separated) whose pages may call the
/// endpoint; empty by default, so web pages get nothing.
pub const ALLOWED_ORIGINS_SETTING: &str = "godot_ai/allowed_origins";

/// Environment variable that sets the access token (for scripts and CI).
pub const TOKEN_ENV: &str = "GODOT_AI_MCP_TOKEN";

/// Environment variable that lets the plugin run in a `--headless` editor.
pub const ALLOW_HEADLESS_ENV: &str = "GODOT_AI_ALLOW_HEADLESS";

/// The port to serve on, and where that value came from (for the log line).
pub struct PortChoice {
    pub port: u16,
    pub source: &'static str,
}

/// Resolves the MCP port: `GODOT_AI_MCP_PORT`, else the editor setting, else the default.
/// Registers the editor setting (with its default) so users find it in Editor Settings.
pub fn mcp_port() -> PortChoice {
    if let Some(text) = env_var(MCP_PORT_ENV) {
        match parse_port(&text) {
            Some(port) => {
                return PortChoice {
                    port,
                    source: MCP_PORT_ENV,
                };
            }
            None => tracing::warn!(
                "{MCP_PORT_ENV}={text:?} is not a port number (1-65535); ignoring it"
            ),
        }
    }
    let Some(mut editor_settings) = EditorInterface::singleton().get_editor_settings() else {
        return PortChoice {
            port: DEFAULT_MCP_PORT,
            source: "default",
        };
    };
    if !editor_settings.has_setting(MCP_PORT_SETTING) {
        register_int_setting(
            &mut editor_settings,
            MCP_PORT_SETTING,
            DEFAULT_MCP_PORT.into(),
            "1,65535,1",
        );
    }
    let value = editor_settings.get_setting(MCP_PORT_SETTING);
    match value
        .try_to::<i64>()
        .ok()
        .and_then(|port| u16::try_from(port).ok())
    {
        Some(port) if port > 0 => PortChoice {
            port,
            source: MCP_PORT_SETTING,
        },
        _ => {
            tracing::warn!(
                "editor setting {MCP_PORT_SETTING} = {value} is not a port number; using {DEFAULT_MCP_PORT}"
            );
            PortChoice {
                port: DEFAULT_MCP_PORT,
                source: "default",
            }
        }
    }
}

/// Stores `port` as the editor setting (the dock's port field): the endpoint moves there the
/// next time the plugin starts, unless `GODOT_AI_MCP_PORT` overrides it.
pub fn set_mcp_port(port: u16) {
    if port == 0 {
        return;
    }
    if let Some(mut editor_settings) = EditorInterface::singleton().get_editor_settings() {
        editor_settings.set_setting(MCP_PORT_SETTING, &i64::from(port).to_variant());
    }
}

/// Adds an integer editor setting with its default and range, so it shows in Editor Settings.
fn register_int_setting(
    editor_settings: &mut Gd<godot::classes::EditorSettings>,
    name: &str,
    default: i64,
    range: &str,
) {
    register_setting(
        editor_settings,
        name,
        &default.to_variant(),
        Some((PropertyHint::RANGE, range)),
    );
}

/// Adds an editor setting (its type is its default's) with its default and, optionally, a
/// hint, so it shows in Editor Settings.
fn register_setting(
    editor_settings: &mut Gd<godot::classes::EditorSettings>,
    name: &str,
    default: &Variant,
    hint: Option<(PropertyHint, &str)>,
) {
    editor_settings.set_setting(name, default);
    editor_settings.set_initial_value(name, default, false);
    let mut info = VarDictionary::new();
    info.set("name", name);
    info.set("type", default.get_type().ord());
    if let Some((hint, hint_string)) = hint {
        info.set("hint", hint.ord());
        info.set("hint_string", hint_string);
    }
    editor_settings.add_property_info(&info);
}

/// Whether the endpoint requires its access token: the editor setting, registered (on) the
/// first time so users find it in Editor Settings.
pub fn token_required() -> bool {
    let Some(mut editor_settings) = EditorInterface::singleton().get_editor_settings() else {
        return true;
    };
    if !editor_settings.has_setting(REQUIRE_TOKEN_SETTING) {
        register_setting(
            &mut editor_settings,
            REQUIRE_TOKEN_SETTING,
            &true.to_variant(),
            None,
        );
    }
    editor_settings
        .get_setting(REQUIRE_TOKEN_SETTING)
        .try_to::<bool>()
        .unwrap_or(true)
}

/// The web origins the user lets in (see [`ALLOWED_ORIGINS_SETTING`]), registered empty the
/// first time so users find it in Editor Settings.
pub fn allowed_origins() -> Vec<String> {
    let Some(mut editor_settings) = EditorInterface::singleton().get_editor_settings() else {
        return Vec::new();
    };
    if !editor_settings.has_setting(ALLOWED_ORIGINS_SETTING) {
        register_setting(
            &mut editor_settings,
            ALLOWED_ORIGINS_SETTING,
            &GString::new().to_variant(),
            None,
        );
    }
    let origins: Vec<String> = editor_settings
        .get_setting(ALLOWED_ORIGINS_SETTING)
        .to_string()
        .split([',', ' ', '\n'])
        .map(|origin| origin.trim().trim_end_matches('/').to_owned())
        .filter(|origin| !origin.is_empty())
        .collect();
    if !origins.is_empty() {
        tracing::warn!(
            "web pages from {} may call the MCP endpoint (Editor Settings > {ALLOWED_ORIGINS_SETTING})",
            origins.join(", ")
        );
    }
    origins
}

/// The token `GODOT_AI_MCP_TOKEN` gives, if set.
pub fn token_from_environment() -> Option<String> {
    env_var(TOKEN_ENV)
}

/// How long an idle MCP session is kept: `None` (the default) keeps it while the editor runs.
pub fn session_idle_timeout() -> Option<std::time::Duration> {
    let mut editor_settings = EditorInterface::singleton().get_editor_settings()?;
    if !editor_settings.has_setting(SESSION_IDLE_SETTING) {
        register_int_setting(
            &mut editor_settings,
            SESSION_IDLE_SETTING,
            0,
            "0,604800,1,or_greater",
        );
    }
    let seconds = editor_settings
        .get_setting(SESSION_IDLE_SETTING)
        .try_to::<i64>()
        .unwrap_or(0);
    u64::try_from(seconds)
        .ok()
        .filter(|seconds| *seconds > 0)
        .map(std::time::Duration::from_secs)
}

/// Where MCP sessions are persisted: inside the project's `.godot/` folder (never committed).
pub fn session_file() -> std::path::PathBuf {
    let path = godot::classes::ProjectSettings::singleton()
        .globalize_path("res://.godot/godot_ai_native/mcp_sessions.json");
    std::path::PathBuf::from(path.to_string())
}

/// The godot-ai server's WebSocket port, or `None` when the bridge is turned off (port 0).
/// `GODOT_AI_WS_PORT`, else the editor setting `godot_ai/ws_port`, else 9500.
pub fn ws_port() -> Option<u16> {
    if let Some(text) = env_var(WS_PORT_ENV) {
        match text.trim().parse::<u16>() {
            Ok(0) => {
                tracing::info!("{WS_PORT_ENV}=0: not connecting to a godot-ai server");
                return None;
            }
            Ok(port) => return Some(port),
            Err(_) => {
                tracing::warn!("{WS_PORT_ENV}={text:?} is not a port number (0-65535); ignoring it")
            }
        }
    }
    let mut editor_settings = EditorInterface::singleton().get_editor_settings()?;
    if !editor_settings.has_setting(WS_PORT_SETTING) {
        register_int_setting(
            &mut editor_settings,
            WS_PORT_SETTING,
            DEFAULT_WS_PORT.into(),
            "0,65535,1",
        );
    }
    let value = editor_settings
        .get_setting(WS_PORT_SETTING)
        .try_to::<i64>()
        .unwrap_or(DEFAULT_WS_PORT.into());
    match u16::try_from(value) {
        Ok(0) => None,
        Ok(port) => Some(port),
        Err(_) => {
            tracing::warn!(
                "editor setting {WS_PORT_SETTING} = {value} is not a port number; using {DEFAULT_WS_PORT}"
            );
            Some(DEFAULT_WS_PORT)
        }
    }
}

/// True when the editor runs without a display (`--headless`).
pub fn is_headless() -> bool {
    DisplayServer::singleton().get_name() == "headless"
}

/// True when `GODOT_AI_ALLOW_HEADLESS` holds a truthy value (`1`, `true`, `yes`, `on`).
pub fn headless_allowed() -> bool {
    env_var(ALLOW_HEADLESS_ENV).is_some_and(|value| is_truthy(&value))
}

/// True when `GODOT_AI_CONFORMANCE_FIXTURES` is `1`: the endpoint serves the conformance
/// suite's fixtures too (see `godot_ai_mcp::fixtures`). Exactly `1`, so a stray value cannot
/// switch test tools on in a user's editor.
pub fn conformance_fixtures() -> bool {
    env_var(godot_ai_mcp::fixtures::FIXTURES_ENV).is_some_and(|value| value.trim() == "1")
}

fn env_var(name: &str) -> Option<String> {
    let os = Os::singleton();
    os.has_environment(name)
        .then(|| os.get_environment(name).to_string())
        .filter(|value| !value.trim().is_empty())
}

fn parse_port(text: &str) -> Option<u16> {
    text.trim().parse::<u16>().ok().filter(|port| *port > 0)
}

fn is_truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}
