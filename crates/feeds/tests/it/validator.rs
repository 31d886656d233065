//! The GMC validator on the sample catalog: every item passes; broken items fail for the right
//! reason, both as parsed items and as edited XML.

use crate::support::*;
use ddhub_feeds::FeedSettings;
use ddhub_feeds::gmc::{
    GmcItem, ProblemKind, ValidateError, parse_items, validate_feed, validate_item,
};

fn sample_xml() -> String {
    gmc_xml(&FeedSettings::default(), sample_catalog())
}

fn first_item() -> GmcItem {
    parse_items(sample_xml().as_bytes()).unwrap().remove(0)
}

fn with(item: &GmcItem, name: &str, value: Option<&str>) -> GmcItem {
    let mut out = item.clone();
    out.fields.retain(|(k, _)| k != name);
    if let Some(v) = value {
        out.fields.push((name.to_string(), v.to_string()));
    }
    out
}

fn kinds(item: &GmcItem, attribute: &str) -> Vec<ProblemKind> {
    validate_item(item)
        .into_iter()
        .filter(|p| p.attribute == attribute)
        .map(|p| p.kind)
        .collect()
}

#[test]
fn every_sample_item_passes_in_every_size_system_and_currency() {
    use ddhub_domain::{Currency, Locale, RoundingRule};
    use ddhub_feeds::FeedSizeSystem::*;
    for (size_system, currency, locale) in [
        (Us, Currency::Usd, Locale::En),
        (Jp, Currency::Jpy, Locale::Ja),
        (Eu, Currency::Eur, Locale::En),
        (Uk, Currency::Usd, Locale::ZhTw),
        (Intl, Currency::Usd, Locale::Th),
    ] {
        let settings = FeedSettings {
            size_system,
            currency,
            locale,
            rounding: RoundingRule::Charm99,
            markup_bp: 2_000,
            shipping: vec![ddhub_feeds::ShippingDefault {
                country: "US".into(),
                service: Some("EMS".into()),
                price_minor: 1_500,
            }],
            ..FeedSettings::default()
        };
        let xml = gmc_xml(&settings, sample_catalog());
        let report = validate_feed(xml.as_bytes()).unwrap();
        assert!(report.is_ok(), "{size_system:?}: {:#?}", report.failures);
        let skus: usize = sample_catalog().iter().map(|s| s.skus.len()).sum();
        assert_eq!(report.items, skus as u64);
    }
}

#[test]
fn the_sample_reads_back_as_written() {
    let item = first_item();
    assert_eq!(item.get("id"), Some("7-KN-2041-black-55"));
    assert_eq!(item.get("item_group_id"), Some("7-KN-2041"));
    assert_eq!(
        item.get("title"),
        Some("Loose-fit cable knit cardigan - Black - 4")
    );
    assert_eq!(item.get("price"), Some("12.96 USD"));
    assert_eq!(
        item.get("image_link"),
        Some("https://hub.example/media/gmc/1/black.jpg")
    );
    assert_eq!(item.all("additional_image_link").count(), 3);
    assert_eq!(item.get("link"), Some("https://hub.example/styles/1"));
    assert_eq!(item.get("material"), Some("70% Acrylic/30% Wool"));
    assert_eq!(item.get("google_product_category"), Some("212"));
    assert_eq!(item.get("size_system"), Some("US"));
    assert_eq!(item.get("identifier_exists"), Some("no"));
    assert_eq!(item.get("brand"), Some("Miso Studio"));
    assert_eq!(item.get("gender"), Some("female"));
    assert_eq!(item.get("age_group"), Some("adult"));
    assert_eq!(item.get("condition"), Some("new"));
    assert_eq!(
        item.get("product_type"),
        Some("Tops > Knitwear > Cardigans")
    );
}

#[test]
fn missing_required_attributes_fail_by_name() {
    let item = first_item();
    assert!(validate_item(&item).is_empty());
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
        assert_eq!(
            kinds(&with(&item, name, None), name),
            vec![ProblemKind::Missing],
            "{name}"
        );
        assert_eq!(
            kinds(&with(&item, name, Some("  ")), name),
            vec![ProblemKind::Missing],
            "{name} blank"
        );
    }
    // Without a GTIN, an MPN or identifier_exists=no is required.
    let no_ids = with(&with(&item, "mpn", None), "identifier_exists", None);
    assert_eq!(kinds(&no_ids, "mpn"), vec![ProblemKind::Missing]);
    assert!(validate_item(&with(&no_ids, "gtin", Some("08801234567893"))).is_empty());
}

