//! Structured attributes (colours, sizes, composition, origin, season, fit, MOQ, same-day
//! dispatch) rendered per locale from closed-vocabulary labels and the templates in
//! `locales/templates/{locale}.tsv` — never from machine translation.

use crate::glossary::{Glossary, Role};
use ddhub_domain::Locale;
use ddhub_domain::style::CompositionPart;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Which closed vocabulary a code belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeKind {
    Category,
    Colour,
    Size,
    Material,
    Origin,
    Season,
    /// Fits have no codes: the Korean glossary term (`루즈핏`) is the key.
    Fit,
}

/// Labels of vocabulary codes per locale. Implemented by the glossary (its `code` column), by
/// [`VocabLabels`] (the ingestion vocabularies' TSV files), and by anything the caller has.
pub trait AttributeLabels {
    fn label(&self, kind: AttributeKind, code: &str, locale: Locale) -> Option<String>;
}

impl AttributeLabels for Glossary {
    fn label(&self, kind: AttributeKind, code: &str, locale: Locale) -> Option<String> {
        let role = match kind {
            AttributeKind::Category => Role::CategoryNoun,
            AttributeKind::Colour => Role::Colour,
            AttributeKind::Size => Role::Size,
            AttributeKind::Material => Role::Material,
            AttributeKind::Origin => Role::Origin,
            AttributeKind::Season => Role::Season,
            AttributeKind::Fit => return self.lookup(code).map(|t| t.head(locale).to_string()),
        };
        self.by_code(role, code).map(|t| t.head(locale).to_string())
    }
}

impl<T: AttributeLabels + ?Sized> AttributeLabels for &T {
    fn label(&self, kind: AttributeKind, code: &str, locale: Locale) -> Option<String> {
        (**self).label(kind, code, locale)
    }
}

/// Labels read from vocabulary TSV files with a `code` column and one column per locale tag
/// (`ko`, `en`, `ja`, `zh-CN`, `zh-TW`, `vi`, `th`), as `locales/vocab/*.tsv` on the ingest side.
#[derive(Clone, Debug, Default)]
pub struct VocabLabels {
    labels: HashMap<(AttributeKind, String, Locale), String>,
}

impl VocabLabels {
    pub fn new() -> Self {
        VocabLabels::default()
    }

    /// Adds one vocabulary file. Rows without a code are skipped; unknown columns are ignored.
    pub fn add_tsv(&mut self, kind: AttributeKind, tsv: &str) -> Result<(), csv::Error> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b'\t')
            .quoting(false)
            .flexible(true)
            .from_reader(tsv.as_bytes());
        let headers = reader.headers()?.clone();
        let code_col = headers.iter().position(|h| h == "code");
        let locale_cols: Vec<(usize, Locale)> = headers
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                Locale::ALL
                    .into_iter()
                    .find(|l| l.tag() == h)
                    .map(|l| (i, l))
            })
            .collect();
        let Some(code_col) = code_col else {
            return Ok(());
        };
        for record in reader.records() {
            let record = record?;
            let Some(code) = record.get(code_col).filter(|c| !c.is_empty()) else {
                continue;
            };
            for (i, l) in &locale_cols {
                if let Some(label) = record.get(*i).filter(|s| !s.is_empty()) {
                    self.labels
                        .insert((kind, code.to_ascii_lowercase(), *l), label.to_string());
                }
            }
        }
        Ok(())
    }

    pub fn insert(&mut self, kind: AttributeKind, code: &str, locale: Locale, label: &str) {
        self.labels
            .insert((kind, code.to_ascii_lowercase(), locale), label.to_string());
    }
}

impl AttributeLabels for VocabLabels {
    fn label(&self, kind: AttributeKind, code: &str, locale: Locale) -> Option<String> {
        self.labels
            .get(&(kind, code.to_ascii_lowercase(), locale))
            .cloned()
    }
}

/// The first source that knows a label wins (`vocab` first, then the glossary).
#[derive(Clone, Copy, Debug)]
pub struct FirstOf<A, B>(pub A, pub B);

