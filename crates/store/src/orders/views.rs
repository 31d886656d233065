//! Orders and purchase requests as partners and wholesalers read them.

use super::*;

/// An order as its partner sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OrderView {
    pub order_id: i64,
    pub partner_order_id: String,
    pub state: String,
    pub currency: String,
    /// `live`, or `test` for an order placed with a test key (`ddh_pt_…`).
    pub mode: &'static str,
    pub lines: Vec<LineView>,
}

/// An order's `mode` as the API shows it.
pub fn order_mode(test_mode: bool) -> &'static str {
    if test_mode { "test" } else { "live" }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LineView {
    pub line_id: i64,
    pub sku_id: i64,
    pub style_id: i64,
    pub wholesaler_id: i64,
    pub quantity: i32,
    pub confirmed_quantity: i32,
    /// In the order's currency, as every amount of the API (docs/api-conventions.md).
    pub unit_price: ddhub_domain::DecimalMoney,
    pub state: String,
    pub backorder_until: Option<String>,
    /// Whether the hub has received the line (its answer can no longer change). For the
    /// console; the API's schema does not carry it.
    #[serde(skip)]
    pub received: bool,
}

pub(crate) fn line_view(l: order_line::Model, currency: &str) -> LineView {
    LineView {
        line_id: l.id,
        sku_id: l.sku_id,
        style_id: l.style_id,
        wholesaler_id: l.wholesaler_id,
        quantity: l.quantity,
        confirmed_quantity: l.confirmed_quantity,
        unit_price: ddhub_domain::DecimalMoney::from_minor(l.unit_price_minor, currency),
        state: l.state,
        backorder_until: l.backorder_until,
        received: l.received_quantity.is_some(),
    }
}

/// An order of `partner` (another partner's is `NotFound`).
pub async fn get_order<C: ConnectionTrait>(
    conn: &C,
    partner: PartnerId,
    id: i64,
) -> Result<OrderView> {
    let o = export_order::Entity::find_by_id(id)
        .filter(export_order::Column::PartnerId.eq(partner.0))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(id))
        .order_by_asc(order_line::Column::Id)
        .all(conn)
        .await?;
    Ok(OrderView {
        order_id: o.id,
        partner_order_id: o.partner_order_id,
        state: o.state,
        mode: order_mode(o.test_mode),
        lines: lines
            .into_iter()
            .map(|l| line_view(l, &o.currency))
            .collect(),
        currency: o.currency,
    })
}

/// A purchase request (발주) as its wholesaler sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PurchaseRequestView {
    pub id: i64,
    pub order_id: i64,
    pub state: String,
    pub created_at: i64,
    pub lines: Vec<LineView>,
    /// The order's state (answers change until it is packed) and the country it goes to
    /// (ISO 3166 alpha-2): for the console; the API's schema does not carry them.
    #[serde(skip)]
    pub order_state: String,
    #[serde(skip)]
    pub destination: Option<String>,
}

/// The ids of test orders (placed with `ddh_pt_` keys): never shown to a wholesaler.
fn test_orders() -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(export_order::Column::Id)
        .from(export_order::Entity)
        .and_where(export_order::Column::TestMode.eq(true))
        .to_owned()
}

/// A wholesaler's purchase requests, optionally of one state, newest first.
pub async fn purchase_requests(
    store: &Store,
    wholesaler: WholesalerId,
    state: Option<&str>,
) -> Result<Vec<PurchaseRequestView>> {
    let mut q = purchase_request::Entity::find()
        .filter(purchase_request::Column::WholesalerId.eq(wholesaler.0))
        .filter(purchase_request::Column::OrderId.not_in_subquery(test_orders()));
    if let Some(s) = state {
        q = q.filter(purchase_request::Column::State.eq(s));
    }
    let prs = q
        .order_by_desc(purchase_request::Column::Id)
        .all(store.conn())
        .await?;
    let mut out = Vec::with_capacity(prs.len());
    for pr in prs {
        let lines = order_line::Entity::find()
            .filter(order_line::Column::PurchaseRequestId.eq(pr.id))
            .order_by_asc(order_line::Column::Id)
            .all(store.conn())
            .await?;
        let order = export_order::Entity::find_by_id(pr.order_id)
            .one(store.conn())
            .await?;
        let currency = order
            .as_ref()
            .map(|o| o.currency.clone())
            .unwrap_or_default();
        let destination = order.as_ref().and_then(|o| {
            serde_json::from_str::<serde_json::Value>(&o.ship_to)
                .ok()?
                .get("country")?
                .as_str()
                .map(str::to_string)
        });
        out.push(PurchaseRequestView {
            id: pr.id,
            order_id: pr.order_id,
            state: pr.state,
            created_at: pr.created_at,
            lines: lines.into_iter().map(|l| line_view(l, &currency)).collect(),
            order_state: order.map(|o| o.state).unwrap_or_default(),
            destination,
        });
    }
    Ok(out)
}

