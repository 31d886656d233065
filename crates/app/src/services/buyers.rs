//! Storefront buyers (issue 21): sign-up and sign-in by an e-mailed one-time code, approval by
//! the operator, one cart per buyer, and the order request a cart becomes. The storefront is a
//! partner of its own ([`STOREFRONT_PARTNER`]): a submitted cart is placed through
//! [`super::orders::place`] like any partner order, so the split into purchase requests, the
//! answers, shipments and events are the order pipeline's, not a second copy here.
//!
//! Problems are returned as messages in the buyer's language (`locales/buyer.yml`).

use crate::AppState;
use crate::error::{AppError, AppResult, ErrorCode};
use ddhub_domain::order::LineState;
use ddhub_domain::partner::Partner;
use ddhub_domain::style::{StockState, StyleState};
use ddhub_domain::{Currency, Locale, PartnerId, RoundingRule, SkuId, StyleId, catalog};
use ddhub_store::buyers::{Buyer, BuyerState, CartLine, CodeCheck, NewBuyer, OpenedSession};
use std::collections::HashMap;
use std::time::Duration;

/// The name of the built-in partner whose orders are the storefront's.
pub const STOREFRONT_PARTNER: &str = "DDHub storefront";
/// Most different items (colour × size) a cart holds.
pub const MAX_CART_LINES: usize = 60;
/// Most pieces of one item in a cart.
pub const MAX_LINE_QUANTITY: u32 = 999;
/// How long a sign-in code works.
pub const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Wrong tries before a code is void.
pub const CODE_ATTEMPTS: i32 = 5;
/// How long a buyer stays signed in.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// Longest business name, address line and such, in characters.
const MAX_TEXT: usize = 100;
const MAX_POSTAL: usize = 16;
const MAX_NOTES: usize = 1_000;

/// Countries a buyer can sign up from: the markets DDHub ships to, each by its own name.
pub const COUNTRIES: [(&str, &str); 16] = [
    ("JP", "日本"),
    ("CN", "中国"),
    ("TW", "臺灣"),
    ("HK", "香港"),
    ("VN", "Việt Nam"),
    ("TH", "ประเทศไทย"),
    ("SG", "Singapore"),
    ("MY", "Malaysia"),
    ("PH", "Philippines"),
    ("ID", "Indonesia"),
    ("US", "United States"),
    ("CA", "Canada"),
    ("AU", "Australia"),
    ("GB", "United Kingdom"),
    ("FR", "France"),
    ("KR", "대한민국"),
];

/// A UI or e-mail string in a language (`locales/buyer.yml`), `%{name}` filled from `args`.
pub fn text(locale: Locale, key: &str, args: &[(&str, String)]) -> String {
    let key = format!("buyer.{key}");
    let mut s = rust_i18n::t!(&key, locale = locale.tag()).into_owned();
    for (name, value) in args {
        s = s.replace(&format!("%{{{name}}}"), value);
    }
    s
}

/// A refused form field, with its message in the buyer's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The form field (`email`, `q_12`, `phone`), or `cart` for the whole cart.
    pub field: String,
    pub message: String,
}

impl Problem {
    fn new(locale: Locale, field: impl Into<String>, key: &str) -> Problem {
        Problem {
            field: field.into(),
            message: text(locale, key, &[]),
        }
    }

    fn with(locale: Locale, field: impl Into<String>, key: &str, args: &[(&str, String)]) -> Self {
        Problem {
            field: field.into(),
            message: text(locale, key, args),
        }
    }
}

/// Trimmed text of 1 to `max` characters without control characters, or a problem.
fn required(
    locale: Locale,
    field: &str,
    value: &str,
    max: usize,
    problems: &mut Vec<Problem>,
) -> String {
    let v = value.trim();
    if v.is_empty() {
        problems.push(Problem::new(locale, field, "err_required"));
    } else if v.chars().count() > max {
        problems.push(Problem::with(
            locale,
            field,
            "err_too_long",
            &[("max", max.to_string())],
        ));
    } else if v.chars().any(char::is_control) {
        problems.push(Problem::new(locale, field, "err_control"));
    }
    v.to_string()
}

