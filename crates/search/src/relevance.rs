//! Relevance harness: a judged query set on the generated catalog, nDCG@10 and zero-result
//! rate per backend. Judgements come from what the generator made (category, colours), never
//! from an engine's answers.

use crate::doc::ListingDoc;
use crate::query::{SearchQuery, Sort};
use crate::{SearchError, SearchIndex};
use ddhub_domain::Locale;
use std::collections::{BTreeMap, HashMap};

/// The shipped judged query set (`relevance/queries.tsv`).
pub const SHIPPED_QUERIES: &str = include_str!("../relevance/queries.tsv");
/// The catalog the shipped judgements are for: `sample::catalog(CATALOG_SIZE, CATALOG_SEED)`.
pub const CATALOG_SIZE: usize = 1_500;
pub const CATALOG_SEED: u64 = 20_261_127;

/// One judged query: relevant style codes with grades (2 = exactly what was asked for,
/// 1 = the right kind of garment, wrong colour).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judgement {
    pub id: String,
    pub locale: Locale,
    pub query: String,
    pub relevant: BTreeMap<String, u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum RelevanceError {
    #[error("queries.tsv line {line}: {problem}")]
    Parse { line: usize, problem: String },
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// A search intent: categories (subtrees) and optionally a colour family, with the words a
/// buyer types for it per locale.
pub struct Intent {
    pub id: &'static str,
    pub categories: &'static [&'static str],
    pub colour_family: Option<&'static str>,
    pub queries: &'static [(Locale, &'static str)],
}

use Locale::{En, Ja, Ko, ZhCn, ZhTw};

