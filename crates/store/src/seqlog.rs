//! The one design of DDHub's never-skip logs: the catalog change log (the partners' changes
//! feed) and the order event log (the partners' order changes cursor).
//!
//! A reader pages with `id > cursor`, so an id must never become visible after a higher one
//! was read. PostgreSQL hands out identity values when a row is inserted, not when its
//! transaction commits: a transaction holding id 10 can commit after one holding id 11 was
//! already read, and a reader that moved its cursor to 11 would never see 10.
//!
//! The rule, the same for both logs:
//! - an **appender** takes the log's advisory lock *shared* ([`append_lock`]) before it inserts
//!   log rows and holds it to its commit (transaction-scoped), so appenders never wait for
//!   each other;
//! - a **reader** reads inside [`read`], which takes the same lock *exclusive* in a short
//!   transaction of its own: it is granted once every appender that holds an id has committed
//!   or rolled back, so every id below one the reader sees is final.
//!
//! Why this cannot deadlock: the reader's transaction holds nothing but this lock and only
//! waits for appenders that already hold it. An appender waits for the lock only before its
//! first log insert and only behind a reader (or, queued behind one, behind its appenders);
//! appenders holding the lock go on to insert new log rows and commit, and never need a row
//! lock of a transaction that is still waiting for the log lock (see each log's write paths).
//! A transaction appends to one log only. PostgreSQL's deadlock detector would still break
//! any cycle, with an error the caller retries.
//!
//! SQLite runs one writer at a time (`BEGIN IMMEDIATE`), so its ids are in commit order
//! already; the reader still reads in one transaction, so a page and its high-water mark come
//! from the same snapshot.

use crate::{Result, Store};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseTransaction, TransactionTrait};

/// A never-skip log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Log {
    /// `order_events`, read by `GET /api/v1/orders/changes`.
    OrderEvents,
    /// `catalog_changes`, read by the partner feed's changes mode.
    CatalogChanges,
}

impl Log {
    /// The advisory lock key (stable: operators may see it in `pg_locks`).
    const fn lock_key(self) -> i64 {
        match self {
            Log::OrderEvents => 84_120_001,
            Log::CatalogChanges => 84_120_003,
        }
    }
}

/// Takes `log`'s append lock (shared) in the caller's write transaction, before its first
/// insert into the log (re-entrant: a second call in one transaction is free).
pub(crate) async fn append_lock<C: ConnectionTrait>(conn: &C, log: Log) -> Result<()> {
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        conn.execute_unprepared(&format!(
            "SELECT pg_advisory_xact_lock_shared({})",
            log.lock_key()
        ))
        .await?;
    }
    Ok(())
}

/// The SQL expression that takes `log`'s append lock, for write paths that fold it into their
/// first statement (order intake on PostgreSQL).
pub(crate) fn append_lock_sql(log: Log) -> String {
    format!("pg_advisory_xact_lock_shared({})", log.lock_key())
}

/// Begins a reader's transaction on `log`: on PostgreSQL it holds the log's lock exclusively
/// (see the module). Commit or drop it as soon as the page is read: appenders wait meanwhile.
pub(crate) async fn read(store: &Store, log: Log) -> Result<DatabaseTransaction> {
    let txn = store.conn().begin().await?;
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({})", log.lock_key()))
            .await?;
    }
    Ok(txn)
}
