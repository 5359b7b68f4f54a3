//! One page of the edited scene's pre-order node list at the cost of that page, not of the
//! scene: the walk stops once the page is full, the total is counted once per change of the
//! tree, and a walk that ended where the next page starts is resumed instead of redone.
//!
//! Invariants:
//! - Pages are exactly the slices of the list [`super::scene::get_scene_tree`] returns whole
//!   (same order, same entries, the same `MAX_NODES` cap), so paging here or in godot-ai's
//!   server gives the same pages.
//! - The cached count and the paused walk are dropped whenever the tree may have changed: a
//!   node entered, left or was renamed anywhere in the editor's tree, or an undo history
//!   changed (which is how the editor reorders and edits nodes). A paused walk holds instance
//!   ids only, checked again before use.
//! - The watch is connected while the plugin runs and disconnected when it stops, so no
//!   callback into this library outlives it.

use std::cell::{Cell, RefCell};

use godot::classes::{EditorInterface, Engine, SceneTree};
use godot::obj::InstanceId;
use godot::prelude::*;
use godot::signal::ConnectHandle;

/// Bumped by the watch on every change that may move, add, drop or rename a node.
fn tree_version() -> u64 {
    VERSION.with(Cell::get)
}

fn tree_changed() {
    VERSION.with(|version| version.set(version.get().wrapping_add(1)));
}

thread_local! {
    static VERSION: Cell<u64> = const { Cell::new(0) };
    static WATCH: RefCell<Vec<ConnectHandle>> = const { RefCell::new(Vec::new()) };
    static COUNT: RefCell<Option<Counted>> = const { RefCell::new(None) };
    static PAUSED: RefCell<Option<Walk>> = const { RefCell::new(None) };
    static MATCHES: RefCell<Option<Matches>> = const { RefCell::new(None) };
}

/// Starts following the editor's tree and undo history. Main thread only; call once per start.
pub fn watch() {
    unwatch();
    let mut handles = Vec::new();
    if let Some(tree) = Engine::singleton()
        .get_main_loop()
        .and_then(|main_loop| main_loop.try_cast::<SceneTree>().ok())
    {
        handles.push(tree.signals().node_added().connect(|_| tree_changed()));
        handles.push(tree.signals().node_removed().connect(|_| tree_changed()));
        handles.push(tree.signals().node_renamed().connect(|_| tree_changed()));
    }
    if let Some(history) = EditorInterface::singleton().get_editor_undo_redo() {
        handles.push(history.signals().version_changed().connect(tree_changed));
        handles.push(history.signals().history_changed().connect(tree_changed));
    }
    WATCH.with(|watch| *watch.borrow_mut() = handles);
    forget();
}

/// Stops following the tree (the plugin stops). Main thread only.
pub fn unwatch() {
    for handle in WATCH.with(|watch| std::mem::take(&mut *watch.borrow_mut())) {
        if handle.is_connected() {
            handle.disconnect();
        }
    }
    forget();
}

fn forget() {
    tree_changed();
    COUNT.with(|count| count.borrow_mut().take());
    PAUSED.with(|paused| paused.borrow_mut().take());
    MATCHES.with(|matches| matches.borrow_mut().take());
}

/// Whether the watch runs: without it nothing may be cached.
fn watching() -> bool {
    WATCH.with(|watch| !watch.borrow().is_empty())
}

struct Counted {
    root: InstanceId,
    depth: i64,
    version: u64,
    count: usize,
}

/// A pre-order walk paused after `emitted` nodes.
struct Walk {
    root: InstanceId,
    depth: i64,
    version: u64,
    emitted: usize,
    /// Nodes still to visit, the next one last, with their depth.
    pending: Vec<(InstanceId, i64)>,
}

impl Walk {
    fn new(root: &Gd<Node>, depth: i64) -> Self {
        Self {
            root: root.instance_id(),
            depth,
            version: tree_version(),
            emitted: 0,
            pending: vec![(root.instance_id(), 0)],
        }
    }

