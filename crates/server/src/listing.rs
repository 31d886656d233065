//! The listing pipeline behind `style.changed`: translate each changed style's title,
//! attributes and description into every export locale (offline, from the glossary and the
//! closed vocabularies), store them with their review states, and (re)index the style for search.

use crate::config::Config;
use crate::worker::{JobError, JobHandler};
use async_trait::async_trait;
use ddhub_domain::style::{StockState as SkuStock, StyleState};
use ddhub_domain::translation::{ReviewState, TranslatableField};
use ddhub_domain::{Locale, StyleId};
use ddhub_search::{
    ListingDoc, LocalizedText, SearchIndex, StockState, StyleFields, WholesalerRef,
};
use ddhub_store::Store;
use ddhub_store::catalog::ListingRow;
use ddhub_store::jobs::ClaimedJob;
use ddhub_store::translations;
use ddhub_translate::{
    Glossary, StyleAttributes, Templates, render_attributes, render_description, translate_title,
};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Labels of the closed vocabularies (`locales/vocab/`), the source of truth for attribute
/// words; the glossary fills in what they lack.
struct VocabularyLabels;

impl ddhub_translate::AttributeLabels for VocabularyLabels {
    fn label(
        &self,
        kind: ddhub_translate::AttributeKind,
        code: &str,
        locale: Locale,
    ) -> Option<String> {
        use ddhub_domain::catalog;
        use ddhub_translate::AttributeKind as K;
        let label = match kind {
            K::Category => catalog::categories()
                .get(code)
                .map(|c| c.labels.get(locale)),
            K::Colour => catalog::colours().get(code).map(|c| c.labels.get(locale)),
            K::Size => catalog::sizes().get(code).map(|c| c.labels.get(locale)),
            K::Material => catalog::materials().get(code).map(|c| c.labels.get(locale)),
            K::Origin => catalog::origins().get(code).map(|c| c.labels.get(locale)),
            K::Season => catalog::seasons().get(code).map(|c| c.labels.get(locale)),
            K::Fit => None,
        };
        label.filter(|l| !l.is_empty()).map(str::to_string)
    }
}

/// Everything the pipeline needs, built once per process.
pub struct Listing {
    pub glossary: Arc<Glossary>,
    pub templates: Arc<Templates>,
    pub index: Arc<dyn SearchIndex>,
    pub media_base: String,
}

impl std::fmt::Debug for Listing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Listing({})", self.index.backend())
    }
}

/// Opens the search index the configuration names.
pub async fn open_index(config: &Config) -> anyhow::Result<Arc<dyn SearchIndex>> {
    Ok(match config.search_backend.as_str() {
        "meilisearch" => {
            let url = config.meilisearch_url.clone().unwrap_or_default();
            let cfg = ddhub_search::MeiliConfig::new(
                &url,
                config.meilisearch_key.clone(),
                "ddhub_styles",
            );
            Arc::new(ddhub_search::MeiliIndex::connect(cfg).await?)
        }
        _ => {
            let dir = config.data_dir.join("search");
            std::fs::create_dir_all(&dir)?;
            Arc::new(ddhub_search::TantivyIndex::open(&dir)?)
        }
    })
}

