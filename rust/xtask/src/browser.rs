//! A real browser for the tests of what a web page can do to the endpoint: Debian's Chromium,
//! installed on the host when it is missing (no browser download of a test tool's own).

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::debian_root;

/// Where Debian's package puts it.
const CHROMIUM: &str = "/usr/bin/chromium";

/// The Chromium the tests run, installed if needed.
pub fn ensure_chromium() -> Result<PathBuf> {
    let chromium = Path::new(CHROMIUM);
    if !chromium.exists() {
        eprintln!("xtask: installing Debian's Chromium for the browser tests");
        debian_root::install_on_host(&["chromium"], "Chromium")?;
    }
    Ok(chromium.to_owned())
}
