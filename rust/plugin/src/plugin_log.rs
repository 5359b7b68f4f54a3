//! The plugin's own recent log lines, kept for `get_logs` (godot-ai's `plugin` log source):
//! every `MCP | ` line printed to the Output panel, plus a `[recv]`/`[send]` trace of each
//! command that is kept here only (it would flood the Output panel).
//!
//! Plain Rust behind a mutex: written from any thread, never touches Godot.

use std::collections::VecDeque;
use std::sync::Mutex;

/// How many lines are kept; older ones are dropped first (godot-ai keeps 500 too).
pub const CAPACITY: usize = 500;

/// Longest command trace kept, so a large `write_file` does not fill the buffer.
const MAX_TRACE_CHARS: usize = 200;

static LINES: Mutex<VecDeque<String>> = Mutex::new(VecDeque::new());

fn lines() -> std::sync::MutexGuard<'static, VecDeque<String>> {
    // A panic while holding the lock cannot leave the deque inconsistent: keep using it.
    LINES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Keeps `line` (already prefixed `MCP | `).
pub fn record(line: String) {
    let mut lines = lines();
    if lines.len() == CAPACITY {
        lines.pop_front();
    }
    lines.push_back(line);
}

/// Keeps a trace line, shortened to a bounded length.
pub fn trace(text: &str) {
    let mut line = String::from(crate::logging::PREFIX);
    line.extend(text.chars().take(MAX_TRACE_CHARS));
    if text.chars().count() > MAX_TRACE_CHARS {
        line.push('…');
    }
    record(line);
}

/// Keeps `[recv] <command>(<params as JSON>)`, serializing no more of the params than is
/// kept (a large `write_file` costs nothing extra).
pub fn trace_received(command: &str, params: &godot_ai_protocol::JsonObject) {
    let mut text = Bounded {
        text: format!("[recv] {command}("),
        limit: MAX_TRACE_CHARS + 1,
    };
    // Stops with an error once the limit is reached; what was written is what we keep.
    let _ = serde_json::to_writer(&mut text, params);
    let mut text = text.text;
    if text.len() <= MAX_TRACE_CHARS {
        text.push(')');
    }
    trace(&text);
}

/// A writer that accepts bytes until `text` reaches `limit` bytes, then refuses.
struct Bounded {
    text: String,
    limit: usize,
}

impl std::io::Write for Bounded {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.text.len() >= self.limit {
            return Err(std::io::Error::other("trace is long enough"));
        }
        self.text.push_str(&String::from_utf8_lossy(bytes));
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The kept lines, oldest first.
pub fn snapshot() -> Vec<String> {
    lines().iter().cloned().collect()
}

/// Forgets every kept line; returns how many there were.
pub fn clear() -> usize {
    let mut lines = lines();
    let count = lines.len();
    lines.clear();
    count
}
