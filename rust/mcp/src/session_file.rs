//! Sessions that survive a plugin reload or an editor restart: rmcp's [`SessionStore`] backed
//! by one small JSON file (normally `<project>/.godot/godot_ai_native/mcp_sessions.json`).
//!
//! rmcp stores a session's `initialize` parameters after the handshake and, when a request
//! names a session it does not hold in memory, loads them and replays the handshake, so the
//! client simply continues. `DELETE /mcp` removes the entry: that session is gone for good.
//!
//! Invariants:
//! - The file holds only what `initialize` carried (client name, version, capabilities): no
//!   headers, no tokens. It is private to its owner (mode 0600 on Unix; on Windows it has the
//!   ACL of the project's `.godot/` folder) and replaced atomically (temp file + rename), see
//!   [`atomic_file`].
//! - It stays small: at most [`MAX_SESSIONS`] entries of at most [`MAX_ENTRY_BYTES`] each;
//!   entries unused for the idle limit ([`MAX_IDLE`], or less when the idle-timeout setting
//!   is set) are pruned and never restored, then the least recently used beyond the cap.
//! - "Used" means a request named the session: [`SessionFile::note_use`] records it (on disk
//!   at most once per [`TOUCH_EVERY`] per session, off the request path).
//! - A missing, unreadable or corrupt file means "no stored sessions" (logged once per
//!   failure), never an error for the client: unknown sessions then get the stale-session
//!   diagnostic as usual.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use godot_ai_protocol::atomic_file::{self, Visibility};

use rmcp::transport::streamable_http_server::session::{
    SessionState, SessionStore, SessionStoreError,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Mutex;

/// Most sessions remembered.
pub const MAX_SESSIONS: usize = 64;

/// Largest `initialize` payload remembered; larger ones are not persisted.
pub const MAX_ENTRY_BYTES: usize = 16 * 1024;

/// Sessions unused for this long are forgotten.
pub const MAX_IDLE: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// How often a session in use has its last-use time written to the file.
pub const TOUCH_EVERY: Duration = Duration::from_secs(60);

const FILE_VERSION: u32 = 1;

/// Size beyond which the record of recent writes sheds the entries that no longer matter.
const TOUCHED_KEPT: usize = 4 * MAX_SESSIONS;

/// The session store. Cheap to clone; all clones share one file lock.
#[derive(Debug, Clone)]
pub struct SessionFile {
    path: Arc<PathBuf>,
    lock: Arc<Mutex<()>>,
    max_idle: Duration,
    /// How often a session's use is written to the file.
    touch_every: Duration,
    /// When each session's use was last written to the file, by this process.
    touched: Arc<std::sync::Mutex<HashMap<String, std::time::Instant>>>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Contents {
    version: u32,
    sessions: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    id: String,
    /// rmcp's `SessionState`, kept as JSON so the file format does not depend on rmcp's types.
    state: Value,
    created_unix: u64,
    last_used_unix: u64,
}

impl SessionFile {
    /// A store writing to `path` (its folder is created on first write).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: Arc::new(path.into()),
            lock: Arc::new(Mutex::new(())),
            max_idle: MAX_IDLE,
            touch_every: TOUCH_EVERY,
            touched: Arc::default(),
        }
    }

    /// Forgets sessions unused for `max_idle` (capped at [`MAX_IDLE`]).
    pub fn with_max_idle(mut self, max_idle: Duration) -> Self {
        self.max_idle = max_idle.min(MAX_IDLE);
        // Record use often enough that a session in use never looks idle after a restart.
        self.touch_every = TOUCH_EVERY.min(self.max_idle / 4);
        self
    }

    /// Records that a request named `session_id`. Cheap and non-blocking: the file is updated
    /// in the background, at most once per [`TOUCH_EVERY`] (or a quarter of the idle limit)
    /// per session, and only for sessions
    /// it already holds. Must be called within a tokio runtime.
    pub fn note_use(&self, session_id: &str) {
        {
            let mut touched = self
                .touched
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            let now = std::time::Instant::now();
            match touched.get(session_id) {
                Some(last) if now.duration_since(*last) < self.touch_every => return,
                _ => {
                    touched.insert(session_id.to_owned(), now);
                }
            }
            if touched.len() > TOUCHED_KEPT {
                // Forgetting an entry costs at most one early write for its session, so the
                // map stays small however many sessions clients open: first those that no
                // longer hold a write back, then (a flood of new sessions) all of them.
                let touch_every = self.touch_every;
                touched.retain(|_, last| now.duration_since(*last) < touch_every);
                if touched.len() > TOUCHED_KEPT {
                    touched.clear();
                }
            }
        }
        let store = self.clone();
        let id = session_id.to_owned();
        tokio::spawn(async move {
            let touched = store
                .update(move |contents, now| {
                    match contents.sessions.iter_mut().find(|entry| entry.id == id) {
                        Some(entry) => {
                            entry.last_used_unix = now;
                            ((), true)
                        }
                        None => ((), false),
                    }
                })
                .await;
            if let Err(error) = touched {
                tracing::debug!("could not record MCP session use: {error}");
            }
        });
    }

    /// The file's location.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads, changes and (when `change` says so) writes the file under the lock, off the
    /// async threads.
    async fn update<T: Send + 'static>(
        &self,
        change: impl FnOnce(&mut Contents, u64) -> (T, bool) + Send + 'static,
    ) -> Result<T, SessionStoreError> {
        let _guard = self.lock.lock().await;
        let path = self.path.clone();
        let max_idle = self.max_idle;
        tokio::task::spawn_blocking(move || {
            let mut contents = read(&path);
            let now = unix_now();
            let before = contents.sessions.len();
            prune(&mut contents, now, max_idle);
            let (answer, changed) = change(&mut contents, now);
            if changed || contents.sessions.len() != before {
                prune(&mut contents, now, max_idle);
                write(&path, &contents)?;
            }
            Ok(answer)
        })
        .await
        .map_err(|error| -> SessionStoreError { Box::new(error) })?
    }
}

