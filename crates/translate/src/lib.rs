#![doc = include_str!("../README.md")]

pub mod glossary;
pub mod quality;
pub mod romanize;
pub mod title;

pub use glossary::{Glossary, GlossaryError, Role, Term, glossary_from_csv, glossary_to_csv};
pub use quality::{EvalLine, EvalReport, chrf, evaluate, read_devset};
pub use title::{TitleTranslation, normalize_title, translate_title};
