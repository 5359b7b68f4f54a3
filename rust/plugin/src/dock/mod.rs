//! The plugin's face in the editor: a dock that says at a glance where the endpoint and the
//! bridge stand, which agents are connected and what they did, undoes the agent's last scene
//! change, and sets up MCP clients with one click.
//!
//! Invariants:
//! - Never blocks the editor: client set-up (files, client programs) runs on a worker thread
//!   ([`clients`]); everything else the dock reads is in memory (the runtime's status board).
//! - Redraws at most [`REFRESH`] apart, and only what changed; an idle editor costs a few
//!   comparisons per refresh.
//! - Every control has a stable node name, which the test hook ([`probe`]) uses.

mod clients;
pub mod probe;
mod undo;

use std::time::{Duration, SystemTime};

use godot::classes::control::SizeFlags;
use godot::classes::text_server::AutowrapMode;
use godot::classes::{
    Button, DisplayServer, EditorInterface, GridContainer, HBoxContainer, HSeparator,
    IScrollContainer, Label, LineEdit, ScrollContainer, SpinBox, VBoxContainer,
};
use godot::prelude::*;
use godot_ai_bridge::BridgeStatus;

use crate::runtime::{self, EndpointState, StatusBoard};
use crate::settings;

/// How often the dock looks at the plugin's state.
const REFRESH: Duration = Duration::from_millis(500);

/// Recent calls shown.
const CALLS_SHOWN: usize = 8;

/// The dock's title in the editor.
pub const TITLE: &str = "Godot AI";

/// The dock. Created by the controller, which adds it to the editor and frees it.
#[derive(GodotClass)]
#[class(base = ScrollContainer, init, tool)]
pub struct GodotAiDock {
    base: Base<ScrollContainer>,
    /// The column every section is added to (the dock scrolls when it is taller than its slot).
    content: Option<Gd<VBoxContainer>>,
    since_refresh: f64,
    /// What was drawn last, so an unchanged state is not redrawn.
    drawn: Drawn,
    widgets: Option<Widgets>,
    clients: clients::ClientRows,
}

#[derive(Default, PartialEq)]
struct Drawn {
    url: String,
    endpoint: String,
    access: String,
    bridge: String,
    sessions: Vec<String>,
    calls: Vec<String>,
    undo: Option<String>,
}

/// The controls that change after they are built.
struct Widgets {
    url: Gd<LineEdit>,
    endpoint_state: Gd<Label>,
    access_state: Gd<Label>,
    access_buttons: Vec<Gd<Button>>,
    bridge_state: Gd<Label>,
    sessions: Gd<Label>,
    calls: Gd<Label>,
    undo: Gd<Button>,
}

#[godot_api]
impl IScrollContainer for GodotAiDock {
    fn ready(&mut self) {
        self.build();
        self.refresh();
        self.clients.start_refresh();
    }

    fn process(&mut self, delta: f64) {
        self.since_refresh += delta;
        if self.since_refresh < REFRESH.as_secs_f64() {
            return;
        }
        self.since_refresh = 0.0;
        self.refresh();
        self.clients.poll();
    }
}

#[godot_api]
impl GodotAiDock {
    fn copy_url(&mut self) {
        if let Some(board) = runtime::status_board() {
            DisplayServer::singleton().clipboard_set(&board.url);
        }
    }

    /// The token itself, for a client set up by hand. Never shown in the dock.
    fn copy_token(&mut self) {
        if let Some(token) = runtime::status_board().and_then(|board| board.access.access.token()) {
            DisplayServer::singleton().clipboard_set(token.expose());
        }
    }

    /// Claude Code's `claude mcp add` line for this endpoint, with the token's header.
    fn copy_setup_command(&mut self) {
        if let Some(board) = runtime::status_board() {
            let endpoint = board.access.endpoint(&board.url);
            let mut line = format!(
                "claude mcp add --scope user --transport http {} {}",
                godot_ai_clients::registry::SERVER_NAME,
                endpoint.url()
            );
            if let Some(authorization) = endpoint.authorization() {
                line.push_str(&format!(" --header \"Authorization: {authorization}\""));
            }
            DisplayServer::singleton().clipboard_set(&line);
        }
    }

    fn rotate_token(&mut self) {
        self.clients.start_rotation();
    }

    fn undo_agent_change(&mut self) {
        undo::undo_agent_change();
        self.refresh();
    }

    fn port_changed(&mut self, port: f64) {
        settings::set_mcp_port(port as u16);
    }
}

