//! A client's own command line, for the clients whose config file the client itself rewrites
//! (Claude Code keeps its whole state in `~/.claude.json` and rewrites it on every run, so
//! its `claude mcp add` is the safe way in while it may be running).
//!
//! Blocking process work: call it off the editor's main thread. A program that does not end
//! within [`TIME_ALLOWED`] is killed and reported; nothing here waits forever.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::endpoint::{Endpoint, redacted};

/// How long one client command may run (Claude Code answers in a quarter of a second here; a
/// first run on a slow disk takes a few seconds).
pub const TIME_ALLOWED: Duration = Duration::from_secs(30);

/// How often a running program is looked at while waiting for it to end.
const LOOK_EVERY: Duration = Duration::from_millis(10);

/// The command line that adds and removes our entry.
#[derive(Debug, Clone, Copy)]
pub struct Cli {
    /// The program's name on `PATH`.
    pub program: &'static str,
    /// The arguments that add our entry for the endpoint (its URL and token).
    pub add: fn(&Endpoint) -> Vec<String>,
    /// The arguments that remove our entry.
    pub remove: &'static [&'static str],
}

impl Cli {
    /// `program args…` as a person would type it, for messages, with the endpoint's token
    /// replaced by `<token>`.
    pub fn shown(&self, args: &[String], token: Option<&str>) -> String {
        let line = std::iter::once(self.program.to_owned())
            .chain(args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ");
        redacted(&line, token)
    }
}

/// What a finished program printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    pub succeeded: bool,
    /// Standard output and error, trimmed, in that order.
    pub printed: String,
}

/// Runs `program` with `args` (no input), waiting at most `time_allowed`.
pub fn run(program: &Path, args: &[String], time_allowed: Duration) -> Result<Ran, String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("could not start {}: {error}", program.display()))?;
    let stdout = child.stdout.take().map(read_in_background);
    let stderr = child.stderr.take().map(read_in_background);
    let status = wait(&mut child, time_allowed).map_err(|problem| {
        format!(
            "{} {}: {problem}",
            program.display(),
            args.first().map(String::as_str).unwrap_or("")
        )
    })?;
    let printed = [stdout, stderr]
        .into_iter()
        .flatten()
        .map(|reader| reader.join().unwrap_or_default())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Ran {
        succeeded: status.success(),
        printed,
    })
}

fn wait(child: &mut Child, time_allowed: Duration) -> Result<std::process::ExitStatus, String> {
    let deadline = Instant::now() + time_allowed;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "did not finish within {:.1} s and was stopped",
                    time_allowed.as_secs_f32()
                ));
            }
            Ok(None) => thread::sleep(LOOK_EVERY),
            Err(error) => return Err(format!("could not be waited for: {error}")),
        }
    }
}

fn read_in_background(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["-c".to_owned(), script.to_owned()]
    }

    #[test]
    fn output_and_exit_status_are_reported() {
        let ran = run(
            Path::new("/bin/sh"),
            &sh("echo out; echo err >&2; exit 3"),
            TIME_ALLOWED,
        )
        .unwrap();
        assert_eq!(
            ran,
            Ran {
                succeeded: false,
                printed: "out\nerr".to_owned()
            }
        );
    }

    #[test]
    fn a_program_that_hangs_is_stopped() {
        let started = Instant::now();
        let problem = run(
            Path::new("/bin/sh"),
            &sh("exec sleep 30"),
            Duration::from_millis(200),
        )
        .unwrap_err();
        assert!(problem.contains("did not finish within"), "{problem}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_missing_program_is_a_clear_error() {
        let problem = run(Path::new("/nonexistent/claude"), &[], TIME_ALLOWED).unwrap_err();
        assert!(
            problem.contains("could not start /nonexistent/claude"),
            "{problem}"
        );
    }
}
