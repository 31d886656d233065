//! Photo bundles: a ZIP of phone photos uploaded with the sheet, read entry by entry within
//! limits, and matched to the photo names the rows give.
//!
//! Entry names are never used as file-system paths: only their last component is kept, for
//! matching and display. Callers store bytes under names of their own (a hash, an id).

use crate::error::ZipError;
use crate::limits::{Budget, ZipLimits, entry_name, open_archive};
use crate::validate::ParsedStyle;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{Read, Seek, Write};

/// One file of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleEntry {
    /// Position in the archive, for [`PhotoBundle::read`].
    pub index: usize,
    /// The last path component only (`IMG_0012.JPG` of `사진/0301/IMG_0012.JPG`).
    pub file_name: String,
    /// The size the archive declares. Not trusted: reading counts real bytes.
    pub declared_size: u64,
}

/// An opened photo bundle. Directories, `__MACOSX` resource forks and dotfiles are left out.
pub struct PhotoBundle<R: Read + Seek> {
    archive: zip::ZipArchive<R>,
    limits: ZipLimits,
    entries: Vec<BundleEntry>,
    total: u64,
}

impl<R: Read + Seek> std::fmt::Debug for PhotoBundle<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhotoBundle")
            .field("entries", &self.entries.len())
            .field("bytes_read", &self.total)
            .finish()
    }
}

impl<R: Read + Seek> PhotoBundle<R> {
    /// Opens a bundle (a file on disk or bytes in a `Cursor`) and lists its photo entries.
    pub fn open(reader: R, limits: &ZipLimits) -> Result<Self, ZipError> {
        let mut archive = open_archive(reader, limits)?;
        let mut entries = Vec::new();
        for i in 0..archive.len() {
            let e = archive
                .by_index_raw(i)
                .map_err(|e| ZipError::Corrupt(e.to_string()))?;
            if e.is_dir() {
                continue;
            }
            let full = entry_name(&e);
            let Some(file_name) = final_component(&full) else {
                continue;
            };
            if full.split(['/', '\\']).any(|c| c == "__MACOSX") || file_name.starts_with('.') {
                continue;
            }
            entries.push(BundleEntry {
                index: i,
                file_name: file_name.to_string(),
                declared_size: e.size(),
            });
        }
        Ok(PhotoBundle {
            archive,
            limits: limits.clone(),
            entries,
            total: 0,
        })
    }

    pub fn entries(&self) -> &[BundleEntry] {
        &self.entries
    }

    /// Bytes inflated so far, across all reads.
    pub fn bytes_read(&self) -> u64 {
        self.total
    }

    /// Streams one entry into `out`, counting bytes against the per-entry and total limits.
    /// On a limit error `out` holds a partial file the caller must discard.
    pub fn copy_to(&mut self, index: usize, out: &mut impl Write) -> Result<u64, ZipError> {
        let entry = self.archive.by_index(index).map_err(|e| match e {
            zip::result::ZipError::FileNotFound => ZipError::NoSuchEntry(index),
            zip::result::ZipError::UnsupportedArchive(m) if m.contains("assword") => {
                ZipError::Encrypted
            }
            other => ZipError::Corrupt(other.to_string()),
        })?;
        if entry.encrypted() {
            return Err(ZipError::Encrypted);
        }
        let name = final_component(&entry_name(&entry))
            .unwrap_or_default()
            .to_string();
        let mut budget = Budget::new(&self.limits);
        budget.total = self.total;
        let result = budget.copy(&name, entry, out);
        self.total = budget.total;
        result
    }

    /// Reads one entry into memory, within the limits.
    pub fn read(&mut self, index: usize) -> Result<Vec<u8>, ZipError> {
        let mut buf = Vec::new();
        self.copy_to(index, &mut buf)?;
        Ok(buf)
    }
}

/// The last component of an entry name, whichever slash it uses; `None` for `..`, `.` or empty.
fn final_component(name: &str) -> Option<&str> {
    let last = name.rsplit(['/', '\\']).next()?.trim();
    // A drive prefix (`C:evil.jpg`) is not part of a file name.
    let last = last.rsplit(':').next()?.trim();
    if last.is_empty() || last == "." || last == ".." {
        None
    } else {
        Some(last)
    }
}

/// Matching key: last component, lower case, extension dropped.
fn match_key(name: &str) -> String {
    let base = final_component(name).unwrap_or(name);
    let lower = base.to_lowercase();
    match lower.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && (1..=5).contains(&ext.len()) => stem.to_string(),
        _ => lower,
    }
}

/// A photo a row names and the bundle entry it matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedPhoto {
    pub style_code: String,
    /// Position among the style's photos (0 is the main photo).
    pub position: usize,
    /// The name as the row wrote it.
    pub name: String,
    /// Index of the entry in the archive.
    pub entry_index: usize,
    pub file_name: String,
}

/// A photo a row names that the bundle does not have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingPhoto {
    pub row: u32,
    pub style_code: String,
    pub name: String,
}

/// The outcome of matching rows' photo names to a bundle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoMatches {
    pub matched: Vec<MatchedPhoto>,
    pub missing: Vec<MissingPhoto>,
    /// Bundle files no row names, by file name.
    pub unmatched: Vec<String>,
}

/// Matches the photo names of parsed styles to bundle entries, ignoring case, folders inside
/// the ZIP and a missing or different extension (`IMG_1` matches `photos/img_1.JPG`). When two
/// entries share a name, the first in the archive wins. One entry may serve several styles.
pub fn match_photos(styles: &[ParsedStyle], entries: &[BundleEntry]) -> PhotoMatches {
    let mut by_key: HashMap<String, &BundleEntry> = HashMap::new();
    for e in entries {
        by_key.entry(match_key(&e.file_name)).or_insert(e);
    }
    let mut used = vec![false; entries.len()];
    let pos: HashMap<usize, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.index, i))
        .collect();
    let mut out = PhotoMatches::default();
    for s in styles {
        for (position, name) in s.photos.iter().enumerate() {
            match by_key.get(&match_key(name)) {
                Some(e) => {
                    if let Some(&i) = pos.get(&e.index) {
                        used[i] = true;
                    }
                    out.matched.push(MatchedPhoto {
                        style_code: s.style_code.clone(),
                        position,
                        name: name.clone(),
                        entry_index: e.index,
                        file_name: e.file_name.clone(),
                    });
                }
                None => out.missing.push(MissingPhoto {
                    row: s.rows.first().copied().unwrap_or(0),
                    style_code: s.style_code.clone(),
                    name: name.clone(),
                }),
            }
        }
    }
    out.unmatched = entries
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(e, _)| e.file_name.clone())
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_components_never_climb() {
        assert_eq!(final_component("../../etc/passwd"), Some("passwd"));
        assert_eq!(final_component("/abs/x.jpg"), Some("x.jpg"));
        assert_eq!(final_component("C:\\Windows\\x.jpg"), Some("x.jpg"));
        assert_eq!(final_component("a/.."), None);
        assert_eq!(final_component("dir/"), None);
    }

    #[test]
    fn keys_ignore_case_folder_and_extension() {
        assert_eq!(match_key("Photos/IMG_1.JPG"), "img_1");
        assert_eq!(match_key("img_1"), "img_1");
        assert_eq!(match_key("KN-2041.v2.jpeg"), "kn-2041.v2");
    }
}
