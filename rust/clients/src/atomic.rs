//! Replacing another program's config file so that a reader sees the old file or the new one,
//! never half of either: the new text goes to a temporary file beside it, is flushed to disk,
//! takes the old file's permissions, and is renamed over it.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `text` to `path` atomically, creating the parent folders if needed.
pub fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let parent = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let temporary = temporary_beside(path);
    let written = write_new(&temporary, path, text).and_then(|()| fs::rename(&temporary, path));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

fn write_new(temporary: &Path, original: &Path, text: &str) -> io::Result<()> {
    let mut file = fs::File::create(temporary)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    if let Ok(metadata) = fs::metadata(original) {
        fs::set_permissions(temporary, metadata.permissions())?;
    }
    Ok(())
}

/// `.<name>.godot-ai-native.tmp` in the same folder (a rename across file systems would not
/// be atomic).
fn temporary_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.godot-ai-native.tmp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "godot-ai-clients-atomic-{name}-{}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn creates_folders_and_replaces_without_leaving_a_temporary() {
        let dir = scratch("replace");
        let path = dir.join("deep").join("config.json");
        write_atomically(&path, "one").unwrap();
        write_atomically(&path, "two").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["config.json"]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn keeps_the_files_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("mode");
        let path = dir.join("secret.json");
        write_atomically(&path, "{}").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        write_atomically(&path, "{\"a\": 1}").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        fs::remove_dir_all(dir).unwrap();
    }
}
