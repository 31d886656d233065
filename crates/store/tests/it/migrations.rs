use crate::common;
use ddhub_store::{Store, StoreOptions};

#[tokio::test]
async fn migrations_apply_once_then_are_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![format!(
        "sqlite://{}",
        dir.path().join("m.sqlite").display()
    )];
    if let Some(pg) = common::postgres_url("migrations").await {
        urls.push(pg);
    }
    for url in urls {
        let store = Store::connect(&StoreOptions::new(url.clone()))
            .await
            .unwrap();
        assert!(
            store.pending_migrations().await.unwrap() > 0,
            "{url}: fresh db has pending migrations"
        );
        let applied = store.migrate().await.unwrap();
        assert!(applied > 0);
        assert_eq!(store.pending_migrations().await.unwrap(), 0);
        // A second run, also from a new connection, applies nothing and changes nothing.
        assert_eq!(store.migrate().await.unwrap(), 0);
        let again = Store::connect(&StoreOptions::new(url.clone()))
            .await
            .unwrap();
        assert_eq!(again.migrate().await.unwrap(), 0);
        assert!(again.integrity_check().await.unwrap());
    }
}

#[tokio::test]
async fn sqlite_runs_in_wal_with_full_sync_and_foreign_keys() {
    use sea_orm::ConnectionTrait;
    let db = common::sqlite().await;
    let conn = db.store.conn();
    let get = |sql: &'static str| async move {
        let row = conn
            .query_one_raw(sea_orm::Statement::from_string(
                conn.get_database_backend(),
                sql,
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0)
            .map(|v| v.to_string())
            .or_else(|_| row.try_get_by_index::<String>(0))
            .unwrap()
    };
    assert!(get("PRAGMA journal_mode").await.contains("wal"));
    assert_eq!(get("PRAGMA synchronous").await, "2"); // FULL
    assert_eq!(get("PRAGMA foreign_keys").await, "1");
    assert!(get("PRAGMA busy_timeout").await.parse::<i64>().unwrap() >= 1000);
}
