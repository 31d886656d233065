//! Export orders: placing them (idempotent intake), the wholesalers' answers, the lifecycle
//! operations (pack, ship, deliver, cancel) and the export papers. Every order rule is
//! `ddhub-orders`'s; these functions read what the rules need, call them, and have the store
//! write exactly what they return. The API, the console and the CLI call these.

use crate::error::{AppError, ErrorCode, error_json};
use ddhub_domain::order::{OrderLine, OrderState};
use ddhub_domain::style::{Quantity, StockState, StyleState};
use ddhub_domain::{Currency, Money, OrderId, PartnerId, SkuId, WholesalerId};
use ddhub_orders::intake::{CatalogItem, IntakePolicy, ItemRef, Lookup, OrderRequest};
use ddhub_orders::lifecycle::{self, LifecycleError, Shipment};
use ddhub_store::orders::{NewLine, NewOrder};
use ddhub_store::{Store, StoreError, orders};

/// A lifecycle operation.
#[derive(Debug, Clone)]
pub enum Operation {
    Pack,
    Ship(Shipment),
    Deliver,
    Cancel(Option<String>),
}

#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Not allowed from the order's state (answer 409).
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    #[error("stored order is unreadable: {0}")]
    Corrupt(String),
}

impl ddhub_domain::error::Coded for OpError {
    fn error_code(&self) -> ddhub_domain::error::ErrorCode {
        match self {
            OpError::Store(e) => e.error_code(),
            OpError::Lifecycle(e) => e.error_code(),
            OpError::Corrupt(_) => ddhub_domain::error::ErrorCode::Internal,
        }
    }

    fn public_detail(&self) -> Option<String> {
        match self {
            OpError::Store(e) => e.public_detail(),
            OpError::Lifecycle(e) => e.public_detail(),
            OpError::Corrupt(_) => None,
        }
    }
}

/// Applies `op` to order `id` (of `partner` when given) and records the change with its events
/// in one transaction. Returns the order's new state.
pub async fn apply(
    store: &Store,
    partner: Option<PartnerId>,
    id: i64,
    op: Operation,
) -> Result<OrderState, OpError> {
    let txn = store.begin_write().await?;
    let record = orders::order_for_change(&txn, partner, id).await?;
    let mut order = record.order;
    let before: Vec<(i64, String, u32)> = order
        .lines
        .iter()
        .map(|l| (l.id.0, l.state.as_str().to_string(), l.confirmed_quantity))
        .collect();
    let events = match op {
        Operation::Pack => lifecycle::pack(&mut order)?,
        Operation::Ship(s) => lifecycle::ship(&mut order, &s)?,
        Operation::Deliver => lifecycle::deliver(&mut order)?,
        Operation::Cancel(reason) => lifecycle::cancel(&mut order, reason.as_deref())?,
    };
    let updates: Vec<orders::LineUpdate> = order
        .lines
        .iter()
        .filter(|l| {
            !before.iter().any(|(id, s, q)| {
                *id == l.id.0 && s == l.state.as_str() && *q == l.confirmed_quantity
            })
        })
        .map(|l| orders::LineUpdate {
            line_id: l.id.0,
            state: l.state.as_str().to_string(),
            confirmed_quantity: l.confirmed_quantity,
            // Lifecycle moves keep a line's 미송 date as the wholesaler gave it (the rules
            // never reorder lines: details follow them one for one).
            backorder_until: before
                .iter()
                .position(|(id, _, _)| *id == l.id.0)
                .and_then(|i| record.details.get(i))
                .and_then(|d| d.backorder_until.clone()),
        })
        .collect();
    let events: Vec<(String, serde_json::Value)> = events
        .into_iter()
        .map(|e| (e.event_type.as_str().to_string(), e.data))
        .collect();
    let partner_id = order.partner_id.0;
    orders::record_order_change(
        &txn,
        partner_id,
        id,
        order.state.as_str(),
        &updates,
        &events,
    )
    .await?;
    txn.commit().await.map_err(StoreError::from)?;
    Ok(order.state)
}

/// Why papers cannot be made now.
#[derive(Debug, thiserror::Error)]
pub enum PapersError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("papers exist once the order is packed; it is {0}")]
    NotPacked(String),
    #[error(transparent)]
    Build(#[from] ddhub_orders::export::papers::PapersError),
    #[error("stored order is unreadable: {0}")]
    Corrupt(String),
}