#[test]
fn lengths_formats_and_values_fail_with_the_reason() {
    let item = first_item();
    let long = |n: usize| "x".repeat(n);
    for (name, max) in [
        ("id", 50),
        ("title", 150),
        ("description", 5000),
        ("color", 100),
        ("size", 100),
    ] {
        assert!(
            validate_item(&with(&item, name, Some(&long(max)))).is_empty(),
            "{name} at max"
        );
        assert_eq!(
            kinds(&with(&item, name, Some(&long(max + 1))), name),
            vec![ProblemKind::TooLong { max, len: max + 1 }]
        );
    }
    for bad in [
        "15 dollars",
        "15.00",
        "15,00 USD",
        "15.00 usd",
        "USD 15.00",
        "1.5.0 USD",
        "-1.00 USD",
    ] {
        assert_eq!(
            kinds(&with(&item, "price", Some(bad)), "price"),
            vec![ProblemKind::BadFormat("a price like `15.00 USD`")],
            "{bad}"
        );
    }
    for good in ["15 JPY", "15.00 USD", "1999 JPY"] {
        assert!(kinds(&with(&item, "price", Some(good)), "price").is_empty());
    }
    for bad in [
        "ftp://x/y.jpg",
        "hub.example/a.jpg",
        "https://",
        "https://a b/c",
    ] {
        assert_eq!(
            kinds(&with(&item, "image_link", Some(bad)), "image_link"),
            vec![ProblemKind::BadFormat("an http(s) URL")]
        );
    }
    for (name, bad) in [
        ("availability", "maybe"),
        ("availability", "In Stock"),
        ("condition", "mint"),
        ("gender", "women"),
        ("age_group", "adults"),
        ("size_system", "KR"),
        ("identifier_exists", "n"),
    ] {
        assert_eq!(
            kinds(&with(&item, name, Some(bad)), name),
            vec![ProblemKind::NotAllowed(bad.into())]
        );
    }
    for ok in [
        "US", "UK", "EU", "DE", "FR", "JP", "CN", "IT", "BR", "MEX", "AU",
    ] {
        assert!(kinds(&with(&item, "size_system", Some(ok)), "size_system").is_empty());
    }
    let backorder = with(&item, "availability", Some("backorder"));
    assert_eq!(
        kinds(&backorder, "availability_date"),
        vec![ProblemKind::Missing]
    );
    let mut twice = item.clone();
    twice.fields.push(("price".into(), "1.00 USD".into()));
    assert_eq!(kinds(&twice, "price"), vec![ProblemKind::Duplicate]);
}

#[test]
fn problems_in_written_xml_are_found() {
    let xml = sample_xml();
    let broken = xml
        .replacen(
            "<g:price>12.96 USD</g:price>",
            "<g:price>12.96</g:price>",
            1,
        )
        .replacen("<g:availability>in_stock</g:availability>", "", 1);
    let report = validate_feed(broken.as_bytes()).unwrap();
    assert_eq!(report.failures.len(), 1);
    let failure = &report.failures[0];
    assert_eq!(failure.id, "7-KN-2041-black-55");
    let text: Vec<String> = failure.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "availability: missing",
            "price: expected a price like `15.00 USD`"
        ]
    );

    let dup = xml.replacen(
        "<g:id>7-KN-2041-black-66</g:id>",
        "<g:id>7-KN-2041-black-55</g:id>",
        1,
    );
    let report = validate_feed(dup.as_bytes()).unwrap();
    assert_eq!(report.duplicate_ids, ["7-KN-2041-black-55"]);
    assert!(!report.is_ok());
}

#[test]
fn ill_formed_documents_are_rejected() {
    let xml = sample_xml();
    let cases = [
        xml.replacen("Loose-fit", "Loose & fit", 1),
        xml.replacen("Loose-fit", "Loose\u{1}fit", 1),
        xml.replacen("Loose-fit", "Loose&#1;fit", 1),
        xml.replacen("</g:title>", "</g:titel>", 1),
        xml.replacen("</rss>", "", 1),
        xml.replacen("http://base.google.com/ns/1.0", "http://example.com/g", 1),
        xml.replacen("<g:brand>", "<brand>", 1)
            .replacen("</g:brand>", "</brand>", 1),
    ];
    for (i, case) in cases.iter().enumerate() {
        assert!(
            matches!(
                validate_feed(case.as_bytes()),
                Err(ValidateError::Xml { .. } | ValidateError::Structure(_))
            ),
            "case {i} passed"
        );
    }
}
