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
    /// The embedded index when several processes share its directory: only the one holding
    /// its writer lease indexes (see [`open_index_shared`]).
    pub shared: Option<ddhub_search::TantivyIndex>,
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

/// Opens the search index for `ddhub serve`. Meilisearch as [`open_index`]. The embedded
/// index lives in the data dir, which a fleet shares: this process becomes its writer when the
/// writer lease is free, and otherwise reads it, following the writer's commits, and takes the
/// lease over if its holder goes away (checked every 2 s). The returned Listing's `shared` is
/// set, so only the writer claims `style.changed` jobs.
pub async fn open_listing_shared(config: &Config) -> anyhow::Result<Arc<Listing>> {
    if config.search_backend == "meilisearch" {
        let index = open_index(config).await?;
        return Ok(Arc::new(Listing::new(index, config.media_base_url())?));
    }
    let dir = config.data_dir.join("search");
    let shared = tokio::task::spawn_blocking(move || {
        ddhub_search::TantivyIndex::open_shared(&dir, std::time::Duration::from_secs(60))
    })
    .await??;
    tracing::info!(writer = shared.is_writer(), "search index opened");
    let mut listing = Listing::new(Arc::new(shared.clone()), config.media_base_url())?;
    listing.shared = Some(shared.clone());
    if !shared.is_writer() {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
            loop {
                tick.tick().await;
                let s = shared.clone();
                match tokio::task::spawn_blocking(move || s.try_take_writer()).await {
                    Ok(Ok(true)) => {
                        tracing::info!("took over the search index writer lease");
                        break;
                    }
                    Ok(Ok(false)) => {}
                    Ok(Err(e)) => tracing::warn!(error = %e, "search writer takeover failed"),
                    Err(e) => tracing::warn!(error = %e, "search writer takeover panicked"),
                }
            }
        });
    }
    Ok(Arc::new(listing))
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
            shared: None,
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

    /// Translates every field of a style into every export locale and stores the results
    /// (a person's edits and approvals stand). Returns the values now in force per locale.
    async fn translate(
        &self,
        store: &Store,
        row: &ListingRow,
    ) -> Result<[LocalizedText; 3], ddhub_store::StoreError> {
        let attrs = Self::attributes_of(row);
        let mut title = LocalizedText::default();
        let mut attributes = LocalizedText::default();
        let mut description = LocalizedText::default();
        let id = row.style.id;
        let source_title = hash(&row.style.title_ko);
        // Debug output of plain data is deterministic: a change in any attribute changes the hash.
        let source_attrs = hash(&format!("{attrs:?}"));
        for locale in Locale::TARGETS {
            let t = translate_title(&self.glossary, &row.style.title_ko, locale);
            let review = if t.unknown_terms.is_empty() {
                ReviewState::Glossary
            } else {
                ReviewState::Machine
            };
            translations::write_automatic(
                store.conn(),
                id,
                locale,
                TranslatableField::Title,
                &t.title,
                review,
                &source_title,
            )
            .await?;
            let a = render_attributes(
                &attrs,
                &ddhub_translate::attributes::FirstOf(VocabularyLabels, self.glossary.as_ref()),
                &self.templates,
                locale,
            );
            translations::write_automatic(
                store.conn(),
                id,
                locale,
                TranslatableField::Attributes,
                &a,
                ReviewState::Glossary,
                &source_attrs,
            )
            .await?;
            let d = render_description(
                &attrs,
                &ddhub_translate::attributes::FirstOf(VocabularyLabels, self.glossary.as_ref()),
                &self.templates,
                locale,
            );
            translations::write_automatic(
                store.conn(),
                id,
                locale,
                TranslatableField::Description,
                &d,
                ReviewState::Glossary,
                &source_attrs,
            )
            .await?;
        }
        // What is in force: stored values (human edits included).
        for t in translations::for_style(store, id, None).await? {
            let Some(locale) = Locale::from_tag(&t.locale) else {
                continue;
            };
            let target = match t.field.as_str() {
                "title" => &mut title,
                "attributes" => &mut attributes,
                "description" => &mut description,
                _ => continue,
            };
            target.set(locale, t.value);
        }
        title.set(Locale::Ko, row.style.title_ko.clone());
        attributes.set(
            Locale::Ko,
            render_attributes(
                &attrs,
                &ddhub_translate::attributes::FirstOf(VocabularyLabels, self.glossary.as_ref()),
                &self.templates,
                Locale::Ko,
            ),
        );
        description.set(
            Locale::Ko,
            row.style.description_ko.clone().unwrap_or_else(|| {
                render_description(
                    &attrs,
                    &ddhub_translate::attributes::FirstOf(VocabularyLabels, self.glossary.as_ref()),
                    &self.templates,
                    Locale::Ko,
                )
            }),
        );
        Ok([title, attributes, description])
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
        let mut doc = ListingDoc::build(
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
            &self.glossary,
        );
        // Stored titles win over the fresh glossary rendering (a person may have edited them).
        for locale in Locale::TARGETS {
            let stored = title.get(locale);
            if !stored.is_empty() {
                doc.title.set(locale, stored.to_string());
            }
        }
        doc
    }

    /// Translates and indexes these styles; ids that no longer exist leave the index.
    pub async fn process(&self, store: &Store, ids: &[StyleId]) -> anyhow::Result<usize> {
        let rows = ddhub_store::catalog::listing_rows(store, ids).await?;
        let found: std::collections::HashSet<i64> = rows.iter().map(|r| r.style.id.0).collect();
        let gone: Vec<i64> = ids
            .iter()
            .map(|i| i.0)
            .filter(|i| !found.contains(i))
            .collect();
        let mut docs = Vec::with_capacity(rows.len());
        for row in &rows {
            let texts = self.translate(store, row).await?;
            docs.push(self.doc(row, texts));
        }
        if !docs.is_empty() {
            self.index.upsert(&docs).await?;
        }
        if !gone.is_empty() {
            self.index.delete(&gone).await?;
        }
        Ok(docs.len())
    }

    /// Rebuilds the whole index from the database, `batch` styles at a time.
    pub async fn reindex(
        &self,
        store: &Store,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> anyhow::Result<u64> {
        let total = ddhub_store::catalog::total_styles(store).await?;
        self.index.clear().await?;
        let mut after = 0;
        let mut done = 0u64;
        loop {
            let ids = ddhub_store::catalog::style_ids_after(store, after, 1_000).await?;
            let Some(last) = ids.last() else { break };
            after = last.0;
            done += self.process(store, &ids).await? as u64;
            progress(done, total);
        }
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