/// The commercial invoice and packing list of a packed (or later) order of `partner`.
pub async fn papers(
    store: &Store,
    partner: PartnerId,
    id: i64,
) -> Result<ddhub_orders::export::papers::ExportPapers, PapersError> {
    use ddhub_orders::export::papers::{PackagingRules, PapersInput, UsdRates};
    let orders::OrderRecord {
        order,
        currency,
        ship_to,
        details,
    } = orders::order_for_change(store.conn(), Some(partner), id).await?;
    if !matches!(
        order.state,
        OrderState::Packed | OrderState::Shipped | OrderState::Delivered
    ) {
        return Err(PapersError::NotPacked(order.state.as_str().to_string()));
    }
    let poid = order.partner_order_id.clone();
    let usd = ddhub_store::rates::get_rate(store, Currency::Usd)
        .await?
        .ok_or(ddhub_orders::export::papers::PapersError::MissingRate(
            Currency::Usd,
        ))?;
    let source = ddhub_store::rates::get_rate(store, currency).await?;
    let items = paper_items(store, &order, &details, None).await?;
    let consignee = consignee_party(&ship_to);
    let shipper = hub_shipper();
    let today = ddhub_orders::date::seoul_today();
    let input = PapersInput {
        invoice_number: format!("DDH-{id:08}"),
        date: today,
        order_id: OrderId(id),
        partner_order_id: poid,
        shipper,
        consignee,
        incoterm: Default::default(),
        items,
        rates: UsdRates { usd, source },
        packaging: PackagingRules::default(),
    };
    Ok(ddhub_orders::export::papers::build_papers(&input)?)
}

/// The papers' lines of an order: its lines with confirmed pieces (or, with `only`, the lines
/// named there with those pieces: a shipment's), with English titles, HS inputs and origin.
pub async fn paper_items(
    store: &Store,
    order: &ddhub_domain::order::ExportOrder,
    details: &[orders::LineDetail],
    only: Option<&std::collections::HashMap<i64, u32>>,
) -> Result<Vec<ddhub_orders::export::papers::PaperItem>, PapersError> {
    use ddhub_orders::export::papers::PaperItem;
    let style_ids: Vec<ddhub_domain::StyleId> = details.iter().map(|d| d.style).collect();
    let rows: std::collections::HashMap<i64, ddhub_store::catalog::ListingRow> =
        ddhub_store::catalog::listing_rows(store, &style_ids)
            .await?
            .into_iter()
            .map(|r| (r.style.id.0, r))
            .collect();
    let titles = ddhub_store::translations::field_for_styles(
        store,
        &style_ids,
        ddhub_domain::Locale::En,
        ddhub_domain::translation::TranslatableField::Title,
    )
    .await?;
    let mut items = Vec::new();
    for (l, d) in order.lines.iter().zip(details) {
        let quantity = match only {
            Some(m) => m.get(&l.id.0).copied().unwrap_or(0),
            None => l.confirmed_quantity,
        };
        if quantity == 0 {
            continue;
        }
        let Some(row) = rows.get(&d.style.0) else {
            continue;
        };
        let sku = row.skus.iter().find(|k| k.id == l.sku_id);
        items.push(PaperItem {
            sku_id: l.sku_id,
            style_code: row.style.style_code.clone(),
            description_en: titles
                .get(&d.style.0)
                .cloned()
                .unwrap_or_else(|| format!("Apparel {}", row.style.style_code)),
            colour: sku.map(|k| k.colour.clone()).unwrap_or_default(),
            size: sku.map(|k| k.size.clone()).unwrap_or_default(),
            category: row.style.category.clone(),
            composition: row.style.composition.clone(),
            construction: None,
            gender: ddhub_orders::export::hs::Gender::Women,
            origin: row.style.origin.clone().unwrap_or_else(|| "KR".into()),
            quantity,
            unit_price: l.unit_price,
            net_grams_per_piece: None,
        });
    }
    Ok(items)
}

