//! `batch_execute`: several commands as one unit.
//!
//! Every entry is checked before any runs (shape, known command, no nested batch). They then
//! run in order and the batch stops at the first error. With `undo` (the default) the batch
//! rolls the edited scene's undo history back to where it was before the batch: exactly the
//! actions the batch added, never an earlier edit. Entries that changed something outside that
//! history (files, settings) are listed in `kept`. A batch that switched the edited scene is
//! not rolled back (its actions live in two histories) and says so.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use godot::classes::{EditorInterface, UndoRedo};
use godot::prelude::*;
use godot_ai_protocol::suggest::{closest, did_you_mean};
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use super::reply::{into_object, object};
use super::settle::{Pending, Settle, Step, timed_out};
use super::undo::undo_redo;
use super::{command_handler, command_names};
use godot_ai_protocol::godot_ai_commands::CUSTOM_TOOL_PREFIX;

/// One checked entry of the batch.
struct Entry {
    command: String,
    params: JsonObject,
}

/// The edited scene and its undo history, as the batch found them.
struct SceneHistory {
    root: Gd<Node>,
    history: Gd<UndoRedo>,
    start_version: u64,
}

impl SceneHistory {
    fn of_edited_scene() -> Option<Self> {
        let root = EditorInterface::singleton().get_edited_scene_root()?;
        let manager = undo_redo().ok()?;
        let history = manager.get_history_undo_redo(manager.get_object_history_id(&root))?;
        let start_version = history.get_version();
        Some(Self {
            root,
            history,
            start_version,
        })
    }

    fn version(&self) -> u64 {
        self.history.get_version()
    }

    fn still_edited(&self) -> bool {
        EditorInterface::singleton()
            .get_edited_scene_root()
            .as_ref()
            == Some(&self.root)
    }

    /// Undoes every action added since the batch began (at most `max_steps`: each entry adds
    /// at most one action, and the bound keeps a surprise from looping); true when the history
    /// is back where it was.
    fn roll_back(&mut self, max_steps: usize) -> bool {
        for _ in 0..max_steps {
            if self.version() <= self.start_version || !self.history.undo() {
                break;
            }
        }
        self.version() == self.start_version
    }
}

/// `batch_execute {commands: [{command, params?}], undo = true}`.
///
/// An entry whose effect lands on a later frame (a scene switch) is waited for before the next
/// entry runs, so each entry sees the effects of the ones before it.
pub fn batch_execute(params: &JsonObject) -> Step {
    let entries = match checked_entries(params.get("commands")) {
        Ok(entries) => entries,
        Err(error) => return Step::Done(Err(error)),
    };
    let undo = match super::params::flag_or(params, "undo", true) {
        Ok(undo) => undo,
        Err(error) => return Step::Done(Err(error)),
    };
    let refused = entries.iter().enumerate().find_map(|(index, entry)| {
        let tool = entry.command.strip_prefix(CUSTOM_TOOL_PREFIX)?;
        super::custom::refused_in_batch(index, tool, undo)
    });
    if let Some(error) = refused {
        return Step::Done(Err(error));
    }
    let mut batch = Batch {
        entries,
        undo,
        scene: SceneHistory::of_edited_scene(),
        results: Vec::new(),
        kept: Vec::new(),
        switched_scene: false,
        failure: None,
        waiting: None,
    };
    match batch.run_on() {
        Some(result) => Step::Done(result),
        None => Step::Wait(Pending::new(batch)),
    }
}

/// A batch in progress: the entries, what they did so far, and the entry whose effect is
/// still settling.
struct Batch {
    entries: Vec<Entry>,
    undo: bool,
    scene: Option<SceneHistory>,
    results: Vec<Value>,
    kept: Vec<usize>,
    switched_scene: bool,
    failure: Option<(usize, CommandError)>,
    /// The entry that is settling, with the scene history's version before it ran.
    waiting: Option<(Pending, Option<u64>)>,
}

impl Settle for Batch {
    fn poll(&mut self) -> Option<CommandResult> {
        if let Some((mut pending, before)) = self.waiting.take() {
            match pending.poll() {
                Some(result) => self.record(result, before),
                None => {
                    self.waiting = Some((pending, before));
                    return None;
                }
            }
        }
        self.run_on()
    }

    fn waiting_for(&self) -> String {
        match &self.waiting {
            Some((pending, _)) => format!(
                "batch entry {} ({}): {}",
                self.results.len(),
                self.entries[self.results.len()].command,
                pending.waiting_for()
            ),
            None => "the batch".to_owned(),
        }
    }

    /// The entry still settling fails with `DEFERRED_TIMEOUT`; the batch then ends as for any
    /// failed entry: its results so far, and a rollback when asked for and possible.
    fn give_up(&mut self, waited: Duration) -> CommandResult {
        let what = self.waiting_for();
        if let Some((_, before)) = self.waiting.take() {
            self.record(Err(timed_out(&what, waited)), before);
        }
        Ok(self.finish())
    }
}

impl Batch {
    /// Runs entries until one must settle (`None`) or the batch is over (its reply).
    fn run_on(&mut self) -> Option<CommandResult> {
        while self.failure.is_none() && self.results.len() < self.entries.len() {
            let before = self.scene.as_ref().map(SceneHistory::version);
            match start_entry(&self.entries[self.results.len()]) {
                Step::Done(result) => self.record(result, before),
                Step::Wait(pending) => {
                    self.waiting = Some((pending, before));
                    return None;
                }
            }
        }
        Some(Ok(self.finish()))
    }

