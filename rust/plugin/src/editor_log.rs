//! The editor's own output (what its Output panel shows: prints, errors, warnings), kept for
//! `logs_read source=editor` while the plugin runs. Bounded; the oldest lines go first.
//!
//! Each line is also published to the MCP sessions that asked for log messages, except the
//! plugin's own `MCP | ` lines, which reach them as the plugin's.
//!
//! Every line has a cursor: its place among all the lines ever kept (0, 1, 2, ...), which a
//! reader polls from (`since_cursor`) without re-reading or missing lines that are still kept.

use std::cell::RefCell;
use std::collections::VecDeque;

use godot_ai_mcp::{EditorEvent, LogSource, Severity};
use serde_json::{Value, json};

use crate::log_capture::{Entry, LogCapture};

/// Lines kept.
pub const CAPACITY: usize = 2000;

#[derive(Default)]
struct EditorLog {
    capture: Option<LogCapture>,
    lines: VecDeque<Entry>,
    dropped: u64,
    /// Lines ever kept; the cursor of the next one.
    appended: u64,
}

/// Where a read by cursor stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursors {
    /// The cursor of the oldest line still kept.
    pub oldest: u64,
    /// Lines ever kept (the cursor of the next line to come).
    pub appended: u64,
}

thread_local! {
    static LOG: RefCell<EditorLog> = RefCell::new(EditorLog::default());
}

/// Starts keeping the editor's output.
pub fn install() {
    match LogCapture::install() {
        Ok(capture) => LOG.with(|log| log.borrow_mut().capture = Some(capture)),
        Err(reason) => {
            tracing::warn!("the editor's output will not be readable by agents: {reason}")
        }
    }
}

/// Stops keeping it (the kept lines are forgotten; cursors keep counting, so a mark taken
/// before, by a command waiting across a reload, still means the same place).
pub fn uninstall() {
    let had = LOG.with(|log| {
        let mut log = log.borrow_mut();
        log.lines.clear();
        log.capture.take().is_some()
    });
    if had {
        LogCapture::uninstall();
    }
}

/// Takes what was logged since the last frame.
pub fn frame() {
    // The logger's GDScript runs with no borrow held.
    let Some(capture) = LOG.with(|log| log.borrow().capture.clone()) else {
        return;
    };
    let (entries, dropped) = capture.take();
    for entry in &entries {
        publish(entry);
    }
    LOG.with(|log| {
        let mut log = log.borrow_mut();
        log.dropped += dropped.max(0) as u64;
        log.appended += entries.len() as u64;
        for entry in entries {
            if log.lines.len() == CAPACITY {
                log.lines.pop_front();
                log.dropped += 1;
            }
            log.lines.push_back(entry);
        }
    });
}

/// Tells the sessions listening about `entry`, unless it is one of the plugin's own lines.
fn publish(entry: &Entry) {
    if entry.text.trim_start().starts_with(crate::logging::PREFIX) {
        return;
    }
    crate::change_watch::publish(EditorEvent::Log {
        source: LogSource::Editor,
        severity: Severity::of_level_name(&entry.level),
        text: entry.text.clone(),
    });
}

/// The cursor of the next line to come, once what was logged so far is taken: what is logged
/// after this call has a cursor at least this.
pub fn mark() -> u64 {
    frame();
    LOG.with(|log| log.borrow().appended)
}

/// The lines logged from cursor `since` on that are still kept, taking what was logged so
/// far first.
pub fn entries_since(since: u64) -> Vec<Entry> {
    frame();
    LOG.with(|log| {
        let log = log.borrow();
        let oldest = log.appended - log.lines.len() as u64;
        let skip = since.saturating_sub(oldest).min(log.lines.len() as u64) as usize;
        log.lines.iter().skip(skip).cloned().collect()
    })
}

/// The kept lines from cursor `since` on (all of them for 0) as godot-ai's editor log entries,
/// oldest first, the dropped count, and the cursors.
pub fn lines(since: u64, include_details: bool) -> (Vec<Value>, u64, Cursors) {
    LOG.with(|log| {
        let log = log.borrow();
        let oldest = log.appended - log.lines.len() as u64;
        let skip = since.saturating_sub(oldest).min(log.lines.len() as u64) as usize;
        let lines = log
            .lines
            .iter()
            .skip(skip)
            .map(|entry| {
                let mut line = json!({
                    "source": "editor",
                    "level": entry.level,
                    "text": entry.text,
                    "path": entry.file,
                    "line": entry.line,
                    "function": entry.function,
                });
                if include_details {
                    line["details"] = json!({"error_type": entry.error_type});
                }
                line
            })
            .collect();
        let cursors = Cursors {
            oldest,
            appended: log.appended,
        };
        (lines, log.dropped, cursors)
    })
}

/// The engine's errors and warnings logged from cursor `since` on, but the plugin's own lines:
/// what a command caused while it ran (see [`godot_ai_protocol::engine_errors`]).
pub fn engine_errors_since(since: u64) -> Vec<godot_ai_protocol::engine_errors::EngineError> {
    entries_since(since)
        .into_iter()
        .filter(|entry| !entry.text.trim_start().starts_with(crate::logging::PREFIX))
        .filter_map(|entry| {
            let level = match entry.level.as_str() {
                "error" => "error",
                "warn" => "warning",
                _ => return None,
            };
            Some(godot_ai_protocol::engine_errors::EngineError {
                level,
                message: entry.text,
                file: entry.file,
                line: entry.line,
                function: entry.function,
            })
        })
        .collect()
}
