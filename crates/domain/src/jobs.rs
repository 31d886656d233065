//! The payloads of background jobs: the contract between whoever enqueues a job (the store,
//! inside the transaction of the change it follows) and the handler that runs it
//! (`ddhub-app`'s `jobs::*`, one file per kind). Each payload names its kind once, so an
//! enqueued job and its handler cannot disagree on a name or a field (crates.io's
//! `BackgroundJob::JOB_NAME`).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A job's payload type and the kind it is queued under.
pub trait JobPayload: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The queue's `kind` column for this payload.
    const KIND: &'static str;
}

/// `catalog.upload`: parse, validate and commit one uploaded sheet (and its photo bundle).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogUpload {
    pub upload_id: i64,
}

impl JobPayload for CatalogUpload {
    const KIND: &'static str = "catalog.upload";
}

/// `style.changed`: translate and index the listed styles again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StyleChanged {
    pub styles: Vec<ChangedStyle>,
    /// Why the styles changed, when it was not an edit of theirs (`glossary`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One style of a [`StyleChanged`] job and what changed in it (`created`, `price`,
/// `translation`, `photo`, …), for the log and for skipping work that did not change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedStyle {
    pub id: i64,
    #[serde(default)]
    pub fields: Vec<String>,
}

impl StyleChanged {
    /// Styles that changed in one field each.
    pub fn of(ids: impl IntoIterator<Item = i64>, field: &str) -> Self {
        Self {
            styles: ids
                .into_iter()
                .map(|id| ChangedStyle {
                    id,
                    fields: vec![field.to_string()],
                })
                .collect(),
            reason: None,
        }
    }

    pub fn ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.styles.iter().map(|s| s.id)
    }
}

impl JobPayload for StyleChanged {
    const KIND: &'static str = "style.changed";
}

/// `photo.normalise`: turn one uploaded photo into the configured marketplace images.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoNormalise {
    pub photo_id: i64,
}

impl JobPayload for PhotoNormalise {
    const KIND: &'static str = "photo.normalise";
}

/// `glossary.changed`: the operator's glossary overrides moved to `revision`; re-translate
/// every automatic field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlossaryChanged {
    pub revision: i64,
    pub version: String,
}

impl JobPayload for GlossaryChanged {
    const KIND: &'static str = "glossary.changed";
}

/// `webhook.deliver`: send one order event to its partner's endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDeliver {
    pub delivery_id: i64,
}

impl JobPayload for WebhookDeliver {
    const KIND: &'static str = "webhook.deliver";
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The wire form is what jobs queued by earlier releases hold: a payload of theirs must
    /// still decode.
    #[test]
    fn payloads_read_what_earlier_releases_queued() {
        let s: StyleChanged =
            serde_json::from_str(r#"{"styles":[{"id":7,"fields":["price"]}]}"#).unwrap();
        assert_eq!(s.ids().collect::<Vec<_>>(), vec![7]);
        assert_eq!(s.reason, None);
        let g: GlossaryChanged =
            serde_json::from_str(r#"{"revision":3,"version":"g1-abc"}"#).unwrap();
        assert_eq!(g.revision, 3);
        let u: CatalogUpload = serde_json::from_str(r#"{"upload_id":12}"#).unwrap();
        assert_eq!(u.upload_id, 12);
        assert_eq!(
            serde_json::to_string(&WebhookDeliver { delivery_id: 5 }).unwrap(),
            r#"{"delivery_id":5}"#
        );
    }
}