impl GodotAiDock {
    fn build(&mut self) {
        let dock = self.to_gd();
        let mut content = VBoxContainer::new_alloc();
        content.set_h_size_flags(SizeFlags::EXPAND_FILL);
        self.base_mut()
            .set_horizontal_scroll_mode(godot::classes::scroll_container::ScrollMode::DISABLED);
        self.base_mut().add_child(&content);
        self.content = Some(content);
        self.heading("Endpoint");
        let mut row = HBoxContainer::new_alloc();
        let mut url = LineEdit::new_alloc();
        url.set_name("Url");
        url.set_editable(false);
        url.set_h_size_flags(SizeFlags::EXPAND_FILL);
        row.add_child(&url);
        let copy = button("CopyUrl", "Copy");
        copy.signals()
            .pressed()
            .connect_other(&dock, Self::copy_url);
        row.add_child(&copy);
        self.add(&row);
        let endpoint_state = self.text("EndpointState");

        let mut port_row = HBoxContainer::new_alloc();
        let mut port_label = Label::new_alloc();
        port_label.set_text("Port (applies when the plugin restarts)");
        port_row.add_child(&port_label);
        let mut port = SpinBox::new_alloc();
        port.set_name("Port");
        port.set_min(1.0);
        port.set_max(65535.0);
        let choice = settings::mcp_port();
        port.set_value(f64::from(choice.port));
        if choice.source == settings::MCP_PORT_ENV {
            port.set_editable(false);
            port.set_tooltip_text(&format!(
                "Set by {} for this editor.",
                settings::MCP_PORT_ENV
            ));
        }
        port.signals()
            .value_changed()
            .connect_other(&dock, Self::port_changed);
        port_row.add_child(&port);
        self.add(&port_row);

        self.heading("Access");
        let access_state = self.text("AccessState");
        let mut access_row = HBoxContainer::new_alloc();
        let mut access_buttons = Vec::new();
        for (name, text, tooltip, pressed) in [
            (
                "CopyToken",
                "Copy token",
                "Copy the access token, for a client set up by hand.",
                Self::copy_token as fn(&mut Self),
            ),
            (
                "CopySetupCommand",
                "Copy set-up command",
                "Copy the `claude mcp add` line that sets Claude Code up with the token.",
                Self::copy_setup_command,
            ),
            (
                "RotateToken",
                "Rotate",
                "Make a new token: the old one is refused at once, and every client set up \
                 here gets the new one.",
                Self::rotate_token,
            ),
        ] {
            let mut button = button(name, text);
            button.set_tooltip_text(tooltip);
            button.signals().pressed().connect_other(&dock, pressed);
            access_row.add_child(&button);
            access_buttons.push(button);
        }
        self.add(&access_row);

        self.heading("godot-ai server");
        let bridge_state = self.text("BridgeState");
        self.heading("Sessions");
        let sessions = self.text("Sessions");
        self.heading("Recent activity");
        let calls = self.text("Activity");
        let undo = button("UndoAgentChange", "Undo the agent's last change");
        undo.signals()
            .pressed()
            .connect_other(&dock, Self::undo_agent_change);
        self.add(&undo);

        self.heading("Clients");
        let mut grid = GridContainer::new_alloc();
        grid.set_name("Clients");
        grid.set_columns(4);
        self.add(&grid);
        let message = self.text("ClientMessage");
        self.clients.build(grid, message);

        self.widgets = Some(Widgets {
            url,
            endpoint_state,
            access_state,
            access_buttons,
            bridge_state,
            sessions,
            calls,
            undo,
        });
    }

    /// Adds `control` to the dock's column.
    fn add(&mut self, control: &Gd<impl Inherits<Node>>) {
        if let Some(content) = &mut self.content {
            content.add_child(&control.clone().upcast::<Node>());
        }
    }

    fn heading(&mut self, text: &str) {
        self.add(&HSeparator::new_alloc());
        let mut label = Label::new_alloc();
        label.set_text(text);
        label.add_theme_color_override("font_color", Color::from_rgb(0.6, 0.8, 1.0));
        self.add(&label);
    }

    fn text(&mut self, name: &str) -> Gd<Label> {
        let mut label = Label::new_alloc();
        label.set_name(name);
        label.set_autowrap_mode(AutowrapMode::WORD_SMART);
        label.set_custom_minimum_size(Vector2::new(240.0, 0.0));
        self.add(&label);
        label
    }

    /// Redraws what changed since the last refresh.
    fn refresh(&mut self) {
        let board = runtime::status_board();
        let now = SystemTime::now();
        let wanted = Drawn {
            url: board
                .as_ref()
                .map(|board| board.url.clone())
                .unwrap_or_default(),
            endpoint: endpoint_text(board.as_ref()),
            access: access_text(board.as_ref()),
            bridge: bridge_text(board.as_ref(), now),
            sessions: session_lines(board.as_ref(), now),
            calls: call_lines(board.as_ref()),
            undo: undo::agent_change_name(),
        };
        if wanted == self.drawn {
            return;
        }
        let Some(widgets) = &mut self.widgets else {
            return;
        };
        let url = board
            .as_ref()
            .map(|board| board.url.clone())
            .unwrap_or_default();
        if widgets.url.get_text().to_string() != url {
            widgets.url.set_text(&url);
        }
        widgets.endpoint_state.set_text(&wanted.endpoint);
        widgets.access_state.set_text(&wanted.access);
        let token = board.as_ref().and_then(|board| board.access.access.token());
        let rotatable = board
            .as_ref()
            .is_some_and(|board| board.access.source == crate::access::Source::File);
        for button in &mut widgets.access_buttons {
            let disabled = match button.get_name().to_string().as_str() {
                "RotateToken" => !rotatable,
                "CopyToken" => token.is_none(),
                _ => board.is_none(),
            };
            button.set_disabled(disabled);
        }
        widgets.bridge_state.set_text(&wanted.bridge);
        widgets
            .sessions
            .set_text(&lines_or(&wanted.sessions, "No agent yet."));
        widgets
            .calls
            .set_text(&lines_or(&wanted.calls, "No call yet."));
        match &wanted.undo {
            Some(action) => {
                widgets
                    .undo
                    .set_text(&format!("Undo \u{201c}{action}\u{201d}"));
                widgets.undo.set_disabled(false);
            }
            None => {
                widgets.undo.set_text("Undo the agent's last change");
                widgets.undo.set_disabled(true);
            }
        }
        self.drawn = wanted;
    }
}

