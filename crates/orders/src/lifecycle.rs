//! The order lifecycle as operations on an [`ExportOrder`]: every change goes through
//! [`OrderState::transition`] and yields the [`OrderEvent`]s the store writes to the outbox in
//! the same transaction.

use crate::answers::{self, AmountError, LineChange, Outcome, ValidatedAnswer};
use crate::date::rfc3339;
use ddhub_domain::order::{ExportOrder, IllegalTransition, LineState, OrderState};
use ddhub_domain::{Money, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What happened, as the `type` of a webhook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    #[serde(rename = "order.received")]
    OrderReceived,
    #[serde(rename = "order.awaiting_wholesalers")]
    OrderAwaitingWholesalers,
    #[serde(rename = "order.confirmed")]
    OrderConfirmed,
    #[serde(rename = "order.partially_confirmed")]
    OrderPartiallyConfirmed,
    #[serde(rename = "order.packed")]
    OrderPacked,
    #[serde(rename = "order.shipped")]
    OrderShipped,
    #[serde(rename = "order.delivered")]
    OrderDelivered,
    #[serde(rename = "order.cancelled")]
    OrderCancelled,
    #[serde(rename = "order.line.available")]
    LineAvailable,
    #[serde(rename = "order.line.backordered")]
    LineBackordered,
    #[serde(rename = "order.line.sold_out")]
    LineSoldOut,
    #[serde(rename = "order.line.cancelled")]
    LineCancelled,
    /// A shipment carrying the order's lines was delivered (issue 17).
    #[serde(rename = "shipment.delivered")]
    ShipmentDelivered,
}

impl EventType {
    pub const ALL: [EventType; 13] = [
        EventType::OrderReceived,
        EventType::OrderAwaitingWholesalers,
        EventType::OrderConfirmed,
        EventType::OrderPartiallyConfirmed,
        EventType::OrderPacked,
        EventType::OrderShipped,
        EventType::OrderDelivered,
        EventType::OrderCancelled,
        EventType::LineAvailable,
        EventType::LineBackordered,
        EventType::LineSoldOut,
        EventType::LineCancelled,
        EventType::ShipmentDelivered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::OrderReceived => "order.received",
            EventType::OrderAwaitingWholesalers => "order.awaiting_wholesalers",
            EventType::OrderConfirmed => "order.confirmed",
            EventType::OrderPartiallyConfirmed => "order.partially_confirmed",
            EventType::OrderPacked => "order.packed",
            EventType::OrderShipped => "order.shipped",
            EventType::OrderDelivered => "order.delivered",
            EventType::OrderCancelled => "order.cancelled",
            EventType::LineAvailable => "order.line.available",
            EventType::LineBackordered => "order.line.backordered",
            EventType::LineSoldOut => "order.line.sold_out",
            EventType::LineCancelled => "order.line.cancelled",
            EventType::ShipmentDelivered => "shipment.delivered",
        }
    }

    /// The event of an order entering `state`.
    pub fn for_state(state: OrderState) -> EventType {
        match state {
            OrderState::Received => EventType::OrderReceived,
            OrderState::AwaitingWholesalers => EventType::OrderAwaitingWholesalers,
            OrderState::Confirmed => EventType::OrderConfirmed,
            OrderState::PartiallyConfirmed => EventType::OrderPartiallyConfirmed,
            OrderState::Packed => EventType::OrderPacked,
            OrderState::Shipped => EventType::OrderShipped,
            OrderState::Delivered => EventType::OrderDelivered,
            OrderState::Cancelled => EventType::OrderCancelled,
        }
    }
}

/// One change, for the outbox. The store gives it its id (the `webhook-id`) and time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderEvent {
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub data: Value,
}

impl OrderEvent {
    /// The webhook body, in Standard Webhooks' recommended shape: `{type, timestamp, data}`.
    pub fn webhook_payload(&self, occurred_at: Timestamp) -> Value {
        json!({
            "type": self.event_type.as_str(),
            "timestamp": rfc3339(occurred_at),
            "data": self.data,
        })
    }
}

/// Carrier and tracking number of a shipped parcel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shipment {
    pub carrier: String,
    pub tracking_number: String,
}

pub const MAX_CARRIER_CHARS: usize = 60;
pub const MAX_TRACKING_CHARS: usize = 64;