/// The intents behind the shipped query set.
pub const INTENTS: &[Intent] = &[
    Intent {
        id: "cardigan",
        categories: &["tops/knit/cardigan"],
        colour_family: None,
        queries: &[
            (En, "cardigan"),
            (Ja, "カーディガン"),
            (ZhCn, "开衫"),
            (ZhTw, "開襟衫"),
            (Ko, "가디건"),
            (En, "cardigna"),
            // As buyers type it: short and regional forms, the other Chinese script,
            // romanised Korean, kana typos and hiragana.
            (ZhTw, "開衫"),
            (ZhTw, "开襟衫"),
            (ZhCn, "開襟衫"),
            (Ja, "カーデ"),
            (Ja, "カーデガン"),
            (Ja, "カーディガソ"),
            (Ja, "かーでぃがん"),
            (En, "cardi"),
            (En, "gadigeon"),
        ],
    },
    Intent {
        id: "knit",
        categories: &["tops/knit", "dresses/knit"],
        colour_family: None,
        queries: &[
            (Ja, "ニット"),
            (Ja, "にっと"),
            (Ja, "ニト"),
            (ZhCn, "针织衫"),
            (ZhTw, "針織衫"),
            (ZhTw, "针织衫"),
            (Ko, "니트"),
            (En, "knitwear"),
        ],
    },
    Intent {
        id: "sweater",
        categories: &["tops/knit/pullover", "tops/knit/turtleneck"],
        colour_family: None,
        queries: &[
            (En, "sweater"),
            (En, "jumper"),
            (Ja, "セーター"),
            (ZhCn, "毛衣"),
            (ZhTw, "毛衣"),
            (Ko, "스웨터"),
            (En, "sweatr"),
        ],
    },
    Intent {
        id: "pants",
        categories: &["pants"],
        colour_family: None,
        queries: &[
            (En, "trousers"),
            (En, "pants"),
            (Ja, "パンツ"),
            (ZhCn, "裤子"),
            (ZhTw, "褲子"),
            (Ko, "바지"),
        ],
    },
    Intent {
        id: "slacks",
        categories: &["pants/slacks"],
        colour_family: None,
        queries: &[
            (En, "slacks"),
            (Ja, "スラックス"),
            (ZhCn, "西裤"),
            (ZhTw, "西裝褲"),
            (Ko, "슬랙스"),
        ],
    },
    Intent {
        id: "dress",
        categories: &["dresses"],
        colour_family: None,
        queries: &[
            (En, "dress"),
            (Ja, "ワンピース"),
            (ZhCn, "连衣裙"),
            (ZhTw, "洋裝"),
            (Ko, "원피스"),
        ],
    },
    Intent {
        id: "skirt",
        categories: &["skirts"],
        colour_family: None,
        queries: &[
            (En, "skirt"),
            (Ja, "スカート"),
            (ZhCn, "半身裙"),
            (ZhTw, "裙子"),
            (Ko, "스커트"),
        ],
    },
    Intent {
        id: "coat",
        categories: &["outerwear/coat"],
        colour_family: None,
        queries: &[
            (En, "coat"),
            (Ja, "コート"),
            (ZhCn, "大衣"),
            (ZhTw, "大衣"),
            (Ko, "코트"),
        ],
    },
    Intent {
        id: "jacket",
        categories: &["outerwear/jacket"],
        colour_family: None,
        queries: &[
            (En, "jacket"),
            (Ja, "ジャケット"),
            (ZhCn, "夹克"),
            (ZhTw, "夾克"),
            (Ko, "자켓"),
            (En, "jakcet"),
        ],
    },
    Intent {
        id: "hoodie",
        categories: &["tops/hoodie"],
        colour_family: None,
        queries: &[
            (En, "hoodie"),
            (Ja, "パーカー"),
            (ZhCn, "连帽卫衣"),
            (ZhTw, "連帽上衣"),
            (Ko, "후드티"),
        ],
    },
    Intent {
        id: "sweatshirt",
        categories: &["tops/sweatshirt"],
        colour_family: None,
        queries: &[
            (En, "sweatshirt"),
            (Ja, "トレーナー"),
            (ZhCn, "卫衣"),
            (ZhTw, "大學T"),
            (Ko, "맨투맨"),
        ],
    },
    Intent {
        id: "jeans",
        categories: &["pants/denim"],
        colour_family: None,
        queries: &[
            (En, "jeans"),
            (Ja, "デニムパンツ"),
            (ZhCn, "牛仔裤"),
            (ZhTw, "牛仔褲"),
            (Ko, "청바지"),
            (En, "cheongbaji"),
        ],
    },
    Intent {
        id: "blouse",
        categories: &["tops/blouse"],
        colour_family: None,
        queries: &[
            (En, "blouse"),
            (Ja, "ブラウス"),
            (ZhCn, "女衬衫"),
            (ZhTw, "女襯衫"),
            (Ko, "블라우스"),
            (En, "blouce"),
        ],
    },
    Intent {
        id: "puffer",
        categories: &["outerwear/padding"],
        colour_family: None,
        queries: &[
            (En, "puffer jacket"),
            (Ja, "ダウン"),
            (ZhCn, "羽绒服"),
            (ZhTw, "羽絨外套"),
            (Ko, "패딩"),
            (En, "puffer"),
            (En, "padding"),
            (Ja, "ダウンジャケット"),
            (ZhTw, "羽绒服"),
        ],
    },
    Intent {
        id: "tshirt",
        categories: &["tops/tshirt"],
        colour_family: None,
        queries: &[
            (En, "t-shirt"),
            (Ja, "Tシャツ"),
            (ZhCn, "T恤"),
            (ZhTw, "T恤"),
            (Ko, "티셔츠"),
            (En, "tee"),
        ],
    },
    Intent {
        id: "black_cardigan",
        categories: &["tops/knit/cardigan"],
        colour_family: Some("black"),
        queries: &[
            (En, "black cardigan"),
            (Ja, "ブラック カーディガン"),
            (ZhCn, "黑色开衫"),
            (ZhTw, "黑色 開襟衫"),
            (Ko, "블랙 가디건"),
            (Ja, "黒 カーディガン"),
            (Ja, "黒カーディガン"),
            (En, "black カーディガン"),
        ],
    },
    Intent {
        id: "beige_coat",
        categories: &["outerwear/coat"],
        colour_family: Some("beige"),
        queries: &[
            (En, "beige coat"),
            (Ja, "ベージュ コート"),
            (ZhCn, "米色大衣"),
            (ZhTw, "米色 大衣"),
            (Ko, "베이지 코트"),
        ],
    },
    Intent {
        id: "white_tshirt",
        categories: &["tops/tshirt"],
        colour_family: Some("white"),
        queries: &[
            (En, "white t-shirt"),
            (Ja, "ホワイト Tシャツ"),
            (ZhCn, "白色T恤"),
            (ZhTw, "白色 T恤"),
            (Ko, "화이트 티셔츠"),
            (Ja, "白 Tシャツ"),
            (ZhCn, "白T恤"),
        ],
    },
    Intent {
        id: "navy_slacks",
        categories: &["pants/slacks"],
        colour_family: Some("navy"),
        queries: &[
            (En, "navy slacks"),
            (Ja, "ネイビー スラックス"),
            (ZhCn, "藏青色西裤"),
            (ZhTw, "藏青色 西裝褲"),
            (Ko, "네이비 슬랙스"),
            (Ja, "紺 スラックス"),
        ],
    },
];

