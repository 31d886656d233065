//! The `catalog.upload` job: parse, validate and commit one uploaded sheet and its photos.

use crate::services::catalog::MediaPaths;
use crate::worker::{BackgroundJob, JobError};
use async_trait::async_trait;
use ddhub_domain::jobs as payload;
use ddhub_store::Store;
use ddhub_store::jobs::ClaimedJob;

/// Runs a catalog upload (`catalog.upload`).
pub struct CatalogUpload {
    pub store: Store,
    pub paths: MediaPaths,
}

#[async_trait]
impl BackgroundJob for CatalogUpload {
    type Payload = payload::CatalogUpload;

    async fn run(&self, payload: Self::Payload, job: &ClaimedJob) -> Result<(), JobError> {
        let id = payload.upload_id;
        match crate::services::catalog::process(&self.store, &self.paths, id, &|_, _| {}).await {
            Ok(u) => {
                metrics::counter!(crate::metrics::INGEST_ROWS, "outcome" => "error")
                    .increment(u.counts.errors);
                metrics::counter!(crate::metrics::INGEST_ROWS, "outcome" => "ok")
                    .increment(u.counts.rows.saturating_sub(u.counts.errors));
                tracing::info!(
                    upload = id,
                    state = u.state.as_str(),
                    rows = u.counts.rows,
                    "upload processed"
                );
                Ok(())
            }
            Err(crate::services::catalog::ProcessError::Store(
                ddhub_store::StoreError::NotFound,
            )) => Err(JobError::Permanent(format!("upload {id} does not exist"))),
            Err(e) => {
                if job.attempt >= job.max_attempts {
                    // The last try: say so on the upload instead of leaving it "parsing".
                    let failure = ddhub_store::uploads::UploadFailure {
                        code: "processing_failed".into(),
                        message_ko: "파일을 처리하지 못했습니다. 잠시 후 다시 올려 주세요.".into(),
                        message_en:
                            "The file could not be processed. Please upload it again later.".into(),
                    };
                    let _ = ddhub_store::uploads::finish(
                        self.store.conn(),
                        id,
                        &Default::default(),
                        Some(&failure),
                    )
                    .await;
                }
                Err(JobError::Retry(e.to_string()))
            }
        }
    }
}
