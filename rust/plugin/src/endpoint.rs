//! The running MCP endpoint: a tokio runtime on background threads serving the axum app, and
//! the cancellation token that stops it.
//!
//! Invariants:
//! - At most one endpoint runs per editor; it lives in a main-thread slot so the controller
//!   and the library's shutdown hook can both stop it. Stopping is idempotent.
//! - After [`stop_running`] returns, the port is free, no task of ours runs, and every caller
//!   still waiting for the editor got an error.
//! - Nothing here blocks the main thread on network work: binding a loopback socket is
//!   immediate, and serving happens on the runtime's threads.

use std::cell::RefCell;
use std::time::Duration;

use godot_ai_executor::{DEFAULT_CAPACITY, channel};
use godot_ai_mcp::{AppConfig, BindError, BoundEndpoint, app};
use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;

use crate::main_thread;
use crate::settings::{self, MCP_PORT_SETTING};

/// How long stopping waits for runtime threads before abandoning them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Worker threads of the endpoint's runtime: enough for concurrent clients, light on a
/// 2-core machine.
const WORKER_THREADS: usize = 2;

struct RunningEndpoint {
    runtime: Runtime,
    shutdown: CancellationToken,
    port: u16,
}

thread_local! {
    static RUNNING: RefCell<Option<RunningEndpoint>> = const { RefCell::new(None) };
}

/// Why the endpoint is not running after [`start`].
#[derive(Debug)]
pub enum StartError {
    Runtime(std::io::Error),
    Bind(BindError),
}

/// Starts the endpoint unless one already runs. Returns its URL.
pub fn start() -> Result<String, StartError> {
    stop_running();
    let choice = settings::mcp_port();
    let endpoint = BoundEndpoint::bind(choice.port).map_err(StartError::Bind)?;
    let url = endpoint.url();
    let port = endpoint.address().port();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .thread_name("godot-ai-native")
        .enable_io()
        .enable_time()
        .build()
        .map_err(StartError::Runtime)?;
    let shutdown = CancellationToken::new();
    let (executor, queue) = channel(DEFAULT_CAPACITY);
    let router = app(
        executor,
        AppConfig {
            shutdown: shutdown.clone(),
            session_idle_timeout: settings::session_idle_timeout(),
            session_file: Some(settings::session_file()),
        },
    );
    main_thread::install(queue);
    let serve_shutdown = shutdown.clone();
    runtime.spawn(async move {
        if let Err(error) = endpoint.serve(router, serve_shutdown).await {
            tracing::error!("MCP endpoint stopped with an error: {error}");
        }
    });
    tracing::debug!(
        port = choice.port,
        source = choice.source,
        "endpoint started"
    );
    RUNNING.with(|slot| {
        slot.replace(Some(RunningEndpoint {
            runtime,
            shutdown,
            port,
        }))
    });
    Ok(url)
}

/// Stops the endpoint if one runs; does nothing otherwise.
pub fn stop_running() {
    main_thread::uninstall();
    let Some(running) = RUNNING.with(|slot| slot.take()) else {
        return;
    };
    let started = std::time::Instant::now();
    running.shutdown.cancel();
    running.runtime.shutdown_timeout(SHUTDOWN_GRACE);
    tracing::info!(
        "MCP endpoint stopped; port {} is free ({:.1} ms)",
        running.port,
        started.elapsed().as_secs_f64() * 1000.0
    );
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Bind(BindError::PortInUse { port }) => write!(
                f,
                "MCP endpoint not started: port {port} on 127.0.0.1 is already in use. \
                 Free it, or choose another port in Editor Settings > {MCP_PORT_SETTING} \
                 (or set {}), then disable and re-enable the plugin.",
                settings::MCP_PORT_ENV
            ),
            StartError::Bind(error) => write!(f, "MCP endpoint not started: {error}"),
            StartError::Runtime(error) => {
                write!(
                    f,
                    "MCP endpoint not started: could not create its threads: {error}"
                )
            }
        }
    }
}
