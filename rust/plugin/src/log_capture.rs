//! What this process logs (prints, errors, warnings), captured by the addon's
//! `runtime/log_capture.gd` (a `Logger`, which Godot calls from any thread: a GDScript object
//! with a mutex is safe there, a Rust class bound through gdext is not) and taken from it once
//! per frame on the main thread. The game side forwards it to the editor; the editor keeps its
//! own as the `editor` log source.

use godot::classes::{Logger, Os, ResourceLoader, Script};
use godot::prelude::*;

/// The addon's logger script.
pub const LOG_CAPTURE_SCRIPT: &str = "res://addons/godot_ai_native/runtime/log_capture.gd";

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

/// The installed logger, if it could be loaded.
pub struct LogCapture(Option<Gd<Logger>>);

thread_local! {
    static INSTALLED: std::cell::RefCell<Option<Gd<Logger>>> = const { std::cell::RefCell::new(None) };
}

impl LogCapture {
    /// Loads the logger script and registers it with the engine.
    pub fn install() -> Result<LogCapture, String> {
        let script = ResourceLoader::singleton()
            .load(LOG_CAPTURE_SCRIPT)
            .and_then(|resource| resource.try_cast::<Script>().ok())
            .ok_or_else(|| format!("{LOG_CAPTURE_SCRIPT} is missing; reinstall the addon"))?;
        let logger = script
            .to_variant()
            .call("new", &[])
            .try_to::<Gd<Logger>>()
            .ok()
            .filter(|logger| logger.has_method("take"))
            .ok_or_else(|| format!("{LOG_CAPTURE_SCRIPT} did not load as a logger"))?;
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
    pub fn take(&mut self) -> (Vec<Entry>, i64) {
        let Some(logger) = self.0.as_mut() else {
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
