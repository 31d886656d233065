//! Shared builders.

use ddhub_domain::order::{ExportOrder, LineState, OrderLine, OrderState};
use ddhub_domain::{Currency, Money, OrderId, OrderLineId, PartnerId, SkuId, WholesalerId};

pub fn usd(minor: i64) -> Money {
    Money {
        minor,
        currency: Currency::Usd,
    }
}

pub fn line(id: i64, wholesaler: i64, quantity: u32, price_minor: i64) -> OrderLine {
    OrderLine {
        id: OrderLineId(id),
        order_id: OrderId(1),
        sku_id: SkuId(100 + id),
        wholesaler_id: WholesalerId(wholesaler),
        quantity,
        confirmed_quantity: 0,
        unit_price: usd(price_minor),
        state: LineState::Pending,
    }
}

pub fn order(state: OrderState, lines: Vec<OrderLine>) -> ExportOrder {
    ExportOrder {
        id: OrderId(1),
        partner_id: PartnerId(7),
        partner_order_id: "JP-1001".into(),
        state,
        lines,
    }
}
