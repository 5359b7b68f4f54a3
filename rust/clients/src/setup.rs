//! `configure`, `remove` and `status` of one client's config file: our entry written, taken
//! away, or read, and nothing else in the file touched.
//!
//! Blocking file work: call it off the editor's main thread.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::ConfigError;
use crate::atomic::write_atomically;
use crate::endpoint::Endpoint;
use crate::json_config::JsonConfig;
use crate::places::Places;
use crate::registry::{Client, Entry, Format, SERVER_NAME};
use crate::toml_config::TomlConfig;

/// Where a client stands, as godot-ai's labels say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Our entry points at this URL, with the endpoint's token.
    Configured,
    /// Our entry is there but points elsewhere (`url`, when it has one).
    ConfiguredMismatch {
        url: Option<String>,
    },
    /// Our entry points at this URL but sends another token (or none, or one that is no
    /// longer needed): configure again to bring it up to date.
    ConfiguredStaleToken,
    NotConfigured,
    /// The file could not be read or parsed: it is reported, never overwritten.
    Error(String),
}

impl Status {
    pub fn label(&self) -> &'static str {
        match self {
            Self::Configured => "configured",
            Self::ConfiguredMismatch { .. } => "configured_mismatch",
            Self::ConfiguredStaleToken => "configured_stale_token",
            Self::NotConfigured => "not_configured",
            Self::Error(_) => "error",
        }
    }
}

/// One client's state: its file, whether that file exists, and our entry's status.
#[derive(Debug, Clone)]
pub struct Report {
    pub config_file: PathBuf,
    /// The config file or the client's own folder for it exists: the client has been used on
    /// this machine.
    pub installed: bool,
    pub status: Status,
}

/// Why a `configure` or `remove` did nothing.
#[derive(Debug, thiserror::Error)]
#[error("{display_name}: {problem} ({path})")]
pub struct SetupError {
    pub display_name: &'static str,
    pub path: PathBuf,
    pub problem: ConfigError,
}

pub fn status(client: &Client, places: &Places, endpoint: &Endpoint) -> Report {
    let path = client.config_file(places);
    let installed = path.exists() || own_folder_exists(&path, places);
    let status = match read(&path).and_then(|text| current_entry(client, text.as_deref())) {
        Err(problem) => Status::Error(problem.to_string()),
        Ok(None) => Status::NotConfigured,
        Ok(Some(entry)) if client.points_at(&entry, endpoint) => Status::Configured,
        Ok(Some(entry)) => match client.url_of(&entry) {
            Some(found) if found == endpoint.url() => Status::ConfiguredStaleToken,
            found => Status::ConfiguredMismatch { url: found },
        },
    };
    Report {
        config_file: path,
        installed,
        status,
    }
}

/// Our entry as the file holds it now (`None` when there is none or no file); a file that
/// cannot be read or parsed is an error.
pub fn entry_now(client: &'static Client, places: &Places) -> Result<Option<Entry>, SetupError> {
    let path = client.config_file(places);
    read(&path)
        .and_then(|text| current_entry(client, text.as_deref()))
        .map_err(|problem| SetupError {
            display_name: client.display_name,
            path,
            problem,
        })
}

/// Writes our entry for the endpoint (keeping any other keys our entry already had) and says
/// what was written where.
pub fn configure(
    client: &'static Client,
    places: &Places,
    endpoint: &Endpoint,
) -> Result<PathBuf, SetupError> {
    let path = client.config_file(places);
    let failed = |problem| SetupError {
        display_name: client.display_name,
        path: path.clone(),
        problem,
    };
    let raw = read(&path).map_err(failed)?.unwrap_or_default();
    let (mark, text) = split_mark(&raw);
    let updated = match client.format {
        Format::Json { section } => {
            let mut config = JsonConfig::parse(text).map_err(failed)?;
            let existing = config
                .entry(section, SERVER_NAME)
                .and_then(|entry| entry.as_object().cloned());
            let entry = client.entry_for(endpoint, existing.as_ref());
            config
                .set_entry(section, SERVER_NAME, &Value::Object(entry))
                .map_err(failed)?;
            config.text()
        }
        Format::Toml { section } => {
            let mut config = TomlConfig::parse(text).map_err(failed)?;
            config
                .set_entry(section, SERVER_NAME, &client.entry_for(endpoint, None))
                .map_err(failed)?;
            config.text()
        }
    };
    if updated != text {
        write_atomically(&path, &format!("{mark}{updated}"))
            .map_err(|error| failed(ConfigError::Io(error)))?;
    }
    Ok(path)
}

/// Takes our entry away; says whether there was one. A missing file stays missing.
pub fn remove(client: &'static Client, places: &Places) -> Result<bool, SetupError> {
    let path = client.config_file(places);
    let failed = |problem| SetupError {
        display_name: client.display_name,
        path: path.clone(),
        problem,
    };
    let Some(raw) = read(&path).map_err(failed)? else {
        return Ok(false);
    };
    let (mark, text) = split_mark(&raw);
    let (removed, updated) = match client.format {
        Format::Json { section } => {
            let mut config = JsonConfig::parse(text).map_err(failed)?;
            (config.remove_entry(section, SERVER_NAME), config.text())
        }
        Format::Toml { section } => {
            let mut config = TomlConfig::parse(text).map_err(failed)?;
            (config.remove_entry(section, SERVER_NAME), config.text())
        }
    };
    if removed {
        write_atomically(&path, &format!("{mark}{updated}"))
            .map_err(|error| failed(ConfigError::Io(error)))?;
    }
    Ok(removed)
}

/// The folder of the config file exists and is the client's own (not the home or a shared
/// config folder, which exist for everyone).
fn own_folder_exists(path: &Path, places: &Places) -> bool {
    let shared = [places.home(), places.xdg_config(), places.app_config()];
    path.parent()
        .is_some_and(|folder| folder.exists() && !shared.iter().any(|root| root == folder))
}

/// The file's text, `None` when there is no file.
fn read(path: &Path) -> Result<Option<String>, ConfigError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
        Err(error) => Err(ConfigError::Io(error)),
    }
}

/// A UTF-8 byte-order mark (which some Windows editors write) apart from the text, so that
/// it is parsed without and written back with.
fn split_mark(raw: &str) -> (&'static str, &str) {
    match raw.strip_prefix('\u{feff}') {
        Some(text) => ("\u{feff}", text),
        None => ("", raw),
    }
}

fn current_entry(
    client: &Client,
    raw: Option<&str>,
) -> Result<Option<Map<String, Value>>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let (_, text) = split_mark(raw);
    let entry = match client.format {
        Format::Json { section } => JsonConfig::parse(text)?.entry(section, SERVER_NAME),
        Format::Toml { section } => TomlConfig::parse(text)?.entry(section, SERVER_NAME),
    };
    Ok(entry.and_then(|entry| entry.as_object().cloned()))
}