fn grade(doc: &ListingDoc, intent: &Intent) -> u8 {
    if !doc.stock.is_orderable() {
        return 0;
    }
    let path = doc.effective_category_path();
    if !intent
        .categories
        .iter()
        .any(|c| path.iter().any(|p| p == c))
    {
        return 0;
    }
    match intent.colour_family {
        None => 2,
        Some(f) if doc.colour_families.iter().any(|x| x == f) => 2,
        Some(_) => 1,
    }
}

/// Judgements for `intents` on a catalog, then the [`lookups`].
pub fn judge(catalog: &[ListingDoc], intents: &[Intent]) -> Vec<Judgement> {
    let mut out = Vec::new();
    for intent in intents {
        let relevant: BTreeMap<String, u8> = catalog
            .iter()
            .filter_map(|d| {
                let g = grade(d, intent);
                (g > 0).then(|| (d.style_code.clone(), g))
            })
            .collect();
        for (i, (locale, q)) in intent.queries.iter().enumerate() {
            out.push(Judgement {
                id: format!("{}_{}_{i}", intent.id, locale.tag()),
                locale: *locale,
                query: (*q).to_string(),
                relevant: relevant.clone(),
            });
        }
    }
    out.extend(lookups(catalog));
    out
}

/// Look-up judgements: a style by its code (as written, and glued as buyers type it), a
/// wholesaler by its name, and a wholesaler's shop by its romanised name. Picked at fixed
/// places of the catalog, so the same catalog always gives the same queries.
pub fn lookups(catalog: &[ListingDoc]) -> Vec<Judgement> {
    let mut out = Vec::new();
    let orderable: Vec<&ListingDoc> = catalog.iter().filter(|d| d.stock.is_orderable()).collect();
    for (i, at) in [7usize, 420, 1_100].into_iter().enumerate() {
        let Some(d) = orderable.get(at % orderable.len().max(1)) else {
            continue;
        };
        let relevant = BTreeMap::from([(d.style_code.clone(), 2)]);
        let glued: String = d
            .style_code
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase();
        for (j, (locale, q)) in [(Ko, d.style_code.clone()), (En, glued)]
            .into_iter()
            .enumerate()
        {
            out.push(Judgement {
                id: format!("style_code_{}_{}", 2 * i + j, locale.tag()),
                locale,
                query: q,
                relevant: relevant.clone(),
            });
        }
    }
    // Two wholesalers of different shops, from fixed places on.
    let mut shops: Vec<&ListingDoc> = Vec::new();
    for d in orderable.iter().skip(3) {
        let roman = ddhub_translate::romanize::romanize(&d.wholesaler.name);
        if shops.len() < 2
            && !shops
                .iter()
                .any(|s| ddhub_translate::romanize::romanize(&s.wholesaler.name) == roman)
        {
            shops.push(d);
        }
    }
    for (i, d) in shops.into_iter().enumerate() {
        let by = |same: &dyn Fn(&ListingDoc) -> bool| -> BTreeMap<String, u8> {
            orderable
                .iter()
                .filter(|x| same(x))
                .map(|x| (x.style_code.clone(), 2))
                .collect()
        };
        let name = d.wholesaler.name.clone();
        out.push(Judgement {
            id: format!("wholesaler_{i}_ko"),
            locale: Ko,
            query: name.clone(),
            relevant: by(&|x| x.wholesaler.id == d.wholesaler.id),
        });
        let roman = ddhub_translate::romanize::romanize(&name);
        out.push(Judgement {
            id: format!("wholesaler_roman_{i}_en"),
            locale: En,
            query: roman.clone(),
            relevant: by(&|x| ddhub_translate::romanize::romanize(&x.wholesaler.name) == roman),
        });
    }
    out
}

