//! chrF against sacreBLEU's published figures, and the shipped dev set against its targets.

use ddhub_domain::Locale;
use ddhub_translate::quality::SHIPPED_DEVSET;
use ddhub_translate::{Glossary, chrf, evaluate, read_devset};

#[test]
fn chrf_matches_sacrebleu() {
    // Figures printed by sacreBLEU 2.x (CHRF defaults) in its metric card.
    let one = chrf([(
        "The relationship between Obama and Netanyahu is not exactly friendly.",
        "The ties between Obama and Netanyahu are not particularly friendly.",
    )]);
    assert!((one - 61.576379378113785).abs() < 1e-9, "{one}");
    let two = chrf([
        (
            "The relationship between cats and dogs is not exactly friendly.",
            "The relationship between dogs and cats is not exactly friendly.",
        ),
        (
            "a good bookshop is just a genteel black hole that knows how to read.",
            "A good bookshop is just a genteel Black Hole that knows how to read.",
        ),
    ]);
    assert!((two - 84.64214891738334).abs() < 1e-9, "{two}");
    assert_eq!(chrf([("같다", "같다")]), 100.0);
    assert_eq!(chrf([("", "abc")]), 0.0);
}

#[test]
fn devset_meets_its_targets() {
    let g = Glossary::builtin().unwrap();
    for (locale, target) in [(Locale::En, 70.0), (Locale::Ja, 60.0)] {
        let lines = read_devset(SHIPPED_DEVSET, locale).unwrap();
        assert!(lines.len() >= 200, "{}", lines.len());
        let report = evaluate(&g, &lines, locale);
        eprintln!("{locale}: {report:?}");
        assert!(
            report.chrf >= target,
            "{locale}: chrF {} < {target}",
            report.chrf
        );
        assert_eq!(report.hangul_leak, 0.0);
    }
}

#[test]
fn devset_reader_accepts_two_column_files() {
    let lines = read_devset("니트\tKnit sweater\n가디건\tCardigan\n", Locale::En).unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1].reference, "Cardigan");
    assert!(read_devset("korean\ten\n니트\tKnit\n", Locale::Th).is_err());
}

#[test]
#[ignore = "prints the dev-set lines that differ from their reference"]
fn devset_differences() {
    let g = Glossary::builtin().unwrap();
    for locale in [Locale::En, Locale::Ja] {
        for line in read_devset(SHIPPED_DEVSET, locale).unwrap() {
            let out = ddhub_translate::translate_title(&g, &line.korean, locale);
            if out.title != line.reference {
                eprintln!(
                    "{locale} | {} | got {} | ref {}",
                    line.korean, out.title, line.reference
                );
            }
        }
    }
}
