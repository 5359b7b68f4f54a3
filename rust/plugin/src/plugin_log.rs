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

/// Params whose values may hold file contents or secrets: traced as their size only.
const REDACTED: [&str; 6] = [
    "content", "value", "old_text", "new_text", "commands", "code",
];

/// Keeps `[recv] <command>(<params as JSON>)`, with the values of [`REDACTED`] params
/// replaced by their length, and serializing no more than is kept.
pub fn trace_received(command: &str, params: &godot_ai_protocol::JsonObject) {
    let shown: serde_json::Map<String, serde_json::Value> = params
        .iter()
        .map(|(key, value)| {
            let value = if REDACTED.contains(&key.as_str()) {
                serde_json::Value::String(match value {
                    serde_json::Value::String(text) => format!("<{} bytes>", text.len()),
                    _ => "<redacted>".to_owned(),
                })
            } else {
                value.clone()
            };
            (key.clone(), value)
        })
        .collect();
    let mut text = Bounded {
        text: format!("[recv] {command}("),
        limit: MAX_TRACE_CHARS + 1,
    };
    // Stops with an error once the limit is reached; what was written is what we keep.
    let _ = serde_json::to_writer(&mut text, &shown);
    let mut text = text.text;
    if text.len() <= MAX_TRACE_CHARS {
        text.push(')');
    }
    trace(&text);
}

/// A writer keeping at most `limit` bytes of text (cut at a character boundary), then
/// refusing more.
struct Bounded {
    text: String,
    limit: usize,
}

impl std::io::Write for Bounded {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let room = self.limit.saturating_sub(self.text.len());
        if room == 0 {
            return Err(std::io::Error::other("trace is long enough"));
        }
        let chunk = String::from_utf8_lossy(&bytes[..bytes.len().min(room)]);
        let mut end = chunk.len().min(room);
        while !chunk.is_char_boundary(end) {
            end -= 1;
        }
        self.text.push_str(&chunk[..end]);
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
