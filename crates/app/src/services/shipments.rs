//! Shipments (issue 17): an operator builds one from received lines of one consignee, adds
//! packages, asks every carrier service for a quote (`ddhub-shipping`'s rate tables and
//! limits) and ships it with a tracking number per package. Shipping moves the orders through
//! `ddhub-orders` (`dispatch::ship_lines`: packed → shipped, or a partial `order.shipped`) and
//! the events go out through the never-skip order event log and signed webhooks.

use crate::error::{AppError, ErrorCode};
use ddhub_domain::{OperatorId, OrderLineId, PartnerId};
use ddhub_orders::dispatch::{Dispatch, ship_lines};
use ddhub_shipping::package::PackageSpec;
use ddhub_shipping::quote::{SHIPPED_TABLES, ServiceQuote, quote};
use ddhub_shipping::rates::RateTable;
use ddhub_store::{StoreError, orders, shipments};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// Longest tracking number, in characters.
pub const MAX_TRACKING_CHARS: usize = 64;

/// A shipment as operators and its partner see it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ShipmentView {
    pub id: i64,
    /// `open` (being packed) or `shipped`.
    pub state: String,
    pub country: String,
    pub consignee: Value,
    pub service: Option<String>,
    pub carrier: Option<String>,
    pub order_ids: Vec<i64>,
    pub lines: Vec<ShipmentLineView>,
    pub packages: Vec<shipments::PackageRow>,
    /// RFC 3339 UTC in JSON, as every time of the API (docs/api-conventions.md).
    #[serde(serialize_with = "rfc3339")]
    pub created_at: i64,
    #[serde(serialize_with = "rfc3339_opt")]
    pub shipped_at: Option<i64>,
}

fn rfc3339<S: serde::Serializer>(millis: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&ddhub_orders::date::rfc3339(ddhub_domain::Timestamp(
        *millis,
    )))
}

