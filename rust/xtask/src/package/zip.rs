//! A deterministic zip writer: the same entries give the same bytes, whoever builds them.
//!
//! Entries are written in the order given, deflated, with one fixed modification time and
//! Unix permissions (0644 files, 0755 folders) and no extra fields, so nothing of the build
//! machine (clock, umask, file system order, owner) reaches the archive. Sizes stay below the
//! 4 GiB limit of the classic format (checked), so no zip64 records are needed.

use std::io::Write;

use anyhow::{Result, bail};
use flate2::Compression;
use flate2::write::DeflateEncoder;

/// An archive being assembled in memory.
pub struct ZipWriter {
    bytes: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
    dos_time: u16,
    dos_date: u16,
}

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL: u32 = 0x0605_4b50;
/// "Version made by": Unix (3) host, zip spec 2.0; also the version needed to extract.
const MADE_BY_UNIX: u16 = (3 << 8) | 20;
const VERSION_NEEDED: u16 = 20;
/// General purpose flag bit 11: names are UTF-8.
const UTF8_NAMES: u16 = 1 << 11;
const STORED: u16 = 0;
const DEFLATED: u16 = 8;

impl ZipWriter {
    /// An empty archive whose entries all carry `modified` (seconds since the Unix epoch,
    /// UTC; clamped to the zip format's 1980-2107 range).
    pub fn new(modified: i64) -> Self {
        let (dos_time, dos_date) = dos_date_time(modified);
        Self {
            bytes: Vec::new(),
            central: Vec::new(),
            entries: 0,
            dos_time,
            dos_date,
        }
    }

    /// Adds a folder entry (`name` ends with `/`).
    pub fn add_folder(&mut self, name: &str) -> Result<()> {
        debug_assert!(name.ends_with('/'));
        self.add(name, &[], 0o040_755)
    }

    /// Adds a file with `contents`.
    pub fn add_file(&mut self, name: &str, contents: &[u8]) -> Result<()> {
        self.add(name, contents, 0o100_644)
    }

    fn add(&mut self, name: &str, contents: &[u8], mode: u32) -> Result<()> {
        let crc = crc32fast::hash(contents);
        let (method, data) = if contents.is_empty() {
            (STORED, Vec::new())
        } else {
            let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
            encoder.write_all(contents)?;
            (DEFLATED, encoder.finish()?)
        };
        let offset = small(self.bytes.len(), "the archive")?;
        let compressed = small(data.len(), name)?;
        let size = small(contents.len(), name)?;
        let name_length = u16::try_from(name.len())?;

        let local = &mut self.bytes;
        put32(local, LOCAL_HEADER);
        put16(local, VERSION_NEEDED);
        put16(local, UTF8_NAMES);
        put16(local, method);
        put16(local, self.dos_time);
        put16(local, self.dos_date);
        put32(local, crc);
        put32(local, compressed);
        put32(local, size);
        put16(local, name_length);
        put16(local, 0); // extra field length
        local.extend_from_slice(name.as_bytes());
        local.extend_from_slice(&data);

        let central = &mut self.central;
        put32(central, CENTRAL_HEADER);
        put16(central, MADE_BY_UNIX);
        put16(central, VERSION_NEEDED);
        put16(central, UTF8_NAMES);
        put16(central, method);
        put16(central, self.dos_time);
        put16(central, self.dos_date);
        put32(central, crc);
        put32(central, compressed);
        put32(central, size);
        put16(central, name_length);
        put16(central, 0); // extra field length
        put16(central, 0); // comment length
        put16(central, 0); // disk number
        put16(central, 0); // internal attributes
        put32(central, mode << 16); // external attributes: the Unix mode in the high half
        put32(central, offset);
        central.extend_from_slice(name.as_bytes());

        self.entries = self
            .entries
            .checked_add(1)
            .ok_or_else(|| anyhow::anyhow!("too many entries for a zip without zip64"))?;
        Ok(())
    }

    /// The finished archive.
    pub fn finish(mut self) -> Result<Vec<u8>> {
        let central_offset = small(self.bytes.len(), "the archive")?;
        let central_size = small(self.central.len(), "the central directory")?;
        self.bytes.extend_from_slice(&self.central);
        let end = &mut self.bytes;
        put32(end, END_OF_CENTRAL);
        put16(end, 0); // this disk
        put16(end, 0); // disk with the central directory
        put16(end, self.entries);
        put16(end, self.entries);
        put32(end, central_size);
        put32(end, central_offset);
        put16(end, 0); // comment length
        Ok(self.bytes)
    }
}

fn small(length: usize, what: &str) -> Result<u32> {
    match u32::try_from(length) {
        Ok(value) if value < u32::MAX => Ok(value),
        _ => bail!("{what} is too big for a zip without zip64 ({length} bytes)"),
    }
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// MS-DOS time and date fields for `seconds` since the Unix epoch (UTC, 2-second steps).
fn dos_date_time(seconds: i64) -> (u16, u16) {
    const FIRST: i64 = 315_532_800; // 1980-01-01T00:00:00Z
    const LAST: i64 = 4_354_819_198; // 2107-12-31T23:59:58Z
    let seconds = seconds.clamp(FIRST, LAST);
    let days = seconds.div_euclid(86_400);
    let in_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let time = ((in_day / 3600) << 11) | ((in_day % 3600 / 60) << 5) | ((in_day % 60) / 2);
    let date = ((year - 1980) << 9) | (month << 5) | day;
    (
        u16::try_from(time).expect("time fits"),
        u16::try_from(date).expect("date fits"),
    )
}

/// The proleptic Gregorian (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert_to_the_dos_fields() {
        // 2026-12-02T01:02:04Z
        let (time, date) = dos_date_time(1_796_173_324);
        assert_eq!(time, (1 << 11) | (2 << 5) | 2);
        assert_eq!(date, ((2026 - 1980) << 9) | (12 << 5) | 2);
        assert_eq!(dos_date_time(0), (0, (1 << 5) | 1), "clamped to 1980-01-01");
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn the_same_entries_give_the_same_bytes_and_python_can_read_them() {
        let build = || {
            let mut zip = ZipWriter::new(1_796_173_324);
            zip.add_folder("addons/").unwrap();
            zip.add_file("addons/a.txt", b"hello hello hello hello")
                .unwrap();
            zip.add_file("addons/empty", b"").unwrap();
            zip.finish().unwrap()
        };
        let bytes = build();
        assert_eq!(bytes, build());
        // Read it back with an independent implementation (python3 runs the e2e tests too).
        let path = std::env::temp_dir().join(format!("xtask-zip-{}.zip", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let script = "import sys, zipfile\n\
                      z = zipfile.ZipFile(sys.argv[1])\n\
                      assert z.testzip() is None\n\
                      print(z.read('addons/a.txt').decode(), oct(z.getinfo('addons/a.txt').external_attr >> 16), z.getinfo('addons/').date_time)";
        let output = std::process::Command::new("python3")
            .args(["-c", script])
            .arg(&path)
            .output()
            .expect("python3 runs");
        let _ = std::fs::remove_file(&path);
        assert!(output.status.success(), "{output:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            "hello hello hello hello 0o100644 (2026, 12, 2, 1, 2, 4)"
        );
    }
}
