//! The axum application: loopback guard -> access token -> JSON-RPC answers at the HTTP edge
//! -> stale-session diagnostic -> rmcp's streamable-HTTP service at `/mcp`.
//!
//! [`app`] builds a plain `Router` with no socket, so tests drive it with
//! `tower::ServiceExt::oneshot` and production serves it with [`crate::serve`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use godot_ai_executor::ExecutorHandle;
use godot_ai_protocol::custom_tools::CustomToolCatalog;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tower::Layer;

use crate::access::{self, Access};
use crate::activity::Activity;
use crate::custom_tools::CustomTools;
use crate::editor_events::EditorEvents;
use crate::fixtures::dynamic_tool::DynamicTool;
use crate::guard;
use crate::in_flight::InFlight;
use crate::server::GodotMcpServer;
use crate::session_file::SessionFile;
use crate::sessions::{self, Sessions};
use crate::stale_session::{SESSION_HEADER, StaleSessionLayer};
use crate::tasks::EditorTasks;
use crate::wire_answers;

/// The path the MCP endpoint is served at.
pub const MCP_PATH: &str = "/mcp";

/// Largest request body accepted. rmcp's default (4 MiB) refuses a write of a 4 MiB text
/// before it reaches the editor (HTTP 413); 16 MiB takes a 5 MiB property or script with room
/// for JSON escaping, and still bounds what one request can make the editor hold.
pub const MAX_REQUEST_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Everything the app needs besides the executor.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Cancelled when the plugin stops: ends every session and open SSE stream. Cancel it once
    /// `in_flight` has drained (see [`InFlight`]), so every request gets its answer first.
    pub shutdown: CancellationToken,
    /// The POSTs whose answers are still on their way.
    pub in_flight: InFlight,
    /// Idle time after which a session is forgotten; `None` keeps sessions while the editor runs.
    pub session_idle_timeout: Option<Duration>,
    /// Where sessions are persisted so they survive a restart; `None` keeps them in memory only.
    pub session_file: Option<PathBuf>,
    /// This editor's godot-ai session id (`<project>@<hex>`): a tool call naming another
    /// session is refused rather than run here. Empty accepts any.
    pub editor_session_id: String,
    /// Where sessions and calls are recorded for the editor's dock.
    pub activity: Activity,
    /// The custom tools the project's addons registered (the promoted ones are listed).
    pub custom_tools: watch::Receiver<CustomToolCatalog>,
    /// What the editor publishes as it happens: log lines and changes, for the sessions that
    /// asked to hear of them.
    pub events: EditorEvents,
    /// Serve the conformance suite's fixtures too (see [`crate::fixtures`]); off by default.
    pub conformance_fixtures: bool,
    /// Who may use the endpoint (see [`crate::access`]). The plugin requires its token; the
    /// default, for tests of other layers, lets anyone in.
    pub access: Access,
    /// Web origins the user lets in (see [`crate::guard`]); empty by default: pages get nothing.
    pub allowed_origins: Vec<String>,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            shutdown: CancellationToken::new(),
            in_flight: InFlight::new(),
            session_idle_timeout: None,
            session_file: None,
            editor_session_id: String::new(),
            activity: Activity::new(),
            custom_tools: watch::channel(CustomToolCatalog::default()).1,
            events: EditorEvents::new(),
            conformance_fixtures: false,
            access: Access::open(),
            allowed_origins: Vec::new(),
        }
    }
}

/// Builds the router: `POST/GET/DELETE /mcp`, every route behind the loopback guard and the
/// access token.
pub fn app(executor: ExecutorHandle, config: AppConfig) -> Router {
    app_with_sessions(executor, config).0
}

/// [`app`], and the session manager it serves from (to see what is held in memory).
pub fn app_with_sessions(executor: ExecutorHandle, config: AppConfig) -> (Router, Arc<Sessions>) {
    let sessions = Arc::new(sessions::sessions(config.session_idle_timeout));
    let mut http_config = StreamableHttpServerConfig::default()
        .with_cancellation_token(config.shutdown.child_token())
        .with_sse_keep_alive(Some(Duration::from_secs(15)))
        .with_max_request_body_bytes(MAX_REQUEST_BODY_BYTES)
        // Plain JSON answers for simple calls on the stateless (2026-07-28) protocol: cheaper
        // for clients than an SSE stream; anything with notifications still streams.
        .with_json_response(true);
    let store = config.session_file.map(|path| {
        let store = SessionFile::new(path);
        match config.session_idle_timeout {
            Some(idle) => store.with_max_idle(idle),
            None => store,
        }
    });
    if let Some(store) = &store {
        http_config.session_store = Some(Arc::new(store.clone()));
    }
    let editor_session_id: Arc<str> = config.editor_session_id.into();
    let activity = config.activity;
    let activity_for_delete = activity.clone();
    let custom_tools = CustomTools::new(config.custom_tools);
    let tasks = EditorTasks::new();
    let events = config.events;
    let fixtures = config.conformance_fixtures;
    let dynamic_tool = DynamicTool::default();
    let service = StreamableHttpService::new(
        move || {
            Ok(GodotMcpServer::new(executor.clone())
                .for_editor_session(editor_session_id.clone())
                .with_activity(activity.clone())
                .with_custom_tools(custom_tools.clone())
                .with_tasks(tasks.clone())
                .with_events(events.clone())
                .with_fixtures(fixtures, dynamic_tool.clone()))
        },
        sessions.clone(),
        http_config,
    );
    let router = Router::new().nest_service(MCP_PATH, StaleSessionLayer.layer(service));
    let router = match store {
        Some(store) => router.layer(middleware::from_fn(move |request: Request, next: Next| {
            if let Some(id) = request
                .headers()
                .get(SESSION_HEADER)
                .and_then(|value| value.to_str().ok())
            {
                store.note_use(id);
            }
            next.run(request)
        })),
        None => router,
    };
    // A session that ends (DELETE) leaves the dock's list.
    let ended = activity_for_delete;
    let router = router.layer(middleware::from_fn(move |request: Request, next: Next| {
        let ending = (request.method() == axum::http::Method::DELETE)
            .then(|| request.headers().get(SESSION_HEADER))
            .flatten()
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let ended = ended.clone();
        async move {
            let response = next.run(request).await;
            if let Some(id) = ending.filter(|_| response.status().is_success()) {
                ended.ended(&id);
            }
            response
        }
    }));
    let router = router.layer(middleware::from_fn(wire_answers::jsonrpc_answers));
    let in_flight = config.in_flight;
    let router = router.layer(middleware::from_fn(move |request: Request, next: Next| {
        in_flight.clone().track(request, next)
    }));
    let access = config.access;
    let router = router.layer(middleware::from_fn(move |request: Request, next: Next| {
        access::require_token(access.clone(), request, next)
    }));
    let allowed_origins: Arc<[String]> = config.allowed_origins.into();
    let router = router.layer(middleware::from_fn(move |request: Request, next: Next| {
        guard::loopback_only(allowed_origins.clone(), request, next)
    }));
    (router, sessions)
}
