//! `completion/complete`: values for the arguments of the resource templates and prompts, read
//! from the live editor: node paths of the edited scene for `godot://node/{path*}/…`, script
//! paths of the project for `godot://script/{path*}`.
//!
//! Values start with what the client typed (compared without case), are sorted, and at most
//! [`CompletionInfo::MAX_VALUES`] are sent, with `total` and `hasMore` saying how many matched.
//! An argument nothing completes gets no values, not an error: the client simply offers none.

use godot_ai_executor::ExecutorHandle;
use godot_ai_protocol::{Command, JsonObject};
use rmcp::model::{CompleteRequestParams, CompletionInfo, Reference};
use serde_json::{Value, json};

use crate::prompts;

/// The values for the argument `request` names.
pub async fn complete(
    executor: &ExecutorHandle,
    request: &CompleteRequestParams,
) -> CompletionInfo {
    let typed = request.argument.value.as_str();
    let candidates = match &request.r#ref {
        Reference::Resource(template) => {
            match (template.uri.as_str(), request.argument.name.as_str()) {
                (uri, "path") if uri.starts_with("godot://node/") => node_paths(executor).await,
                ("godot://script/{path*}", "path") => script_paths(executor).await,
                _ => Vec::new(),
            }
        }
        Reference::Prompt(prompt) => prompts::argument_values(&prompt.name, &request.argument.name),
        // A kind of reference a later protocol adds: nothing to offer for it yet.
        _ => Vec::new(),
    };
    matching(candidates, typed)
}

/// The candidates starting with `typed`, sorted, the first [`CompletionInfo::MAX_VALUES`].
fn matching(candidates: Vec<String>, typed: &str) -> CompletionInfo {
    let typed = typed.trim_start_matches('/').to_lowercase();
    let mut values: Vec<String> = candidates
        .into_iter()
        .filter(|value| value.to_lowercase().starts_with(&typed))
        .collect();
    values.sort();
    values.dedup();
    let total = values.len();
    values.truncate(CompletionInfo::MAX_VALUES);
    let has_more = total > values.len();
    let total = Some(u32::try_from(total).unwrap_or(u32::MAX));
    CompletionInfo::with_pagination(values, total, has_more)
        .expect("truncated to the most values allowed")
}

/// The edited scene's node paths as the node templates take them (`Main/World/Ground`).
async fn node_paths(executor: &ExecutorHandle) -> Vec<String> {
    let reply = run(executor, "get_scene_tree", json!({"depth": 10})).await;
    let Some(Value::Array(nodes)) = reply.get("nodes") else {
        return Vec::new();
    };
    nodes
        .iter()
        .filter_map(|node| node.get("path")?.as_str())
        .map(|path| path.trim_start_matches('/').to_owned())
        .collect()
}

/// The project's scripts as the script template takes them (`scripts/player.gd`).
async fn script_paths(executor: &ExecutorHandle) -> Vec<String> {
    let mut paths = Vec::new();
    for extension in [".gd", ".cs"] {
        let reply = run(executor, "search_filesystem", json!({"path": extension})).await;
        let Some(Value::Array(files)) = reply.get("files") else {
            continue;
        };
        paths.extend(
            files
                .iter()
                .filter_map(|file| file.get("path")?.as_str())
                .filter(|path| path.ends_with(extension))
                .map(|path| path.trim_start_matches("res://").to_owned()),
        );
    }
    paths
}

/// The command's reply; empty when it failed (no scene open, the editor busy).
async fn run(executor: &ExecutorHandle, name: &str, params: Value) -> JsonObject {
    let Value::Object(params) = params else {
        return JsonObject::new();
    };
    executor
        .execute(Command::new(name, params))
        .await
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|value| (*value).to_owned()).collect()
    }

    #[test]
    fn values_start_with_what_was_typed_without_case_or_leading_slash() {
        let info = matching(
            strings(&["Main/World", "Main", "Main/Player", "Other"]),
            "/main/w",
        );
        assert_eq!(info.values, ["Main/World"]);
        assert_eq!(info.total, Some(1));
        assert_eq!(info.has_more, Some(false));
        let all = matching(strings(&["b", "a", "a"]), "");
        assert_eq!(all.values, ["a", "b"], "sorted, once each");
    }

    #[test]
    fn at_most_a_hundred_values_are_sent_and_the_rest_counted() {
        let many = (0..250)
            .map(|index| format!("Main/Node{index:03}"))
            .collect();
        let info = matching(many, "Main/");
        assert_eq!(info.values.len(), CompletionInfo::MAX_VALUES);
        assert_eq!(info.total, Some(250));
        assert_eq!(info.has_more, Some(true));
    }
}
