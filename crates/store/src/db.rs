//! Opening the database, applying migrations, and write transactions.

use crate::{Result, StoreError};
use ddhub_migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, SqliteTransactionMode,
    SqlxPostgresConnector, SqlxSqliteConnector, TransactionOptions, TransactionTrait,
};
use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// Which engine is behind the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How to open the database.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// `sqlite://PATH` (created when missing), `sqlite::memory:`, or `postgres://…`.
    pub url: String,
    pub max_connections: u32,
    /// How long a writer waits for SQLite's write lock before giving up.
    pub busy_timeout: Duration,
    /// How long to wait for a pooled connection.
    pub acquire_timeout: Duration,
}

impl StoreOptions {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 8,
            busy_timeout: Duration::from_secs(10),
            acquire_timeout: Duration::from_secs(30),
        }
    }
}

/// The database, shared by every part of a process (cheap to clone).
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    backend: Backend,
    /// Order intake's in-process state: idempotency keys in flight, SQLite's group commit.
    pub(crate) intake: std::sync::Arc<crate::orders::IntakeState>,
    /// Exchange rates recently read for buyers' answers (see [`crate::rates::get_rate_cached`]).
    pub(crate) rates: std::sync::Arc<crate::rates::RateCache>,
    /// Rate tables recently read (see [`crate::shipments::loaded_rate_tables_cached`]).
    pub(crate) rate_tables: std::sync::Arc<crate::shipments::RateTableCache>,
    /// API keys verified recently (see [`crate::keys::verify`]).
    pub(crate) verified_keys: std::sync::Arc<crate::keys::VerifiedKeys>,
}

