//! CSV, JSON Lines, gzip and the writer contract.

use crate::support::*;
use ddhub_domain::Currency;
use ddhub_feeds::writer::writer_for;
use ddhub_feeds::{
    Compression, FeedError, FeedFormat, FeedMapper, FeedSettings, FeedWriter, GmcXmlWriter,
    write_feed,
};
use std::io::Read;

#[test]
fn jsonl_has_one_object_per_item_with_gmc_names() {
    let (bytes, summary) = feed(
        &FeedSettings::default(),
        sample_catalog(),
        FeedFormat::Jsonl,
    );
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, summary.items);
    assert_eq!(summary.items, 36);
    let first = &lines[0];
    assert_eq!(first["id"], "7-KN-2041-black-55");
    // DDHub's JSON conventions (docs/api-conventions.md): money as an object, `colour`,
    // RFC 3339 UTC times; Google's `12.96 USD` and `color` stay in the formats for Google.
    assert_eq!(
        first["price"],
        serde_json::json!({"amount": "12.96", "currency": "USD"})
    );
    assert!(
        first["colour"].is_string() && first.get("color").is_none(),
        "{first}"
    );
    let updated = first["updated_at"].as_str().unwrap();
    assert!(
        updated.len() == 20 && updated.ends_with('Z') && &updated[10..11] == "T",
        "{updated}"
    );
    assert_eq!(first["availability"], "in_stock");
    assert_eq!(first["identifier_exists"], "no");
    assert_eq!(first["size_system"], "US");
    assert_eq!(first["moq"], 2);
    assert_eq!(first["origin"], "KR");
    assert_eq!(
        first["additional_image_link"].as_array().map(Vec::len),
        Some(3)
    );
    assert!(text.ends_with('\n'));
}

#[test]
fn csv_is_rfc4180_with_crlf_and_quotes() {
    let mut styles = sample_catalog();
    styles[0].title = "=HYPERLINK(\"http://evil\") cardigan, \"soft\"".into();
    styles[0].wholesaler_name = "@shop".into();
    let (bytes, _) = feed(&FeedSettings::default(), styles, FeedFormat::Csv);
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("id,item_group_id,title,description,link,"));
    assert!(text.contains("\r\n"));
    assert!(text.matches("\r\n").count() >= 37);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(
        &row[2],
        "'=HYPERLINK(\"http://evil\") cardigan, \"soft\" - Black - 4"
    );
    assert_eq!(&row[11], "'@shop");
    assert_eq!(&row[7], "12.96 USD");
}

#[test]
fn gzip_output_decompresses_to_the_plain_feed() {
    let settings = FeedSettings::default();
    let (plain, _) = feed(&settings, sample_catalog(), FeedFormat::GmcXml);
    let mut mapper = FeedMapper::new(&settings, Some(rate(Currency::Usd)), BASE).unwrap();
    let (gz, summary) = write_feed(
        FeedFormat::GmcXml,
        Compression::Gzip(6),
        Vec::new(),
        &channel(),
        &mut mapper,
        sample_catalog(),
    )
    .unwrap();
    assert_eq!(summary.items, 36);
    assert_eq!(&gz[..2], &[0x1f, 0x8b]);
    assert!(gz.len() < plain.len() / 3);
    let mut back = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut back)
        .unwrap();
    assert_eq!(back, plain);
}

#[test]
fn xml_header_and_channel() {
    let xml = gmc_xml(&FeedSettings::default(), sample_catalog());
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(xml.contains("<rss version=\"2.0\" xmlns:g=\"http://base.google.com/ns/1.0\">"));
    assert!(xml.contains("<title>DDHub — Dongdaemun wholesale</title>"));
    // Markup in product text is escaped, never interpreted.
    assert!(xml.contains("Floral &quot;midi&quot; dress &amp; belt &lt;set&gt;"));
    assert!(xml.trim_end().ends_with("</rss>"));
}

