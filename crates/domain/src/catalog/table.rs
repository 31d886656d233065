//! A tab-separated table with a header line: the on-disk form of the closed vocabularies.
//! Hand-written because the format is tiny (no quoting, no escapes) and domain takes no IO crates.

use super::VocabError;

/// One parsed `.tsv` file. Cells borrow the compiled-in text, so lookups never allocate labels.
pub(crate) struct Table {
    pub file: &'static str,
    header: Vec<&'static str>,
    /// (1-based line number, cells)
    pub rows: Vec<(usize, Vec<&'static str>)>,
}

impl Table {
    pub fn parse(file: &'static str, text: &'static str) -> Result<Table, VocabError> {
        let mut lines = text.lines().enumerate();
        let header: Vec<&str> = match lines.next() {
            Some((_, h)) => h.split('\t').map(str::trim).collect(),
            None => {
                return Err(VocabError::new(
                    file,
                    1,
                    "empty file: a header line is required",
                ));
            }
        };
        let mut rows = Vec::new();
        for (i, line) in lines {
            let line_no = i + 1;
            // Blank lines and `#` comments let the data be grouped for human readers.
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
            if cells.len() != header.len() {
                return Err(VocabError::new(
                    file,
                    line_no,
                    format!("{} cells, header has {}", cells.len(), header.len()),
                ));
            }
            rows.push((line_no, cells));
        }
        Ok(Table { file, header, rows })
    }

    /// Index of a named column; a missing column is a data error, reported with the file name.
    pub fn col(&self, name: &str) -> Result<usize, VocabError> {
        self.header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| VocabError::new(self.file, 1, format!("missing column {name:?}")))
    }
}

/// Splits a `;`-separated synonym cell, dropping empty items.
pub(crate) fn list(cell: &'static str) -> Vec<&'static str> {
    cell.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

pub(crate) fn opt(cell: &'static str) -> Option<&'static str> {
    if cell.is_empty() { None } else { Some(cell) }
}
