//! Order intake: what a keyed request writes, and the commit that stores an order and its
//! key's answer together (PostgreSQL in `intake_pg`, SQLite in `intake_sqlite`).

use super::*;

/// What a keyed request comes to once validated.
#[derive(Debug, Clone)]
pub enum KeyedOutcome {
    /// A valid order to write; `conflict_body` is the answer (409) when the partner's order id
    /// was used before: its [`EXISTING_ORDER_ID_SLOT`], if any, is filled with that order's id.
    Order {
        order: NewOrder,
        conflict_body: String,
    },
    /// An answer without an order (422 with its reasons), stored and replayed like any other.
    Answer { status: u16, body: String },
}

/// The text in a 409 answer that the store replaces with `"existing_order_id":<id>` when it
/// stores it (the id is known only inside the write, on PostgreSQL inside its one statement).
pub const EXISTING_ORDER_ID_SLOT: &str = "\"existing_order_id\":null";

/// The conflict answer with the existing order's id in its slot.
pub(crate) fn fill_existing_order_id(body: &str, id: Option<i64>) -> String {
    match id {
        Some(id) => body.replacen(
            EXISTING_ORDER_ID_SLOT,
            &format!("\"existing_order_id\":{id}"),
            1,
        ),
        None => body.to_string(),
    }
}

/// A keyed request ready to commit.
#[derive(Debug, Clone)]
pub struct KeyedWrite {
    pub partner: PartnerId,
    pub key: String,
    pub fingerprint: String,
    pub outcome: KeyedOutcome,
}

/// What [`commit_keyed`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Committed {
    /// Written: answer this (it is stored under the key).
    Stored { status: u16, body: String },
    /// Nothing written: the key was taken meanwhile (by another process, or a request that
    /// finished between the first look and this write).
    Existing(KeyState),
}

/// Stores a keyed request's outcome: the order (with its lines, purchase requests, first event
/// and webhook delivery) and the key's stored answer commit in one transaction, after the key
/// is checked again inside it. On PostgreSQL the transaction first takes a per-key advisory
/// lock with `pg_try_advisory_xact_lock` (a request holding it is in flight: 409, without
/// waiting); on SQLite the write goes through a group-commit writer (see [`BatchItem`]).
pub async fn commit_keyed(store: &Store, write: KeyedWrite) -> Result<Committed> {
    match store.backend() {
        Backend::Postgres => {
            let txn = store.begin_write().await?;
            let done = write_keyed_pg(&txn, &write).await?;
            match done {
                Committed::Stored { .. } => txn.commit().await?,
                Committed::Existing(_) => txn.rollback().await?,
            }
            Ok(done)
        }
        Backend::Sqlite => {
            let (reply, answer) = tokio::sync::oneshot::channel();
            let tx = store
                .intake
                .writer
                .get_or_init(|| spawn_group_writer(store.conn().clone()));
            tx.send(BatchItem { write, reply })
                .await
                .map_err(|_| StoreError::Invalid("the intake writer has stopped".into()))?;
            answer
                .await
                .map_err(|_| StoreError::Invalid("the intake writer has stopped".into()))?
        }
    }
}

/// What the catalog says of one SKU at intake.
#[derive(Debug, Clone)]
pub struct SkuFacts {
    pub sku_id: SkuId,
    pub style_id: StyleId,
    pub wholesaler_id: WholesalerId,
    pub style_code: String,
    pub colour: String,
    pub size: String,
    pub stock: String,
    pub style_state: String,
    pub moq: u32,
    pub price_krw: i64,
}

