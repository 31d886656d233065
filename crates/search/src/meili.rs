//! The scale-out backend: one Meilisearch index with `localizedAttributes` (see the README for
//! why not an index per locale), written through meilisearch-sdk.

use crate::concepts::{ConceptIndex, QueryPart, concept_token, group_token, normalize};
use crate::doc::{HitDisplay, ListingDoc};
use crate::query::{
    Facets, Hit, MAX_WINDOW, PRICE_BUCKETS, SameDayFacet, SearchQuery, SearchResult, Sort,
    price_bucket_key,
};
use crate::{Health, SearchError, SearchIndex};
use async_trait::async_trait;
use ddhub_domain::Locale;
use meilisearch_sdk::client::{Client, SwapIndexes};
use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode};
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::{MatchingStrategies, Selectors};
use meilisearch_sdk::settings::{
    FacetingSettings, FilterFeatureModes, FilterFeatures, FilterableAttribute,
    FilterableAttributesSettings, LocalizedAttributes, MinWordSizeForTypos, PaginationSetting,
    Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where and how to reach Meilisearch.
#[derive(Clone, Debug)]
pub struct MeiliConfig {
    pub url: String,
    pub api_key: Option<String>,
    /// Index uid, e.g. `ddhub_listings`.
    pub index_uid: String,
    /// Documents per upload request.
    pub batch_size: usize,
    /// How long to wait for a settings or small write task.
    pub task_timeout: Duration,
    /// How long to wait for one batch of a bulk load (rebuild).
    pub bulk_task_timeout: Duration,
}

impl MeiliConfig {
    pub fn new(
        url: impl Into<String>,
        api_key: Option<String>,
        index_uid: impl Into<String>,
    ) -> Self {
        MeiliConfig {
            url: url.into(),
            api_key,
            index_uid: index_uid.into(),
            batch_size: 5_000,
            task_timeout: Duration::from_secs(30),
            bulk_task_timeout: Duration::from_secs(600),
        }
    }
}

/// The Meilisearch backend.
#[derive(Clone)]
pub struct MeiliIndex {
    client: Client,
    config: MeiliConfig,
    /// The concepts and the settings made from them; replaced by `set_concepts` when the
    /// operator's glossary overrides change.
    state: Arc<std::sync::RwLock<(Arc<ConceptIndex>, Arc<Settings>)>>,
    /// The rebuild in progress ([`SearchIndex::rebuild_batch`]): its staging index's tasks
    /// not yet waited for. `None` when no rebuild runs.
    staging: Arc<tokio::sync::Mutex<Option<std::collections::VecDeque<TaskInfo>>>>,
}

/// Upload tasks of a rebuild left queued before the oldest is waited for. Meilisearch merges
/// queued document additions into one indexing batch, which is what makes a bulk load fast
/// (one task at a time, waited for, cost a whole indexing pass per 1,000 documents); the bound
/// keeps the update files waiting on the server's disk to a few batches.
const STAGED_TASKS_IN_FLIGHT: usize = 32;

impl std::fmt::Debug for MeiliIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeiliIndex")
            .field("url", &self.config.url)
            .field("index", &self.config.index_uid)
            .finish()
    }
}

/// Field suffix of a locale: `ko`, `en`, `ja`, `zh_cn`, `zh_tw`, `vi`, `th`.
fn suffix(locale: Locale) -> String {
    locale.tag().to_ascii_lowercase().replace('-', "_")
}

/// Meilisearch's (ISO 639-3) language of a locale.
fn meili_language(locale: Locale) -> &'static str {
    match locale {
        Locale::Ko => "kor",
        Locale::En => "eng",
        Locale::Ja => "jpn",
        Locale::ZhCn | Locale::ZhTw => "cmn",
        Locale::Vi => "vie",
        Locale::Th => "tha",
    }
}

/// The document as Meilisearch stores it.
#[derive(Serialize)]
struct MeiliDoc {
    style_id: i64,
    style_code: String,
    #[serde(flatten)]
    texts: BTreeMap<String, String>,
    concepts: String,
    /// The concepts of the style's category (and its ancestors) and of its colour families:
    /// searched before `concepts`, so a style filed as slacks ranks above one whose title
    /// merely says so, and `白` finds ivory too (as tantivy's category boost and colour-family
    /// term).
    filed: String,
    /// Style code and wholesaler name, Hangul and romanised (as tantivy's `names` field).
    names: String,
    category_path: Vec<String>,
    colours: Vec<String>,
    colour_families: Vec<String>,
    sizes: Vec<String>,
    price_krw: i64,
    price_bucket: &'static str,
    moq: u32,
    same_day: bool,
    stock: &'static str,
    wholesaler_id: i64,
    created_at: i64,
    /// 1 with a ready photo, 0 without: the first ranking rule, so styles without a photo
    /// come after every style with one (as tantivy sorts them).
    has_photo: u8,
    /// `m_length` … → every size's value in mm (measure-range filters).
    #[serde(flatten)]
    measures: BTreeMap<String, Vec<u32>>,
    /// The hit's display (see [`HitDisplay`]), as JSON: retrieved, never searched (the
    /// searchable attributes are listed one by one).
    display: String,
}

