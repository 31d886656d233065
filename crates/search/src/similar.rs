//! Similar styles: candidates from the index (same category, close price, same colours when
//! there are enough), ordered for a buyer comparing offers: other wholesalers first, then the
//! styles sharing a colour, then the closest price.

use crate::query::{Hit, SearchQuery, Sort};
use ddhub_domain::Locale;

/// The style others are compared with.
#[derive(Clone, Debug)]
pub struct SimilarTo {
    pub style_id: i64,
    pub wholesaler_id: i64,
    pub category: String,
    pub price_krw: i64,
    pub colour_families: Vec<String>,
}

/// Candidates fetched per query.
pub const CANDIDATES: u32 = 48;

impl SimilarTo {
    /// The candidate queries, narrowest first: same category, colour family and a price within
    /// −40 %/+60 %; then without the colour; then the parent category at any price.
    pub fn queries(&self, locale: Locale) -> Vec<SearchQuery> {
        let base = SearchQuery {
            locale,
            category: Some(self.category.clone()),
            price_min_krw: Some(self.price_krw * 6 / 10),
            price_max_krw: Some(self.price_krw * 16 / 10),
            sort: Sort::Newest,
            per_page: CANDIDATES,
            ..SearchQuery::default()
        };
        let mut out = Vec::new();
        if !self.colour_families.is_empty() {
            out.push(SearchQuery {
                colour_families: self.colour_families.clone(),
                ..base.clone()
            });
        }
        out.push(base.clone());
        if let Some(parent) = ddhub_domain::catalog::categories()
            .get(&self.category)
            .and_then(|c| c.parent)
        {
            out.push(SearchQuery {
                category: Some(parent.to_string()),
                price_min_krw: None,
                price_max_krw: None,
                ..base
            });
        }
        out
    }

    /// Up to `limit` hits of the candidate answers (in the order of [`Self::queries`]), the
    /// style itself left out, each once: other wholesalers first, then earlier (narrower)
    /// queries, then the closest price.
    pub fn rank(&self, answers: Vec<Vec<Hit>>, limit: usize) -> Vec<Hit> {
        let mut seen = std::collections::HashSet::new();
        let mut scored: Vec<(bool, usize, i64, Hit)> = Vec::new();
        for (tier, hits) in answers.into_iter().enumerate() {
            for hit in hits {
                if hit.style_id == self.style_id || !seen.insert(hit.style_id) {
                    continue;
                }
                let (same_shop, price) = hit.display.as_ref().map_or((false, i64::MAX), |d| {
                    (
                        d.wholesaler.id == self.wholesaler_id,
                        (d.price_krw - self.price_krw).abs(),
                    )
                });
                scored.push((same_shop, tier, price, hit));
            }
        }
        scored.sort_by_key(|(same, tier, price, h)| (*same, *tier, *price, h.style_id));
        scored.into_iter().take(limit).map(|s| s.3).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{HitDisplay, WholesalerRef};

    fn hit(id: i64, shop: i64, price: i64) -> Hit {
        Hit {
            style_id: id,
            score: 0.0,
            display: Some(HitDisplay {
                style_code: format!("S{id}"),
                title: String::new(),
                price_krw: price,
                thumbnail_url: None,
                wholesaler: WholesalerRef {
                    id: shop,
                    ..WholesalerRef::default()
                },
            }),
        }
    }

    #[test]
    fn other_wholesalers_then_colour_then_price() {
        let me = SimilarTo {
            style_id: 1,
            wholesaler_id: 7,
            category: "tops/knit/cardigan".into(),
            price_krw: 20_000,
            colour_families: vec!["black".into()],
        };
        let queries = me.queries(Locale::En);
        assert_eq!(queries.len(), 3);
        assert_eq!(queries[0].colour_families, ["black"]);
        assert_eq!(queries[2].category.as_deref(), Some("tops/knit"));
        let got = me.rank(
            vec![
                vec![hit(1, 7, 20_000), hit(2, 7, 20_000), hit(3, 8, 26_000)],
                vec![hit(3, 8, 26_000), hit(4, 9, 21_000)],
            ],
            10,
        );
        let ids: Vec<i64> = got.iter().map(|h| h.style_id).collect();
        assert_eq!(ids, [3, 4, 2]);
    }
}