fn button(name: &str, text: &str) -> Gd<Button> {
    let mut button = Button::new_alloc();
    button.set_name(name);
    button.set_text(text);
    button
}

fn lines_or(lines: &[String], empty: &str) -> String {
    if lines.is_empty() {
        empty.to_owned()
    } else {
        lines.join("\n")
    }
}

fn endpoint_text(board: Option<&StatusBoard>) -> String {
    match board.map(|board| &board.endpoint) {
        Some(EndpointState::Serving) => "serving".to_owned(),
        Some(EndpointState::NotStarted(why)) => why.clone(),
        None if settings::is_headless() => format!(
            "idle: this is a headless editor (set {}=1 to serve from it)",
            settings::ALLOW_HEADLESS_ENV
        ),
        None => "stopped".to_owned(),
    }
}

/// Whether callers need the token, and where it comes from (never the token).
fn access_text(board: Option<&StatusBoard>) -> String {
    use crate::access::Source;
    let Some(board) = board else {
        return String::new();
    };
    match board.access.source {
        _ if !board.access.access.is_required() => format!(
            "OFF: any program on this computer can drive this editor. Turn it on in Editor \
             Settings > {}.",
            settings::REQUIRE_TOKEN_SETTING
        ),
        Source::Environment => format!(
            "Callers need the access token set by {} (rotate it there).",
            settings::TOKEN_ENV
        ),
        Source::File | Source::Off => "Callers need this project's access token (kept in \
             .godot/godot_ai_native/access_token). Configure puts it into a client."
            .to_owned(),
    }
}

fn bridge_text(board: Option<&StatusBoard>, now: SystemTime) -> String {
    let Some(board) = board else {
        return BridgeStatus::Off.describe(now);
    };
    let status = board.bridge.borrow().clone();
    match (status, board.ws_port) {
        (BridgeStatus::Off, None) => format!(
            "off: no godot-ai server is set up ({} is 0). The endpoint above needs none.",
            settings::WS_PORT_SETTING
        ),
        (status, Some(port)) => format!("{} (ws://127.0.0.1:{port})", status.describe(now)),
        (status, None) => status.describe(now),
    }
}

fn session_lines(board: Option<&StatusBoard>, now: SystemTime) -> Vec<String> {
    let Some(board) = board else {
        return Vec::new();
    };
    board
        .activity
        .snapshot()
        .sessions
        .iter()
        .map(|session| session.describe(now))
        .collect()
}

fn call_lines(board: Option<&StatusBoard>) -> Vec<String> {
    let Some(board) = board else {
        return Vec::new();
    };
    board
        .activity
        .snapshot()
        .calls
        .iter()
        .take(CALLS_SHOWN)
        .map(|call| call.describe())
        .collect()
}

/// Adds the dock to the editor's right dock column. Main thread only.
pub fn add_to_editor(plugin: &mut Gd<godot::classes::EditorPlugin>) -> Gd<GodotAiDock> {
    let mut dock = GodotAiDock::new_alloc();
    // The tab's title is the control's name when it is added.
    dock.set_name(TITLE);
    plugin.add_control_to_dock(
        godot::classes::editor_plugin::DockSlot::RIGHT_UL,
        &dock.clone().upcast::<godot::classes::Control>(),
    );
    dock
}

/// Takes the dock out of the editor and frees it.
pub fn remove_from_editor(plugin: &mut Gd<godot::classes::EditorPlugin>, dock: Gd<GodotAiDock>) {
    plugin.remove_control_from_docks(&dock.clone().upcast::<godot::classes::Control>());
    dock.free();
}

/// The dock in this editor, if the plugin added it (found by name under the editor's base
/// control). Main thread only.
pub fn find() -> Option<Gd<GodotAiDock>> {
    let base = EditorInterface::singleton().get_base_control()?;
    base.find_child_ex(TITLE)
        .recursive(true)
        .owned(false)
        .done()?
        .try_cast::<GodotAiDock>()
        .ok()
}
