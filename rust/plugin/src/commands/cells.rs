//! What the grid domains (tile map layers, grid maps) share: integer cell params, checked so
//! that the engine stores what was asked (cell keys are 16-bit per axis in saved scenes), and
//! the size cap of one rect or box fill.

use godot_ai_protocol::{CommandError, ErrorCode, JsonObject};

use crate::commands::params::integer_or;

/// Most cells one fill (a rect, a box) or one clear may touch: bounds its undo step.
pub const MAX_CELLS: i64 = 4096;

/// A cell coordinate param with a default, within the range a saved scene keeps.
pub fn coordinate(params: &JsonObject, name: &str, default: i64) -> Result<i32, CommandError> {
    let value = integer_or(params, name, default)?;
    if !(i64::from(i16::MIN)..=i64::from(i16::MAX)).contains(&value) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "{name} = {value} is outside -32768..32767, the cell range a saved scene keeps"
            ),
        ));
    }
    Ok(value as i32)
}

/// An integer param with a default that fits in 32 bits (an id, a size).
pub fn int32(params: &JsonObject, name: &str, default: i64) -> Result<i32, CommandError> {
    let value = integer_or(params, name, default)?;
    i32::try_from(value).map_err(|_| {
        CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("{name} = {value} does not fit in 32 bits"),
        )
    })
}

/// Sizes of a rect or box: each at least 1, at most [`MAX_CELLS`] cells in all.
pub fn checked_extent(sizes: &[(&str, i32)], what: &str) -> Result<i64, CommandError> {
    if sizes.iter().any(|(_, size)| *size <= 0) {
        let shown: Vec<String> = sizes.iter().map(|(_, size)| size.to_string()).collect();
        let names: Vec<&str> = sizes.iter().map(|(name, _)| *name).collect();
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "{} must all be positive (got {})",
                names.join(", "),
                shown.join(" x ")
            ),
        ));
    }
    let cells: i64 = sizes.iter().map(|(_, size)| i64::from(*size)).product();
    if cells > MAX_CELLS {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("{what} too large: {cells} cells exceeds max {MAX_CELLS}"),
        ));
    }
    Ok(cells)
}

/// `VALUE_OUT_OF_RANGE` when an area starting at `start` with `size` cells leaves the range.
pub fn within_range(name: &str, start: i32, size: i32) -> Result<(), CommandError> {
    let end = i64::from(start) + i64::from(size) - 1;
    if end > i64::from(i16::MAX) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("{name} ends at {end}, outside -32768..32767"),
        ));
    }
    Ok(())
}

/// `VALUE_OUT_OF_RANGE` when a clear would take back more than [`MAX_CELLS`] cells in one
/// undo step: `what` has `used` cells, and `instead` says how to clear it by parts.
pub fn clear_allowed(what: &str, used: usize, instead: &str) -> Result<(), CommandError> {
    if used as i64 > MAX_CELLS {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "{what} has {used} used cells, more than the {MAX_CELLS} one undoable clear \
                 takes: {instead}"
            ),
        ));
    }
    Ok(())
}