#[async_trait::async_trait]
impl SessionStore for SessionFile {
    async fn load(&self, session_id: &str) -> Result<Option<SessionState>, SessionStoreError> {
        let id = session_id.to_owned();
        let state = self
            .update(move |contents, now| {
                match contents.sessions.iter_mut().find(|entry| entry.id == id) {
                    Some(entry) => {
                        entry.last_used_unix = now;
                        (Some(entry.state.clone()), true)
                    }
                    None => (None, false),
                }
            })
            .await?;
        match state.map(serde_json::from_value::<SessionState>) {
            Some(Ok(state)) => Ok(Some(state)),
            Some(Err(error)) => {
                tracing::warn!(
                    "stored MCP session {session_id} is unreadable ({error}); ignoring it"
                );
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn store(&self, session_id: &str, state: &SessionState) -> Result<(), SessionStoreError> {
        let state = serde_json::to_value(state)?;
        let size = state.to_string().len();
        if size > MAX_ENTRY_BYTES {
            tracing::warn!(
                "not persisting MCP session {session_id}: its initialize payload has {size} bytes \
                 (limit {MAX_ENTRY_BYTES}); it will not survive a restart"
            );
            return Ok(());
        }
        let id = session_id.to_owned();
        self.update(move |contents, now| {
            contents.sessions.retain(|entry| entry.id != id);
            contents.sessions.push(Entry {
                id,
                state,
                created_unix: now,
                last_used_unix: now,
            });
            ((), true)
        })
        .await
    }

    async fn delete(&self, session_id: &str) -> Result<(), SessionStoreError> {
        let id = session_id.to_owned();
        self.update(move |contents, _| {
            let before = contents.sessions.len();
            contents.sessions.retain(|entry| entry.id != id);
            ((), contents.sessions.len() != before)
        })
        .await
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

fn read(path: &Path) -> Contents {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Contents::default(),
        Err(error) => {
            tracing::warn!(
                "cannot read {}: {error}; starting with no stored sessions",
                path.display()
            );
            return Contents::default();
        }
    };
    match serde_json::from_str::<Contents>(&text) {
        Ok(contents) if contents.version == FILE_VERSION => contents,
        Ok(contents) => {
            tracing::warn!(
                "{} has format version {}, expected {FILE_VERSION}; starting afresh",
                path.display(),
                contents.version
            );
            Contents::default()
        }
        Err(error) => {
            tracing::warn!("{} is corrupt ({error}); starting afresh", path.display());
            Contents::default()
        }
    }
}

/// Drops entries idle longer than `max_idle`, then the least recently used beyond
/// [`MAX_SESSIONS`] (among equally recent ones, the earliest stored goes first).
fn prune(contents: &mut Contents, now: u64, max_idle: Duration) {
    let max_idle = max_idle.as_secs();
    contents
        .sessions
        .retain(|entry| now.saturating_sub(entry.last_used_unix) <= max_idle);
    if contents.sessions.len() > MAX_SESSIONS {
        // Entries are kept in storing order: newest first, then a stable sort by recency.
        contents.sessions.reverse();
        contents
            .sessions
            .sort_by_key(|entry| std::cmp::Reverse(entry.last_used_unix));
        contents.sessions.truncate(MAX_SESSIONS);
        contents.sessions.reverse();
    }
}

fn write(path: &Path, contents: &Contents) -> Result<(), SessionStoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let versioned = Contents {
        version: FILE_VERSION,
        sessions: contents.sessions.clone(),
    };
    let text = serde_json::to_string_pretty(&versioned)?;
    // Each write has its own temporary file: two stores on the same file (the endpoint before
    // and after a plugin reload, for a moment) never rename each other's half-written file.
    atomic_file::replace(path, text.as_bytes(), Visibility::Private)?;
    Ok(())
}

#[cfg(test)]
mod tests;
