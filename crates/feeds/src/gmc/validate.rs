//! Checks Google Merchant Center items against the apparel requirements, reading the XML that was
//! actually written (quick-xml's reader), so a writer bug cannot hide behind the item structs.
//! Exported for the server's tests as well as this crate's.

use super::GOOGLE_NS;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashSet;
use std::fmt;
use std::io::BufRead;

/// One `<item>` as read back: attribute names without the `g:` prefix, in document order.
/// Children of `g:shipping` appear as `shipping.country`, `shipping.service`, `shipping.price`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GmcItem {
    pub fields: Vec<(String, String)>,
}

impl GmcItem {
    /// The first value of an attribute.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of an attribute, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The document is not a well-formed GMC RSS feed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidateError {
    #[error("XML is not well-formed at byte {position}: {message}")]
    Xml { position: u64, message: String },
    #[error("not a Google Merchant RSS feed: {0}")]
    Structure(String),
}

/// What is wrong with one attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    Missing,
    TooLong {
        max: usize,
        len: usize,
    },
    TooMany {
        max: usize,
    },
    /// The value does not have the expected form (named).
    BadFormat(&'static str),
    NotAllowed(String),
    /// A single-valued attribute appears more than once.
    Duplicate,
}

/// One failed requirement of an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub attribute: String,
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ProblemKind::Missing => write!(f, "{}: missing", self.attribute),
            ProblemKind::TooLong { max, len } => {
                write!(f, "{}: {len} characters, at most {max}", self.attribute)
            }
            ProblemKind::TooMany { max } => write!(f, "{}: more than {max}", self.attribute),
            ProblemKind::BadFormat(want) => write!(f, "{}: expected {want}", self.attribute),
            ProblemKind::NotAllowed(v) => write!(f, "{}: {v:?} is not allowed", self.attribute),
            ProblemKind::Duplicate => write!(f, "{}: given more than once", self.attribute),
        }
    }
}

/// The items of a feed that failed, with their problems.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemFailure {
    /// `g:id`, or `#<n>` (1-based position) when the id is missing.
    pub id: String,
    pub problems: Vec<Problem>,
}

/// The outcome of validating a whole feed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedReport {
    pub items: u64,
    pub failures: Vec<ItemFailure>,
    /// Ids given to more than one item.
    pub duplicate_ids: Vec<String>,
}

impl FeedReport {
    pub fn is_ok(&self) -> bool {
        self.failures.is_empty() && self.duplicate_ids.is_empty()
    }
}

/// Values Google accepts.
pub const AVAILABILITY: [&str; 4] = ["in_stock", "out_of_stock", "preorder", "backorder"];
pub const CONDITION: [&str; 3] = ["new", "refurbished", "used"];
pub const GENDER: [&str; 3] = ["male", "female", "unisex"];
pub const AGE_GROUP: [&str; 5] = ["newborn", "infant", "toddler", "kids", "adult"];
pub const SIZE_SYSTEM: [&str; 11] = [
    "US", "UK", "EU", "DE", "FR", "JP", "CN", "IT", "BR", "MEX", "AU",
];
pub const IDENTIFIER_EXISTS: [&str; 4] = ["yes", "no", "true", "false"];

/// Attributes that may appear more than once.
const REPEATABLE: [&str; 5] = [
    "additional_image_link",
    "shipping.country",
    "shipping.service",
    "shipping.price",
    "shipping.region",
];

