//! Export orders, their lines and purchase requests (발주), with their state machines.

use crate::style::str_enum;
use crate::{Money, OrderId, OrderLineId, PartnerId, PurchaseRequestId, SkuId, WholesalerId};
use serde::{Deserialize, Serialize};

/// Where an export order is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    Received,
    AwaitingWholesalers,
    Confirmed,
    PartiallyConfirmed,
    Packed,
    Shipped,
    Delivered,
    Cancelled,
}
str_enum!(OrderState {
    Received => "received",
    AwaitingWholesalers => "awaiting_wholesalers",
    Confirmed => "confirmed",
    PartiallyConfirmed => "partially_confirmed",
    Packed => "packed",
    Shipped => "shipped",
    Delivered => "delivered",
    Cancelled => "cancelled",
});

/// A transition the order state machine does not allow.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("an order cannot go from {from} to {to}")]
pub struct IllegalTransition {
    pub from: OrderState,
    pub to: OrderState,
}

impl OrderState {
    /// received → awaiting_wholesalers → confirmed | partially_confirmed → packed → shipped →
    /// delivered; any state before shipping may be cancelled. Answers may still move an order
    /// between confirmed and partially confirmed until it is packed.
    pub fn can_become(self, to: OrderState) -> bool {
        use OrderState::*;
        matches!(
            (self, to),
            (Received, AwaitingWholesalers)
                | (AwaitingWholesalers, Confirmed)
                | (AwaitingWholesalers, PartiallyConfirmed)
                | (PartiallyConfirmed, Confirmed)
                | (Confirmed, PartiallyConfirmed)
                | (Confirmed, Packed)
                | (PartiallyConfirmed, Packed)
                | (Packed, Shipped)
                | (Shipped, Delivered)
                | (Received, Cancelled)
                | (AwaitingWholesalers, Cancelled)
                | (Confirmed, Cancelled)
                | (PartiallyConfirmed, Cancelled)
                | (Packed, Cancelled)
        )
    }

    /// The next state, or the reason it is refused.
    pub fn transition(self, to: OrderState) -> Result<OrderState, IllegalTransition> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, OrderState::Delivered | OrderState::Cancelled)
    }
}

/// A wholesaler's answer on one order line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    /// Waiting for the wholesaler's answer.
    Pending,
    Available,
    /// 미송: will ship later.
    Backorder,
    /// 품절.
    SoldOut,
    Cancelled,
}
str_enum!(LineState {
    Pending => "pending",
    Available => "available",
    Backorder => "backorder",
    SoldOut => "sold_out",
    Cancelled => "cancelled",
});

/// One line of an export order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub id: OrderLineId,
    pub order_id: OrderId,
    pub sku_id: SkuId,
    pub wholesaler_id: WholesalerId,
    pub quantity: u32,
    /// Pieces the wholesaler confirmed (available or backordered).
    pub confirmed_quantity: u32,
    pub unit_price: Money,
    pub state: LineState,
}

impl OrderLine {
    /// What the partner is owed back for pieces that will not ship.
    pub fn refund(&self) -> Money {
        let missing = self.quantity.saturating_sub(self.confirmed_quantity);
        Money {
            minor: self.unit_price.minor.saturating_mul(i64::from(missing)),
            currency: self.unit_price.currency,
        }
    }
}

/// An export order placed by a partner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportOrder {
    pub id: OrderId,
    pub partner_id: PartnerId,
    pub partner_order_id: String,
    pub state: OrderState,
    pub lines: Vec<OrderLine>,
}

/// The state of a purchase request (발주) sent to one wholesaler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseRequestState {
    Open,
    Answered,
    Cancelled,
}
str_enum!(PurchaseRequestState { Open => "open", Answered => "answered", Cancelled => "cancelled" });

/// The part of an export order that goes to one wholesaler.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseRequest {
    pub id: PurchaseRequestId,
    pub order_id: OrderId,
    pub wholesaler_id: WholesalerId,
    pub state: PurchaseRequestState,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    #[test]
    fn every_illegal_transition_is_refused() {
        use OrderState::*;
        let all = [
            Received,
            AwaitingWholesalers,
            Confirmed,
            PartiallyConfirmed,
            Packed,
            Shipped,
            Delivered,
            Cancelled,
        ];
        let mut legal = 0;
        for from in all {
            for to in all {
                match from.transition(to) {
                    Ok(s) => {
                        assert_eq!(s, to);
                        legal += 1;
                    }
                    Err(e) => assert_eq!(e, IllegalTransition { from, to }),
                }
            }
        }
        assert_eq!(legal, 14);
        assert!(!Delivered.can_become(Cancelled));
        assert!(!Shipped.can_become(Packed));
        assert!(Cancelled.is_final());
    }

    #[test]
    fn refund_counts_missing_pieces() {
        let line = OrderLine {
            id: OrderLineId(1),
            order_id: OrderId(1),
            sku_id: SkuId(1),
            wholesaler_id: WholesalerId(1),
            quantity: 5,
            confirmed_quantity: 3,
            unit_price: Money {
                minor: 1_299,
                currency: Currency::Usd,
            },
            state: LineState::Available,
        };
        assert_eq!(line.refund().minor, 2_598);
    }
}
