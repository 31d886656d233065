//! The operator's glossary overrides, the revision that tells processes to reload them, and the
//! translation memory (machine-translation results by key). Rows are plain strings here: the
//! translate crate owns what a term means and validates it before it gets this far.

use crate::entity::{glossary_override, glossary_revision, translation, translation_memory};
use crate::jobs::{NewJob, enqueue};
use crate::{Result, Store};
use ddhub_domain::{JobId, StyleId, Timestamp};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

/// One override row, as in the glossary files (`zh_cn` is the `zh-CN` column).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OverrideRow {
    pub ko: String,
    pub role: String,
    pub code: String,
    pub en: String,
    pub ja: String,
    pub zh_cn: String,
    pub zh_tw: String,
    pub vi: String,
    pub th: String,
}

/// Where the overrides are: a counter bumped by every change and the merged glossary's version.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Revision {
    /// 0 before the first import.
    pub revision: i64,
    pub version: String,
}

/// Every override row, by Korean term.
pub async fn overrides(store: &Store) -> Result<Vec<OverrideRow>> {
    Ok(glossary_override::Entity::find()
        .order_by_asc(glossary_override::Column::Ko)
        .all(store.conn())
        .await?
        .into_iter()
        .map(|m| OverrideRow {
            ko: m.ko,
            role: m.role,
            code: m.code,
            en: m.en,
            ja: m.ja,
            zh_cn: m.zh_cn,
            zh_tw: m.zh_tw,
            vi: m.vi,
            th: m.th,
        })
        .collect())
}

/// The current revision (one primary-key read: cheap enough to check before every job).
pub async fn revision(store: &Store) -> Result<Revision> {
    Ok(glossary_revision::Entity::find_by_id(1)
        .one(store.conn())
        .await?
        .map(|m| Revision {
            revision: m.revision,
            version: m.version,
        })
        .unwrap_or_default())
}

/// Writes override rows in one transaction (all or nothing): upserts them by Korean term, or
/// first removes every existing override when `replace_all`. Bumps the revision, records the
/// merged glossary's `version` and enqueues a `glossary.changed` job in the same transaction.
/// Returns the new revision and the job.
pub async fn write_overrides(
    store: &Store,
    rows: &[OverrideRow],
    replace_all: bool,
    version: &str,
) -> Result<(i64, JobId)> {
    let now = Timestamp::now().0;
    let txn = store.begin_write().await?;
    if replace_all {
        glossary_override::Entity::delete_many().exec(&txn).await?;
    }
    // 11 binds a row: 500 rows stay far under either engine's limit.
    for chunk in rows.chunks(500) {
        let models = chunk.iter().map(|r| glossary_override::ActiveModel {
            ko: Set(r.ko.clone()),
            role: Set(r.role.clone()),
            code: Set(r.code.clone()),
            en: Set(r.en.clone()),
            ja: Set(r.ja.clone()),
            zh_cn: Set(r.zh_cn.clone()),
            zh_tw: Set(r.zh_tw.clone()),
            vi: Set(r.vi.clone()),
            th: Set(r.th.clone()),
            created_at: Set(now),
            updated_at: Set(now),
        });
        use glossary_override::Column as C;
        glossary_override::Entity::insert_many(models)
            .on_conflict(
                OnConflict::column(C::Ko)
                    .update_columns([
                        C::Role,
                        C::Code,
                        C::En,
                        C::Ja,
                        C::ZhCn,
                        C::ZhTw,
                        C::Vi,
                        C::Th,
                        C::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    let next = glossary_revision::Entity::find_by_id(1)
        .one(&txn)
        .await?
        .map_or(1, |m| m.revision + 1);
    use glossary_revision::Column as R;
    glossary_revision::Entity::insert(glossary_revision::ActiveModel {
        id: Set(1),
        revision: Set(next),
        version: Set(version.to_string()),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(R::Id)
            .update_columns([R::Revision, R::Version, R::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let job = enqueue(
        &txn,
        NewJob::of(&ddhub_domain::jobs::GlossaryChanged {
            revision: next,
            version: version.to_string(),
        }),
    )
    .await?;
    txn.commit().await?;
    Ok((next, job))
}

/// Styles after `after` (by id) with at least one automatic field (`glossary`, `machine` or
/// `untranslated`): the ones a glossary change may re-translate. A person's `edited` and
/// `approved` fields are left to the style.changed job's own rule.
pub async fn styles_with_automatic_fields(
    store: &Store,
    after: i64,
    limit: u64,
) -> Result<Vec<StyleId>> {
    Ok(translation::Entity::find()
        .select_only()
        .column(translation::Column::StyleId)
        .distinct()
        .filter(translation::Column::StyleId.gt(after))
        .filter(translation::Column::Review.is_in(["glossary", "machine", "untranslated"]))
        .order_by_asc(translation::Column::StyleId)
        .limit(limit)
        .into_tuple::<i64>()
        .all(store.conn())
        .await?
        .into_iter()
        .map(StyleId)
        .collect())
}

/// One translation-memory entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryEntry {
    /// `tm1:…` (see `ddhub_translate::translation_memory_key`).
    pub key: String,
    pub source_hash: String,
    pub locale: String,
    pub glossary_version: String,
    pub provider: String,
    pub value: String,
    pub review: String,
}

/// Stored results for these keys: key → (value, review state).
pub async fn memory_get<C: ConnectionTrait>(
    conn: &C,
    keys: &[String],
) -> Result<HashMap<String, (String, String)>> {
    let mut out = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(1_000) {
        for m in translation_memory::Entity::find()
            .filter(translation_memory::Column::Key.is_in(chunk.iter().cloned()))
            .all(conn)
            .await?
        {
            out.insert(m.key, (m.value, m.review));
        }
    }
    Ok(out)
}

/// Stores results; a key already present keeps its first value (the same inputs gave it).
pub async fn memory_put<C: ConnectionTrait>(conn: &C, entries: &[MemoryEntry]) -> Result<()> {
    let now = Timestamp::now().0;
    for chunk in entries.chunks(500) {
        let models = chunk.iter().map(|e| translation_memory::ActiveModel {
            key: Set(e.key.clone()),
            source_hash: Set(e.source_hash.clone()),
            locale: Set(e.locale.clone()),
            glossary_version: Set(e.glossary_version.clone()),
            provider: Set(e.provider.clone()),
            value: Set(e.value.clone()),
            review: Set(e.review.clone()),
            created_at: Set(now),
        });
        translation_memory::Entity::insert_many(models)
            .on_conflict_do_nothing_on([translation_memory::Column::Key])
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// How many entries the memory holds.
pub async fn memory_len(store: &Store) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(translation_memory::Entity::find()
        .count(store.conn())
        .await?)
}