#[derive(Deserialize)]
struct HitDoc {
    style_id: i64,
    #[serde(default)]
    display: Option<String>,
}

const FACETS: [&str; 5] = [
    "category_path",
    "colour_families",
    "sizes",
    "price_bucket",
    "same_day",
];

fn build_settings(concepts: &ConceptIndex) -> Settings {
    let mut searchable: Vec<String> = Vec::new();
    // Descriptions are shown, not searched (as in tantivy): their words in seven languages were
    // 37% of Meilisearch's indexing time (100,000 styles: 101 s → 64 s without them), for no
    // change on the judged set; a buyer's words are in the titles and attributes.
    for kind in ["title", "concepts", "attrs"] {
        if kind == "concepts" {
            searchable.push("filed".into());
            searchable.push("concepts".into());
            searchable.push("names".into());
            continue;
        }
        // Attributes are searched as the wholesaler wrote them (Korean) and in English only. A
        // query word the glossary knows reaches Meilisearch as a concept key, which attribute
        // text never holds, so these fields only serve words outside the glossary. Segmenting
        // the Japanese, Chinese, Thai and Vietnamese attribute lines was ~40% of Meilisearch's
        // indexing (100,000 styles: 65.5–72.2 s → 41.8–41.9 s), for judged set 0.993 → 0.989.
        let locales: &[Locale] = if kind == "attrs" {
            &[Locale::Ko, Locale::En]
        } else {
            &Locale::ALL
        };
        for &locale in locales {
            searchable.push(format!("{kind}_{}", suffix(locale)));
        }
    }
    // Filters and facet counts only: no facet search (DDHub never searches facet values), whose
    // index Meilisearch would otherwise build for every string facet at each indexing batch.
    let filterable_as = |patterns: &[&str], comparison: bool| {
        FilterableAttribute::Settings(FilterableAttributesSettings {
            attribute_patterns: patterns.iter().map(|p| p.to_string()).collect(),
            features: FilterFeatures {
                facet_search: false,
                filter: FilterFeatureModes {
                    equality: true,
                    comparison,
                },
            },
        })
    };
    let filterable = vec![
        filterable_as(
            &[
                "category_path",
                "colours",
                "colour_families",
                "sizes",
                "price_bucket",
                "same_day",
                "stock",
                "wholesaler_id",
            ],
            false,
        ),
        filterable_as(&["price_krw", "moq", "m_*"], true),
    ];
    // Queries reach Meilisearch with each concept already read by DDHub (see `query_text`):
    // a key per set of concepts a query can name, standing for any of them. Buyers' words
    // never meet the server's segmenter this way (an official build segments Japanese with a
    // dictionary, another without: `ダウン` must mean the same on both).
    let synonyms: HashMap<String, Vec<String>> = concepts
        .query_concept_sets()
        .into_iter()
        .map(|set| {
            let tokens = set.iter().map(|id| concept_token(id)).collect();
            (group_token(&set), tokens)
        })
        .collect();
    let mut localized: Vec<LocalizedAttributes> = Vec::new();
    for locale in [Locale::Ko, Locale::En, Locale::Ja, Locale::Vi, Locale::Th] {
        localized.push(LocalizedAttributes {
            locales: vec![meili_language(locale).into()],
            attribute_patterns: vec![format!("*_{}", suffix(locale))],
        });
    }
    localized.push(LocalizedAttributes {
        locales: vec!["cmn".into()],
        attribute_patterns: vec!["*_zh_cn".into(), "*_zh_tw".into()],
    });
    Settings::new()
        .with_searchable_attributes(searchable)
        .with_filterable_attributes_advanced(filterable)
        // In the order the server answers with (it keeps them sorted), so a start compares equal.
        .with_sortable_attributes(["created_at", "price_krw"])
        .with_ranking_rules([
            "has_photo:desc",
            "words",
            "typo",
            "proximity",
            "attribute",
            "sort",
            "exactness",
        ])
        .with_synonyms(synonyms)
        .with_typo_tolerance(TypoToleranceSettings {
            enabled: Some(true),
            disable_on_attributes: Some(vec!["concepts".into(), "filed".into()]),
            disable_on_words: Some(known_words(concepts)),
            min_word_size_for_typos: Some(MinWordSizeForTypos {
                one_typo: Some(5),
                two_typos: Some(9),
            }),
            disable_on_numbers: None,
        })
        .with_pagination(PaginationSetting {
            max_total_hits: MAX_WINDOW as usize,
        })
        .with_faceting(FacetingSettings {
            max_values_per_facet: 1_000,
            sort_facet_values_by: None,
        })
        .with_localized_attributes(localized)
        // Word pairs by attribute rather than by distance: titles are a few words, so ranking
        // hardly moves (judged set nDCG@10 0.910 → 0.908), while indexing the distance of
        // every pair in 28 localized attributes was about half of Meilisearch's indexing time
        // (100,000 styles: 164 s → 88 s with facet search off too, on 2 cores).
        .with_proximity_precision("byAttribute")
}

