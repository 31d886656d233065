//! The named schemas of the partner API's bodies whose Rust types live below the server (the
//! store's order views, the feed crate's items, the webhook job's payload), crates that carry no
//! OpenAPI dependency. Each mirrors the type's JSON (`Serialize` is derived only for serde's
//! renames, which utoipa reads); the server tests validate every response they see against the
//! document (`ddhub_testkit::contract`), so a mirror that drifts from its type fails there.
//! Every mirror but the per-event `data` is closed (`deny_unknown_fields`, read by utoipa as
//! `additionalProperties: false`): a field a type gains without its mirror fails too.
//! Conventions: docs/api-conventions.md.
#![allow(dead_code)]

use serde::Serialize;
use utoipa::ToSchema;

/// An amount of money: a decimal string in the currency's major units and its ISO 4217 code.
/// Never a JSON number (floats cannot carry money).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"amount": "1944", "currency": "JPY"}))]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// Decimal string with the currency's usual digits: `"1944"` (JPY), `"12.90"` (USD).
    #[schema(pattern = r"^-?[0-9]+(\.[0-9]+)?$", example = "1944")]
    amount: String,
    /// ISO 4217 code.
    #[schema(example = "JPY")]
    currency: String,
}

/// An order's price of one piece as sent: the money object of every amount of the API, or
/// (accepted, deprecated) its `amount` alone as a decimal string in the order's `currency`.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum MoneyInput {
    Money(Money),
    /// Deprecated shorthand: the amount alone, in the order's `currency`.
    #[schema(example = "2236")]
    Amount(String),
}

/// `live`, or `test` for what a test key (`ddh_pt_…`) made: a test order never reaches a
/// wholesaler (docs/partners.md, "Test mode").
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Live,
    Test,
}

/// Where an order is in its life.
#[derive(Serialize, ToSchema)]
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

/// Where one line is: waiting for its wholesaler, `available`, `backorder` (미송: expected
/// later, see `backorder_until`), `sold_out` (품절) or `cancelled`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    Pending,
    Available,
    Backorder,
    SoldOut,
    Cancelled,
}

/// One line of an order.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"line_id": 12, "sku_id": 301, "style_id": 41, "wholesaler_id": 1,
    "quantity": 2, "confirmed_quantity": 0, "unit_price": {"amount": "2236", "currency": "JPY"},
    "state": "pending", "backorder_until": null}))]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    line_id: i64,
    /// The SKU the line resolved to, whichever way the request named it.
    sku_id: i64,
    style_id: i64,
    /// The wholesaler whose purchase request carries this line.
    wholesaler_id: i64,
    /// Pieces ordered.
    quantity: i32,
    /// Pieces the wholesaler confirmed (0 until answered).
    confirmed_quantity: i32,
    /// Price of one piece, in the order's currency.
    unit_price: Money,
    state: LineState,
    /// For `backorder`: the date the wholesaler expects the goods (`YYYY-MM-DD`, Seoul).
    #[schema(format = Date)]
    backorder_until: Option<String>,
}

/// An export order as its partner sees it (201 of `POST /api/v1/orders`, `GET
/// /api/v1/orders/{id}`, each item of the list).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"order_id": 7, "partner_order_id": "PO-1001", "state": "awaiting_wholesalers",
    "currency": "JPY", "mode": "live", "lines": [{"line_id": 12, "sku_id": 301, "style_id": 41, "wholesaler_id": 1,
    "quantity": 2, "confirmed_quantity": 0, "unit_price": {"amount": "2236", "currency": "JPY"},
    "state": "pending", "backorder_until": null}]}))]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// DDHub's id of the order (a number; the `{id}` of its paths).
    order_id: i64,
    /// Your own order number, unique per partner.
    partner_order_id: String,
    state: OrderState,
    /// ISO 4217 code of every amount of the order.
    currency: String,
    /// `test` for an order placed with a test key: it never reaches a wholesaler.
    mode: Mode,
    lines: Vec<OrderLine>,
}

/// What a wholesaler says of one line (the body of the test helper, and of a wholesaler's
/// answer): `available` (optionally fewer pieces), `backorder` (미송, with `expected_date`)
/// or `sold_out` (품절).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"line_id": 12, "answer": "backorder", "quantity": 2, "expected_date": "2026-12-20"}))]
#[serde(deny_unknown_fields)]
pub struct LineAnswer {
    line_id: i64,
    answer: AnswerKind,
    /// Pieces, 1 to the ordered quantity; the ordered quantity when absent.
    quantity: Option<i64>,
    /// With `backorder`: `YYYY-MM-DD`, not before today in Seoul.
    #[schema(format = Date)]
    expected_date: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    Available,
    Backorder,
    SoldOut,
}

