//! Every client set up, checked and removed in a throwaway home folder, as the plugin will.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use godot_ai_clients::Endpoint;
use godot_ai_clients::places::{Places, Platform};
use godot_ai_clients::registry::{CLIENTS, SERVER_NAME, client};
use godot_ai_clients::setup::{Status, configure, remove, status};

const URL: &str = "http://127.0.0.1:9600/mcp";
const TOKEN: &str = "0123456789abcdef0123456789abcdef";

fn endpoint() -> Endpoint {
    Endpoint::new(URL, Some(TOKEN.into()))
}

fn home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("godot-ai-clients-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn places(home: &Path, vars: &[(&str, &str)]) -> Places {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    Places::new(Platform::Linux, home.to_path_buf(), vars)
}

#[test]
fn every_client_is_configured_seen_and_removed_in_an_empty_home() {
    let dir = home("all");
    let places = places(&dir, &[]);
    for client in CLIENTS {
        let before = status(client, &places, &endpoint());
        assert_eq!(before.status, Status::NotConfigured, "{}", client.id);
        assert!(!before.installed, "{}: nothing of it exists yet", client.id);
        let written = configure(client, &places, &endpoint()).unwrap();
        assert_eq!(written, before.config_file);
        let after = status(client, &places, &endpoint());
        assert_eq!(after.status, Status::Configured, "{}", client.id);
        assert!(after.installed);
        let elsewhere = status(
            client,
            &places,
            &Endpoint::new("http://127.0.0.1:9700/mcp", Some(TOKEN.into())),
        );
        assert_eq!(
            elsewhere.status,
            Status::ConfiguredMismatch {
                url: Some(URL.to_owned())
            },
            "{}",
            client.id
        );
        assert!(remove(client, &places).unwrap(), "{}", client.id);
        assert_eq!(
            status(client, &places, &endpoint()).status,
            Status::NotConfigured
        );
        assert!(
            !remove(client, &places).unwrap(),
            "{}: nothing left to remove",
            client.id
        );
    }
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn files_land_where_each_client_reads_them_and_variables_move_them() {
    let dir = home("places");
    let plain = places(&dir, &[]);
    let file = |id: &str, places: &Places| {
        client(id)
            .unwrap()
            .config_file(places)
            .strip_prefix(&dir)
            .unwrap()
            .to_path_buf()
    };
    assert_eq!(file("claude_code", &plain), PathBuf::from(".claude.json"));
    assert_eq!(file("codex", &plain), PathBuf::from(".codex/config.toml"));
    assert_eq!(
        file("gemini_cli", &plain),
        PathBuf::from(".gemini/settings.json")
    );
    assert_eq!(
        file("opencode", &plain),
        PathBuf::from(".config/opencode/opencode.json")
    );
    assert_eq!(
        file("vscode", &plain),
        PathBuf::from(".config/Code/User/mcp.json")
    );
    assert_eq!(
        file("claude_desktop", &plain),
        PathBuf::from(".config/Claude/claude_desktop_config.json")
    );
    let moved = places(
        &dir,
        &[
            ("CLAUDE_CONFIG_DIR", dir.join("claude").to_str().unwrap()),
            ("CODEX_HOME", dir.join("codex").to_str().unwrap()),
            ("XDG_CONFIG_HOME", dir.join("xdg").to_str().unwrap()),
        ],
    );
    assert_eq!(
        file("claude_code", &moved),
        PathBuf::from("claude/.claude.json")
    );
    assert_eq!(file("codex", &moved), PathBuf::from("codex/config.toml"));
    assert_eq!(
        file("opencode", &moved),
        PathBuf::from("xdg/opencode/opencode.json")
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn remove_takes_exactly_our_entry_and_leaves_the_rest_byte_for_byte() {
    let dir = home("keep");
    let places = places(&dir, &[]);
    let cases = [
        (
            "cursor",
            "{\n  // mine\n  \"mcpServers\": {\n    \"other\": {\"url\": \"http://other/mcp\"}\n  },\n  \"x\": [1, 2.50]\n}\n",
        ),
        (
            "codex",
            "# mine\nmodel = \"o4\"\n\n[mcp_servers.other]\ncommand = \"other\"  # keep\n",
        ),
    ];
    for (id, original) in cases {
        let client = client(id).unwrap();
        let path = client.config_file(&places);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, original).unwrap();
        configure(client, &places, &endpoint()).unwrap();
        let configured = fs::read_to_string(&path).unwrap();
        assert!(
            configured.contains(URL) && configured.contains("other"),
            "{configured}"
        );
        assert!(remove(client, &places).unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), original, "{id}");
    }
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_reconfigure_keeps_the_users_own_keys_in_our_entry() {
    let dir = home("reconfigure");
    let places = places(&dir, &[]);
    let opencode = client("opencode").unwrap();
    let path = opencode.config_file(&places);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(
        &path,
        format!("{{\"mcp\": {{\"{SERVER_NAME}\": {{\"type\": \"remote\", \"url\": \"http://old/mcp\", \"enabled\": false, \"timeout\": 5000}}}}}}"),
    )
    .unwrap();
    configure(opencode, &places, &endpoint()).unwrap();
    let value: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        value["mcp"][SERVER_NAME],
        serde_json::json!({"type": "remote", "url": URL, "enabled": false, "timeout": 5000,
                           "headers": {"Authorization": format!("Bearer {TOKEN}")}}),
        "the user's enabled=false and timeout stay"
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_file_that_cannot_be_parsed_is_reported_and_never_overwritten() {
    let dir = home("broken");
    let places = places(&dir, &[]);
    for (id, broken) in [
        ("gemini_cli", "{\"mcpServers\": {"),
        ("codex", "[mcp_servers\n"),
    ] {
        let client = client(id).unwrap();
        let path = client.config_file(&places);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, broken).unwrap();
        let report = status(client, &places, &endpoint());
        assert!(
            matches!(report.status, Status::Error(ref why) if why.contains("cannot be parsed")),
            "{id}: {:?}",
            report.status
        );
        let refused = configure(client, &places, &endpoint()).unwrap_err();
        assert!(refused.to_string().contains("left as it is"), "{refused}");
        assert!(remove(client, &places).is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), broken, "{id}");
    }
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_byte_order_mark_is_kept() {
    let dir = home("bom");
    let places = places(&dir, &[]);
    let vscode = client("vscode").unwrap();
    let path = vscode.config_file(&places);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let original = "\u{feff}{\"servers\": {}}";
    fs::write(&path, original).unwrap();
    configure(vscode, &places, &endpoint()).unwrap();
    assert_eq!(
        status(vscode, &places, &endpoint()).status,
        Status::Configured
    );
    assert!(fs::read_to_string(&path).unwrap().starts_with('\u{feff}'));
    remove(vscode, &places).unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), original);
    fs::remove_dir_all(dir).unwrap();
}