/// Latin glossary words, spelt right by definition: no typo expansion on them, as in tantivy.
fn known_words(concepts: &ConceptIndex) -> Vec<String> {
    let mut words: Vec<String> = concepts
        .surfaces()
        .map(|(s, _)| s)
        .filter(|s| !s.contains(' ') && s.chars().all(|c| c.is_alphabetic() && (c as u32) < 0x250))
        .map(str::to_string)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// Languages of the scripts in a query, so Meilisearch segments it right (`locales`).
fn query_languages(text: &str, locale: Locale) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    let mut add = |l: &'static str| {
        if !out.contains(&l) {
            out.push(l);
        }
    };
    for c in text.chars() {
        match c as u32 {
            0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => add("kor"),
            0x3040..=0x30FF | 0x31F0..=0x31FF => add("jpn"),
            0x0E00..=0x0E7F => add("tha"),
            0x4E00..=0x9FFF | 0x3400..=0x4DBF => {
                add(if locale == Locale::Ja { "jpn" } else { "cmn" })
            }
            _ if c.is_ascii_alphabetic() => add(if locale == Locale::Vi { "vie" } else { "eng" }),
            _ => {}
        }
    }
    out
}

/// The query text Meilisearch gets for a normalised query, read as tantivy reads it
/// ([`ConceptIndex::query_parts`]): each span naming concepts, and each kana, hanzi or Hangul
/// word that reads as a typo of one (`カーデガン`), becomes its concept set's [`group_token`]; other
/// words stay as typed (names, style codes; Meilisearch's own typo tolerance covers them). A
/// word only partly named by concepts (`미소니트`, a wholesaler's name holding `니트`) stays
/// whole as typed: tantivy looks its pieces up in the names too, which one Meilisearch query
/// cannot. Every word is required, except a colour next to other words: colours go last and
/// the strategy drops them last-first, so `黒 スラックス` shows the black slacks first, then
/// the other slacks (a buyer asked for slacks), as tantivy ranks them.
fn query_text(concepts: &ConceptIndex, norm: &str) -> (String, MatchingStrategies) {
    // The whitespace-separated word around a byte position.
    let word_at = |pos: usize| -> (usize, usize) {
        let start = norm[..pos].rfind(' ').map_or(0, |i| i + 1);
        let end = norm[pos..].find(' ').map_or(norm.len(), |i| pos + i);
        (start, end)
    };
    // Latin words are left to Meilisearch's own typo tolerance, as tantivy leaves them to its
    // fuzzy terms: read as a typo of a glossary word, a romanised wholesaler name (`haideu`)
    // became another word (`saideu`).
    let parts = concepts.query_parts(norm);
    let partly_named: std::collections::HashSet<(usize, usize)> = parts
        .iter()
        .filter_map(|p| match p {
            QueryPart::Word { start, end, .. } => {
                let word = word_at(*start);
                (word != (*start, *end)).then_some(word)
            }
            QueryPart::Concepts { .. } => None,
        })
        .collect();
    let mut kept_whole = std::collections::HashSet::new();
    let mut words: Vec<String> = Vec::new();
    let mut colours: Vec<String> = Vec::new();
    // The buyer's own text of each garment concept, which ranks (see below).
    let mut surfaces: Vec<&str> = Vec::new();
    for part in parts {
        let at = match &part {
            QueryPart::Concepts { span, .. } => span.start,
            QueryPart::Word { start, .. } => *start,
        };
        let word = word_at(at);
        if partly_named.contains(&word) {
            if kept_whole.insert(word) {
                words.push(norm[word.0..word.1].to_string());
            }
            continue;
        }
        match part {
            QueryPart::Concepts { span, colour } => {
                let token = group_token(&span.concepts);
                if colour {
                    colours.push(token);
                } else {
                    words.push(token);
                    surfaces.push(&norm[span.start..span.end]);
                }
            }
            QueryPart::Word { fuzzy: Some(m), .. } => words.push(group_token(&m.concepts)),
            QueryPart::Word { start, end, .. } => words.push(norm[start..end].to_string()),
        }
    }
    // One garment concept alone: its text follows the key and is dropped first, so the styles
    // whose text has the buyer's word come first (`jacket` names blousons too; the jackets
    // lead), as tantivy ranks its text under a required concept. With more words every one
    // stays required.
    if words.len() == 1 && colours.is_empty() && surfaces.len() == 1 {
        let text = format!("{} {}", words[0], surfaces[0]);
        return (text, MatchingStrategies::LAST);
    }
    // One Latin word that may be a typo of a glossary word (`sweatr`): the word stays required
    // (it may be a name: `haideu` is a wholesaler, not `saideu`), and the concept it may mean
    // ranks the styles that have it first.
    if let [word] = words.as_slice()
        && colours.is_empty()
        && surfaces.is_empty()
        && let Some(m) = concepts.fuzzy(word, true)
    {
        let text = format!("{word} {}", group_token(&m.concepts));
        return (text, MatchingStrategies::LAST);
    }
    let strategy = if words.is_empty() || colours.is_empty() {
        MatchingStrategies::ALL
    } else {
        MatchingStrategies::LAST
    };
    words.extend(colours);
    (words.join(" "), strategy)
}

