//! godot-ai's client plugin commands (`configure_client`, `remove_client`,
//! `check_client_status`), answered from here with godot-ai's result shapes and error codes.
//!
//! They touch no Godot object, only files and the clients' command lines, so the plugin runs
//! them on a worker thread, never on the editor's main thread.

use godot_ai_protocol::{Command, CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::endpoint::Endpoint;
use crate::manage::{self, Done, Via};
use crate::places::Places;
use crate::registry::{self, CLIENTS, Client};
use crate::setup::{self, Report, Status};

/// The command names answered here.
pub const NAMES: &[&str] = &["configure_client", "remove_client", "check_client_status"];

/// Whether `name` is one of [`NAMES`].
pub fn handles(name: &str) -> bool {
    NAMES.contains(&name)
}

/// Runs one of [`NAMES`] for the endpoint, with the places of this process.
pub fn run(command: &Command, endpoint: &Endpoint) -> CommandResult {
    let places = Places::from_process().ok_or_else(|| {
        CommandError::internal(
            "No home folder is known (HOME is not set), so no client's config file can be found.",
        )
    })?;
    run_with(command, endpoint, &places)
}

/// [`run`] with the given places (a test's throwaway home).
pub fn run_with(command: &Command, endpoint: &Endpoint, places: &Places) -> CommandResult {
    let url = endpoint.url();
    match command.name.as_str() {
        "configure_client" => {
            let client = client_param(&command.params)?;
            let done = manage::configure(client, places, endpoint).map_err(internal)?;
            let with_token = if endpoint.token().is_some() {
                ", with the editor's access token"
            } else {
                ""
            };
            Ok(done_reply(
                client,
                &done,
                format!(
                    "{} configured (HTTP: {url}{with_token})",
                    client.display_name
                ),
                url,
            ))
        }
        "remove_client" => {
            let client = client_param(&command.params)?;
            let done = manage::remove(client, places).map_err(internal)?;
            let message = if done.changed {
                format!("{} configuration removed", client.display_name)
            } else {
                format!(
                    "{} was not configured; nothing to remove",
                    client.display_name
                )
            };
            Ok(done_reply(client, &done, message, url))
        }
        "check_client_status" => Ok(statuses(places, endpoint)),
        other => Err(CommandError::new(
            ErrorCode::UnknownCommand,
            format!("Unknown command: {other}"),
        )),
    }
}

/// Every client's state for the endpoint: `{clients: [{id, display_name, status, installed,
/// config_file, configured_url?, error?}], url}`.
pub fn statuses(places: &Places, endpoint: &Endpoint) -> JsonObject {
    let clients: Vec<Value> = CLIENTS
        .iter()
        .map(|client| status_entry(client, &setup::status(client, places, endpoint)))
        .collect();
    object(json!({ "clients": clients, "url": endpoint.url() }))
}

fn status_entry(client: &Client, report: &Report) -> Value {
    let mut entry = object(json!({
        "id": client.id,
        "display_name": client.display_name,
        "status": report.status.label(),
        "installed": report.installed,
        "config_file": report.config_file.display().to_string(),
    }));
    match &report.status {
        Status::ConfiguredMismatch { url: Some(url) } => {
            entry.insert("configured_url".into(), json!(url));
        }
        Status::Error(why) => {
            entry.insert("error".into(), json!(why));
        }
        _ => {}
    }
    Value::Object(entry)
}

fn done_reply(client: &Client, done: &Done, message: String, url: &str) -> JsonObject {
    let via = match &done.via {
        Via::Cli(program) => json!({"kind": "cli", "program": program.display().to_string()}),
        Via::File => json!({"kind": "file"}),
    };
    object(json!({
        "status": "ok",
        "message": message,
        "client": client.id,
        "display_name": client.display_name,
        "url": url,
        "config_file": done.config_file.display().to_string(),
        "changed": done.changed,
        "via": via,
    }))
}

/// The `client` param (godot-ai's name), checked against the known ids.
fn client_param(params: &JsonObject) -> Result<&'static Client, CommandError> {
    let id = params.get("client").and_then(Value::as_str).unwrap_or("");
    registry::client(id).ok_or_else(|| {
        CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("Unknown client: {id}. Use one of: {}", registry::ids()),
        )
        .with_data(
            "valid",
            CLIENTS.iter().map(|client| client.id).collect::<Vec<_>>(),
        )
    })
}

