//! DDHub categories → Google product categories (and the partner's own ids), with the
//! shipped default mapping `locales/feeds/google_categories.tsv`.

use crate::settings::FeedSettings;
use ddhub_domain::catalog;
use std::collections::HashMap;
use std::sync::LazyLock;

const GOOGLE_TSV: &str = include_str!("../../../locales/feeds/google_categories.tsv");

/// A category of Google's product taxonomy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GoogleCategory {
    pub id: u32,
    /// English path, `Apparel & Accessories > Clothing > Shirts & Tops`.
    pub path: &'static str,
}

/// Rows of the TSV that parse; the crate's tests check that every row parses and every DDHub
/// category has one, so nothing is lost here in a correct build.
static DEFAULTS: LazyLock<HashMap<&'static str, GoogleCategory>> = LazyLock::new(|| {
    GOOGLE_TSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut cells = line.split('\t');
            let code = cells.next()?.trim();
            let id = cells.next()?.trim().parse().ok()?;
            let path = cells.next()?.trim();
            (!code.is_empty() && !path.is_empty()).then_some((code, GoogleCategory { id, path }))
        })
        .collect()
});

/// Every row of the default mapping as (DDHub code, Google category), for checks and admin UIs.
pub fn default_google_mapping() -> impl Iterator<Item = (&'static str, GoogleCategory)> {
    DEFAULTS.iter().map(|(k, v)| (*k, *v))
}

/// Number of data lines in the shipped TSV (parsed or not), for the completeness test.
pub fn default_google_mapping_lines() -> usize {
    GOOGLE_TSV
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count()
}

/// The category and its ancestors, most specific first. Codes are paths (`tops/knit/cardigan`),
/// so a code the vocabulary does not know still falls back through its path prefixes.
pub fn lineage(code: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(code), |c| {
        catalog::categories()
            .get(c)
            .and_then(|cat| cat.parent)
            .or_else(|| c.rsplit_once('/').map(|(p, _)| p))
    })
}

/// Google's category for a DDHub category by the shipped mapping, nearest mapped ancestor first.
pub fn default_google_category(code: &str) -> Option<GoogleCategory> {
    lineage(code).find_map(|c| DEFAULTS.get(c).copied())
}

/// Where a style's category lands for one partner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryResolution {
    /// `g:google_product_category`: an id (`"212"`) or a path, as the partner's map gives it.
    pub google: Option<String>,
    pub partner: Option<String>,
}

impl CategoryResolution {
    /// The partner's own mapping wins at the nearest mapped ancestor; only when no ancestor has a
    /// Google category there does the shipped default mapping answer.
    pub fn resolve(settings: &FeedSettings, code: &str) -> CategoryResolution {
        let map = &settings.category_map;
        let partner =
            lineage(code).find_map(|c| map.get(c).and_then(|t| t.partner_category.clone()));
        let google = lineage(code)
            .find_map(|c| map.get(c).and_then(|t| t.google_category.clone()))
            .or_else(|| default_google_category(code).map(|g| g.id.to_string()));
        CategoryResolution { google, partner }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::CategoryTarget;

    #[test]
    fn every_category_has_a_default_and_every_row_parses() {
        assert_eq!(DEFAULTS.len(), default_google_mapping_lines());
        for c in catalog::categories().all() {
            assert!(
                DEFAULTS.contains_key(c.code),
                "{} has no Google category",
                c.code
            );
        }
        for (code, _) in default_google_mapping() {
            assert!(
                catalog::categories().get(code).is_some(),
                "{code} is not a category"
            );
        }
    }

    #[test]
    fn nearest_ancestor_wins() {
        assert_eq!(
            default_google_category("skirts/mini").map(|g| g.id),
            Some(2331)
        );
        assert_eq!(
            default_google_category("skirts/unknown/deeper").map(|g| g.id),
            Some(1581)
        );
        let mut s = FeedSettings::default();
        s.category_map.insert(
            "tops/knit".into(),
            CategoryTarget {
                partner_category: Some("K-01".into()),
                google_category: Some("5322".into()),
            },
        );
        let r = CategoryResolution::resolve(&s, "tops/knit/cardigan");
        assert_eq!(r.partner.as_deref(), Some("K-01"));
        assert_eq!(r.google.as_deref(), Some("5322"));
        let r = CategoryResolution::resolve(&s, "tops/blouse");
        assert_eq!(r.partner, None);
        assert_eq!(r.google.as_deref(), Some("212"));
    }
}