/// Checks one item against Google's apparel requirements. An empty list means it passes.
pub fn validate_item(item: &GmcItem) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut p = |attribute: &str, kind: ProblemKind| {
        problems.push(Problem {
            attribute: attribute.to_string(),
            kind,
        })
    };
    let value = |name: &str| item.get(name).map(str::trim).filter(|v| !v.is_empty());

    let mut seen = HashSet::new();
    for (k, _) in &item.fields {
        if !REPEATABLE.contains(&k.as_str()) && !seen.insert(k.as_str()) {
            p(k, ProblemKind::Duplicate);
        }
    }

    for name in [
        "id",
        "title",
        "description",
        "link",
        "image_link",
        "availability",
        "price",
        "condition",
        "brand",
        "google_product_category",
        "color",
        "size",
        "gender",
        "age_group",
        "item_group_id",
    ] {
        if value(name).is_none() {
            p(name, ProblemKind::Missing);
        }
    }
    let no_identifiers = matches!(value("identifier_exists"), Some("no" | "false"));
    if value("gtin").is_none() && value("mpn").is_none() && !no_identifiers {
        p("mpn", ProblemKind::Missing);
    }

    for (name, max) in [
        ("id", 50),
        ("item_group_id", 50),
        ("title", 150),
        ("description", 5000),
        ("brand", 70),
        ("mpn", 70),
        ("color", 100),
        ("size", 100),
        ("material", 200),
        ("product_type", 750),
        ("link", 2000),
        ("image_link", 2000),
    ] {
        if let Some(v) = item.get(name) {
            let len = v.chars().count();
            if len > max {
                p(name, ProblemKind::TooLong { max, len });
            }
        }
    }

    for name in ["price", "sale_price", "shipping.price"] {
        for v in item.all(name) {
            if !v.trim().is_empty() && !is_price(v) {
                p(name, ProblemKind::BadFormat("a price like `15.00 USD`"));
            }
        }
    }
    for name in ["link", "image_link", "additional_image_link"] {
        for v in item.all(name) {
            if !v.trim().is_empty() && !is_http_url(v) {
                p(name, ProblemKind::BadFormat("an http(s) URL"));
            }
        }
    }
    if item.all("additional_image_link").count() > 10 {
        p("additional_image_link", ProblemKind::TooMany { max: 10 });
    }
    if let Some(c) = value("color")
        && c.split('/').count() > 3
    {
        p("color", ProblemKind::TooMany { max: 3 });
    }
    if let Some(m) = value("material")
        && m.split('/').count() > 3
    {
        p("material", ProblemKind::TooMany { max: 3 });
    }
    if let Some(g) = value("google_product_category")
        && !(g.bytes().all(|b| b.is_ascii_digit()) || g.starts_with(char::is_uppercase))
    {
        p(
            "google_product_category",
            ProblemKind::BadFormat("a category id or path"),
        );
    }

    for (name, allowed) in [
        ("availability", &AVAILABILITY[..]),
        ("condition", &CONDITION[..]),
        ("gender", &GENDER[..]),
        ("age_group", &AGE_GROUP[..]),
        ("size_system", &SIZE_SYSTEM[..]),
        ("identifier_exists", &IDENTIFIER_EXISTS[..]),
    ] {
        if let Some(v) = value(name)
            && !allowed.contains(&v)
        {
            p(name, ProblemKind::NotAllowed(v.to_string()));
        }
    }
    if matches!(value("availability"), Some("preorder" | "backorder")) {
        match value("availability_date") {
            None => p("availability_date", ProblemKind::Missing),
            Some(d) if !is_iso_date(d) => p(
                "availability_date",
                ProblemKind::BadFormat("an ISO 8601 date"),
            ),
            Some(_) => {}
        }
    }
    let countries = item.all("shipping.country").count();
    if countries != item.all("shipping.price").count() {
        p(
            "shipping",
            ProblemKind::BadFormat("country and price in every entry"),
        );
    }
    for c in item.all("shipping.country") {
        if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            p(
                "shipping.country",
                ProblemKind::BadFormat("an ISO 3166-1 alpha-2 code"),
            );
        }
    }
    problems
}

