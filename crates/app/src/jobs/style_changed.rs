//! The `style.changed` job: translate and index the listed styles again.

use crate::services::listing::Listing;
use crate::worker::{BackgroundJob, JobError};
use async_trait::async_trait;
use ddhub_domain::StyleId;
use ddhub_domain::jobs as payload;
use ddhub_store::Store;
use ddhub_store::jobs::ClaimedJob;
use std::sync::Arc;

/// `style.changed`: translate and index the listed styles.
pub struct StyleChanged {
    pub store: Store,
    pub listing: Arc<Listing>,
}

#[async_trait]
impl BackgroundJob for StyleChanged {
    type Payload = payload::StyleChanged;

    async fn run(&self, payload: Self::Payload, _job: &ClaimedJob) -> Result<(), JobError> {
        let ids: Vec<StyleId> = payload.ids().map(StyleId).collect();
        self.listing
            .process(&self.store, &ids)
            .await
            .map_err(|e| JobError::Retry(format!("{e:#}")))?;
        Ok(())
    }
}
