//! The plugin's background services: a tokio runtime on its own threads running the MCP
//! endpoint and the bridge to a godot-ai server, and the cancellation token that stops both.
//!
//! Invariants:
//! - At most one runtime runs per editor; it lives in a main-thread slot so the controller
//!   and the library's shutdown hook can both stop it. Stopping is idempotent.
//! - After [`stop`] returns (but for a reload's, which pauses the services), the MCP port is
//!   free, the bridge has sent its 1000 close (or had half a second to), no task of ours runs,
//!   and every caller still waiting for the editor got an error.
//! - Nothing here blocks the main thread on network work: binding a loopback socket is
//!   immediate; serving and dialing happen on the runtime's threads.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use godot_ai_bridge::{ACK_TIMEOUT, BridgeConfig, BridgeStatus, DIAL_TIMEOUT, TcpDial};
use godot_ai_executor::{DEFAULT_CAPACITY, ExecutorHandle, OffMainThread, channel};
use godot_ai_mcp::activity::Activity;
use godot_ai_mcp::{Access, AppConfig, BindError, BoundEndpoint, InFlight, KeptListener, app};
use godot_ai_protocol::{Command, CommandResult};
use tokio::runtime::Runtime;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::access::AccessRule;
use crate::settings::{self, MCP_PORT_SETTING, PortChoice};
use crate::snapshot;
use crate::{main_thread, pacing};

/// How long stopping waits for runtime threads before abandoning them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// How long stopping waits for the bridge to say goodbye to the server, and for requests in
/// flight to get their answers (the "editor stopped" error) before their connections close.
const GOODBYE: Duration = Duration::from_millis(600);

/// Worker threads of the runtime: enough for concurrent clients, light on a 2-core machine.
const WORKER_THREADS: usize = 2;

struct Running {
    runtime: Runtime,
    /// The settings the services were started with.
    settings: ServiceSettings,
    session: Session,
    shutdown: CancellationToken,
    endpoint: Option<Endpoint>,
    bridge: Option<JoinHandle<()>>,
    board: StatusBoard,
}

/// What the dock shows, shared with the services that update it. Cheap to clone.
#[derive(Clone)]
pub struct StatusBoard {
    /// The endpoint's URL (also when its port could not be bound).
    pub url: String,
    pub endpoint: EndpointState,
    pub bridge: watch::Receiver<BridgeStatus>,
    /// The WebSocket port of the godot-ai server the bridge dials (`None`: the bridge is off).
    pub ws_port: Option<u16>,
    pub activity: Activity,
    /// Who may use the endpoint (the dock shows whether a token is required, never the token).
    pub access: AccessRule,
}

/// Whether the endpoint serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointState {
    Serving,
    /// It could not start: the sentence the Output panel got.
    NotStarted(String),
}

/// The board of the running plugin, if it runs. Main thread only.
pub fn status_board() -> Option<StatusBoard> {
    RUNNING.with(|slot| slot.borrow().as_ref().map(|running| running.board.clone()))
}

/// The MCP endpoint while it serves.
struct Endpoint {
    port: u16,
    /// Cancelled first when stopping: no new connection is accepted.
    stop_accepting: CancellationToken,
    /// The requests still being answered; the sessions end only once they are.
    in_flight: InFlight,
    /// Ends once every connection has been answered and closed.
    serving: JoinHandle<()>,
    /// A second handle on the listening socket, so a reload can keep the port open.
    kept: Option<KeptListener>,
}

/// This editor's session as godot-ai names it: `<project-slug>@<4 hex>`, new each time the
/// services start (a reload that keeps them keeps it), and when they started.
#[derive(Clone)]
pub struct Session {
    pub id: String,
    pub started: std::time::SystemTime,
}

/// The running plugin's session, if it runs. Main thread only.
pub fn session() -> Option<Session> {
    RUNNING.with(|slot| {
        slot.borrow()
            .as_ref()
            .map(|running| running.session.clone())
    })
}

thread_local! {
    static RUNNING: RefCell<Option<Running>> = const { RefCell::new(None) };
    /// Set by [`keep_services_across_next_stop`]: the next stop is a reload's.
    static RELOADING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The services a reload's stop paused, for the start that follows.
    static PAUSED: RefCell<Option<Running>> = const { RefCell::new(None) };
    /// The listening socket a reload kept for the next start.
    static KEPT: RefCell<Option<KeptListener>> = const { RefCell::new(None) };
}

/// What the services were started with, but the token (compared live: a rotation changes it
/// in place). A reload whose settings are unchanged keeps the services running.
#[derive(Debug, PartialEq)]
struct ServiceSettings {
    port: u16,
    ws_port: Option<u16>,
    token_source: crate::access::Source,
    allowed_origins: Vec<String>,
    session_idle_timeout: Option<Duration>,
    conformance_fixtures: bool,
    session_file: std::path::PathBuf,
}

