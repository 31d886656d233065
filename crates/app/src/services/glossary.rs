//! The glossary in force: the shipped files with the operator's overrides (database) merged over
//! them; importing overrides; the translation memory table behind `ddhub_translate`'s
//! [`MemoryStore`]; and the `glossary.changed` job that re-translates automatic fields.

use async_trait::async_trait;
use ddhub_domain::jobs::StyleChanged;
use ddhub_store::glossary::{self as store_glossary, MemoryEntry, OverrideRow};
use ddhub_store::jobs::NewJob;
use ddhub_store::{Store, StoreError};
use ddhub_translate::glossary::Role;
use ddhub_translate::{
    Glossary, ImportError, MemoryRecord, MemoryStore, Term, TranslateError, Translation,
    parse_overrides,
};
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum GlossaryAdminError {
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored glossary override {ko:?} is unreadable: {problem}")]
    Corrupt { ko: String, problem: String },
    #[error(transparent)]
    Glossary(#[from] ddhub_translate::GlossaryError),
}

fn role_name(role: Role) -> String {
    serde_json::to_value(role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn to_row(t: &Term) -> OverrideRow {
    OverrideRow {
        ko: t.ko.clone(),
        role: role_name(t.role),
        code: t.code.clone(),
        en: t.en.clone(),
        ja: t.ja.clone(),
        zh_cn: t.zh_cn.clone(),
        zh_tw: t.zh_tw.clone(),
        vi: t.vi.clone(),
        th: t.th.clone(),
    }
}

fn to_term(r: OverrideRow) -> Result<Term, GlossaryAdminError> {
    let role: Role =
        serde_json::from_value(serde_json::Value::String(r.role.clone())).map_err(|_| {
            GlossaryAdminError::Corrupt {
                ko: r.ko.clone(),
                problem: format!("role {:?}", r.role),
            }
        })?;
    Ok(Term {
        ko: r.ko,
        role,
        code: r.code,
        en: r.en,
        ja: r.ja,
        zh_cn: r.zh_cn,
        zh_tw: r.zh_tw,
        vi: r.vi,
        th: r.th,
    })
}

/// The operator's override rows as glossary terms.
pub async fn override_terms(store: &Store) -> Result<Vec<Term>, GlossaryAdminError> {
    store_glossary::overrides(store)
        .await?
        .into_iter()
        .map(to_term)
        .collect()
}

/// The shipped glossary with the stored overrides merged over it.
pub async fn merged(store: &Store, shipped: &Glossary) -> Result<Glossary, GlossaryAdminError> {
    let rows = override_terms(store).await?;
    if rows.is_empty() {
        return Ok(shipped.clone());
    }
    Ok(shipped.with_overrides(rows)?)
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    pub rows: usize,
    pub revision: i64,
    pub version: String,
    pub previous_version: String,
    /// The `glossary.changed` job that re-translates automatic fields.
    pub job: ddhub_domain::JobId,
}

/// Checks an operator file against the glossary in force and stores its rows, all or nothing.
/// With `replace_all` the file becomes the whole set of overrides (the others are removed).
/// A `glossary.changed` job is enqueued with the change.
pub async fn import(
    store: &Store,
    shipped: &Glossary,
    text: &str,
    replace_all: bool,
) -> Result<ImportOutcome, GlossaryAdminError> {
    let existing = override_terms(store).await?;
    let current = if existing.is_empty() {
        shipped.clone()
    } else {
        shipped.with_overrides(existing.iter().cloned())?
    };
    let base = if replace_all {
        shipped.clone()
    } else {
        current.clone()
    };
    let rows = parse_overrides(text, &base)?;
    let next = if replace_all {
        shipped.with_overrides(rows.iter().cloned())?
    } else {
        shipped.with_overrides(existing.into_iter().chain(rows.iter().cloned()))?
    };
    let stored: Vec<OverrideRow> = rows.iter().map(to_row).collect();
    let (revision, job) =
        store_glossary::write_overrides(store, &stored, replace_all, next.version()).await?;
    Ok(ImportOutcome {
        rows: rows.len(),
        revision,
        job,
        version: next.version().to_string(),
        previous_version: current.version().to_string(),
    })
}

/// The `translation_memory` table as a [`MemoryStore`].
#[derive(Clone, Debug)]
pub struct StoreMemory {
    pub store: Store,
}

fn memory_err(e: StoreError) -> TranslateError {
    TranslateError::Memory(e.to_string())
}

#[async_trait]
impl MemoryStore for StoreMemory {
    async fn get(&self, keys: &[String]) -> Result<HashMap<String, Translation>, TranslateError> {
        let rows = store_glossary::memory_get(self.store.conn(), keys)
            .await
            .map_err(memory_err)?;
        rows.into_iter()
            .map(|(k, (text, review))| {
                let review_state = review
                    .parse()
                    .map_err(|_| TranslateError::Memory(format!("review state {review:?}")))?;
                Ok((k, Translation { text, review_state }))
            })
            .collect()
    }

    async fn put(&self, records: &[MemoryRecord]) -> Result<(), TranslateError> {
        let entries: Vec<MemoryEntry> = records
            .iter()
            .map(|r| MemoryEntry {
                key: r.key.clone(),
                source_hash: r.source_hash.clone(),
                locale: r.locale.tag().to_string(),
                glossary_version: r.glossary_version.clone(),
                provider: r.provider.clone(),
                value: r.translation.text.clone(),
                review: r.translation.review_state.as_str().to_string(),
            })
            .collect();
        store_glossary::memory_put(self.store.conn(), &entries)
            .await
            .map_err(memory_err)
    }
}

/// Styles per `style.changed` job the fan-out writes.
const STYLES_PER_JOB: usize = 200;

/// Enqueues the re-translation jobs; returns how many styles they cover.
pub async fn fan_out(store: &Store) -> Result<usize, StoreError> {
    let mut ids = Vec::new();
    let mut after = 0;
    loop {
        let page = store_glossary::styles_with_automatic_fields(store, after, 5_000).await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        ids.extend(page);
    }
    let txn = store.begin_write().await?;
    for chunk in ids.chunks(STYLES_PER_JOB) {
        let mut job = StyleChanged::of(chunk.iter().map(|id| id.0), "translation");
        job.reason = Some("glossary".into());
        ddhub_store::jobs::enqueue(&txn, NewJob::of(&job)).await?;
    }
    txn.commit().await?;
    Ok(ids.len())
}
