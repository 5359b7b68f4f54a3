//! Replacing a file's content all at once: the one place where that differs between Linux,
//! macOS and Windows.
//!
//! [`replace`] writes the new content to a sibling temporary file, flushes it to disk, and
//! renames it over the target. A reader sees the old content or the new, never a part; a
//! failed write leaves the old file whole (and a library the editor has mapped intact), and
//! its temporary file is removed.
//!
//! Invariants:
//! - Each call writes its own temporary file, named after the target (shortened), the process
//!   id and a per-process counter, and created exclusively (`create_new`): two writers, in one
//!   process or two (the endpoint before and after a plugin reload), never write into or
//!   rename away each other's file, and a file or symlink already at that name is never
//!   written through. The last rename wins, and each is a whole file.
//! - Temporary names start with `.` (the editor's file system ignores hidden files) and stay
//!   short whatever the target's name, so a target near the 255-byte name limit can still be
//!   replaced.
//! - Errors are returned, never panics.
//!
//! Per platform:
//! - Unix (Linux, macOS): `rename(2)` replaces the target atomically. [`Visibility::Private`]
//!   files are mode `0o600` exactly (set after creation, so the umask does not matter);
//!   [`Visibility::Shared`] files get the umask's default when new and keep the replaced
//!   file's permission bits (not setuid/setgid/sticky) otherwise. The folder is synced after
//!   the rename so the new name survives a power cut (on file systems that allow it). On
//!   macOS `sync_all` is `F_FULLFSYNC`, which reaches the disk itself.
//! - Windows: `std::fs::rename` replaces an existing target. It fails (the error is
//!   returned, the target keeps its old content) while another process holds the target open
//!   without delete sharing (an antivirus scan, an editor that locks files), when the target is
//!   read-only, or when it is a folder. There are no mode bits: both visibilities leave the
//!   file with the ACL it inherits from its folder, which for the session file is the
//!   project's `.godot/` folder, normally under the user's profile and private to them.
//!   Windows keeps the rename in its metadata journal; a folder cannot be synced through
//!   `std`, so none is attempted.
//! - The target is replaced, not written through: a symlink at the target is itself replaced
//!   by a regular file (callers resolve links before choosing the target).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Who may read the file once replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Like any file the user creates in the project (on Unix, a replaced file keeps its
    /// permission bits).
    Shared,
    /// Only its owner: mode `0o600` on Unix; on Windows, the ACL inherited from the folder.
    Private,
}

/// Longest part of the target's name (in bytes) kept in a temporary file's name.
const NAME_KEPT: usize = 64;

/// How many names are tried when a temporary file's name is already taken (a leftover of an
/// earlier process that had the same id).
const ATTEMPTS: u32 = 16;

/// Replaces `path`'s content with `bytes` at once (see the module docs). The folder must
/// exist.
pub fn replace(path: &Path, bytes: &[u8], visibility: Visibility) -> io::Result<()> {
    let (temporary, file) = create_temporary(path, visibility)?;
    let replaced = fill(file, bytes).and_then(|()| fs::rename(&temporary, path));
    if let Err(error) = replaced {
        let _ = fs::remove_file(&temporary);
        return Err(error);
    }
    sync_folder(path);
    Ok(())
}

/// A new, empty temporary file next to `path`, with the permissions `visibility` asks for.
fn create_temporary(path: &Path, visibility: Visibility) -> io::Result<(PathBuf, File)> {
    static CREATED: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} does not name a file", path.display()),
        )
    })?;
    let name = name.to_string_lossy();
    let mut kept = name.len().min(NAME_KEPT);
    while !name.is_char_boundary(kept) {
        kept -= 1;
    }
    let mut taken = None;
    for _ in 0..ATTEMPTS {
        let temporary = path.with_file_name(format!(
            ".{}.{}-{}.tmp",
            &name[..kept],
            std::process::id(),
            CREATED.fetch_add(1, Ordering::Relaxed)
        ));
        match open_new(&temporary, visibility) {
            Ok(file) => {
                if let Err(error) = set_permissions(&file, path, visibility) {
                    drop(file);
                    let _ = fs::remove_file(&temporary);
                    return Err(error);
                }
                return Ok((temporary, file));
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => taken = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(taken.unwrap_or_else(|| io::Error::from(io::ErrorKind::AlreadyExists)))
}

/// Writes and flushes the content, then closes the file (Windows renames only closed files
/// reliably).
fn fill(mut file: File, bytes: &[u8]) -> io::Result<()> {
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(unix)]
fn open_new(temporary: &Path, visibility: Visibility) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;

    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    if visibility == Visibility::Private {
        // Never readable by others, not even between creation and `set_permissions`.
        options.mode(0o600);
    }
    options.open(temporary)
}

#[cfg(not(unix))]
fn open_new(temporary: &Path, _visibility: Visibility) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temporary)
}

#[cfg(unix)]
fn set_permissions(file: &File, target: &Path, visibility: Visibility) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;

    let mode = match visibility {
        Visibility::Private => 0o600,
        Visibility::Shared => match fs::metadata(target) {
            Ok(replaced) => replaced.permissions().mode() & 0o777,
            Err(_) => return Ok(()),
        },
    };
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_permissions(_file: &File, _target: &Path, _visibility: Visibility) -> io::Result<()> {
    // Windows: the file keeps the ACL it inherits from its folder (see the module docs). The
    // read-only attribute is not copied: a read-only temporary file could not be removed.
    Ok(())
}

/// Makes the rename durable where a folder can be synced; a failure changes nothing already
/// done, so it is ignored.
#[cfg(unix)]
fn sync_folder(path: &Path) {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if let Ok(folder) = File::open(folder) {
        let _ = folder.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_folder(_path: &Path) {}

#[cfg(test)]
mod tests;
