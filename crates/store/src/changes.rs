//! The catalog change log behind the partner changes feed.
//!
//! Every write that can change what a partner's feed shows (styles, SKU stock, archiving,
//! photos, feed-visible translations) appends one row per style here, in its own transaction.
//! It is one of the two never-skip logs and follows their one design ([`crate::seqlog`]):
//! [`record`] appends under the log's shared lock, [`after`] and [`view_version`] read under
//! its exclusive lock, so a reader paging with `id > cursor` never skips a row that commits
//! late.
//!
//! Separately, catalog writers take turns ([`lock_writers`]): their plans read rows and then
//! write them (an upsert's created/changed/unchanged split, a person's edit standing against
//! an automatic translation), which is only right when no other catalog writer runs between
//! the read and the write. That turn-taking is theirs, not the log's: the log would not skip
//! without it.

use crate::entity::{catalog_change, style};
use crate::seqlog::{self, Log};
use crate::{Result, Store};
use ddhub_domain::{Locale, StyleId, Timestamp, WholesalerId};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::BTreeSet;

/// Advisory lock key for the catalog writers' turns (the logs use 84120001 and 84120003).
const CATALOG_WRITERS_LOCK: i64 = 84_120_002;

/// Most rows per insert statement (6 values each, well under both backends' bind limits).
const CHUNK: usize = 4_000;

/// Why a style's row was appended (informational; the feed renders the style's current state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Created,
    Updated,
    Archived,
    Photos,
    Translation,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Created => "created",
            ChangeKind::Updated => "updated",
            ChangeKind::Archived => "archived",
            ChangeKind::Photos => "photos",
            ChangeKind::Translation => "translation",
        }
    }
}

/// Takes the catalog writers' turn (transaction-scoped, exclusive, re-entrant within one
/// transaction) on PostgreSQL; SQLite's writers take turns already (`BEGIN IMMEDIATE`).
/// Catalog write paths call it before their first row read or write, so every writer takes
/// it before any row lock and two writers cannot deadlock through it.
pub async fn lock_writers<C: ConnectionTrait>(conn: &C) -> Result<()> {
    if conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        conn.execute_unprepared(&format!(
            "SELECT pg_advisory_xact_lock({CATALOG_WRITERS_LOCK})"
        ))
        .await?;
    }
    Ok(())
}

/// Appends one change row per style, in the caller's write transaction. `locale` is set when
/// only that locale's text changed.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    styles: &[(StyleId, WholesalerId)],
    locale: Option<Locale>,
    kind: ChangeKind,
) -> Result<()> {
    if styles.is_empty() {
        return Ok(());
    }
    lock_writers(conn).await?;
    seqlog::append_lock(conn, Log::CatalogChanges).await?;
    let now = Timestamp::now().0;
    for chunk in styles.chunks(CHUNK) {
        let rows = chunk.iter().map(|(s, w)| catalog_change::ActiveModel {
            style_id: Set(s.0),
            wholesaler_id: Set(w.0),
            locale: Set(locale.map(|l| l.tag().to_string())),
            kind: Set(kind.as_str().to_string()),
            created_at: Set(now),
            ..Default::default()
        });
        catalog_change::Entity::insert_many(rows).exec(conn).await?;
    }
    Ok(())
}

/// [`record`] for styles whose wholesaler the caller does not have at hand.
pub async fn record_styles<C: ConnectionTrait>(
    conn: &C,
    styles: &[StyleId],
    locale: Option<Locale>,
    kind: ChangeKind,
) -> Result<()> {
    let mut pairs = Vec::with_capacity(styles.len());
    for chunk in styles.chunks(CHUNK) {
        let rows: Vec<(i64, i64)> = style::Entity::find()
            .select_only()
            .column(style::Column::Id)
            .column(style::Column::WholesalerId)
            .filter(style::Column::Id.is_in(chunk.iter().map(|s| s.0)))
            .order_by_asc(style::Column::Id)
            .into_tuple()
            .all(conn)
            .await?;
        pairs.extend(rows.into_iter().map(|(s, w)| (StyleId(s), WholesalerId(w))));
    }
    record(conn, &pairs, locale, kind).await
}

/// Which changes one partner sees: its wholesalers (`None`: all) and its locale (changes to
/// another locale's text are not in its view).
#[derive(Clone, Debug)]
pub struct ViewFilter {
    pub wholesalers: Option<BTreeSet<WholesalerId>>,
    pub locale: Locale,
}

impl ViewFilter {
    fn condition(&self) -> Condition {
        let mut c = Condition::all().add(
            Condition::any()
                .add(catalog_change::Column::Locale.is_null())
                .add(catalog_change::Column::Locale.eq(self.locale.tag())),
        );
        if let Some(w) = &self.wholesalers {
            c = c.add(catalog_change::Column::WholesalerId.is_in(w.iter().map(|w| w.0)));
        }
        c
    }
}

/// One change row as the feed reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChangeRow {
    pub seq: i64,
    pub style_id: StyleId,
    pub changed_at: Timestamp,
}

/// A page of a partner's changes after `after`.
#[derive(Clone, Debug)]
pub struct ChangeRows {
    /// In sequence order, at most `limit`.
    pub rows: Vec<ChangeRow>,
    /// More rows in the partner's view follow.
    pub has_more: bool,
    /// Where the next page starts. When the page is not full this is the highest sequence
    /// number committed when the read began, even if the rows up to it were outside the view,
    /// so an idle partner does not re-read other partners' changes on every poll. (Safe
    /// because the read holds the log's lock: every id up to a visible one is final.)
    pub next: i64,
}

/// Reads a partner's change rows after `after`, `limit` at most.
pub async fn after(store: &Store, view: &ViewFilter, after: i64, limit: u64) -> Result<ChangeRows> {
    let txn = seqlog::read(store, Log::CatalogChanges).await?;
    // The high-water mark first: rows read below are all ≤ it, so moving to it skips nothing.
    let high = max_seq(&txn, None).await?;
    let rows: Vec<catalog_change::Model> = catalog_change::Entity::find()
        .filter(view.condition())
        .filter(catalog_change::Column::Id.gt(after))
        .filter(catalog_change::Column::Id.lte(high))
        .order_by_asc(catalog_change::Column::Id)
        .limit(limit.saturating_add(1))
        .all(&txn)
        .await?;
    txn.commit().await?;
    let has_more = rows.len() as u64 > limit;
    let rows: Vec<ChangeRow> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|r| ChangeRow {
            seq: r.id,
            style_id: StyleId(r.style_id),
            changed_at: Timestamp(r.created_at),
        })
        .collect();
    let next = if has_more {
        rows.last().map(|r| r.seq).unwrap_or(after)
    } else {
        high.max(after)
    };
    Ok(ChangeRows {
        rows,
        has_more,
        next,
    })
}

/// The last change in a partner's view (0 when none): its full feed is unchanged while this
/// number is.
pub async fn view_version(store: &Store, view: &ViewFilter) -> Result<i64> {
    let txn = seqlog::read(store, Log::CatalogChanges).await?;
    let version = max_seq(&txn, Some(view)).await?;
    txn.commit().await?;
    Ok(version)
}

async fn max_seq<C: ConnectionTrait>(conn: &C, view: Option<&ViewFilter>) -> Result<i64> {
    let mut q = catalog_change::Entity::find()
        .select_only()
        .column_as(catalog_change::Column::Id.max(), "m");
    if let Some(v) = view {
        q = q.filter(v.condition());
    }
    let max: Option<Option<i64>> = q.into_tuple().one(conn).await?;
    Ok(max.flatten().unwrap_or(0))
}
