//! Shipping an order's lines in a shipment (issue 17). When every line with confirmed pieces
//! has gone, the order moves packed → shipped (`order.packed`, then `order.shipped`); when only
//! some have, it stays where it is and the partner gets `order.shipped` marked `partial`, with
//! the lines that went. Either way the event names the shipment, its carrier and tracking.

use crate::lifecycle::{EventType, LifecycleError, OrderEvent, pack};
use ddhub_domain::OrderLineId;
use ddhub_domain::order::{ExportOrder, OrderState};
use serde_json::{Value, json};
use std::collections::HashSet;

/// The shipment as the partner's event shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dispatch {
    pub shipment_id: i64,
    pub carrier: String,
    pub service: String,
    pub tracking_numbers: Vec<String>,
}

/// Ships `now` (lines of this order in the shipment); `before` are lines shipped earlier in
/// other shipments. Returns the events; the order's state changes only when it is complete.
pub fn ship_lines(
    order: &mut ExportOrder,
    now: &HashSet<OrderLineId>,
    before: &HashSet<OrderLineId>,
    d: &Dispatch,
) -> Result<Vec<OrderEvent>, LifecycleError> {
    let live: Vec<OrderLineId> = order
        .lines
        .iter()
        .filter(|l| l.confirmed_quantity > 0)
        .map(|l| l.id)
        .collect();
    let complete = live
        .iter()
        .all(|id| now.contains(id) || before.contains(id));
    let mut lines: Vec<&OrderLineId> = now.iter().collect();
    lines.sort();
    let shipment = json!({
        "shipment_id": d.shipment_id,
        "carrier": d.carrier,
        "service": d.service,
        "tracking_numbers": d.tracking_numbers,
        "line_ids": lines,
    });
    let mut events = Vec::new();
    if complete {
        if order.state != OrderState::Packed {
            events.extend(pack(order)?);
        }
        let from = order.state;
        order.state = from.transition(OrderState::Shipped)?;
        events.push(OrderEvent {
            event_type: EventType::OrderShipped,
            data: event_data(order, from, false, shipment),
        });
    } else {
        events.push(OrderEvent {
            event_type: EventType::OrderShipped,
            data: event_data(order, order.state, true, shipment),
        });
    }
    Ok(events)
}

/// A shipment delivered to its consignee: `shipment.delivered` for this order, with the
/// shipment, its carrier and tracking and the order's lines it carried; and when no line of the
/// order is left in a shipment not yet delivered (`all_delivered`) and the order has shipped
/// whole, the order moves shipped → delivered (`order.delivered`).
pub fn deliver_lines(
    order: &mut ExportOrder,
    carried: &HashSet<OrderLineId>,
    all_delivered: bool,
    d: &Dispatch,
) -> Result<Vec<OrderEvent>, LifecycleError> {
    let mut lines: Vec<&OrderLineId> = carried.iter().collect();
    lines.sort();
    let shipment = json!({
        "shipment_id": d.shipment_id,
        "carrier": d.carrier,
        "service": d.service,
        "tracking_numbers": d.tracking_numbers,
        "line_ids": lines,
    });
    let mut events = vec![OrderEvent {
        event_type: EventType::ShipmentDelivered,
        data: json!({
            "order_id": order.id,
            "partner_order_id": order.partner_order_id,
            "state": order.state.as_str(),
            "shipment": shipment,
        }),
    }];
    if all_delivered && order.state == OrderState::Shipped {
        events.extend(crate::lifecycle::deliver(order)?);
    }
    Ok(events)
}

fn event_data(order: &ExportOrder, from: OrderState, partial: bool, shipment: Value) -> Value {
    json!({
        "order_id": order.id,
        "partner_order_id": order.partner_order_id,
        "from": from.as_str(),
        "state": order.state.as_str(),
        "partial": partial,
        "shipment": shipment,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ddhub_domain::order::{LineState, OrderLine};
    use ddhub_domain::{Currency, Money, OrderId, PartnerId, SkuId, WholesalerId};

    fn order(state: OrderState) -> ExportOrder {
        let line = |id: i64, confirmed: u32| OrderLine {
            id: OrderLineId(id),
            order_id: OrderId(1),
            sku_id: SkuId(id),
            wholesaler_id: WholesalerId(1),
            quantity: 2,
            confirmed_quantity: confirmed,
            unit_price: Money {
                minor: 100,
                currency: Currency::Usd,
            },
            state: if confirmed > 0 {
                LineState::Available
            } else {
                LineState::SoldOut
            },
        };
        ExportOrder {
            id: OrderId(1),
            partner_id: PartnerId(1),
            partner_order_id: "P".into(),
            state,
            lines: vec![line(1, 2), line(2, 2), line(3, 0)],
        }
    }

    fn d() -> Dispatch {
        Dispatch {
            shipment_id: 7,
            carrier: "Korea Post".into(),
            service: "kpacket".into(),
            tracking_numbers: vec!["LK123456789KR".into()],
        }
    }

    #[test]
    fn all_live_lines_ship_the_order() {
        let mut o = order(OrderState::PartiallyConfirmed);
        let now: HashSet<_> = [OrderLineId(1), OrderLineId(2)].into();
        let events = ship_lines(&mut o, &now, &HashSet::new(), &d()).unwrap();
        let types: Vec<_> = events.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(types, ["order.packed", "order.shipped"]);
        assert_eq!(o.state, OrderState::Shipped);
        assert_eq!(
            events[1].data["shipment"]["tracking_numbers"][0],
            "LK123456789KR"
        );
        assert_eq!(events[1].data["partial"], false);
    }

    #[test]
    fn some_lines_are_a_partial_shipment() {
        let mut o = order(OrderState::Confirmed);
        let now: HashSet<_> = [OrderLineId(1)].into();
        let events = ship_lines(&mut o, &now, &HashSet::new(), &d()).unwrap();
        assert_eq!(o.state, OrderState::Confirmed);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].data["partial"], true);
        // The rest goes later: now the order ships.
        let later: HashSet<_> = [OrderLineId(2)].into();
        ship_lines(&mut o, &later, &now, &d()).unwrap();
        assert_eq!(o.state, OrderState::Shipped);
    }

    #[test]
    fn delivery_tells_the_shipment_and_moves_a_whole_order() {
        let mut o = order(OrderState::Shipped);
        let carried: HashSet<OrderLineId> = [OrderLineId(1), OrderLineId(2)].into();
        let ev = deliver_lines(&mut o, &carried, true, &d()).unwrap();
        let types: Vec<&str> = ev.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(types, ["shipment.delivered", "order.delivered"]);
        assert_eq!(ev[0].data["shipment"]["line_ids"], json!([1, 2]));
        assert_eq!(o.state, OrderState::Delivered);

        // Another shipment of the order is still on its way: the order stays shipped.
        let mut o = order(OrderState::Shipped);
        let ev = deliver_lines(&mut o, &[OrderLineId(1)].into(), false, &d()).unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(o.state, OrderState::Shipped);
        // An order shipped only in part stays where it is.
        let mut o = order(OrderState::Packed);
        let ev = deliver_lines(&mut o, &[OrderLineId(1)].into(), true, &d()).unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(o.state, OrderState::Packed);
    }
}
