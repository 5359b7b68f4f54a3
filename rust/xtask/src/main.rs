//! Project automation, run as `cargo xtask <command>` (see `.cargo/config.toml`).
//!
//! - `run`: build the extension, install Godot 4.6 if needed, and open `test_project` in the
//!   editor with the plugin enabled and its MCP endpoint up, until Ctrl-C.
//! - `test [--repeat N]`: lint, unit tests, then end-to-end tests against a real headless
//!   editor (N times in a row with `--repeat`, to catch flaky tests).
//! - `bench`: measure the release build on a real headless editor; refresh the README table.
//! - `fuzz [--calls N] [--seed S]`: seeded random and hostile tool calls against a real
//!   headless editor; fails on a crash, an `INTERNAL_ERROR`, a write outside the project, a
//!   long main-thread hold or a save that wrote nothing.
//! - `build [--release]`: build the extension into `addons/godot_ai_native/bin/`.
//! - `package`: build and check the libraries of every platform, write the release zip.
//! - `godot -- <args>`: run the provisioned Godot.

mod browser;
mod build;
mod build_root;
mod debian_root;
mod godot;
mod mounts;
mod node;
mod package;
mod paths;
mod process;
mod python;
mod test_options;

use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::build::Profile;
use crate::godot::Godot;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run [--release]        build, then open test_project in the Godot editor with the MCP endpoint
                         (headless when there is no display) until Ctrl-C
  test [--repeat N] [-- <pytest args>]
                         lint, unit tests and end-to-end tests on real editors; with --repeat,
                         the end-to-end tests N times in a row, stopping at the first failing
                         run; pytest args select tests (`-- tests/test_sessions.py`, `-- -k batch`)
  conformance            run the pinned MCP conformance suites (0.1.16 active; 0.2.0-alpha.12 for
                         2025-11-25 and 2026-07-28) against a real editor serving the suite's
                         fixtures, and write docs/conformance.md (`test` runs them too)
  fuzz [--calls N] [--seed S]
                         N (default 2000) seeded random, hostile and plausible tool calls against
                         a real editor in a scratch project; reports, and fails on a crash, an
                         INTERNAL_ERROR, a write outside the project, a main-thread hold over
                         100 ms or a save that said ok and wrote nothing
  bench                  measure latency, throughput, start-up, idle cost (release build) and
                         refresh the README table; reports, asserts nothing
  build [--release]      build the extension into addons/godot_ai_native/bin/
  package                build the library for Linux, Windows (x86_64, arm64) and macOS
                         (universal) in a cached Debian root, check each one, and write
                         target/package/godot-ai-native-<version>.zip
  godot -- <args>        run the provisioned Godot 4.6 with <args>

environment:
  GODOT                  use this Godot binary instead of installing one
  GODOT_AI_MCP_PORT      MCP port for `run` (default 9600)
  GODOT_AI_WS_PORT       godot-ai server WebSocket port for `run` (default 9500; 0 = no bridge)
  GODOT_AI_CONFORMANCE_FIXTURES=1
                         `run`: the endpoint also serves the conformance suite's fixtures
  GODOT_AI_NATIVE_CACHE  where Godot and the test virtualenv are cached (default ~/.cache/godot-ai-native)";