fn quote_list(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

impl MeiliIndex {
    /// Connects, creates the index when missing and applies the settings (skipped when the
    /// server already has them), with the built-in glossary's synonyms.
    pub async fn connect(config: MeiliConfig) -> Result<MeiliIndex, SearchError> {
        Self::connect_with(config, crate::tantivy_index::builtin_concepts()?).await
    }

    pub async fn connect_with(
        config: MeiliConfig,
        concepts: Arc<ConceptIndex>,
    ) -> Result<MeiliIndex, SearchError> {
        let client = Client::new(config.url.clone(), config.api_key.clone())?;
        let settings = Arc::new(build_settings(&concepts));
        let me = MeiliIndex {
            client,
            config,
            state: Arc::new(std::sync::RwLock::new((concepts, settings))),
            staging: Arc::new(tokio::sync::Mutex::new(None)),
        };
        me.ensure_index(&me.config.index_uid).await?;
        Ok(me)
    }

    fn concepts(&self) -> Arc<ConceptIndex> {
        match self.state.read() {
            Ok(s) => s.0.clone(),
            Err(poisoned) => poisoned.into_inner().0.clone(),
        }
    }

    fn settings(&self) -> Arc<Settings> {
        match self.state.read() {
            Ok(s) => s.1.clone(),
            Err(poisoned) => poisoned.into_inner().1.clone(),
        }
    }

    /// Uses other concepts (the operator's glossary overrides): synonyms and typo settings are
    /// rebuilt from them and sent to the server.
    pub async fn replace_concepts(&self, concepts: Arc<ConceptIndex>) -> Result<(), SearchError> {
        let settings = Arc::new(build_settings(&concepts));
        match self.state.write() {
            Ok(mut s) => *s = (concepts, settings),
            Err(poisoned) => *poisoned.into_inner() = (concepts, settings),
        }
        self.ensure_index(&self.config.index_uid).await
    }

    fn index(&self) -> Index {
        self.client.index(&self.config.index_uid)
    }

    /// The index a rebuild fills before it is swapped in.
    fn staging_uid(&self) -> String {
        format!("{}__rebuild", self.config.index_uid)
    }

    /// Deletes the staging index a failed rebuild may have left, then creates it afresh with
    /// the settings.
    async fn fresh_staging(&self) -> Result<(), SearchError> {
        let uid = self.staging_uid();
        match self.client.index(&uid).delete().await {
            // The deletion is a task that fails when there is no such index (the usual case).
            Ok(task) => match self.wait(task, self.config.task_timeout).await {
                Ok(()) | Err(SearchError::MeilisearchTask { .. }) => {}
                Err(e) => return Err(e),
            },
            Err(MeiliError::Meilisearch(e)) if e.error_code == ErrorCode::IndexNotFound => {}
            Err(e) => return Err(e.into()),
        }
        self.ensure_index(&uid).await
    }

    /// Queues `docs` on `index` in upload-sized requests without waiting for them.
    async fn enqueue(
        &self,
        index: &Index,
        docs: &[ListingDoc],
    ) -> Result<Vec<TaskInfo>, SearchError> {
        let mut tasks = Vec::new();
        for chunk in docs.chunks(self.config.batch_size.max(1)) {
            let batch: Vec<MeiliDoc> = chunk.iter().map(|d| self.to_meili(d)).collect();
            tasks.push(index.add_or_replace(&batch, Some("style_id")).await?);
        }
        Ok(tasks)
    }

    /// Swaps the filled staging index in and drops the old content.
    async fn swap_in_staging(&self) -> Result<(), SearchError> {
        let tmp_uid = self.staging_uid();
        let swap = SwapIndexes {
            indexes: (self.config.index_uid.clone(), tmp_uid.clone()),
            rename: None,
        };
        let task = self.client.swap_indexes([&swap]).await?;
        self.wait(task, self.config.task_timeout).await?;
        let task = self.client.index(&tmp_uid).delete().await?;
        self.wait(task, self.config.task_timeout).await
    }

    async fn wait(&self, task: TaskInfo, timeout: Duration) -> Result<(), SearchError> {
        let uid = task.task_uid;
        let done = task
            .wait_for_completion(&self.client, Some(Duration::from_millis(25)), Some(timeout))
            .await?;
        match done {
            Task::Failed { content } => Err(SearchError::MeilisearchTask {
                task_uid: uid,
                message: content.error.error_message,
            }),
            _ => Ok(()),
        }
    }

    /// Creates `uid` when missing and brings its settings up to date.
    async fn ensure_index(&self, uid: &str) -> Result<(), SearchError> {
        let created = self.client.create_index(uid, Some("style_id")).await?;
        match self.wait(created, self.config.task_timeout).await {
            Ok(()) => {}
            Err(SearchError::MeilisearchTask { message, .. })
                if message.contains("already exists") => {}
            Err(e) => return Err(e),
        }
        let index = self.client.index(uid);
        let current = index.get_settings().await?;
        let settings = self.settings();
        if !settings_match(&current, &settings) {
            let task = index.set_settings(&settings).await?;
            self.wait(task, self.config.bulk_task_timeout).await?;
        }
        Ok(())
    }

    fn to_meili(&self, d: &ListingDoc) -> MeiliDoc {
        let mut texts = BTreeMap::new();
        for locale in Locale::ALL {
            let s = suffix(locale);
            texts.insert(format!("title_{s}"), d.title.get(locale).to_string());
            texts.insert(format!("attrs_{s}"), d.attribute_text(locale));
        }
        let concepts: Vec<String> = self
            .concepts()
            .doc_concepts(d)
            .iter()
            .map(|c| concept_token(c))
            .collect();
        let colour_families = if d.colour_families.is_empty() {
            ListingDoc::colour_families_of(&d.colours)
        } else {
            d.colour_families.clone()
        };
        let mut filed: Vec<String> = self
            .concepts()
            .category_concepts(d)
            .iter()
            .map(|c| concept_token(c))
            .collect();
        filed.extend(colour_families.iter().map(|f| concept_token(f)));
        MeiliDoc {
            style_id: d.style_id,
            style_code: d.style_code.clone(),
            texts,
            concepts: concepts.join(" "),
            filed: filed.join(" "),
            names: crate::tantivy_index::names_text(d),
            category_path: d.effective_category_path(),
            colours: d.colours.clone(),
            colour_families,
            sizes: d.sizes.clone(),
            price_krw: d.price_krw,
            price_bucket: price_bucket_key(d.price_krw),
            moq: d.moq,
            same_day: d.same_day,
            stock: d.stock.as_str(),
            wholesaler_id: d.wholesaler.id,
            display: d.stored_display(),
            created_at: d.created_at,
            has_photo: u8::from(d.thumbnail_url.is_some()),
            measures: {
                let mut m: BTreeMap<String, Vec<u32>> = BTreeMap::new();
                for size in &d.measurements {
                    for (k, mm) in size.present() {
                        m.entry(format!("m_{}", k.key())).or_default().push(mm);
                    }
                }
                m
            },
        }
    }

    async fn upload(
        &self,
        index: &Index,
        docs: &[ListingDoc],
        timeout: Duration,
    ) -> Result<(), SearchError> {
        for task in self.enqueue(index, docs).await? {
            self.wait(task, timeout).await?;
        }
        Ok(())
    }

    /// Deletes the whole index (tests and decommissioning).
    pub async fn delete_index(&self) -> Result<(), SearchError> {
        let task = self.index().delete().await?;
        self.wait(task, self.config.task_timeout).await
    }

    fn filter(&self, q: &SearchQuery) -> Vec<String> {
        let mut f = Vec::new();
        if let Some(c) = &q.category {
            f.push(format!("category_path = \"{c}\""));
        }
        for (attr, values) in [
            ("colour_families", &q.colour_families),
            ("colours", &q.colours),
            ("sizes", &q.sizes),
        ] {
            if !values.is_empty() {
                f.push(format!("{attr} IN {}", quote_list(values)));
            }
        }
        if let Some(v) = q.price_min_krw {
            f.push(format!("price_krw >= {v}"));
        }
        if let Some(v) = q.price_max_krw {
            f.push(format!("price_krw <= {v}"));
        }
        if let Some(v) = q.moq_max {
            f.push(format!("moq <= {v}"));
        }
        // One condition per range, so a style matches when one size's value lies in it.
        for r in &q.measures {
            let attr = format!("m_{}", r.measure.key());
            match (r.min_mm, r.max_mm) {
                (Some(lo), Some(hi)) => f.push(format!("{attr} {lo} TO {hi}")),
                (Some(lo), None) => f.push(format!("{attr} >= {lo}")),
                (None, Some(hi)) => f.push(format!("{attr} <= {hi}")),
                (None, None) => {}
            }
        }
        if let Some(v) = q.same_day {
            f.push(format!("same_day = {v}"));
        }
        if let Some(v) = q.wholesaler {
            f.push(format!("wholesaler_id = {v}"));
        }
        if !q.include_unavailable {
            f.push("stock IN [\"in_stock\", \"backorder\"]".into());
        }
        f
    }
}

/// Whether the server's settings already hold every setting we apply (compared as JSON).
/// What a search sends, owned, so the SDK's borrowed request can be built from it.
struct RequestParts {
    text: Option<String>,
    strategy: MatchingStrategies,
    filters: Vec<String>,
    languages: Vec<&'static str>,
    sort: &'static [&'static str],
    page: usize,
    per_page: usize,
}

