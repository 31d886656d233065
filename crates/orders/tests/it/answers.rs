use crate::support::*;
use ddhub_domain::order::{LineState, OrderState};
use ddhub_domain::{Currency, OrderLineId};
use ddhub_orders::CalendarDate;
use ddhub_orders::answers::*;
use serde_json::json;

fn today() -> CalendarDate {
    "2026-11-27".parse().unwrap()
}

fn answers(v: serde_json::Value) -> Vec<LineAnswer> {
    serde_json::from_value::<AnswerRequest>(json!({ "lines": v }))
        .unwrap()
        .lines
}

fn codes(e: &AnswerRejection) -> Vec<(usize, &'static str)> {
    e.problems.iter().map(|p| (p.index, p.code())).collect()
}

#[test]
fn answers_are_validated_against_the_request() {
    let mut lines = vec![line(1, 1, 5, 1299), line(2, 1, 3, 2500), line(3, 1, 1, 900)];
    lines[2].state = LineState::Cancelled;
    let posted = answers(json!([
        {"line_id": 9, "answer": "available"},
        {"line_id": 1, "answer": "available", "quantity": 6},
        {"line_id": 1, "answer": "sold_out"},
        {"line_id": 2, "answer": "backorder"},
        {"line_id": 3, "answer": "available"},
    ]));
    let err = validate_answers(&lines, &posted, today()).unwrap_err();
    assert_eq!(
        codes(&err),
        vec![
            (0, "unknown_line"),
            (1, "quantity_exceeds_ordered"),
            (2, "duplicate_answer"),
            (3, "missing_expected_date"),
            (4, "line_closed"),
        ]
    );
    assert_eq!(err.code(), "answers_invalid");

    let posted = answers(json!([
        {"line_id": 1, "answer": "backorder", "expected_date": "2026-11-26"},
        {"line_id": 2, "answer": "backorder", "expected_date": "2026-02-30"},
    ]));
    let err = validate_answers(&lines[..2], &posted, today()).unwrap_err();
    assert_eq!(codes(&err), vec![(0, "date_in_past"), (1, "bad_date")]);
    assert!(
        err.problems[0]
            .message(ddhub_domain::Locale::Ko)
            .contains("2026-11-26")
    );

    let posted = answers(json!([
        {"line_id": 1, "answer": "available", "quantity": 0},
        {"line_id": 2, "answer": "sold_out", "quantity": 1},
    ]));
    let err = validate_answers(&lines[..2], &posted, today()).unwrap_err();
    assert_eq!(
        codes(&err),
        vec![(0, "bad_quantity"), (1, "unexpected_quantity")]
    );

    let posted = answers(json!([
        {"line_id": 1, "answer": "available", "expected_date": "2026-12-01"},
    ]));
    let err = validate_answers(&lines[..2], &posted, today()).unwrap_err();
    assert_eq!(codes(&err), vec![(0, "unexpected_expected_date")]);

    // Unknown fields and answers are refused by the body type.
    assert!(
        serde_json::from_value::<AnswerRequest>(
            json!({"lines": [{"line_id": 1, "answer": "maybe"}]})
        )
        .is_err()
    );
}

#[test]
fn partial_fulfilment_sets_lines_state_and_refund() {
    let mut lines = vec![line(1, 1, 5, 1299), line(2, 1, 3, 2500), line(3, 2, 2, 900)];
    let posted = answers(json!([
        {"line_id": 1, "answer": "available", "quantity": 3},
        {"line_id": 2, "answer": "backorder", "expected_date": "2026-11-27"},
    ]));
    let ok = validate_answers(&lines, &posted, today()).unwrap();
    let changes = apply_answers(&mut lines, &ok);
    assert_eq!(changes.len(), 2);
    assert_eq!(
        (lines[0].state, lines[0].confirmed_quantity),
        (LineState::Available, 3)
    );
    assert_eq!(
        (lines[1].state, lines[1].confirmed_quantity),
        (LineState::Backorder, 3)
    );
    // Line 3 (another wholesaler) still pending.
    assert_eq!(derive_state(&lines), OrderState::AwaitingWholesalers);
    // Pending lines owe nothing yet: 2 × 12.99.
    assert_eq!(refund_due(&lines, Currency::Usd).unwrap(), usd(2_598));

    let third = [ValidatedAnswer {
        line_id: OrderLineId(3),
        outcome: Outcome::SoldOut,
    }];
    apply_answers(&mut lines, &third);
    assert_eq!(derive_state(&lines), OrderState::PartiallyConfirmed);
    // 2 × 12.99 + 2 × 9.00
    assert_eq!(
        refund_due(&lines, Currency::Usd).unwrap(),
        usd(2_598 + 1_800)
    );
    let sum: i64 = lines.iter().map(|l| l.refund().minor).sum();
    assert_eq!(sum, 4_398);
}

#[test]
fn state_derivation_covers_full_partial_and_none() {
    let mut lines = vec![line(1, 1, 2, 1000), line(2, 1, 1, 500)];
    let all = |o1, o2| {
        [
            ValidatedAnswer {
                line_id: OrderLineId(1),
                outcome: o1,
            },
            ValidatedAnswer {
                line_id: OrderLineId(2),
                outcome: o2,
            },
        ]
    };
    let date = today();
    apply_answers(
        &mut lines,
        &all(
            Outcome::Available { quantity: 2 },
            Outcome::Backorder {
                quantity: 1,
                expected_date: date,
            },
        ),
    );
    assert_eq!(derive_state(&lines), OrderState::Confirmed);
    assert_eq!(refund_due(&lines, Currency::Usd).unwrap(), usd(0));

    apply_answers(&mut lines, &all(Outcome::SoldOut, Outcome::SoldOut));
    assert_eq!(derive_state(&lines), OrderState::Cancelled);
    assert_eq!(refund_due(&lines, Currency::Usd).unwrap(), usd(2_500));

    assert_eq!(
        refund_due(&lines, Currency::Jpy).unwrap_err().code(),
        "mixed_currency"
    );
}

#[test]
fn an_answer_changes_until_the_hub_receives_the_line() {
    let mut lines = vec![line(1, 1, 5, 1299), line(2, 1, 3, 2500)];
    // Both answered before: 미송 and 3 of 5.
    lines[0].state = LineState::Backorder;
    lines[1].state = LineState::Available;
    let received: std::collections::HashSet<OrderLineId> = [OrderLineId(2)].into();
    let posted = answers(json!([
        {"line_id": 1, "answer": "available"},
        {"line_id": 2, "answer": "sold_out"},
    ]));
    let err = validate_answers_before_pickup(&lines, &posted, today(), &received).unwrap_err();
    assert_eq!(codes(&err), vec![(1, "line_received")]);
    assert!(
        err.problems[0]
            .message(ddhub_domain::Locale::Ko)
            .contains("입고")
    );
    // Before the pickup, 미송 → 가능 goes through (the same call without line 2).
    let ok = validate_answers_before_pickup(&lines, &posted[..1], today(), &received).unwrap();
    assert_eq!(ok.len(), 1);
    assert_eq!(
        ok[0].outcome,
        Outcome::Available { quantity: 5 },
        "all pieces when no quantity is given"
    );
}
