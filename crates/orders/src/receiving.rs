//! Receiving picked-up pieces at the hub (issue 17). A line is received once; fewer pieces
//! than confirmed (a short count: "내일 나와요", a silent sell-out) make it a partial sold-out:
//! its confirmed quantity drops to what arrived (to none: `sold_out`), the partner hears it as
//! `order.line.sold_out` with the refund, and the order's state follows its lines as it does
//! for answers ([`crate::answers::derive_state`]).

use crate::answers::derive_state;
use crate::lifecycle::{EventType, LifecycleError, OrderEvent, money_json, state_event};
use ddhub_domain::OrderLineId;
use ddhub_domain::order::{ExportOrder, LineState, OrderState};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashSet;

/// Pieces of one line counted in at the hub.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    pub line_id: OrderLineId,
    pub received: u32,
}

/// Why receipts are refused. Nothing of a refused batch is recorded.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReceiveError {
    #[error("line {0} is not a line of this order")]
    UnknownLine(OrderLineId),
    #[error("line {0} appears twice in these receipts")]
    Duplicate(OrderLineId),
    #[error("line {0} was already received")]
    AlreadyReceived(OrderLineId),
    #[error("line {line} is {state}; only available or backordered lines are picked up")]
    NotConfirmed { line: OrderLineId, state: LineState },
    #[error("line {line}: {received} pieces received but only {confirmed} confirmed")]
    TooMany {
        line: OrderLineId,
        received: u32,
        confirmed: u32,
    },
    #[error("an order in state {0} is not being picked up")]
    OrderState(OrderState),
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
}

impl ReceiveError {
    pub fn code(&self) -> &'static str {
        match self {
            ReceiveError::UnknownLine(_) => "unknown_line",
            ReceiveError::Duplicate(_) => "duplicate_line",
            ReceiveError::AlreadyReceived(_) => "already_received",
            ReceiveError::NotConfirmed { .. } => "line_not_confirmed",
            ReceiveError::TooMany { .. } => "more_than_confirmed",
            ReceiveError::OrderState(_) => "order_not_picking",
            ReceiveError::Lifecycle(e) => e.code(),
        }
    }
}

impl ddhub_domain::error::Coded for ReceiveError {
    fn error_code(&self) -> ddhub_domain::error::ErrorCode {
        use ddhub_domain::error::ErrorCode;
        match self {
            ReceiveError::UnknownLine(_) => ErrorCode::NotFound,
            ReceiveError::Duplicate(_) | ReceiveError::TooMany { .. } => ErrorCode::InvalidBody,
            ReceiveError::AlreadyReceived(_)
            | ReceiveError::NotConfirmed { .. }
            | ReceiveError::OrderState(_) => ErrorCode::Conflict,
            ReceiveError::Lifecycle(e) => e.error_code(),
        }
    }

    fn public_detail(&self) -> Option<String> {
        Some(self.to_string())
    }
}