/// A lower-cased e-mail address, checked by lettre's parser (the one mail is sent with).
fn email_of(locale: Locale, value: &str, problems: &mut Vec<Problem>) -> String {
    let v = value.trim().to_lowercase();
    let ok = v.chars().count() <= 254 && v.parse::<lettre::Address>().is_ok();
    if !ok {
        problems.push(Problem::new(locale, "email", "err_email"));
    }
    v
}

/// The sign-up form.
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    pub email: String,
    pub business_name: String,
    pub country: String,
}

/// A code was sent; `shown_code` is the code itself when no SMTP server is configured (demo
/// and development), for the page to show, clearly labelled.
#[derive(Debug, Clone)]
pub struct CodeSent {
    pub email: String,
    pub shown_code: Option<String>,
}

/// Signs a buyer up (pending approval) and sends the first sign-in code.
pub async fn sign_up(
    app: &AppState,
    form: &SignUp,
    locale: Locale,
) -> AppResult<Result<CodeSent, Vec<Problem>>> {
    let mut problems = Vec::new();
    let email = email_of(locale, &form.email, &mut problems);
    let business_name = required(
        locale,
        "business_name",
        &form.business_name,
        MAX_TEXT,
        &mut problems,
    );
    let country = form.country.trim().to_ascii_uppercase();
    if !COUNTRIES.iter().any(|(c, _)| *c == country) {
        problems.push(Problem::new(locale, "country", "err_country"));
    }
    if problems.is_empty()
        && ddhub_store::buyers::find_by_email(&app.store, &email)
            .await?
            .is_some()
    {
        problems.push(Problem::new(locale, "email", "err_email_taken"));
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let new = NewBuyer {
        email,
        business_name,
        country,
        locale,
    };
    let buyer = match ddhub_store::buyers::add(&app.store, new).await {
        Ok(b) => b,
        // Taken between the look and the insert.
        Err(ddhub_store::StoreError::Conflict(_)) => {
            return Ok(Err(vec![Problem::new(locale, "email", "err_email_taken")]));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Ok(send_code(app, &buyer).await?))
}

/// Sends a sign-in code to a buyer's e-mail.
pub async fn request_code(
    app: &AppState,
    email: &str,
    locale: Locale,
) -> AppResult<Result<CodeSent, Vec<Problem>>> {
    let mut problems = Vec::new();
    let email = email_of(locale, email, &mut problems);
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    match ddhub_store::buyers::find_by_email(&app.store, &email).await? {
        Some(b) => Ok(Ok(send_code(app, &b).await?)),
        None => Ok(Err(vec![Problem::new(locale, "email", "err_no_account")])),
    }
}

async fn send_code(app: &AppState, buyer: &Buyer) -> AppResult<CodeSent> {
    use rand::RngExt;
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    let expires = ddhub_domain::Timestamp::now().plus(CODE_LIFETIME);
    ddhub_store::buyers::set_code(&app.store, buyer.id, &code, expires).await?;
    let l = buyer.locale;
    let minutes = (CODE_LIFETIME.as_secs() / 60).to_string();
    let body = text(
        l,
        "mail_code_body",
        &[("code", code.clone()), ("minutes", minutes)],
    );
    super::mail::send(
        app,
        &buyer.email,
        &text(l, "mail_code_subject", &[("code", code.clone())]),
        &body,
        "sign_in_code",
    )
    .await?;
    Ok(CodeSent {
        email: buyer.email.clone(),
        shown_code: (!super::mail::smtp_configured(app)).then_some(code),
    })
}

/// Checks a sign-in code and opens a session.
pub async fn sign_in(
    app: &AppState,
    email: &str,
    code: &str,
    locale: Locale,
) -> AppResult<Result<OpenedSession, Vec<Problem>>> {
    let mut problems = Vec::new();
    let email = email_of(locale, email, &mut problems);
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(Problem::new(locale, "code", "err_code_shape"));
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let Some(buyer) = ddhub_store::buyers::find_by_email(&app.store, &email).await? else {
        return Ok(Err(vec![Problem::new(locale, "email", "err_no_account")]));
    };
    match ddhub_store::buyers::check_code(&app.store, buyer.id, &code, CODE_ATTEMPTS).await? {
        CodeCheck::Accepted => Ok(Ok(ddhub_store::buyers::open_session(
            &app.store,
            buyer.id,
            SESSION_LIFETIME,
        )
        .await?)),
        CodeCheck::Refused => Ok(Err(vec![Problem::new(locale, "code", "err_code")])),
        CodeCheck::Exhausted => Ok(Err(vec![Problem::new(
            locale,
            "code",
            "err_code_exhausted",
        )])),
    }
}

/// Buyers waiting for approval (all buyers with `all`), oldest first.
pub async fn list(app: &AppState, all: bool) -> AppResult<Vec<Buyer>> {
    let state = (!all).then_some(BuyerState::Pending);
    Ok(ddhub_store::buyers::list(&app.store, state).await?)
}

/// The operator approves a buyer; the buyer is told by e-mail.
pub async fn approve(app: &AppState, id: i64) -> AppResult<Buyer> {
    let before = ddhub_store::buyers::get(&app.store, id).await?;
    let b = ddhub_store::buyers::approve(&app.store, id).await?;
    if before.state != BuyerState::Approved {
        let l = b.locale;
        super::mail::send(
            app,
            &b.email,
            &text(l, "mail_approved_subject", &[]),
            &text(l, "mail_approved_body", &[]),
            "approved",
        )
        .await?;
    }
    Ok(b)
}

/// The storefront's own partner record, made on first use: orders in won, no markup.
pub async fn storefront_partner(app: &AppState) -> AppResult<Partner> {
    if let Some(p) =
        ddhub_store::parties::find_partner_by_name(&app.store, STOREFRONT_PARTNER).await?
    {
        return Ok(p);
    }
    let new = ddhub_store::parties::NewPartner {
        name: STOREFRONT_PARTNER.to_string(),
        locale: Locale::En,
        currency: Currency::Krw,
        markup_bp: 0,
        rounding: RoundingRule::None,
    };
    // Its key is never handed out: the storefront places orders in-process.
    let made = match ddhub_store::parties::add_partner(&app.store, new).await {
        Ok((p, _key)) => return Ok(p),
        // Made by another request meanwhile: read it below.
        Err(ddhub_store::StoreError::Conflict(_)) => None,
        Err(e) => Some(AppError::from(e)),
    };
    if let Some(e) = made {
        return Err(e);
    }
    ddhub_store::parties::find_partner_by_name(&app.store, STOREFRONT_PARTNER)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Reads a quantity field: empty is 0; otherwise 0 to [`MAX_LINE_QUANTITY`].
fn quantity_of(locale: Locale, field: &str, raw: &str, problems: &mut Vec<Problem>) -> u32 {
    let t = raw.trim();
    if t.is_empty() {
        return 0;
    }
    match t.parse::<u32>() {
        Ok(q) if q <= MAX_LINE_QUANTITY => q,
        _ => {
            problems.push(Problem::with(
                locale,
                field,
                "err_quantity",
                &[("max", MAX_LINE_QUANTITY.to_string())],
            ));
            0
        }
    }
}

fn colour_label(code: &str, locale: Locale) -> String {
    catalog::colours()
        .get(code)
        .map_or(code.to_string(), |c| c.labels.get(locale).to_string())
}

fn size_label(code: &str, locale: Locale) -> String {
    catalog::sizes()
        .get(code)
        .map_or(code.to_string(), |c| c.labels.get(locale).to_string())
}

/// Checks a whole cart-to-be: item count, stock and each style's MOQ.
fn check_cart(
    locale: Locale,
    lines: &[CartLine],
    facts: &HashMap<i64, ddhub_store::orders::SkuFacts>,
    problems: &mut Vec<Problem>,
) {
    if lines.len() > MAX_CART_LINES {
        problems.push(Problem::with(
            locale,
            "cart",
            "err_cart_full",
            &[("max", MAX_CART_LINES.to_string())],
        ));
    }
    let mut per_style: HashMap<i64, (u32, u32)> = HashMap::new();
    for l in lines {
        let Some(f) = facts.get(&l.sku_id.0) else {
            continue;
        };
        let e = per_style.entry(f.style_id.0).or_insert((0, f.moq));
        e.0 += l.quantity;
    }
    let mut styles: Vec<_> = per_style.into_iter().collect();
    styles.sort_unstable();
    for (style, (total, moq)) in styles {
        if total > 0 && total < moq {
            problems.push(Problem::with(
                locale,
                format!("style_{style}"),
                "err_moq",
                &[("moq", moq.to_string()), ("ordered", total.to_string())],
            ));
        }
    }
}

fn stock_of(f: &ddhub_store::orders::SkuFacts) -> StockState {
    StockState::of_sku(
        f.style_state.parse().unwrap_or(StyleState::Archived),
        f.stock.parse().unwrap_or(StockState::SoldOut),
    )
}

async fn facts_of(
    app: &AppState,
    ids: &[SkuId],
) -> AppResult<HashMap<i64, ddhub_store::orders::SkuFacts>> {
    Ok(ddhub_store::orders::sku_facts(&app.store, ids, &[])
        .await?
        .into_iter()
        .map(|f| (f.sku_id.0, f))
        .collect())
}

/// Adds pieces of one style to the cart: `picks` are (SKU, quantity text) from the colour ×
/// size picker. Quantities add to what the cart has; the style's total must reach its MOQ.
pub async fn add_to_cart(
    app: &AppState,
    buyer: &Buyer,
    style: StyleId,
    picks: &[(SkuId, String)],
    locale: Locale,
) -> AppResult<Result<(), Vec<Problem>>> {
    let mut problems = Vec::new();
    let ids: Vec<SkuId> = picks.iter().map(|(s, _)| *s).collect();
    let facts = facts_of(app, &ids).await?;
    let mut chosen = Vec::new();
    for (sku, raw) in picks {
        let field = format!("q_{}", sku.0);
        let q = quantity_of(locale, &field, raw, &mut problems);
        if q == 0 {
            continue;
        }
        match facts.get(&sku.0) {
            Some(f) if f.style_id == style => {
                if stock_of(f) == StockState::SoldOut {
                    problems.push(Problem::with(
                        locale,
                        field,
                        "err_sold_out",
                        &[
                            ("colour", colour_label(&f.colour, locale)),
                            ("size", size_label(&f.size, locale)),
                        ],
                    ));
                } else {
                    chosen.push(CartLine {
                        sku_id: *sku,
                        quantity: q,
                    });
                }
            }
            _ => problems.push(Problem::new(locale, field, "err_pick")),
        }
    }
    if chosen.is_empty() && problems.is_empty() {
        problems.push(Problem::new(locale, "picker", "err_pick"));
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let mut cart = ddhub_store::buyers::cart(app.store.conn(), buyer.id).await?;
    for c in &chosen {
        match cart.iter_mut().find(|l| l.sku_id == c.sku_id) {
            Some(l) => {
                l.quantity = (l.quantity + c.quantity).min(MAX_LINE_QUANTITY);
            }
            None => cart.push(*c),
        }
    }
    let all_ids: Vec<SkuId> = cart.iter().map(|l| l.sku_id).collect();
    let all_facts = facts_of(app, &all_ids).await?;
    check_cart(locale, &cart, &all_facts, &mut problems);
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let changed: Vec<CartLine> = cart
        .iter()
        .filter(|l| chosen.iter().any(|c| c.sku_id == l.sku_id))
        .copied()
        .collect();
    ddhub_store::buyers::set_cart_lines(&app.store, buyer.id, &changed).await?;
    Ok(Ok(()))
}

/// Sets the cart's quantities (0 removes a line); each style's total must reach its MOQ.
pub async fn update_cart(
    app: &AppState,
    buyer: &Buyer,
    changes: &[(SkuId, String)],
    locale: Locale,
) -> AppResult<Result<(), Vec<Problem>>> {
    let mut problems = Vec::new();
    let mut cart = ddhub_store::buyers::cart(app.store.conn(), buyer.id).await?;
    let mut changed = Vec::new();
    for (sku, raw) in changes {
        let q = quantity_of(locale, &format!("q_{}", sku.0), raw, &mut problems);
        if let Some(l) = cart.iter_mut().find(|l| l.sku_id == *sku) {
            l.quantity = q;
            changed.push(*l);
        }
    }
    cart.retain(|l| l.quantity > 0);
    let ids: Vec<SkuId> = cart.iter().map(|l| l.sku_id).collect();
    let facts = facts_of(app, &ids).await?;
    check_cart(locale, &cart, &facts, &mut problems);
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    ddhub_store::buyers::set_cart_lines(&app.store, buyer.id, &changed).await?;
    Ok(Ok(()))
}

/// One cart line as the cart page shows it.
#[derive(Debug, Clone)]
pub struct CartItem {
    pub sku_id: i64,
    pub style_id: i64,
    pub title: String,
    pub wholesaler: String,
    pub colour: String,
    pub size: String,
    pub quantity: u32,
    pub unit_krw: i64,
    pub line_krw: i64,
    pub stock: StockState,
}

/// A buyer's cart with its total in won.
#[derive(Debug, Clone, Default)]
pub struct CartView {
    pub items: Vec<CartItem>,
    pub pieces: u32,
    pub total_krw: i64,
}

async fn titles(
    app: &AppState,
    styles: &[StyleId],
    locale: Locale,
) -> AppResult<HashMap<i64, (String, String)>> {
    // One joined query (style, wholesaler, title in the locale), as a search answer reads it.
    Ok(
        ddhub_store::catalog::search_hits(&app.store, styles, locale)
            .await?
            .into_iter()
            .map(|r| {
                let title = match r.title {
                    Some(t) if locale != Locale::Ko => t,
                    _ => r.title_ko,
                };
                (r.style_id.0, (title, r.wholesaler.name))
            })
            .collect(),
    )
}

/// The cart in the buyer's language.
pub async fn cart(app: &AppState, buyer: &Buyer, locale: Locale) -> AppResult<CartView> {
    let lines = ddhub_store::buyers::cart(app.store.conn(), buyer.id).await?;
    let ids: Vec<SkuId> = lines.iter().map(|l| l.sku_id).collect();
    let facts = facts_of(app, &ids).await?;
    let mut styles: Vec<StyleId> = facts.values().map(|f| f.style_id).collect();
    styles.sort_unstable_by_key(|s| s.0);
    styles.dedup();
    let names = titles(app, &styles, locale).await?;
    let mut view = CartView::default();
    for l in lines {
        let Some(f) = facts.get(&l.sku_id.0) else {
            continue;
        };
        let (title, wholesaler) = names.get(&f.style_id.0).cloned().unwrap_or_default();
        let line_krw = f.price_krw.saturating_mul(i64::from(l.quantity));
        view.pieces += l.quantity;
        view.total_krw = view.total_krw.saturating_add(line_krw);
        view.items.push(CartItem {
            sku_id: l.sku_id.0,
            style_id: f.style_id.0,
            title,
            wholesaler,
            colour: colour_label(&f.colour, locale),
            size: size_label(&f.size, locale),
            quantity: l.quantity,
            unit_krw: f.price_krw,
            line_krw,
            stock: stock_of(f),
        });
    }
    Ok(view)
}

/// Where the order goes, from the cart page.
#[derive(Debug, Clone, Default)]
pub struct ShipTo {
    pub name: String,
    pub address1: String,
    pub address2: String,
    pub postal_code: String,
    pub phone: String,
    pub notes: String,
}

fn valid_phone(p: &str) -> bool {
    let digits = p.chars().filter(char::is_ascii_digit).count();
    (6..=20).contains(&digits)
        && p.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'))
}

/// Turns the cart into an order request of the storefront partner (the same intake, split
/// and purchase requests as any partner order), empties the cart and e-mails the buyer.
/// Returns the order id.
pub async fn submit(
    app: &AppState,
    buyer: &Buyer,
    ship: &ShipTo,
    locale: Locale,
) -> AppResult<Result<i64, Vec<Problem>>> {
    use ddhub_orders::intake::{LineRequest, OrderRequest};
    if buyer.state != BuyerState::Approved {
        return Ok(Err(vec![Problem::new(locale, "cart", "err_not_approved")]));
    }
    let lines = ddhub_store::buyers::cart(app.store.conn(), buyer.id).await?;
    if lines.is_empty() {
        return Ok(Err(vec![Problem::new(locale, "cart", "err_cart_empty")]));
    }
    let mut problems = Vec::new();
    let name = required(locale, "name", &ship.name, MAX_TEXT, &mut problems);
    let address1 = required(locale, "address1", &ship.address1, MAX_TEXT, &mut problems);
    let mut address_lines = vec![address1];
    if !ship.address2.trim().is_empty() {
        address_lines.push(required(
            locale,
            "address2",
            &ship.address2,
            MAX_TEXT,
            &mut problems,
        ));
    }
    let postal_code = (!ship.postal_code.trim().is_empty()).then(|| {
        required(
            locale,
            "postal_code",
            &ship.postal_code,
            MAX_POSTAL,
            &mut problems,
        )
    });
    let phone = ship.phone.trim().to_string();
    if !valid_phone(&phone) {
        problems.push(Problem::new(locale, "phone", "err_phone"));
    }
    let notes = ship.notes.trim();
    if notes.chars().count() > MAX_NOTES {
        problems.push(Problem::with(
            locale,
            "notes",
            "err_too_long",
            &[("max", MAX_NOTES.to_string())],
        ));
    }
    let ids: Vec<SkuId> = lines.iter().map(|l| l.sku_id).collect();
    let facts = facts_of(app, &ids).await?;
    check_cart(locale, &lines, &facts, &mut problems);
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let partner = storefront_partner(app).await?;
    let req = OrderRequest {
        // Unique per partner: the cart's revision changes with every change and every order.
        partner_order_id: format!("B{}-{}", buyer.id, buyer.cart_rev),
        currency: Currency::Krw,
        lines: lines
            .iter()
            .map(|l| LineRequest {
                sku_id: Some(l.sku_id),
                style_code: None,
                colour: None,
                size: None,
                wholesaler_id: None,
                item_id: None,
                quantity: i64::from(l.quantity),
                unit_price: ddhub_orders::intake::PriceInput::Money {
                    amount: facts
                        .get(&l.sku_id.0)
                        .map_or(String::from("0"), |f| f.price_krw.to_string()),
                    currency: Currency::Krw.code().to_string(),
                },
            })
            .collect(),
        ship_to: ddhub_orders::intake::ShipTo {
            name,
            country: buyer.country.clone(),
            address_lines,
            postal_code,
            phone,
        },
        notes: Some(notes.to_string()).filter(|n| !n.is_empty()),
    };
    let body = serde_json::to_vec(&req).map_err(AppError::internal)?;
    // The same cart revision is the same order: a double submit replays the first answer.
    let key = format!("storefront-{}-{}", buyer.id, buyer.cart_rev);
    let answer = super::orders::place(app, partner.id, &key, &body, locale).await?;
    let json: serde_json::Value = serde_json::from_str(&answer.body).map_err(AppError::internal)?;
    match answer.status {
        200 | 201 => {}
        422 => return Ok(Err(intake_problems(&json, &lines, &facts, locale))),
        _ => {
            return Err(AppError::with_detail(
                ErrorCode::Conflict,
                format!("order request answered {}", answer.status),
            ));
        }
    }
    let order_id = json
        .get("order_id")
        .and_then(serde_json::Value::as_i64)
        .ok_or_else(|| AppError::internal("order answer without order_id"))?;
    ddhub_store::buyers::record_order(&app.store, buyer.id, order_id).await?;
    let l = buyer.locale;
    let summary = order_summary(app, partner.id, order_id, l).await?;
    super::mail::send(
        app,
        &buyer.email,
        &text(
            l,
            "mail_received_subject",
            &[("order", order_id.to_string())],
        ),
        &format!(
            "{}\n\n{summary}",
            text(l, "mail_received_body", &[("order", order_id.to_string())])
        ),
        "order_received",
    )
    .await?;
    Ok(Ok(order_id))
}

/// The intake's problems (`problems[].code` with its details) as messages in the buyer's
/// language, each naming the item it is about.
fn intake_problems(
    json: &serde_json::Value,
    lines: &[CartLine],
    facts: &HashMap<i64, ddhub_store::orders::SkuFacts>,
    locale: Locale,
) -> Vec<Problem> {
    let list = json
        .get("problems")
        .and_then(serde_json::Value::as_array)
        .cloned()
        .unwrap_or_default();
    list.iter()
        .map(|p| {
            let code = p
                .get("code")
                .and_then(|c| c.as_str())
                .unwrap_or("order_invalid");
            let args: Vec<(&str, String)> = p
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter(|(k, _)| !matches!(k.as_str(), "code" | "messages" | "field"))
                        .filter_map(|(k, v)| {
                            let v = match v {
                                serde_json::Value::String(s) => s.clone(),
                                serde_json::Value::Number(n) => n.to_string(),
                                _ => return None,
                            };
                            Some((k.as_str(), v))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut message = ddhub_orders::messages::message(code, locale, &args);
            let line = p
                .get("line")
                .and_then(serde_json::Value::as_u64)
                .and_then(|i| lines.get(usize::try_from(i).ok()?));
            if let Some(f) = line.and_then(|l| facts.get(&l.sku_id.0)) {
                message = format!(
                    "{} / {}: {message}",
                    colour_label(&f.colour, locale),
                    size_label(&f.size, locale)
                );
            }
            Problem {
                field: "cart".into(),
                message,
            }
        })
        .collect()
}

/// A line's answer as the buyer reads it.
pub fn answer_label(state: &str, backorder_until: Option<&str>, locale: Locale) -> String {
    match state.parse::<LineState>() {
        Ok(LineState::Pending) => text(locale, "answer_pending", &[]),
        Ok(LineState::Available) => text(locale, "answer_available", &[]),
        Ok(LineState::Backorder) => match backorder_until {
            Some(d) => text(
                locale,
                "answer_backorder_until",
                &[("date", crate::cldr::format_date(d, locale))],
            ),
            None => text(locale, "answer_backorder", &[]),
        },
        Ok(LineState::SoldOut) => text(locale, "answer_sold_out", &[]),
        Ok(LineState::Cancelled) => text(locale, "answer_cancelled", &[]),
        Err(_) => state.to_string(),
    }
}

/// One line of a buyer's order.
#[derive(Debug, Clone)]
pub struct BuyerOrderLine {
    pub style_id: i64,
    pub title: String,
    pub wholesaler: String,
    pub colour: String,
    pub size: String,
    pub quantity: i32,
    pub confirmed_quantity: i32,
    pub unit_krw: i64,
    /// `pending`, `available`, `backorder`, `sold_out`, `cancelled`.
    pub state: String,
    pub answer: String,
}

/// A buyer's order as the orders page shows it.
#[derive(Debug, Clone)]
pub struct BuyerOrder {
    pub id: i64,
    pub state: String,
    pub lines: Vec<BuyerOrderLine>,
    pub total_krw: i64,
}

async fn order_view(
    app: &AppState,
    partner: PartnerId,
    ids: &[i64],
    locale: Locale,
) -> AppResult<Vec<BuyerOrder>> {
    let mut views = Vec::new();
    for id in ids {
        views.push(ddhub_store::orders::get_order(app.store.conn(), partner, *id).await?);
    }
    let skus: Vec<SkuId> = views
        .iter()
        .flat_map(|v| v.lines.iter().map(|l| SkuId(l.sku_id)))
        .collect();
    let facts = facts_of(app, &skus).await?;
    let mut styles: Vec<StyleId> = views
        .iter()
        .flat_map(|v| v.lines.iter().map(|l| StyleId(l.style_id)))
        .collect();
    styles.sort_unstable_by_key(|s| s.0);
    styles.dedup();
    let names = titles(app, &styles, locale).await?;
    Ok(views
        .into_iter()
        .map(|v| {
            let lines: Vec<BuyerOrderLine> = v
                .lines
                .iter()
                .map(|l| {
                    let f = facts.get(&l.sku_id);
                    let (title, wholesaler) = names.get(&l.style_id).cloned().unwrap_or_default();
                    BuyerOrderLine {
                        style_id: l.style_id,
                        title,
                        wholesaler,
                        colour: f.map_or(String::new(), |f| colour_label(&f.colour, locale)),
                        size: f.map_or(String::new(), |f| size_label(&f.size, locale)),
                        quantity: l.quantity,
                        confirmed_quantity: l.confirmed_quantity,
                        // The storefront's partner orders in won, which has no minor unit: the decimal
                        // amount is the whole number of won.
                        unit_krw: krw_amount(&l.unit_price),
                        state: l.state.clone(),
                        answer: answer_label(&l.state, l.backorder_until.as_deref(), locale),
                    }
                })
                .collect();
            BuyerOrder {
                id: v.order_id,
                state: v.state,
                total_krw: lines
                    .iter()
                    .map(|l| l.unit_krw.saturating_mul(i64::from(l.quantity)))
                    .sum(),
                lines,
            }
        })
        .collect())
}

/// Most orders the orders page lists.
const ORDERS_SHOWN: usize = 50;

/// A buyer's orders, newest first, with each line's answer in `locale`.
pub async fn orders(app: &AppState, buyer: &Buyer, locale: Locale) -> AppResult<Vec<BuyerOrder>> {
    let mut ids = ddhub_store::buyers::order_ids(&app.store, buyer.id).await?;
    ids.truncate(ORDERS_SHOWN);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let partner = storefront_partner(app).await?;
    order_view(app, partner.id, &ids, locale).await
}

/// An order's lines as e-mail text.
async fn order_summary(
    app: &AppState,
    partner: PartnerId,
    order_id: i64,
    locale: Locale,
) -> AppResult<String> {
    let orders = order_view(app, partner, &[order_id], locale).await?;
    let mut out = String::new();
    for o in orders {
        for l in o.lines {
            out.push_str(&format!(
                "- {} ({} / {}) × {}: {}\n",
                l.title, l.colour, l.size, l.quantity, l.answer
            ));
        }
    }
    Ok(out)
}

/// Tells the buyer of a storefront order that answers changed (called after a wholesaler
/// answers). Orders of other partners are left alone.
pub async fn notify_answers(app: &AppState, partner: PartnerId, order_id: i64) -> AppResult<()> {
    let Some(buyer) = ddhub_store::buyers::buyer_of_order(&app.store, order_id).await? else {
        return Ok(());
    };
    let l = buyer.locale;
    let summary = order_summary(app, partner, order_id, l).await?;
    super::mail::send(
        app,
        &buyer.email,
        &text(
            l,
            "mail_answers_subject",
            &[("order", order_id.to_string())],
        ),
        &format!(
            "{}\n\n{summary}",
            text(l, "mail_answers_body", &[("order", order_id.to_string())])
        ),
        "answers_changed",
    )
    .await
}

/// Whole won of a line's unit price (the storefront partner orders in KRW); 0 for anything else,
/// which the storefront never writes.
fn krw_amount(m: &ddhub_domain::DecimalMoney) -> i64 {
    if m.currency != "KRW" {
        return 0;
    }
    m.amount.parse().unwrap_or(0)
}
