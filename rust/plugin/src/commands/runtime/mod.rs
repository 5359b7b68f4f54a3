//! The running game's commands: `game_command` (godot-ai's `game_manage` ops) and `game_eval`,
//! answered by the game itself over the debugger channel (see [`crate::game_link`]).
//!
//! A request waits for the game's reply as a settling command: later commands wait behind it,
//! so what they see includes its effect (an input event has been handled). A request made while
//! the game starts first waits up to [`HELLO_WAIT`] for the game's hello; then its wait for the
//! reply is bounded by [`COMMAND_TIME`] ([`EVAL_TIME`], [`SEQUENCE_TIME`]) counted from when it
//! was sent, however late the hello came, and it answers with what is known. Both together stay
//! under godot-ai's 15 s server timeout (but for sequences, which it gives 30 s).

use std::time::{Duration, Instant};

use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use super::params::{optional_string, required_string};
use super::settle::{Pending, Settle, Step};
use crate::game_link::{self, GameReply, NotSent};

/// How long a game op may take to answer.
pub const COMMAND_TIME: Duration = Duration::from_secs(8);
/// How long evaluated code may run before the eval answers `EVAL_HUNG`.
pub const EVAL_TIME: Duration = Duration::from_secs(8);
/// How long an input sequence may take (600 frames at 30 frames per second, and a margin).
pub const SEQUENCE_TIME: Duration = Duration::from_secs(25);

/// The ops of `game_command`.
const OPS: &[&str] = &[
    "get_scene_tree",
    "get_node_info",
    "get_ui_elements",
    "input_action",
    "input_key",
    "input_mouse",
    "input_gamepad",
    "input_sequence",
    "input_state",
];

/// `game_command {op, params}`: one of godot-ai's `game_manage` ops, run in the game.
pub fn game_command(params: &JsonObject) -> Step {
    let op = match required_string(params, "op") {
        Ok(op) => op,
        Err(error) => return Step::Done(Err(error)),
    };
    if !OPS.contains(&op) {
        return Step::Done(Err(CommandError::new(
            ErrorCode::InvalidParams,
            format!("Unknown game op '{op}'. Valid ops: {}", OPS.join(", ")),
        )));
    }
    let op_params = match params.get("params") {
        None | Some(Value::Null) => json!({}),
        Some(Value::Object(object)) => Value::Object(object.clone()),
        Some(other) => {
            return Step::Done(Err(CommandError::new(
                ErrorCode::InvalidParams,
                format!("Param 'params' must be an object, got {other}"),
            )));
        }
    };
    let time = if op == "input_sequence" {
        SEQUENCE_TIME
    } else {
        COMMAND_TIME
    };
    request(op, &op_params, Purpose::Command, time)
}

/// `game_eval {code}`: GDScript run in the game; `{result, source: "game"}`.
pub fn game_eval(params: &JsonObject) -> Step {
    let code = match optional_string(params, "code") {
        Ok(code) if !code.trim().is_empty() => code,
        Ok(_) => return Step::Done(Err(CommandError::missing_param("code"))),
        Err(error) => return Step::Done(Err(error)),
    };
    request("eval", &json!({"code": code}), Purpose::Eval, EVAL_TIME)
}

