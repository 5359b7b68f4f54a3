//! Which callers the endpoint serves: the access token, from `GODOT_AI_MCP_TOKEN` or the
//! project's token file, unless the user turned the requirement off in Editor Settings.
//!
//! Invariants:
//! - The token is never logged, shown in a reply or an error; only where it comes from is.
//! - The [`Access`] handed to the endpoint is the one rotated here, so a rotation applies to
//!   the next request.

use godot::classes::ProjectSettings;
use godot::prelude::*;
use godot_ai_clients::Endpoint;
use godot_ai_mcp::{Access, AccessToken, TokenFile};

use crate::settings;

/// Where the token is kept: inside the project's `.godot/` folder, which is never committed.
const TOKEN_FILE: &str = "res://.godot/godot_ai_native/access_token";

/// Where the token in force came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The user turned the requirement off.
    Off,
    /// `GODOT_AI_MCP_TOKEN`.
    Environment,
    /// The project's token file.
    File,
}

/// The endpoint's access rule and where its token comes from. Cheap to clone; clones share
/// the rule.
#[derive(Debug, Clone)]
pub struct AccessRule {
    pub access: Access,
    pub source: Source,
    file: TokenFile,
}

impl AccessRule {
    /// Resolves the rule as the plugin starts, saying in the Output where the token comes from
    /// (never the token).
    pub fn resolve() -> Self {
        let file = TokenFile::new(token_file_path());
        if !settings::token_required() {
            tracing::warn!(
                "the MCP endpoint's access token is OFF (Editor Settings > {}): any program on \
                 this computer can drive this editor. Turn the setting on to require it again.",
                settings::REQUIRE_TOKEN_SETTING
            );
            return Self {
                access: Access::open(),
                source: Source::Off,
                file,
            };
        }
        if settings::conformance_fixtures() {
            tracing::warn!(
                "{}=1: the endpoint serves without the access token, because the MCP \
                 conformance suites cannot send one; never set it in an editor you work in",
                godot_ai_mcp::fixtures::FIXTURES_ENV
            );
            return Self {
                access: Access::open(),
                source: Source::Off,
                file,
            };
        }
        if let Some(text) = settings::token_from_environment() {
            match AccessToken::parse(&text) {
                Ok(token) => {
                    tracing::info!(
                        "the MCP endpoint requires the access token set by {}",
                        settings::TOKEN_ENV
                    );
                    return Self {
                        access: Access::requiring(token),
                        source: Source::Environment,
                        file,
                    };
                }
                Err(problem) => tracing::error!(
                    "{} is not used: {problem}; the project's own token is required instead",
                    settings::TOKEN_ENV
                ),
            }
        }
        match file.load_or_create() {
            Ok(loaded) => {
                tracing::info!(
                    "the MCP endpoint requires this project's access token{}; clients set up \
                     with the Godot AI dock's Configure button (or client_manage) carry it",
                    if loaded.created { " (made now)" } else { "" }
                );
                Self {
                    access: Access::requiring(loaded.token),
                    source: Source::File,
                    file,
                }
            }
            Err(error) => {
                // Without a token nobody could connect; a new one for this run keeps the
                // endpoint closed to others, and the user sees why clients must be set up again.
                tracing::error!(
                    "the access token file {} could not be read or written ({error}); this run \
                     uses a token kept in memory only: set clients up again after a restart",
                    file.path().display()
                );
                let token = AccessToken::generate()
                    .map_err(|error| tracing::error!("no random token could be made: {error}"))
                    .ok();
                Self {
                    access: token.map_or_else(Access::open, Access::requiring),
                    source: Source::File,
                    file,
                }
            }
        }
    }

    /// The endpoint as a client is pointed at it: `url` and the token in force.
    pub fn endpoint(&self, url: &str) -> Endpoint {
        Endpoint::new(
            url,
            self.access.token().map(|token| token.expose().to_owned()),
        )
    }

    /// Replaces the token with a new one, on disk and for the next request. Blocking file
    /// work: off the main thread.
    pub fn rotate(&self) -> Result<(), String> {
        match self.source {
            Source::Off => Err(format!(
                "The access token is turned off (Editor Settings > {}); turn it on to use one",
                settings::REQUIRE_TOKEN_SETTING
            )),
            Source::Environment => Err(format!(
                "The access token is set by {}; change that variable and restart the editor \
                 to use another",
                settings::TOKEN_ENV
            )),
            Source::File => {
                let token = self.file.rotate().map_err(|error| {
                    format!(
                        "The new token could not be written to {} ({error}); the old one stays \
                         in force",
                        self.file.path().display()
                    )
                })?;
                self.access.set(Some(token));
                Ok(())
            }
        }
    }
}

fn token_file_path() -> std::path::PathBuf {
    let path = ProjectSettings::singleton().globalize_path(TOKEN_FILE);
    std::path::PathBuf::from(path.to_string())
}
