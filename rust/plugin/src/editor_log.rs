//! The editor's own output (what its Output panel shows: prints, errors, warnings), kept for
//! `logs_read source=editor` while the plugin runs. Bounded; the oldest lines go first.

use std::cell::RefCell;
use std::collections::VecDeque;

use serde_json::{Value, json};

use crate::log_capture::{Entry, LogCapture};

/// Lines kept.
pub const CAPACITY: usize = 2000;

#[derive(Default)]
struct EditorLog {
    capture: Option<LogCapture>,
    lines: VecDeque<Entry>,
    dropped: u64,
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

/// Stops keeping it (the kept lines are forgotten).
pub fn uninstall() {
    let had = LOG.with(|log| std::mem::take(&mut *log.borrow_mut()).capture.is_some());
    if had {
        LogCapture::uninstall();
    }
}

/// Takes what was logged since the last frame.
pub fn frame() {
    LOG.with(|log| {
        let mut log = log.borrow_mut();
        let Some(capture) = log.capture.as_mut() else {
            return;
        };
        let (entries, dropped) = capture.take();
        log.dropped += dropped.max(0) as u64;
        for entry in entries {
            if log.lines.len() == CAPACITY {
                log.lines.pop_front();
                log.dropped += 1;
            }
            log.lines.push_back(entry);
        }
    });
}

/// The kept lines as godot-ai's editor log entries, oldest first, and the dropped count.
pub fn lines(include_details: bool) -> (Vec<Value>, u64) {
    LOG.with(|log| {
        let log = log.borrow();
        let lines = log
            .lines
            .iter()
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
        (lines, log.dropped)
    })
}
