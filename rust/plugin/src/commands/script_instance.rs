//! Making an instance of a project's `@tool` script by path (a test suite, a custom tool's
//! handler), read afresh from disk, with a reason a person can act on when it cannot be made.

use godot::classes::resource_loader::CacheMode;
use godot::classes::{ResourceLoader, Script};
use godot::prelude::*;

use crate::editor_log;

/// The script at `path`, loaded afresh (never from the resource cache, so an edited script
/// runs as it is on disk), and a new instance of it; or why there is none, with the parse
/// error and its line when the script does not parse.
pub fn fresh_instance(path: &str) -> Result<(Gd<Script>, Gd<Object>), String> {
    let log_mark = editor_log::mark();
    let script = ResourceLoader::singleton()
        .load_ex(path)
        .cache_mode(CacheMode::IGNORE)
        .done()
        .and_then(|resource| resource.try_cast::<Script>().ok());
    let Some(script) = script else {
        return Err(parse_error(path, log_mark).unwrap_or_else(|| {
            "load failed — check for parse errors or duplicate methods".into()
        }));
    };
    if !script.can_instantiate() {
        return Err(why_not_instantiable(&script, path, log_mark));
    }
    let instance = script
        .clone()
        .upcast::<Object>()
        .try_call("new", &[])
        .ok()
        .and_then(|instance| instance.try_to::<Gd<Object>>().ok())
        .ok_or_else(|| "cannot instantiate — new() returned nothing".to_owned())?;
    Ok((script, instance))
}

/// The parse error the editor logged for `path` since `log_mark`, in words.
fn parse_error(path: &str, log_mark: u64) -> Option<String> {
    let error = editor_log::entries_since(log_mark)
        .into_iter()
        .find(|entry| {
            entry.level == "error" && (entry.file == path || entry.text.contains(path))
        })?;
    let place = if error.file == path {
        format!(" (line {})", error.line)
    } else {
        String::new()
    };
    Some(format!("load failed — {}{place}", error.text))
}

/// Why a loaded script cannot make an instance: its parse error, no `@tool`, or neither (an
/// abstract script).
fn why_not_instantiable(script: &Gd<Script>, path: &str, log_mark: u64) -> String {
    if let Some(error) = parse_error(path, log_mark) {
        return error;
    }
    if !script.is_tool() {
        return "cannot instantiate — not a @tool script; add @tool as its first line".to_owned();
    }
    "cannot instantiate — the script is abstract or broken".to_owned()
}
