use ddhub_domain::{Currency, Locale};
use ddhub_orders::answers::AnswerReason;
use ddhub_orders::intake::Reason;
use ddhub_orders::messages::{is_complete, known_codes, message};

#[test]
fn every_problem_code_reads_in_every_locale() {
    let d = "2026-11-27".parse().unwrap();
    let intake = [
        Reason::UnknownSku,
        Reason::AmbiguousStyle {
            wholesaler_ids: vec![],
        },
        Reason::SoldOut,
        Reason::BelowMoq { moq: 1, ordered: 0 },
        Reason::PriceMismatch {
            expected: "1".into(),
            given: "2".into(),
        },
        Reason::BadQuantity { min: 1, max: 2 },
        Reason::BadPrice {
            currency: Currency::Usd,
            digits: 2,
        },
        Reason::CurrencyMismatch {
            expected: Currency::Usd,
            given: Currency::Jpy,
        },
        Reason::BadReference,
        Reason::DuplicateLine { first: 0 },
        Reason::NoLines,
        Reason::TooManyLines { max: 1 },
        Reason::TextEmpty,
        Reason::TextTooLong { max: 1 },
        Reason::TextControlChars,
        Reason::BadCountry,
        Reason::BadPhone,
    ];
    let answers = [
        AnswerReason::UnknownLine,
        AnswerReason::DuplicateAnswer,
        AnswerReason::LineClosed,
        AnswerReason::LineReceived,
        AnswerReason::BadQuantity { min: 1, max: 2 },
        AnswerReason::QuantityExceedsOrdered {
            ordered: 1,
            given: 2,
        },
        AnswerReason::MissingExpectedDate,
        AnswerReason::BadDate,
        AnswerReason::DateInPast { today: d, given: d },
        AnswerReason::UnexpectedExpectedDate,
        AnswerReason::UnexpectedQuantity,
    ];
    let mut codes: Vec<&str> = intake.iter().map(Reason::code).collect();
    codes.extend(answers.iter().map(AnswerReason::code));
    // The codes of whole rejections, which carry the problems above.
    codes.extend([
        ddhub_orders::intake::Rejection { problems: vec![] }.code(),
        ddhub_orders::answers::AnswerRejection { problems: vec![] }.code(),
    ]);
    for code in &codes {
        assert!(is_complete(code), "{code} lacks a message in some locale");
        for l in Locale::ALL {
            let m = message(code, l, &[]);
            assert_ne!(&m, code);
        }
    }
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(
        codes,
        known_codes(),
        "messages.tsv has rows for codes no type uses"
    );
    assert!(
        message(
            "below_moq",
            Locale::Th,
            &[("moq", "3".into()), ("ordered", "1".into())]
        )
        .contains('3')
    );
}
