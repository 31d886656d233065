//! Styles and SKUs: reading a wholesaler's catalog, and writing styles (the ingestion path
//! builds on [`upsert_style`]).

use crate::entity::{sku, style};
use crate::jobs::{self, NewJob};
use crate::{Result, Store, StoreError};
use ddhub_domain::style::{CompositionPart, Quantity, Sku, StockState, Style, StyleState};
use ddhub_domain::{Krw, SkuId, StyleId, Timestamp, WholesalerId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

pub(crate) fn to_style(m: style::Model) -> Result<Style> {
    Ok(Style {
        id: StyleId(m.id),
        wholesaler_id: WholesalerId(m.wholesaler_id),
        style_code: m.style_code,
        title_ko: m.title_ko,
        category: m.category,
        price: Krw(m.price_krw),
        moq: Quantity(u32::try_from(m.moq).map_err(|_| StoreError::Corrupt("moq".into()))?),
        composition: serde_json::from_str::<Vec<CompositionPart>>(&m.composition)?,
        origin: m.origin,
        season: m.season,
        same_day_dispatch: m.same_day,
        description_ko: m.description_ko,
        state: m.state.parse::<StyleState>()?,
        created_at: Timestamp(m.created_at),
        updated_at: Timestamp(m.updated_at),
    })
}

fn to_sku(m: sku::Model) -> Result<Sku> {
    Ok(Sku {
        id: SkuId(m.id),
        style_id: StyleId(m.style_id),
        colour: m.colour,
        size: m.size,
        stock: m.stock.parse::<StockState>()?,
    })
}

/// One page of a wholesaler's styles, newest first.
#[derive(Debug, Clone)]
pub struct StylePage {
    pub styles: Vec<Style>,
    pub total: u64,
}

/// Lists the styles of one wholesaler. Tenancy lives here: there is no way to list across
/// wholesalers through this function.
pub async fn list_styles(
    store: &Store,
    wholesaler: WholesalerId,
    state: Option<StyleState>,
    page: u64,
    per_page: u64,
) -> Result<StylePage> {
    let mut q = style::Entity::find().filter(style::Column::WholesalerId.eq(wholesaler.0));
    if let Some(s) = state {
        q = q.filter(style::Column::State.eq(s.as_str()));
    }
    let total = q.clone().count(store.conn()).await?;
    let rows = q
        .order_by_desc(style::Column::UpdatedAt)
        .order_by_desc(style::Column::Id)
        .offset(page.saturating_mul(per_page))
        .limit(per_page)
        .all(store.conn())
        .await?;
    Ok(StylePage {
        styles: rows.into_iter().map(to_style).collect::<Result<_>>()?,
        total,
    })
}

/// One style with its SKUs, only if it belongs to `wholesaler`: another wholesaler's style is
/// `NotFound`, exactly like a missing one.
pub async fn get_style(
    store: &Store,
    wholesaler: WholesalerId,
    id: StyleId,
) -> Result<(Style, Vec<Sku>)> {
    let row = style::Entity::find_by_id(id.0)
        .filter(style::Column::WholesalerId.eq(wholesaler.0))
        .one(store.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let skus = sku::Entity::find()
        .filter(sku::Column::StyleId.eq(id.0))
        .order_by_asc(sku::Column::Id)
        .all(store.conn())
        .await?
        .into_iter()
        .map(to_sku)
        .collect::<Result<_>>()?;
    Ok((to_style(row)?, skus))
}

/// A style to create or update, keyed by (wholesaler, style code).
#[derive(Debug, Clone)]
pub struct StyleInput {
    pub style_code: String,
    pub title_ko: String,
    pub category: String,
    pub price: Krw,
    pub moq: Quantity,
    pub composition: Vec<CompositionPart>,
    pub origin: Option<String>,
    pub season: Option<String>,
    pub same_day_dispatch: bool,
    pub description_ko: Option<String>,
    pub state: StyleState,
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// (colour code, size code, stock) for every SKU.
    pub skus: Vec<(String, String, StockState)>,
    /// Hash of the canonical content: equal hash, nothing to do.
    pub content_hash: String,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Created(StyleId),
    Updated(StyleId),
    Unchanged(StyleId),
}

/// Job kind queued whenever styles change (translation and search indexing follow it). Payload:
/// `{"styles": [{"id": 1, "fields": ["title", "commerce", …]}]}`, the groups of fields that
/// changed (`created` for a new style, `archived` for one a replace-mode upload retired).
pub const JOB_STYLE_CHANGED: &str = "style.changed";

/// Creates or updates one style and its SKUs inside the caller's write transaction, and queues
/// a `style.changed` job in the same transaction when anything changed.
pub async fn upsert_style<C: ConnectionTrait>(
    conn: &C,
    wholesaler: WholesalerId,
    input: &StyleInput,
) -> Result<UpsertOutcome> {
    let out = upsert_styles(conn, wholesaler, None, std::slice::from_ref(input)).await?;
    out.outcomes
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::Corrupt("upsert returned nothing".into()))
}

/// What a batch upsert did, in input order.
#[derive(Debug, Clone, Default)]
pub struct BatchOutcome {
    pub outcomes: Vec<UpsertOutcome>,
    pub skus_written: usize,
}

/// Most values bound in one statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_BINDS: usize = 30_000;

/// Which groups of fields differ between a stored style and its new input.
fn changed_fields(
    old: &style::Model,
    new: &StyleInput,
    old_skus: &[sku::Model],
) -> Result<Vec<&'static str>> {
    let mut f = Vec::new();
    if old.title_ko != new.title_ko {
        f.push("title");
    }
    if old.description_ko != new.description_ko {
        f.push("description");
    }
    let extra = serde_json::to_string(&new.extra)?;
    let composition = serde_json::to_string(&new.composition)?;
    if old.category != new.category
        || old.composition != composition
        || old.origin != new.origin
        || old.season != new.season
        || old.extra != extra
    {
        f.push("attributes");
    }
    if old.price_krw != new.price.0
        || i64::from(old.moq) != i64::from(new.moq.0)
        || old.same_day != new.same_day_dispatch
        || old.state != new.state.as_str()
    {
        f.push("commerce");
    }
    let mut have: Vec<(&str, &str, &str)> = old_skus
        .iter()
        .map(|k| (k.colour.as_str(), k.size.as_str(), k.stock.as_str()))
        .collect();
    let mut want: Vec<(&str, &str, &str)> = new
        .skus
        .iter()
        .map(|(c, z, k)| (c.as_str(), z.as_str(), k.as_str()))
        .collect();
    have.sort_unstable();
    want.sort_unstable();
    if have != want {
        f.push("variants");
    }
    Ok(f)
}

