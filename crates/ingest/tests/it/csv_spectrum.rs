//! The csv-spectrum corpus (files copied with their licence): every CSV reads to its JSON.

use ddhub_ingest::{ReadOptions, read_sheet};
use serde_json::Value;
use std::path::Path;

fn dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/csv-spectrum")
}

fn records(name: &str) -> Vec<serde_json::Map<String, Value>> {
    let bytes = std::fs::read(dir().join("csvs").join(format!("{name}.csv"))).unwrap();
    let sheet = read_sheet(&bytes, &ReadOptions::default()).unwrap();
    assert_eq!(sheet.header_row, 1, "{name}");
    sheet
        .rows
        .iter()
        .map(|r| {
            sheet
                .headers
                .iter()
                .enumerate()
                .map(|(i, h)| (h.clone(), Value::String(r.get(i).to_string())))
                .collect()
        })
        .collect()
}

#[test]
fn every_case_matches_its_expected_records() {
    let mut checked = 0;
    for entry in std::fs::read_dir(dir().join("csvs")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        if name == "location_coordinates" {
            continue; // upstream defect, see below and NOTICE
        }
        let expected: Vec<serde_json::Map<String, Value>> = serde_json::from_slice(
            &std::fs::read(dir().join("json").join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(records(&name), expected, "{name}");
        checked += 1;
    }
    assert_eq!(checked, 11);
}

#[test]
fn location_coordinates_reads_the_csv_own_values() {
    // The upstream JSON is one object with a different phone number; everything else agrees.
    let expected: serde_json::Map<String, Value> = serde_json::from_slice(
        &std::fs::read(dir().join("json/location_coordinates.json")).unwrap(),
    )
    .unwrap();
    let got = records("location_coordinates");
    assert_eq!(got.len(), 1);
    for (k, v) in &expected {
        if k == "Contact Phone Number" {
            assert_eq!(got[0][k], "2095257564");
        } else {
            assert_eq!(&got[0][k], v, "{k}");
        }
    }
}

#[test]
fn crlf_cases_keep_excel_row_numbers() {
    let bytes = std::fs::read(dir().join("csvs/newlines_crlf.csv")).unwrap();
    let sheet = read_sheet(&bytes, &ReadOptions::default()).unwrap();
    // a,b,c / 1,2,3 / "Once upon \r\na time",5,6 / 7,8,9: Excel shows records as rows 2, 3, 4.
    let rows: Vec<u32> = sheet.rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, [2, 3, 4]);
}
