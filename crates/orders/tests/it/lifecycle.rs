use crate::support::*;
use ddhub_domain::error::{Coded, ErrorCode};
use ddhub_domain::order::{ExportOrder, IllegalTransition, LineState, OrderState};
use ddhub_domain::{OrderLineId, Timestamp};
use ddhub_orders::answers::{Outcome, ValidatedAnswer};
use ddhub_orders::lifecycle::{self, EventType, LifecycleError, OrderEvent, Shipment};

const ALL: [OrderState; 8] = [
    OrderState::Received,
    OrderState::AwaitingWholesalers,
    OrderState::Confirmed,
    OrderState::PartiallyConfirmed,
    OrderState::Packed,
    OrderState::Shipped,
    OrderState::Delivered,
    OrderState::Cancelled,
];

fn shipment() -> Shipment {
    Shipment {
        carrier: "EMS".into(),
        tracking_number: "EE123456789KR".into(),
    }
}

type Op = fn(&mut ExportOrder) -> Result<Vec<OrderEvent>, LifecycleError>;

fn types(events: &[OrderEvent]) -> Vec<&'static str> {
    events.iter().map(|e| e.event_type.as_str()).collect()
}

#[test]
fn every_illegal_transition_is_refused_by_the_lifecycle_api() {
    let ops: [(OrderState, Op); 5] = [
        (
            OrderState::AwaitingWholesalers,
            lifecycle::send_to_wholesalers,
        ),
        (OrderState::Packed, lifecycle::pack),
        (OrderState::Shipped, |o| lifecycle::ship(o, &shipment())),
        (OrderState::Delivered, lifecycle::deliver),
        (OrderState::Cancelled, |o| lifecycle::cancel(o, None)),
    ];
    let mut refused = 0;
    for from in ALL {
        for (to, op) in ops {
            let mut o = order(from, vec![line(1, 1, 2, 1000)]);
            let before = o.clone();
            match op(&mut o) {
                Ok(events) => {
                    assert!(from.can_become(to), "{from} → {to} was allowed");
                    assert_eq!(o.state, to);
                    assert_eq!(events.last().unwrap().event_type, EventType::for_state(to));
                    assert_eq!(events.last().unwrap().data["from"], from.as_str());
                }
                Err(e) => {
                    assert!(!from.can_become(to), "{from} → {to} was refused");
                    assert_eq!(
                        e,
                        LifecycleError::IllegalTransition(IllegalTransition { from, to })
                    );
                    assert_eq!(
                        (e.code(), e.error_code()),
                        ("illegal_transition", ErrorCode::Conflict)
                    );
                    assert_eq!(o, before, "a refused transition changes nothing");
                    refused += 1;
                }
            }
        }
    }
    // 40 attempts; legal: received→awaiting, confirmed/partial→packed, packed→shipped,
    // shipped→delivered, and cancel from the five states before shipping.
    assert_eq!(refused, 40 - 10);
}

#[test]
fn answers_are_closed_outside_the_answering_states() {
    let answer = [ValidatedAnswer {
        line_id: OrderLineId(1),
        outcome: Outcome::Available { quantity: 2 },
    }];
    for from in ALL {
        let mut o = order(from, vec![line(1, 1, 2, 1000)]);
        let r = lifecycle::record_answers(&mut o, &answer);
        let open = matches!(
            from,
            OrderState::AwaitingWholesalers
                | OrderState::Confirmed
                | OrderState::PartiallyConfirmed
        );
        match r {
            Ok(_) => {
                assert!(open, "{from}");
                assert_eq!(o.state, OrderState::Confirmed);
            }
            Err(e) => {
                assert!(!open, "{from}");
                assert_eq!(e, LifecycleError::AnswersClosed(from));
                assert_eq!(e.error_code(), ErrorCode::Conflict);
                assert_eq!(o.lines[0].state, LineState::Pending);
            }
        }
    }
}

