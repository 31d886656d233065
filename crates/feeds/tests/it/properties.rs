//! Property tests: hostile product text always gives well-formed XML that reads back as the
//! cleaned text, and CSV that reads back cell for cell.

use crate::support::*;
use ddhub_domain::style::StockState;
use ddhub_feeds::csv_feed::{CSV_COLUMNS, csv_cells};
use ddhub_feeds::gmc::{parse_items, validate_feed};
use ddhub_feeds::text::{clean_text, neutralise_formula, restore_formula, truncate_chars};
use ddhub_feeds::{FeedFormat, FeedSettings, FeedStyle};
use proptest::prelude::*;

/// Text mixing every troublemaker: markup characters, quotes, controls (allowed and forbidden),
/// CR/LF, RTL marks and overrides, emoji, noncharacters, formula triggers, Korean.
fn hostile_text() -> impl Strategy<Value = String> {
    let special = prop_oneof![
        Just('&'),
        Just('<'),
        Just('>'),
        Just('"'),
        Just('\''),
        Just(';'),
        Just('#'),
        Just('\u{200F}'),
        Just('\u{202E}'),
        Just('\u{202A}'),
        Just('\u{FEFF}'),
        Just('\r'),
        Just('\n'),
        Just('\t'),
        Just('\u{0}'),
        Just('\u{1}'),
        Just('\u{B}'),
        Just('\u{1F}'),
        Just('\u{7F}'),
        Just('\u{85}'),
        Just('\u{FFFE}'),
        Just('\u{FFFF}'),
        Just('😀'),
        Just('\u{200D}'),
        Just('\u{1F3FB}'),
        Just('='),
        Just('+'),
        Just('-'),
        Just('@'),
        Just(' '),
        Just(','),
        Just('꽈'),
        Just('배'),
        Just('기'),
        Just(']'),
    ];
    prop::collection::vec(prop_oneof![3 => special, 1 => any::<char>()], 0..80)
        .prop_map(String::from_iter)
}

fn hostile_style(title: String, description: String, brand: String, code: String) -> FeedStyle {
    let mut s = style(1, "X-1", "placeholder", "tops/knit", 18_000);
    s.title = title;
    s.description = description;
    s.wholesaler_name = brand;
    s.style_code = code;
    s.skus = vec![
        sku(1, "black", "55", StockState::InStock),
        sku(2, "sky_blue", "free", StockState::Backorder),
    ];
    s
}

/// What the mapper promises for a free-text field: cleaned, trimmed, cut to Google's limit.
fn expected_text(raw: &str, max: usize) -> String {
    truncate_chars(&clean_text(raw.trim()), max).to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn xml_is_well_formed_and_reads_back(
        title in hostile_text(),
        description in hostile_text(),
        brand in hostile_text(),
        code in hostile_text(),
    ) {
        let s = hostile_style(title.clone(), description.clone(), brand.clone(), code);
        let settings = FeedSettings::default();
        let items = items(&settings, std::slice::from_ref(&s));
        let xml = gmc_xml(&settings, vec![s]);
        let parsed = parse_items(xml.as_bytes()).expect("well-formed");
        prop_assert_eq!(parsed.len(), items.len());
        for (read, written) in parsed.iter().zip(&items) {
            prop_assert_eq!(read.get("id"), Some(written.id.as_str()));
            prop_assert_eq!(read.get("title"), Some(written.title.as_str()));
            prop_assert_eq!(read.get("description"), Some(written.description.as_str()));
            prop_assert_eq!(read.get("brand"), Some(written.brand.as_str()));
            prop_assert_eq!(read.get("mpn"), Some(written.mpn.as_str()));
            prop_assert_eq!(read.get("item_group_id"), Some(written.item_group_id.as_str()));
        }
        // And the written text is the input minus only the documented changes.
        let desc = expected_text(&description, 5000);
        if !desc.is_empty() {
            prop_assert_eq!(&items[0].description, &desc);
        }
        let t = expected_text(&title, 150);
        if !t.is_empty() && t.chars().count() <= 100 {
            prop_assert!(items[0].title.starts_with(&t));
        }
        prop_assert_eq!(&items[0].brand, &expected_text(&brand, 70));
        for item in &items {
            prop_assert!(!item.title.chars().any(ddhub_feeds::text::is_dropped_char));
        }
        // The validator's own parse agrees the document is well-formed.
        prop_assert!(validate_feed(xml.as_bytes()).is_ok());
    }

    #[test]
    fn csv_reads_back_cell_for_cell(
        title in hostile_text(),
        description in hostile_text(),
        brand in hostile_text(),
        code in hostile_text(),
    ) {
        let s = hostile_style(title, description, brand, code);
        let settings = FeedSettings::default();
        let items = items(&settings, std::slice::from_ref(&s));
        let (bytes, _) = feed(&settings, vec![s], FeedFormat::Csv);
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes.as_slice());
        let headers: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
        prop_assert_eq!(headers, CSV_COLUMNS.to_vec());
        let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
        prop_assert_eq!(rows.len(), items.len());
        for (row, item) in rows.iter().zip(&items) {
            let cells = csv_cells(item);
            prop_assert_eq!(row.len(), cells.len());
            for (read, written) in row.iter().zip(cells.iter()) {
                let want = neutralise_formula(written);
                prop_assert_eq!(read, want.as_ref());
                // No cell a spreadsheet would evaluate.
                prop_assert!(!read.starts_with(['=', '+', '-', '@', '\t', '\r']));
            }
        }
    }

    #[test]
    fn csv_neutralisation_is_reversible(
        head in prop::sample::select(vec!["", "'", "''", "=", "'=", "'+", "@", "\t", "-"]),
        cell in hostile_text(),
    ) {
        let cell = format!("{head}{cell}");
        let safe = neutralise_formula(&cell);
        prop_assert!(!safe.starts_with(['=', '+', '-', '@', '\t', '\r']));
        prop_assert_eq!(restore_formula(&safe), cell.as_str());
    }
}
