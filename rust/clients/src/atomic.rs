//! Replacing another program's config file so that a reader sees the old file or the new one,
//! never half of either (see `godot_ai_protocol::atomic_file`, which does the writing), with
//! what a user's config file needs on top: its folders created when it is new, and a config
//! file that is a symbolic link (dotfiles kept in a repository) replaced at the link's target,
//! so the link stays.

use std::fs;
use std::io;
use std::path::Path;

use godot_ai_protocol::atomic_file::{Visibility, replace};

/// Writes `text` to `path` atomically, creating the parent folders if needed; a symbolic link
/// at `path` is followed and its target replaced.
pub fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let target = match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    if let Some(parent) = target
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        fs::create_dir_all(parent)?;
    }
    replace(&target, text.as_bytes(), Visibility::Shared)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

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

    #[cfg(unix)]
    #[test]
    fn a_linked_config_file_is_replaced_at_its_target_and_the_link_stays() {
        let dir = scratch("link");
        let dotfiles = dir.join("dotfiles");
        fs::create_dir_all(&dotfiles).unwrap();
        fs::write(dotfiles.join("config.toml"), "old").unwrap();
        let link = dir.join("config.toml");
        std::os::unix::fs::symlink(dotfiles.join("config.toml"), &link).unwrap();
        write_atomically(&link, "new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            fs::read_to_string(dotfiles.join("config.toml")).unwrap(),
            "new"
        );
        fs::remove_dir_all(dir).unwrap();
    }
}
