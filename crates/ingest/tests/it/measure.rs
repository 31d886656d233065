//! Measured sizes (실측) in the three sheet forms wholesalers use, the fit note, the warnings,
//! and property tests of the cell parser.

use ddhub_domain::measure::{Measure, SizeMeasurements};
use ddhub_ingest::measure::parse_measure_cell;
use ddhub_ingest::{ProblemCode, ReadOptions, Severity, ingest};
use proptest::prelude::*;

fn cm(m: &SizeMeasurements, k: Measure) -> Option<f64> {
    m.get_cm(k)
}

#[test]
fn one_column_per_measure_with_header_variants_one_row_per_size() {
    let csv = "상품코드,상품명,도매가,색상,사이즈,어깨(cm),가슴 단면,총기장,소매길이,모델착용\n\
               KN-1,루즈핏 니트,18000,블랙,S,38,48,62,58,모델 168cm 55 착용\n\
               KN-1,,,,M,40,50,64,59,\n\
               PT-2,와이드 팬츠,21000,블랙,S~M,,,,,\n";
    let (_, v) = ingest(csv.as_bytes(), &ReadOptions::default()).unwrap();
    assert!(
        v.problems
            .iter()
            .all(|p| p.code != ProblemCode::UnknownColumn),
        "measure headers are known: {:?}",
        v.problems
    );
    let kn = &v.styles[0];
    assert_eq!(kn.sizes, ["s", "m"]);
    assert_eq!(kn.measurements.len(), 2);
    let s = &kn.measurements[0];
    assert_eq!(s.size, "s");
    assert_eq!(cm(s, Measure::Shoulder), Some(38.0));
    assert_eq!(cm(s, Measure::ChestHalf), Some(48.0));
    assert_eq!(cm(s, Measure::Chest), None, "a half measure stays half");
    assert_eq!(cm(s, Measure::Length), Some(62.0));
    assert_eq!(cm(s, Measure::Sleeve), Some(58.0));
    assert_eq!(cm(&kn.measurements[1], Measure::Length), Some(64.0));
    assert_eq!(kn.fit_note.as_deref(), Some("모델 168cm 55 착용"));
    assert!(v.styles[1].measurements.is_empty());
}

#[test]
fn one_value_per_size_in_a_measure_column() {
    let csv = "상품코드,상품명,도매가,색상,사이즈,허리단면,밑위,허벅지\n\
               PT-1,데님 팬츠,25000,중청,S/M/L,33/35/37,28/29/30,30/31/32\n";
    let (_, v) = ingest(csv.as_bytes(), &ReadOptions::default()).unwrap();
    let m = &v.styles[0].measurements;
    assert_eq!(m.len(), 3);
    assert_eq!(m[2].size, "l");
    assert_eq!(cm(&m[2], Measure::WaistHalf), Some(37.0));
    assert_eq!(cm(&m[0], Measure::Rise), Some(28.0));
    assert_eq!(cm(&m[1], Measure::Thigh), Some(31.0));
}

#[test]
fn one_cell_per_size_and_a_free_line() {
    let csv = "상품코드,상품명,도매가,색상,사이즈,실측사이즈\n\
               KN-1,니트,18000,블랙,\"S,M\",\"S: 어깨38 가슴48 총장62 / M: 어깨40 가슴50 총장64\"\n\
               KN-2,가디건,19000,블랙,FREE,어깨 40 가슴 52 총장 65 소매 58\n\
               KN-3,코트,59000,블랙,FREE,\"어깨 44, 가슴둘레 110cm, 기장 98cm\"\n";
    let (_, v) = ingest(csv.as_bytes(), &ReadOptions::default()).unwrap();
    let warnings: Vec<_> = v.warnings().collect();
    assert!(warnings.is_empty(), "{warnings:?}");
    let a = &v.styles[0].measurements;
    assert_eq!(a.len(), 2);
    assert_eq!((a[0].size.as_str(), a[1].size.as_str()), ("s", "m"));
    assert_eq!(cm(&a[1], Measure::ChestHalf), Some(50.0));
    let b = &v.styles[1].measurements;
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].size, "free");
    assert_eq!(cm(&b[0], Measure::Sleeve), Some(58.0));
    assert_eq!(cm(&b[0], Measure::ChestHalf), Some(52.0));
    let c = &v.styles[2].measurements[0];
    assert_eq!(
        cm(c, Measure::Chest),
        Some(110.0),
        "110 cm is a circumference"
    );
    assert_eq!(cm(c, Measure::ChestHalf), None);
    assert_eq!(cm(c, Measure::Length), Some(98.0));
}

