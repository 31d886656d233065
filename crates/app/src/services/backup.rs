//! `ddhub backup DEST` and `ddhub restore SRC` for the single-machine (SQLite) install.
//!
//! A backup is a folder: `ddhub.sqlite` (a consistent copy taken while serving, see
//! [`ddhub_store::Store::backup_into`]), `files/` (everything else in the data dir: media,
//! photo originals, upload files; the search index excepted) and `ddhub-backup.json` (what was
//! copied, with the database's SHA-256). It is written under `DEST.partial` and renamed when
//! complete, so a folder named DEST is always a whole backup.
//!
//! The database copy is taken first and the files after: files are written before the rows
//! that name them commit (photos are stored, then marked ready), and media are content
//! addressed and never rewritten, so every file the copied database names is in the copy.
//!
//! The search index is not copied: it is derived data, and a copy taken while the writer
//! commits may be torn. Restore rebuilds it from the restored database.
//!
//! PostgreSQL deployments back up the database with `pg_dump`/PITR (docs/operations.md); media
//! in an object store are protected by the bucket's versioning or replication.

use crate::config::Config;
use ddhub_store::Store;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "ddhub-backup.json";
const DB_FILE: &str = "ddhub.sqlite";
const FILES: &str = "files";
/// The backup layout version; restore refuses others.
const FORMAT: u32 = 1;

