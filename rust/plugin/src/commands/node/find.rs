//! `find_nodes`: the nodes of the edited scene that match a filter, pre-order from the root,
//! searched over several frames on a big scene (see [`crate::commands::settle::in_slices`]).

use std::rc::Rc;

use godot::obj::InstanceId;
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::params::{optional_string, window};
use crate::commands::reply::object;
use crate::commands::scene::guard::edited_root;
use crate::commands::scene::paths::scene_path;
use crate::commands::scene::slice_bounds;
use crate::commands::scene::window::{Search, tree_version};
use crate::commands::settle::{Budget, Sliced, Step, in_slices};

/// Most matches `find_nodes` returns, so one call cannot stall the editor on a huge scene.
const MAX_MATCHES: usize = 10_000;

/// `find_nodes {name?, type?, group?}`: nodes matching every given filter, pre-order from the
/// root. `name` is a case-insensitive substring, `type` the exact class, `group` membership:
/// `{nodes, count}` (and `truncated` past [`MAX_MATCHES`]).
///
/// With `window {offset, limit}` (Python slice semantics) one page of the matches, which are
/// found once per tree change: `{nodes: page, count, total_count, windowed}`.
pub fn find_nodes(params: &JsonObject) -> Step {
    match start(params) {
        Ok(step) => step,
        Err(error) => Step::Done(Err(error)),
    }
}

fn start(params: &JsonObject) -> Result<Step, CommandError> {
    let filter = Filter {
        name: optional_string(params, "name")?.to_lowercase(),
        class: optional_string(params, "type")?.to_owned(),
        group: optional_string(params, "group")?.to_owned(),
    };
    if filter.name.is_empty() && filter.class.is_empty() && filter.group.is_empty() {
        return Err(CommandError::new(
            ErrorCode::MissingRequiredParam,
            "At least one filter (name, type, group) is required",
        ));
    }
    edited_root(&JsonObject::new())?;
    let window = window(params);
    Ok(in_slices(FindRead {
        filter,
        window,
        phase: None,
    }))
}

struct Filter {
    /// Lowercase.
    name: String,
    class: String,
    group: String,
}

impl Filter {
    fn matches(&self, node: &Gd<Node>) -> bool {
        (self.name.is_empty()
            || node
                .get_name()
                .to_string()
                .to_lowercase()
                .contains(&self.name))
            && (self.class.is_empty() || node.get_class() == self.class.as_str())
            && (self.group.is_empty() || node.is_in_group(&self.group))
    }

    /// The key its matches are remembered under.
    fn query(&self) -> String {
        format!("{}\u{0}{}\u{0}{}", self.name, self.class, self.group)
    }
}

/// Searching, a slice at a time.
struct FindRead {
    filter: Filter,
    /// `(offset, limit)` of the page asked for; `None` for every match.
    window: Option<(i64, i64)>,
    phase: Option<Phase>,
}

enum Phase {
    Searching(Search),
    /// Describing the matches to reply with, `next..end` of them still to do.
    Describing(Describing),
}

struct Describing {
    root: InstanceId,
    version: u64,
    found: Rc<[InstanceId]>,
    next: usize,
    end: usize,
    /// How many matched (at most [`MAX_MATCHES`]).
    total: usize,
    truncated: bool,
    nodes: Vec<Value>,
}

impl Phase {
    fn is_current(&self, root: &Gd<Node>) -> bool {
        match self {
            Phase::Searching(search) => search.is_current(root),
            Phase::Describing(describing) => {
                describing.root == root.instance_id() && describing.version == tree_version()
            }
        }
    }
}

impl FindRead {
    fn begin(&self, root: &Gd<Node>) -> Phase {
        match Search::start(root, &self.filter.query(), MAX_MATCHES) {
            Ok(found) => Phase::Describing(self.describing(root, found)),
            Err(search) => Phase::Searching(search),
        }
    }

    /// What to describe of `found` (at most `MAX_MATCHES + 1` matches): the page, or all.
    fn describing(&self, root: &Gd<Node>, found: Rc<[InstanceId]>) -> Describing {
        let truncated = found.len() > MAX_MATCHES;
        let total = found.len().min(MAX_MATCHES);
        let (next, end) = match self.window {
            Some((offset, limit)) => slice_bounds(offset, limit, total),
            None => (0, total),
        };
        Describing {
            root: root.instance_id(),
            version: tree_version(),
            found,
            next,
            end,
            total,
            truncated,
            nodes: Vec::with_capacity(end - next),
        }
    }

    fn describe(
        &mut self,
        root: &Gd<Node>,
        mut describing: Describing,
        budget: &Budget,
    ) -> Option<CommandResult> {
        while describing.next < describing.end {
            // The tree has not changed since the search (checked before each slice), so every
            // match is still there.
            if let Ok(node) = Gd::<Node>::try_from_instance_id(describing.found[describing.next]) {
                describing.nodes.push(json!({
                    "name": node.get_name().to_string(),
                    "type": node.get_class().to_string(),
                    "path": scene_path(root, &node),
                }));
            }
            describing.next += 1;
            if budget.spent() && describing.next < describing.end {
                self.phase = Some(Phase::Describing(describing));
                return None;
            }
        }
        let Describing {
            total,
            truncated,
            nodes,
            ..
        } = describing;
        let mut data = object([("nodes", Value::Array(nodes)), ("count", total.into())]);
        if self.window.is_some() {
            data.insert("total_count".to_owned(), total.into());
            data.insert("windowed".to_owned(), true.into());
        }
        if truncated {
            data.insert("truncated".to_owned(), true.into());
        }
        Some(Ok(data))
    }
}

impl Sliced for FindRead {
    fn work(&mut self, budget: &Budget) -> Option<CommandResult> {
        let root = match edited_root(&JsonObject::new()) {
            Ok(root) => root,
            Err(error) => return Some(Err(error)),
        };
        let phase = match self.phase.take() {
            Some(phase) if phase.is_current(&root) => phase,
            _ => self.begin(&root),
        };
        let describing = match phase {
            Phase::Describing(describing) => describing,
            Phase::Searching(mut search) => {
                let Some(found) = search.advance(budget, |node| self.filter.matches(node)) else {
                    self.phase = Some(Phase::Searching(search));
                    return None;
                };
                let describing = self.describing(&root, found);
                if budget.spent() {
                    self.phase = Some(Phase::Describing(describing));
                    return None;
                }
                describing
            }
        };
        self.describe(&root, describing, budget)
    }

    fn doing(&self) -> String {
        "searching the scene's nodes".to_owned()
    }
}
