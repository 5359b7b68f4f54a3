//! What the Configure and Remove buttons (and `client_manage`) do for one client: run the
//! client's own command line when it has one we use and it is on `PATH`, otherwise edit its
//! config file in place (see [`crate::setup`]).
//!
//! Invariants:
//! - A config file we cannot parse is reported and left alone on both roads: the command line
//!   is not even started (some rewrite a file they cannot read).
//! - A configure that reports success has been read back: our entry is in the file with the URL
//!   and the token.
//! - The token never appears in an error: command lines and what programs print are shown
//!   with it replaced by `<token>`.
//!
//! Blocking file and process work: call it off the editor's main thread.

use std::path::PathBuf;

use crate::ConfigError;
use crate::cli::{self, Cli};
use crate::endpoint::{Endpoint, redacted};
use crate::places::Places;
use crate::registry::Client;
use crate::setup::{self, SetupError};

/// How the change was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// By the client's own command line, at this path.
    Cli(PathBuf),
    /// By editing the config file in place.
    File,
}

/// What a configure or remove did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub config_file: PathBuf,
    pub via: Via,
    /// False when there was nothing to do (already configured for the URL and token; nothing
    /// to remove).
    pub changed: bool,
}

/// Points `client` at the endpoint, with its token.
pub fn configure(
    client: &'static Client,
    places: &Places,
    endpoint: &Endpoint,
) -> Result<Done, SetupError> {
    let config_file = client.config_file(places);
    let now = setup::entry_now(client, places)?;
    let unchanged = now
        .as_ref()
        .is_some_and(|entry| client.points_at(entry, endpoint));
    let Some((cli, program)) = command_line(client, places) else {
        setup::configure(client, places, endpoint)?;
        return Ok(Done {
            config_file,
            via: Via::File,
            changed: !unchanged,
        });
    };
    let done = |changed| Done {
        config_file: config_file.clone(),
        via: Via::Cli(program.clone()),
        changed,
    };
    let token = endpoint.token();
    if unchanged {
        return Ok(done(false));
    }
    if now.is_some() {
        run(client, &cli, &program, &owned(cli.remove), token)?;
    }
    let add = (cli.add)(endpoint);
    run(client, &cli, &program, &add, token)?;
    let written = setup::entry_now(client, places)?;
    if !written
        .as_ref()
        .is_some_and(|entry| client.points_at(entry, endpoint))
    {
        return Err(failed(
            client,
            places,
            format!(
                "`{}` succeeded but its config file has no entry for {} with the editor's \
                 token; is the program on PATH the one whose file is checked?",
                cli.shown(&add, token),
                endpoint.url()
            ),
        ));
    }
    Ok(done(true))
}

/// Takes our entry away from `client`'s config.
pub fn remove(client: &'static Client, places: &Places) -> Result<Done, SetupError> {
    let config_file = client.config_file(places);
    let now = setup::entry_now(client, places)?;
    let Some((cli, program)) = command_line(client, places) else {
        let changed = setup::remove(client, places)?;
        return Ok(Done {
            config_file,
            via: Via::File,
            changed,
        });
    };
    if now.is_some() {
        run(client, &cli, &program, &owned(cli.remove), None)?;
        if setup::entry_now(client, places)?.is_some() {
            return Err(failed(
                client,
                places,
                format!(
                    "`{}` succeeded but our entry is still in the config file",
                    cli.shown(&owned(cli.remove), None)
                ),
            ));
        }
    }
    Ok(Done {
        config_file,
        via: Via::Cli(program),
        changed: now.is_some(),
    })
}

/// The client's command line and where it is, when it has one and it is on `PATH`.
fn command_line(client: &Client, places: &Places) -> Option<(Cli, PathBuf)> {
    let cli = client.cli?;
    let program = places.program(cli.program)?;
    Some((cli, program))
}

/// Runs the client's command line with `args`; an error shows them and what the program
/// printed with `token` replaced.
fn run(
    client: &'static Client,
    cli: &Cli,
    program: &std::path::Path,
    args: &[String],
    token: Option<&str>,
) -> Result<(), SetupError> {
    let program_failed = |problem: String| SetupError {
        display_name: client.display_name,
        path: program.to_path_buf(),
        problem: ConfigError::Program(redacted(&problem, token)),
    };
    let ran = cli::run(program, args, cli::TIME_ALLOWED).map_err(program_failed)?;
    if ran.succeeded {
        return Ok(());
    }
    Err(program_failed(format!(
        "`{}` failed: {}",
        cli.shown(args, token),
        if ran.printed.is_empty() {
            "it printed nothing"
        } else {
            &ran.printed
        }
    )))
}

fn failed(client: &'static Client, places: &Places, problem: String) -> SetupError {
    SetupError {
        display_name: client.display_name,
        path: client.config_file(places),
        problem: ConfigError::Program(problem),
    }
}

fn owned(args: &[&str]) -> Vec<String> {
    args.iter().map(|arg| (*arg).to_owned()).collect()
}
