//! Running child processes with errors that say which command failed.

use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context, Result, bail};

/// The child started by [`status_forwarding_signals`], 0 when none runs.
static FOREGROUND_CHILD: AtomicU32 = AtomicU32::new(0);

/// Runs `command` to completion while this process survives Ctrl-C and termination: it passes
/// them on to the child (which ends) and returns, so callers can still clean up (unmount).
pub fn status_forwarding_signals(command: &mut Command) -> Result<ExitStatus> {
    install_forwarding_handler();
    let mut child = command
        .spawn()
        .with_context(|| format!("could not start `{}`", describe(command)))?;
    FOREGROUND_CHILD.store(child.id(), Ordering::SeqCst);
    let status = child.wait();
    FOREGROUND_CHILD.store(0, Ordering::SeqCst);
    Ok(status?)
}

fn install_forwarding_handler() {
    // Fails only when already installed, which is fine.
    let _ = ctrlc::set_handler(|| {
        let pid = FOREGROUND_CHILD.load(Ordering::SeqCst);
        if pid != 0 {
            // Ctrl-C in a terminal already reached the child; a SIGTERM to us did not.
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status();
        }
    });
}

/// Runs `command` to completion, failing unless it exits 0.
pub fn run(command: &mut Command) -> Result<()> {
    let status = status(command)?;
    if !status.success() {
        bail!("`{}` failed with {status}", describe(command));
    }
    Ok(())
}

/// Runs `command` to completion and returns its exit status.
pub fn status(command: &mut Command) -> Result<ExitStatus> {
    command
        .status()
        .with_context(|| format!("could not start `{}`", describe(command)))
}

/// Runs `command` and returns its stdout, failing unless it exits 0.
pub fn output(command: &mut Command) -> Result<String> {
    let output = command
        .output()
        .with_context(|| format!("could not start `{}`", describe(command)))?;
    if !output.status.success() {
        bail!(
            "`{}` failed with {}: {}",
            describe(command),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// True when `program` can be found on PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// The command line, for messages.
pub fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}