impl RequestParts {
    fn build<'a>(
        &'a self,
        index: &'a Index,
    ) -> meilisearch_sdk::search::SearchQuery<'a, meilisearch_sdk::DefaultHttpClient> {
        let mut search = index.search();
        search
            .with_page(self.page)
            .with_hits_per_page(self.per_page)
            .with_facets(Selectors::Some(&FACETS))
            .with_attributes_to_retrieve(Selectors::Some(&["style_id", "display"]))
            .with_matching_strategy(self.strategy.clone())
            .with_show_ranking_score(true);
        if let Some(t) = self.text.as_deref() {
            search.with_query(t);
        }
        if !self.languages.is_empty() {
            search.with_locales(&self.languages);
        }
        if !self.sort.is_empty() {
            search.with_sort(self.sort);
        }
        if !self.filters.is_empty() {
            search.with_array_filter(self.filters.iter().map(String::as_str).collect());
        }
        search.build()
    }
}

impl MeiliIndex {
    fn request_parts(&self, q: &SearchQuery) -> Result<RequestParts, SearchError> {
        q.validate()?;
        let norm = q.normalized_text()?.map(|t| normalize(&t));
        let (text, strategy) = match norm {
            Some(norm) => {
                let (text, strategy) = query_text(&self.concepts(), &norm);
                (Some(text), strategy)
            }
            None => (None, MatchingStrategies::ALL),
        };
        // Of the text as sent: concept keys are Latin, whatever the buyer typed.
        let languages = text
            .as_deref()
            .map(|t| query_languages(t, q.locale))
            .unwrap_or_default();
        let sort: &'static [&'static str] = match q.sort {
            Sort::Relevance if text.is_some() => &[],
            Sort::Relevance | Sort::Newest => &["created_at:desc"],
            Sort::PriceAsc => &["price_krw:asc"],
            Sort::PriceDesc => &["price_krw:desc"],
        };
        Ok(RequestParts {
            filters: self.filter(q),
            text,
            strategy,
            languages,
            sort,
            page: q.page as usize,
            per_page: q.per_page as usize,
        })
    }

    /// The body DDHub posts to `/indexes/{uid}/search` for `q`: the benchmark sends it to
    /// Meilisearch directly, to compare the engine without DDHub's hop.
    pub fn search_request(&self, q: &SearchQuery) -> Result<serde_json::Value, SearchError> {
        let parts = self.request_parts(q)?;
        let index = self.index();
        serde_json::to_value(parts.build(&index)).map_err(|e| SearchError::Other(e.to_string()))
    }

    /// The search endpoint of the index (`{url}/indexes/{uid}/search`).
    pub fn search_url(&self) -> String {
        format!(
            "{}/indexes/{}/search",
            self.config.url.trim_end_matches('/'),
            self.config.index_uid
        )
    }
}