/// `take_screenshot {source: "game", max_resolution}`: the game's window as a PNG.
pub fn game_screenshot(params: &JsonObject) -> Step {
    let max_resolution = match super::params::integer_or(params, "max_resolution", 0) {
        Ok(max_resolution) => max_resolution,
        Err(error) => return Step::Done(Err(error)),
    };
    request(
        "screenshot",
        &json!({"max_resolution": max_resolution}),
        Purpose::Command,
        COMMAND_TIME,
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Command,
    Eval,
}

/// How long a request waits for a game that runs but has not said hello yet (it is starting).
pub const HELLO_WAIT: Duration = Duration::from_secs(6);

fn request(op: &str, params: &Value, purpose: Purpose, time: Duration) -> Step {
    let mut request = GameRequest {
        id: None,
        made: Instant::now(),
        sent_after: None,
        op: op.to_owned(),
        params: params.clone(),
        purpose,
        time,
    };
    match request.try_send() {
        Err(error) => Step::Done(Err(error)),
        Ok(()) => Step::Wait(Pending::new(request)),
    }
}

/// The error for a request no game could take.
fn not_sent_error(not_sent: NotSent, purpose: Purpose) -> CommandError {
    let sub_code = match not_sent {
        NotSent::NotRunning => "EDITOR_GAME_NOT_RUNNING",
        NotSent::NotReady => "EDITOR_GAME_STARTING",
    };
    let (code, message, retryable) = match (not_sent, purpose) {
        (NotSent::NotRunning, Purpose::Eval) => (
            ErrorCode::EvalGameNotReady,
            "The game is not running — start it with project_run (or F5 in the editor), then retry",
            false,
        ),
        (NotSent::NotRunning, Purpose::Command) => (
            ErrorCode::EditorNotReady,
            "Game is not running — start the project first (project_run, or F5 in the editor)",
            false,
        ),
        (NotSent::NotReady, Purpose::Eval) => (
            ErrorCode::EvalGameNotReady,
            "The game is still starting (or runs without the editor's debugger): retry in a \
             moment; a game must be run from this editor to be reached",
            true,
        ),
        (NotSent::NotReady, Purpose::Command) => (
            ErrorCode::EditorNotReady,
            "The game is still starting (or runs without the editor's debugger): retry in a \
             moment; a game must be run from this editor to be reached",
            true,
        ),
    };
    CommandError::new(code, message)
        .with_data("sub_code", sub_code)
        .with_data("retryable", retryable)
}

/// A request waiting for the game's reply (or, first, for a starting game's hello).
struct GameRequest {
    /// Set once sent.
    id: Option<i64>,
    /// When the request was made, and how long after that it was sent: the reply's time is
    /// counted from the send.
    made: Instant,
    sent_after: Option<Duration>,
    op: String,
    params: Value,
    purpose: Purpose,
    time: Duration,
}

impl GameRequest {
    /// Sends the request if a game can take it; waits (`Ok`, still unsent) while the game
    /// starts; fails when no game runs.
    fn try_send(&mut self) -> Result<(), CommandError> {
        match game_link::send_request(&self.op, &self.params, self.purpose == Purpose::Eval) {
            Ok(id) => {
                self.id = Some(id);
                self.sent_after = Some(self.made.elapsed());
                Ok(())
            }
            Err(NotSent::NotReady) => Ok(()),
            Err(not_sent) => Err(not_sent_error(not_sent, self.purpose)),
        }
    }
}

impl Drop for GameRequest {
    /// However the wait ends (answered, given up, the plugin stopping), the link forgets it.
    fn drop(&mut self) {
        if let Some(id) = self.id {
            game_link::abandon(id);
        }
    }
}

impl Settle for GameRequest {
    fn poll(&mut self) -> Option<CommandResult> {
        let Some(id) = self.id else {
            return match self.try_send() {
                Err(error) => Some(Err(error)),
                Ok(()) => None,
            };
        };
        game_link::take_reply(id).map(|reply| into_result(reply, &self.op))
    }

    fn waiting_for(&self) -> String {
        format!("the running game to answer '{}'", self.op)
    }

    /// Until sent, the wait for the hello; once sent, the reply's full time from then on.
    fn time_allowed(&self) -> Duration {
        match self.sent_after {
            Some(sent_after) => sent_after + self.time,
            None => HELLO_WAIT,
        }
    }

    fn give_up(&mut self, waited: Duration) -> CommandResult {
        let Some(id) = self.id else {
            let mut error = not_sent_error(NotSent::NotReady, self.purpose)
                .with_data("waited_seconds", waited.as_secs_f64());
            if let Some(detail) = game_link::game_status_detail() {
                error = error.with_data("game_status_detail", detail);
            }
            return Err(error);
        };
        let seconds = self
            .sent_after
            .map_or(waited, |sent_after| waited.saturating_sub(sent_after))
            .as_secs_f32();
        game_link::abandon(id);
        let paused = game_link::game_status() == "break";
        Err(match self.purpose {
            Purpose::Eval if paused => CommandError::new(
                ErrorCode::EvalHung,
                format!(
                    "The code did not return within {seconds:.1}s: the game is paused at a \
                     debugger break (a breakpoint?). Continue it from the editor's Debugger \
                     panel, or stop it with project_manage(op=\"stop\")."
                ),
            ),
            Purpose::Eval => CommandError::new(
                ErrorCode::EvalHung,
                format!(
                    "The code has run for {seconds:.1}s in the game without returning: likely an \
                     endless loop. The game stays busy until the code returns; stop it with \
                     project_manage(op=\"stop\") if it does not recover."
                ),
            ),
            Purpose::Command => CommandError::new(
                ErrorCode::GameHelperTimeout,
                format!(
                    "The running game did not answer '{}' within {seconds:.1}s: its main thread \
                     is busy or paused at a debugger break. Check the editor's Debugger panel, \
                     or stop and rerun the game.",
                    self.op
                ),
            ),
        }
        .with_data("waited_seconds", waited.as_secs_f64()))
    }
}

/// The command result for the game's reply: the result object (with `source` and `op` for a
/// game op), or the game's error.
fn into_result(reply: GameReply, op: &str) -> CommandResult {
    match reply {
        Ok(Value::Object(mut data)) => {
            if !matches!(op, "eval" | "screenshot") {
                data.insert("source".into(), json!("game"));
                data.insert("op".into(), json!(op));
            }
            Ok(data)
        }
        Ok(other) => Ok(super::reply::into_object(
            json!({"result": other, "source": "game"}),
        )),
        Err((code, message)) => {
            let code = serde_json::from_value(json!(code)).unwrap_or(ErrorCode::InternalError);
            Err(CommandError::new(code, message))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unsent(time: Duration) -> GameRequest {
        GameRequest {
            id: None,
            made: Instant::now(),
            sent_after: None,
            op: "get_scene_tree".into(),
            params: json!({}),
            purpose: Purpose::Command,
            time,
        }
    }

    #[test]
    fn a_request_gets_its_full_time_from_the_send_however_late_the_hello() {
        let mut request = unsent(COMMAND_TIME);
        assert_eq!(request.time_allowed(), HELLO_WAIT);
        request.sent_after = Some(Duration::from_millis(5_900));
        assert_eq!(
            request.time_allowed(),
            Duration::from_millis(5_900) + COMMAND_TIME
        );
        // Within godot-ai's 15 s server timeout even when the hello comes at the last moment.
        request.sent_after = Some(HELLO_WAIT);
        assert!(request.time_allowed() < Duration::from_secs(15));
    }
}
