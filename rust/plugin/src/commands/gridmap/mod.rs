//! The GridMap domain (godot-ai's `gridmap_manage`): cells of a GridMap in the edited scene
//! set, filled or cleared (one undo step each, which gives back exactly the cells it touched),
//! and its cells and MeshLibrary items read.
//!
//! An item is a MeshLibrary id (a negative one erases); an orientation is one of Godot's 24
//! orthogonal rotations, 0..23.

use godot::classes::GridMap;
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::cells::{checked_extent, clear_allowed, coordinate, int32, within_range};
use crate::commands::params::required_string;
use crate::commands::reply::into_object;
use crate::commands::scene::guard::node_at;
use crate::commands::undo::undo_redo;

/// Godot's orthogonal rotations are indices 0..23 (godot-ai also lets 24 through, which the
/// engine then treats as no rotation).
const ORIENTATIONS: i32 = 24;

/// The GridMap at the required param `path`.
fn grid_at(params: &JsonObject) -> Result<Gd<GridMap>, CommandError> {
    let path = required_string(params, "path")?;
    let (_, node) = node_at(params, "path")?;
    node.try_cast::<GridMap>().map_err(|_| {
        CommandError::new(
            ErrorCode::WrongType,
            format!("Node is not a GridMap: {path}"),
        )
    })
}

fn orientation(params: &JsonObject) -> Result<i32, CommandError> {
    let value = int32(params, "orientation", 0)?;
    if !(0..ORIENTATIONS).contains(&value) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("orientation must be 0..23 (GridMap's orthogonal rotations), got {value}"),
        ));
    }
    Ok(value)
}

/// A cell's content: `None` when empty.
type Cell = Option<(i32, i32)>;

fn cell(grid: &Gd<GridMap>, position: Vector3i) -> Cell {
    let item = grid.get_cell_item(position);
    (item >= 0).then(|| (item, grid.get_cell_item_orientation(position)))
}

/// Adds "put `content` at `position`" to the undo half of the open action.
fn restore_in_undo(
    history: &mut Gd<godot::classes::EditorUndoRedoManager>,
    grid: &Gd<GridMap>,
    position: Vector3i,
    content: Cell,
) {
    let (item, orientation) = content.unwrap_or((-1, 0));
    history.add_undo_method(
        grid,
        "set_cell_item",
        &[
            position.to_variant(),
            item.to_variant(),
            orientation.to_variant(),
        ],
    );
}

/// Sets `item` (rotated by `orientation`) in every cell of `positions` as the undo step
/// `action`; undo puts back what each cell held.
fn set_cells(
    grid: &Gd<GridMap>,
    positions: &[Vector3i],
    item: i32,
    orientation: i32,
    action: &str,
) -> Result<(), CommandError> {
    let mut history = undo_redo()?;
    history.create_action(action);
    for position in positions {
        history.add_do_method(
            grid,
            "set_cell_item",
            &[
                position.to_variant(),
                item.to_variant(),
                orientation.to_variant(),
            ],
        );
    }
    for position in positions {
        restore_in_undo(&mut history, grid, *position, cell(grid, *position));
    }
    history.commit_action();
    Ok(())
}

/// `gridmap_set_item {path, item, map_x, map_y, map_z, orientation? (0)}`.
pub fn gridmap_set_item(params: &JsonObject) -> CommandResult {
    let grid = grid_at(params)?;
    let item = int32(params, "item", 0)?;
    let position = Vector3i::new(
        coordinate(params, "map_x", 0)?,
        coordinate(params, "map_y", 0)?,
        coordinate(params, "map_z", 0)?,
    );
    let orientation = orientation(params)?;
    set_cells(
        &grid,
        &[position],
        item,
        orientation,
        "MCP: GridMap set_item",
    )?;
    Ok(into_object(json!({
        "map_x": position.x,
        "map_y": position.y,
        "map_z": position.z,
        "item": item,
        "orientation": orientation,
        "undoable": true,
    })))
}