/// A stand-in `claude` on PATH that records that it ran and fails, so the test sees which road
/// was taken (the real Claude Code is driven by the end-to-end tests).
#[cfg(unix)]
fn failing_claude(dir: &Path) -> (String, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let marker = dir.join("claude-ran");
    let script = bin.join("claude");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\ntouch '{}'\necho \"no can do: $*\" >&2\nexit 1\n",
            marker.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    (bin.display().to_string(), marker)
}

#[cfg(unix)]
#[test]
fn a_client_command_line_is_not_started_on_a_file_that_cannot_be_parsed() {
    use godot_ai_clients::manage;
    let dir = home("cli-broken");
    let (bin, marker) = failing_claude(&dir);
    let places = places(&dir, &[("PATH", &bin)]);
    let claude = client("claude_code").unwrap();
    let path = claude.config_file(&places);
    fs::write(&path, "{\"mcpServers\": {").unwrap();
    let refused = manage::configure(claude, &places, &endpoint()).unwrap_err();
    assert!(refused.to_string().contains("left as it is"), "{refused}");
    assert!(manage::remove(claude, &places).is_err());
    assert!(
        !marker.exists(),
        "the command line must not run on a broken file"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "{\"mcpServers\": {");
    fs::remove_dir_all(dir).unwrap();
}

