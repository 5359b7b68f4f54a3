//! The tile map domain (godot-ai's `tilemap_manage` and `tileset_manage`): cells of a
//! TileMapLayer in the edited scene painted one at a time, by rect, or cleared (one undo step
//! each, which gives back exactly the cells it touched) and read; and a TileSet file's atlas
//! tiles and image read (see [`tileset`]).
//!
//! A cell is painted with a TileSet source id and the tile's atlas column and row
//! (alternative 0); source -1 or atlas (-1, -1) erases, as in Godot.

mod tileset;

use godot::classes::{EditorUndoRedoManager, TileMapLayer};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::cells::{checked_extent, clear_allowed, coordinate, int32, within_range};
use crate::commands::params::required_string;
use crate::commands::reply::into_object;
use crate::commands::scene::guard::node_at;
use crate::commands::undo::undo_redo;

pub use tileset::{tileset_get_atlas_image, tileset_get_atlas_tiles};

/// The TileMapLayer at the required param `path`.
fn layer_at(params: &JsonObject) -> Result<Gd<TileMapLayer>, CommandError> {
    let path = required_string(params, "path")?;
    let (_, node) = node_at(params, "path")?;
    node.try_cast::<TileMapLayer>().map_err(|_| {
        CommandError::new(
            ErrorCode::WrongType,
            format!("Node is not a TileMapLayer: {path}"),
        )
    })
}

/// A tile: source id, atlas coordinates, alternative.
type Tile = (i32, Vector2i, i32);

fn tile_at(layer: &Gd<TileMapLayer>, position: Vector2i) -> Option<Tile> {
    let source = layer.get_cell_source_id(position);
    (source >= 0).then(|| {
        (
            source,
            layer.get_cell_atlas_coords(position),
            layer.get_cell_alternative_tile(position),
        )
    })
}

/// Adds "put `tile` (or nothing) back at `position`" to the undo half of the open action.
fn restore_in_undo(
    history: &mut Gd<EditorUndoRedoManager>,
    layer: &Gd<TileMapLayer>,
    position: Vector2i,
    tile: Option<Tile>,
) {
    match tile {
        Some((source, atlas, alternative)) => history.add_undo_method(
            layer,
            "set_cell",
            &[
                position.to_variant(),
                source.to_variant(),
                atlas.to_variant(),
                alternative.to_variant(),
            ],
        ),
        None => history.add_undo_method(layer, "erase_cell", &[position.to_variant()]),
    }
}

/// The tile params: `source_id`, `atlas_col`, `atlas_row`.
fn painted(params: &JsonObject) -> Result<(i32, Vector2i), CommandError> {
    Ok((
        int32(params, "source_id", 0)?,
        Vector2i::new(
            int32(params, "atlas_col", 0)?,
            int32(params, "atlas_row", 0)?,
        ),
    ))
}

/// Paints every cell of `positions` as the undo step `action`; undo puts back what each held.
fn paint(
    layer: &Gd<TileMapLayer>,
    positions: &[Vector2i],
    (source, atlas): (i32, Vector2i),
    action: &str,
) -> Result<(), CommandError> {
    let mut history = undo_redo()?;
    history.create_action(action);
    for position in positions {
        history.add_do_method(
            layer,
            "set_cell",
            &[
                position.to_variant(),
                source.to_variant(),
                atlas.to_variant(),
                0.to_variant(),
            ],
        );
    }
    for position in positions {
        restore_in_undo(&mut history, layer, *position, tile_at(layer, *position));
    }
    history.commit_action();
    Ok(())
}

/// `tilemap_set_cell {path, source_id, atlas_col, atlas_row, map_x, map_y}`.
pub fn tilemap_set_cell(params: &JsonObject) -> CommandResult {
    let layer = layer_at(params)?;
    let tile = painted(params)?;
    let position = Vector2i::new(
        coordinate(params, "map_x", 0)?,
        coordinate(params, "map_y", 0)?,
    );
    paint(&layer, &[position], tile, "MCP: TileMap set_cell")?;
    Ok(into_object(json!({
        "map_x": position.x,
        "map_y": position.y,
        "source_id": tile.0,
        "atlas_col": tile.1.x,
        "atlas_row": tile.1.y,
        "undoable": true,
    })))
}

/// `tilemap_set_cells_rect {path, source_id, atlas_col, atlas_row, rect_x, rect_y, rect_w,
/// rect_h}`: every cell of the rect (at most 4096).
pub fn tilemap_set_cells_rect(params: &JsonObject) -> CommandResult {
    let layer = layer_at(params)?;
    let tile = painted(params)?;
    let origin = Vector2i::new(
        coordinate(params, "rect_x", 0)?,
        coordinate(params, "rect_y", 0)?,
    );
    let (w, h) = (int32(params, "rect_w", 1)?, int32(params, "rect_h", 1)?);
    let cells = checked_extent(&[("rect_w", w), ("rect_h", h)], "Rect")?;
    within_range("rect_x + rect_w", origin.x, w)?;
    within_range("rect_y + rect_h", origin.y, h)?;
    let mut positions = Vec::with_capacity(cells as usize);
    for x in 0..w {
        for y in 0..h {
            positions.push(origin + Vector2i::new(x, y));
        }
    }
    paint(
        &layer,
        &positions,
        tile,
        &format!("MCP: TileMap set_cells_rect {w}x{h}"),
    )?;
    Ok(into_object(json!({
        "cells_filled": cells,
        "rect": {"x": origin.x, "y": origin.y, "w": w, "h": h},
        "undoable": true,
    })))
}

/// `tilemap_clear {path}`: every cell; undo paints them all back (a layer of more than 4096
/// used cells is refused, untouched, to keep the undo step bounded).
pub fn tilemap_clear(params: &JsonObject) -> CommandResult {
    let layer = layer_at(params)?;
    let used: Vec<Vector2i> = layer.get_used_cells().iter_shared().collect();
    clear_allowed(
        "TileMapLayer",
        used.len(),
        "clear it by rects with tilemap_set_cells_rect source_id=-1",
    )?;
    let mut history = undo_redo()?;
    history.create_action("MCP: TileMap clear");
    history.add_do_method(&layer, "clear", &[]);
    history.add_undo_method(&layer, "clear", &[]);
    for position in &used {
        restore_in_undo(&mut history, &layer, *position, tile_at(&layer, *position));
    }
    history.commit_action();
    Ok(into_object(
        json!({"cleared": true, "cells_cleared": used.len(), "undoable": true}),
    ))
}

/// `tilemap_get_cells {path}`: the used cells, with the tile each holds.
pub fn tilemap_get_cells(params: &JsonObject) -> CommandResult {
    let layer = layer_at(params)?;
    let cells: Vec<Value> = layer
        .get_used_cells()
        .iter_shared()
        .map(|position| {
            let (source, atlas, alternative) = tile_at(&layer, position).unwrap_or_default();
            json!({
                "x": position.x,
                "y": position.y,
                "source_id": source,
                "atlas_col": atlas.x,
                "atlas_row": atlas.y,
                "alternative": alternative,
            })
        })
        .collect();
    Ok(into_object(json!({"count": cells.len(), "cells": cells})))
}
