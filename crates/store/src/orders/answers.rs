//! A purchase request about to be answered, and recording the answers the order rules decided.

use super::events::{domain_order, lock_order_row};
use super::*;

/// A purchase request about to be answered, with its whole order as the order rules see it.
#[derive(Debug, Clone)]
pub struct AnswerContext {
    pub request_state: ddhub_domain::order::PurchaseRequestState,
    pub order: ddhub_domain::order::ExportOrder,
    /// The lines of this purchase request (the wholesaler's own).
    pub mine: Vec<ddhub_domain::OrderLineId>,
    /// Lines of this request the hub has received (their answers can no longer change).
    pub received: std::collections::HashSet<ddhub_domain::OrderLineId>,
}

/// The purchase request `id` of `wholesaler` and its order, read through the caller's
/// transaction (the answer is decided and written in it). `test_mode` says which orders the
/// caller may answer: a wholesaler only live ones, the test helpers only test ones (a
/// wholesaler never sees a test order, and a sandbox never answers for a real one).
pub async fn answer_context<C: ConnectionTrait>(
    conn: &C,
    wholesaler: WholesalerId,
    id: i64,
    test_mode: bool,
) -> Result<AnswerContext> {
    let pr = purchase_request::Entity::find_by_id(id)
        .filter(purchase_request::Column::WholesalerId.eq(wholesaler.0))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    // The order row first, locked (see `order_for_change`): answers from two wholesalers to
    // one order take turns, so the second decides the order's state from the first's lines.
    let order = lock_order_row(
        conn,
        export_order::Entity::find_by_id(pr.order_id)
            .filter(export_order::Column::TestMode.eq(test_mode)),
    )
    .await?
    .ok_or(StoreError::NotFound)?;
    let rows = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(pr.order_id))
        .order_by_asc(order_line::Column::Id)
        .all(conn)
        .await?;
    let mine = rows
        .iter()
        .filter(|l| l.purchase_request_id == Some(id))
        .map(|l| ddhub_domain::OrderLineId(l.id))
        .collect();
    let received = rows
        .iter()
        .filter(|l| l.purchase_request_id == Some(id) && l.received_quantity.is_some())
        .map(|l| ddhub_domain::OrderLineId(l.id))
        .collect();
    let (order, _) = domain_order(order, &rows)?;
    Ok(AnswerContext {
        request_state: pr
            .state
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("purchase request state {:?}", pr.state)))?,
        order,
        mine,
        received,
    })
}

/// One line's new answer.
#[derive(Debug, Clone)]
pub struct LineUpdate {
    pub line_id: i64,
    pub state: String,
    pub confirmed_quantity: u32,
    pub backorder_until: Option<String>,
}

/// A wholesaler's answers as they are to be recorded.
#[derive(Debug, Clone)]
pub struct AnswerRecord<'a> {
    pub partner: i64,
    pub order_id: i64,
    pub purchase_request: i64,
    pub request_state: &'a str,
    pub order_state: &'a str,
    pub updates: &'a [LineUpdate],
    pub events: &'a [(String, serde_json::Value)],
}

/// Records a wholesaler's answers, the request and order states, and their events, through the
/// caller's transaction.
pub async fn record_answers<C: ConnectionTrait>(conn: &C, r: AnswerRecord<'_>) -> Result<()> {
    let AnswerRecord {
        partner,
        order_id,
        purchase_request,
        request_state,
        order_state,
        updates,
        events,
    } = r;
    purchase_request::Entity::update_many()
        .col_expr(purchase_request::Column::State, Expr::value(request_state))
        .col_expr(
            purchase_request::Column::UpdatedAt,
            Expr::value(Timestamp::now().0),
        )
        .filter(purchase_request::Column::Id.eq(purchase_request))
        .exec(conn)
        .await?;
    record_order_change(conn, partner, order_id, order_state, updates, events).await
}