#[test]
fn writers_enforce_begin_write_finish() {
    let items = items(&FeedSettings::default(), &sample_catalog());
    let mut w = GmcXmlWriter::new(Vec::new());
    assert!(matches!(w.write_item(&items[0]), Err(FeedError::State)));
    w.begin(&channel()).unwrap();
    assert!(matches!(w.begin(&channel()), Err(FeedError::State)));
    w.write_item(&items[0]).unwrap();
    w.finish().unwrap();
    assert!(matches!(w.write_item(&items[0]), Err(FeedError::State)));
    let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
    assert_eq!(out.matches("<item>").count(), 1);
    for format in FeedFormat::ALL {
        let mut out = Vec::new();
        {
            let mut w = writer_for(format, &mut out, &FeedSettings::default());
            w.begin(&channel()).unwrap();
            for i in &items {
                w.write_item(i).unwrap();
            }
            w.finish().unwrap();
        }
        assert!(!out.is_empty(), "{format:?}");
        assert_eq!(FeedFormat::parse(format.as_str()), Some(format));
    }
}

#[test]
fn etag_changes_with_settings_and_version() {
    use ddhub_feeds::{feed_etag, if_none_match};
    let a = FeedSettings::default();
    let b = FeedSettings {
        markup_bp: 500,
        ..FeedSettings::default()
    };
    let tag = |s: &FeedSettings, v| {
        feed_etag(
            &s.fingerprint(),
            v,
            FeedFormat::GmcXml,
            Compression::Identity,
        )
    };
    assert_eq!(tag(&a, 1), tag(&FeedSettings::default(), 1));
    assert_ne!(tag(&a, 1), tag(&b, 1));
    assert_ne!(tag(&a, 1), tag(&a, 2));
    assert!(if_none_match(&tag(&a, 1), &tag(&a, 1)));
    assert!(!if_none_match(&tag(&a, 1), &tag(&a, 2)));
}

/// Measured sizes and the fit note ride on every JSON Lines item of the style (issue 19), in
/// cm with absent measures left out; GMC XML, which has no size-chart attribute, leaves them.
#[test]
fn jsonl_items_carry_measured_sizes_and_the_fit_note() {
    use ddhub_domain::measure::{Measure, SizeMeasurements};
    let mut styles = sample_catalog();
    styles[0].measurements = vec![
        SizeMeasurements::new("55")
            .with_cm(Measure::ChestHalf, 48.5)
            .with_cm(Measure::Length, 62.0),
    ];
    styles[0].fit_note = Some("모델 168cm 55 착용".into());
    let (bytes, _) = feed(&FeedSettings::default(), styles.clone(), FeedFormat::Jsonl);
    let text = String::from_utf8(bytes).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        first["measurements"],
        serde_json::json!([{"size": "55", "chest_half": 48.5, "length": 62.0}])
    );
    assert_eq!(first["fit_note"], "모델 168cm 55 착용");
    let other = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["style_id"] != first["style_id"])
        .unwrap();
    assert!(other.get("measurements").is_none(), "{other}");
    let xml = gmc_xml(&FeedSettings::default(), styles);
    assert!(!xml.contains("chest_half"));
}

/// `g:shipping` from the carrier rate tables when the partner lists no shipping (issue 19):
/// ₩38,500 at ₩1 = $0.00072 is 27.72 USD; a partner's own entries win.
#[test]
fn gmc_shipping_from_the_tables_unless_the_partner_sets_its_own() {
    let mut styles = sample_catalog();
    for s in &mut styles {
        s.shipping_krw = vec![("US".into(), ddhub_domain::Krw(38_500))];
    }
    let xml = gmc_xml(&FeedSettings::default(), styles.clone());
    assert!(xml.contains("<g:country>US</g:country>"), "{xml}");
    assert!(xml.contains("27.72 USD"), "{xml}");
    let own = FeedSettings {
        shipping: vec![ddhub_feeds::settings::ShippingDefault {
            country: "US".into(),
            service: None,
            price_minor: 1_500,
        }],
        ..FeedSettings::default()
    };
    let xml = gmc_xml(&own, styles);
    assert!(xml.contains("15.00 USD") && !xml.contains("27.72 USD"));
}
