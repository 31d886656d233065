//! The `photo.normalise` job: an original photo in, every variant out to the media store, the
//! checks and near-duplicates recorded on the photo. A photo that cannot be normalised is marked
//! failed with its reason; it never stops the others, and the job itself succeeds.

use crate::media::{MediaStore, variant_key};
use crate::services::catalog::MediaPaths;
use crate::worker::{BackgroundJob, JobError};
use async_trait::async_trait;
use ddhub_domain::PhotoId;
use ddhub_domain::jobs as payload;
use ddhub_store::Store;
use ddhub_store::jobs::ClaimedJob;
use ddhub_store::photos::{self, StoredVariant};
use std::sync::Arc;
use tokio::sync::Semaphore;

pub struct PhotoNormalise {
    pub store: Store,
    pub paths: MediaPaths,
    pub media: MediaStore,
    pub config: Arc<ddhub_imaging::Config>,
    /// Photos decoded at once in this process: bounds memory whatever the queue holds.
    pub in_flight: Arc<Semaphore>,
}

#[async_trait]
impl BackgroundJob for PhotoNormalise {
    type Payload = payload::PhotoNormalise;

    async fn run(&self, payload: Self::Payload, _job: &ClaimedJob) -> Result<(), JobError> {
        let id = PhotoId(payload.photo_id);
        let photo = match photos::get(&self.store, id).await {
            Ok(p) => p,
            // Deleted since: nothing to do.
            Err(ddhub_store::StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(JobError::Retry(e.to_string())),
        };
        if photo.state == "ready" {
            return Ok(());
        }
        // Identical bytes already normalised for another style: reuse its variants.
        if let Some(twin) = photos::ready_twin(&self.store, &photo.sha256, id)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?
        {
            let normalised = photos::Normalised {
                width: u32::try_from(twin.width.unwrap_or(0)).unwrap_or(0),
                height: u32::try_from(twin.height.unwrap_or(0)).unwrap_or(0),
                phash: twin.phash.as_deref().unwrap_or(""),
                warnings: &twin.warnings,
                variants: &twin.variants,
            };
            return self.mark_ready(&photo, &normalised).await;
        }
        let original = self.paths.original(&photo.sha256);
        let _permit = self
            .in_flight
            .acquire()
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        let config = self.config.clone();
        let result =
            tokio::task::spawn_blocking(move || ddhub_imaging::normalise_file(&original, &config))
                .await
                .map_err(|e| JobError::Retry(e.to_string()))?;
        let normalised = match result {
            Ok(n) => n,
            Err(e @ ddhub_imaging::ImageError::Io { .. }) => {
                return Err(JobError::Retry(e.to_string()));
            }
            Err(e) => {
                photos::mark_failed(&self.store, id, e.code(), &e.to_string())
                    .await
                    .map_err(|e| JobError::Retry(e.to_string()))?;
                metrics::counter!(crate::metrics::PHOTOS_NORMALISED, "outcome" => "failed")
                    .increment(1);
                return Ok(());
            }
        };
        let mut variants = Vec::with_capacity(normalised.variants.len());
        for v in normalised.variants {
            let ext = v.format.extension();
            let key = variant_key(&photo.sha256, &v.name, ext);
            variants.push(StoredVariant {
                name: v.name.clone(),
                format: format!("{:?}", v.format).to_lowercase(),
                width: v.width,
                height: v.height,
                key: key.clone(),
            });
            self.media
                .put(&key, v.bytes)
                .await
                .map_err(|e| JobError::Retry(e.to_string()))?;
        }
        let mut near = Vec::new();
        for photos::PhotoHash {
            photo: other,
            style,
            wholesaler,
            phash: hash,
        } in photos::phashes(&self.store, id)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?
        {
            if let Ok(d) = ddhub_imaging::phash_distance(&normalised.phash, &hash)
                && d <= ddhub_imaging::NEAR_DUPLICATE_MAX_DISTANCE
                && other != id
            {
                near.push(serde_json::json!({
                    "photo_id": other.0, "style_id": style.0, "wholesaler_id": wholesaler.0, "distance": d
                }));
            }
        }
        let warnings = serde_json::json!({
            "checks": normalised.warnings,
            "near_duplicates": near,
            "colours": normalised.colours,
        });
        self.mark_ready(
            &photo,
            &photos::Normalised {
                width: normalised.source_width,
                height: normalised.source_height,
                phash: &normalised.phash,
                warnings: &warnings,
                variants: &variants,
            },
        )
        .await?;
        metrics::counter!(crate::metrics::PHOTOS_NORMALISED, "outcome" => "ready").increment(1);
        Ok(())
    }
}

impl PhotoNormalise {
    /// Marks the photo ready and, with the colour check on, reruns its style's check in the
    /// same transaction (so an upload with no photo pending has every check stored). A failed
    /// check is logged, not retried: the photo is done, and the style's next photo checks again.
    async fn mark_ready(
        &self,
        photo: &photos::PhotoRecord,
        normalised: &photos::Normalised<'_>,
    ) -> Result<(), JobError> {
        let retry = |e: ddhub_store::StoreError| JobError::Retry(e.to_string());
        if !self.config.checks.dominant_colours {
            return photos::mark_ready(&self.store, photo.id, normalised)
                .await
                .map_err(retry);
        }
        let threshold = self.config.checks.colour_max_delta_e;
        let checked = photos::mark_ready_and_check(
            &self.store,
            photo.id,
            photo.style_id,
            normalised,
            |inputs| crate::services::colour_check::evaluate_stored(inputs, threshold),
        )
        .await
        .map_err(retry)?;
        if let Err(e) = checked {
            tracing::warn!(style = photo.style_id.0, error = %e, "colour check not stored");
        }
        Ok(())
    }
}