/// What a backup holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub ddhub_version: String,
    pub created_at_ms: i64,
    pub database: String,
    pub database_bytes: u64,
    pub database_sha256: String,
    pub files: u64,
    pub file_bytes: u64,
    /// Why media are not in the backup (an object store), when they are not.
    pub media_note: Option<String>,
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    pub database: PathBuf,
    pub files: u64,
    pub migrations_applied: usize,
    pub styles_indexed: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Refused(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] ddhub_store::StoreError),
    #[error("{0}")]
    Other(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn sha256_file(path: &Path) -> Result<String, BackupError> {
    let mut f = std::fs::File::open(path).map_err(io(path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(io(path))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Copies the tree under `from` into `to`, skipping paths `skip` says; returns (files, bytes).
fn copy_tree(
    from: &Path,
    to: &Path,
    skip: &dyn Fn(&Path) -> bool,
) -> Result<(u64, u64), BackupError> {
    let mut files = 0;
    let mut bytes = 0;
    if !from.exists() {
        return Ok((0, 0));
    }
    std::fs::create_dir_all(to).map_err(io(to))?;
    for entry in std::fs::read_dir(from).map_err(io(from))? {
        let entry = entry.map_err(io(from))?;
        let path = entry.path();
        if skip(&path) {
            continue;
        }
        let target = to.join(entry.file_name());
        let kind = entry.file_type().map_err(io(&path))?;
        if kind.is_dir() {
            let (f, b) = copy_tree(&path, &target, skip)?;
            files += f;
            bytes += b;
        } else if kind.is_file() {
            bytes += std::fs::copy(&path, &target).map_err(io(&path))?;
            files += 1;
        }
        // Symlinks and sockets are not DDHub's: left out.
    }
    Ok((files, bytes))
}

/// The SQLite file of the configuration, or why there is none.
fn sqlite_path(config: &Config) -> Result<PathBuf, BackupError> {
    let url = config.effective_database_url();
    ddhub_store::sqlite_file(&url).ok_or_else(|| {
        BackupError::Refused(
            "ddhub backup and restore handle SQLite installs; for PostgreSQL use pg_dump -Fc / \
             pg_restore or point-in-time recovery (docs/operations.md)"
                .into(),
        )
    })
}

/// Writes a backup of the running instance's data to `dest` (which must not exist).
pub async fn backup(config: &Config, store: &Store, dest: &Path) -> Result<Manifest, BackupError> {
    let db_path = sqlite_path(config)?;
    if dest.exists() {
        return Err(BackupError::Refused(format!(
            "{} already exists: choose a new folder for each backup",
            dest.display()
        )));
    }
    let partial = PathBuf::from(format!("{}.partial", dest.display()));
    if partial.exists() {
        // A backup that died half way: nothing in it is trusted.
        std::fs::remove_dir_all(&partial).map_err(io(&partial))?;
    }
    std::fs::create_dir_all(&partial).map_err(io(&partial))?;
    let db_copy = partial.join(DB_FILE);
    store.backup_into(&db_copy).await?;

    let data_dir = config.data_dir.clone();
    let (dest_abs, partial_abs) = (absolute(dest), absolute(&partial));
    let media_local = config.media_store == "local";
    let files_dir = partial.join(FILES);
    let db_copy2 = db_copy.clone();
    let (files, file_bytes, database_sha256, database_bytes) =
        tokio::task::spawn_blocking(move || -> Result<_, BackupError> {
            let db_abs = absolute(&db_path);
            let skip = |p: &Path| {
                let a = absolute(p);
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let is_db = a.parent() == db_abs.parent()
                    && db_abs
                        .file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|db| name.starts_with(db));
                is_db
                    || a == dest_abs
                    || a == partial_abs
                    || (p.parent() == Some(data_dir.as_path())
                        && (name == "search" || name == "search.writer.lock"))
                    || p.ends_with("media/tmp")
            };
            let (files, bytes) = copy_tree(&data_dir, &files_dir, &skip)?;
            let sha = sha256_file(&db_copy2)?;
            let len = std::fs::metadata(&db_copy2).map_err(io(&db_copy2))?.len();
            Ok((files, bytes, sha, len))
        })
        .await
        .map_err(|e| BackupError::Other(e.to_string()))??;
    let manifest = Manifest {
        format: FORMAT,
        ddhub_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at_ms: ddhub_domain::Timestamp::now().0,
        database: "sqlite".into(),
        database_bytes,
        database_sha256,
        files,
        file_bytes,
        media_note: (!media_local).then(|| {
            format!(
                "media live in {}: protect them with the bucket's versioning or replication",
                config.media_store
            )
        }),
    };
    let manifest_path = partial.join(MANIFEST);
    let json =
        serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Other(e.to_string()))?;
    std::fs::write(&manifest_path, json).map_err(io(&manifest_path))?;
    std::fs::rename(&partial, dest).map_err(io(dest))?;
    Ok(manifest)
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Restores the backup in `src` into the configured data dir, then migrates the database (a
/// backup of an older release) and rebuilds the search index. Refuses to replace an existing
/// database unless `force` (stop every ddhub process on the data dir first).
pub async fn restore(
    config: &Config,
    src: &Path,
    force: bool,
) -> Result<RestoreReport, BackupError> {
    let db_path = sqlite_path(config)?;
    let manifest_path = src.join(MANIFEST);
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(&manifest_path).map_err(io(&manifest_path))?)
            .map_err(|e| {
                BackupError::Refused(format!("{}: not a DDHub backup: {e}", src.display()))
            })?;
    if manifest.format != FORMAT || manifest.database != "sqlite" {
        return Err(BackupError::Refused(format!(
            "{}: backup format {} of a {} database is not one this release restores",
            src.display(),
            manifest.format,
            manifest.database
        )));
    }
    let db_src = src.join(DB_FILE);
    let sha = sha256_file(&db_src)?;
    if sha != manifest.database_sha256 {
        return Err(BackupError::Refused(format!(
            "{}: the database copy does not match its manifest (damaged backup)",
            db_src.display()
        )));
    }
    if db_path.exists() && !force {
        return Err(BackupError::Refused(format!(
            "{} already exists: stop every ddhub process on this data dir and pass --force to replace it",
            db_path.display()
        )));
    }
    let data_dir = config.data_dir.clone();
    let files_src = src.join(FILES);
    let db_target = db_path.clone();
    let files = tokio::task::spawn_blocking(move || -> Result<u64, BackupError> {
        std::fs::create_dir_all(&data_dir).map_err(io(&data_dir))?;
        if let Some(parent) = db_target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        // The new database goes in under a temporary name and is renamed over the old one,
        // whose WAL and shared-memory files must go with it (they belong to the old file).
        let tmp = PathBuf::from(format!("{}.restoring", db_target.display()));
        std::fs::copy(&db_src, &tmp).map_err(io(&tmp))?;
        for suffix in ["-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", db_target.display()));
            if p.exists() {
                std::fs::remove_file(&p).map_err(io(&p))?;
            }
        }
        std::fs::rename(&tmp, &db_target).map_err(io(&db_target))?;
        let (files, _) = copy_tree(&files_src, &data_dir, &|_| false)?;
        // The old index describes the old database.
        let index = data_dir.join("search");
        if index.exists() {
            std::fs::remove_dir_all(&index).map_err(io(&index))?;
        }
        Ok(files)
    })
    .await
    .map_err(|e| BackupError::Other(e.to_string()))??;
    let store = crate::runtime::open_store(config)
        .await
        .map_err(|e| BackupError::Other(format!("{e:#}")))?;
    if !store.integrity_check().await? {
        return Err(BackupError::Refused(
            "the restored database fails PRAGMA integrity_check".into(),
        ));
    }
    let migrations_applied = store.migrate().await?;
    let index = crate::services::listing::open_index(config)
        .await
        .map_err(|e| BackupError::Other(format!("search index: {e:#}")))?;
    let listing = crate::services::listing::Listing::new(index, config.media_base_url())
        .map_err(|e| BackupError::Other(format!("{e:#}")))?
        .with_provider(config.translate.clone());
    let styles_indexed = listing
        .reindex(&store, &|_, _| {})
        .await
        .map_err(|e| BackupError::Other(format!("reindex: {e:#}")))?;
    store.close().await?;
    Ok(RestoreReport {
        database: db_path,
        files,
        migrations_applied,
        styles_indexed,
    })
}
