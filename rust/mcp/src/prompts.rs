//! The prompts: starting points an agent benefits from, each a user message that says what to
//! do with this server's tools, with the live editor state it needs embedded as resources (read
//! when the prompt is fetched, so the agent starts from what is open now).

use godot_ai_executor::ExecutorHandle;
use rmcp::ErrorData as McpError;
use rmcp::model::{
    ContentBlock, GetPromptResult, JsonObject, Prompt, PromptArgument, PromptMessage,
    ResourceContents, Role,
};
use serde_json::Value;

use crate::resources;

/// One prompt: name, title, what it is for, its arguments `(name, description, required)`.
struct Spec {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    arguments: &'static [(&'static str, &'static str, bool)],
}

const INSPECT_SCENE: &str = "inspect_scene";
const BUILD_PROTOTYPE: &str = "build_prototype";
const FIX_LAST_RUN: &str = "fix_last_run";

const SPECS: &[Spec] = &[
    Spec {
        name: INSPECT_SCENE,
        title: "Inspect the open scene",
        description: "Explain the scene open in the editor: its node tree, what each part does, \
            and anything that looks wrong. Embeds the scene's hierarchy and the editor's state.",
        arguments: &[(
            "focus",
            "A node path (Main/Player) or a question to focus on; default: the whole scene.",
            false,
        )],
    },
    Spec {
        name: BUILD_PROTOTYPE,
        title: "Build a playable prototype",
        description: "Build a small playable prototype of a game idea in this project, step by \
            step with undoable edits, then run it and fix what the game reports.",
        arguments: &[
            ("idea", "The game to build, in a sentence.", true),
            ("dimension", "2d or 3d (default 2d).", false),
        ],
    },
    Spec {
        name: FIX_LAST_RUN,
        title: "Fix the errors of the last run",
        description: "Find the cause of the errors and warnings the last game run and the \
            editor reported, fix them in scripts and scenes, and run again to confirm. Embeds \
            the game's and the editor's log.",
        arguments: &[],
    },
];

/// `prompts/list`.
pub fn list() -> Vec<Prompt> {
    SPECS
        .iter()
        .map(|spec| {
            let arguments = spec
                .arguments
                .iter()
                .map(|(name, description, required)| {
                    PromptArgument::new(*name)
                        .with_description(*description)
                        .with_required(*required)
                })
                .collect();
            Prompt::new(spec.name, Some(spec.description), Some(arguments)).with_title(spec.title)
        })
        .collect()
}

/// Values `completion/complete` offers for a prompt's argument.
pub fn argument_values(prompt: &str, argument: &str) -> Vec<String> {
    match (prompt, argument) {
        (BUILD_PROTOTYPE, "dimension") => vec!["2d".to_owned(), "3d".to_owned()],
        _ => Vec::new(),
    }
}

/// `prompts/get`: the prompt `name` with `arguments`, its resources read from the editor now.
pub async fn get(
    executor: &ExecutorHandle,
    name: &str,
    arguments: &JsonObject,
) -> Result<GetPromptResult, McpError> {
    let Some(spec) = SPECS.iter().find(|spec| spec.name == name) else {
        let known: Vec<&str> = SPECS.iter().map(|spec| spec.name).collect();
        return Err(McpError::invalid_params(
            format!("Unknown prompt '{name}'. Prompts: {}.", known.join(", ")),
            None,
        ));
    };
    let argument = |key: &str| arguments.get(key).and_then(Value::as_str).unwrap_or("");
    for (key, _, required) in spec.arguments {
        if *required && argument(key).trim().is_empty() {
            return Err(McpError::invalid_params(
                format!("The prompt '{name}' needs the argument '{key}'."),
                None,
            ));
        }
    }
    let (text, embedded) = match name {
        INSPECT_SCENE => (
            inspect_scene_text(argument("focus")),
            &["godot://editor/state", "godot://scene/hierarchy"][..],
        ),
        BUILD_PROTOTYPE => (
            build_prototype_text(argument("idea"), argument("dimension")),
            &["godot://editor/state", "godot://project/info"][..],
        ),
        _ => (
            fix_last_run_text().to_owned(),
            &[resources::GAME_LOG, resources::EDITOR_LOG][..],
        ),
    };
    let mut messages = vec![PromptMessage::new_text(Role::User, text)];
    for uri in embedded {
        let body = resources::read(executor, uri)
            .await
            .unwrap_or(Value::Null)
            .to_string();
        let contents = ResourceContents::text(body, *uri).with_mime_type("application/json");
        messages.push(PromptMessage::new(
            Role::User,
            ContentBlock::resource(contents),
        ));
    }
    Ok(GetPromptResult::new(messages).with_description(spec.description))
}

