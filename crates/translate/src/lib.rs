#![doc = include_str!("../README.md")]

pub mod attributes;
pub mod glossary;
pub mod import;
pub mod memory;
pub mod provider;
pub mod quality;
pub mod romanize;
pub mod title;

pub use attributes::{
    AttributeKind, AttributeLabels, StyleAttributes, Templates, VocabLabels, render_attributes,
    render_description,
};
pub use glossary::{
    Glossary, GlossaryError, Role, Term, glossary_from_csv, glossary_to_csv, terms_to_csv,
};
pub use import::{ImportError, RowError, parse_overrides};
pub use memory::{
    InMemory, MemoryRecord, MemoryStore, RememberingTranslator, source_hash, translation_memory_key,
};
pub use provider::{ProviderConfig, TranslateError, Translation, Translator, build_translator};
pub use quality::{EvalLine, EvalReport, chrf, evaluate, read_devset};
pub use title::{TitleTranslation, normalize_title, translate_title};
