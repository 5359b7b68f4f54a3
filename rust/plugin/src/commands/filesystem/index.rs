//! The editor's file index (`EditorFileSystem`): what listings and searches read instead of the
//! disk, so they see the files the editor knows, with their resource types.

use godot::classes::{EditorFileSystem, EditorFileSystemDirectory, EditorInterface};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, ErrorCode};

/// Whether a walk goes on after a file.
pub enum Walk {
    Next,
    Stop,
}

fn not_ready() -> CommandError {
    CommandError::new(ErrorCode::EditorNotReady, "EditorFileSystem not available")
}

/// The editor's file index.
pub fn file_system() -> Result<Gd<EditorFileSystem>, CommandError> {
    EditorInterface::singleton()
        .get_resource_filesystem()
        .ok_or_else(not_ready)
}

/// The folder `path` of the index, or its root when the index has no such folder (a walk
/// from there that filters by `path` then finds nothing).
pub fn folder_or_root(path: &str) -> Result<Gd<EditorFileSystemDirectory>, CommandError> {
    let file_system = file_system()?;
    file_system
        .get_filesystem_path(path)
        .or_else(|| file_system.get_filesystem())
        .ok_or_else(not_ready)
}

/// Calls `visit` with each file under `start` (its folder and its index in that folder),
/// depth first, a folder's files before its subfolders, like the FileSystem dock, until it
/// answers [`Walk::Stop`].
pub fn each_file(
    start: Gd<EditorFileSystemDirectory>,
    mut visit: impl FnMut(&Gd<EditorFileSystemDirectory>, i32) -> Walk,
) {
    let mut pending = vec![start];
    while let Some(folder) = pending.pop() {
        for index in 0..folder.get_file_count() {
            if let Walk::Stop = visit(&folder, index) {
                return;
            }
        }
        let subfolders: Vec<_> = (0..folder.get_subdir_count())
            .filter_map(|index| folder.get_subdir(index))
            .collect();
        pending.extend(subfolders.into_iter().rev());
    }
}
