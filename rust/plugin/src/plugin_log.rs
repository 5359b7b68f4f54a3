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