fn main() -> ExitCode {
    xtask_started();
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
        "test" => run_tests(&test_options::parse(rest)?),
        "conformance" => run_tests(&test_options::conformance()),
        "build" => build::build_and_install(profile).map(|()| ExitCode::SUCCESS),
        "package" => {
            package::build_package(package::Build::Release, false).map(|_| ExitCode::SUCCESS)
        }
        "bench" => run_bench(),
        "fuzz" => run_fuzz(rest),
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
    if std::env::var("GODOT_AI_CONFORMANCE_FIXTURES").is_ok_and(|value| value.trim() == "1") {
        eprintln!(
            "xtask: GODOT_AI_CONFORMANCE_FIXTURES=1: the endpoint serves the conformance fixtures too"
        );
    }
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

fn run_tests(options: &test_options::TestOptions) -> Result<ExitCode> {
    let root = paths::repo_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // The package (every platform, built in the cached root, unoptimised: see
    // `package::Build::Checked`) is built for the runs that include its tests, which the full
    // suite and CI do. It starts first and builds in the background, at the lowest CPU
    // priority, while the lints run, the rest is provisioned (downloads, mostly) and the other
    // end-to-end tests run (mostly waiting on editors); its own tests run once it is built.
    // With --repeat it is built before the runs, as before.
    let with_package = test_options::includes_package_tests(&options.pytest_args);
    let package_build = if with_package && options.repeat.is_none() {
        step(
            "package: every platform's library, built and checked (unoptimised), in the background",
        );
        Some(start_package_build(true)?)
    } else {
        None
    };
    if options.lint_and_unit_tests {
        lint_and_unit_tests(&root, &cargo)?;
    } else {
        eprintln!("xtask: not running lints and unit tests: `conformance` runs its suites only");
    }
    step("build the extension");
    build::build_and_install(Profile::Dev)?;
    let package_built = |building: std::thread::JoinHandle<Result<_>>| {
        building
            .join()
            .map_err(|_| anyhow::anyhow!("the package build stopped unexpectedly"))?
            .context("building the package")
    };
    // With --repeat, every run includes the package tests: it is built before provisioning.
    let mut package = match (with_package, options.repeat) {
        (true, Some(_)) => {
            step("package: every platform's library, built and checked (unoptimised)");
            Some(package_built(start_package_build(false)?)?)
        }
        (false, _) => {
            eprintln!("xtask: not building the package: the selected tests do not need it");
            None
        }
        (true, None) => None,
    };
    let e2e = E2eSetup::prepare()?;
    let godot_ai_3_python = python::ensure_godot_ai_3_venv()?;
    let client_programs = node::ensure_test_clients()?;
    let conformance_suites = node::ensure_conformance_suites()?;
    let chromium = browser::ensure_chromium()?;

    let pytest = |args: &[String],
                  package: Option<&(std::path::PathBuf, build_root::Arm64Godot)>| {
        let mut command = e2e.python_command();
        command.args(["-m", "pytest"]);
        if !test_options::selects_paths(args, &root) {
            command.arg("tests");
        }
        command
            .args(["-v", "-p", "no:cacheprovider"])
            .args(args)
            .env("GODOT_AI_3_PYTHON", &godot_ai_3_python)
            .env("GODOT_AI_TEST_CLIENTS_BIN", &client_programs)
            .env("GODOT_AI_TEST_CONFORMANCE", &conformance_suites)
            .env("GODOT_AI_TEST_CHROMIUM", &chromium);
        if let Some(report) = &options.conformance_report {
            command.env("GODOT_AI_CONFORMANCE_REPORT", report);
        }
        if let Some((zip, arm64)) = package {
            command
                .env("GODOT_AI_TEST_PACKAGE", zip)
                .env("GODOT_AI_TEST_GODOT_ARM64", arm64.launcher());
        }
        command
    };
    if let Some(runs) = options.repeat {
        return repeat_e2e(runs, || pytest(&options.pytest_args, package.as_ref()));
    }
    let Some(building) = package_build else {
        step("end-to-end tests (real headless editor, official MCP client)");
        let status = process::status_forwarding_signals(&mut pytest(&options.pytest_args, None))?;
        step("end-to-end tests finished");
        return Ok(exit_code_of(status));
    };
    let (others, package_tests) = test_options::split_around_package(&options.pytest_args);
    let mut passed = true;
    if let Some(others) = others {
        step("end-to-end tests but the package's (real headless editors, official MCP client)");
        let status = process::status_forwarding_signals(&mut pytest(&others, None))?;
        // 5: no test was selected (a `-k` that matches only package tests).
        passed &= status.success() || status.code() == Some(5);
    }
    step("wait for the package");
    package = Some(package_built(building)?);
    step("the package's tests (the zip installed into new projects, x86_64 and arm64)");
    let status = process::status_forwarding_signals(&mut pytest(&package_tests, package.as_ref()))?;
    passed &= status.success();
    step("end-to-end tests finished");
    if !passed {
        eprintln!("xtask: some end-to-end tests failed: see the pytest summaries above");
    }
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The package (and the arm64 Godot its tests load it in) built on a thread of its own;
/// `background`: at the lowest CPU priority.
fn start_package_build(
    background: bool,
) -> Result<std::thread::JoinHandle<Result<(std::path::PathBuf, build_root::Arm64Godot)>>> {
    // The package and the provisioning both make Debian roots: the host's debootstrap first.
    debian_root::ensure_debootstrap()?;
    Ok(std::thread::spawn(move || {
        let started = Instant::now();
        let zip = package::build_package(package::Build::Checked, background)?;
        let arm64 = build_root::Arm64Godot::prepare(&paths::e2e_dir().join("godot-arm64"))?;
        eprintln!(
            "xtask: the package is built and checked ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
        Ok((zip, arm64))
    }))
}

/// `cargo fmt --check`, clippy with warnings as errors, and the unit tests of every crate.
fn lint_and_unit_tests(root: &std::path::Path, cargo: &str) -> Result<()> {
    step("cargo fmt --check");
    process::run(
        Command::new(cargo)
            .current_dir(root)
            .args(["fmt", "--all", "--check"]),
    )?;
    step("cargo clippy (warnings are errors)");
    process::run(Command::new(cargo).current_dir(root).args([
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
        Command::new(cargo)
            .current_dir(root)
            .args(["test", "--quiet"]),
    )?;
    step("cargo test (the plugin's unit tests: pure logic, no engine)");
    process::run(Command::new(cargo).current_dir(root).args([
        "test",
        "--quiet",
        "-p",
        "godot-ai-native",
        "--lib",
    ]))?;

    Ok(())
}

/// Runs the end-to-end suite `runs` times in a row, each with fresh logs, and stops at the
/// first failing run, whose logs are then left in place. Ends with a summary of every run.
fn repeat_e2e(runs: u32, mut pytest: impl FnMut() -> Command) -> Result<ExitCode> {
    let logs = paths::e2e_dir().join("logs");
    let mut times = Vec::new();
    for run in 1..=runs {
        step(&format!("end-to-end tests, run {run} of {runs}"));
        // Each run's editors, servers and Xvfb write here: only one run's logs at a time.
        if logs.exists() {
            std::fs::remove_dir_all(&logs)
                .with_context(|| format!("clearing {}", logs.display()))?;
        }
        let started = Instant::now();
        let status = process::status_forwarding_signals(&mut pytest())?;
        times.push(started.elapsed());
        if !status.success() {
            summarize(runs, &times, true);
            eprintln!(
                "xtask: run {run} of {runs} FAILED ({status}) after {} passing run(s); its \
                 pytest report is above, and its editor, godot-ai server and Xvfb logs are in {}",
                run - 1,
                logs.display()
            );
            return Ok(exit_code_of(status));
        }
    }
    summarize(runs, &times, false);
    Ok(ExitCode::SUCCESS)
}

/// One line per run made (the last one failed when `failed`), then how many passed.
fn summarize(runs: u32, times: &[Duration], failed: bool) {
    step("end-to-end repeat summary");
    let passed = times.len() - usize::from(failed);
    for (index, time) in times.iter().enumerate() {
        let verdict = if index < passed { "passed" } else { "FAILED" };
        eprintln!(
            "xtask: run {} of {runs}: {verdict} in {:.1} s",
            index + 1,
            time.as_secs_f64()
        );
    }
    let total: Duration = times.iter().sum();
    eprintln!(
        "xtask: {passed} of {runs} runs passed; {} run(s) not started; {:.1} s in all",
        runs as usize - times.len(),
        total.as_secs_f64()
    );
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

fn run_fuzz(args: &[String]) -> Result<ExitCode> {
    let mut fuzz_args = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--calls" | "--seed" => {
                let value = rest
                    .next()
                    .with_context(|| format!("{arg} needs a number"))?;
                value
                    .parse::<u64>()
                    .with_context(|| format!("{arg} takes a whole number, not '{value}'"))?;
                fuzz_args.extend([arg.clone(), value.clone()]);
            }
            other => bail!("fuzz: unknown argument '{other}' (it takes --calls N and --seed S)"),
        }
    }
    step("build the extension");
    build::build_and_install(Profile::Dev)?;
    let e2e = E2eSetup::prepare()?;
    step("fuzz the editor's tools");
    let status = process::status_forwarding_signals(
        e2e.python_command().arg("tests/fuzz.py").args(&fuzz_args),
    )?;
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

/// Announces the next phase, with the time since xtask started (so a log shows what each
/// phase took).
fn step(what: &str) {
    let elapsed = xtask_started().elapsed().as_secs();
    eprintln!("\nxtask: == [{}:{:02}] {what}", elapsed / 60, elapsed % 60);
}

/// When this xtask process started (first asked at the top of `main`).
fn xtask_started() -> Instant {
    static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *STARTED.get_or_init(Instant::now)
}