/// The consignee on the papers, from an order's `ship_to`.
pub fn consignee_party(ship_to: &serde_json::Value) -> ddhub_orders::export::papers::Party {
    let text = |k: &str| ship_to.get(k).and_then(|v| v.as_str()).map(str::to_string);
    ddhub_orders::export::papers::Party {
        name: text("name").unwrap_or_default(),
        address_lines: ship_to
            .get("address_lines")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        postal_code: text("postal_code"),
        country: text("country").unwrap_or_default(),
        phone: text("phone"),
        tax_id: None,
    }
}

/// The hub as shipper and exporter on the papers.
pub fn hub_shipper() -> ddhub_orders::export::papers::Party {
    ddhub_orders::export::papers::Party {
        name: "DDHub Consolidation Centre".into(),
        address_lines: vec!["Dongdaemun Fashion Town".into(), "Jung-gu, Seoul".into()],
        postal_code: Some("04564".into()),
        country: "KR".into(),
        phone: None,
        tax_id: None,
    }
}

/// Records a wholesaler's answers to one purchase request. The order rules are
/// `ddhub-orders`'s: [`ddhub_orders::answers::validate_answers`] checks the answers against
/// the request, [`lifecycle::record_answers`] applies them, moves the order and names the
/// events, and this writes exactly what it returned, in one transaction. `Ok(Err(_))` carries
/// answers that do not fit the request (nothing was written).
pub async fn answer(
    app: &crate::AppState,
    wholesaler: WholesalerId,
    id: i64,
    req: &ddhub_orders::answers::AnswerRequest,
) -> crate::AppResult<Result<orders::PurchaseRequestView, ddhub_orders::answers::AnswerRejection>> {
    let txn = app.store.begin_write().await?;
    let order = match answer_in(&txn, wholesaler, id, req, false).await? {
        Ok(order) => order,
        Err(rejection) => return Ok(Err(rejection)),
    };
    txn.commit().await.map_err(StoreError::from)?;
    // A storefront buyer hears of answers by e-mail; a mail problem never undoes the answer.
    if let Err(e) = super::buyers::notify_answers(app, order.partner_id, order.id.0).await {
        tracing::warn!(order = order.id.0, error = ?e, "buyer not told of answers");
    }
    let view = orders::purchase_requests(&app.store, wholesaler, None)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(AppError::not_found)?;
    Ok(Ok(view))
}

/// Test mode (issue 22): answers a test order's lines as its wholesalers would, through the
/// very rules and writes of [`answer`], so that a partner's integration sees every event and
/// webhook of the real flow while no wholesaler is asked. The lines may span several
/// wholesalers' purchase requests; all are answered in one transaction or none is. `NotFound`
/// for an order that is not this (sandbox) partner's test order.
pub async fn answer_test_order(
    app: &crate::AppState,
    partner: PartnerId,
    order_id: i64,
    req: &ddhub_orders::answers::AnswerRequest,
) -> crate::AppResult<Result<orders::OrderView, ddhub_orders::answers::AnswerRejection>> {
    let view = orders::get_order(app.store.conn(), partner, order_id).await?;
    if view.mode != orders::order_mode(true) {
        return Err(AppError::with_detail(
            ErrorCode::NotFound,
            "test helpers answer test orders only (placed with a ddh_pt_ key)",
        ));
    }
    let requests = orders::purchase_requests_of_order(app.store.conn(), order_id).await?;
    // Each answer goes to its line's purchase request; a line not of this order goes to the
    // first, whose rules refuse it by name.
    let mut groups: Vec<(i64, WholesalerId, Vec<ddhub_orders::answers::LineAnswer>)> = Vec::new();
    for a in &req.lines {
        let (pr, w) = requests
            .iter()
            .find(|r| r.line_id == a.line_id.0)
            .or_else(|| requests.first())
            .map(|r| (r.purchase_request_id, r.wholesaler_id))
            .ok_or_else(AppError::not_found)?;
        match groups.iter_mut().find(|g| g.0 == pr) {
            Some(g) => g.2.push(a.clone()),
            None => groups.push((pr, w, vec![a.clone()])),
        }
    }
    let txn = app.store.begin_write().await?;
    for (pr, wholesaler, lines) in groups {
        let group = ddhub_orders::answers::AnswerRequest { lines };
        if let Err(rejection) = answer_in(&txn, wholesaler, pr, &group, true).await? {
            return Ok(Err(rejection));
        }
    }
    txn.commit().await.map_err(StoreError::from)?;
    Ok(Ok(
        orders::get_order(app.store.conn(), partner, order_id).await?
    ))
}