fn inspect_scene_text(focus: &str) -> String {
    let focus = if focus.trim().is_empty() {
        "the whole scene".to_owned()
    } else {
        format!("this in particular: {}", focus.trim())
    };
    format!(
        "Inspect the scene open in the Godot editor and focus on {focus}. The editor's state \
         and the scene's node tree are attached. Read the properties of the nodes that matter \
         with node_get_properties and their scripts with the godot://script/{{path}} resource. \
         Then explain what the scene is made of and how its parts work together, and list \
         anything that looks wrong (missing collision shapes, nodes outside the view, scripts \
         with errors), each with the node path. Change nothing."
    )
}

fn build_prototype_text(idea: &str, dimension: &str) -> String {
    let dimension = if dimension.trim().eq_ignore_ascii_case("3d") {
        "3D"
    } else {
        "2D"
    };
    format!(
        "Build a small playable {dimension} prototype in this Godot project: {idea}\n\n\
         Work in small undoable steps: create a new scene (scene_manage, op create), add nodes with \
         node_create and set their properties with node_set_property, write scripts with \
         script_create and attach them with script_attach, add input actions with \
         input_map_manage, save with scene_save and make it the main scene (project_manage, op set_main_scene). Keep the \
         scope to one screen and one core mechanic. Then run it with project_run, read what \
         the game reports with logs_read (source=game), take a look with \
         editor_screenshot, and fix what fails until it runs without errors. Finish with how \
         to play it."
    )
}

fn fix_last_run_text() -> &'static str {
    "The last run of this Godot project reported the errors and warnings in the attached game \
     and editor logs. For each one, find the cause: open the script at the file and line it \
     names (script_manage, op read), look at the nodes involved (node_get_properties), and fix it with the \
     smallest change (script_patch, node_set_property). Then run the project again \
     (project_run), read the new run's log with logs_read (source=game), and repeat until it \
     runs clean. Report what each error was and what fixed it."
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prompt_is_listed_with_its_arguments() {
        let prompts = list();
        assert_eq!(prompts.len(), SPECS.len());
        let build = prompts
            .iter()
            .find(|prompt| prompt.name == BUILD_PROTOTYPE)
            .unwrap();
        let arguments = build.arguments.as_ref().unwrap();
        assert_eq!(arguments[0].name, "idea");
        assert_eq!(arguments[0].required, Some(true));
        assert_eq!(arguments[1].required, Some(false));
    }

    #[test]
    fn prompt_texts_name_only_tools_this_server_has() {
        let texts = [
            inspect_scene_text(""),
            build_prototype_text("a pong clone", "2d"),
            fix_last_run_text().to_owned(),
        ];
        for text in texts {
            let words: Vec<&str> = text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|word| !word.is_empty())
                .collect();
            for (index, word) in words.iter().enumerate() {
                let an_op = index > 0 && words[index - 1] == "op";
                let looks_like_a_tool =
                    word.contains('_') && word.chars().all(|c| c.is_ascii_lowercase() || c == '_');
                if looks_like_a_tool && !an_op {
                    assert!(crate::catalog::find(word).is_some(), "{word} is not a tool");
                }
            }
        }
    }

    #[test]
    fn only_the_dimension_completes() {
        assert_eq!(argument_values(BUILD_PROTOTYPE, "dimension"), ["2d", "3d"]);
        assert!(argument_values(BUILD_PROTOTYPE, "idea").is_empty());
    }
}
