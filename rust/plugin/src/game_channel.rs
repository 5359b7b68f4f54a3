//! The messages between the editor and a game it runs, over Godot's own debugger connection
//! (no port of ours). Both ends are this library: [`crate::game`] in the game process,
//! [`crate::game_link`] in the editor.
//!
//! Every message is `godot_ai_native:<name>` with an array of plain values:
//! - editor -> game `welcome []`: the editor's plugin listens; sent when a game's debugger
//!   session starts, then on a schedule until the game says hello (a welcome that arrives
//!   before the game's capture is registered is dropped by the engine). The game sends nothing
//!   before it: an editor without the plugin warns about every message it does not know.
//! - game -> editor `hello [PROTOCOL]`: the game side is ready for requests; sent on the first
//!   frame after a welcome (so a plugin that restarted while the game ran hears it again).
//! - game -> editor `logs [[level, text, file, line, function, error_type]..., dropped]`: what
//!   the game logged since the last batch (at most [`LOG_BATCH`] entries a message).
//! - editor -> game `request [id, op, params_json]`; game -> editor `reply [id, ok, json]`: one
//!   reply per request, `json` being the result object when `ok`, else `{code, message}`.
//!
//! Invariant: a message is sent and handled on the main thread of its process.

/// The capture prefix registered on both ends.
pub const PREFIX: &str = "godot_ai_native";

/// Bumped when a message changes shape; the editor refuses a game speaking another version.
pub const PROTOCOL: i64 = 1;

pub const WELCOME: &str = "welcome";
pub const HELLO: &str = "hello";
pub const LOGS: &str = "logs";
pub const REQUEST: &str = "request";
pub const REPLY: &str = "reply";

/// The most log entries in one `logs` message.
pub const LOG_BATCH: usize = 200;

/// `godot_ai_native:<name>`.
pub fn message(name: &str) -> String {
    format!("{PREFIX}:{name}")
}

/// The name of a captured message, whether Godot passes it whole or without the prefix.
pub fn name_of(message: &str) -> &str {
    message
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.strip_prefix(':'))
        .unwrap_or(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_with_or_without_the_prefix() {
        assert_eq!(name_of(&message(REPLY)), "reply");
        assert_eq!(name_of("hello"), "hello");
        assert_eq!(message(LOGS), "godot_ai_native:logs");
    }
}