    fn matches(&self, root: &Gd<Node>, depth: i64) -> bool {
        self.root == root.instance_id() && self.depth == depth && self.version == tree_version()
    }

    /// The next node in pre-order, or `None` at the end (or if a node went away, which the
    /// watch would have seen first).
    fn next(&mut self) -> Option<Gd<Node>> {
        let (id, level) = self.pending.pop()?;
        let node = Gd::<Node>::try_from_instance_id(id).ok()?;
        if level < self.depth {
            let count = node.get_child_count();
            for index in (0..count).rev() {
                if let Some(child) = node.get_child(index) {
                    self.pending.push((child.instance_id(), level + 1));
                }
            }
        }
        self.emitted += 1;
        Some(node)
    }
}

/// How many nodes the full list has within `depth`, at most `cap + 1` (so a caller can tell
/// "more than the cap"). Counted once per tree change.
pub fn count(root: &Gd<Node>, depth: i64, cap: usize) -> usize {
    let cached = COUNT.with(|count| {
        count
            .borrow()
            .as_ref()
            .filter(|counted| {
                counted.root == root.instance_id()
                    && counted.depth == depth
                    && counted.version == tree_version()
            })
            .map(|counted| counted.count)
    });
    if let Some(count) = cached.filter(|_| watching()) {
        return count;
    }
    let mut walk = Walk::new(root, depth);
    while walk.emitted <= cap && walk.next().is_some() {}
    let count = walk.emitted;
    COUNT.with(|slot| {
        *slot.borrow_mut() = Some(Counted {
            root: root.instance_id(),
            depth,
            version: tree_version(),
            count,
        })
    });
    count
}

/// Calls `visit` for the nodes at positions `start..end` of the list, resuming a walk paused
/// at or before `start` when the tree has not changed since.
pub fn visit_range(
    root: &Gd<Node>,
    depth: i64,
    start: usize,
    end: usize,
    mut visit: impl FnMut(&Gd<Node>),
) {
    let resumed = PAUSED
        .with(|paused| paused.borrow_mut().take())
        .filter(|walk| watching() && walk.matches(root, depth) && walk.emitted <= start);
    let mut walk = resumed.unwrap_or_else(|| Walk::new(root, depth));
    while walk.emitted < start {
        if walk.next().is_none() {
            return;
        }
    }
    while walk.emitted < end {
        match walk.next() {
            Some(node) => visit(&node),
            None => return,
        }
    }
    PAUSED.with(|paused| *paused.borrow_mut() = Some(walk));
}

/// The nodes a search found, for the tree version it searched.
struct Matches {
    root: InstanceId,
    query: String,
    version: u64,
    found: Vec<InstanceId>,
}

/// The nodes of the whole pre-order walk (no depth limit) for which `matches` holds, at most
/// `cap + 1`, remembered under `query` until the tree changes: the pages of one search walk
/// the tree once.
pub fn matching(
    root: &Gd<Node>,
    query: &str,
    cap: usize,
    mut matches: impl FnMut(&Gd<Node>) -> bool,
) -> Vec<Gd<Node>> {
    let cached = MATCHES.with(|slot| {
        slot.borrow()
            .as_ref()
            .filter(|found| {
                watching()
                    && found.root == root.instance_id()
                    && found.query == query
                    && found.version == tree_version()
            })
            .map(|found| found.found.clone())
    });
    let ids = cached.unwrap_or_else(|| {
        let mut walk = Walk::new(root, i64::MAX);
        let mut found = Vec::new();
        while found.len() <= cap {
            let Some(node) = walk.next() else { break };
            if matches(&node) {
                found.push(node.instance_id());
            }
        }
        MATCHES.with(|slot| {
            *slot.borrow_mut() = Some(Matches {
                root: root.instance_id(),
                query: query.to_owned(),
                version: tree_version(),
                found: found.clone(),
            })
        });
        found
    });
    ids.into_iter()
        .filter_map(|id| Gd::<Node>::try_from_instance_id(id).ok())
        .collect()
}