fn settings_match(current: &Settings, wanted: &Settings) -> bool {
    let (Ok(cur), Ok(want)) = (serde_json::to_value(current), serde_json::to_value(wanted)) else {
        return false;
    };
    let mismatch = first_mismatch(&cur, &want, "");
    if let Some(path) = &mismatch {
        tracing::info!(setting = %path, "Meilisearch settings differ: sending them");
    }
    mismatch.is_none()
}

/// The setting whose words the server keeps normalised.
const DISABLE_ON_WORDS: &str = ".typoTolerance.disableOnWords";

/// Where the server's settings differ from what DDHub wants, if anywhere. What DDHub leaves
/// unset (`null`, at any depth) is the server's to choose: Meilisearch answers with its
/// defaults there (`sortFacetValuesBy: {"*": "alpha"}`), and comparing only the top level
/// made every start send the settings again (8 s of indexing work on 100,000 styles).
/// `typoTolerance.disableOnWords` is kept by the server normalised (`balô` → `balo`, and
/// two words that fold alike kept once), so it is compared as a set of folded words.
fn first_mismatch(
    current: &serde_json::Value,
    wanted: &serde_json::Value,
    path: &str,
) -> Option<String> {
    use serde_json::Value;
    match (current, wanted) {
        (_, Value::Null) => None,
        (Value::Array(cur), Value::Array(want)) if path == DISABLE_ON_WORDS => {
            (folded_words(cur) != folded_words(want)).then(|| path.to_string())
        }
        (Value::Object(cur), Value::Object(want)) => want.iter().find_map(|(k, w)| {
            let at = format!("{path}.{k}");
            match cur.get(k) {
                Some(c) => first_mismatch(c, w, &at),
                None if w.is_null() => None,
                None => Some(at),
            }
        }),
        (Value::Array(cur), Value::Array(want)) => {
            if cur.len() != want.len() {
                return Some(path.to_string());
            }
            cur.iter()
                .zip(want)
                .enumerate()
                .find_map(|(i, (c, w))| first_mismatch(c, w, &format!("{path}[{i}]")))
        }
        (c, w) => (c != w).then(|| path.to_string()),
    }
}

/// Words as a set, lowercased, in compatibility form (half-width kana as full-width) and
/// without Latin diacritics (Vietnamese `đ` as `d`, which has no decomposition). It only
/// decides whether the server's list can be the one DDHub sends: a word that differs by more
/// than that (a kana's voicing mark included) still counts as a change.
fn folded_words(words: &[serde_json::Value]) -> std::collections::BTreeSet<String> {
    use unicode_normalization::UnicodeNormalization;
    words
        .iter()
        .filter_map(|w| w.as_str())
        .map(|w| {
            w.nfkd()
                .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
                .nfc()
                .flat_map(char::to_lowercase)
                .map(|c| if c == 'đ' { 'd' } else { c })
                .collect()
        })
        .collect()
}

