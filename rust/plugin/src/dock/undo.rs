//! Undoing the agent's last change from the dock: the edited scene's undo history steps back
//! when its latest entry is one of ours (`MCP: …`), exactly as Ctrl+Z on that entry would.

use godot::classes::{EditorInterface, UndoRedo};
use godot::prelude::*;

/// The prefix of every undo entry this plugin makes.
const OUR_ACTIONS: &str = "MCP: ";

/// The edited scene's history, when its latest entry is the agent's.
fn agent_history() -> Option<(Gd<UndoRedo>, String)> {
    let editor = EditorInterface::singleton();
    let root = editor.get_edited_scene_root()?;
    let manager = editor.get_editor_undo_redo()?;
    let history = manager.get_history_undo_redo(manager.get_object_history_id(&root))?;
    let name = history.get_current_action_name().to_string();
    name.starts_with(OUR_ACTIONS).then_some((history, name))
}

/// The name of the agent's change the Undo button would take back, if the latest entry is
/// the agent's.
pub fn agent_change_name() -> Option<String> {
    agent_history().map(|(_, name)| name)
}

/// Takes back the agent's latest change; does nothing when the latest entry is not ours.
pub fn undo_agent_change() {
    if let Some((mut history, name)) = agent_history()
        && history.undo()
    {
        tracing::info!("undid the agent's change \u{201c}{name}\u{201d}");
    }
}
