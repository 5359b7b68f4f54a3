//! The scene domain: the edited scene's tree, opening, saving and creating scenes, and the
//! paths and guards every scene command shares (godot-ai's `scene_*` tools and
//! `scene_manage`).
//!
//! This file: `get_scene_tree`: the edited scene as a flat pre-order list of nodes.

pub(crate) mod files;
pub(crate) mod guard;
pub(crate) mod paths;
pub(crate) mod window;

use godot::classes::EditorInterface;
use godot::prelude::*;
use godot_ai_protocol::{CommandResult, JsonObject};
use serde_json::{Value, json};

use crate::commands::params::{integer_or, window};
use crate::commands::reply::{into_object, object};
use crate::commands::scene::paths::scene_path;
use crate::commands::settle::{Budget, Sliced, Step, in_slices};
use window::{Count, Walk};

/// Params: `depth` (default 10; the root is depth 0). Without an open scene the list is empty
/// and `message` says why: not an error, like godot-ai.
///
/// With `window: {offset, limit}` (what this plugin's own endpoint sends; godot-ai's server
/// pages the whole list itself) only that page is listed, with Python slice semantics, and the
/// reply says `windowed: true`: `{nodes: page, total_count, windowed}`.
///
/// A big scene is walked over several frames (see [`in_slices`]); a tree that changes meanwhile
/// is walked again, so the list is always of one state of the scene.
pub fn get_scene_tree(params: &JsonObject) -> Step {
    let depth = match integer_or(params, "depth", 10) {
        Ok(depth) => depth,
        Err(error) => return Step::Done(Err(error)),
    };
    let window = window(params);
    in_slices(TreeRead {
        depth,
        window,
        phase: None,
    })
}

/// Reading the list, a slice at a time.
struct TreeRead {
    depth: i64,
    /// `(offset, limit)` of the page asked for; `None` for the whole list.
    window: Option<(i64, i64)>,
    /// How far it got, for the tree it started on; `None` before it starts.
    phase: Option<Phase>,
}

enum Phase {
    /// Counting the list, to know where the page is.
    Counting(Count),
    Listing(Listing),
}

/// Listing positions `start..end` of the list (the whole list: `0..MAX_NODES`).
struct Listing {
    walk: Walk,
    start: usize,
    end: usize,
    /// The list's length when known (a page); the whole list counts as it goes.
    total: Option<usize>,
    /// The list is longer than `MAX_NODES` (known for a page from its count).
    truncated: bool,
    nodes: Vec<Value>,
}

impl Phase {
    fn is_current(&self, root: &Gd<Node>) -> bool {
        match self {
            Phase::Counting(count) => count.is_current(root),
            Phase::Listing(listing) => listing.walk.is_current(root),
        }
    }
}

impl TreeRead {
    /// Where a read of `root` starts: counting for a page (unless the count is known), listing
    /// for the whole list.
    fn begin(&self, root: &Gd<Node>) -> Phase {
        match self.window {
            None => Phase::Listing(Listing {
                walk: Walk::new(root, self.depth),
                start: 0,
                end: MAX_NODES,
                total: None,
                truncated: false,
                nodes: Vec::new(),
            }),
            Some(_) => match Count::start(root, self.depth, MAX_NODES) {
                Ok(counted) => Phase::Listing(self.page(root, counted)),
                Err(count) => Phase::Counting(count),
            },
        }
    }

    /// The page's listing, once the list is known to have `counted` nodes (at most
    /// `MAX_NODES + 1`).
    fn page(&self, root: &Gd<Node>, counted: usize) -> Listing {
        let (offset, limit) = self.window.unwrap_or_default();
        let total = counted.min(MAX_NODES);
        let (start, end) = slice_bounds(offset, limit, total);
        Listing {
            walk: window::walk_from(root, self.depth, start),
            start,
            end,
            total: Some(total),
            truncated: counted > MAX_NODES,
            nodes: Vec::with_capacity(end - start),
        }
    }

    /// Lists on; the reply once the listing is complete.
    fn list(
        &mut self,
        root: &Gd<Node>,
        mut listing: Listing,
        budget: &Budget,
    ) -> Option<CommandResult> {
        let range = (listing.start, listing.end);
        let nodes = &mut listing.nodes;
        if !listing
            .walk
            .advance(range, budget, |node| nodes.push(node_entry(root, node)))
        {
            self.phase = Some(Phase::Listing(listing));
            return None;
        }
        let Listing {
            walk,
            total,
            truncated,
            nodes,
            ..
        } = listing;
        let data = match total {
            Some(total) => {
                window::pause(walk);
                let mut data = object([
                    ("nodes", Value::Array(nodes)),
                    ("total_count", total.into()),
                    ("windowed", true.into()),
                ]);
                if truncated {
                    data.insert("truncated".to_owned(), true.into());
                }
                data
            }
            None => {
                let total = nodes.len();
                let mut data = object([
                    ("nodes", Value::Array(nodes)),
                    ("total_count", total.into()),
                ]);
                if walk.has_more() {
                    data.insert("truncated".to_owned(), true.into());
                    data.insert(
                        "message".to_owned(),
                        format!(
                            "Only the first {MAX_NODES} nodes are listed; pass a smaller depth"
                        )
                        .into(),
                    );
                }
                data
            }
        };
        Some(Ok(data))
    }
}

impl Sliced for TreeRead {
    fn work(&mut self, budget: &Budget) -> Option<CommandResult> {
        let Some(root) = EditorInterface::singleton().get_edited_scene_root() else {
            return Some(Ok(into_object(
                json!({"nodes": [], "message": "No scene open"}),
            )));
        };
        let phase = match self.phase.take() {
            Some(phase) if phase.is_current(&root) => phase,
            _ => self.begin(&root),
        };
        let listing = match phase {
            Phase::Listing(listing) => listing,
            Phase::Counting(mut count) => {
                let Some(counted) = count.advance(budget) else {
                    self.phase = Some(Phase::Counting(count));
                    return None;
                };
                let listing = self.page(&root, counted);
                if budget.spent() {
                    self.phase = Some(Phase::Listing(listing));
                    return None;
                }
                listing
            }
        };
        self.list(&root, listing, budget)
    }

    fn doing(&self) -> String {
        "listing the scene's nodes".to_owned()
    }
}

/// `[offset:offset+limit]` of a list of `len` as Python slices it (negative counts from the
/// end; out of range is empty, never an error).
pub(in crate::commands) fn slice_bounds(offset: i64, limit: i64, len: usize) -> (usize, usize) {
    let len = len as i64;
    let clamp = |index: i64| {
        if index < 0 {
            (len + index).max(0)
        } else {
            index.min(len)
        }
    };
    let start = clamp(offset);
    let end = clamp(offset.saturating_add(limit)).max(start);
    (start as usize, end as usize)
}

/// Most nodes listed, so a huge scene cannot stall the editor in one call.
const MAX_NODES: usize = 50_000;

/// One node as listings show it: `{name, type, path, children_count}`.
pub(in crate::commands) fn node_entry(root: &Gd<Node>, node: &Gd<Node>) -> Value {
    json!({
        "name": node.get_name().to_string(),
        "type": node.get_class().to_string(),
        "path": scene_path(root, node),
        "children_count": node.get_child_count(),
    })
}