/// Decides and writes one purchase request's answers through `txn`; the order as it now is.
async fn answer_in(
    txn: &ddhub_store::DatabaseTransaction,
    wholesaler: WholesalerId,
    id: i64,
    req: &ddhub_orders::answers::AnswerRequest,
    test_mode: bool,
) -> crate::AppResult<
    Result<ddhub_domain::order::ExportOrder, ddhub_orders::answers::AnswerRejection>,
> {
    use ddhub_domain::order::{LineState, PurchaseRequestState};
    use ddhub_orders::answers::Outcome;
    let orders::AnswerContext {
        request_state,
        mut order,
        mine,
        received,
    } = orders::answer_context(txn, wholesaler, id, test_mode).await?;
    // An answered request can still be answered again (미송 → 가능, fewer pieces) until the
    // hub receives the pieces (the rules refuse those lines) or the order is packed
    // (`lifecycle::record_answers` refuses): the market changes its mind, and says so.
    if request_state == PurchaseRequestState::Cancelled {
        return Err(AppError::with_detail(
            ErrorCode::Conflict,
            "this purchase request was cancelled",
        ));
    }
    let my_lines: Vec<OrderLine> = order
        .lines
        .iter()
        .filter(|l| mine.contains(&l.id))
        .cloned()
        .collect();
    let today = ddhub_orders::date::seoul_today();
    let answers = match ddhub_orders::answers::validate_answers_before_pickup(
        &my_lines, &req.lines, today, &received,
    ) {
        Ok(a) => a,
        Err(rejection) => return Ok(Err(rejection)),
    };
    let events = lifecycle::record_answers(&mut order, &answers).map_err(|e| match e {
        LifecycleError::AnswersClosed(_) | LifecycleError::IllegalTransition(_) => {
            AppError::with_detail(ErrorCode::Conflict, e.to_string())
        }
        other => AppError::internal(other),
    })?;
    let updates: Vec<orders::LineUpdate> = answers
        .iter()
        .filter_map(|a| {
            let line = order.lines.iter().find(|l| l.id == a.line_id)?;
            Some(orders::LineUpdate {
                line_id: a.line_id.0,
                state: line.state.as_str().to_string(),
                confirmed_quantity: line.confirmed_quantity,
                backorder_until: match &a.outcome {
                    Outcome::Backorder { expected_date, .. } => Some(expected_date.to_string()),
                    _ => None,
                },
            })
        })
        .collect();
    let events: Vec<(String, serde_json::Value)> = events
        .into_iter()
        .map(|e| (e.event_type.as_str().to_string(), e.data))
        .collect();
    let all_mine_answered = order
        .lines
        .iter()
        .filter(|l| mine.contains(&l.id))
        .all(|l| l.state != LineState::Pending);
    let request_state = if all_mine_answered {
        PurchaseRequestState::Answered
    } else {
        PurchaseRequestState::Open
    };
    orders::record_answers(
        txn,
        orders::AnswerRecord {
            partner: order.partner_id.0,
            order_id: order.id.0,
            purchase_request: id,
            request_state: request_state.as_str(),
            order_state: order.state.as_str(),
            updates: &updates,
            events: &events,
        },
    )
    .await?;
    Ok(Ok(order))
}

/// How far an order's unit price may be from the current feed price (1%): covers a feed
/// fetched just before a rate change.
const PRICE_TOLERANCE_BP: u32 = 100;

/// The answer to a keyed order request: its status and JSON body, stored under the key and
/// replayed byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedAnswer {
    pub status: u16,
    pub body: String,
}

