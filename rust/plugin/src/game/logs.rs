//! The game's log lines, sent to the editor (see [`crate::game_channel`]).

use godot::prelude::*;

use crate::game_channel::{LOG_BATCH, LOGS};
use crate::log_capture::Entry;

/// Sends `entries` to the editor in batches of [`LOG_BATCH`]; the first batch carries the
/// dropped count.
pub fn send(entries: &[Entry], dropped: i64) {
    if entries.is_empty() && dropped == 0 {
        return;
    }
    let mut dropped = dropped;
    let mut chunks: Vec<&[Entry]> = entries.chunks(LOG_BATCH).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    for chunk in chunks {
        let mut list = VarArray::new();
        for entry in chunk {
            list.push(&entry.to_array().to_variant());
        }
        super::send(LOGS, &varray![&list, dropped]);
        dropped = 0;
    }
}
