//! Limits on hostile or accidental huge uploads, and the bounded ZIP reading that enforces them.
//! The zip crate trusts an entry's declared size, so every byte is counted as it is inflated.

use crate::error::ZipError;
use std::io::{Read, Seek, Write};

/// Limits on what a ZIP (a photo bundle, or an XLSX, which is a ZIP) may expand to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipLimits {
    /// Most entries (files and directories) the archive may list.
    pub max_entries: usize,
    /// Most bytes one entry may inflate to.
    pub max_entry_bytes: u64,
    /// Most bytes all entries together may inflate to.
    pub max_total_bytes: u64,
}

impl ZipLimits {
    /// Defaults for an XLSX: a 100,000-row sheet inflates to a few hundred MB of XML.
    pub const XLSX: ZipLimits = ZipLimits {
        max_entries: 10_000,
        max_entry_bytes: 512 * 1024 * 1024,
        max_total_bytes: 1024 * 1024 * 1024,
    };
    /// Defaults for a photo bundle: phone photos are 2-20 MB each, a bundle is at most 2 GB.
    pub const PHOTOS: ZipLimits = ZipLimits {
        max_entries: 20_000,
        max_entry_bytes: 100 * 1024 * 1024,
        max_total_bytes: 4 * 1024 * 1024 * 1024,
    };
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits::PHOTOS
    }
}

/// Limits on a sheet upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetLimits {
    /// Most bytes of the uploaded file (default 50 MB).
    pub max_bytes: usize,
    /// Most data rows under the header (default 100,000).
    pub max_rows: usize,
    /// Most columns a row may have (default 512): a wider row is a broken or hostile file.
    pub max_columns: usize,
    /// Applied to an XLSX before calamine opens it.
    pub zip: ZipLimits,
    /// Most bytes an XLSX's shared-string table may inflate to (default
    /// [`MAX_SHARED_STRINGS_BYTES`]).
    pub max_shared_strings_bytes: u64,
}

impl Default for SheetLimits {
    fn default() -> Self {
        SheetLimits {
            max_bytes: 50 * 1024 * 1024,
            max_rows: 100_000,
            max_columns: 512,
            zip: ZipLimits::XLSX,
            max_shared_strings_bytes: MAX_SHARED_STRINGS_BYTES,
        }
    }
}

/// Counts inflated bytes of one archive across entries.
pub(crate) struct Budget<'a> {
    limits: &'a ZipLimits,
    pub total: u64,
}

impl<'a> Budget<'a> {
    pub fn new(limits: &'a ZipLimits) -> Self {
        Budget { limits, total: 0 }
    }

    /// Copies one entry into `out`, failing as soon as the entry or the archive passes its limit,
    /// whatever the entry's header declared.
    pub fn copy(
        &mut self,
        name: &str,
        mut src: impl Read,
        out: &mut impl Write,
    ) -> Result<u64, ZipError> {
        let mut buf = [0u8; 64 * 1024];
        let mut entry = 0u64;
        loop {
            let n = match src.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ZipError::Corrupt(format!("{name}: {e}"))),
            };
            entry += n as u64;
            self.total += n as u64;
            if entry > self.limits.max_entry_bytes {
                return Err(ZipError::EntryTooLarge {
                    name: name.to_string(),
                    limit: self.limits.max_entry_bytes,
                });
            }
            if self.total > self.limits.max_total_bytes {
                return Err(ZipError::TotalTooLarge {
                    limit: self.limits.max_total_bytes,
                });
            }
            out.write_all(&buf[..n])
                .map_err(|e| ZipError::Write(e.to_string()))?;
        }
        Ok(entry)
    }
}

/// Opens an archive and checks its entry count.
pub(crate) fn open_archive<R: Read + Seek>(
    reader: R,
    limits: &ZipLimits,
) -> Result<zip::ZipArchive<R>, ZipError> {
    let archive = zip::ZipArchive::new(reader).map_err(|e| ZipError::Corrupt(e.to_string()))?;
    if archive.len() > limits.max_entries {
        return Err(ZipError::TooManyEntries {
            count: archive.len(),
            limit: limits.max_entries,
        });
    }
    Ok(archive)
}

