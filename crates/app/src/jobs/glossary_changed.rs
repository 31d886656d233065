//! The `glossary.changed` job: re-translate every automatic field with the new glossary.

use crate::services::glossary;
use crate::worker::{BackgroundJob, JobError};
use async_trait::async_trait;
use ddhub_domain::jobs as payload;
use ddhub_store::Store;
use ddhub_store::jobs::ClaimedJob;

/// `glossary.changed`: enqueue `style.changed` for every style with an automatic field, in
/// one transaction (a retry after a failure enqueues the whole set again, never half of it).
/// The style jobs re-translate with the new glossary; `edited` and `approved` fields stand.
pub struct GlossaryChanged {
    pub store: Store,
}

#[async_trait]
impl BackgroundJob for GlossaryChanged {
    type Payload = payload::GlossaryChanged;

    async fn run(&self, payload: Self::Payload, _job: &ClaimedJob) -> Result<(), JobError> {
        let n = glossary::fan_out(&self.store)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        tracing::info!(
            styles = n,
            version = payload.version,
            revision = payload.revision,
            "glossary changed: re-translating automatic fields"
        );
        Ok(())
    }
}