#[async_trait]
impl SearchIndex for MeiliIndex {
    fn backend(&self) -> &'static str {
        "meilisearch"
    }

    async fn set_concepts(&self, concepts: Arc<ConceptIndex>) -> Result<(), SearchError> {
        self.replace_concepts(concepts).await
    }

    async fn upsert(&self, docs: &[ListingDoc]) -> Result<(), SearchError> {
        if docs.is_empty() {
            return Ok(());
        }
        // A change during a rebuild goes to the staging index too (after the batches queued
        // before it), or the swap would put back what the rebuild read earlier.
        if let Some(pending) = self.staging.lock().await.as_mut() {
            let tmp = self.client.index(self.staging_uid());
            pending.extend(self.enqueue(&tmp, docs).await?);
        }
        self.upload(&self.index(), docs, self.config.task_timeout)
            .await
    }

    async fn delete(&self, style_ids: &[i64]) -> Result<(), SearchError> {
        if style_ids.is_empty() {
            return Ok(());
        }
        if let Some(pending) = self.staging.lock().await.as_mut() {
            let tmp = self.client.index(self.staging_uid());
            pending.push_back(tmp.delete_documents(style_ids).await?);
        }
        let task = self.index().delete_documents(style_ids).await?;
        self.wait(task, self.config.task_timeout).await
    }

    /// Batches go to a staging index without waiting (Meilisearch merges queued additions
    /// into one indexing batch); searches see the old content until [`Self::finish_rebuild`]
    /// swaps it in.
    async fn rebuild_batch(&self, docs: &[ListingDoc], first: bool) -> Result<(), SearchError> {
        let mut staging = self.staging.lock().await;
        if first || staging.is_none() {
            self.fresh_staging().await?;
            *staging = Some(Default::default());
        }
        let tmp = self.client.index(self.staging_uid());
        let queued = self.enqueue(&tmp, docs).await?;
        let Some(pending) = staging.as_mut() else {
            return Ok(());
        };
        pending.extend(queued);
        while pending.len() > STAGED_TASKS_IN_FLIGHT {
            let Some(oldest) = pending.pop_front() else {
                break;
            };
            if let Err(e) = self.wait(oldest, self.config.bulk_task_timeout).await {
                *staging = None;
                return Err(e);
            }
        }
        Ok(())
    }

    async fn finish_rebuild(&self) -> Result<(), SearchError> {
        let mut staging = self.staging.lock().await;
        let Some(pending) = staging.take() else {
            return Ok(());
        };
        for task in pending {
            self.wait(task, self.config.bulk_task_timeout).await?;
        }
        self.swap_in_staging().await
    }

    async fn search(&self, q: &SearchQuery) -> Result<SearchResult, SearchError> {
        let started = Instant::now();
        let parts = self.request_parts(q)?;
        let index = self.index();
        let search = parts.build(&index);
        let text = parts.text.as_ref();
        let res = index.execute_query::<HitDoc>(&search).await?;
        let with_score = q.sort == Sort::Relevance && text.is_some();
        let hits = res
            .hits
            .iter()
            .map(|h| Hit {
                style_id: h.result.style_id,
                display: h
                    .result
                    .display
                    .as_deref()
                    .and_then(|json| HitDisplay::from_stored(json, q.locale)),
                score: if with_score {
                    h.ranking_score.unwrap_or(0.0) as f32
                } else {
                    0.0
                },
            })
            .collect();
        let dist = res.facet_distribution.unwrap_or_default();
        let to_map = |name: &str| -> BTreeMap<String, u64> {
            dist.get(name)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), *v as u64)).collect())
                .unwrap_or_default()
        };
        let buckets = to_map("price_bucket");
        let mut counts = [0u64; 6];
        for (i, (key, _, _)) in PRICE_BUCKETS.iter().enumerate() {
            counts[i] = buckets.get(*key).copied().unwrap_or(0);
        }
        let same_day = to_map("same_day");
        Ok(SearchResult {
            total: res.total_hits.unwrap_or(res.hits.len()) as u64,
            hits,
            facets: Facets {
                category: to_map("category_path"),
                colour: to_map("colour_families"),
                size: to_map("sizes"),
                price: Facets::price_from_counts(counts),
                same_day: SameDayFacet {
                    yes: same_day.get("true").copied().unwrap_or(0),
                    no: same_day.get("false").copied().unwrap_or(0),
                },
            },
            took_ms: started.elapsed().as_millis() as u64,
        })
    }

    /// Loads into a fresh `<uid>__rebuild` index and swaps it in: searches see the old content
    /// until the new one is complete.
    async fn rebuild(&self, docs: Vec<ListingDoc>) -> Result<(), SearchError> {
        self.rebuild_batch(&docs, true).await?;
        self.finish_rebuild().await
    }

    async fn clear(&self) -> Result<(), SearchError> {
        let task = self.index().delete_all_documents().await?;
        self.wait(task, self.config.bulk_task_timeout).await
    }

    async fn health(&self) -> Health {
        match self.client.health().await {
            Ok(h) => Health {
                backend: "meilisearch".into(),
                ok: h.status == "available",
                detail: format!(
                    "{} at {}: {}",
                    self.config.index_uid, self.config.url, h.status
                ),
            },
            Err(e) => Health {
                backend: "meilisearch".into(),
                ok: false,
                detail: e.to_string(),
            },
        }
    }

    async fn doc_count(&self) -> Result<u64, SearchError> {
        Ok(self.index().get_stats().await?.number_of_documents as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_left_unset_are_the_servers_to_choose() {
        let server = json!({
            "faceting": {"maxValuesPerFacet": 1000, "sortFacetValuesBy": {"*": "alpha"}},
            "rankingRules": ["words", "typo"],
            "proximityPrecision": "byAttribute",
        });
        let same = json!({
            "faceting": {"maxValuesPerFacet": 1000, "sortFacetValuesBy": null},
            "rankingRules": ["words", "typo"],
            "dictionary": null,
        });
        assert_eq!(first_mismatch(&server, &same, ""), None);
        let other_value = json!({"faceting": {"maxValuesPerFacet": 100}});
        assert_eq!(
            first_mismatch(&server, &other_value, "").as_deref(),
            Some(".faceting.maxValuesPerFacet")
        );
        let other_order = json!({"rankingRules": ["typo", "words"]});
        assert_eq!(
            first_mismatch(&server, &other_order, "").as_deref(),
            Some(".rankingRules[0]")
        );
        let missing = json!({"synonyms": {"a": ["b"]}});
        assert_eq!(
            first_mismatch(&server, &missing, "").as_deref(),
            Some(".synonyms")
        );
    }

    #[test]
    fn queries_reach_the_server_as_concept_keys() {
        let concepts = crate::tantivy_index::builtin_concepts().expect("glossary");
        let key = |q: &str| {
            let norm = normalize(q);
            let parts = concepts.query_parts(&norm);
            match parts.first() {
                Some(QueryPart::Concepts { span, .. }) => group_token(&span.concepts),
                Some(QueryPart::Word { fuzzy: Some(m), .. }) => group_token(&m.concepts),
                other => panic!("{q}: no concept read: {other:?}"),
            }
        };
        // Every key a query can send is in the synonym table the server gets.
        let settings = serde_json::to_value(build_settings(&concepts)).expect("settings");
        let synonyms = settings["synonyms"].as_object().expect("synonyms");
        for q in ["ダウン", "カーデガン", "黒", "スラックス", "开衫", "cardi"] {
            assert!(
                synonyms.contains_key(&key(q)),
                "{q}: key not in the synonyms"
            );
        }
        // The same garment in any script, with or without a typo, is one key.
        assert_eq!(key("カーデガン"), key("cardigan"));
        // A garment alone is required by its key; the buyer's word after it ranks.
        let (text, strategy) = query_text(&concepts, &normalize("ダウン"));
        assert_eq!(text, format!("{} ダウン", key("ダウン")));
        assert!(matches!(strategy, MatchingStrategies::LAST));
        // Latin words are Meilisearch's to correct, as tantivy's fuzzy terms do.
        // A Latin word that may be a typo of one stays required; the concept only ranks.
        let (text, strategy) = query_text(&concepts, &normalize("sweatr"));
        assert_eq!(text, format!("sweatr {}", key("sweater")));
        assert!(matches!(strategy, MatchingStrategies::LAST));
        // A colour next to a garment ranks: it goes last, and is dropped first.
        let (text, strategy) = query_text(&concepts, &normalize("黒 スラックス"));
        assert_eq!(text, format!("{} {}", key("スラックス"), key("黒")));
        assert!(matches!(strategy, MatchingStrategies::LAST));
        // A colour alone, or a name or style code, is required as typed.
        let (_, strategy) = query_text(&concepts, &normalize("黒"));
        assert!(matches!(strategy, MatchingStrategies::ALL));
        let (text, _) = query_text(&concepts, &normalize("KN-2041"));
        assert_eq!(text, normalize("KN-2041"));
        // A name holding a garment word stays whole; a garment word glued to a colour does not.
        let (text, _) = query_text(&concepts, &normalize("미소니트"));
        assert_eq!(text, "미소니트");
        let (text, _) = query_text(&concepts, &normalize("黒カーディガン"));
        assert_eq!(text, format!("{} {}", key("カーディガン"), key("黒")));
    }

    #[test]
    fn words_kept_folded_by_the_server_are_the_words_sent() {
        let server = json!({"typoTolerance": {"disableOnWords": ["balo", "dam", "ｶｰﾃﾞｨｶﾞﾝ"]}});
        let sent =
            json!({"typoTolerance": {"disableOnWords": ["Balô", "đầm", "dam", "カーディガン"]}});
        assert_eq!(first_mismatch(&server, &sent, ""), None);
        let another = json!({"typoTolerance": {"disableOnWords": ["balo", "dam", "áo"]}});
        let voiced = json!({"typoTolerance": {"disableOnWords": ["balo", "dam", "カーティカン"]}});
        assert!(first_mismatch(&server, &voiced, "").is_some());
        assert_eq!(
            first_mismatch(&server, &another, "").as_deref(),
            Some(".typoTolerance.disableOnWords")
        );
    }
}
