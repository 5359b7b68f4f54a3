//! Tools for the project's own end-to-end tests, offered only when the editor runs with
//! `GODOT_AI_TEST_HOOKS=1` (never listed otherwise): `test_dock` reads the texts of the
//! editor dock's controls and presses one of its buttons, so a test can check what a person
//! sees and does there.

use super::*;

/// The environment variable that turns the test tools on.
pub const TEST_HOOKS_ENV: &str = "GODOT_AI_TEST_HOOKS";

/// Whether this process offers the test tools (read once).
pub fn enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var(TEST_HOOKS_ENV).is_ok_and(|value| value == "1"))
}

pub(super) const TEST_DOCK: ToolSpec = ToolSpec {
    name: "test_dock",
    description: "Test hook: the editor dock's controls (op read), or press one of its buttons \
                  by name (op press).",
    arguments: &[
        text_arg("op", "read or press."),
        optional_text_arg("button", "The button's node name, for press."),
    ],
    plan: |arguments| {
        Ok(Command::new("dock_probe", arguments.pick_non_empty(&["op", "button"])).into())
    },
    shape_result: unchanged,
};

/// The test tools.
pub static TEST_TOOLS: &[ToolSpec] = &[TEST_DOCK];