/// `\d+(\.\d+)? [A-Z]{3}`.
fn is_price(v: &str) -> bool {
    let Some((amount, currency)) = v.split_once(' ') else {
        return false;
    };
    let (int, frac) = match amount.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (amount, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(int)
        && frac.is_none_or(digits)
        && currency.len() == 3
        && currency.bytes().all(|b| b.is_ascii_uppercase())
}

fn is_http_url(v: &str) -> bool {
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    match rest {
        Some(r) => {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !v.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// `YYYY-MM-DD` optionally followed by a time.
fn is_iso_date(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// Characters XML 1.0 §2.2 does not allow in a document at all.
fn xml_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

fn name_of(e: &BytesStart<'_>) -> String {
    e.name().as_ref().to_string()
}

/// Reads a GMC RSS feed and calls `f` for each item, in constant memory. Checks well-formedness,
/// the `rss`/`channel` structure and the `g:` namespace binding; attributes inside an item must
/// be in the `g:` namespace (RSS's own `title`, `link`, `description` are accepted too, as
/// Google does). Returns the number of items.
pub fn for_each_item<R: BufRead>(
    input: R,
    mut f: impl FnMut(GmcItem),
) -> Result<u64, ValidateError> {
    let mut reader = Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut item: Option<GmcItem> = None;
    let mut text = String::new();
    let mut count = 0u64;
    let mut saw_rss = false;
    let mut saw_channel = false;
    let xml_err = |reader: &Reader<R>, message: String| ValidateError::Xml {
        position: reader.buffer_position(),
        message,
    };
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_err(&reader, e.to_string()))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = name_of(e);
                let empty = matches!(event, Event::Empty(_));
                match path.len() {
                    0 => {
                        if name != "rss" {
                            return Err(ValidateError::Structure(format!(
                                "root element is <{name}>, expected <rss>"
                            )));
                        }
                        let attr = |n: &str| {
                            e.try_get_attribute(n)
                                .ok()
                                .flatten()
                                .map(|a| a.value.into_owned())
                        };
                        if attr("version").as_deref() != Some("2.0") {
                            return Err(ValidateError::Structure("rss version must be 2.0".into()));
                        }
                        if attr("xmlns:g").as_deref() != Some(GOOGLE_NS) {
                            return Err(ValidateError::Structure(format!(
                                "xmlns:g must be {GOOGLE_NS}"
                            )));
                        }
                        saw_rss = true;
                    }
                    1 => {
                        if name != "channel" {
                            return Err(ValidateError::Structure(format!(
                                "<{name}> directly in <rss>"
                            )));
                        }
                        saw_channel = true;
                    }
                    2 if name == "item" => item = Some(GmcItem::default()),
                    3 if item.is_some() => {
                        let attr = name.strip_prefix("g:").or(
                            if matches!(name.as_str(), "title" | "link" | "description") {
                                Some(name.as_str())
                            } else {
                                None
                            },
                        );
                        if attr.is_none() {
                            return Err(ValidateError::Structure(format!(
                                "<{name}> in an item is not a g: attribute"
                            )));
                        }
                        text.clear();
                    }
                    4 if item.is_some()
                        && path.get(3).map(String::as_str) == Some("g:shipping") =>
                    {
                        if !name.starts_with("g:") {
                            return Err(ValidateError::Structure(format!(
                                "<{name}> in g:shipping is not a g: attribute"
                            )));
                        }
                        text.clear();
                    }
                    n if n >= 3 && item.is_some() => {
                        return Err(ValidateError::Structure(format!(
                            "<{name}> nested too deep in an item"
                        )));
                    }
                    _ => {}
                }
                if empty {
                    end_element(&mut path, &name, &mut item, &mut text, &mut count, &mut f);
                } else {
                    path.push(name);
                }
            }
            Event::End(e) => {
                let name = e.name().as_ref().to_string();
                path.pop();
                end_element(&mut path, &name, &mut item, &mut text, &mut count, &mut f);
            }
            Event::Text(t) => {
                let s = t.xml10_content();
                if let Some(c) = s.chars().find(|c| xml_forbidden(*c)) {
                    return Err(xml_err(
                        &reader,
                        format!("character U+{:04X} is not allowed", u32::from(c)),
                    ));
                }
                text.push_str(&s);
            }
            Event::CData(t) => {
                let s = t.xml10_content();
                if let Some(c) = s.chars().find(|c| xml_forbidden(*c)) {
                    return Err(xml_err(
                        &reader,
                        format!("character U+{:04X} is not allowed", u32::from(c)),
                    ));
                }
                text.push_str(&s);
            }
            Event::GeneralRef(r) => {
                let resolved = r
                    .resolve_char_ref()
                    .map_err(|e| xml_err(&reader, e.to_string()))?;
                match resolved {
                    Some(c) if xml_forbidden(c) => {
                        return Err(xml_err(
                            &reader,
                            format!("&#{}; is not allowed", u32::from(c)),
                        ));
                    }
                    Some(c) => text.push(c),
                    None => match quick_xml::escape::resolve_xml_entity(&r) {
                        Some(s) => text.push_str(s),
                        None => {
                            return Err(xml_err(&reader, format!("unknown entity &{};", &*r)));
                        }
                    },
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
        buf.clear();
    }
    if !path.is_empty() {
        return Err(ValidateError::Xml {
            position: reader.buffer_position(),
            message: format!("unclosed <{}>", path.join("> <")),
        });
    }
    if !saw_rss || !saw_channel {
        return Err(ValidateError::Structure("no <rss><channel>".into()));
    }
    Ok(count)
}

fn end_element(
    path: &mut [String],
    name: &str,
    item: &mut Option<GmcItem>,
    text: &mut String,
    count: &mut u64,
    f: &mut impl FnMut(GmcItem),
) {
    match path.len() {
        2 if name == "item" => {
            if let Some(done) = item.take() {
                *count += 1;
                f(done);
            }
        }
        3 => {
            if let Some(it) = item.as_mut()
                && name != "g:shipping"
            {
                let key = name.strip_prefix("g:").unwrap_or(name);
                it.fields.push((key.to_string(), std::mem::take(text)));
            }
        }
        4 => {
            if let Some(it) = item.as_mut() {
                let key = name.strip_prefix("g:").unwrap_or(name);
                it.fields
                    .push((format!("shipping.{key}"), std::mem::take(text)));
            }
        }
        _ => text.clear(),
    }
}

/// Every item of a feed, read back.
pub fn parse_items<R: BufRead>(input: R) -> Result<Vec<GmcItem>, ValidateError> {
    let mut items = Vec::new();
    for_each_item(input, |i| items.push(i))?;
    Ok(items)
}

/// Reads a whole feed and validates every item, plus id uniqueness across items.
pub fn validate_feed<R: BufRead>(input: R) -> Result<FeedReport, ValidateError> {
    let mut report = FeedReport::default();
    let mut ids = HashSet::new();
    let mut position = 0u64;
    report.items = for_each_item(input, |item| {
        position += 1;
        let problems = validate_item(&item);
        let id = item.get("id").map(str::to_string);
        if let Some(id) = &id
            && !ids.insert(id.clone())
        {
            report.duplicate_ids.push(id.clone());
        }
        if !problems.is_empty() {
            report.failures.push(ItemFailure {
                id: id.unwrap_or_else(|| format!("#{position}")),
                problems,
            });
        }
    })?;
    Ok(report)
}