/// Places a partner's export order under its idempotency key. The same key with the same body
/// answers the stored answer; with another body `idempotency_key_reused`; while the first is
/// running `idempotency_in_flight`. A valid order, its lines, purchase requests, first event
/// and stored answer commit together (`orders::commit_keyed`): an acknowledged order is never
/// lost, and never created twice. Nothing is stored when this fails (a 5xx is not worth
/// replaying): the partner retries the key.
///
/// Messages are in `lang`, the caller's language (its `Accept-Language`), as every other error
/// the caller sees: one language for the whole body.
pub async fn place(
    app: &crate::AppState,
    partner: PartnerId,
    raw_key: &str,
    body: &[u8],
    lang: ddhub_domain::Locale,
) -> crate::AppResult<KeyedAnswer> {
    let key = ddhub_orders::fingerprint::validate_idempotency_key(raw_key)
        .map_err(|e| AppError::with_detail(ErrorCode::IdempotencyKeyMissing, e.to_string()))?
        .to_string();
    let fp = ddhub_orders::fingerprint::fingerprint(body)
        .map_err(|e| AppError::with_detail(ErrorCode::InvalidBody, e.to_string()))?;
    let orders::KeyLookup {
        state,
        partner: found,
        rate,
    } = orders::lookup_key_with_partner(&app.store, partner, &key, &fp.0).await?;
    if let Some(state) = state {
        return key_answer(state);
    }
    // From here to the commit this request is the key's first: a second one with the same
    // key answers 409 rather than validating the same order twice.
    let Some(_hold) = orders::hold_key(&app.store, partner, &key) else {
        return Err(AppError::new(ErrorCode::IdempotencyInFlight));
    };
    let outcome = intake(app, &found, rate, body, lang).await?;
    // A request refused by validation did no work: its answer is not kept under the key, so
    // the corrected request can reuse it (as Stripe does). Only executed requests are replayed.
    if let orders::KeyedOutcome::Answer { status, body } = outcome {
        return Ok(KeyedAnswer { status, body });
    }
    let write = orders::KeyedWrite {
        partner,
        key,
        fingerprint: fp.0,
        outcome,
    };
    match orders::commit_keyed(&app.store, write).await? {
        orders::Committed::Stored { status, body } => Ok(KeyedAnswer { status, body }),
        orders::Committed::Existing(state) => key_answer(state),
    }
}

/// The answer to a request whose key was used before.
fn key_answer(state: orders::KeyState) -> crate::AppResult<KeyedAnswer> {
    match state {
        orders::KeyState::Replay { status, body } => Ok(KeyedAnswer { status, body }),
        orders::KeyState::Mismatch => Err(AppError::new(ErrorCode::IdempotencyKeyReused)),
        orders::KeyState::InFlight => Err(AppError::new(ErrorCode::IdempotencyInFlight)),
    }
}

/// The JSON Pointer of an intake field path: `lines[3].unit_price` → `/lines/3/unit_price`.
fn field_pointer(field: &str) -> String {
    let mut out = String::new();
    for part in field.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, rest)) => (n, Some(rest.trim_end_matches(']'))),
            None => (part, None),
        };
        out.push('/');
        out.push_str(&name.replace('~', "~0").replace('/', "~1"));
        if let Some(i) = index {
            out.push('/');
            out.push_str(i);
        }
    }
    out
}

