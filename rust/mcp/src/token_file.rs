//! The editor's access token on disk (normally
//! `<project>/.godot/godot_ai_native/access_token`): made on first use, kept across restarts,
//! replaced by a rotation.
//!
//! Invariants:
//! - The file is private to its owner and replaced atomically (see
//!   [`godot_ai_protocol::atomic_file`], `Visibility::Private`: mode 0600 on Unix; on Windows
//!   the ACL of the project's `.godot/` folder). A file found with looser permissions is
//!   rewritten private before its token is used.
//! - It lives under `.godot/`, which Godot's own `.gitignore` keeps out of what a user commits.
//! - A missing, empty or malformed file gets a new token (a rotation, in effect); an I/O error
//!   is returned, never a panic, and never a message holding the token.

use std::fs;
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};

use godot_ai_protocol::atomic_file::{self, Visibility};

use crate::access::AccessToken;

/// Where the token is kept.
#[derive(Debug, Clone)]
pub struct TokenFile {
    path: PathBuf,
}

/// The token read or made, and whether it was made now (so clients set up with an older one
/// need configuring again).
#[derive(Debug, Clone)]
pub struct Loaded {
    pub token: AccessToken,
    pub created: bool,
}

impl TokenFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The kept token, or a new one written in its place when there is none.
    pub fn load_or_create(&self) -> io::Result<Loaded> {
        match fs::read_to_string(&self.path) {
            Ok(text) => match AccessToken::parse(&text) {
                Ok(token) => {
                    self.keep_private(&token)?;
                    Ok(Loaded {
                        token,
                        created: false,
                    })
                }
                Err(_) => self.rotate().map(|token| Loaded {
                    token,
                    created: true,
                }),
            },
            Err(error) if error.kind() == ErrorKind::NotFound => {
                self.rotate().map(|token| Loaded {
                    token,
                    created: true,
                })
            }
            Err(error) => Err(error),
        }
    }

    /// Makes a new token and writes it in place of the old one.
    pub fn rotate(&self) -> io::Result<AccessToken> {
        let token = AccessToken::generate().map_err(io::Error::other)?;
        self.write(&token)?;
        Ok(token)
    }

    fn write(&self, token: &AccessToken) -> io::Result<()> {
        if let Some(folder) = self.path.parent() {
            fs::create_dir_all(folder)?;
        }
        atomic_file::replace(
            &self.path,
            format!("{}\n", token.expose()).as_bytes(),
            Visibility::Private,
        )
    }

    /// Rewrites the file private when someone loosened its permissions.
    #[cfg(unix)]
    fn keep_private(&self, token: &AccessToken) -> io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&self.path)?.permissions().mode() & 0o777;
        if mode != 0o600 {
            self.write(token)?;
        }
        Ok(())
    }

    #[cfg(not(unix))]
    fn keep_private(&self, _token: &AccessToken) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str) -> PathBuf {
        let folder = std::env::temp_dir().join(format!("token-file-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&folder);
        folder
    }

    #[test]
    fn a_token_is_made_once_kept_and_replaced_by_a_rotation() {
        let folder = folder("lifecycle");
        let file = TokenFile::new(folder.join(".godot/godot_ai_native/access_token"));
        let first = file.load_or_create().unwrap();
        assert!(first.created);
        let again = file.load_or_create().unwrap();
        assert!(!again.created);
        assert_eq!(again.token, first.token);
        let rotated = file.rotate().unwrap();
        assert_ne!(rotated, first.token);
        assert_eq!(file.load_or_create().unwrap().token, rotated);
        fs::remove_dir_all(folder).unwrap();
    }

    #[test]
    fn a_malformed_file_gets_a_new_token() {
        let folder = folder("malformed");
        fs::create_dir_all(&folder).unwrap();
        let path = folder.join("access_token");
        fs::write(&path, "short").unwrap();
        let loaded = TokenFile::new(&path).load_or_create().unwrap();
        assert!(loaded.created);
        assert_eq!(
            fs::read_to_string(&path).unwrap().trim(),
            loaded.token.expose()
        );
        fs::remove_dir_all(folder).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_to_its_owner_even_after_someone_loosened_it() {
        use std::os::unix::fs::PermissionsExt;
        let folder = folder("private");
        let file = TokenFile::new(folder.join("access_token"));
        let token = file.load_or_create().unwrap().token;
        let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(file.path()), 0o600);
        fs::set_permissions(file.path(), fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(file.load_or_create().unwrap().token, token);
        assert_eq!(mode(file.path()), 0o600);
        fs::remove_dir_all(folder).unwrap();
    }
}
