//! Reading a TileSet file (godot-ai's `tileset_manage`): an atlas source's tiles, and its
//! texture as a PNG. Nothing is changed or saved.

use godot::classes::{ResourceLoader, TileSet, TileSetAtlasSource};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::{Value, json};

use crate::commands::cells::int32;
use crate::commands::editor::screenshot::encode;
use crate::commands::filesystem::checked_resource_path;
use crate::commands::params::{integer_or, required_string};
use crate::commands::reply::into_object;

/// The atlas source `source_id` of the TileSet at `tileset_path`.
fn atlas_source(params: &JsonObject) -> Result<(i32, Gd<TileSetAtlasSource>), CommandError> {
    let path = required_string(params, "tileset_path")?;
    if !params.contains_key("source_id") {
        return Err(CommandError::missing_param("source_id"));
    }
    let source_id = int32(params, "source_id", 0)?;
    checked_resource_path(path).map_err(|error| {
        CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("tileset_path: {}", error.message),
        )
    })?;
    let mut loader = ResourceLoader::singleton();
    if !loader.exists(path) {
        return Err(CommandError::new(
            ErrorCode::ResourceNotFound,
            format!("TileSet resource not found: {path}"),
        ));
    }
    let resource = loader.load(path);
    let class = resource
        .as_ref()
        .map_or_else(|| "null".to_owned(), |r| r.get_class().to_string());
    let tileset = resource
        .and_then(|resource| resource.try_cast::<TileSet>().ok())
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::WrongType,
                format!("Resource at {path} is not a TileSet (got {class})"),
            )
        })?;
    if source_id < 0 || !tileset.has_source(source_id) {
        return Err(CommandError::new(
            ErrorCode::ValueOutOfRange,
            format!("source_id {source_id} does not exist in TileSet {path}"),
        ));
    }
    let source = tileset
        .get_source(source_id)
        .ok_or_else(|| CommandError::internal(format!("TileSet source {source_id} vanished")))?;
    let class = source.get_class();
    source
        .try_cast::<TileSetAtlasSource>()
        .map(|atlas| (source_id, atlas))
        .map_err(|_| {
            CommandError::new(
                ErrorCode::WrongType,
                format!("TileSet source {source_id} is a {class}, not a TileSetAtlasSource"),
            )
        })
}

/// `tileset_get_atlas_tiles {tileset_path, source_id}`: the source's tiles by atlas column and
/// row.
pub fn tileset_get_atlas_tiles(params: &JsonObject) -> CommandResult {
    let (_, atlas) = atlas_source(params)?;
    let tiles: Vec<Value> = (0..atlas.get_tiles_count())
        .map(|index| {
            let id = atlas.get_tile_id(index);
            json!({"col": id.x, "row": id.y})
        })
        .collect();
    Ok(into_object(json!({"count": tiles.len(), "tiles": tiles})))
}

/// `tileset_get_atlas_image {tileset_path, source_id, max_size? (0: full size)}`: the
/// source's whole texture as a base64 PNG, scaled down to `max_size` on its longest edge.
pub fn tileset_get_atlas_image(params: &JsonObject) -> CommandResult {
    let (source_id, atlas) = atlas_source(params)?;
    let max_size = integer_or(params, "max_size", 0)?;
    let texture = atlas.get_texture().ok_or_else(|| {
        CommandError::new(
            ErrorCode::WrongType,
            format!("Source {source_id} has no texture assigned"),
        )
    })?;
    let mut image = texture.get_image().ok_or_else(|| {
        CommandError::new(
            ErrorCode::WrongType,
            format!("No image data could be read from source {source_id}'s texture"),
        )
    })?;
    if image.is_compressed() {
        let result = image.decompress();
        if result != godot::global::Error::OK {
            return Err(CommandError::internal(format!(
                "Could not decompress source {source_id}'s texture: {result:?}"
            )));
        }
    }
    let mut data = encode(image, max_size, "tileset");
    if let Some(fields) = data.as_object_mut() {
        fields.remove("source");
    }
    Ok(into_object(data))
}