/// One line of an order with the purchase request (and wholesaler) it went to.
#[derive(Debug, Clone, Copy)]
pub struct LineRequest {
    pub line_id: i64,
    pub purchase_request_id: i64,
    pub wholesaler_id: WholesalerId,
}

/// The purchase request of each line of order `order_id`, in line order (the test helpers
/// route answers with it).
pub async fn purchase_requests_of_order<C: ConnectionTrait>(
    conn: &C,
    order_id: i64,
) -> Result<Vec<LineRequest>> {
    Ok(order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(order_id))
        .order_by_asc(order_line::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|l| {
            Some(LineRequest {
                line_id: l.id,
                purchase_request_id: l.purchase_request_id?,
                wholesaler_id: WholesalerId(l.wholesaler_id),
            })
        })
        .collect())
}

/// How many of a wholesaler's purchase requests wait for its answer (test orders never count).
pub async fn count_open_requests(store: &Store, wholesaler: WholesalerId) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(purchase_request::Entity::find()
        .filter(purchase_request::Column::WholesalerId.eq(wholesaler.0))
        .filter(purchase_request::Column::State.eq(PurchaseRequestState::Open.as_str()))
        .filter(purchase_request::Column::OrderId.not_in_subquery(test_orders()))
        .count(store.conn())
        .await?)
}

/// Orders a partner has (for tests and the operator).
pub async fn count_orders(store: &Store, partner: PartnerId) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(export_order::Entity::find()
        .filter(export_order::Column::PartnerId.eq(partner.0))
        .count(store.conn())
        .await?)
}

/// Which of a partner's orders [`list_orders`] answers.
#[derive(Debug, Clone, Default)]
pub struct OrderListFilter {
    /// Only orders in this state (`awaiting_wholesalers`, `confirmed`, …).
    pub state: Option<String>,
    /// Only the order with this id of the partner's own.
    pub partner_order_id: Option<String>,
    /// Only orders with an id below this one (the cursor of the previous page).
    pub before: Option<i64>,
}

/// A partner's orders, newest first, at most `limit`, each with its lines (read in one query
/// for the page, not one per order).
pub async fn list_orders(
    store: &Store,
    partner: PartnerId,
    filter: &OrderListFilter,
    limit: u64,
) -> Result<Vec<OrderView>> {
    use sea_orm::QuerySelect;
    let mut q = export_order::Entity::find().filter(export_order::Column::PartnerId.eq(partner.0));
    if let Some(s) = &filter.state {
        q = q.filter(export_order::Column::State.eq(s.clone()));
    }
    if let Some(p) = &filter.partner_order_id {
        q = q.filter(export_order::Column::PartnerOrderId.eq(p.clone()));
    }
    if let Some(b) = filter.before {
        q = q.filter(export_order::Column::Id.lt(b));
    }
    let orders = q
        .order_by_desc(export_order::Column::Id)
        .limit(limit)
        .all(store.conn())
        .await?;
    let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
    let currencies: std::collections::HashMap<i64, &str> =
        orders.iter().map(|o| (o.id, o.currency.as_str())).collect();
    let mut lines: std::collections::HashMap<i64, Vec<LineView>> = Default::default();
    if !ids.is_empty() {
        for l in order_line::Entity::find()
            .filter(order_line::Column::OrderId.is_in(ids))
            .order_by_asc(order_line::Column::Id)
            .all(store.conn())
            .await?
        {
            let currency = currencies.get(&l.order_id).copied().unwrap_or_default();
            lines
                .entry(l.order_id)
                .or_default()
                .push(line_view(l, currency));
        }
    }
    Ok(orders
        .into_iter()
        .map(|o| OrderView {
            lines: lines.remove(&o.id).unwrap_or_default(),
            order_id: o.id,
            partner_order_id: o.partner_order_id,
            state: o.state,
            mode: order_mode(o.test_mode),
            currency: o.currency,
        })
        .collect())
}
