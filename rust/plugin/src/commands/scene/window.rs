//! Walking the edited scene's pre-order node list at the cost of what is asked, not of the
//! scene: a walk stops once a page is full, the total and a search's matches are found once per
//! change of the tree, a walk that ended where the next page starts is resumed instead of
//! redone, and every walk can pause between frames (see [`crate::commands::settle::in_slices`]).
//!
//! Invariants:
//! - Pages are exactly the slices of the list [`crate::commands::scene::get_scene_tree`] returns whole
//!   (same order, same entries, the same cap), so paging here or in godot-ai's server gives
//!   the same pages.
//! - The tree's version moves whenever a node of the edited scene enters, leaves or is
//!   renamed, or an undo history changes (which is how the editor reorders and edits nodes).
//!   Cached counts, matches and paused walks belong to one version and are dropped when it
//!   moves; a walk spread over frames checks [`Walk::is_current`] before each slice and its
//!   owner starts over when it is not. Walks hold instance ids only, checked again before use.
//! - The watch is connected while the plugin runs and disconnected when it stops, so no
//!   callback into this library outlives it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use godot::classes::{EditorInterface, Engine, SceneTree};
use godot::obj::InstanceId;
use godot::prelude::*;
use godot::signal::ConnectHandle;

use crate::commands::settle::Budget;

/// Bumped by the watch on every change that may move, add, drop or rename a node: what was
/// read of the tree at one version holds while the version has not moved.
pub fn tree_version() -> u64 {
    VERSION.with(Cell::get)
}

fn tree_changed() {
    VERSION.with(|version| version.set(version.get().wrapping_add(1)));
}