#[cfg(unix)]
#[test]
fn a_failing_client_command_line_is_reported_with_what_it_printed() {
    use godot_ai_clients::manage;
    let dir = home("cli-fails");
    let (bin, marker) = failing_claude(&dir);
    let places = places(&dir, &[("PATH", &bin)]);
    let claude = client("claude_code").unwrap();
    let refused = manage::configure(claude, &places, &endpoint()).unwrap_err();
    assert!(marker.exists(), "claude is on PATH, so it is used");
    let message = refused.to_string();
    assert!(
        message.contains("claude mcp add --scope user --transport http godot-ai")
            && message.contains("no can do")
            && message.contains("--header Authorization: Bearer <token>"),
        "{message}"
    );
    assert!(
        !message.contains(TOKEN),
        "the token must not be shown: {message}"
    );
    assert!(!claude.config_file(&places).exists(), "nothing was written");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn without_its_command_line_a_client_is_configured_in_its_file() {
    use godot_ai_clients::manage::{self, Via};
    let dir = home("no-cli");
    let places = places(&dir, &[("PATH", "")]);
    let claude = client("claude_code").unwrap();
    let done = manage::configure(claude, &places, &endpoint()).unwrap();
    assert_eq!((done.via, done.changed), (Via::File, true));
    assert!(
        !manage::configure(claude, &places, &endpoint())
            .unwrap()
            .changed
    );
    assert!(manage::remove(claude, &places).unwrap().changed);
    assert!(!manage::remove(claude, &places).unwrap().changed);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn every_client_carries_the_token_the_way_it_takes_headers() {
    let dir = home("tokens");
    let places = places(&dir, &[("PATH", "")]);
    for client in CLIENTS {
        configure(client, &places, &endpoint()).unwrap();
        let text = fs::read_to_string(client.config_file(&places)).unwrap();
        let entry = godot_ai_clients::setup::entry_now(client, &places)
            .unwrap()
            .unwrap();
        assert_eq!(
            client.token_of(&entry).as_deref(),
            Some(TOKEN),
            "{}",
            client.id
        );
        let shape = match client.id {
            "codex" => format!("http_headers = {{ Authorization = \"Bearer {TOKEN}\" }}"),
            "claude_desktop" => format!("\"GODOT_AI_AUTHORIZATION\": \"Bearer {TOKEN}\""),
            _ => format!("\"Authorization\": \"Bearer {TOKEN}\""),
        };
        assert!(text.contains(&shape), "{}: {text}", client.id);
    }
    let desktop = client("claude_desktop").unwrap();
    let text = fs::read_to_string(desktop.config_file(&places)).unwrap();
    assert!(
        text.contains("\"--header\",")
            && text.contains("\"Authorization:${GODOT_AI_AUTHORIZATION}\""),
        "{text}"
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_rotated_token_reads_stale_until_configured_again() {
    let dir = home("stale");
    let places = places(&dir, &[("PATH", "")]);
    let rotated = Endpoint::new(URL, Some("fedcba9876543210fedcba9876543210".into()));
    let open = Endpoint::new(URL, None);
    for client in CLIENTS {
        configure(client, &places, &endpoint()).unwrap();
        assert_eq!(
            status(client, &places, &rotated).status,
            Status::ConfiguredStaleToken
        );
        assert_eq!(
            status(client, &places, &rotated).status.label(),
            "configured_stale_token"
        );
        assert_eq!(
            status(client, &places, &open).status,
            Status::ConfiguredStaleToken
        );
        configure(client, &places, &rotated).unwrap();
        assert_eq!(
            status(client, &places, &rotated).status,
            Status::Configured,
            "{}",
            client.id
        );
        let text = fs::read_to_string(client.config_file(&places)).unwrap();
        assert!(
            !text.contains(TOKEN),
            "{}: the old token stays behind",
            client.id
        );
        // A user who turned the requirement off gets an entry without our header.
        configure(client, &places, &open).unwrap();
        assert_eq!(
            status(client, &places, &open).status,
            Status::Configured,
            "{}",
            client.id
        );
        let text = fs::read_to_string(client.config_file(&places)).unwrap();
        assert!(!text.contains("Bearer"), "{}: {text}", client.id);
    }
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_users_own_headers_stay_beside_our_token() {
    let dir = home("own-headers");
    let places = places(&dir, &[]);
    let cursor = client("cursor").unwrap();
    let path = cursor.config_file(&places);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(
        &path,
        format!("{{\"mcpServers\": {{\"{SERVER_NAME}\": {{\"url\": \"{URL}\", \"headers\": {{\"X-Trace\": \"1\", \"authorization\": \"Bearer old-token-old-token\"}}}}}}}}"),
    )
    .unwrap();
    configure(cursor, &places, &endpoint()).unwrap();
    let value: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        value["mcpServers"][SERVER_NAME]["headers"],
        serde_json::json!({"X-Trace": "1", "Authorization": format!("Bearer {TOKEN}")})
    );
    fs::remove_dir_all(dir).unwrap();
}