/// Creates or updates many styles of one wholesaler in the caller's write transaction, with a
/// handful of statements per batch rather than per style (the 20,000 styles/s ingest target
/// needs it). Unchanged styles (same content hash) are not touched, except that `upload`, when
/// given, is recorded as the last upload that listed them. One `style.changed` job lists every
/// changed style with the groups of fields that changed.
pub async fn upsert_styles<C: ConnectionTrait>(
    conn: &C,
    wholesaler: WholesalerId,
    upload: Option<i64>,
    inputs: &[StyleInput],
) -> Result<BatchOutcome> {
    let now = Timestamp::now().0;
    let started = std::time::Instant::now();
    let codes: Vec<&str> = inputs.iter().map(|i| i.style_code.as_str()).collect();
    let mut existing: HashMap<String, style::Model> = HashMap::new();
    for chunk in codes.chunks(MAX_BINDS / 2) {
        for row in style::Entity::find()
            .filter(style::Column::WholesalerId.eq(wholesaler.0))
            .filter(style::Column::StyleCode.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            existing.insert(row.style_code.clone(), row);
        }
    }
    let t_lookup = started.elapsed();
    let mut new_rows = Vec::new();
    let mut changed: Vec<(&StyleInput, style::Model)> = Vec::new();
    for input in inputs {
        match existing.get(&input.style_code) {
            None => new_rows.push(input),
            Some(row) if row.content_hash == input.content_hash => {}
            Some(row) => changed.push((input, row.clone())),
        }
    }
    // New styles: multi-row inserts, then their ids by code.
    const STYLE_COLS: usize = 18;
    let mut new_ids: HashMap<String, i64> = HashMap::new();
    for chunk in new_rows.chunks(MAX_BINDS / STYLE_COLS) {
        let models =
            chunk
                .iter()
                .map(|i| {
                    Ok(style::ActiveModel {
                        wholesaler_id: Set(wholesaler.0),
                        style_code: Set(i.style_code.clone()),
                        title_ko: Set(i.title_ko.clone()),
                        category: Set(i.category.clone()),
                        price_krw: Set(i.price.0),
                        moq: Set(i32::try_from(i.moq.0)
                            .map_err(|_| StoreError::Invalid("moq".into()))?),
                        composition: Set(serde_json::to_string(&i.composition)?),
                        origin: Set(i.origin.clone()),
                        season: Set(i.season.clone()),
                        same_day: Set(i.same_day_dispatch),
                        description_ko: Set(i.description_ko.clone()),
                        state: Set(i.state.as_str().to_string()),
                        extra: Set(serde_json::to_string(&i.extra)?),
                        content_hash: Set(i.content_hash.clone()),
                        last_upload_id: Set(upload),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    })
                })
                .collect::<Result<Vec<_>>>()?;
        style::Entity::insert_many(models).exec(conn).await?;
        let chunk_codes: Vec<&str> = chunk.iter().map(|i| i.style_code.as_str()).collect();
        let rows: Vec<(i64, String)> = style::Entity::find()
            .select_only()
            .column(style::Column::Id)
            .column(style::Column::StyleCode)
            .filter(style::Column::WholesalerId.eq(wholesaler.0))
            .filter(style::Column::StyleCode.is_in(chunk_codes))
            .into_tuple()
            .all(conn)
            .await?;
        new_ids.extend(rows.into_iter().map(|(id, code)| (code, id)));
    }
    let t_styles = started.elapsed();
    let mut skus_written = 0;
    let new_skus: Vec<sku::ActiveModel> = new_rows
        .iter()
        .filter_map(|i| new_ids.get(&i.style_code).map(|id| (i, *id)))
        .flat_map(|(i, id)| {
            i.skus.iter().map(move |(c, z, k)| sku::ActiveModel {
                style_id: Set(id),
                colour: Set(c.clone()),
                size: Set(z.clone()),
                stock: Set(k.as_str().to_string()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
        })
        .collect();
    skus_written += new_skus.len();
    let mut pending = new_skus.into_iter().peekable();
    while pending.peek().is_some() {
        let chunk: Vec<_> = pending.by_ref().take(MAX_BINDS / 7).collect();
        sku::Entity::insert_many(chunk).exec(conn).await?;
    }
    let t_skus = started.elapsed();
    // Changed styles: one update each, and their SKUs brought in line.
    let mut change_list: Vec<serde_json::Value> = new_rows
        .iter()
        .filter_map(|i| new_ids.get(&i.style_code))
        .map(|id| serde_json::json!({ "id": id, "fields": ["created"] }))
        .collect();
    for (input, row) in &changed {
        let old_skus = sku::Entity::find()
            .filter(sku::Column::StyleId.eq(row.id))
            .all(conn)
            .await?;
        let fields = changed_fields(row, input, &old_skus)?;
        let mut am: style::ActiveModel = row.clone().into();
        am.title_ko = Set(input.title_ko.clone());
        am.category = Set(input.category.clone());
        am.price_krw = Set(input.price.0);
        am.moq = Set(i32::try_from(input.moq.0).map_err(|_| StoreError::Invalid("moq".into()))?);
        am.composition = Set(serde_json::to_string(&input.composition)?);
        am.origin = Set(input.origin.clone());
        am.season = Set(input.season.clone());
        am.same_day = Set(input.same_day_dispatch);
        am.description_ko = Set(input.description_ko.clone());
        am.state = Set(input.state.as_str().to_string());
        am.extra = Set(serde_json::to_string(&input.extra)?);
        am.content_hash = Set(input.content_hash.clone());
        am.last_upload_id = Set(upload.or(row.last_upload_id));
        am.updated_at = Set(now);
        am.update(conn).await?;
        skus_written += sync_skus(conn, row.id, &input.skus, &old_skus, now).await?;
        if !fields.is_empty() {
            change_list.push(serde_json::json!({ "id": row.id, "fields": fields }));
        }
    }
    // Unchanged styles only learn which upload listed them last.
    if let Some(upload) = upload {
        let unchanged: Vec<&str> = inputs
            .iter()
            .filter(|i| {
                existing
                    .get(&i.style_code)
                    .is_some_and(|r| r.content_hash == i.content_hash)
            })
            .map(|i| i.style_code.as_str())
            .collect();
        for chunk in unchanged.chunks(MAX_BINDS / 2) {
            style::Entity::update_many()
                .col_expr(style::Column::LastUploadId, Expr::value(upload))
                .filter(style::Column::WholesalerId.eq(wholesaler.0))
                .filter(style::Column::StyleCode.is_in(chunk.iter().copied()))
                .exec(conn)
                .await?;
        }
    }
    if !change_list.is_empty() {
        jobs::enqueue(
            conn,
            NewJob::new(
                JOB_STYLE_CHANGED,
                serde_json::json!({ "styles": change_list }),
            ),
        )
        .await?;
    }
    tracing::debug!(
        styles = inputs.len(),
        lookup_ms = t_lookup.as_millis() as u64,
        insert_styles_ms = (t_styles - t_lookup).as_millis() as u64,
        insert_skus_ms = (t_skus - t_styles).as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        "upsert batch"
    );
    let outcomes = inputs
        .iter()
        .map(|i| match existing.get(&i.style_code) {
            Some(r) if r.content_hash == i.content_hash => {
                Ok(UpsertOutcome::Unchanged(StyleId(r.id)))
            }
            Some(r) => Ok(UpsertOutcome::Updated(StyleId(r.id))),
            None => new_ids
                .get(&i.style_code)
                .map(|id| UpsertOutcome::Created(StyleId(*id)))
                .ok_or_else(|| {
                    StoreError::Corrupt(format!("style {} vanished on insert", i.style_code))
                }),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(BatchOutcome {
        outcomes,
        skus_written,
    })
}

/// Archives the wholesaler's active or sold-out styles that upload `upload` did not list
/// (`mode=replace`); never deletes. Returns their ids, and queues `style.changed` for them.
pub async fn archive_unlisted<C: ConnectionTrait>(
    conn: &C,
    wholesaler: WholesalerId,
    upload: i64,
) -> Result<Vec<StyleId>> {
    let ids: Vec<i64> = style::Entity::find()
        .select_only()
        .column(style::Column::Id)
        .filter(style::Column::WholesalerId.eq(wholesaler.0))
        .filter(style::Column::State.ne(StyleState::Archived.as_str()))
        .filter(
            sea_orm::Condition::any()
                .add(style::Column::LastUploadId.is_null())
                .add(style::Column::LastUploadId.ne(upload)),
        )
        .into_tuple()
        .all(conn)
        .await?;
    let now = Timestamp::now().0;
    for chunk in ids.chunks(MAX_BINDS) {
        style::Entity::update_many()
            .col_expr(
                style::Column::State,
                Expr::value(StyleState::Archived.as_str()),
            )
            .col_expr(style::Column::UpdatedAt, Expr::value(now))
            .filter(style::Column::Id.is_in(chunk.iter().copied()))
            .exec(conn)
            .await?;
    }
    if !ids.is_empty() {
        let list: Vec<_> = ids
            .iter()
            .map(|id| serde_json::json!({ "id": id, "fields": ["archived"] }))
            .collect();
        jobs::enqueue(
            conn,
            NewJob::new(JOB_STYLE_CHANGED, serde_json::json!({ "styles": list })),
        )
        .await?;
    }
    Ok(ids.into_iter().map(StyleId).collect())
}

/// Which of `inputs` would be created, updated or left unchanged (a dry run's counts).
pub async fn classify<C: ConnectionTrait>(
    conn: &C,
    wholesaler: WholesalerId,
    inputs: &[StyleInput],
) -> Result<(usize, usize, usize)> {
    let codes: Vec<&str> = inputs.iter().map(|i| i.style_code.as_str()).collect();
    let mut hashes: HashMap<String, String> = HashMap::new();
    for chunk in codes.chunks(MAX_BINDS / 2) {
        let rows: Vec<(String, String)> = style::Entity::find()
            .select_only()
            .column(style::Column::StyleCode)
            .column(style::Column::ContentHash)
            .filter(style::Column::WholesalerId.eq(wholesaler.0))
            .filter(style::Column::StyleCode.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        hashes.extend(rows);
    }
    let (mut created, mut updated, mut unchanged) = (0, 0, 0);
    for i in inputs {
        match hashes.get(&i.style_code) {
            None => created += 1,
            Some(h) if *h == i.content_hash => unchanged += 1,
            Some(_) => updated += 1,
        }
    }
    Ok((created, updated, unchanged))
}

/// Makes the style's SKUs exactly `wanted`: new ones inserted, changed stock updated, ones no
/// longer in the sheet marked sold out (never deleted: orders may point at them).
async fn sync_skus<C: ConnectionTrait>(
    conn: &C,
    style_id: i64,
    wanted: &[(String, String, StockState)],
    current: &[sku::Model],
    now: i64,
) -> Result<usize> {
    let mut written = 0;
    for (colour, size, stock) in wanted {
        match current
            .iter()
            .find(|s| &s.colour == colour && &s.size == size)
        {
            Some(s) if s.stock == stock.as_str() => {}
            Some(s) => {
                written += 1;
                sku::Entity::update_many()
                    .col_expr(sku::Column::Stock, Expr::value(stock.as_str()))
                    .col_expr(sku::Column::UpdatedAt, Expr::value(now))
                    .filter(sku::Column::Id.eq(s.id))
                    .exec(conn)
                    .await?;
            }
            None => {
                written += 1;
                sku::ActiveModel {
                    style_id: Set(style_id),
                    colour: Set(colour.clone()),
                    size: Set(size.clone()),
                    stock: Set(stock.as_str().to_string()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(conn)
                .await?;
            }
        }
    }
    let gone: Vec<i64> = current
        .iter()
        .filter(|s| {
            !wanted
                .iter()
                .any(|(c, z, _)| c == &s.colour && z == &s.size)
        })
        .filter(|s| s.stock != StockState::SoldOut.as_str())
        .map(|s| s.id)
        .collect();
    if !gone.is_empty() {
        written += gone.len();
        sku::Entity::update_many()
            .col_expr(
                sku::Column::Stock,
                Expr::value(StockState::SoldOut.as_str()),
            )
            .col_expr(sku::Column::UpdatedAt, Expr::value(now))
            .filter(sku::Column::Id.is_in(gone))
            .exec(conn)
            .await?;
    }
    Ok(written)
}

/// Counts a wholesaler's styles (for the demo and tests).
pub async fn count_styles(store: &Store, wholesaler: WholesalerId) -> Result<u64> {
    Ok(style::Entity::find()
        .filter(style::Column::WholesalerId.eq(wholesaler.0))
        .count(store.conn())
        .await?)
}

/// A stable hash of everything a style row holds, so re-uploading an unchanged style is a no-op.
pub fn content_hash(input: &StyleInput) -> String {
    use sha2::{Digest, Sha256};
    let canonical = serde_json::json!({
        "code": input.style_code,
        "title": input.title_ko,
        "category": input.category,
        "price": input.price.0,
        "moq": input.moq.0,
        "composition": input.composition,
        "origin": input.origin,
        "season": input.season,
        "same_day": input.same_day_dispatch,
        "description": input.description_ko,
        "state": input.state.as_str(),
        "extra": input.extra,
        "skus": input.skus.iter().map(|(c, s, k)| [c.as_str(), s.as_str(), k.as_str()]).collect::<Vec<_>>(),
    });
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Adds a photo to a style unless the style already has one with the same bytes; returns the
/// new photo's id (its normalisation is the caller's to queue, in the same transaction).
pub async fn add_photo<C: ConnectionTrait>(
    conn: &C,
    style: StyleId,
    source_name: &str,
    sha256: &str,
    position: usize,
) -> Result<Option<ddhub_domain::PhotoId>> {
    use crate::entity::photo;
    let exists = photo::Entity::find()
        .filter(photo::Column::StyleId.eq(style.0))
        .filter(photo::Column::Sha256.eq(sha256))
        .one(conn)
        .await?;
    if exists.is_some() {
        return Ok(None);
    }
    let now = Timestamp::now().0;
    let row = photo::ActiveModel {
        style_id: Set(style.0),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        source_name: Set(source_name.chars().take(255).collect()),
        sha256: Set(sha256.to_string()),
        content_type: Set(None),
        width: Set(None),
        height: Set(None),
        state: Set(ddhub_domain::style::PhotoState::Pending
            .as_str()
            .to_string()),
        phash: Set(None),
        warnings: Set("[]".to_string()),
        error: Set(None),
        variants: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(Some(ddhub_domain::PhotoId(row.id)))
}

/// Everything a listing (search document, feed item) needs about one style.
#[derive(Debug, Clone)]
pub struct ListingRow {
    pub style: Style,
    pub skus: Vec<Sku>,
    pub wholesaler: ddhub_domain::wholesaler::Wholesaler,
    /// The main photo's thumbnail key, once normalised.
    pub thumbnail_key: Option<String>,
}

/// Loads listing rows for the given styles (missing ids are simply absent).
pub async fn listing_rows(store: &Store, ids: &[StyleId]) -> Result<Vec<ListingRow>> {
    listing_rows_with(store, ids, true).await
}

/// [`listing_rows`] without the SKUs (`skus` is empty): what a page of search hits shows, one
/// read fewer per request.
pub async fn hit_rows(store: &Store, ids: &[StyleId]) -> Result<Vec<ListingRow>> {
    listing_rows_with(store, ids, false).await
}

async fn listing_rows_with(
    store: &Store,
    ids: &[StyleId],
    with_skus: bool,
) -> Result<Vec<ListingRow>> {
    use crate::entity::{photo, wholesaler};
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(MAX_BINDS / 4) {
        let id_list: Vec<i64> = chunk.iter().map(|s| s.0).collect();
        let styles = style::Entity::find()
            .filter(style::Column::Id.is_in(id_list.clone()))
            .order_by_asc(style::Column::Id)
            .all(store.conn())
            .await?;
        let mut skus: HashMap<i64, Vec<Sku>> = HashMap::new();
        let sku_rows = if with_skus {
            sku::Entity::find()
                .filter(sku::Column::StyleId.is_in(id_list.clone()))
                .order_by_asc(sku::Column::Id)
                .all(store.conn())
                .await?
        } else {
            Vec::new()
        };
        for k in sku_rows {
            skus.entry(k.style_id).or_default().push(to_sku(k)?);
        }
        let mut thumbs: HashMap<i64, (i32, String)> = HashMap::new();
        for p in photo::Entity::find()
            .filter(photo::Column::StyleId.is_in(id_list.clone()))
            .filter(photo::Column::State.eq("ready"))
            .all(store.conn())
            .await?
        {
            let variants: Vec<crate::photos::StoredVariant> =
                serde_json::from_str(p.variants.as_deref().unwrap_or("[]"))?;
            if let Some(v) = variants
                .iter()
                .find(|v| v.name == "thumb" && v.format == "jpeg")
            {
                let better = thumbs
                    .get(&p.style_id)
                    .is_none_or(|(pos, _)| p.position < *pos);
                if better {
                    thumbs.insert(p.style_id, (p.position, v.key.clone()));
                }
            }
        }
        let wids: std::collections::BTreeSet<i64> =
            styles.iter().map(|s| s.wholesaler_id).collect();
        let ws: HashMap<i64, wholesaler::Model> = wholesaler::Entity::find()
            .filter(wholesaler::Column::Id.is_in(wids))
            .all(store.conn())
            .await?
            .into_iter()
            .map(|w| (w.id, w))
            .collect();
        for s in styles {
            let Some(w) = ws.get(&s.wholesaler_id) else {
                continue;
            };
            let id = s.id;
            out.push(ListingRow {
                wholesaler: ddhub_domain::wholesaler::Wholesaler {
                    id: WholesalerId(w.id),
                    name: w.name.clone(),
                    location: ddhub_domain::wholesaler::ShopLocation {
                        building: w.building.clone(),
                        floor: w.floor.clone(),
                        unit: w.unit.clone(),
                    },
                    created_at: Timestamp(w.created_at),
                },
                style: to_style(s)?,
                skus: skus.remove(&id).unwrap_or_default(),
                thumbnail_key: thumbs.remove(&id).map(|(_, k)| k),
            });
        }
    }
    Ok(out)
}

/// Style ids in id order after `after`, `limit` at a time (for rebuilding derived data).
pub async fn style_ids_after(store: &Store, after: i64, limit: u64) -> Result<Vec<StyleId>> {
    let ids: Vec<i64> = style::Entity::find()
        .select_only()
        .column(style::Column::Id)
        .filter(style::Column::Id.gt(after))
        .order_by_asc(style::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(store.conn())
        .await?;
    Ok(ids.into_iter().map(StyleId).collect())
}

/// Number of styles in the hub.
pub async fn total_styles(store: &Store) -> Result<u64> {
    Ok(style::Entity::find().count(store.conn()).await?)
}

/// The wholesaler a style belongs to.
pub async fn owner_of(store: &Store, id: StyleId) -> Result<WholesalerId> {
    style::Entity::find_by_id(id.0)
        .one(store.conn())
        .await?
        .map(|s| WholesalerId(s.wholesaler_id))
        .ok_or(StoreError::NotFound)
}

/// A number that changes whenever anything in any partner's view may have changed: styles,
/// translations, photos, rates. Feed ETags are built on it.
pub async fn catalog_version(store: &Store) -> Result<i64> {
    let sql = "SELECT \
        (SELECT COALESCE(MAX(updated_at), 0) FROM styles) + \
        (SELECT COUNT(*) FROM styles) + \
        (SELECT COALESCE(MAX(updated_at), 0) FROM translations) + \
        (SELECT COALESCE(MAX(updated_at), 0) FROM photos) + \
        (SELECT COALESCE(MAX(updated_at), 0) FROM exchange_rates) AS v";
    let conn = store.conn();
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            sql,
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64>("", "v")?,
        None => 0,
    })
}