fn rfc3339_opt<S: serde::Serializer>(millis: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match millis {
        Some(m) => rfc3339(m, s),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ShipmentLineView {
    pub line_id: i64,
    pub order_id: i64,
    pub quantity: u32,
}

fn view(r: shipments::ShipmentRecord) -> ShipmentView {
    let mut order_ids: Vec<i64> = r.lines.iter().map(|l| l.1).collect();
    order_ids.sort_unstable();
    order_ids.dedup();
    ShipmentView {
        id: r.id,
        state: r.state,
        country: r.country,
        consignee: serde_json::from_str(&r.ship_to).unwrap_or(Value::Null),
        service: r.service,
        carrier: r.carrier,
        order_ids,
        lines: r
            .lines
            .into_iter()
            .map(|(line_id, order_id, quantity)| ShipmentLineView {
                line_id,
                order_id,
                quantity,
            })
            .collect(),
        packages: r.packages,
        created_at: r.created_at,
        shipped_at: r.shipped_at,
    }
}

fn refused(code: ErrorCode, detail: impl Into<String>) -> AppError {
    AppError::with_detail(code, detail)
}

/// Who the consignee is, for comparing orders: name, address, postal code and country, with
/// spacing and case folded (phones and notes may differ between orders of one buyer).
fn consignee_key(ship_to: &Value) -> String {
    let fold = |v: Option<&Value>| {
        let s = match v {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        };
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    ["name", "address_lines", "postal_code", "country"]
        .iter()
        .map(|k| fold(ship_to.get(*k)))
        .collect::<Vec<_>>()
        .join("|")
}

/// Creates a shipment from received lines. Refused with the reason, nothing written: no
/// lines, a line that does not exist, is not received (or arrived with no pieces), is in
/// another shipment, or belongs to an order that is not being shipped; lines of different
/// partners or consignees.
pub async fn create(
    store: &ddhub_store::Store,
    operator: OperatorId,
    line_ids: &[i64],
) -> crate::AppResult<ShipmentView> {
    if line_ids.is_empty() {
        return Err(refused(
            ErrorCode::InvalidBody,
            "line_ids: at least one line",
        ));
    }
    let unique: HashSet<i64> = line_ids.iter().copied().collect();
    if unique.len() != line_ids.len() {
        return Err(refused(
            ErrorCode::InvalidBody,
            "line_ids: a line appears twice",
        ));
    }
    let txn = store.begin_write().await?;
    let found = shipments::candidate_lines(&txn, line_ids).await?;
    if let Some(missing) = line_ids
        .iter()
        .find(|id| !found.iter().any(|l| l.line_id == **id))
    {
        return Err(refused(
            ErrorCode::NotFound,
            format!("line {missing} does not exist"),
        ));
    }
    let first = &found[0];
    let first_to: Value = serde_json::from_str(&first.ship_to).map_err(AppError::internal)?;
    let key = consignee_key(&first_to);
    let mut lines = Vec::with_capacity(found.len());
    for l in &found {
        if let Some(s) = l.in_shipment {
            return Err(refused(
                ErrorCode::Conflict,
                format!("line {} is already in shipment {s}", l.line_id),
            ));
        }
        let pieces = match l.received_quantity {
            None => {
                return Err(refused(
                    ErrorCode::Conflict,
                    format!("line {} is not received at the hub yet", l.line_id),
                ));
            }
            Some(0) => {
                return Err(refused(
                    ErrorCode::Conflict,
                    format!("line {} arrived with no pieces", l.line_id),
                ));
            }
            Some(n) => n,
        };
        if !matches!(
            l.order_state.as_str(),
            "confirmed" | "partially_confirmed" | "packed"
        ) {
            return Err(refused(
                ErrorCode::Conflict,
                format!(
                    "order {} is {}; it is not being shipped",
                    l.order_id, l.order_state
                ),
            ));
        }
        let to: Value = serde_json::from_str(&l.ship_to).map_err(AppError::internal)?;
        if l.partner_id != first.partner_id || consignee_key(&to) != key {
            return Err(refused(
                ErrorCode::InvalidBody,
                format!(
                    "line {} goes to another consignee than line {}: one shipment, one consignee",
                    l.line_id, first.line_id
                ),
            ));
        }
        lines.push((l.line_id, l.order_id, pieces));
    }
    let country = first_to
        .get("country")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_uppercase();
    let id = shipments::create(
        &txn,
        shipments::NewShipment {
            partner: PartnerId(first.partner_id),
            ship_to: &first.ship_to,
            country: &country,
            operator,
            lines: &lines,
        },
    )
    .await?;
    let record = shipments::get(&txn, id, None).await?;
    txn.commit().await.map_err(StoreError::from)?;
    Ok(view(record))
}

/// Shipment `id`: any for an operator (`partner` `None`), only its own for a partner (another
/// partner's is not found).
pub async fn get(
    store: &ddhub_store::Store,
    id: i64,
    partner: Option<PartnerId>,
) -> crate::AppResult<ShipmentView> {
    Ok(view(shipments::get(store.conn(), id, partner).await?))
}

/// Adds a package to an open shipment. Zero or absurd weights and sides are refused.
pub async fn add_package(
    store: &ddhub_store::Store,
    id: i64,
    spec: PackageSpec,
) -> crate::AppResult<ShipmentView> {
    spec.validate()
        .map_err(|e| refused(ErrorCode::InvalidBody, e.to_string()))?;
    let txn = store.begin_write().await?;
    let s = shipments::get(&txn, id, None).await?;
    if s.state != "open" {
        return Err(refused(
            ErrorCode::Conflict,
            format!("shipment {id} is {}", s.state),
        ));
    }
    shipments::add_package(&txn, id, spec.weight_grams, spec.sides()).await?;
    let record = shipments::get(&txn, id, None).await?;
    txn.commit().await.map_err(StoreError::from)?;
    Ok(view(record))
}

/// Every carrier service's table: the shipped ones, each replaced by the one an operator
/// loaded for the same service.
pub async fn rate_tables(store: &ddhub_store::Store) -> crate::AppResult<Vec<RateTable>> {
    let mut by_service: BTreeMap<String, RateTable> = BTreeMap::new();
    for text in SHIPPED_TABLES {
        let t = parsed_table(text).map_err(AppError::internal)?;
        by_service.insert(t.service.clone(), t);
    }
    for (service, body) in shipments::loaded_rate_tables_cached(store).await? {
        // Validated when loaded; a table this build no longer reads keeps the shipped one.
        match parsed_table(&body) {
            Ok(t) => {
                by_service.insert(service, t);
            }
            Err(e) => tracing::warn!(%service, error = %e, "stored rate table unreadable"),
        }
    }
    Ok(by_service.into_values().collect())
}

/// Rate tables already parsed, by their text. Every style page shows a delivered price, and
/// parsing the tables' TOML for each view was a large part of the page's time; the stored
/// text is still read each time, so a table loaded by another process is used at once.
static PARSED_TABLES: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<String, RateTable>>,
> = std::sync::LazyLock::new(Default::default);

/// Distinct table texts kept parsed (shipped and loaded ones; a reload replaces a text).
const PARSED_TABLES_KEPT: usize = 64;

fn parsed_table(text: &str) -> Result<RateTable, ddhub_shipping::rates::RateTableError> {
    if let Ok(cache) = PARSED_TABLES.lock()
        && let Some(t) = cache.get(text)
    {
        return Ok(t.clone());
    }
    let t = RateTable::from_toml(text)?;
    if let Ok(mut cache) = PARSED_TABLES.lock() {
        if cache.len() >= PARSED_TABLES_KEPT {
            cache.clear();
        }
        cache.insert(text.to_string(), t.clone());
    }
    Ok(t)
}

/// Loads a new rate table, all or nothing: the whole text is validated (gaps, overlaps,
/// missing prices, steps short of the limit) before it replaces the service's table.
pub async fn load_rate_table(
    store: &ddhub_store::Store,
    text: &str,
) -> crate::AppResult<RateTable> {
    let t =
        RateTable::from_toml(text).map_err(|e| refused(ErrorCode::InvalidBody, e.to_string()))?;
    shipments::put_rate_table(store, &t.service, text).await?;
    Ok(t)
}

fn specs(s: &shipments::ShipmentRecord) -> Vec<PackageSpec> {
    s.packages
        .iter()
        .map(|p| PackageSpec {
            weight_grams: p.weight_grams,
            length_cm: p.length_cm,
            width_cm: p.width_cm,
            height_cm: p.height_cm,
        })
        .collect()
}

/// Each service's price for the shipment's packages, or its reasons for refusing them.
pub async fn quotes(store: &ddhub_store::Store, id: i64) -> crate::AppResult<Vec<ServiceQuote>> {
    let s = shipments::get(store.conn(), id, None).await?;
    let packages = specs(&s);
    Ok(rate_tables(store)
        .await?
        .iter()
        .map(|t| quote(t, &s.country, &packages))
        .collect())
}

/// Ships an open shipment by `service`, one tracking number per package (in the order the
/// packages were added). Refused with the service's reasons when it does not take the
/// packages. Every order it carries moves (`dispatch::ship_lines`) and its events are written
/// in the same transaction.
pub async fn ship(
    store: &ddhub_store::Store,
    id: i64,
    service: &str,
    tracking_numbers: &[String],
) -> crate::AppResult<ShipmentView> {
    let tables = rate_tables(store).await?;
    let table = tables
        .iter()
        .find(|t| t.service == service.trim())
        .ok_or_else(|| {
            let known: Vec<&str> = tables.iter().map(|t| t.service.as_str()).collect();
            refused(
                ErrorCode::InvalidBody,
                format!("service {service:?} is not one of {}", known.join(", ")),
            )
        })?;
    let txn = store.begin_write().await?;
    let s = shipments::get(&txn, id, None).await?;
    if s.state != "open" {
        return Err(refused(
            ErrorCode::Conflict,
            format!("shipment {id} is {}", s.state),
        ));
    }
    if s.packages.is_empty() {
        return Err(refused(
            ErrorCode::Conflict,
            "the shipment has no packages yet",
        ));
    }
    if tracking_numbers.len() != s.packages.len() {
        return Err(refused(
            ErrorCode::InvalidBody,
            format!(
                "tracking_numbers: {} given for {} packages",
                tracking_numbers.len(),
                s.packages.len()
            ),
        ));
    }
    let mut tracking = Vec::new();
    for (p, t) in s.packages.iter().zip(tracking_numbers) {
        let t = t.trim();
        if t.is_empty()
            || t.chars().count() > MAX_TRACKING_CHARS
            || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(refused(
                ErrorCode::InvalidBody,
                format!("tracking number {t:?}: 1 to {MAX_TRACKING_CHARS} letters, digits or -"),
            ));
        }
        tracking.push((p.id, t.to_string()));
    }
    let q = quote(table, &s.country, &specs(&s));
    if !q.refusals.is_empty() {
        let reasons: Vec<String> = q.refusals.iter().map(|r| r.reason.clone()).collect();
        return Err(refused(ErrorCode::InvalidBody, reasons.join("; ")));
    }
    let mut per_order: BTreeMap<i64, HashSet<OrderLineId>> = BTreeMap::new();
    for (line, order, _) in &s.lines {
        per_order
            .entry(*order)
            .or_default()
            .insert(OrderLineId(*line));
    }
    let order_ids: Vec<i64> = per_order.keys().copied().collect();
    let before = shipments::shipped_lines(&txn, &order_ids).await?;
    let dispatch = Dispatch {
        shipment_id: id,
        carrier: table.carrier.clone(),
        service: table.service.clone(),
        tracking_numbers: tracking.iter().map(|(_, t)| t.clone()).collect(),
    };
    for (order_id, now) in &per_order {
        let record = orders::order_for_change(&txn, None, *order_id).await?;
        let mut order = record.order;
        let events = ship_lines(&mut order, now, &before, &dispatch)?;
        let events: Vec<(String, Value)> = events
            .into_iter()
            .map(|e| (e.event_type.as_str().to_string(), e.data))
            .collect();
        orders::record_order_change(
            &txn,
            order.partner_id.0,
            *order_id,
            order.state.as_str(),
            &[],
            &events,
        )
        .await?;
    }
    shipments::mark_shipped(&txn, id, &table.service, &table.carrier, &tracking).await?;
    let record = shipments::get(&txn, id, None).await?;
    txn.commit().await.map_err(StoreError::from)?;
    Ok(view(record))
}

/// The shipping labels of a shipped shipment: one A6 page per package with the Code 128
/// barcode of its tracking number (`ddhub-shipping`'s `label`).
pub async fn labels(store: &ddhub_store::Store, id: i64) -> crate::AppResult<Vec<u8>> {
    use ddhub_shipping::label::{LabelInput, LabelPackage, render_labels};
    let s = shipments::get(store.conn(), id, None).await?;
    if s.state != "shipped" {
        return Err(refused(
            ErrorCode::Conflict,
            "labels carry the tracking numbers: ship the shipment first",
        ));
    }
    let tables = rate_tables(store).await?;
    let service = s
        .service
        .as_deref()
        .map(|sv| {
            tables
                .iter()
                .find(|t| t.service == sv)
                .map_or_else(|| sv.to_string(), |t| t.name.clone())
        })
        .unwrap_or_default();
    let to: Value = serde_json::from_str(&s.ship_to).map_err(AppError::internal)?;
    let text = |k: &str| {
        to.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut consignee = vec![text("name")];
    consignee.extend(
        to.get("address_lines")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string),
    );
    consignee.push(
        format!("{} {}", text("postal_code"), s.country)
            .trim()
            .to_string(),
    );
    let phone = text("phone");
    if !phone.is_empty() {
        consignee.push(format!("Tel. {phone}"));
    }
    let input = LabelInput {
        shipment_id: id,
        service,
        shipper: vec![
            "DDHub Consolidation Centre".into(),
            "Dongdaemun Fashion Town, Jung-gu, Seoul 04564".into(),
            "REPUBLIC OF KOREA".into(),
        ],
        consignee,
        packages: s
            .packages
            .iter()
            .map(|p| LabelPackage {
                weight_grams: p.weight_grams,
                tracking_number: p.tracking_number.clone().unwrap_or_default(),
            })
            .collect(),
    };
    render_labels(&input).map_err(|e| refused(ErrorCode::Conflict, e.to_string()))
}

/// A received line in no shipment yet, with its consignee, for building shipments.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReadyLine {
    pub line_id: i64,
    pub order_id: i64,
    pub partner_order_id: String,
    pub style_code: String,
    pub colour: String,
    pub size: String,
    pub received: u32,
    pub consignee_name: String,
    pub country: String,
    /// Lines with the same key may go in one shipment (same partner and consignee).
    pub consignee_key: String,
}

/// Every received line no shipment carries yet, by order.
pub async fn ready_lines(store: &ddhub_store::Store) -> crate::AppResult<Vec<ReadyLine>> {
    Ok(shipments::ready_lines(store)
        .await?
        .into_iter()
        .map(|l| {
            let to: Value = serde_json::from_str(&l.ship_to).unwrap_or(Value::Null);
            let text = |k: &str| {
                to.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            };
            ReadyLine {
                line_id: l.line_id,
                order_id: l.order_id,
                partner_order_id: l.partner_order_id,
                style_code: l.style_code,
                colour: l.colour,
                size: l.size,
                received: l.received,
                consignee_name: text("name"),
                country: text("country").to_uppercase(),
                consignee_key: format!("{}|{}", l.partner_id, consignee_key(&to)),
            }
        })
        .collect())
}

/// The latest shipments, newest first.
pub async fn recent(
    store: &ddhub_store::Store,
    limit: u64,
) -> crate::AppResult<Vec<shipments::ShipmentSummary>> {
    Ok(shipments::recent(store, limit).await?)
}

/// Marks a shipped shipment delivered: each order it carries gets `shipment.delivered`
/// through the order event log (cursor and signed webhooks, like `order.shipped`), and an
/// order whose every shipment has now been delivered moves to delivered. Refused with the
/// reason, nothing written, for a shipment not shipped yet or already delivered.
pub async fn deliver(store: &ddhub_store::Store, id: i64) -> crate::AppResult<ShipmentView> {
    use ddhub_orders::dispatch::deliver_lines;
    let txn = store.begin_write().await?;
    let s = shipments::get(&txn, id, None).await?;
    match s.state.as_str() {
        "shipped" => {}
        "open" => {
            return Err(refused(
                ErrorCode::Conflict,
                format!("shipment {id} has not shipped yet"),
            ));
        }
        other => {
            return Err(refused(
                ErrorCode::Conflict,
                format!("shipment {id} is already {other}"),
            ));
        }
    }
    shipments::mark_delivered(&txn, id).await?;
    let mut per_order: BTreeMap<i64, HashSet<OrderLineId>> = BTreeMap::new();
    for (line, order, _) in &s.lines {
        per_order
            .entry(*order)
            .or_default()
            .insert(OrderLineId(*line));
    }
    let order_ids: Vec<i64> = per_order.keys().copied().collect();
    let pending = shipments::orders_with_undelivered(&txn, &order_ids).await?;
    let dispatch = Dispatch {
        shipment_id: id,
        carrier: s.carrier.clone().unwrap_or_default(),
        service: s.service.clone().unwrap_or_default(),
        tracking_numbers: s
            .packages
            .iter()
            .filter_map(|p| p.tracking_number.clone())
            .collect(),
    };
    for (order_id, carried) in &per_order {
        let record = orders::order_for_change(&txn, None, *order_id).await?;
        let mut order = record.order;
        let events = deliver_lines(&mut order, carried, !pending.contains(order_id), &dispatch)?;
        let events: Vec<(String, Value)> = events
            .into_iter()
            .map(|e| (e.event_type.as_str().to_string(), e.data))
            .collect();
        orders::record_order_change(
            &txn,
            order.partner_id.0,
            *order_id,
            order.state.as_str(),
            &[],
            &events,
        )
        .await?;
    }
    let record = shipments::get(&txn, id, None).await?;
    txn.commit().await.map_err(StoreError::from)?;
    Ok(view(record))
}

/// The papers of one shipment: which one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShipmentPaper {
    Invoice,
    PackingList,
}

