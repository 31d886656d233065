//! Media storage through the `object_store` crate: a folder under the data dir by default, an
//! S3-compatible bucket by configuration. Keys are content-addressed
//! (`v/<sha256[..2]>/<sha256>/<variant>.<ext>`), so a key's bytes never change: served with
//! `Cache-Control: immutable` and the key as the ETag.

use bytes::Bytes;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::sync::Arc;

/// Where normalised photos live.
#[derive(Clone)]
pub struct MediaStore {
    inner: Arc<dyn ObjectStore>,
    /// The local root, when the store is a folder (ddhub serves it itself).
    pub local_root: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MediaStore({})", self.inner)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("media store: {0}")]
    Store(#[from] object_store::Error),
    #[error("media store path: {0}")]
    Path(#[from] object_store::path::Error),
    #[error("media store folder: {0}")]
    Io(#[from] std::io::Error),
    #[error("media_store {0:?}: expected local or s3://bucket/prefix")]
    Config(String),
}

impl MediaStore {
    /// Opens the store `spec` names (`local` or `s3://bucket/prefix`).
    pub fn open(spec: &str, data_dir: &std::path::Path) -> Result<Self, MediaError> {
        if spec == "local" {
            let root = data_dir.join("media");
            std::fs::create_dir_all(&root)?;
            let fs = object_store::local::LocalFileSystem::new_with_prefix(&root)?;
            return Ok(Self {
                inner: Arc::new(fs),
                local_root: Some(root),
            });
        }
        let rest = spec
            .strip_prefix("s3://")
            .ok_or_else(|| MediaError::Config(spec.to_string()))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let s3 = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()?;
        let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
        };
        Ok(Self {
            inner,
            local_root: None,
        })
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), MediaError> {
        let path = ObjectPath::parse(key)?;
        self.inner
            .put(&path, PutPayload::from(Bytes::from(bytes)))
            .await?;
        Ok(())
    }

    /// The bytes at `key`, or `None` when there is no such object.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, MediaError> {
        let path = ObjectPath::parse(key)?;
        match self.inner.get(&path).await {
            Ok(r) => Ok(Some(r.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// The key of one variant of a photo.
pub fn variant_key(sha256: &str, name: &str, ext: &str) -> String {
    let prefix = sha256.get(..2).unwrap_or("00");
    format!("v/{prefix}/{sha256}/{name}.{ext}")
}
