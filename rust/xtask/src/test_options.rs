//! The arguments of `cargo xtask test`: `[--repeat N] [-- <pytest args>]`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// What `cargo xtask test` was asked to do beyond its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOptions {
    /// Run the end-to-end suite this many times in a row (`--repeat N`); `None`: once, exactly
    /// as a plain `cargo xtask test`.
    pub repeat: Option<u32>,
    /// Everything after `--`, handed to pytest as given.
    pub pytest_args: Vec<String>,
    /// Where the conformance test writes its report (`cargo xtask conformance`); `None`: in
    /// the e2e work folder only.
    pub conformance_report: Option<PathBuf>,
    /// Whether fmt, clippy and the unit tests run first (all but `conformance`).
    pub lint_and_unit_tests: bool,
}

/// `cargo xtask conformance`: the conformance test alone, its report written to
/// `docs/conformance.md`.
pub fn conformance() -> TestOptions {
    TestOptions {
        repeat: None,
        pytest_args: vec!["tests/test_conformance.py".to_owned()],
        conformance_report: Some(crate::paths::repo_root().join("docs/conformance.md")),
        lint_and_unit_tests: false,
    }
}

/// Parses the arguments after `test`. Only `--repeat N` (or `--repeat=N`) may come before
/// `--`; anything else there is refused rather than ignored.
pub fn parse(args: &[String]) -> Result<TestOptions> {
    let (own, pytest_args) = match args.iter().position(|arg| arg == "--") {
        Some(index) => (&args[..index], args[index + 1..].to_vec()),
        None => (args, Vec::new()),
    };
    let mut repeat = None;
    let mut rest = own.iter();
    while let Some(arg) = rest.next() {
        let count = if arg == "--repeat" {
            rest.next()
                .context("--repeat needs a number of runs, e.g. --repeat 5")?
        } else if let Some(count) = arg.strip_prefix("--repeat=") {
            count
        } else {
            bail!(
                "unknown option '{arg}' for `test` (pytest options go after `--`, e.g. \
                 `cargo xtask test -- -k batch`)"
            );
        };
        if repeat.is_some() {
            bail!("--repeat given twice");
        }
        repeat = Some(run_count(count)?);
    }
    Ok(TestOptions {
        repeat,
        pytest_args,
        conformance_report: None,
        lint_and_unit_tests: true,
    })
}

fn run_count(text: &str) -> Result<u32> {
    match text.parse::<u32>() {
        Ok(count) if count >= 1 => Ok(count),
        _ => bail!("--repeat takes a number of runs of at least 1, not '{text}'"),
    }
}

/// pytest options whose value is a path (or an expression) rather than a test selection.
const OPTIONS_WITH_A_VALUE: &[&str] = &[
    "-k",
    "-m",
    "-p",
    "-o",
    "-c",
    "--config-file",
    "--deselect",
    "--ignore",
    "--ignore-glob",
    "--rootdir",
    "--confcutdir",
    "--basetemp",
    "--junitxml",
    "--junit-xml",
];

/// True when `pytest_args` select tests by path (`tests/test_x.py`, `tests/test_x.py::test_y`,
/// a folder), relative to `root`. Then pytest must not also be given the whole `tests` folder,
/// which would run everything anyway.
pub fn selects_paths(pytest_args: &[String], root: &Path) -> bool {
    let mut previous: Option<&str> = None;
    pytest_args.iter().any(|arg| {
        let is_value = previous.is_some_and(|option| OPTIONS_WITH_A_VALUE.contains(&option));
        previous = Some(arg);
        let file = arg.split("::").next().unwrap_or_default();
        !is_value && !arg.starts_with('-') && !file.is_empty() && root.join(file).exists()
    })
}

/// True when the run may include the release-package tests, so the package must be built
/// first: the full suite (no arguments, or the whole `tests` folder) or a selection naming
/// `test_package`. Any other selection (`-k batch`, `tests/test_sessions.py`) skips the build,
/// which takes half an hour on a cold machine.
pub fn includes_package_tests(pytest_args: &[String]) -> bool {
    let mut excluded = false;
    let mut selections = Vec::new();
    let mut filtered = false;
    let mut previous: Option<&str> = None;
    for arg in pytest_args {
        let option = previous.filter(|option| OPTIONS_WITH_A_VALUE.contains(option));
        previous = Some(arg);
        let (option, value) = match option {
            Some(option) => (Some(option), arg.as_str()),
            None => match arg.split_once('=') {
                Some((option, value)) if option.starts_with("--") => (Some(option), value),
                _ if arg.starts_with('-') => continue,
                _ => (None, arg.as_str()),
            },
        };
        match option {
            Some(option) if EXCLUDING.contains(&option) => {
                excluded |= value.contains("test_package");
            }
            Some("-k") => {
                filtered = true;
                selections.push(value);
            }
            Some(_) => {}
            None => selections.push(value),
        }
    }
    let whole_suite = selections.is_empty() && !filtered;
    !excluded
        && (whole_suite
            || selections
                .iter()
                .any(|arg| arg.contains("test_package") || arg.trim_end_matches('/') == "tests"))
}

/// pytest options that leave tests out rather than select them.
const EXCLUDING: &[&str] = &["--ignore", "--ignore-glob", "--deselect"];

/// The package tests, which need the built package.
pub const PACKAGE_TESTS: &str = "tests/test_package.py";