fn hash(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

impl Listing {
    pub fn new(index: Arc<dyn SearchIndex>, media_base: String) -> anyhow::Result<Self> {
        Ok(Self {
            glossary: Arc::new(Glossary::builtin()?),
            templates: Arc::new(Templates::builtin()?),
            index,
            media_base,
        })
    }

    fn attributes_of(row: &ListingRow) -> StyleAttributes {
        let mut colours: Vec<String> = Vec::new();
        let mut sizes: Vec<String> = Vec::new();
        for k in &row.skus {
            if k.stock == SkuStock::SoldOut && row.style.state == StyleState::Active {
                continue;
            }
            if !colours.contains(&k.colour) {
                colours.push(k.colour.clone());
            }
            if !sizes.contains(&k.size) {
                sizes.push(k.size.clone());
            }
        }
        StyleAttributes {
            category: Some(row.style.category.clone()),
            colours,
            sizes,
            composition: row.style.composition.clone(),
            origin: row.style.origin.clone(),
            season: row.style.season.clone(),
            fit: None,
            moq: row.style.moq.0,
            same_day_dispatch: row.style.same_day_dispatch,
        }
    }

    /// The automatic results for every field of a style in every export locale.
    fn automatic(&self, row: &ListingRow) -> Vec<translations::AutoTranslation> {
        let attrs = Self::attributes_of(row);
        let labels = ddhub_translate::attributes::FirstOf(VocabularyLabels, self.glossary.as_ref());
        let id = row.style.id;
        let source_title = hash(&row.style.title_ko);
        // Debug output of plain data is deterministic: a change in any attribute changes the hash.
        let source_attrs = hash(&format!("{attrs:?}"));
        let mut out = Vec::with_capacity(Locale::TARGETS.len() * 3);
        for locale in Locale::TARGETS {
            let t = translate_title(&self.glossary, &row.style.title_ko, locale);
            let review = if t.unknown_terms.is_empty() {
                ReviewState::Glossary
            } else {
                ReviewState::Machine
            };
            let item = |field, value, review, source_hash: &str| translations::AutoTranslation {
                style: id,
                locale,
                field,
                value,
                review,
                source_hash: source_hash.to_string(),
            };
            out.push(item(
                TranslatableField::Title,
                t.title,
                review,
                &source_title,
            ));
            out.push(item(
                TranslatableField::Attributes,
                render_attributes(&attrs, &labels, &self.templates, locale),
                ReviewState::Glossary,
                &source_attrs,
            ));
            out.push(item(
                TranslatableField::Description,
                render_description(&attrs, &labels, &self.templates, locale),
                ReviewState::Glossary,
                &source_attrs,
            ));
        }
        out
    }

    /// The texts in force for a style (stored values, human edits included), Korean from the
    /// source.
    fn texts_in_force(
        &self,
        row: &ListingRow,
        stored: &translations::InForce,
    ) -> [LocalizedText; 3] {
        let attrs = Self::attributes_of(row);
        let labels = ddhub_translate::attributes::FirstOf(VocabularyLabels, self.glossary.as_ref());
        let mut title = LocalizedText::default();
        let mut attributes = LocalizedText::default();
        let mut description = LocalizedText::default();
        let id = row.style.id.0;
        for locale in Locale::TARGETS {
            for (field, target) in [
                (TranslatableField::Title, &mut title),
                (TranslatableField::Attributes, &mut attributes),
                (TranslatableField::Description, &mut description),
            ] {
                if let Some(v) = stored.get(&(id, locale, field)) {
                    target.set(locale, v.clone());
                }
            }
        }
        title.set(Locale::Ko, row.style.title_ko.clone());
        attributes.set(
            Locale::Ko,
            render_attributes(&attrs, &labels, &self.templates, Locale::Ko),
        );
        description.set(
            Locale::Ko,
            row.style.description_ko.clone().unwrap_or_else(|| {
                render_description(&attrs, &labels, &self.templates, Locale::Ko)
            }),
        );
        [title, attributes, description]
    }

    fn doc(&self, row: &ListingRow, texts: [LocalizedText; 3]) -> ListingDoc {
        let [title, attributes, description] = texts;
        let attrs = Self::attributes_of(row);
        let stock = match row.style.state {
            StyleState::Archived => StockState::Archived,
            StyleState::SoldOut => StockState::SoldOut,
            StyleState::Active
                if row.skus.iter().all(|k| k.stock == SkuStock::SoldOut)
                    && !row.skus.is_empty() =>
            {
                StockState::SoldOut
            }
            StyleState::Active if row.skus.iter().any(|k| k.stock == SkuStock::InStock) => {
                StockState::InStock
            }
            StyleState::Active if row.skus.iter().any(|k| k.stock == SkuStock::Backorder) => {
                StockState::Backorder
            }
            StyleState::Active => StockState::InStock,
        };
        // Stored titles win over a fresh glossary rendering (a person may have edited them);
        // only missing ones (and the cleaned Korean one) are rendered here.
        let mut titles = LocalizedText::default();
        for locale in Locale::ALL {
            let stored = title.get(locale);
            if locale != Locale::Ko && !stored.is_empty() {
                titles.set(locale, stored.to_string());
            } else {
                titles.set(
                    locale,
                    translate_title(&self.glossary, &row.style.title_ko, locale).title,
                );
            }
        }
        ListingDoc::build_titled(
            StyleFields {
                style_id: row.style.id.0,
                style_code: row.style.style_code.clone(),
                wholesaler: WholesalerRef {
                    id: row.wholesaler.id.0,
                    name: row.wholesaler.name.clone(),
                    building: row.wholesaler.location.display_ko(),
                },
                category: row.style.category.clone(),
                title_ko: row.style.title_ko.clone(),
                attributes,
                description,
                colours: attrs.colours,
                sizes: attrs.sizes,
                price_krw: row.style.price.0,
                moq: row.style.moq.0,
                same_day: row.style.same_day_dispatch,
                stock,
                created_at: row.style.created_at.0,
                updated_at: row.style.updated_at.0,
                thumbnail_url: row
                    .thumbnail_key
                    .as_ref()
                    .map(|k| format!("{}/{k}", self.media_base)),
            },
            titles,
        )
    }

    /// Reads these styles and renders their automatic translations (CPU only after the read).
    async fn read_and_render(
        &self,
        store: &Store,
        ids: &[StyleId],
    ) -> anyhow::Result<(Vec<ListingRow>, Vec<translations::AutoTranslation>)> {
        let rows = ddhub_store::catalog::listing_rows(store, ids).await?;
        let items = rows.iter().flat_map(|row| self.automatic(row)).collect();
        Ok((rows, items))
    }

    /// Stores rendered translations (one transaction) and returns the documents of the rows.
    async fn store_and_build(
        &self,
        store: &Store,
        rows: &[ListingRow],
        items: &[translations::AutoTranslation],
    ) -> anyhow::Result<Vec<ListingDoc>> {
        let stored = translations::write_automatic_many(store, items).await?;
        Ok(rows
            .iter()
            .map(|row| self.doc(row, self.texts_in_force(row, &stored)))
            .collect())
    }

    /// Translates and indexes these styles; ids that no longer exist leave the index.
    pub async fn process(&self, store: &Store, ids: &[StyleId]) -> anyhow::Result<usize> {
        let (rows, items) = self.read_and_render(store, ids).await?;
        let found: std::collections::HashSet<i64> = rows.iter().map(|r| r.style.id.0).collect();
        let gone: Vec<i64> = ids
            .iter()
            .map(|i| i.0)
            .filter(|i| !found.contains(i))
            .collect();
        let docs = self.store_and_build(store, &rows, &items).await?;
        if !docs.is_empty() {
            self.index.upsert(&docs).await?;
        }
        if !gone.is_empty() {
            self.index.delete(&gone).await?;
        }
        Ok(docs.len())
    }

    /// Rebuilds the whole index from the database, then merges it into one segment.
    /// `progress(done, total)` follows.
    ///
    /// A pipeline, because a 100,000-style rebuild must fit in a minute on two cores: styles are
    /// read and rendered 1,000 at a time while the previous batch's translations are written
    /// (SQLite works on its own thread), and indexed 10,000 at a time in the background while
    /// the next batches are prepared (each index write is a commit; fewer, larger ones are
    /// cheaper).
    pub async fn reindex(
        &self,
        store: &Store,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> anyhow::Result<u64> {
        const READ_BATCH: u64 = 1_000;
        const INDEX_BATCH: usize = 10_000;
        type Batch = (Vec<ListingRow>, Vec<translations::AutoTranslation>);
        let total = ddhub_store::catalog::total_styles(store).await?;
        self.index.clear().await?;
        let next_batch = |after: i64| async move {
            let ids = ddhub_store::catalog::style_ids_after(store, after, READ_BATCH).await?;
            let Some(last) = ids.last().map(|l| l.0) else {
                return Ok::<_, anyhow::Error>(None);
            };
            let batch: Batch = self.read_and_render(store, &ids).await?;
            Ok(Some((last, batch)))
        };
        let mut done = 0u64;
        let mut pending: Vec<ListingDoc> = Vec::new();
        let mut indexing: Option<tokio::task::JoinHandle<Result<(), ddhub_search::SearchError>>> =
            None;
        let mut next = next_batch(0).await?;
        while let Some((last, (rows, items))) = next.take() {
            let (docs, following) =
                tokio::join!(self.store_and_build(store, &rows, &items), next_batch(last));
            let docs = docs?;
            next = following?;
            done += docs.len() as u64;
            pending.extend(docs);
            if pending.len() >= INDEX_BATCH {
                if let Some(h) = indexing.take() {
                    h.await??;
                }
                let (index, docs) = (self.index.clone(), std::mem::take(&mut pending));
                indexing = Some(tokio::spawn(async move { index.upsert(&docs).await }));
            }
            progress(done, total);
        }
        if let Some(h) = indexing.take() {
            h.await??;
        }
        if !pending.is_empty() {
            self.index.upsert(&pending).await?;
        }
        // One segment instead of one per batch: searches after a rebuild walk one posting list
        // per term.
        self.index.optimize().await?;
        Ok(done)
    }
}

/// `style.changed`: translate and index the listed styles.
pub struct StyleChanged {
    pub store: Store,
    pub listing: Arc<Listing>,
}

#[async_trait]
impl JobHandler for StyleChanged {
    async fn run(&self, job: &ClaimedJob) -> Result<(), JobError> {
        let styles = job
            .payload
            .get("styles")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| JobError::Permanent("payload has no styles".into()))?;
        let ids: Vec<StyleId> = styles
            .iter()
            .filter_map(|s| s.get("id").and_then(serde_json::Value::as_i64))
            .map(StyleId)
            .collect();
        self.listing
            .process(&self.store, &ids)
            .await
            .map_err(|e| JobError::Retry(format!("{e:#}")))?;
        Ok(())
    }
}