    /// Records the result of the entry being run.
    fn record(&mut self, result: CommandResult, before: Option<u64>) {
        let index = self.results.len();
        let command = &self.entries[index].command;
        match result {
            Ok(data) => {
                let scene = self.scene.as_ref();
                self.switched_scene |= scene.is_some_and(|scene| !scene.still_edited());
                let recorded = before != scene.map(SceneHistory::version);
                // Read-only replies carry no `undoable`; anything else not in the history stays.
                if data.contains_key("undoable") && !recorded {
                    self.kept.push(index);
                }
                self.results.push(Value::Object(object([
                    ("command", command.as_str().into()),
                    ("status", "ok".into()),
                    ("data", Value::Object(data)),
                ])));
            }
            Err(error) => {
                self.results
                    .push(json!({"command": command, "status": "error", "error": error}));
                self.failure = Some((index, error));
            }
        }
    }

    /// The batch's reply, after rolling back a failed batch when asked to.
    fn finish(&mut self) -> JsonObject {
        let failure = self.failure.take();
        let succeeded = self.results.len() - usize::from(failure.is_some());
        let rolled_back = match (&failure, self.scene.as_mut()) {
            (Some(_), Some(scene)) if self.undo && succeeded > 0 && !self.switched_scene => {
                scene.roll_back(succeeded)
            }
            _ => false,
        };
        let kept = std::mem::take(&mut self.kept);
        let mut data = Value::Object(object([
            ("succeeded", succeeded.into()),
            (
                "stopped_at",
                json!(failure.as_ref().map(|(index, _)| *index)),
            ),
            ("results", Value::Array(std::mem::take(&mut self.results))),
            ("undo", self.undo.into()),
            ("rolled_back", rolled_back.into()),
            (
                "undoable",
                (failure.is_none() && kept.is_empty() && !self.switched_scene).into(),
            ),
        ]));
        if let Some((_, error)) = failure {
            data["error"] = json!(error);
            if self.undo && self.switched_scene {
                data["not_rolled_back_reason"] = json!(
                    "the batch switched the edited scene, so its actions are in more than one \
                     undo history; undo them in the editor (Ctrl+Z in each scene)"
                );
            }
            if self.undo && !kept.is_empty() {
                data["kept"] = json!(kept);
                data["kept_reason"] = json!(
                    "these entries were not undone: they changed files or settings (which the \
                     editor's undo history cannot revert) or changed nothing"
                );
            }
        }
        into_object(data)
    }
}

/// Starts one entry; a panic in its handler becomes that entry's `INTERNAL_ERROR`, so the
/// batch can still roll back. The write gate was passed by the batch as a whole: entries are
/// not gated again, so a file write that starts a rescan does not hold up the entries after it.
fn start_entry(entry: &Entry) -> Step {
    let Some(handler) = command_handler(&entry.command) else {
        return Step::Done(Err(CommandError::internal(
            "entry checked before the batch ran",
        )));
    };
    catch_unwind(AssertUnwindSafe(|| {
        handler.start(&entry.command, &entry.params)
    }))
    .unwrap_or_else(|_| {
        Step::Done(Err(CommandError::internal(format!(
            "'{}' failed unexpectedly (a bug in godot-ai-native); the editor is fine",
            entry.command
        ))))
    })
}

fn checked_entries(commands: Option<&Value>) -> Result<Vec<Entry>, CommandError> {
    let items = match commands {
        Some(Value::Array(items)) => items,
        _ => {
            return Err(CommandError::new(
                ErrorCode::WrongType,
                "commands must be a list of {\"command\": ..., \"params\": {...}}",
            ));
        }
    };
    if items.is_empty() {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "commands must not be empty",
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(index, item)| checked_entry(index, item))
        .collect()
}

/// Commands a batch may not run: a batch in a batch, and a test run (it runs for minutes, and
/// its tests change the scene outside the batch's undo).
const NOT_IN_BATCH: &[&str] = &["batch_execute", "run_tests"];

fn checked_entry(index: usize, item: &Value) -> Result<Entry, CommandError> {
    let Value::Object(item) = item else {
        return Err(CommandError::new(
            ErrorCode::WrongType,
            format!("commands[{index}] must be a dict"),
        ));
    };
    let command = match item.get("command") {
        Some(Value::String(command)) if !command.is_empty() => command.clone(),
        _ => {
            return Err(CommandError::new(
                ErrorCode::MissingRequiredParam,
                format!("commands[{index}] missing 'command' field"),
            ));
        }
    };
    if NOT_IN_BATCH.contains(&command.as_str()) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("commands[{index}]: '{command}' is not allowed as a sub-command"),
        ));
    }
    if command_handler(&command).is_none() {
        let similar = closest(&command, command_names(), 3);
        let hint = did_you_mean(&similar);
        return Err(CommandError::new(
            ErrorCode::UnknownCommand,
            format!(
                "commands[{index}]: unknown plugin command '{command}'. batch_execute expects \
                 plugin command names (e.g. 'create_node'), not MCP tool names (e.g. \
                 'node_create').{hint}"
            ),
        )
        .with_data("suggestions", similar));
    }
    let params = match item.get("params") {
        None | Some(Value::Null) => JsonObject::new(),
        Some(Value::Object(params)) => params.clone(),
        Some(_) => {
            return Err(CommandError::new(
                ErrorCode::WrongType,
                format!("commands[{index}].params must be a dict"),
            ));
        }
    };
    Ok(Entry { command, params })
}
