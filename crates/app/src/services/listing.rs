//! The listing pipeline behind `style.changed`: translate each changed style's title,
//! attributes and description into every export locale (offline, from the glossary and the
//! closed vocabularies), the wholesaler's free text through the configured machine-translation
//! provider (with the translation memory), store them with their review states, and (re)index
//! the style for search.

use crate::config::Config;
use ddhub_domain::style::{StockState as SkuStock, StyleState};
use ddhub_domain::translation::{ReviewState, TranslatableField};
use ddhub_domain::{Locale, StyleId};
use ddhub_search::{
    HitDisplay, ListingDoc, LocalizedText, SearchIndex, StockState, StyleFields, WholesalerRef,
};
use ddhub_store::Store;
use ddhub_store::catalog::ListingRow;
use ddhub_store::translations;
use ddhub_translate::{
    Glossary, ProviderConfig, RememberingTranslator, StyleAttributes, Templates, TranslateError,
    Translator, render_attributes, render_description, translate_title,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

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

/// The glossary in force and the machine translator made with it; replaced when the stored
/// overrides change (their revision moves).
struct Current {
    /// `None` until the first check against the database.
    revision: Option<i64>,
    glossary: Arc<Glossary>,
    /// The glossary's concepts: what queries expand to (given to the index too).
    concepts: Arc<ddhub_search::concepts::ConceptIndex>,
    /// Completions for the search box, from the same concepts.
    suggester: Arc<ddhub_search::suggest::Suggester>,
    machine: Option<Arc<RememberingTranslator>>,
}

/// Everything the pipeline needs, built once per process.
pub struct Listing {
    /// The glossary shipped in `locales/glossary/`.
    shipped: Arc<Glossary>,
    current: RwLock<Arc<Current>>,
    /// The configured machine-translation provider, for free text; `glossary` means none.
    provider: ProviderConfig,
    pub templates: Arc<Templates>,
    pub index: Arc<dyn SearchIndex>,
    pub media_base: String,
    /// The embedded index when several processes share its directory: only the one holding
    /// its writer lease indexes (see [`open_index_shared`]).
    pub shared: Option<ddhub_search::TantivyIndex>,
    /// Similar styles found in the current index generation.
    pub similar_cache: crate::services::search::SimilarCache,
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
            let index = ddhub_search::TantivyIndex::open(&dir)?;
            index.set_browse_cache(config.search_result_cache);
            Arc::new(index)
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
        return Ok(Arc::new(
            Listing::new(index, config.media_base_url())?.with_provider(config.translate.clone()),
        ));
    }
    let dir = config.data_dir.join("search");
    let shared = tokio::task::spawn_blocking(move || {
        ddhub_search::TantivyIndex::open_shared(&dir, std::time::Duration::from_secs(60))
    })
    .await??;
    shared.set_browse_cache(config.search_result_cache);
    tracing::info!(writer = shared.is_writer(), "search index opened");
    let mut listing = Listing::new(Arc::new(shared.clone()), config.media_base_url())?
        .with_provider(config.translate.clone());
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
        let shipped = Arc::new(Glossary::builtin()?);
        let concepts = ddhub_search::tantivy_index::builtin_concepts()?;
        Ok(Self {
            current: RwLock::new(Arc::new(Current {
                revision: None,
                glossary: shipped.clone(),
                suggester: Arc::new(ddhub_search::suggest::Suggester::new(&concepts)),
                concepts,
                machine: None,
            })),
            shipped,
            provider: ProviderConfig::Glossary,
            templates: Arc::new(Templates::builtin()?),
            index,
            media_base,
            shared: None,
            similar_cache: Default::default(),
        })
    }

    /// Uses this machine-translation provider for the wholesaler's free text (`[translate]`
    /// in the configuration); without one free text stays Korean and `untranslated`.
    pub fn with_provider(mut self, provider: ProviderConfig) -> Self {
        self.provider = provider;
        self
    }

    fn current(&self) -> Arc<Current> {
        match self.current.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The glossary in force as last loaded (shipped plus operator overrides).
    pub fn glossary(&self) -> Arc<Glossary> {
        self.current().glossary.clone()
    }

    /// The concepts of the glossary in force: what buyers' words expand to.
    pub fn concepts(&self) -> Arc<ddhub_search::concepts::ConceptIndex> {
        self.current().concepts.clone()
    }

    /// Completions of the glossary in force.
    pub fn suggester(&self) -> Arc<ddhub_search::suggest::Suggester> {
        self.current().suggester.clone()
    }

    /// Loads the glossary in force when the operator's overrides changed since the last look
    /// (one read of their revision) and gives its concepts to the index, so overrides reach
    /// query expansion, not only titles.
    pub async fn refresh_glossary(&self, store: &Store) -> anyhow::Result<()> {
        self.load(store).await.map(|_| ())
    }

    /// The public URL of a media key (a photo variant).
    fn media_url(&self, key: Option<&str>) -> Option<String> {
        key.map(|k| format!("{}/{k}", self.media_base))
    }

    /// What a hit shows, read from the database, as [`Self::doc`] would have stored it: for
    /// hits of an index that holds no display (see [`HitDisplay`]).
    pub fn hit_display(&self, row: ddhub_store::catalog::HitRow, locale: Locale) -> HitDisplay {
        let title = match (locale, row.title) {
            (Locale::Ko, _) => row.title_ko,
            (_, Some(t)) => t,
            (_, None) => translate_title(&self.glossary(), &row.title_ko, locale).title,
        };
        HitDisplay {
            style_code: row.style_code,
            title,
            price_krw: row.price_krw,
            thumbnail_url: self.media_url(row.thumbnail_key.as_deref()),
            wholesaler: wholesaler_ref(&row.wholesaler),
        }
    }

    async fn load(&self, store: &Store) -> anyhow::Result<Arc<Current>> {
        let rev = ddhub_store::glossary::revision(store).await?;
        let cur = self.current();
        if cur.revision == Some(rev.revision) {
            return Ok(cur);
        }
        let glossary = Arc::new(crate::services::glossary::merged(store, &self.shipped).await?);
        let (concepts, suggester) =
            if cur.revision.is_none() && glossary.version() == self.shipped.version() {
                (cur.concepts.clone(), cur.suggester.clone())
            } else {
                let c = Arc::new(ddhub_search::concepts::ConceptIndex::new(&glossary)?);
                self.index.set_concepts(c.clone()).await?;
                let s = Arc::new(ddhub_search::suggest::Suggester::new(&c));
                (c, s)
            };
        let machine = match &self.provider {
            ProviderConfig::Glossary => None,
            p => Some(Arc::new(RememberingTranslator::new(
                ddhub_translate::build_translator(p, glossary.clone())?,
                Arc::new(crate::services::glossary::StoreMemory {
                    store: store.clone(),
                }),
                glossary.version(),
            ))),
        };
        let next = Arc::new(Current {
            revision: Some(rev.revision),
            glossary,
            concepts,
            suggester,
            machine,
        });
        match self.current.write() {
            Ok(mut c) => *c = next.clone(),
            Err(poisoned) => *poisoned.into_inner() = next.clone(),
        }
        tracing::info!(
            revision = rev.revision,
            version = next.glossary.version(),
            "glossary loaded"
        );
        Ok(next)
    }

    /// The wholesaler's free text of these rows in every export locale: machine-translated in
    /// one batch per locale (memory first), or kept in Korean as `untranslated` without a
    /// provider, or for a locale the provider does not serve. A transient provider failure
    /// fails the job (it is retried); a permanent one leaves that locale `untranslated`.
    async fn free_texts(
        &self,
        current: &Current,
        rows: &[ListingRow],
    ) -> Result<HashMap<(i64, Locale), (String, ReviewState)>, TranslateError> {
        let sources: Vec<(i64, String)> = rows
            .iter()
            .filter_map(|r| {
                let t = r.style.description_ko.as_deref()?.trim();
                (!t.is_empty()).then(|| (r.style.id.0, t.to_string()))
            })
            .collect();
        let mut out = HashMap::new();
        if sources.is_empty() {
            return Ok(out);
        }
        let texts: Vec<String> = sources.iter().map(|(_, t)| t.clone()).collect();
        for locale in Locale::TARGETS {
            let translated = match &current.machine {
                Some(m) => match m.translate(&texts, locale).await {
                    Ok(v) => Some(v),
                    Err(e) if e.is_transient() => return Err(e),
                    Err(e) => {
                        tracing::warn!(locale = locale.tag(), error = %e, "free text left untranslated");
                        None
                    }
                },
                None => None,
            };
            for (i, (id, source)) in sources.iter().enumerate() {
                let value = match translated.as_ref().and_then(|v| v.get(i)) {
                    Some(t) => (t.text.clone(), t.review_state),
                    None => (source.clone(), ReviewState::Untranslated),
                };
                out.insert((*id, locale), value);
            }
        }
        Ok(out)
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
    /// The automatic translations of one style (title, attribute line and description in
    /// every export locale, its free text where there is one), added to `items`; a style
    /// without free text has its automatic free-text values removed.
    fn automatic(
        &self,
        current: &Current,
        row: &ListingRow,
        free: &HashMap<(i64, Locale), (String, ReviewState)>,
        items: &mut Vec<translations::AutoTranslation>,
        remove: &mut Vec<(StyleId, TranslatableField)>,
    ) {
        let glossary = current.glossary.as_ref();
        let labels = ddhub_translate::attributes::FirstOf(VocabularyLabels, glossary);
        let attrs = Self::attributes_of(row);
        let id = row.style.id;
        let source_title = hash(&row.style.title_ko);
        // Debug output of plain data is deterministic: a change in any attribute changes the hash.
        let source_attrs = hash(&format!("{attrs:?}"));
        let source_free = row.style.description_ko.as_deref().map(|t| hash(t.trim()));
        let mut push = |locale, field, value: String, review, source_hash: &str| {
            items.push(translations::AutoTranslation {
                style: id,
                locale,
                field,
                value,
                review,
                source_hash: source_hash.to_string(),
            });
        };
        for locale in Locale::TARGETS {
            let t = translate_title(glossary, &row.style.title_ko, locale);
            let review = if t.unknown_terms.is_empty() {
                ReviewState::Glossary
            } else {
                ReviewState::Machine
            };
            push(
                locale,
                TranslatableField::Title,
                t.title,
                review,
                &source_title,
            );
            push(
                locale,
                TranslatableField::Attributes,
                render_attributes(&attrs, &labels, &self.templates, locale),
                ReviewState::Glossary,
                &source_attrs,
            );
            push(
                locale,
                TranslatableField::Description,
                render_description(&attrs, &labels, &self.templates, locale),
                ReviewState::Glossary,
                &source_attrs,
            );
            if let (Some((value, review)), Some(source)) = (free.get(&(id.0, locale)), &source_free)
            {
                push(
                    locale,
                    TranslatableField::FreeText,
                    value.clone(),
                    *review,
                    source,
                );
            }
        }
        if !free.contains_key(&(id.0, Locale::En)) {
            // No free text (or the wholesaler removed it): so go its automatic translations.
            remove.push((id, TranslatableField::FreeText));
        }
    }

    /// The texts a style's search document shows: the stored values in force (human edits
    /// included) in the export locales, the Korean source in Korean. Translated free text
    /// follows the generated description; Korean left `untranslated` stays out of it.
    fn texts_in_force(
        &self,
        current: &Current,
        row: &ListingRow,
        in_force: &translations::InForce,
    ) -> [LocalizedText; 3] {
        let glossary = current.glossary.as_ref();
        let labels = ddhub_translate::attributes::FirstOf(VocabularyLabels, glossary);
        let attrs = Self::attributes_of(row);
        let id = row.style.id.0;
        let mut title = LocalizedText::default();
        let mut attributes = LocalizedText::default();
        let mut description = LocalizedText::default();
        for locale in Locale::TARGETS {
            let stored = |field| in_force.get(&(id, locale, field));
            if let Some(t) = stored(TranslatableField::Title) {
                title.set(locale, t.value.clone());
            }
            if let Some(t) = stored(TranslatableField::Attributes) {
                attributes.set(locale, t.value.clone());
            }
            if let Some(t) = stored(TranslatableField::Description) {
                description.set(locale, t.value.clone());
            }
            if let Some(t) = stored(TranslatableField::FreeText)
                && t.review != ReviewState::Untranslated.as_str()
            {
                let generated = description.get(locale).to_string();
                description.set(locale, format!("{generated}\n\n{}", t.value));
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

    fn doc(
        &self,
        glossary: &Glossary,
        row: &ListingRow,
        texts: [LocalizedText; 3],
        measured: &[ddhub_domain::measure::SizeMeasurements],
    ) -> ListingDoc {
        let [title, attributes, description] = texts;
        let attrs = Self::attributes_of(row);
        let stock = match row.style.state {
            StyleState::Archived => StockState::Archived,
            state => match SkuStock::of_style(state, row.skus.iter().map(|k| k.stock)) {
                SkuStock::InStock => StockState::InStock,
                SkuStock::Backorder => StockState::Backorder,
                SkuStock::SoldOut => StockState::SoldOut,
            },
        };
        let mut doc = ListingDoc::build(
            StyleFields {
                style_id: row.style.id.0,
                style_code: row.style.style_code.clone(),
                wholesaler: wholesaler_ref(&row.wholesaler),
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
                thumbnail_url: self.media_url(row.thumbnail_key.as_deref()),
                measurements: measured.to_vec(),
            },
            glossary,
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
        let (docs, gone) = self.documents(store, ids).await?;
        if !docs.is_empty() {
            self.index.upsert(&docs).await?;
        }
        if !gone.is_empty() {
            self.index.delete(&gone).await?;
        }
        Ok(docs.len())
    }

    /// Translates these styles and makes their search documents; also the ids that no longer
    /// exist.
    async fn documents(
        &self,
        store: &Store,
        ids: &[StyleId],
    ) -> anyhow::Result<(Vec<ListingDoc>, Vec<i64>)> {
        let rows = ddhub_store::catalog::listing_rows(store, ids).await?;
        let found: std::collections::HashSet<i64> = rows.iter().map(|r| r.style.id.0).collect();
        let gone: Vec<i64> = ids
            .iter()
            .map(|i| i.0)
            .filter(|i| !found.contains(i))
            .collect();
        let current = self.load(store).await?;
        let free = self.free_texts(&current, &rows).await?;
        // Every style's translations in one write transaction (with their change-log rows):
        // one statement per style and field took minutes for a full reindex.
        let mut items = Vec::with_capacity(rows.len() * Locale::TARGETS.len() * 4);
        let mut remove = Vec::new();
        for row in &rows {
            self.automatic(&current, row, &free, &mut items, &mut remove);
        }
        let in_force = translations::write_automatic_many(store, &items, &remove).await?;
        let measured = ddhub_store::measurements::of_styles_in(store.conn(), ids).await?;
        let docs: Vec<ListingDoc> = rows
            .iter()
            .map(|row| {
                let texts = self.texts_in_force(&current, row, &in_force);
                let m = measured.get(&row.style.id).map_or(&[][..], Vec::as_slice);
                self.doc(&current.glossary, row, texts, m)
            })
            .collect();
        Ok((docs, gone))
    }

    /// Rebuilds the whole index from the database, `batch` styles at a time.
    pub async fn reindex(
        &self,
        store: &Store,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> anyhow::Result<u64> {
        // The `style.changed` jobs waiting now ask for work this rebuild does (it reads every
        // style after this point): they are marked done when it finishes, so the serving
        // process does not translate and index the whole catalog a second time (after an
        // initial load that would take as long as the rebuild, next to the buyers' searches).
        let queue = ddhub_store::jobs::JobQueue::new(store.clone());
        let covered = queue
            .waiting_ids(<ddhub_domain::jobs::StyleChanged as ddhub_domain::jobs::JobPayload>::KIND)
            .await?;
        let total = ddhub_store::catalog::total_styles(store).await?;
        let mut after = 0;
        let mut done = 0u64;
        let mut first = true;
        // The index takes each batch in its own threads while the next one is read and
        // translated here.
        let mut indexing: Option<tokio::task::JoinHandle<Result<(), ddhub_search::SearchError>>> =
            None;
        loop {
            let ids = ddhub_store::catalog::style_ids_after(store, after, 1_000).await?;
            let Some(last) = ids.last() else { break };
            after = last.0;
            let (docs, _) = self.documents(store, &ids).await?;
            if let Some(previous) = indexing.take() {
                previous.await??;
            }
            done += docs.len() as u64;
            let index = self.index.clone();
            let starts = std::mem::take(&mut first);
            indexing = Some(tokio::spawn(async move {
                index.rebuild_batch(&docs, starts).await
            }));
            progress(done, total);
        }
        if let Some(previous) = indexing.take() {
            previous.await??;
        }
        if first {
            // No styles at all: the rebuild still empties the index.
            self.index.rebuild_batch(&[], true).await?;
        }
        // Searchable at once, merged to one segment: searches after a rebuild walk one posting
        // list per term.
        self.index.finish_rebuild().await?;
        let superseded = queue.supersede(&covered).await?;
        tracing::info!(indexed = done, superseded, "full reindex finished");
        Ok(done)
    }
}

/// A hit's wholesaler, as a storefront shows it.
fn wholesaler_ref(w: &ddhub_domain::wholesaler::Wholesaler) -> WholesalerRef {
    WholesalerRef {
        id: w.id.0,
        name: w.name.clone(),
        building: w.location.display_ko(),
    }
}