/// The commercial invoice or packing list of a whole shipment (PDF): every line it carries,
/// of one or several orders of its consignee, with the pieces it carries. The per-order papers
/// stay (`/api/v1/orders/{id}/documents/…`).
pub async fn papers_pdf(
    store: &ddhub_store::Store,
    id: i64,
    which: ShipmentPaper,
) -> crate::AppResult<Vec<u8>> {
    use super::orders::{PapersError, consignee_party, hub_shipper, paper_items};
    use ddhub_orders::export::papers::{PackagingRules, PapersInput, UsdRates, build_papers};
    use ddhub_orders::export::pdf::{invoice_pdf, packing_list_pdf};
    let papers_err = |e: PapersError| match e {
        PapersError::Store(e) => AppError::from(e),
        other => refused(ErrorCode::Conflict, other.to_string()),
    };
    let s = shipments::get(store.conn(), id, None).await?;
    let mut per_order: BTreeMap<i64, std::collections::HashMap<i64, u32>> = BTreeMap::new();
    for (line, order, qty) in &s.lines {
        per_order.entry(*order).or_default().insert(*line, *qty);
    }
    let mut items = Vec::new();
    let mut refs = Vec::new();
    let mut currency = None;
    let mut first_order = None;
    for (order_id, only) in &per_order {
        let record = orders::order_for_change(store.conn(), None, *order_id).await?;
        if currency.is_some_and(|c| c != record.currency) {
            return Err(refused(
                ErrorCode::Conflict,
                "the shipment's orders are in different currencies: one invoice needs one",
            ));
        }
        currency = Some(record.currency);
        first_order.get_or_insert(*order_id);
        refs.push(record.order.partner_order_id.clone());
        items.extend(
            paper_items(store, &record.order, &record.details, Some(only))
                .await
                .map_err(papers_err)?,
        );
    }
    let (Some(currency), Some(first_order)) = (currency, first_order) else {
        return Err(refused(
            ErrorCode::Conflict,
            "the shipment carries no lines",
        ));
    };
    let usd = ddhub_store::rates::get_rate(store, ddhub_domain::Currency::Usd)
        .await?
        .ok_or_else(|| {
            refused(
                ErrorCode::Conflict,
                "no USD exchange rate is set: the invoice declares values in USD",
            )
        })?;
    let source = ddhub_store::rates::get_rate(store, currency).await?;
    let to: Value = serde_json::from_str(&s.ship_to).map_err(AppError::internal)?;
    let input = PapersInput {
        invoice_number: format!("DDH-S{id:07}"),
        date: ddhub_orders::date::seoul_today(),
        order_id: ddhub_domain::OrderId(first_order),
        partner_order_id: refs.join(", "),
        shipper: hub_shipper(),
        consignee: consignee_party(&to),
        incoterm: Default::default(),
        items,
        rates: UsdRates { usd, source },
        packaging: PackagingRules::default(),
    };
    let papers = build_papers(&input).map_err(|e| refused(ErrorCode::Conflict, e.to_string()))?;
    Ok(match which {
        ShipmentPaper::Invoice => invoice_pdf(&papers.invoice),
        ShipmentPaper::PackingList => packing_list_pdf(&papers.packing_list),
    })
}