/// Answers to lines of an order. Unknown fields are refused (each named).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"lines": [{"line_id": 12, "answer": "available"}, {"line_id": 13, "answer": "sold_out"}]}))]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    lines: Vec<LineAnswer>,
}

/// A page of your orders, newest first.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderPage {
    orders: Vec<Order>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
    has_more: bool,
}

/// Where the parcel goes.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"name": "Select Shop Aoyama", "country": "JP",
    "address_lines": ["5-1-1 Minami-Aoyama", "Minato-ku, Tokyo"], "postal_code": "107-0062",
    "phone": "+81 3 1234 5678"}))]
#[serde(deny_unknown_fields)]
pub struct ShipTo {
    #[schema(max_length = 100)]
    name: String,
    /// ISO 3166-1 alpha-2.
    #[schema(example = "JP")]
    country: String,
    /// 1 to 4 lines of at most 100 characters.
    address_lines: Vec<String>,
    #[schema(max_length = 16)]
    postal_code: Option<String>,
    phone: String,
}

/// One line of an order request. Name the item one way: `item_id` (the feed item's `id`),
/// `sku_id`, or `style_code` with `colour` and `size`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"item_id": "1-KN-2041-black-free", "quantity": 2,
    "unit_price": {"amount": "2236", "currency": "JPY"}}))]
#[serde(deny_unknown_fields)]
pub struct OrderLineRequest {
    /// The item's `id` as your feed gave it (`g:id`, Shopify's variant SKU, …).
    #[schema(max_length = 50)]
    item_id: Option<String>,
    sku_id: Option<i64>,
    style_code: Option<String>,
    /// With `style_code`: the colour as the catalog names it.
    colour: Option<String>,
    /// With `style_code`.
    size: Option<String>,
    /// With `style_code`, when several wholesalers use the same code.
    wholesaler_id: Option<i64>,
    /// Pieces, 1 to 10000 (and the style's minimum order over the order's lines).
    #[schema(minimum = 1, maximum = 10000)]
    quantity: i64,
    /// The feed price of one piece, `{"amount": "2236", "currency": "JPY"}` in the order's
    /// `currency`; within 1% of the current feed price. The bare amount (`"2236"`) is still
    /// accepted (deprecated).
    #[schema(example = json!({"amount": "2236", "currency": "JPY"}))]
    unit_price: MoneyInput,
}

/// The body of `POST /api/v1/orders`. Unknown fields are refused (each named).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"partner_order_id": "PO-1001", "currency": "JPY",
    "lines": [{"item_id": "1-KN-2041-black-free", "quantity": 2,
        "unit_price": {"amount": "2236", "currency": "JPY"}}],
    "ship_to": {"name": "Select Shop Aoyama", "country": "JP",
        "address_lines": ["5-1-1 Minami-Aoyama", "Minato-ku, Tokyo"], "postal_code": "107-0062",
        "phone": "+81 3 1234 5678"}}))]
#[serde(deny_unknown_fields)]
pub struct OrderRequest {
    /// Your own order number (at most 64 characters), unique per partner: a second order with
    /// it answers 409 with `existing_order_id`.
    #[schema(max_length = 64)]
    partner_order_id: String,
    /// Your pricing currency (the feed's).
    currency: String,
    /// 1 to 200 lines.
    lines: Vec<OrderLineRequest>,
    ship_to: ShipTo,
    #[schema(max_length = 1000)]
    notes: Option<String>,
}

/// One event of your orders: the changes feed's entries, `GET /api/v1/events/{seq}`, and what a
/// webhook announced (its `webhook-id` is `msg_ddhub_<seq>`).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"seq": 31, "order_id": 7, "type": "order.awaiting_wholesalers",
    "data": {"order_id": 7, "partner_order_id": "PO-1001", "state": "awaiting_wholesalers", "lines": []},
    "created_at": "2026-12-06T09:30:00.000Z"}))]
#[serde(deny_unknown_fields)]
pub struct OrderEvent {
    /// The event's place in the log (never reused, increasing).
    seq: i64,
    order_id: i64,
    #[serde(rename = "type")]
    event_type: EventType,
    /// The event's data (the webhook's `data`).
    data: EventData,
    /// RFC 3339 UTC.
    #[schema(format = DateTime)]
    created_at: String,
}

/// What happened.
#[derive(Serialize, ToSchema)]
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
}

/// An event's data: the order it concerns and its state, with what the event type adds
/// (`lines` on the first event, `line_id` and `from` on line events, `refund` as Money,
/// `shipment` with carrier and tracking number).
#[derive(Serialize, ToSchema)]
pub struct EventData {
    order_id: i64,
    partner_order_id: String,
    /// The order's (or, for line events, the line's) state after the event.
    state: String,
    /// The state before, on changes.
    from: Option<String>,
    line_id: Option<i64>,
    /// What a cancelled or sold-out line gives back.
    refund: Option<Money>,
}

