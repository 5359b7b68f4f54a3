//! The lines the running game logged, kept in the editor by run: each game the debugger
//! attaches to starts a run with its own id, and earlier runs stay readable until the bounded
//! buffer drops their lines.

use std::collections::VecDeque;

use godot::prelude::*;
use serde_json::{Value, json};

/// Lines kept across runs; the oldest go first.
pub const CAPACITY: usize = 2000;

/// One line the game logged.
#[derive(Debug, Clone, PartialEq)]
pub struct GameLine {
    pub run_id: String,
    /// `info`, `warn` or `error`.
    pub level: String,
    pub text: String,
    pub file: String,
    pub line: i64,
    pub function: String,
}

impl GameLine {
    /// Reads `[level, text, file, line, function, ...]` as the game sends it (the run id is
    /// set when the line is kept).
    pub fn from_array(array: &VarArray) -> Option<GameLine> {
        let text = |index: usize| array.get(index).map(|value| value.to_string());
        Some(GameLine {
            run_id: String::new(),
            level: text(0)?,
            text: text(1)?,
            file: text(2)?,
            line: array.get(3)?.try_to::<i64>().ok()?,
            function: text(4)?,
        })
    }

    /// The line as a person reads it: an error's or warning's text ends with where it was
    /// raised, `(res://player.gd:12 @ _ready)`.
    pub fn readable_text(&self) -> String {
        if self.level == "info" || self.file.is_empty() {
            return self.text.clone();
        }
        let function = if self.function.is_empty() {
            String::new()
        } else {
            format!(" @ {}", self.function)
        };
        format!("{} ({}:{}{function})", self.text, self.file, self.line)
    }

    /// godot-ai's game log entry: `{source, level, text, run_id, details?}`, the text
    /// [readable](GameLine::readable_text).
    pub fn to_json(&self, include_details: bool) -> Value {
        let text = self.readable_text();
        let mut entry = json!({
            "source": "game",
            "level": self.level,
            "text": text,
            "run_id": self.run_id,
        });
        if include_details {
            entry["details"] = json!({
                "message": self.text,
                "path": self.file,
                "line": self.line,
                "function": self.function,
            });
        }
        entry
    }
}

/// The game log, across runs.
#[derive(Debug, Default)]
pub struct GameLog {
    lines: VecDeque<GameLine>,
    runs: u64,
    current_run: String,
    running: bool,
    dropped: u64,
}

impl GameLog {
    /// A game has attached: its lines go to a new run.
    pub fn start_run(&mut self) {
        self.runs += 1;
        self.current_run = format!("r{}-{}", std::process::id(), self.runs);
        self.running = true;
    }

    /// The game has gone; its run stays readable.
    pub fn end_run(&mut self) {
        self.running = false;
    }

    pub fn current_run(&self) -> &str {
        &self.current_run
    }

    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Lines dropped so far (by the game's own queue or by this buffer).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Keeps `lines` in the current run; `dropped` more were lost before they arrived.
    pub fn append(&mut self, lines: Vec<GameLine>, dropped: u64) {
        if self.current_run.is_empty() {
            self.start_run();
        }
        self.dropped += dropped;
        for mut line in lines {
            line.run_id = self.current_run.clone();
            if self.lines.len() == CAPACITY {
                self.lines.pop_front();
                self.dropped += 1;
            }
            self.lines.push_back(line);
        }
    }

    /// The kept lines of run `run_id`, oldest first.
    pub fn run(&self, run_id: &str) -> impl Iterator<Item = &GameLine> {
        self.lines.iter().filter(move |line| line.run_id == run_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> GameLine {
        GameLine {
            run_id: String::new(),
            level: "info".into(),
            text: text.into(),
            file: String::new(),
            line: 0,
            function: String::new(),
        }
    }

    #[test]
    fn lines_belong_to_the_run_they_arrived_in() {
        let mut log = GameLog::default();
        log.start_run();
        let first = log.current_run().to_owned();
        log.append(vec![line("a")], 0);
        log.start_run();
        log.append(vec![line("b"), line("c")], 2);
        assert_eq!(log.run(&first).count(), 1);
        assert_eq!(log.run(log.current_run()).count(), 2);
        assert_eq!(log.dropped(), 2);
        assert_ne!(first, log.current_run());
    }

    #[test]
    fn the_buffer_is_bounded_and_counts_what_it_drops() {
        let mut log = GameLog::default();
        log.append((0..CAPACITY + 5).map(|i| line(&i.to_string())).collect(), 0);
        assert_eq!(log.run(log.current_run()).count(), CAPACITY);
        assert_eq!(log.dropped(), 5);
        assert_eq!(log.run(log.current_run()).next().unwrap().text, "5");
    }

    #[test]
    fn errors_say_where_they_were_raised() {
        let error = GameLine {
            level: "error".into(),
            file: "res://main.gd".into(),
            line: 7,
            function: "_ready".into(),
            ..line("boom")
        };
        assert_eq!(
            error.to_json(false)["text"],
            "boom (res://main.gd:7 @ _ready)"
        );
        assert_eq!(error.to_json(true)["details"]["line"], 7);
    }
}