/// `gridmap_fill {path, item, rect_x, rect_y, rect_z, rect_w, rect_h, rect_d, orientation?}`:
/// every cell of the box (at most 4096).
pub fn gridmap_fill(params: &JsonObject) -> CommandResult {
    let grid = grid_at(params)?;
    let item = int32(params, "item", 0)?;
    let orientation = orientation(params)?;
    let origin = Vector3i::new(
        coordinate(params, "rect_x", 0)?,
        coordinate(params, "rect_y", 0)?,
        coordinate(params, "rect_z", 0)?,
    );
    let (w, h, d) = (
        int32(params, "rect_w", 1)?,
        int32(params, "rect_h", 1)?,
        int32(params, "rect_d", 1)?,
    );
    let cells = checked_extent(&[("rect_w", w), ("rect_h", h), ("rect_d", d)], "Region")?;
    within_range("rect_x + rect_w", origin.x, w)?;
    within_range("rect_y + rect_h", origin.y, h)?;
    within_range("rect_z + rect_d", origin.z, d)?;
    let mut positions = Vec::with_capacity(cells as usize);
    for x in 0..w {
        for y in 0..h {
            for z in 0..d {
                positions.push(origin + Vector3i::new(x, y, z));
            }
        }
    }
    set_cells(
        &grid,
        &positions,
        item,
        orientation,
        &format!("MCP: GridMap fill {w}x{h}x{d}"),
    )?;
    Ok(into_object(json!({
        "cells_filled": cells,
        "rect": {"x": origin.x, "y": origin.y, "z": origin.z, "w": w, "h": h, "d": d},
        "undoable": true,
    })))
}

/// `gridmap_clear {path}`: every cell; undo puts them all back (a map of more than 4096 used
/// cells is refused, untouched, to keep the undo step bounded).
pub fn gridmap_clear(params: &JsonObject) -> CommandResult {
    let grid = grid_at(params)?;
    let used: Vec<Vector3i> = grid.get_used_cells().iter_shared().collect();
    clear_allowed(
        "GridMap",
        used.len(),
        "clear it in regions with gridmap_fill item=-1",
    )?;
    let mut history = undo_redo()?;
    history.create_action("MCP: GridMap clear");
    history.add_do_method(&grid, "clear", &[]);
    history.add_undo_method(&grid, "clear", &[]);
    for position in &used {
        restore_in_undo(&mut history, &grid, *position, cell(&grid, *position));
    }
    history.commit_action();
    Ok(into_object(
        json!({"cleared": true, "cells_cleared": used.len(), "undoable": true}),
    ))
}

/// `gridmap_get_used_cells {path}`.
pub fn gridmap_get_used_cells(params: &JsonObject) -> CommandResult {
    let grid = grid_at(params)?;
    let cells: Vec<Value> = grid
        .get_used_cells()
        .iter_shared()
        .map(|cell| json!({"x": cell.x, "y": cell.y, "z": cell.z}))
        .collect();
    Ok(into_object(json!({"count": cells.len(), "cells": cells})))
}

/// `gridmap_list_library_items {path}`: the MeshLibrary's items by id (none without one).
pub fn gridmap_list_library_items(params: &JsonObject) -> CommandResult {
    let grid = grid_at(params)?;
    let Some(library) = grid.get_mesh_library() else {
        return Ok(into_object(json!({"library": "", "items": [], "count": 0})));
    };
    let mut ids = library.get_item_list().to_vec();
    ids.sort_unstable();
    let items: Vec<Value> = ids
        .into_iter()
        .map(|id| {
            json!({
                "item": id,
                "name": library.get_item_name(id).to_string(),
                "mesh": library
                    .get_item_mesh(id)
                    .map_or_else(String::new, |mesh| mesh.get_path().to_string()),
            })
        })
        .collect();
    Ok(into_object(json!({
        "library": library.get_path().to_string(),
        "count": items.len(),
        "items": items,
    })))
}
