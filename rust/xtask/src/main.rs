//! Project automation, run as `cargo xtask <command>` (see `.cargo/config.toml`).
//!
//! - `run`: build the extension, install Godot 4.6 if needed, and open `test_project` in the
//!   editor with the plugin enabled and its MCP endpoint up, until Ctrl-C.
//! - `test`: lint, unit tests, then end-to-end tests against a real headless editor.
//! - `bench`: measure the release build on a real headless editor; refresh the README table.
//! - `build [--release]`: build the extension into `addons/godot_ai_native/bin/`.
//! - `godot -- <args>`: run the provisioned Godot.

mod build;
mod godot;
mod mounts;
mod paths;
mod process;
mod python;

use std::process::{Command, ExitCode};

use anyhow::{Result, bail};

use crate::build::Profile;
use crate::godot::Godot;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run [--release]        build, then open test_project in the Godot editor with the MCP endpoint
                         (headless when there is no display) until Ctrl-C
  test [-- <pytest args>]  lint, unit tests and end-to-end tests on a real headless editor
  bench                  measure latency, throughput, start-up, idle cost (release build) and
                         refresh the README table; reports, asserts nothing
  build [--release]      build the extension into addons/godot_ai_native/bin/
  godot -- <args>        run the provisioned Godot 4.6 with <args>

environment:
  GODOT                  use this Godot binary instead of installing one
  GODOT_AI_MCP_PORT      MCP port for `run` (default 9600)
  GODOT_AI_WS_PORT       godot-ai server WebSocket port for `run` (default 9500; 0 = no bridge)
  GODOT_AI_NATIVE_CACHE  where Godot and the test virtualenv are cached (default ~/.cache/godot-ai-native)";

fn main() -> ExitCode {
    match run_cli(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("xtask: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_cli(args: Vec<String>) -> Result<ExitCode> {
    let (command, rest) = args
        .split_first()
        .map_or(("", &[][..]), |(c, r)| (c.as_str(), r));
    let release = rest.iter().any(|arg| arg == "--release");
    let profile = if release {
        Profile::Release
    } else {
        Profile::Dev
    };
    match command {
        "run" => run_editor(profile),
        "test" => run_tests(after_double_dash(rest)),
        "build" => build::build_and_install(profile).map(|()| ExitCode::SUCCESS),
        "bench" => run_bench(),
        "godot" => run_godot(after_double_dash(rest)),
        "" | "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => bail!("unknown command '{other}'\n\n{USAGE}"),
    }
}

fn after_double_dash(args: &[String]) -> &[String] {
    match args.iter().position(|arg| arg == "--") {
        Some(index) => &args[index + 1..],
        None => &[],
    }
}

fn exit_code_of(status: std::process::ExitStatus) -> ExitCode {
    match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    }
}

fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()))
}

fn run_editor(profile: Profile) -> Result<ExitCode> {
    build::build_and_install(profile)?;
    let godot = Godot::ensure()?;
    let _mounts = godot.prepare()?;

    let project = paths::test_project();
    let mut command = godot.command();
    command
        .current_dir(&project)
        .args(["--editor", "--path"])
        .arg(&project);
    if !has_display() {
        command
            .arg("--headless")
            .env("GODOT_AI_ALLOW_HEADLESS", "1");
        eprintln!("xtask: no display: running the editor headless");
    }
    command.arg("res://main.tscn");
    eprintln!("xtask: opening test_project in the Godot editor; Ctrl-C to stop");
    Ok(exit_code_of(process::status_forwarding_signals(
        &mut command,
    )?))
}

fn run_godot(args: &[String]) -> Result<ExitCode> {
    let godot = Godot::ensure()?;
    let _mounts = godot.prepare()?;
    Ok(exit_code_of(process::status_forwarding_signals(
        godot.command().args(args),
    )?))
}

fn run_tests(pytest_args: &[String]) -> Result<ExitCode> {
    let root = paths::repo_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    step("cargo fmt --check");
    process::run(
        Command::new(&cargo)
            .current_dir(&root)
            .args(["fmt", "--all", "--check"]),
    )?;
    step("cargo clippy (warnings are errors)");
    process::run(Command::new(&cargo).current_dir(&root).args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--quiet",
        "--",
        "-D",
        "warnings",
    ]))?;
    step("cargo test (Godot-free crates)");
    process::run(
        Command::new(&cargo)
            .current_dir(&root)
            .args(["test", "--quiet"]),
    )?;

    step("build the extension");
    build::build_and_install(Profile::Dev)?;
    let e2e = E2eSetup::prepare()?;
    let godot_ai_3_python = python::ensure_godot_ai_3_venv()?;

    step("end-to-end tests (real headless editor, official MCP client)");
    let status = process::status_forwarding_signals(
        e2e.python_command()
            .args(["-m", "pytest", "tests", "-v", "-p", "no:cacheprovider"])
            .args(pytest_args)
            .env("GODOT_AI_3_PYTHON", godot_ai_3_python),
    )?;
    Ok(exit_code_of(status))
}

fn run_bench() -> Result<ExitCode> {
    step("build the extension (release)");
    build::build_and_install(Profile::Release)?;
    let e2e = E2eSetup::prepare()?;
    step("benchmark (takes a few minutes)");
    let status =
        process::status_forwarding_signals(e2e.python_command().arg("tests/bench/bench.py"))?;
    Ok(exit_code_of(status))
}

/// What the Python end-to-end code needs: Godot (mounted, behind a launcher script) and the
/// test virtualenv. The mounts last as long as this value.
struct E2eSetup {
    launcher: std::path::PathBuf,
    /// An `Xvfb` launcher for the GUI-editor tests, when one is available.
    xvfb: Option<std::path::PathBuf>,
    python: std::path::PathBuf,
    _mounts: mounts::Mounts,
}

impl E2eSetup {
    fn prepare() -> Result<Self> {
        step("provision Godot 4.6 and the test virtualenv");
        let godot = Godot::ensure()?;
        let launcher = paths::e2e_dir().join("godot");
        godot.write_launcher(&launcher)?;
        let python = python::ensure_test_venv()?;
        let mounts = godot.prepare()?;
        let xvfb_launcher = paths::e2e_dir().join("xvfb");
        let xvfb = godot
            .write_xvfb_launcher(&xvfb_launcher)?
            .then_some(xvfb_launcher);
        if xvfb.is_none() {
            eprintln!("xtask: no Xvfb for this Godot: the GUI-editor tests will be skipped");
        }
        Ok(Self {
            launcher,
            xvfb,
            python,
            _mounts: mounts,
        })
    }

    /// The virtualenv's python in the repository root, told where Godot and the scratch
    /// space are.
    fn python_command(&self) -> Command {
        let mut command = Command::new(&self.python);
        command
            .current_dir(paths::repo_root())
            .env("GODOT_AI_TEST_GODOT", &self.launcher)
            .env("GODOT_AI_TEST_WORKDIR", paths::e2e_dir());
        if let Some(xvfb) = &self.xvfb {
            command.env("GODOT_AI_TEST_XVFB", xvfb);
        }
        command
    }
}

fn step(what: &str) {
    eprintln!("\nxtask: == {what}");
}