impl ServiceSettings {
    fn read(port: u16, access: &AccessRule) -> Self {
        Self {
            port,
            ws_port: settings::ws_port(),
            token_source: access.source.clone(),
            allowed_origins: settings::allowed_origins(),
            session_idle_timeout: settings::session_idle_timeout(),
            conformance_fixtures: settings::conformance_fixtures(),
            session_file: settings::session_file(),
        }
    }
}

/// Makes the next [`stop`] a reload's: the services pause instead of stopping (the endpoint
/// keeps its connections and sessions, the bridge its link; calls made meanwhile wait in the
/// queue), and the [`start`] that follows resumes them, or restarts them on the same port
/// when a setting they were started with changed. A paused plugin that is stopped again
/// without a start stops for good.
pub fn keep_services_across_next_stop() {
    RELOADING.with(|reloading| reloading.set(true));
}

/// Forgets a [`keep_services_across_next_stop`] that no stop took (the editor did not disable
/// the plugin): a later stop, the user's own, must stop for good.
pub fn forget_reload() {
    RELOADING.with(|reloading| reloading.set(false));
}

/// Starts the services (stopping any that run), or resumes the ones a reload paused when
/// their settings are unchanged. Each service that cannot start says why in the Output; the
/// others run regardless.
pub fn start() {
    let port = settings::mcp_port();
    let access = AccessRule::resolve();
    let wanted = ServiceSettings::read(port.port, &access);
    if let Some(paused) = PAUSED.with(|slot| slot.take()) {
        let same_token = paused.board.access.access.token() == access.access.token();
        // An endpoint that could not start (a busy port) gets another try: users reload to
        // retry.
        let serving = paused.endpoint.is_some();
        if serving && paused.settings == wanted && same_token {
            resume(paused);
            return;
        }
        if serving {
            tracing::info!("the plugin's settings changed; restarting its services");
        }
        RUNNING.with(|slot| slot.replace(Some(paused)));
        stop_services(true);
    } else {
        stop();
    }
    start_services(port, access, wanted);
}

/// Runs again the services a reload paused (their endpoint serving).
fn resume(paused: Running) {
    crate::commands::scene::window::watch();
    crate::change_watch::watch();
    let url = paused.board.url.clone();
    RUNNING.with(|slot| slot.replace(Some(paused)));
    main_thread::resume();
    tracing::info!(
        "MCP endpoint listening on {url} (kept across the plugin reload; calls made meanwhile \
         are answered now)"
    );
}

fn start_services(port: PortChoice, access: AccessRule, wanted: ServiceSettings) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .thread_name("godot-ai-native")
        .enable_io()
        .enable_time()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!("Godot AI plugin not started: could not create its threads: {error}");
            return;
        }
    };
    let shutdown = CancellationToken::new();
    let (executor, queue) = channel(DEFAULT_CAPACITY);
    crate::commands::scene::window::watch();
    crate::change_watch::watch();
    let executor = executor
        .with_wake_hook(Arc::new(pacing::note_activity))
        .with_off_main_thread(Arc::new(ClientSetup {
            url: endpoint_url(port.port),
            access: access.clone(),
        }));
    main_thread::install(queue);

    let session = Session {
        id: godot_ai_bridge::session_id::new_session_id(&snapshot::identity().project_path),
        started: std::time::SystemTime::now(),
    };
    let activity = Activity::new();
    let url = endpoint_url(port.port);
    let endpoint = start_mcp_endpoint(
        &runtime,
        executor.clone(),
        &shutdown,
        &session.id,
        port,
        activity.clone(),
        access.access.clone(),
    );
    let (bridge_status, bridge_status_receiver) = watch::channel(BridgeStatus::Off);
    let ws_port = wanted.ws_port;
    let bridge = ws_port.map(|port| {
        start_bridge(
            &runtime,
            executor,
            &shutdown,
            &session.id,
            port,
            bridge_status,
        )
    });
    let board = StatusBoard {
        url,
        endpoint: match &endpoint {
            Ok(_) => EndpointState::Serving,
            Err(why) => EndpointState::NotStarted(why.clone()),
        },
        bridge: bridge_status_receiver,
        ws_port,
        activity,
        access,
    };
    let endpoint = endpoint.ok();
    RUNNING.with(|slot| {
        slot.replace(Some(Running {
            runtime,
            settings: wanted,
            session,
            shutdown,
            endpoint,
            bridge,
            board,
        }))
    });
}