/// A node entering, leaving or renamed counts as a change when it belongs to the edited scene:
/// the editor's own interface adds and frees nodes all the time (the dock, tooltips).
fn node_changed(node: Gd<Node>) {
    let in_edited_scene = EditorInterface::singleton()
        .get_edited_scene_root()
        .is_some_and(|root| root == node || root.is_ancestor_of(&node));
    if in_edited_scene {
        tree_changed();
    }
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
        handles.push(tree.signals().node_added().connect(node_changed));
        handles.push(tree.signals().node_removed().connect(node_changed));
        handles.push(tree.signals().node_renamed().connect(node_changed));
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

/// A pre-order walk of the nodes within `depth` of a root, which may pause between frames.
pub struct Walk {
    root: InstanceId,
    depth: i64,
    version: u64,
    emitted: usize,
    /// Nodes still to visit, the next one last, with their depth.
    pending: Vec<(InstanceId, i64)>,
}

impl Walk {
    pub fn new(root: &Gd<Node>, depth: i64) -> Self {
        Self {
            root: root.instance_id(),
            depth,
            version: tree_version(),
            emitted: 0,
            pending: vec![(root.instance_id(), 0)],
        }
    }

    /// True while the walk is of `root` and the tree is as it was when the walk began, so the
    /// nodes it has left to visit are still the rest of the list.
    pub fn is_current(&self, root: &Gd<Node>) -> bool {
        self.root == root.instance_id() && self.version == tree_version()
    }

    fn is_walk_of(&self, root: &Gd<Node>, depth: i64) -> bool {
        self.is_current(root) && self.depth == depth
    }

    /// The next node in pre-order, or `None` at the end (or if a node went away, which the
    /// watch would have seen first).
    pub fn next(&mut self) -> Option<Gd<Node>> {
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

    /// Visits nodes until it has visited `until` of them or the list ends (`true`), or the
    /// budget is spent (`false`); `visit` sees each node from position `from` on. Always
    /// takes at least one step.
    pub fn advance(
        &mut self,
        (from, until): (usize, usize),
        budget: &Budget,
        mut visit: impl FnMut(&Gd<Node>),
    ) -> bool {
        while self.emitted < until {
            let position = self.emitted;
            match self.next() {
                Some(node) if position >= from => visit(&node),
                Some(_) => {}
                None => return true,
            }
            if budget.spent() {
                return self.emitted >= until || self.pending.is_empty();
            }
        }
        true
    }

    /// Whether the list goes on after what has been visited.
    pub fn has_more(&self) -> bool {
        !self.pending.is_empty()
    }
}

/// The walk for a page starting at `start`: the one paused at or before `start` when the tree
/// has not changed since, else a new one.
pub fn walk_from(root: &Gd<Node>, depth: i64, start: usize) -> Walk {
    PAUSED
        .with(|paused| paused.borrow_mut().take())
        .filter(|walk| watching() && walk.is_walk_of(root, depth) && walk.emitted <= start)
        .unwrap_or_else(|| Walk::new(root, depth))
}

/// Keeps `walk`, which ended where a page ended, for the page after it.
pub fn pause(walk: Walk) {
    PAUSED.with(|paused| *paused.borrow_mut() = Some(walk));
}

struct Counted {
    root: InstanceId,
    depth: i64,
    version: u64,
    count: usize,
}

/// Counting the nodes of the list within `depth`, at most `cap + 1` (so a caller can tell
/// "more than the cap"), over as many slices as it takes; remembered until the tree changes.
pub struct Count {
    walk: Walk,
    cap: usize,
}

impl Count {
    /// The count when it is known for this version of the tree, else a count to advance.
    pub fn start(root: &Gd<Node>, depth: i64, cap: usize) -> Result<usize, Count> {
        let known = COUNT.with(|count| {
            count
                .borrow()
                .as_ref()
                .filter(|counted| {
                    watching()
                        && counted.root == root.instance_id()
                        && counted.depth == depth
                        && counted.version == tree_version()
                })
                .map(|counted| counted.count)
        });
        known.ok_or_else(|| Count {
            walk: Walk::new(root, depth),
            cap,
        })
    }

    pub fn is_current(&self, root: &Gd<Node>) -> bool {
        self.walk.is_current(root)
    }

    /// Counts on; the count once it is complete, `None` when the budget ran out first.
    pub fn advance(&mut self, budget: &Budget) -> Option<usize> {
        if !self
            .walk
            .advance((usize::MAX, self.cap + 1), budget, |_| {})
        {
            return None;
        }
        let count = self.walk.emitted;
        COUNT.with(|slot| {
            *slot.borrow_mut() = Some(Counted {
                root: self.walk.root,
                depth: self.walk.depth,
                version: self.walk.version,
                count,
            })
        });
        Some(count)
    }
}

/// The nodes a search found, for the tree version it searched.
struct Matches {
    root: InstanceId,
    query: String,
    version: u64,
    found: Rc<[InstanceId]>,
}

/// A search of the whole pre-order list (no depth limit) for the nodes a filter matches, at
/// most `cap + 1`, over as many slices as it takes; remembered under its query until the tree
/// changes, so the pages of one search walk the tree once.
pub struct Search {
    walk: Walk,
    query: String,
    cap: usize,
    found: Vec<InstanceId>,
}

impl Search {
    /// The matches (instance ids, in order) when this query was answered for this version of
    /// the tree, else a search to advance. Shared, not copied: a caller describes only the
    /// page it needs.
    pub fn start(root: &Gd<Node>, query: &str, cap: usize) -> Result<Rc<[InstanceId]>, Search> {
        let known = MATCHES.with(|slot| {
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
        match known {
            Some(ids) => Ok(ids),
            None => Err(Search {
                walk: Walk::new(root, i64::MAX),
                query: query.to_owned(),
                cap,
                found: Vec::new(),
            }),
        }
    }

    pub fn is_current(&self, root: &Gd<Node>) -> bool {
        self.walk.is_current(root)
    }

    /// Searches on; the matches once the search is complete, `None` when the budget ran out
    /// first.
    pub fn advance(
        &mut self,
        budget: &Budget,
        mut matches: impl FnMut(&Gd<Node>) -> bool,
    ) -> Option<Rc<[InstanceId]>> {
        loop {
            if self.found.len() > self.cap {
                break;
            }
            let Some(node) = self.walk.next() else { break };
            if matches(&node) {
                self.found.push(node.instance_id());
            }
            if budget.spent() {
                return None;
            }
        }
        let found: Rc<[InstanceId]> = std::mem::take(&mut self.found).into();
        MATCHES.with(|slot| {
            *slot.borrow_mut() = Some(Matches {
                root: self.walk.root,
                query: self.query.clone(),
                version: self.walk.version,
                found: found.clone(),
            })
        });
        Some(found)
    }
}