impl Store {
    /// Opens the database. SQLite gets WAL, `synchronous=FULL`, a busy timeout and foreign keys
    /// on every pooled connection.
    pub async fn connect(opts: &StoreOptions) -> Result<Store> {
        let url = opts.url.trim();
        if url.starts_with("sqlite:") {
            let connect = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Invalid(format!("database URL: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit is on disk before it is acknowledged, which the crash-safety
                // promise (every acknowledged write survives kill -9 and power loss) needs.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(opts.busy_timeout)
                .foreign_keys(true)
                // No memory map: with a 256 MiB map, a full partner feed over a 100,000-style
                // catalog touched every page and the process's resident memory grew by 220 MB
                // (measured with `scripts/bench-feeds.sh`); plain reads keep it flat (+4 MB).
                .pragma("mmap_size", "0")
                .disable_statement_logging();
            if let Some(parent) = sqlite_parent_dir(url) {
                std::fs::create_dir_all(&parent).map_err(|e| {
                    StoreError::Invalid(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let pool = SqlitePoolOptions::new()
                // An in-memory database exists once per connection: keep exactly one.
                .max_connections(if in_memory { 1 } else { opts.max_connections })
                .min_connections(if in_memory { 1 } else { 0 })
                .idle_timeout(if in_memory {
                    None
                } else {
                    Some(Duration::from_secs(600))
                })
                .max_lifetime(if in_memory {
                    None
                } else {
                    Some(Duration::from_secs(3600))
                })
                .acquire_timeout(opts.acquire_timeout)
                .connect_with(connect)
                .await
                .map_err(|e| {
                    StoreError::Db(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::Internal(
                        e.to_string(),
                    )))
                })?;
            Ok(Store {
                db: SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
                backend: Backend::Sqlite,
                intake: Default::default(),
                rates: std::sync::Arc::new(crate::rates::rate_cache()),
                rate_tables: std::sync::Arc::new(crate::shipments::rate_table_cache()),
                verified_keys: std::sync::Arc::new(crate::keys::verified_keys()),
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let mut connect = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Invalid(format!("database URL: {e}")))?
                .disable_statement_logging()
                // Order intake and the change logs rely on READ COMMITTED (each statement sees
                // what committed before it, see `orders::write_keyed_pg`): set it for every
                // session, in the startup packet (no round trip), whatever the server's default.
                .options([("default_transaction_isolation", "read committed")]);
            if loopback_without_sslmode(url) {
                // sqlx's default (`prefer`) encrypts even a loopback connection when the server
                // offers TLS (Debian's does): that protects nothing on one host and cost a
                // quarter of order intake's throughput (650 against 516 orders/s measured).
                // An explicit `sslmode` (URL or PGSSLMODE) is always obeyed.
                connect = connect.ssl_mode(sqlx::postgres::PgSslMode::Disable);
            }
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .acquire_timeout(opts.acquire_timeout)
                .connect_with(connect)
                .await
                .map_err(|e| {
                    StoreError::Db(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::Internal(
                        e.to_string(),
                    )))
                })?;
            Ok(Store {
                db: SqlxPostgresConnector::from_sqlx_postgres_pool(pool),
                backend: Backend::Postgres,
                intake: Default::default(),
                rates: std::sync::Arc::new(crate::rates::rate_cache()),
                rate_tables: std::sync::Arc::new(crate::shipments::rate_table_cache()),
                verified_keys: std::sync::Arc::new(crate::keys::verified_keys()),
            })
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection for reads and single-statement writes.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite (takes the write lock now, so
    /// contending writers wait on the busy timeout instead of failing mid-transaction), a plain
    /// `BEGIN` on PostgreSQL.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction> {
        let opts = TransactionOptions {
            sqlite_transaction_mode: match self.backend {
                Backend::Sqlite => Some(SqliteTransactionMode::Immediate),
                Backend::Postgres => None,
            },
            ..Default::default()
        };
        Ok(self.db.begin_with_options(opts).await?)
    }

    /// Applies pending migrations; returns how many ran. A second run applies none.
    pub async fn migrate(&self) -> Result<usize> {
        let pending = Migrator::get_pending_migrations(&self.db).await?.len();
        if pending > 0 {
            Migrator::up(&self.db, None).await?;
        }
        Ok(pending)
    }

    /// Migrations not yet applied (zero when the schema is current).
    pub async fn pending_migrations(&self) -> Result<usize> {
        Ok(Migrator::get_pending_migrations(&self.db).await?.len())
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<()> {
        self.db.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    /// SQLite's own consistency check (`PRAGMA integrity_check`); `Ok(true)` when it says `ok`.
    /// PostgreSQL has no equivalent and always answers `true`.
    pub async fn integrity_check(&self) -> Result<bool> {
        if self.backend != Backend::Sqlite {
            return Ok(true);
        }
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                "PRAGMA integrity_check",
            ))
            .await?;
        let verdict: String = match row {
            Some(r) => r.try_get_by_index(0)?,
            None => String::new(),
        };
        Ok(verdict == "ok")
    }

    /// Writes a consistent copy of a SQLite database to `dest` while it keeps serving
    /// (`VACUUM INTO`: one read transaction, so writers carry on under WAL and the copy is the
    /// database as of one commit, compacted, with no WAL beside it). SQLite's online backup
    /// API would need a second SQLite binding (rusqlite) next to sqlx's, which Cargo refuses
    /// (two crates linking `sqlite3`); `VACUUM INTO` gives the same guarantee through the pool
    /// we have. `dest` must not exist. PostgreSQL answers [`StoreError::Invalid`]: use `pg_dump`.
    pub async fn backup_into(&self, dest: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Invalid(
                "ddhub backup copies SQLite only; back up PostgreSQL with pg_dump -Fc (see docs/operations.md)"
                    .into(),
            ));
        }
        let dest = dest
            .to_str()
            .ok_or_else(|| StoreError::Invalid("a backup path that is not UTF-8".into()))?;
        self.db
            .execute_raw(sea_orm::Statement::from_sql_and_values(
                self.db.get_database_backend(),
                "VACUUM INTO ?",
                [sea_orm::Value::from(dest.to_string())],
            ))
            .await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(self) -> Result<()> {
        self.db.close().await?;
        Ok(())
    }
}

/// The file of a `sqlite:` URL; `None` for other URLs and in-memory databases.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    Some(std::path::PathBuf::from(path))
}

fn sqlite_parent_dir(url: &str) -> Option<std::path::PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| p.to_path_buf())
}

/// A URL fit for logs: the password replaced.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Whether `url` names a server on this host (loopback address, `localhost`, or a Unix
/// socket) and says nothing of TLS, in the URL or in `PGSSLMODE`.
fn loopback_without_sslmode(url: &str) -> bool {
    if std::env::var_os("PGSSLMODE").is_some() {
        return false;
    }
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    if parsed.query_pairs().any(|(k, _)| k == "sslmode") {
        return false;
    }
    if parsed.query_pairs().any(|(k, _)| k == "host") {
        // `?host=/run/postgresql`: a Unix socket, where TLS does not apply anyway.
        return true;
    }
    match parsed.host() {
        // `postgres:` is not a special scheme to the URL standard, so an IPv4 address arrives
        // as an opaque host name.
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost")
                || d.parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
    }

    #[test]
    fn finds_sqlite_parent() {
        assert_eq!(
            sqlite_parent_dir("sqlite:///tmp/a/b.sqlite?mode=rwc"),
            Some(std::path::PathBuf::from("/tmp/a"))
        );
        assert_eq!(sqlite_parent_dir("sqlite::memory:"), None);
    }

    #[test]
    fn tls_is_left_off_only_on_this_host_and_when_unasked() {
        // PGSSLMODE would change every answer; CI and these machines do not set it.
        if std::env::var_os("PGSSLMODE").is_some() {
            eprintln!("skipped: PGSSLMODE is set in this environment");
            return;
        }
        assert!(loopback_without_sslmode("postgres://u@127.0.0.1:5432/db"));
        assert!(loopback_without_sslmode("postgres://u@localhost/db"));
        assert!(loopback_without_sslmode("postgres://u@[::1]/db"));
        assert!(loopback_without_sslmode(
            "postgres:///db?host=/run/postgresql"
        ));
        assert!(!loopback_without_sslmode(
            "postgres://u@127.0.0.1/db?sslmode=require"
        ));
        assert!(!loopback_without_sslmode(
            "postgres://u@db.internal:5432/db"
        ));
        assert!(!loopback_without_sslmode("postgres://u@10.0.0.5/db"));
    }
}