fn start_mcp_endpoint(
    runtime: &Runtime,
    executor: ExecutorHandle,
    shutdown: &CancellationToken,
    session_id: &str,
    choice: PortChoice,
    activity: Activity,
    access: Access,
) -> Result<Endpoint, String> {
    let kept = KEPT
        .with(|slot| slot.take())
        .filter(|kept| kept.port() == choice.port);
    let bound = match kept {
        Some(kept) => Ok(BoundEndpoint::from_kept(kept)),
        None => BoundEndpoint::bind(choice.port),
    };
    let endpoint = match bound {
        Ok(endpoint) => endpoint,
        Err(error) => {
            let why = describe_bind_error(&error);
            tracing::error!("{why}");
            return Err(why);
        }
    };
    let url = endpoint.url();
    let port = endpoint.address().port();
    let in_flight = InFlight::new();
    let conformance_fixtures = settings::conformance_fixtures();
    if conformance_fixtures {
        tracing::warn!(
            "{}=1: the endpoint also serves the MCP conformance suite's test tools, resources and prompts.",
            godot_ai_mcp::fixtures::FIXTURES_ENV
        );
    }
    let router = app(
        executor,
        AppConfig {
            shutdown: shutdown.clone(),
            in_flight: in_flight.clone(),
            session_idle_timeout: settings::session_idle_timeout(),
            session_file: Some(settings::session_file()),
            editor_session_id: session_id.to_owned(),
            activity,
            custom_tools: crate::commands::custom::registry::catalog(),
            events: crate::change_watch::events(),
            conformance_fixtures,
            access,
            allowed_origins: settings::allowed_origins(),
        },
    );
    let kept = endpoint
        .keep()
        .map_err(|error| tracing::debug!("the MCP port cannot be kept across reloads: {error}"))
        .ok();
    let stop_accepting = shutdown.child_token();
    let serve_stop = stop_accepting.clone();
    let serving = runtime.spawn(async move {
        if let Err(error) = endpoint.serve(router, serve_stop).await {
            tracing::error!("MCP endpoint stopped with an error: {error}");
        }
    });
    tracing::info!("MCP endpoint listening on {url}");
    tracing::info!(
        "set up a client with the Godot AI dock's Configure button or client_manage (op \
         configure); the dock's Copy set-up command gives the `claude mcp add` line with the \
         access token"
    );
    tracing::debug!(port, source = choice.source, "endpoint started");
    Ok(Endpoint {
        port,
        stop_accepting,
        in_flight,
        serving,
        kept,
    })
}

/// The endpoint's URL on `port` (what client configuration writes).
fn endpoint_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}{}", godot_ai_mcp::MCP_PATH)
}

/// Client configuration (`configure_client`…) and the token's rotation: files and client
/// programs, answered on a worker thread so the editor never waits for them.
struct ClientSetup {
    url: String,
    access: AccessRule,
}

/// The command that replaces the access token and sets every client we set up to the new one.
pub const ROTATE_ACCESS_TOKEN: &str = "rotate_access_token";

impl OffMainThread for ClientSetup {
    fn handles(&self, name: &str) -> bool {
        name == ROTATE_ACCESS_TOKEN || godot_ai_clients::commands::handles(name)
    }

    fn run(&self, command: &Command) -> CommandResult {
        run_client_command(&self.access, &self.url, command)
    }
}

/// Runs a client set-up command, or the token's rotation, for the endpoint at `url`. Blocking
/// file and process work: off the main thread (an MCP call's worker, or the dock's).
pub fn run_client_command(access: &AccessRule, url: &str, command: &Command) -> CommandResult {
    if command.name == ROTATE_ACCESS_TOKEN {
        return rotate_access_token(access, url);
    }
    godot_ai_clients::commands::run(command, &access.endpoint(url))
}

/// New token in force, then every client pointed at this endpoint set to it.
fn rotate_access_token(access: &AccessRule, url: &str) -> CommandResult {
    access
        .rotate()
        .map_err(godot_ai_protocol::CommandError::internal)?;
    tracing::info!("the access token was rotated: the old one is refused from now on");
    let places = godot_ai_clients::places::Places::from_process().ok_or_else(|| {
        godot_ai_protocol::CommandError::internal(
            "The token was rotated, but no home folder is known (HOME is not set), so no client \
             could be set to the new one.",
        )
    })?;
    let mut reply =
        godot_ai_clients::commands::reconfigure_after_rotation(&places, &access.endpoint(url));
    reply.insert("rotated".into(), serde_json::json!(true));
    reply.insert(
        "note".into(),
        serde_json::json!(
            "The old token is refused from now on. Clients set up here have the new one in their \
             config; those running now keep the old one until they reconnect: restart them (in \
             Claude Code, /mcp then reconnect)."
        ),
    );
    Ok(reply)
}