/// Facts for the SKUs named by id or by style code (every SKU of those styles), in one query.
pub async fn sku_facts(store: &Store, ids: &[SkuId], codes: &[String]) -> Result<Vec<SkuFacts>> {
    if ids.is_empty() && codes.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = crate::bulk::Sql::new(store.conn().get_database_backend());
    sql.push(
        "SELECT k.id AS sku_id, k.colour, k.size, k.stock, s.id AS style_id, s.wholesaler_id, \
         s.style_code, s.state, s.moq, s.price_krw \
         FROM skus k JOIN styles s ON s.id = k.style_id WHERE ",
    );
    if !ids.is_empty() {
        sql.in_list("k.id", ids.iter().map(|s| s.0.into()).collect());
    }
    if !codes.is_empty() {
        if !ids.is_empty() {
            sql.push(" OR ");
        }
        sql.in_list(
            "s.style_code",
            codes.iter().map(|c| c.clone().into()).collect(),
        );
    }
    let rows = store.conn().query_all_raw(sql.build()).await?;
    let mut seen = HashSet::new();
    let mut facts = Vec::with_capacity(rows.len());
    for r in rows {
        let sku_id: i64 = r.try_get("", "sku_id")?;
        if !seen.insert(sku_id) {
            continue;
        }
        let moq: i32 = r.try_get("", "moq")?;
        facts.push(SkuFacts {
            sku_id: SkuId(sku_id),
            style_id: StyleId(r.try_get("", "style_id")?),
            wholesaler_id: WholesalerId(r.try_get("", "wholesaler_id")?),
            style_code: r.try_get("", "style_code")?,
            colour: r.try_get("", "colour")?,
            size: r.try_get("", "size")?,
            stock: r.try_get("", "stock")?,
            style_state: r.try_get("", "state")?,
            moq: u32::try_from(moq).unwrap_or(1),
            price_krw: r.try_get("", "price_krw")?,
        });
    }
    Ok(facts)
}

/// One accepted line of a new order.
#[derive(Debug, Clone)]
pub struct NewLine {
    pub sku_id: SkuId,
    pub style_id: StyleId,
    pub wholesaler_id: WholesalerId,
    pub quantity: u32,
    pub unit_price_minor: i64,
}

/// A new order as the order rules (`ddhub-orders`) decided it: validated lines, the state it is
/// written in, its purchase requests (one per wholesaler, in the rules' order) and its first
/// event. Both write paths persist exactly this; the store decides none of it.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub partner: PartnerId,
    pub partner_order_id: String,
    pub currency: ddhub_domain::Currency,
    pub ship_to: serde_json::Value,
    pub notes: Option<String>,
    /// Placed with a test key: marked so, and never shown to a wholesaler.
    pub test_mode: bool,
    pub lines: Vec<NewLine>,
    pub state: OrderState,
    /// The wholesalers that get a purchase request, in the order their ids are drawn.
    pub purchase_requests: Vec<WholesalerId>,
    /// The order's first event (type and data), made from the order once its ids are drawn.
    pub first_event: fn(&ddhub_domain::order::ExportOrder) -> (String, serde_json::Value),
}

impl NewOrder {
    /// Every line's wholesaler must have a purchase request: anything else is a caller's bug
    /// that would leave a line nobody is asked for.
    pub(crate) fn check_split(&self) -> Result<()> {
        match self
            .lines
            .iter()
            .find(|l| !self.purchase_requests.contains(&l.wholesaler_id))
        {
            Some(l) => Err(StoreError::Invalid(format!(
                "line of wholesaler {} has no purchase request",
                l.wholesaler_id.0
            ))),
            None => Ok(()),
        }
    }

    /// The order as the rules see it, with the ids the write drew.
    pub(crate) fn as_export_order(
        &self,
        order_id: i64,
        line_ids: &[i64],
    ) -> ddhub_domain::order::ExportOrder {
        use ddhub_domain::order::OrderLine;
        ddhub_domain::order::ExportOrder {
            id: ddhub_domain::OrderId(order_id),
            partner_id: self.partner,
            partner_order_id: self.partner_order_id.clone(),
            state: self.state,
            lines: self
                .lines
                .iter()
                .zip(line_ids)
                .map(|(l, id)| OrderLine {
                    id: ddhub_domain::OrderLineId(*id),
                    order_id: ddhub_domain::OrderId(order_id),
                    sku_id: l.sku_id,
                    wholesaler_id: l.wholesaler_id,
                    quantity: l.quantity,
                    confirmed_quantity: 0,
                    unit_price: ddhub_domain::Money {
                        minor: l.unit_price_minor,
                        currency: self.currency,
                    },
                    state: LineState::Pending,
                })
                .collect(),
        }
    }
}

/// The ids an intake wrote.
#[derive(Debug, Clone)]
pub struct CreatedOrder {
    pub order_id: i64,
    /// Purchase request id per wholesaler.
    pub purchase_requests: Vec<(WholesalerId, i64)>,
    /// The order as [`get_order`] would read it back, made from the rows the inserts returned.
    pub view: OrderView,
}