/// How a run that includes the package tests is split, so the package builds while the rest
/// of the suite runs: the pytest arguments of the run without the package tests (`None` when
/// the selection is only package tests), and of the package tests' run once it is built. The
/// options (`-x`, `-k ...`) go to both.
pub fn split_around_package(pytest_args: &[String]) -> (Option<Vec<String>>, Vec<String>) {
    let mut options = Vec::new();
    let mut package_paths = Vec::new();
    let mut other_paths = Vec::new();
    let mut previous: Option<&str> = None;
    for arg in pytest_args {
        let is_value = previous.is_some_and(|option| OPTIONS_WITH_A_VALUE.contains(&option));
        previous = Some(arg);
        if is_value || arg.starts_with('-') {
            options.push(arg.clone());
        } else if arg.contains("test_package") {
            package_paths.push(arg.clone());
        } else {
            other_paths.push(arg.clone());
        }
    }
    let first =
        (other_paths.len() + package_paths.len() == 0 || !other_paths.is_empty()).then(|| {
            let mut first = other_paths;
            first.extend(options.iter().cloned());
            first.push(format!("--ignore={PACKAGE_TESTS}"));
            first
        });
    if package_paths.is_empty() {
        package_paths.push(PACKAGE_TESTS.to_owned());
    }
    package_paths.extend(options);
    (first, package_paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn no_arguments_mean_one_run_of_everything() {
        assert_eq!(
            parse(&[]).unwrap(),
            TestOptions {
                repeat: None,
                pytest_args: vec![],
                conformance_report: None,
                lint_and_unit_tests: true,
            }
        );
    }

    #[test]
    fn repeat_takes_a_count_in_either_spelling() {
        assert_eq!(parse(&args("--repeat 5")).unwrap().repeat, Some(5));
        assert_eq!(parse(&args("--repeat=3")).unwrap().repeat, Some(3));
        assert_eq!(parse(&args("--repeat 1")).unwrap().repeat, Some(1));
    }

    #[test]
    fn pytest_arguments_follow_the_double_dash() {
        let options = parse(&args("--repeat 2 -- tests/test_batch_undo.py -k rolls")).unwrap();
        assert_eq!(options.repeat, Some(2));
        assert_eq!(
            options.pytest_args,
            args("tests/test_batch_undo.py -k rolls")
        );
        let options = parse(&args("-- --repeat 2")).unwrap();
        assert_eq!(options.repeat, None, "after -- it is pytest's argument");
        assert_eq!(options.pytest_args, args("--repeat 2"));
    }

    #[test]
    fn bad_counts_and_unknown_options_are_refused() {
        for bad in [
            "--repeat",
            "--repeat 0",
            "--repeat x",
            "--repeat=-1",
            "--repeat 2 --repeat 3",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
        let error = parse(&args("-k batch")).unwrap_err().to_string();
        assert!(error.contains("pytest options go after `--`"), "{error}");
        assert!(parse(&args("--release")).is_err());
    }

    #[test]
    fn a_path_or_node_id_is_a_selection_an_option_value_is_not() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let yes = |text: &str| selects_paths(&args(text), root);
        assert!(yes("src/main.rs"));
        assert!(yes("-x src/main.rs::test_a"));
        assert!(yes("src"));
        assert!(!yes(""));
        assert!(!yes("-k batch -x"));
        assert!(!yes("-k src"), "the value of -k");
        assert!(!yes("--deselect src/main.rs::test_a"));
        assert!(!yes("--ignore=src/main.rs"));
        assert!(!yes("no/such/file.py"));
    }

    #[test]
    fn the_full_suite_and_package_selections_include_the_package_tests() {
        assert!(includes_package_tests(&[]));
        assert!(includes_package_tests(&args("tests")));
        assert!(includes_package_tests(&args("tests/ -x")));
        assert!(includes_package_tests(&args("tests/test_package.py")));
        assert!(includes_package_tests(&args("-k test_package_zip")));
    }

    #[test]
    fn a_run_with_the_package_is_split_around_its_build() {
        let split = |text: &str| split_around_package(&args(text));
        assert_eq!(
            split(""),
            (
                Some(args("--ignore=tests/test_package.py")),
                args("tests/test_package.py")
            )
        );
        assert_eq!(
            split("tests -x"),
            (
                Some(args("tests -x --ignore=tests/test_package.py")),
                args("tests/test_package.py -x")
            )
        );
        assert_eq!(
            split("tests/test_package.py::test_zip -k zip"),
            (None, args("tests/test_package.py::test_zip -k zip"))
        );
        assert_eq!(
            split("-k test_package_zip"),
            (
                Some(args("-k test_package_zip --ignore=tests/test_package.py")),
                args("tests/test_package.py -k test_package_zip")
            )
        );
    }

    #[test]
    fn other_selections_skip_the_package_build() {
        assert!(!includes_package_tests(&args("-k batch")));
        assert!(!includes_package_tests(&args(
            "tests --ignore=tests/test_package.py"
        )));
        assert!(!includes_package_tests(&args(
            "--ignore tests/test_package.py"
        )));
        assert!(!includes_package_tests(&args("tests/test_sessions.py")));
        assert!(!includes_package_tests(&args(
            "tests/test_sessions.py::test_x -x"
        )));
    }
}