/// Longest text an XLSX part may hold between two tags (one cell's value, one shared string).
/// Excel keeps at most 32,767 characters in a cell: up to 4 bytes each in UTF-8, and up to 6
/// written as an entity. Longer is a hostile file, refused before calamine holds it in memory
/// (one 250 MB cell in a 240 KB workbook took 1.2 GB and 80 s).
pub const MAX_XML_TEXT_BYTES: usize = 256 * 1024;

/// Most bytes an XLSX's shared-string table may inflate to. calamine keeps the whole table in
/// memory (300 MB of it took 414 MB from a 313 KB file); a 100,000-row catalog's is tens of MB.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 96 * 1024 * 1024;

/// Why an XLSX's parts were refused beyond the ZIP limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum XlsxBound {
    /// A text run between tags past [`MAX_XML_TEXT_BYTES`].
    TextRun,
    /// The shared-string table past [`MAX_SHARED_STRINGS_BYTES`].
    SharedStrings,
}

/// A writer that watches an XML part go by: the longest text between two tags, and its size.
/// It fails the copy (so inflating stops) as soon as a bound is passed.
struct XmlWatch {
    run: usize,
    bytes: u64,
    max_bytes: u64,
    exceeded: Option<XlsxBound>,
}

impl Write for XmlWatch {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes += buf.len() as u64;
        if self.bytes > self.max_bytes {
            self.exceeded = Some(XlsxBound::SharedStrings);
            return Err(std::io::Error::other("shared strings past their bound"));
        }
        let mut start = 0;
        for at in memchr::memchr2_iter(b'<', b'>', buf) {
            self.run += at - start;
            if self.run > MAX_XML_TEXT_BYTES {
                break;
            }
            self.run = 0;
            start = at + 1;
        }
        if self.run <= MAX_XML_TEXT_BYTES {
            self.run += buf.len() - start;
        }
        if self.run > MAX_XML_TEXT_BYTES {
            self.exceeded = Some(XlsxBound::TextRun);
            return Err(std::io::Error::other("text run past its bound"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Inflates every entry of an in-memory XLSX into nothing, so a bomb fails here and not inside
/// a library that would allocate for it (calamine opens XLSX with no limit); while inflating it
/// bounds every XML part's text runs and the shared-string table (see [`MAX_XML_TEXT_BYTES`],
/// [`MAX_SHARED_STRINGS_BYTES`]).
pub(crate) fn check_xlsx(
    bytes: &[u8],
    limits: &ZipLimits,
    max_shared_strings: u64,
) -> Result<Option<XlsxBound>, ZipError> {
    let mut archive = open_archive(std::io::Cursor::new(bytes), limits)?;
    let mut budget = Budget::new(limits);
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|e| ZipError::Corrupt(e.to_string()))?;
        if entry.encrypted() {
            return Err(ZipError::Encrypted);
        }
        let name = entry_name(&entry);
        if !name.to_ascii_lowercase().ends_with(".xml") {
            budget.copy(&name, entry, &mut std::io::sink())?;
            continue;
        }
        let shared = name.eq_ignore_ascii_case("xl/sharedStrings.xml");
        let mut watch = XmlWatch {
            run: 0,
            bytes: 0,
            max_bytes: if shared { max_shared_strings } else { u64::MAX },
            exceeded: None,
        };
        match budget.copy(&name, entry, &mut watch) {
            Ok(_) => {}
            Err(ZipError::Write(_)) if watch.exceeded.is_some() => return Ok(watch.exceeded),
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

/// An entry's name for messages and matching: the archive's declared encoding, else lossy UTF-8.
pub(crate) fn entry_name<R: Read>(entry: &zip::read::ZipFile<'_, R>) -> String {
    match entry.name() {
        Ok(n) => n.into_owned(),
        Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
    }
}