impl<A: AttributeLabels, B: AttributeLabels> AttributeLabels for FirstOf<A, B> {
    fn label(&self, kind: AttributeKind, code: &str, locale: Locale) -> Option<String> {
        self.0
            .label(kind, code, locale)
            .or_else(|| self.1.label(kind, code, locale))
    }
}

/// What a style says about itself, in codes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StyleAttributes {
    pub category: Option<String>,
    pub colours: Vec<String>,
    pub sizes: Vec<String>,
    pub composition: Vec<CompositionPart>,
    pub origin: Option<String>,
    pub season: Option<String>,
    /// Korean fit term (`루즈핏`), when the title or sheet gives one.
    pub fit: Option<String>,
    pub moq: u32,
    pub same_day_dispatch: bool,
}

/// The per-locale templates shipped in `locales/templates/`.
#[derive(Clone, Debug)]
pub struct Templates {
    by_locale: HashMap<Locale, HashMap<String, String>>,
}

const SHIPPED_TEMPLATES: [(Locale, &str); 7] = [
    (
        Locale::Ko,
        include_str!("../../../locales/templates/ko.tsv"),
    ),
    (
        Locale::En,
        include_str!("../../../locales/templates/en.tsv"),
    ),
    (
        Locale::Ja,
        include_str!("../../../locales/templates/ja.tsv"),
    ),
    (
        Locale::ZhCn,
        include_str!("../../../locales/templates/zh-CN.tsv"),
    ),
    (
        Locale::ZhTw,
        include_str!("../../../locales/templates/zh-TW.tsv"),
    ),
    (
        Locale::Vi,
        include_str!("../../../locales/templates/vi.tsv"),
    ),
    (
        Locale::Th,
        include_str!("../../../locales/templates/th.tsv"),
    ),
];

/// Keys every locale's template file must have.
pub const TEMPLATE_KEYS: [&str; 22] = [
    "line",
    "list_separator",
    "material_part",
    "label.colours",
    "label.sizes",
    "label.material",
    "label.origin",
    "label.season",
    "label.fit",
    "label.moq",
    "label.dispatch",
    "value.moq",
    "value.same_day",
    "desc.category",
    "desc.material",
    "desc.fit",
    "desc.colours",
    "desc.sizes",
    "desc.origin",
    "desc.season",
    "desc.moq",
    "desc.same_day",
];

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("templates for {locale}: {source}")]
    Csv {
        locale: Locale,
        #[source]
        source: csv::Error,
    },
    #[error("templates for {locale} lack {key:?}")]
    Missing { locale: Locale, key: String },
}

impl Templates {
    pub fn builtin() -> Result<Templates, TemplateError> {
        let mut by_locale = HashMap::new();
        for (locale, text) in SHIPPED_TEMPLATES {
            let rows: Vec<(String, String)> = csv::ReaderBuilder::new()
                .delimiter(b'\t')
                .quoting(false)
                .from_reader(text.as_bytes())
                .deserialize()
                .collect::<Result<_, _>>()
                .map_err(|source| TemplateError::Csv { locale, source })?;
            let map: HashMap<String, String> = rows.into_iter().collect();
            if let Some(key) = TEMPLATE_KEYS.iter().find(|k| !map.contains_key(**k)) {
                return Err(TemplateError::Missing {
                    locale,
                    key: key.to_string(),
                });
            }
            by_locale.insert(locale, map);
        }
        Ok(Templates { by_locale })
    }

    fn get(&self, locale: Locale, key: &str) -> &str {
        self.by_locale
            .get(&locale)
            .and_then(|m| m.get(key))
            .map_or("", String::as_str)
    }
}