/// Why a lifecycle operation is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// The server answers 409.
    #[error(transparent)]
    IllegalTransition(#[from] IllegalTransition),
    /// Answers arrive only while the order waits for wholesalers or is (partially) confirmed;
    /// the server answers 409.
    #[error("an order in state {0} takes no more answers")]
    AnswersClosed(OrderState),
    #[error("shipping needs a carrier and a tracking number ({0})")]
    BadShipment(&'static str),
    #[error(transparent)]
    Amount(#[from] AmountError),
}

impl LifecycleError {
    pub fn code(&self) -> &'static str {
        match self {
            LifecycleError::IllegalTransition(_) => "illegal_transition",
            LifecycleError::AnswersClosed(_) => "answers_closed",
            LifecycleError::BadShipment(_) => "bad_shipment",
            LifecycleError::Amount(a) => a.code(),
        }
    }
}

/// The code of the error table each refusal answers with: a move the order's state does not
/// allow is a conflict, a bad shipment a refused body, an amount overflow an internal error.
impl ddhub_domain::error::Coded for LifecycleError {
    fn error_code(&self) -> ddhub_domain::error::ErrorCode {
        use ddhub_domain::error::ErrorCode;
        match self {
            LifecycleError::IllegalTransition(_) | LifecycleError::AnswersClosed(_) => {
                ErrorCode::Conflict
            }
            LifecycleError::BadShipment(_) => ErrorCode::InvalidBody,
            LifecycleError::Amount(_) => ErrorCode::Internal,
        }
    }

    fn public_detail(&self) -> Option<String> {
        Some(self.to_string())
    }
}

/// Money in an event's data, as everywhere in the API (docs/api-conventions.md).
pub(crate) fn money_json(m: Money) -> Value {
    json!(ddhub_domain::DecimalMoney::from(m))
}

pub(crate) fn state_event(
    order: &ExportOrder,
    from: OrderState,
    extra: Option<(&str, Value)>,
) -> Result<OrderEvent, LifecycleError> {
    let mut data = json!({
        "order_id": order.id,
        "partner_order_id": order.partner_order_id,
        "from": from.as_str(),
        "state": order.state.as_str(),
    });
    if matches!(
        order.state,
        OrderState::Confirmed | OrderState::PartiallyConfirmed | OrderState::Cancelled
    ) {
        let currency = order
            .lines
            .first()
            .map(|l| l.unit_price.currency)
            .unwrap_or(ddhub_domain::Currency::Usd);
        let refund = answers::refund_due(&order.lines, currency)?;
        data["refund"] = money_json(refund);
    }
    if let (Some((k, v)), Some(obj)) = (extra, data.as_object_mut()) {
        obj.insert(k.to_string(), v);
    }
    Ok(OrderEvent {
        event_type: EventType::for_state(order.state),
        data,
    })
}

fn move_to(
    order: &mut ExportOrder,
    to: OrderState,
    extra: Option<(&str, Value)>,
) -> Result<Vec<OrderEvent>, LifecycleError> {
    let from = order.state;
    order.state = from.transition(to)?;
    Ok(vec![state_event(order, from, extra)?])
}

/// The state an accepted order is written in. Its purchase requests are written with it, in the
/// same transaction, so it waits for its wholesalers from the start; its one event is
/// [`received`] in that state.
pub const ACCEPTED_STATE: OrderState = OrderState::AwaitingWholesalers;

/// The first event of an accepted order as the outbox stores it: type and data.
pub fn first_event(order: &ExportOrder) -> (String, Value) {
    let e = received(order);
    (e.event_type.as_str().to_string(), e.data)
}

/// The event of a new order, written with the order itself: its state and its lines.
pub fn received(order: &ExportOrder) -> OrderEvent {
    OrderEvent {
        event_type: EventType::OrderReceived,
        data: json!({
            "order_id": order.id,
            "partner_order_id": order.partner_order_id,
            "state": order.state.as_str(),
            "lines": order.lines.iter().map(|l| json!({
                "line_id": l.id, "sku_id": l.sku_id, "quantity": l.quantity,
                "unit_price": money_json(l.unit_price),
            })).collect::<Vec<_>>(),
        }),
    }
}

/// received → awaiting_wholesalers, once the purchase requests are written.
pub fn send_to_wholesalers(order: &mut ExportOrder) -> Result<Vec<OrderEvent>, LifecycleError> {
    move_to(order, OrderState::AwaitingWholesalers, None)
}

/// Applies validated answers, then moves the order to the state its lines call for
/// ([`answers::derive_state`]). One `order.line.*` event per answered line, then one order
/// event if the order state changed. Nothing changes on error.
pub fn record_answers(
    order: &mut ExportOrder,
    answers: &[ValidatedAnswer],
) -> Result<Vec<OrderEvent>, LifecycleError> {
    if !matches!(
        order.state,
        OrderState::AwaitingWholesalers | OrderState::Confirmed | OrderState::PartiallyConfirmed
    ) {
        return Err(LifecycleError::AnswersClosed(order.state));
    }
    let mut lines = order.lines.clone();
    let changes = answers::apply_answers(&mut lines, answers);
    let target = answers::derive_state(&lines);
    let from = order.state;
    if target != from {
        from.transition(target)?;
    }
    order.lines = lines;
    let mut events: Vec<OrderEvent> = changes.iter().map(|c| line_event(order, c)).collect();
    if target != from {
        order.state = target;
        events.push(state_event(order, from, None)?);
    }
    Ok(events)
}

fn line_event(order: &ExportOrder, c: &LineChange) -> OrderEvent {
    let (event_type, extra) = match c.outcome {
        Outcome::Available { .. } => (EventType::LineAvailable, Value::Null),
        Outcome::Backorder { expected_date, .. } => (
            EventType::LineBackordered,
            Value::String(expected_date.to_string()),
        ),
        Outcome::SoldOut => (EventType::LineSoldOut, Value::Null),
    };
    let line = order.lines.iter().find(|l| l.id == c.line_id);
    let mut data = json!({
        "order_id": order.id,
        "partner_order_id": order.partner_order_id,
        "line_id": c.line_id,
        "sku_id": line.map(|l| l.sku_id),
        "from": c.from.as_str(),
        "state": c.to.as_str(),
        "quantity": line.map(|l| l.quantity),
        "confirmed_quantity": c.confirmed_quantity,
    });
    if !extra.is_null() {
        data["expected_date"] = extra;
    }
    if let Some(l) = line {
        data["refund"] = money_json(l.refund());
    }
    OrderEvent { event_type, data }
}

/// confirmed | partially_confirmed → packed (the papers are built now).
pub fn pack(order: &mut ExportOrder) -> Result<Vec<OrderEvent>, LifecycleError> {
    move_to(order, OrderState::Packed, None)
}

/// packed → shipped, with a carrier and a tracking number (trimmed, non-empty, bounded).
pub fn ship(
    order: &mut ExportOrder,
    shipment: &Shipment,
) -> Result<Vec<OrderEvent>, LifecycleError> {
    let carrier = shipment.carrier.trim();
    let tracking = shipment.tracking_number.trim();
    if carrier.is_empty() || carrier.chars().count() > MAX_CARRIER_CHARS {
        return Err(LifecycleError::BadShipment("carrier"));
    }
    if tracking.is_empty()
        || tracking.chars().count() > MAX_TRACKING_CHARS
        || tracking.chars().any(char::is_control)
    {
        return Err(LifecycleError::BadShipment("tracking_number"));
    }
    let payload = json!({ "carrier": carrier, "tracking_number": tracking });
    move_to(order, OrderState::Shipped, Some(("shipment", payload)))
}

/// shipped → delivered.
pub fn deliver(order: &mut ExportOrder) -> Result<Vec<OrderEvent>, LifecycleError> {
    move_to(order, OrderState::Delivered, None)
}

/// Any state before shipping → cancelled. Every line not yet cancelled becomes `cancelled`
/// with no confirmed pieces (one `order.line.cancelled` each), so the refund is the whole
/// amount; the order event carries it.
pub fn cancel(
    order: &mut ExportOrder,
    reason: Option<&str>,
) -> Result<Vec<OrderEvent>, LifecycleError> {
    let from = order.state;
    from.transition(OrderState::Cancelled)?;
    let mut events = Vec::new();
    let ids: Vec<_> = order
        .lines
        .iter()
        .filter(|l| l.state != LineState::Cancelled)
        .map(|l| l.id)
        .collect();
    for id in ids {
        if let Some(line) = order.lines.iter_mut().find(|l| l.id == id) {
            let before = line.state;
            line.state = LineState::Cancelled;
            line.confirmed_quantity = 0;
            let refund = line.refund();
            events.push(OrderEvent {
                event_type: EventType::LineCancelled,
                data: json!({
                    "order_id": order.id,
                    "partner_order_id": order.partner_order_id,
                    "line_id": id,
                    "from": before.as_str(),
                    "state": "cancelled",
                    "refund": money_json(refund),
                }),
            });
        }
    }
    order.state = OrderState::Cancelled;
    let reason = reason.map(|r| Value::String(r.chars().take(500).collect()));
    events.push(state_event(order, from, reason.map(|r| ("reason", r)))?);
    Ok(events)
}
