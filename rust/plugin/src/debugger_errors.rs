//! The rows of the Debugger dock's Errors tab (what a person sees there: the running game's
//! errors and warnings, with their source and stack), read from the editor's UI for
//! `logs_read source=editor`, and cleared with the tab's own Clear button for
//! `logs_clear clear_debugger_errors=true`.
//!
//! Godot has no API for this tab, so it is found by shape, never by its (translated) title:
//! in each session's debugger (a `ScriptEditorDebugger`), the tab is the container holding a
//! button bar (Clear is its last button) and a two-column tree whose top rows are the entries.
//! Each row is an error or warning (Godot marks it with the meta `_is_error` / `_is_warning`),
//! its time in column 0, its title in column 1 and `[file, line]` as metadata; its children
//! are the details (the engine's error condition, the source, the stack frames).
//!
//! Main thread only. If a Godot version builds the tab differently, nothing is found: reads
//! answer no rows and clearing clears nothing, never an error.

use std::cell::Cell;

use godot::classes::{
    Button, Control, EditorInterface, HBoxContainer, TabContainer, Tree, TreeItem,
};
use godot::prelude::*;
use serde_json::{Value, json};

thread_local! {
    /// The editor's debugger dock (`EditorDebuggerNode`), found once: it lives as long as the
    /// editor.
    static DOCK: Cell<Option<InstanceId>> = const { Cell::new(None) };
}

/// The Errors tab of one debugger session: its tree and its Clear button.
struct ErrorsTab {
    tree: Gd<Tree>,
    clear: Gd<Button>,
}

/// Every row of every session's Errors tab, oldest first, as `logs_read` entries:
/// `{source: "editor", origin: "debugger", level, text, time, path?, line?, function?}`, and
/// with `include_details` the row's `details` (`[{label, text}]`, as the tab shows them).
pub fn rows(include_details: bool) -> Vec<Value> {
    error_tabs()
        .iter()
        .flat_map(|tab| top_rows(&tab.tree))
        .map(|row| row_entry(&row, include_details))
        .collect()
}

/// Clears every session's Errors tab the way its Clear button does (the same as a click),
/// and says how many rows were there.
pub fn clear() -> usize {
    error_tabs()
        .into_iter()
        .map(|mut tab| {
            let count = top_rows(&tab.tree).len();
            if count > 0 {
                tab.clear.emit_signal("pressed", &[]);
            }
            count
        })
        .sum()
}

fn error_tabs() -> Vec<ErrorsTab> {
    let Some(dock) = debugger_dock() else {
        return Vec::new();
    };
    dock.find_children_ex("*")
        .type_("ScriptEditorDebugger")
        .recursive(true)
        .owned(false)
        .done()
        .iter_shared()
        .filter_map(|debugger| errors_tab_of(&debugger))
        .collect()
}

fn debugger_dock() -> Option<Gd<Node>> {
    if let Some(id) = DOCK.get()
        && let Ok(dock) = Gd::<Node>::try_from_instance_id(id)
    {
        return Some(dock);
    }
    let base = EditorInterface::singleton().get_base_control()?;
    let dock = base
        .find_children_ex("*")
        .type_("EditorDebuggerNode")
        .recursive(true)
        .owned(false)
        .done()
        .iter_shared()
        .next()?;
    DOCK.set(Some(dock.instance_id()));
    Some(dock)
}

/// The session's Errors tab: among the debugger's tabs, the one made of a button bar and a
/// two-column tree.
fn errors_tab_of(debugger: &Gd<Node>) -> Option<ErrorsTab> {
    let tabs = debugger
        .get_children()
        .iter_shared()
        .find_map(|child| child.try_cast::<TabContainer>().ok())?;
    tabs.get_children().iter_shared().find_map(|tab| {
        let tab = tab.try_cast::<Control>().ok()?;
        let parts: Vec<Gd<Node>> = tab.get_children().iter_shared().collect();
        let [bar, tree] = parts.as_slice() else {
            return None;
        };
        let bar = bar.clone().try_cast::<HBoxContainer>().ok()?;
        let tree = tree.clone().try_cast::<Tree>().ok()?;
        if tree.get_columns() != 2 {
            return None;
        }
        let clear = bar
            .get_children()
            .iter_shared()
            .filter_map(|child| child.try_cast::<Button>().ok())
            .last()?;
        Some(ErrorsTab { tree, clear })
    })
}

fn top_rows(tree: &Gd<Tree>) -> Vec<Gd<TreeItem>> {
    let mut rows = Vec::new();
    let mut next = tree.get_root().and_then(|root| root.get_first_child());
    while let Some(row) = next {
        next = row.get_next();
        if row.has_meta("_is_error") || row.has_meta("_is_warning") {
            rows.push(row);
        }
    }
    rows
}

fn row_entry(row: &Gd<TreeItem>, include_details: bool) -> Value {
    let level = if row.has_meta("_is_warning") {
        "warning"
    } else {
        "error"
    };
    let mut entry = json!({
        "source": "editor",
        "origin": "debugger",
        "level": level,
        "text": row.get_text(1).to_string(),
        "time": row.get_text(0).to_string(),
    });
    let details = details_of(row);
    // [file, line]: set when the error comes from a project file or has a script stack (then
    // the top frame's).
    if let Ok(place) = row.get_metadata(0).try_to::<VarArray>()
        && let (Some(file), Some(line)) = (place.get(0), place.get(1))
    {
        let (file, line) = (file.to_string(), line.try_to::<i64>().unwrap_or(0));
        if let Some(function) = details
            .iter()
            .find_map(|(_, text)| function_at(text, &file, line))
        {
            entry["function"] = json!(function);
        }
        entry["path"] = json!(file);
        entry["line"] = json!(line);
    }
    if include_details {
        entry["details"] = details
            .into_iter()
            .map(|(label, text)| json!({"label": label, "text": text}))
            .collect();
    }
    entry
}

/// The row's detail lines as (label, text): label is empty for the second and later stack
/// frames, as in the tab.
fn details_of(row: &Gd<TreeItem>) -> Vec<(String, String)> {
    let mut details = Vec::new();
    let mut next = row.get_first_child();
    while let Some(item) = next {
        details.push((item.get_text(0).to_string(), item.get_text(1).to_string()));
        next = item.get_next();
    }
    details
}

/// The function named by a detail line of the form `file:line @ function()` when it is the
/// row's own place (the tab writes project files by full path in frames, by name in sources).
fn function_at(text: &str, file: &str, line: i64) -> Option<String> {
    let (place, function) = text.split_once(" @ ")?;
    let (at_file, at_line) = place.rsplit_once(':')?;
    let same_file = at_file == file || file.rsplit('/').next() == Some(at_file);
    if !same_file || at_line.parse::<i64>().ok()? != line {
        return None;
    }
    let function = function.trim().trim_end_matches("()");
    (!function.is_empty()).then(|| function.to_owned())
}