/// After the token changed: every client whose entry points at the endpoint's URL (set up by
/// us, with any token) is configured again with the new one. `{reconfigured: [id...],
/// failed: [{id, error}...]}`; the token is never in it.
pub fn reconfigure_after_rotation(places: &Places, endpoint: &Endpoint) -> JsonObject {
    let mut reconfigured = Vec::new();
    let mut failures = Vec::new();
    for client in CLIENTS {
        let points_here = setup::entry_now(client, places)
            .ok()
            .flatten()
            .and_then(|entry| client.url_of(&entry))
            .is_some_and(|url| url == endpoint.url());
        if !points_here {
            continue;
        }
        match manage::configure(client, places, endpoint) {
            Ok(_) => reconfigured.push(client.id),
            Err(error) => failures.push(json!({"id": client.id, "error": error.to_string()})),
        }
    }
    object(json!({"reconfigured": reconfigured, "failed": failures}))
}

/// The error of a configure or remove (the token never in it: see [`crate::manage`]).
fn internal(error: setup::SetupError) -> CommandError {
    CommandError::internal(error.to_string())
        .with_data("config_file", error.path.display().to_string())
}

fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::places::Platform;

    const URL: &str = "http://127.0.0.1:9600/mcp";

    fn endpoint() -> Endpoint {
        Endpoint::new(URL, Some("0123456789abcdef0123456789abcdef".into()))
    }

    fn places(name: &str) -> (std::path::PathBuf, Places) {
        let home =
            std::env::temp_dir().join(format!("clients-commands-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).unwrap();
        let places = Places::new(Platform::Linux, home.clone(), HashMap::new());
        (home, places)
    }

    fn command(name: &str, params: Value) -> Command {
        Command::new(name, object(params))
    }

    #[test]
    fn configure_status_and_remove_answer_in_godot_ais_shapes() {
        let (home, places) = places("shapes");
        let configured = run_with(
            &command("configure_client", json!({"client": "cursor"})),
            &endpoint(),
            &places,
        )
        .unwrap();
        assert_eq!(configured["status"], "ok");
        assert_eq!(
            configured["message"],
            format!("Cursor configured (HTTP: {URL}, with the editor's access token)")
        );
        assert_eq!(configured["via"]["kind"], "file");
        let listed = run_with(
            &command("check_client_status", json!({})),
            &endpoint(),
            &places,
        )
        .unwrap();
        let cursor = listed["clients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["id"] == "cursor")
            .unwrap();
        assert_eq!(cursor["status"], "configured");
        assert_eq!(cursor["installed"], true);
        assert_eq!(listed["clients"].as_array().unwrap().len(), CLIENTS.len());
        let removed = run_with(
            &command("remove_client", json!({"client": "cursor"})),
            &endpoint(),
            &places,
        )
        .unwrap();
        assert_eq!(removed["message"], "Cursor configuration removed");
        let again = run_with(
            &command("remove_client", json!({"client": "cursor"})),
            &endpoint(),
            &places,
        )
        .unwrap();
        assert_eq!(again["changed"], false);
        std::fs::remove_dir_all(home).unwrap();
    }

    #[test]
    fn an_unknown_client_is_value_out_of_range_with_the_ids() {
        let (home, places) = places("unknown");
        let error = run_with(
            &command("configure_client", json!({"client": "cursr"})),
            &endpoint(),
            &places,
        )
        .unwrap_err();
        assert_eq!(error.code, ErrorCode::ValueOutOfRange);
        assert!(
            error
                .message
                .starts_with("Unknown client: cursr. Use one of: claude_code,"),
            "{}",
            error.message
        );
        let missing =
            run_with(&command("remove_client", json!({})), &endpoint(), &places).unwrap_err();
        assert_eq!(missing.code, ErrorCode::ValueOutOfRange);
        std::fs::remove_dir_all(home).unwrap();
    }

    #[test]
    fn a_broken_file_is_an_internal_error_naming_it() {
        let (home, places) = places("broken");
        let path = home.join(".cursor").join("mcp.json");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "{").unwrap();
        let error = run_with(
            &command("configure_client", json!({"client": "cursor"})),
            &endpoint(),
            &places,
        )
        .unwrap_err();
        assert_eq!(error.code, ErrorCode::InternalError);
        assert!(error.message.contains("left as it is"), "{}", error.message);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{");
        let listed = run_with(
            &command("check_client_status", json!({})),
            &endpoint(),
            &places,
        )
        .unwrap();
        let cursor = listed["clients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["id"] == "cursor")
            .unwrap()
            .clone();
        assert_eq!(cursor["status"], "error");
        assert!(
            cursor["error"]
                .as_str()
                .unwrap()
                .contains("cannot be parsed")
        );
        std::fs::remove_dir_all(home).unwrap();
    }
}
