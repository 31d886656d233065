//! The crate's compiled-in TSV tables (`locales/orders`, `locales/landed`): their lines and the
//! error of a bad one. A bad line is only reachable through an edit, which the tests catch.

/// A bad line in a data file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct DataError {
    pub file: &'static str,
    pub line: usize,
    pub message: String,
}

/// The data lines of a TSV (comments, blank lines and the header row left out), each with its
/// 1-based line number and its cells.
pub(crate) fn data_lines(tsv: &'static str) -> impl Iterator<Item = (usize, Vec<&'static str>)> {
    tsv.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|(i, l)| (i + 1, l.split('\t').collect()))
}