/// A page of events after `cursor`, in commit order.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventPage {
    events: Vec<OrderEvent>,
    /// Pass back as `cursor` (also when `events` is empty).
    next_cursor: String,
    has_more: bool,
}

/// The body of every webhook (Standard Webhooks' shape), signed with your `whsec_` secret.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"type": "order.awaiting_wholesalers", "timestamp": "2026-12-06T09:30:00.000Z",
    "mode": "live", "data": {"order_id": 7, "partner_order_id": "PO-1001", "state": "awaiting_wholesalers", "lines": []}}))]
#[serde(deny_unknown_fields)]
pub struct WebhookEvent {
    #[serde(rename = "type")]
    event_type: EventType,
    /// When the event happened, RFC 3339 UTC.
    #[schema(format = DateTime)]
    timestamp: String,
    /// `test` for an event of a test order (a test key's endpoint receives it).
    mode: Mode,
    data: EventData,
}

/// Your webhook endpoint, with its signing secret (shown once).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"url": "https://shop.example/hooks/ddhub", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}))]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpoint {
    url: String,
    /// `whsec_` and base64: verify each webhook's `webhook-signature` with it.
    secret: String,
}

/// A shipping option of a feed item (Google's `g:shipping`), its price as Money.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedShipping {
    /// ISO 3166-1 alpha-2.
    country: String,
    service: Option<String>,
    price: Money,
}

/// One size's measures in cm (absent ones left out).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"size": "FREE", "chest_half": 52.0, "length": 66.5}))]
#[serde(deny_unknown_fields)]
pub struct SizeMeasurements {
    size: String,
    shoulder: Option<f64>,
    /// Across the chest, laid flat.
    chest_half: Option<f64>,
    chest: Option<f64>,
    length: Option<f64>,
    sleeve: Option<f64>,
    waist_half: Option<f64>,
    waist: Option<f64>,
    hip_half: Option<f64>,
    thigh: Option<f64>,
    rise: Option<f64>,
    hem: Option<f64>,
}

/// One SKU of the feed: one line of the JSON Lines feed (`format=jsonl`), the `item` of a
/// changes feed upsert. Names are Google's attribute names, but for `colour` (Google's
/// `color`: the spelling of DDHub's JSON) and `price` (Money, not Google's `2236 JPY`).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "1-KN-2041-black-free", "item_group_id": "1-KN-2041",
    "title": "Cable-knit cardigan - Black - One Size", "description": "…",
    "link": "https://shop.example/p/KN-2041", "image_link": "https://media.example/1.jpg",
    "additional_image_link": [], "price": {"amount": "2236", "currency": "JPY"},
    "availability": "in_stock", "condition": "new", "brand": "Misoniteu", "identifier_exists": "no",
    "mpn": "KN-2041-black-free", "colour": "ブラック", "size": "One Size", "gender": "female",
    "age_group": "adult", "google_product_category": "212", "product_type": "トップス > ニット",
    "shipping": [], "shipping_weight": "350 g", "moq": 2, "style_id": 41, "sku_id": 301,
    "updated_at": "2026-12-06T09:30:00Z"}))]
#[serde(deny_unknown_fields)]
pub struct FeedItem {
    /// The item id: pass it as `item_id` when ordering.
    id: String,
    item_group_id: String,
    title: String,
    description: String,
    link: String,
    image_link: String,
    additional_image_link: Vec<String>,
    price: Money,
    #[schema(pattern = "^(in_stock|out_of_stock|backorder)$")]
    availability: String,
    /// For `backorder`: ISO 8601 date-time the item is expected.
    availability_date: Option<String>,
    condition: String,
    brand: String,
    /// The wholesaler's own (Korean) name when `brand` is its romanised form.
    brand_native: Option<String>,
    /// Always `no`: wholesale styles have no GTIN.
    identifier_exists: String,
    mpn: String,
    /// The colour in your language (Google's `color`).
    colour: String,
    size: String,
    size_system: Option<String>,
    gender: String,
    age_group: String,
    material: Option<String>,
    google_product_category: String,
    /// DDHub's category path in your language.
    product_type: String,
    shipping: Vec<FeedShipping>,
    /// `350 g`.
    shipping_weight: String,
    partner_category: Option<String>,
    /// Minimum order of the style, in pieces over its SKUs.
    moq: u32,
    origin: Option<String>,
    style_id: i64,
    sku_id: i64,
    /// RFC 3339 UTC.
    #[schema(format = DateTime)]
    updated_at: String,
    measurements: Option<Vec<SizeMeasurements>>,
    fit_note: Option<String>,
}