/// Reads and validates an order: a valid one to write, or the answer (422 with reasons) to
/// store under its key.
async fn intake(
    app: &crate::AppState,
    p: &ddhub_domain::partner::Partner,
    rate: Option<ddhub_domain::RatePerKrw>,
    body: &[u8],
    lang: ddhub_domain::Locale,
) -> Result<orders::KeyedOutcome, AppError> {
    let req: OrderRequest = match crate::body::read(body) {
        Ok(r) => r,
        Err(err) => {
            // A body of the wrong shape: refused before any work, so the key stays free. Its
            // problem names the field (JSON Pointer, code), so one answer shows what to fix.
            let body = error_json(&err, lang.tag());
            return Ok(orders::KeyedOutcome::Answer { status: 422, body });
        }
    };
    let mut ids: Vec<SkuId> = req.lines.iter().filter_map(|l| l.sku_id).collect();
    let mut codes: Vec<String> = req
        .lines
        .iter()
        .filter_map(|l| l.style_code.clone())
        .collect();
    // Feed item ids: the catalog keys they may stand for; each is confirmed below by
    // computing the feed's id again (`ddhub_feeds::item_id_of`, the one rule of ids).
    for id in req.lines.iter().filter_map(|l| l.item_id.as_deref()) {
        let (sku, style_codes) = ddhub_feeds::item_id_candidates(id.trim());
        ids.extend(sku);
        codes.extend(style_codes);
    }
    let facts = orders::sku_facts(&app.store, &ids, &codes).await?;
    let lookup = |item: &ItemRef<'_>, currency: Currency| -> Lookup {
        let found: Vec<&orders::SkuFacts> = match item {
            ItemRef::Sku(id) => facts.iter().filter(|f| f.sku_id == *id).collect(),
            ItemRef::Style {
                style_code,
                colour,
                size,
                wholesaler_id,
            } => facts
                .iter()
                .filter(|f| f.style_code == *style_code && f.colour == *colour && f.size == *size)
                .filter(|f| wholesaler_id.is_none_or(|w| f.wholesaler_id == w))
                .collect(),
            ItemRef::FeedItem(id) => facts
                .iter()
                .filter(|f| {
                    ddhub_feeds::item_id_of(
                        f.wholesaler_id,
                        f.style_id,
                        &f.style_code,
                        f.sku_id,
                        &f.colour,
                        &f.size,
                    ) == *id
                })
                .collect(),
        };
        match found.as_slice() {
            [] => Lookup::NotFound,
            [f] => {
                let price = rate
                    .and_then(|r| {
                        r.convert(ddhub_domain::Krw(f.price_krw), p.markup_bp, p.rounding)
                            .ok()
                    })
                    .unwrap_or(Money {
                        minor: i64::MAX,
                        currency,
                    });
                // A row this build cannot read is not offered.
                let style_state = f.style_state.parse().unwrap_or(StyleState::Archived);
                let stock = f.stock.parse().unwrap_or(StockState::SoldOut);
                Lookup::Found(CatalogItem {
                    sku_id: f.sku_id,
                    style_id: f.style_id,
                    wholesaler_id: f.wholesaler_id,
                    stock: StockState::of_sku(style_state, stock),
                    moq: Quantity(f.moq),
                    price,
                })
            }
            many => Lookup::Ambiguous(
                many.iter()
                    .map(|f| f.wholesaler_id)
                    .collect::<Vec<WholesalerId>>(),
            ),
        }
    };
    let policy = IntakePolicy {
        partner_currency: p.currency,
        price_tolerance_bp: PRICE_TOLERANCE_BP,
    };
    let order = match ddhub_orders::intake::validate_order(&req, &policy, &lookup) {
        Ok(o) => o,
        Err(rejection) => {
            let mut problems = match rejection.to_json(p.locale).get_mut("problems") {
                Some(serde_json::Value::Array(list)) => std::mem::take(list),
                _ => Vec::new(),
            };
            // Every problem of the API has a JSON Pointer and a message in one language
            // (docs/api-conventions.md); the per-locale `messages` stay for older clients.
            for (problem, reason) in problems.iter_mut().zip(&rejection.problems) {
                problem["pointer"] = field_pointer(&reason.field).into();
                problem["message"] = reason.message(lang).into();
            }
            let err = AppError::new(ErrorCode::OrderInvalid).with_problems(problems);
            let body = error_json(&err, lang.tag());
            return Ok(orders::KeyedOutcome::Answer { status: 422, body });
        }
    };
    // The rules decide the split, the state and the first event; the store writes them.
    let purchase_requests = ddhub_orders::split::split_order(&order)
        .iter()
        .map(|d| d.wholesaler_id)
        .collect();
    let new = NewOrder {
        partner: p.id,
        partner_order_id: order.partner_order_id.clone(),
        currency: order.currency,
        state: lifecycle::ACCEPTED_STATE,
        purchase_requests,
        first_event: lifecycle::first_event,
        ship_to: serde_json::to_value(&order.ship_to).map_err(AppError::internal)?,
        notes: order.notes.clone(),
        test_mode: p.is_test(),
        lines: order
            .lines
            .iter()
            .map(|l| NewLine {
                sku_id: l.sku_id,
                style_id: l.style_id,
                wholesaler_id: l.wholesaler_id,
                quantity: l.quantity,
                unit_price_minor: l.unit_price.minor,
            })
            .collect(),
    };
    let mut conflict = AppError::with_detail(
        ErrorCode::Conflict,
        format!("order {} already exists", new.partner_order_id),
    );
    conflict.existing_order_id = Some(serde_json::Value::Null);
    let conflict_body = error_json(&conflict, lang.tag());
    Ok(orders::KeyedOutcome::Order {
        order: new,
        conflict_body,
    })
}
