//! What this process logs (prints, errors, warnings), captured by a small GDScript `Logger`
//! (`log_capture.gd`, compiled into the library and built in memory: Godot calls a logger from
//! any thread, and a GDScript object with a mutex is safe there, a Rust class bound through
//! gdext is not) and taken from it once per frame on the main thread. The script has no file
//! in the project, so the editor never reloads it while another thread is inside it. The game side forwards it to the editor; the editor keeps its
//! own as the `editor` log source.

use godot::classes::{GDScript, Logger, Os};
use godot::prelude::*;

/// The logger's source.
const LOG_CAPTURE_SOURCE: &str = include_str!("log_capture.gd");

/// Godot's `Logger.ErrorType.ERROR_TYPE_SCRIPT`: a GDScript parse or runtime error.
const SCRIPT_ERROR_TYPE: i64 = 2;

/// One logged line: a print, or an error/warning with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// `info`, `warn` or `error`.
    pub level: String,
    pub text: String,
    /// The script file and line (or the engine source when no script raised it); empty and 0
    /// for prints.
    pub file: String,
    pub line: i64,
    pub function: String,
    /// Godot's `Logger.ErrorType` of an error, -1 for a print.
    pub error_type: i64,
}

impl Entry {
    pub fn is_script_error(&self) -> bool {
        self.error_type == SCRIPT_ERROR_TYPE
    }

    /// Reads `[level, text, file, line, function, error_type]`.
    pub fn from_array(array: &VarArray) -> Option<Entry> {
        let text = |index: usize| array.get(index).map(|value| value.to_string());
        Some(Entry {
            level: text(0)?,
            text: text(1)?,
            file: text(2)?,
            line: array.get(3)?.try_to::<i64>().ok()?,
            function: text(4)?,
            error_type: array
                .get(5)
                .and_then(|v| v.try_to::<i64>().ok())
                .unwrap_or(-1),
        })
    }

    pub fn to_array(&self) -> VarArray {
        varray![
            self.level.as_str(),
            self.text.as_str(),
            self.file.as_str(),
            self.line,
            self.function.as_str(),
            self.error_type
        ]
    }
}

/// The installed logger, if it could be loaded (a handle: clones share it).
#[derive(Clone)]
pub struct LogCapture(Option<Gd<Logger>>);

thread_local! {
    static INSTALLED: std::cell::RefCell<Option<Gd<Logger>>> = const { std::cell::RefCell::new(None) };
}

impl LogCapture {
    /// Loads the logger script and registers it with the engine.
    pub fn install() -> Result<LogCapture, String> {
        let mut script = GDScript::new_gd();
        script.set_source_code(LOG_CAPTURE_SOURCE);
        if script.reload() != godot::global::Error::OK {
            return Err("its logger script did not compile".into());
        }
        let logger = script
            .to_variant()
            .call("new", &[])
            .try_to::<Gd<Logger>>()
            .ok()
            .filter(|logger| logger.has_method("take"))
            .ok_or_else(|| "its logger script did not make a logger".to_owned())?;
        Os::singleton().add_logger(&logger);
        INSTALLED.with(|slot| slot.replace(Some(logger.clone())));
        Ok(LogCapture(Some(logger)))
    }

    /// A capture that takes nothing (the logger could not be installed).
    pub fn disabled() -> LogCapture {
        LogCapture(None)
    }

    /// Unregisters the logger installed by [`LogCapture::install`], if any.
    pub fn uninstall() {
        if let Some(logger) = INSTALLED.with(|slot| slot.take()) {
            Os::singleton().remove_logger(&logger);
        }
    }

    /// Everything logged since the last take, oldest first, and how many entries the logger
    /// dropped meanwhile (it keeps a bounded queue).
    pub fn take(&self) -> (Vec<Entry>, i64) {
        let Some(mut logger) = self.0.clone() else {
            return (Vec::new(), 0);
        };
        let taken = logger.call("take", &[]);
        let Ok(taken) = taken.try_to::<VarArray>() else {
            return (Vec::new(), 0);
        };
        let entries = taken
            .get(0)
            .and_then(|v| v.try_to::<VarArray>().ok())
            .map(|list| {
                list.iter_shared()
                    .filter_map(|item| item.try_to::<VarArray>().ok())
                    .filter_map(|item| Entry::from_array(&item))
                    .collect()
            })
            .unwrap_or_default();
        let dropped = taken
            .get(1)
            .and_then(|v| v.try_to::<i64>().ok())
            .unwrap_or(0);
        (entries, dropped)
    }
}