/// `{name}` substitution. Hand-written: the templates need nothing a template engine adds.
fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in vars {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The attribute values of a style in one locale, keyed like the templates (`colours`, `moq` …);
/// a code without a label falls back to the code itself, never to machine translation.
fn values(
    attrs: &StyleAttributes,
    labels: &dyn AttributeLabels,
    t: &Templates,
    locale: Locale,
) -> Vec<(&'static str, String)> {
    let sep = t.get(locale, "list_separator");
    let label = |kind, code: &str| {
        labels
            .label(kind, code, locale)
            .unwrap_or_else(|| code.to_string())
    };
    let list = |kind, codes: &[String]| {
        codes
            .iter()
            .map(|c| label(kind, c))
            .collect::<Vec<_>>()
            .join(sep)
    };
    let mut v = Vec::new();
    if !attrs.colours.is_empty() {
        v.push(("colours", list(AttributeKind::Colour, &attrs.colours)));
    }
    if !attrs.sizes.is_empty() {
        v.push(("sizes", list(AttributeKind::Size, &attrs.sizes)));
    }
    if !attrs.composition.is_empty() {
        let parts: Vec<String> = attrs
            .composition
            .iter()
            .map(|p| {
                fill(
                    t.get(locale, "material_part"),
                    &[
                        ("material", &label(AttributeKind::Material, &p.material)),
                        ("percent", &p.percent.to_string()),
                    ],
                )
            })
            .collect();
        v.push(("material", parts.join(sep)));
    }
    if let Some(fit) = &attrs.fit {
        v.push(("fit", label(AttributeKind::Fit, fit)));
    }
    if let Some(origin) = &attrs.origin {
        v.push(("origin", label(AttributeKind::Origin, origin)));
    }
    if let Some(season) = &attrs.season {
        v.push(("season", label(AttributeKind::Season, season)));
    }
    if attrs.moq > 0 {
        v.push(("moq", attrs.moq.to_string()));
    }
    if attrs.same_day_dispatch {
        v.push(("same_day", String::new()));
    }
    v
}

/// One `label: value` line per attribute the style has, in the locale's wording.
pub fn render_attributes(
    attrs: &StyleAttributes,
    labels: &dyn AttributeLabels,
    templates: &Templates,
    locale: Locale,
) -> String {
    let mut lines = Vec::new();
    for (key, value) in values(attrs, labels, templates, locale) {
        let (label_key, value) = match key {
            "moq" => (
                "label.moq",
                fill(templates.get(locale, "value.moq"), &[("moq", &value)]),
            ),
            "same_day" => (
                "label.dispatch",
                templates.get(locale, "value.same_day").to_string(),
            ),
            "colours" => ("label.colours", value),
            "sizes" => ("label.sizes", value),
            "material" => ("label.material", value),
            "fit" => ("label.fit", value),
            "origin" => ("label.origin", value),
            _ => ("label.season", value),
        };
        lines.push(fill(
            templates.get(locale, "line"),
            &[
                ("label", templates.get(locale, label_key)),
                ("value", &value),
            ],
        ));
    }
    lines.join("\n")
}

/// A short description built from the attributes alone, one sentence per attribute present.
pub fn render_description(
    attrs: &StyleAttributes,
    labels: &dyn AttributeLabels,
    templates: &Templates,
    locale: Locale,
) -> String {
    let mut sentences = Vec::new();
    if let Some(category) = &attrs.category {
        let name = labels
            .label(AttributeKind::Category, category, locale)
            .unwrap_or_else(|| category.clone());
        let name = if matches!(locale, Locale::En | Locale::Vi) {
            capitalise(&name)
        } else {
            name
        };
        sentences.push(fill(
            templates.get(locale, "desc.category"),
            &[("category", &name)],
        ));
    }
    for (key, value) in values(attrs, labels, templates, locale) {
        let value = if key == "fit" && matches!(locale, Locale::En) {
            capitalise(&value)
        } else {
            value
        };
        sentences.push(fill(
            templates.get(locale, &format!("desc.{key}")),
            &[(key, &value)],
        ));
    }
    let joiner = match locale {
        Locale::Ja | Locale::ZhCn | Locale::ZhTw => "",
        Locale::Th => "\n",
        _ => " ",
    };
    sentences.join(joiner)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