fn start_bridge(
    runtime: &Runtime,
    executor: ExecutorHandle,
    shutdown: &CancellationToken,
    session_id: &str,
    port: u16,
    status: watch::Sender<BridgeStatus>,
) -> JoinHandle<()> {
    let identity = snapshot::identity();
    let config = BridgeConfig {
        session_id: session_id.to_owned(),
        identity,
        executor,
        snapshots: main_thread::publish_snapshots(),
        shutdown: shutdown.clone(),
        ack_timeout: ACK_TIMEOUT,
        status,
    };
    let dial = TcpDial {
        url: format!("ws://127.0.0.1:{port}"),
        timeout: DIAL_TIMEOUT,
    };
    tracing::debug!(port, session = %config.session_id, "bridge started");
    runtime.spawn(godot_ai_bridge::run(dial, config))
}

/// Stops the services if they run (or pauses them, for a reload: see
/// [`keep_services_across_next_stop`]); does nothing otherwise.
pub fn stop() {
    let reloading = RELOADING.with(|reloading| reloading.replace(false));
    crate::commands::scene::window::unwatch();
    crate::change_watch::unwatch();
    if reloading && RUNNING.with(|slot| slot.borrow().is_some()) {
        pause();
        return;
    }
    if let Some(paused) = PAUSED.with(|slot| slot.take()) {
        RUNNING.with(|slot| slot.replace(Some(paused)));
    }
    stop_services(false);
}

/// Sets the running services aside for the start that follows a reload: commands wait in the
/// queue meanwhile, and nothing of the endpoint or the bridge stops.
fn pause() {
    let started = Instant::now();
    main_thread::pause();
    let paused = RUNNING.with(|slot| slot.take());
    let port = paused
        .as_ref()
        .and_then(|running| running.endpoint.as_ref())
        .map(|endpoint| endpoint.port);
    PAUSED.with(|slot| slot.replace(paused));
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    match port {
        Some(port) => tracing::info!(
            "MCP endpoint paused for a reload; port {port} stays open and keeps its \
             connections, and calls wait for the plugin ({elapsed:.1} ms)"
        ),
        None => tracing::info!("Godot AI plugin paused for a reload"),
    }
}

/// Stops the running services; `keeping_port`: the listening socket is kept for the next
/// start (a reload whose settings changed).
fn stop_services(keeping_port: bool) {
    main_thread::uninstall();
    let Some(mut running) = RUNNING.with(|slot| slot.take()) else {
        return;
    };
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + GOODBYE;
    let port = running.endpoint.as_ref().map(|endpoint| endpoint.port);
    let kept = running
        .endpoint
        .as_mut()
        .and_then(|endpoint| endpoint.kept.take())
        .filter(|_| keeping_port);
    let kept_port = kept.is_some();
    // In order, each step bounded by one deadline: stop accepting; let the requests in flight
    // get their answers (the queue is gone, so every call waiting for the editor already has
    // its error) instead of cutting their streams; end the sessions and the bridge (which
    // writes its close frame); let the connections close.
    running.runtime.block_on(async {
        if let Some(endpoint) = &running.endpoint {
            endpoint.stop_accepting.cancel();
            let _ = tokio::time::timeout_at(deadline, endpoint.in_flight.drained()).await;
        }
        running.shutdown.cancel();
        let serving = running.endpoint.map(|endpoint| endpoint.serving);
        for task in [running.bridge, serving].into_iter().flatten() {
            let _ = tokio::time::timeout_at(deadline, task).await;
        }
    });
    running.runtime.shutdown_timeout(SHUTDOWN_GRACE);
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    match port {
        Some(port) if kept_port => tracing::info!(
            "MCP endpoint stopped for a reload; port {port} stays open for the restarted \
             endpoint ({elapsed:.1} ms)"
        ),
        Some(port) => {
            tracing::info!("MCP endpoint stopped; port {port} is free ({elapsed:.1} ms)")
        }
        None => tracing::info!("Godot AI plugin stopped ({elapsed:.1} ms)"),
    }
    if let Some(kept) = kept {
        KEPT.with(|slot| slot.replace(Some(kept)));
    }
}

fn describe_bind_error(error: &BindError) -> String {
    match error {
        BindError::PortInUse { port } => format!(
            "MCP endpoint not started: port {port} on 127.0.0.1 is already in use. Free it, or \
             choose another port in Editor Settings > {MCP_PORT_SETTING} (or set {}), then \
             disable and re-enable the plugin.",
            settings::MCP_PORT_ENV
        ),
        other => format!("MCP endpoint not started: {other}"),
    }
}
