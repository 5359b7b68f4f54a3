//! The session manager behind the endpoint: rmcp's in-memory [`LocalSessionManager`], wrapped
//! so that it stays bounded and never leaves a client waiting.
//!
//! ```text
//! BoundedSessions        at most MAX_LIVE_SESSIONS in memory; the rest wait in the store
//!   ResumableStreams     a resumed stream replays, or answers at once that it cannot
//!     LocalSessionManager  rmcp's sessions, workers and event caches
//! ```

pub mod bounded;
pub mod resume;

use std::time::Duration;

use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;

pub use bounded::{BoundedSessions, MAX_LIVE_SESSIONS};
pub use resume::{EventTag, NOT_RESUMABLE_REASON, ResumableStreams};

/// The endpoint's session manager.
pub type Sessions = BoundedSessions<ResumableStreams<LocalSessionManager>>;

/// Sessions forgotten after `idle_timeout` without a request (`None`: kept while the editor
/// runs, up to [`MAX_LIVE_SESSIONS`] in memory).
pub fn sessions(idle_timeout: Option<Duration>) -> Sessions {
    let mut local = LocalSessionManager::default();
    local.session_config.keep_alive = idle_timeout;
    BoundedSessions::new(ResumableStreams::new(local), MAX_LIVE_SESSIONS)
}