/// `id<TAB>locale<TAB>query<TAB>CODE:grade,CODE:grade,…`, with a header line.
pub fn to_tsv(judgements: &[Judgement]) -> String {
    let mut s = String::from("id\tlocale\tquery\trelevant\n");
    for j in judgements {
        let rel: Vec<String> = j.relevant.iter().map(|(c, g)| format!("{c}:{g}")).collect();
        s.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            j.id,
            j.locale.tag(),
            j.query,
            rel.join(",")
        ));
    }
    s
}

/// Reads [`to_tsv`]'s format.
pub fn parse_tsv(text: &str) -> Result<Vec<Judgement>, RelevanceError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let err = |problem: &str| RelevanceError::Parse {
            line: n + 1,
            problem: problem.to_string(),
        };
        let cols: Vec<&str> = line.split('\t').collect();
        let [id, locale, query, relevant] = cols[..] else {
            return Err(err("expected 4 tab-separated columns"));
        };
        let locale = Locale::from_tag(locale).ok_or_else(|| err("unknown locale"))?;
        let mut rel = BTreeMap::new();
        for item in relevant.split(',').filter(|s| !s.is_empty()) {
            let (code, g) = item
                .rsplit_once(':')
                .ok_or_else(|| err("expected CODE:grade"))?;
            let g: u8 = g.parse().map_err(|_| err("grade is not a number"))?;
            rel.insert(code.to_string(), g);
        }
        out.push(Judgement {
            id: id.to_string(),
            locale,
            query: query.to_string(),
            relevant: rel,
        });
    }
    Ok(out)
}

/// Judgements resolved to style ids for a catalog (hits carry ids, judgements carry codes).
#[derive(Clone, Debug)]
pub struct Judgements {
    pub items: Vec<Judgement>,
    ids: HashMap<String, i64>,
}

impl Judgements {
    pub fn new(items: Vec<Judgement>, catalog: &[ListingDoc]) -> Judgements {
        let ids = catalog
            .iter()
            .map(|d| (d.style_code.clone(), d.style_id))
            .collect();
        Judgements { items, ids }
    }
}

/// Figures of one backend on one judged set.
#[derive(Clone, Debug)]
pub struct Report {
    pub backend: String,
    pub queries: usize,
    /// Mean nDCG@10 (graded gain 2^g − 1).
    pub ndcg_at_10: f64,
    /// Share of queries with no result at all.
    pub zero_result_rate: f64,
    /// `(id, query, nDCG@10, total)` per query.
    pub per_query: Vec<(String, String, f64, u64)>,
}

fn dcg(grades: impl Iterator<Item = u8>) -> f64 {
    grades
        .take(10)
        .enumerate()
        .map(|(i, g)| (2f64.powi(i32::from(g)) - 1.0) / ((i + 2) as f64).log2())
        .sum()
}

/// Runs every judged query (relevance order, default filters, first page of 10).
pub async fn evaluate(
    index: &dyn SearchIndex,
    judgements: &Judgements,
) -> Result<Report, RelevanceError> {
    let mut per_query = Vec::new();
    let mut zero = 0usize;
    for j in &judgements.items {
        let q = SearchQuery {
            per_page: 10,
            sort: Sort::Relevance,
            ..SearchQuery::text(&j.query, j.locale)
        };
        let r = index.search(&q).await?;
        if r.total == 0 {
            zero += 1;
        }
        let by_id: HashMap<i64, u8> = j
            .relevant
            .iter()
            .filter_map(|(code, g)| judgements.ids.get(code).map(|id| (*id, *g)))
            .collect();
        let got = dcg(r
            .hits
            .iter()
            .map(|h| by_id.get(&h.style_id).copied().unwrap_or(0)));
        let mut ideal: Vec<u8> = j.relevant.values().copied().collect();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        let best = dcg(ideal.into_iter());
        let ndcg = if best > 0.0 { got / best } else { 0.0 };
        per_query.push((j.id.clone(), j.query.clone(), ndcg, r.total));
    }
    let n = per_query.len().max(1) as f64;
    Ok(Report {
        backend: index.backend().to_string(),
        queries: per_query.len(),
        ndcg_at_10: per_query.iter().map(|p| p.2).sum::<f64>() / n,
        zero_result_rate: zero as f64 / n,
        per_query,
    })
}
