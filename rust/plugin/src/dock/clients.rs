//! The dock's client rows: one per supported client with its state and Configure / Remove
//! buttons. Reading and changing client config files (and running a client's command line)
//! happens on a worker thread; the dock picks up the result on a later refresh.

use std::sync::mpsc::{Receiver, Sender, channel};

use godot::classes::{Button, GridContainer, Label};
use godot::prelude::*;
use godot_ai_clients::registry::CLIENTS;
use godot_ai_protocol::{Command, JsonObject};
use serde_json::{Value, json};

use crate::runtime;

/// What a worker reports: every client's state, and the outcome of the button pressed.
struct News {
    states: Vec<(String, String)>,
    message: Option<String>,
}

/// The rows, and the channel their worker answers on.
pub struct ClientRows {
    news: (Sender<News>, Receiver<News>),
    states: Vec<(String, Gd<Label>)>,
    message: Option<Gd<Label>>,
}

impl Default for ClientRows {
    fn default() -> Self {
        Self {
            news: channel(),
            states: Vec::new(),
            message: None,
        }
    }
}

impl ClientRows {
    /// Fills `grid` with a row per client: name, state, Configure, Remove.
    pub fn build(&mut self, mut grid: Gd<GridContainer>, message: Gd<Label>) {
        for client in CLIENTS {
            let mut name = Label::new_alloc();
            name.set_text(client.display_name);
            grid.add_child(&name);
            let mut state = Label::new_alloc();
            state.set_name(&format!("ClientState_{}", client.id));
            state.set_text("…");
            grid.add_child(&state);
            self.states.push((client.id.to_owned(), state));
            for (action, text) in [
                ("configure_client", "Configure"),
                ("remove_client", "Remove"),
            ] {
                let mut button = Button::new_alloc();
                button.set_name(&format!("{text}_{}", client.id));
                button.set_text(text);
                let id = client.id;
                let sender = self.news.0.clone();
                button.signals().pressed().connect(move || {
                    let command = Command::new(action, object(json!({ "client": id })));
                    start_worker(sender.clone(), Some(command))
                });
                grid.add_child(&button);
            }
        }
        self.message = Some(message);
    }

    /// Starts reading every client's state.
    pub fn start_refresh(&mut self) {
        start_worker(self.news.0.clone(), None);
    }

    /// Starts the token's rotation (then every client we set up gets the new one), reported
    /// in the message line.
    pub fn start_rotation(&mut self) {
        let command = Command::new(runtime::ROTATE_ACCESS_TOKEN, JsonObject::new());
        start_worker(self.news.0.clone(), Some(command));
    }

    /// Shows what a worker reported, if one did.
    pub fn poll(&mut self) {
        let mut latest = None;
        while let Ok(news) = self.news.1.try_recv() {
            latest = Some(news);
        }
        let Some(news) = latest else {
            return;
        };
        for (id, label) in &mut self.states {
            if let Some((_, state)) = news.states.iter().find(|(known, _)| known == id) {
                label.set_text(state);
            }
        }
        if let (Some(message), Some(text)) = (&mut self.message, news.message) {
            message.set_text(&text);
        }
    }
}

/// Runs `action` (if any) then reads every client's state, on a worker thread.
fn start_worker(news: Sender<News>, action: Option<Command>) {
    let Some(board) = runtime::status_board() else {
        let _ = news.send(News {
            states: Vec::new(),
            message: Some("The plugin is not running, so there is no URL to set up.".to_owned()),
        });
        return;
    };
    let spawned = std::thread::Builder::new()
        .name("godot-ai-clients".to_owned())
        .spawn(move || {
            let message = action.map(|command| {
                match runtime::run_client_command(&board.access, &board.url, &command) {
                    Ok(done) if command.name == runtime::ROTATE_ACCESS_TOKEN => {
                        rotation_message(&done)
                    }
                    Ok(done) => text(&done, "message"),
                    Err(error) => error.message,
                }
            });
            let statuses = runtime::run_client_command(
                &board.access,
                &board.url,
                &Command::new("check_client_status", JsonObject::new()),
            );
            let states = match statuses {
                Ok(statuses) => states_of(&statuses),
                Err(error) => vec![("".to_owned(), error.message)],
            };
            let _ = news.send(News { states, message });
        });
    if let Err(error) = spawned {
        tracing::warn!("could not start the client set-up thread: {error}");
    }
}

/// What a rotation did, in words.
fn rotation_message(done: &JsonObject) -> String {
    let names = |key: &str| -> Vec<String> {
        done.get(key)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|item| {
                        item.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| format!("{} ({})", item["id"], item["error"]))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let reconfigured = names("reconfigured");
    let failed = names("failed");
    let mut message = if reconfigured.is_empty() {
        "New access token in force; no client was set up here yet.".to_owned()
    } else {
        format!(
            "New access token in force; set in: {}. Restart running clients.",
            reconfigured.join(", ")
        )
    };
    if !failed.is_empty() {
        message.push_str(&format!(" Not set in: {}.", failed.join(", ")));
    }
    message
}

/// `(id, state in words)` for each client of a `check_client_status` reply.
fn states_of(statuses: &JsonObject) -> Vec<(String, String)> {
    let Some(clients) = statuses.get("clients").and_then(Value::as_array) else {
        return Vec::new();
    };
    clients
        .iter()
        .filter_map(Value::as_object)
        .map(|client| {
            let state = match text(client, "status").as_str() {
                "configured" => "configured for this URL".to_owned(),
                "configured_mismatch" => match client.get("configured_url").and_then(Value::as_str)
                {
                    Some(url) => format!("configured for {url}"),
                    None => "configured for another URL".to_owned(),
                },
                "configured_stale_token" => {
                    "configured with an old access token: press Configure".to_owned()
                }
                "not_configured" if client.get("installed") == Some(&Value::Bool(false)) => {
                    "not installed".to_owned()
                }
                "not_configured" => "not configured".to_owned(),
                _ => format!("error: {}", text(client, "error")),
            };
            (text(client, "id"), state)
        })
        .collect()
}

fn text(object: &JsonObject, key: &str) -> String {
    object
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    }
}
