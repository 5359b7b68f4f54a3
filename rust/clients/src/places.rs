//! Where the user's config folders are, per platform, from the home folder and the environment
//! variables that move them. The one place that knows about platforms: everything else asks
//! [`Places`], so a test can describe any platform and any HOME without touching the process.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Linux,
    MacOs,
    Windows,
}

impl Platform {
    /// The platform this library was built for (other Unixes count as Linux: they follow the
    /// XDG layout).
    pub fn current() -> Self {
        if cfg!(target_os = "windows") {
            Self::Windows
        } else if cfg!(target_os = "macos") {
            Self::MacOs
        } else {
            Self::Linux
        }
    }
}

/// The home folder, the platform, and the environment variables that matter here.
#[derive(Debug, Clone)]
pub struct Places {
    platform: Platform,
    home: PathBuf,
    vars: HashMap<String, String>,
}

/// The variables read from the environment: those that move config folders or files.
const VARIABLES: &[&str] = &[
    "XDG_CONFIG_HOME",
    "APPDATA",
    "USERPROFILE",
    "CLAUDE_CONFIG_DIR",
    "CODEX_HOME",
    "GEMINI_CLI_HOME",
    "OPENCODE_CONFIG_DIR",
    "PATH",
    "PATHEXT",
];

impl Places {
    pub fn new(platform: Platform, home: PathBuf, vars: HashMap<String, String>) -> Self {
        Self {
            platform,
            home,
            vars,
        }
    }

    /// This process's places: its platform, its home (`HOME`, on Windows `USERPROFILE`), and
    /// its environment. `None` when no home folder is known.
    pub fn from_process() -> Option<Self> {
        let platform = Platform::current();
        let vars: HashMap<String, String> = VARIABLES
            .iter()
            .filter_map(|name| Some(((*name).to_owned(), std::env::var(name).ok()?)))
            .collect();
        let home_variable = match platform {
            Platform::Windows => "USERPROFILE",
            _ => "HOME",
        };
        let home = std::env::var_os(home_variable)
            .or_else(|| std::env::var_os("HOME"))
            .filter(|home| !home.is_empty())?;
        Some(Self::new(platform, PathBuf::from(home), vars))
    }

    pub fn platform(&self) -> Platform {
        self.platform
    }

    pub fn home(&self) -> PathBuf {
        self.home.clone()
    }

    /// A variable naming a folder, when set and not empty.
    pub fn folder_from(&self, variable: &str) -> Option<PathBuf> {
        self.vars
            .get(variable)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
    }

    /// Where applications keep per-user config: `$XDG_CONFIG_HOME` or `~/.config` on Linux,
    /// `~/Library/Application Support` on macOS, `%APPDATA%` (or `~/AppData/Roaming`) on
    /// Windows.
    pub fn app_config(&self) -> PathBuf {
        match self.platform {
            Platform::Linux => self
                .folder_from("XDG_CONFIG_HOME")
                .unwrap_or_else(|| self.home.join(".config")),
            Platform::MacOs => self.home.join("Library").join("Application Support"),
            Platform::Windows => self
                .folder_from("APPDATA")
                .unwrap_or_else(|| self.home.join("AppData").join("Roaming")),
        }
    }

    /// The program `name` on `PATH`, as the shell would find it (on Windows with the
    /// extensions of `PATHEXT`, `.exe` and `.cmd` by default).
    pub fn program(&self, name: &str) -> Option<PathBuf> {
        let path = self.vars.get("PATH")?;
        let (separator, names) = match self.platform {
            Platform::Windows => {
                let extensions = self
                    .vars
                    .get("PATHEXT")
                    .map(String::as_str)
                    .unwrap_or(".EXE;.CMD");
                let names = extensions
                    .split(';')
                    .filter(|extension| !extension.is_empty())
                    .map(|extension| format!("{name}{}", extension.to_ascii_lowercase()))
                    .collect();
                (';', names)
            }
            _ => (':', vec![name.to_owned()]),
        };
        path.split(separator)
            .filter(|folder| !folder.is_empty())
            .flat_map(|folder| names.iter().map(move |name| Path::new(folder).join(name)))
            .find(|candidate| candidate.is_file())
    }

    /// The XDG config folder, which some command-line tools use on every platform:
    /// `$XDG_CONFIG_HOME` or `~/.config`.
    pub fn xdg_config(&self) -> PathBuf {
        self.folder_from("XDG_CONFIG_HOME")
            .unwrap_or_else(|| self.home.join(".config"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(platform: Platform, vars: &[(&str, &str)]) -> Places {
        Places::new(
            platform,
            PathBuf::from("/h"),
            vars.iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn app_config_follows_each_platforms_layout() {
        assert_eq!(
            places(Platform::Linux, &[]).app_config(),
            PathBuf::from("/h/.config")
        );
        assert_eq!(
            places(Platform::Linux, &[("XDG_CONFIG_HOME", "/x")]).app_config(),
            PathBuf::from("/x")
        );
        assert_eq!(
            places(Platform::Linux, &[("XDG_CONFIG_HOME", "")]).app_config(),
            PathBuf::from("/h/.config"),
            "an empty variable is not a folder"
        );
        assert_eq!(
            places(Platform::MacOs, &[("XDG_CONFIG_HOME", "/x")]).app_config(),
            PathBuf::from("/h/Library/Application Support")
        );
        assert_eq!(
            places(Platform::Windows, &[("APPDATA", "/roaming")]).app_config(),
            PathBuf::from("/roaming")
        );
    }

    #[test]
    fn a_program_is_found_on_path_in_order_and_only_as_a_file() {
        let root = std::env::temp_dir().join(format!("places-program-{}", std::process::id()));
        let (first, second) = (root.join("a"), root.join("b"));
        std::fs::create_dir_all(first.join("claude")).unwrap();
        std::fs::create_dir_all(&second).unwrap();
        std::fs::write(second.join("claude"), "").unwrap();
        std::fs::write(second.join("gemini.cmd"), "").unwrap();
        let path = format!("{}::{}", first.display(), second.display());
        let linux = places(Platform::Linux, &[("PATH", &path)]);
        assert_eq!(
            linux.program("claude"),
            Some(second.join("claude")),
            "a folder is no program"
        );
        assert_eq!(linux.program("codex"), None);
        assert_eq!(places(Platform::Linux, &[]).program("claude"), None);
        let windows_path = format!("{};{}", first.display(), second.display());
        let windows = places(Platform::Windows, &[("PATH", &windows_path)]);
        assert_eq!(windows.program("gemini"), Some(second.join("gemini.cmd")));
        std::fs::remove_dir_all(root).unwrap();
    }
}