#[test]
fn a_partially_fulfilled_order_from_intake_to_delivery() {
    let mut o = order(
        OrderState::Received,
        vec![line(1, 1, 5, 1299), line(2, 2, 3, 2500), line(3, 2, 2, 900)],
    );
    let received = lifecycle::received(&o);
    assert_eq!(received.event_type.as_str(), "order.received");
    let body = received.webhook_payload(Timestamp(1_764_236_400_000));
    assert_eq!(body["type"], "order.received");
    assert_eq!(body["timestamp"], "2025-11-27T09:40:00.000Z");
    assert_eq!(body["data"]["lines"][0]["unit_price"]["amount"], "12.99");

    let ev = lifecycle::send_to_wholesalers(&mut o).unwrap();
    assert_eq!(types(&ev), ["order.awaiting_wholesalers"]);

    // Wholesaler 1 answers first: still waiting for wholesaler 2.
    let ev = lifecycle::record_answers(
        &mut o,
        &[ValidatedAnswer {
            line_id: OrderLineId(1),
            outcome: Outcome::Available { quantity: 3 },
        }],
    )
    .unwrap();
    assert_eq!(types(&ev), ["order.line.available"]);
    assert_eq!(ev[0].data["confirmed_quantity"], 3);
    assert_eq!(ev[0].data["refund"]["amount"], "25.98");
    assert_eq!(o.state, OrderState::AwaitingWholesalers);

    let date = "2026-12-05".parse().unwrap();
    let ev = lifecycle::record_answers(
        &mut o,
        &[
            ValidatedAnswer {
                line_id: OrderLineId(2),
                outcome: Outcome::Backorder {
                    quantity: 3,
                    expected_date: date,
                },
            },
            ValidatedAnswer {
                line_id: OrderLineId(3),
                outcome: Outcome::SoldOut,
            },
        ],
    )
    .unwrap();
    assert_eq!(
        types(&ev),
        [
            "order.line.backordered",
            "order.line.sold_out",
            "order.partially_confirmed"
        ]
    );
    assert_eq!(ev[0].data["expected_date"], "2026-12-05");
    // 2 × 12.99 + 2 × 9.00
    assert_eq!(ev[2].data["refund"]["amount"], "43.98");
    assert!(ev[2].data["refund"].get("minor").is_none());

    assert_eq!(types(&lifecycle::pack(&mut o).unwrap()), ["order.packed"]);
    let bad = Shipment {
        carrier: "EMS".into(),
        tracking_number: "  ".into(),
    };
    let err = lifecycle::ship(&mut o, &bad).unwrap_err();
    assert_eq!(
        (err.code(), err.error_code()),
        ("bad_shipment", ErrorCode::InvalidBody)
    );
    assert_eq!(o.state, OrderState::Packed);
    let ev = lifecycle::ship(&mut o, &shipment()).unwrap();
    assert_eq!(ev[0].data["shipment"]["tracking_number"], "EE123456789KR");
    assert_eq!(
        types(&lifecycle::deliver(&mut o).unwrap()),
        ["order.delivered"]
    );
    assert!(lifecycle::cancel(&mut o, None).is_err());
}

#[test]
fn cancelling_refunds_everything_and_all_sold_out_cancels() {
    let mut o = order(
        OrderState::Confirmed,
        vec![line(1, 1, 2, 1000), line(2, 1, 1, 500)],
    );
    for l in &mut o.lines {
        l.state = LineState::Available;
        l.confirmed_quantity = l.quantity;
    }
    let ev = lifecycle::cancel(&mut o, Some("partner request")).unwrap();
    assert_eq!(
        types(&ev),
        [
            "order.line.cancelled",
            "order.line.cancelled",
            "order.cancelled"
        ]
    );
    assert_eq!(ev[2].data["refund"]["amount"], "25.00");
    assert_eq!(ev[2].data["reason"], "partner request");
    assert!(o.lines.iter().all(|l| l.state == LineState::Cancelled));

    let mut o = order(OrderState::AwaitingWholesalers, vec![line(1, 1, 2, 1000)]);
    let ev = lifecycle::record_answers(
        &mut o,
        &[ValidatedAnswer {
            line_id: OrderLineId(1),
            outcome: Outcome::SoldOut,
        }],
    )
    .unwrap();
    assert_eq!(types(&ev), ["order.line.sold_out", "order.cancelled"]);
    assert_eq!(o.state, OrderState::Cancelled);
    assert_eq!(ev[1].data["refund"]["amount"], "20.00");
}

#[test]
fn event_types_are_dotted_and_unique() {
    let mut seen = std::collections::HashSet::new();
    for t in EventType::ALL {
        assert!(t.as_str().starts_with("order.") || t.as_str().starts_with("shipment."));
        assert!(seen.insert(t.as_str()));
        assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
    }
}
