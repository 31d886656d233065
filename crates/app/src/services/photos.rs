//! A style's photos as their owner sees them: states, checks, near-duplicates and the URLs of
//! every normalised variant.

use ddhub_store::photos::PhotoRecord;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One variant's URLs by format.
#[derive(Debug, Serialize, ToSchema)]
pub struct VariantView {
    pub width: u32,
    pub height: u32,
    /// `jpeg` / `webp` → URL.
    pub urls: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoView {
    pub id: i64,
    pub position: i32,
    pub source_name: String,
    /// `pending`, `ready` or `failed`.
    pub state: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// Checks (size, blank, blur) and near-duplicates found across styles and wholesalers.
    #[schema(value_type = Object)]
    pub warnings: serde_json::Value,
    /// Why normalisation failed.
    pub error: Option<String>,
    /// `large`, `medium`, `thumb` and each marketplace profile → URLs.
    pub variants: BTreeMap<String, VariantView>,
}

impl PhotoView {
    pub fn from_record(p: PhotoRecord, media_base: &str) -> Self {
        let mut variants: BTreeMap<String, VariantView> = BTreeMap::new();
        for v in p.variants {
            let entry = variants
                .entry(v.name.clone())
                .or_insert_with(|| VariantView {
                    width: v.width,
                    height: v.height,
                    urls: BTreeMap::new(),
                });
            entry
                .urls
                .insert(v.format, format!("{media_base}/{}", v.key));
        }
        PhotoView {
            id: p.id.0,
            position: p.position,
            source_name: p.source_name,
            state: p.state,
            width: p.width,
            height: p.height,
            warnings: p.warnings,
            error: p.error,
            variants,
        }
    }
}
