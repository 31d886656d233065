//! Test databases for this and other crates' tests (feature `testing`): a temp-file SQLite
//! store, and a PostgreSQL store in a fresh schema when `DDHUB_TEST_POSTGRES_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::{Store, StoreOptions};
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Debug)]
pub struct TestDb {
    pub store: Store,
    pub name: &'static str,
    // Keeps the SQLite file alive for the test.
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
    let store = Store::connect(&StoreOptions::new(url)).await.unwrap();
    store.migrate().await.unwrap();
    TestDb {
        store,
        name: "sqlite",
        _dir: Some(dir),
    }
}

static SCHEMA_SEQ: AtomicU32 = AtomicU32::new(0);

/// A URL for a fresh, empty schema on the test PostgreSQL server, or `None` (with the reason
/// printed) when `DDHUB_TEST_POSTGRES_URL` is not set.
pub async fn postgres_url(test: &str) -> Option<String> {
    let Ok(base) = std::env::var("DDHUB_TEST_POSTGRES_URL") else {
        eprintln!("skipped the PostgreSQL run of {test}: DDHUB_TEST_POSTGRES_URL is not set");
        return None;
    };
    let schema = format!(
        "t_{}_{}_{}",
        std::process::id(),
        SCHEMA_SEQ.fetch_add(1, Ordering::SeqCst),
        test.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    );
    let schema: String = schema.chars().take(60).collect();
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&base)
        .await
        .expect("DDHUB_TEST_POSTGRES_URL is set but PostgreSQL cannot be reached");
    // The schema name is made here from digits, letters and underscores only.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-c%20search_path%3D{schema}"))
}

pub async fn postgres(test: &str) -> Option<TestDb> {
    let url = postgres_url(test).await?;
    let mut opts = StoreOptions::new(url);
    opts.max_connections = 12;
    let store = Store::connect(&opts).await.unwrap();
    store.migrate().await.unwrap();
    Some(TestDb {
        store,
        name: "postgres",
        _dir: None,
    })
}

/// SQLite, plus PostgreSQL when configured.
pub async fn all(test: &str) -> Vec<TestDb> {
    let mut v = vec![sqlite().await];
    if let Some(pg) = postgres(test).await {
        v.push(pg);
    }
    v
}
