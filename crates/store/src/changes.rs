//! The catalog change log behind the partner changes feed.
//!
//! Every write that can change what a partner's feed shows (styles, SKU stock, archiving,
//! photos, feed-visible translations) appends one row per style here, in its own transaction.
//! Row ids come from the table's identity column, and writers take [`lock`] first, so ids are
//! assigned in commit order: a reader paging with `id > cursor` never skips a row that commits
//! late. (PostgreSQL hands out sequence numbers at insert time, not at commit; without the lock
//! a transaction holding id 5 could commit after one holding id 6 was already read.) SQLite has
//! one writer at a time (`BEGIN IMMEDIATE`), so its ids are in commit order already.

use crate::entity::{catalog_change, style};
use crate::{Result, Store};
use ddhub_domain::{Locale, StyleId, Timestamp, WholesalerId};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::BTreeSet;

/// Advisory lock key for catalog writers (order events use 84120001).
const CATALOG_LOCK: i64 = 84_120_002;

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

/// Takes the catalog writers' transaction-scoped lock on PostgreSQL (re-entrant within one
/// transaction). Catalog write paths call it before their first row write, so every writer
/// takes the same lock before any row lock and two writers cannot deadlock through it.
pub async fn lock<C: ConnectionTrait>(conn: &C) -> Result<()> {
    if conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        conn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({CATALOG_LOCK})"))
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
    lock(conn).await?;
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
    /// because ids are in commit order: everything up to a visible id is committed.)
    pub next: i64,
}

/// Reads a partner's change rows after `after`, `limit` at most.
pub async fn after(store: &Store, view: &ViewFilter, after: i64, limit: u64) -> Result<ChangeRows> {
    // The high-water mark first: rows read below are all ≤ it, so moving to it skips nothing.
    let high = max_seq(store, None).await?;
    let rows: Vec<catalog_change::Model> = catalog_change::Entity::find()
        .filter(view.condition())
        .filter(catalog_change::Column::Id.gt(after))
        .filter(catalog_change::Column::Id.lte(high))
        .order_by_asc(catalog_change::Column::Id)
        .limit(limit.saturating_add(1))
        .all(store.conn())
        .await?;
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
    max_seq(store, Some(view)).await
}

async fn max_seq(store: &Store, view: Option<&ViewFilter>) -> Result<i64> {
    let mut q = catalog_change::Entity::find()
        .select_only()
        .column_as(catalog_change::Column::Id.max(), "m");
    if let Some(v) = view {
        q = q.filter(v.condition());
    }
    let max: Option<Option<i64>> = q.into_tuple().one(store.conn()).await?;
    Ok(max.flatten().unwrap_or(0))
}