/// Applies `receipts` to `order` (lines in `received_before` were received earlier). Returns
/// the events: one `order.line.sold_out` per short line, then the order's state event when its
/// state changed. On error the order is unchanged.
pub fn receive(
    order: &mut ExportOrder,
    receipts: &[Receipt],
    received_before: &HashSet<OrderLineId>,
) -> Result<Vec<OrderEvent>, ReceiveError> {
    if !matches!(
        order.state,
        OrderState::Confirmed | OrderState::PartiallyConfirmed
    ) {
        return Err(ReceiveError::OrderState(order.state));
    }
    let mut seen = HashSet::new();
    let mut lines = order.lines.clone();
    let mut short = Vec::new();
    for r in receipts {
        if !seen.insert(r.line_id) {
            return Err(ReceiveError::Duplicate(r.line_id));
        }
        let line = lines
            .iter_mut()
            .find(|l| l.id == r.line_id)
            .ok_or(ReceiveError::UnknownLine(r.line_id))?;
        if received_before.contains(&r.line_id) {
            return Err(ReceiveError::AlreadyReceived(r.line_id));
        }
        if !matches!(line.state, LineState::Available | LineState::Backorder)
            || line.confirmed_quantity == 0
        {
            return Err(ReceiveError::NotConfirmed {
                line: r.line_id,
                state: line.state,
            });
        }
        if r.received > line.confirmed_quantity {
            return Err(ReceiveError::TooMany {
                line: r.line_id,
                received: r.received,
                confirmed: line.confirmed_quantity,
            });
        }
        if r.received < line.confirmed_quantity {
            let before = line.state;
            let confirmed_before = line.confirmed_quantity;
            line.confirmed_quantity = r.received;
            if r.received == 0 {
                line.state = LineState::SoldOut;
            }
            short.push((r.line_id, before, confirmed_before));
        }
    }
    let target = derive_state(&lines);
    let from = order.state;
    if target != from {
        from.transition(target).map_err(LifecycleError::from)?;
    }
    order.lines = lines;
    let mut events: Vec<OrderEvent> = short
        .iter()
        .filter_map(|(id, before, confirmed_before)| {
            let l = order.lines.iter().find(|l| l.id == *id)?;
            Some(OrderEvent {
                event_type: EventType::LineSoldOut,
                data: json!({
                    "order_id": order.id,
                    "partner_order_id": order.partner_order_id,
                    "line_id": id,
                    "sku_id": l.sku_id,
                    "from": before.as_str(),
                    "state": l.state.as_str(),
                    "quantity": l.quantity,
                    "confirmed_quantity": l.confirmed_quantity,
                    "short_count": {
                        "confirmed_before": confirmed_before,
                        "received": l.confirmed_quantity,
                    },
                    "refund": money_json(l.refund()),
                }),
            })
        })
        .collect();
    if target != from {
        order.state = target;
        events.push(state_event(order, from, None)?);
    }
    Ok(events)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ddhub_domain::order::OrderLine;
    use ddhub_domain::{Currency, Money, OrderId, PartnerId, SkuId, WholesalerId};

    fn order() -> ExportOrder {
        let line = |id: i64, w: i64, q: u32| OrderLine {
            id: OrderLineId(id),
            order_id: OrderId(1),
            sku_id: SkuId(id),
            wholesaler_id: WholesalerId(w),
            quantity: q,
            confirmed_quantity: q,
            unit_price: Money {
                minor: 1_000,
                currency: Currency::Usd,
            },
            state: LineState::Available,
        };
        ExportOrder {
            id: OrderId(1),
            partner_id: PartnerId(1),
            partner_order_id: "P-1".into(),
            state: OrderState::Confirmed,
            lines: vec![line(1, 1, 3), line(2, 2, 2)],
        }
    }

    fn r(id: i64, n: u32) -> Receipt {
        Receipt {
            line_id: OrderLineId(id),
            received: n,
        }
    }

    #[test]
    fn a_full_count_changes_nothing_a_short_one_is_a_partial_sold_out() {
        let mut o = order();
        let events = receive(&mut o, &[r(1, 3), r(2, 1)], &HashSet::new()).unwrap();
        assert_eq!(o.lines[0].confirmed_quantity, 3);
        assert_eq!(o.lines[1].confirmed_quantity, 1);
        assert_eq!(o.lines[1].state, LineState::Available);
        assert_eq!(o.state, OrderState::PartiallyConfirmed);
        let types: Vec<_> = events.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(types, ["order.line.sold_out", "order.partially_confirmed"]);
        assert_eq!(events[0].data["refund"]["amount"], "10.00");
        assert_eq!(events[0].data["short_count"]["confirmed_before"], 2);
    }

    #[test]
    fn nothing_arrived_is_sold_out() {
        let mut o = order();
        receive(&mut o, &[r(2, 0)], &HashSet::new()).unwrap();
        assert_eq!(o.lines[1].state, LineState::SoldOut);
    }

    #[test]
    fn bad_receipts_change_nothing() {
        let before = order();
        let cases = [
            (vec![r(1, 4)], "more_than_confirmed"),
            (vec![r(9, 1)], "unknown_line"),
            (vec![r(1, 1), r(1, 1)], "duplicate_line"),
        ];
        for (receipts, code) in cases {
            let mut o = order();
            assert_eq!(
                receive(&mut o, &receipts, &HashSet::new())
                    .unwrap_err()
                    .code(),
                code
            );
            assert_eq!(o, before);
        }
        let mut o = order();
        let done: HashSet<_> = [OrderLineId(1)].into();
        assert_eq!(
            receive(&mut o, &[r(1, 3)], &done).unwrap_err(),
            ReceiveError::AlreadyReceived(OrderLineId(1))
        );
        let mut o = order();
        o.state = OrderState::Packed;
        assert_eq!(
            receive(&mut o, &[r(1, 3)], &HashSet::new())
                .unwrap_err()
                .code(),
            "order_not_picking"
        );
    }
}