#[test]
fn implausible_values_are_korean_row_warnings_and_dropped() {
    let csv = "상품코드,상품명,도매가,색상,사이즈,실측,총장\n\
               KN-1,니트,18000,블랙,FREE,어깨 40 가슴 5 목둘레 20,900\n";
    let (_, v) = ingest(csv.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(v.styles.len(), 1, "measure problems never reject a row");
    let m = &v.styles[0].measurements[0];
    assert_eq!(cm(m, Measure::Shoulder), Some(40.0));
    assert_eq!(cm(m, Measure::ChestHalf), None);
    assert_eq!(cm(m, Measure::Length), None);
    let implausible: Vec<_> = v
        .problems
        .iter()
        .filter(|p| p.code == ProblemCode::MeasurementImplausible)
        .collect();
    assert_eq!(implausible.len(), 2, "{:?}", v.problems);
    assert!(
        implausible.iter().all(|p| p.severity == Severity::Warning
            && p.row == 2
            && p.message_ko.contains("실측"))
    );
    assert!(implausible.iter().any(|p| p.value.contains("가슴단면 5cm")));
    assert!(implausible.iter().any(|p| p.value.contains("총장 900cm")));
    assert!(
        v.problems
            .iter()
            .any(|p| p.code == ProblemCode::MeasurementUnreadable && p.value.contains("목둘레"))
    );
}

#[test]
fn fit_note_in_the_measure_cell_or_the_description() {
    let r = parse_measure_cell("S: 어깨38 가슴48 / 모델 168cm 55 착용");
    assert_eq!(r.fit_note.as_deref(), Some("모델 168cm 55 착용"));
    assert_eq!(r.sizes.len(), 1);
    let csv = "상품코드,상품명,도매가,색상,사이즈,상세설명\n\
               KN-1,니트,18000,블랙,FREE,\"부드러운 니트\n모델 170cm 66 착용\"\n";
    let (_, v) = ingest(csv.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(v.styles[0].fit_note.as_deref(), Some("모델 170cm 66 착용"));
}

const KEYS: [(Measure, &str); 9] = [
    (Measure::Shoulder, "어깨"),
    (Measure::ChestHalf, "가슴단면"),
    (Measure::Length, "총장"),
    (Measure::Sleeve, "소매"),
    (Measure::WaistHalf, "허리단면"),
    (Measure::HipHalf, "힙"),
    (Measure::Thigh, "허벅지"),
    (Measure::Rise, "밑위"),
    (Measure::Hem, "밑단"),
];

fn plausible_value(m: Measure) -> impl Strategy<Value = u32> {
    let (lo, hi) = m.plausible_cm();
    // Whole or half centimetres, as sheets write them.
    (lo * 2..=hi * 2).prop_map(|h| h * 5)
}

fn size_entry() -> impl Strategy<Value = Vec<(usize, u32)>> {
    proptest::sample::subsequence((0..KEYS.len()).collect::<Vec<_>>(), 1..KEYS.len()).prop_flat_map(
        |idx| {
            idx.into_iter()
                .map(|i| plausible_value(KEYS[i].0).prop_map(move |mm| (i, mm)))
                .collect::<Vec<_>>()
        },
    )
}

fn write_cm(mm: u32) -> String {
    if mm.is_multiple_of(10) {
        (mm / 10).to_string()
    } else {
        format!("{}.{}", mm / 10, mm % 10)
    }
}

proptest! {
    /// Written in the per-size form, with spacing and separators varied, every value reads back.
    #[test]
    fn per_size_cells_read_back(
        entries in proptest::collection::vec(size_entry(), 1..5),
        glue in prop_oneof![Just(""), Just(" "), Just(": ")],
        unit in prop_oneof![Just(""), Just("cm")],
        sep in prop_oneof![Just(" / "), Just("\n"), Just(" | ")],
    ) {
        let labels = ["S", "M", "L", "XL"];
        let cell = entries.iter().enumerate().map(|(n, e)| {
            let body = e.iter().map(|(i, mm)| format!("{}{glue}{}{unit}", KEYS[*i].1, write_cm(*mm)))
                .collect::<Vec<_>>().join(" ");
            format!("{}: {body}", labels[n])
        }).collect::<Vec<_>>().join(sep);
        let r = parse_measure_cell(&cell);
        prop_assert!(r.issues.is_empty(), "{cell:?}: {:?}", r.issues);
        prop_assert_eq!(r.sizes.len(), entries.len());
        for (n, e) in entries.iter().enumerate() {
            let label = labels[n].to_lowercase();
            prop_assert_eq!(r.sizes[n].size.as_deref(), Some(label.as_str()));
            for (i, mm) in e {
                prop_assert_eq!(r.sizes[n].measures.get_mm(KEYS[*i].0), Some(*mm), "{}", cell);
            }
            prop_assert_eq!(r.sizes[n].measures.present().count(), e.len());
        }
    }

    /// A free line names no size and reads every value.
    #[test]
    fn free_lines_read_back(e in size_entry()) {
        let cell = e.iter().map(|(i, mm)| format!("{} {}", KEYS[*i].1, write_cm(*mm)))
            .collect::<Vec<_>>().join(" ");
        let r = parse_measure_cell(&cell);
        prop_assert!(r.issues.is_empty());
        prop_assert_eq!(r.sizes.len(), 1);
        prop_assert_eq!(r.sizes[0].size.as_deref(), None);
        prop_assert_eq!(r.sizes[0].measures.present().count(), e.len());
    }

    /// A value outside the plausible range is never kept, and always named.
    #[test]
    fn implausible_values_are_dropped_and_named(i in 0..KEYS.len(), big in any::<bool>()) {
        let (m, word) = KEYS[i];
        let (lo, hi) = m.plausible_cm();
        let v = if big { hi * 10 + 1 } else { lo.saturating_sub(1).max(1) };
        let r = parse_measure_cell(&format!("{word} {v}"));
        prop_assert!(r.sizes.iter().all(|s| s.measures.get_mm(m).is_none()));
        let named = r.issues.iter().any(|x| matches!(
            x, ddhub_ingest::measure::MeasureIssue::Implausible { measure, .. } if *measure == m));
        prop_assert!(named);
    }

    /// Any text: no panic, and whatever is kept is plausible.
    #[test]
    fn any_text_is_safe(s in "\\PC{0,80}") {
        let r = parse_measure_cell(&s);
        for size in &r.sizes {
            for (m, mm) in size.measures.present() {
                prop_assert!(m.is_plausible(mm));
            }
        }
    }
}
