//! Styles and SKUs: reading a wholesaler's catalog, and writing styles (the ingestion path
//! builds on [`upsert_style`]).

use crate::bulk::{self, Column, Rows, Sql};
use crate::changes::ChangeKind;
use crate::entity::{sku, style};
use crate::jobs::{self, NewJob};
use crate::{Result, Store, StoreError};
use ddhub_domain::jobs::{ChangedStyle, StyleChanged};
use ddhub_domain::measure::SizeMeasurements;
use ddhub_domain::style::{CompositionPart, Quantity, Sku, StockState, Style, StyleState};
use ddhub_domain::{Krw, SkuId, StyleId, Timestamp, WholesalerId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Value,
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
        weight_grams: u32::try_from(m.weight_grams).ok().filter(|g| *g > 0),
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
        .offset(crate::page_window(page, per_page).0)
        .limit(crate::page_window(page, per_page).1)
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
    let skus = skus_of(store, id)
        .await?
        .into_iter()
        .map(to_sku)
        .collect::<Result<_>>()?;
    Ok((to_style(row)?, skus))
}

/// A style's SKU rows in the order they were written.
async fn skus_of(store: &Store, id: StyleId) -> Result<Vec<sku::Model>> {
    Ok(sku::Entity::find()
        .filter(sku::Column::StyleId.eq(id.0))
        .order_by_asc(sku::Column::Id)
        .all(store.conn())
        .await?)
}

/// (id, style code) of the styles of `wholesaler` that upload `upload_id` last listed, by
/// code: what an upload's report speaks of (photo problems, colour checks).
pub async fn styles_of_upload(
    store: &Store,
    wholesaler: WholesalerId,
    upload_id: i64,
) -> Result<Vec<(i64, String)>> {
    Ok(style::Entity::find()
        .select_only()
        .column(style::Column::Id)
        .column(style::Column::StyleCode)
        .filter(style::Column::WholesalerId.eq(wholesaler.0))
        .filter(style::Column::LastUploadId.eq(upload_id))
        .order_by_asc(style::Column::StyleCode)
        .into_tuple()
        .all(store.conn())
        .await?)
}

/// A stored style of `wholesaler` as the input that would write it again: what a quick edit
/// (the console's 품절 switch and price field) changes and hands back to [`upsert_style`], so
/// that an edit goes through the same hashing, change groups, jobs and feed changes as an
/// upload, and a later re-upload of the old sheet is seen as the change it is.
pub async fn stored_input(
    store: &Store,
    wholesaler: WholesalerId,
    id: StyleId,
) -> Result<StyleInput> {
    let row = style::Entity::find_by_id(id.0)
        .filter(style::Column::WholesalerId.eq(wholesaler.0))
        .one(store.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let skus = skus_of(store, id)
        .await?
        .into_iter()
        .map(|k| Ok((k.colour, k.size, k.stock.parse::<StockState>()?)))
        .collect::<Result<Vec<_>>>()?;
    let measurements = crate::measurements::of_styles_in(store.conn(), &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let extra = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&row.extra)?;
    let fit_note = row.fit_note.clone();
    let style = to_style(row)?;
    Ok(StyleInput {
        style_code: style.style_code,
        title_ko: style.title_ko,
        category: style.category,
        price: style.price,
        moq: style.moq,
        composition: style.composition,
        origin: style.origin,
        season: style.season,
        same_day_dispatch: style.same_day_dispatch,
        description_ko: style.description_ko,
        weight_grams: style.weight_grams,
        state: style.state,
        extra,
        skus,
        measurements,
        fit_note,
    })
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
    /// Shipping weight in grams, when given (무게/중량).
    pub weight_grams: Option<u32>,
    pub state: StyleState,
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// (colour code, size code, stock) for every SKU.
    pub skus: Vec<(String, String, StockState)>,
    /// Measured sizes (실측), one entry per size.
    pub measurements: Vec<SizeMeasurements>,
    /// The model's fit note (`모델 168cm 55 착용`).
    pub fit_note: Option<String>,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Created(StyleId),
    Updated(StyleId),
    Unchanged(StyleId),
}

/// Queues one `style.changed` job for these styles, all changed in the same group of fields
/// (nothing when the list is empty).
pub(crate) async fn queue_style_changed<C: ConnectionTrait>(
    conn: &C,
    styles: &[StyleId],
    field: &str,
) -> Result<()> {
    if styles.is_empty() {
        return Ok(());
    }
    let job = StyleChanged::of(styles.iter().map(|s| s.0), field);
    jobs::enqueue(conn, NewJob::of(&job)).await?;
    Ok(())
}

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
    old_measurements: &[SizeMeasurements],
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
        || old.fit_note != new.fit_note
        || old_measurements != new.measurements.as_slice()
    {
        f.push("attributes");
    }
    if old.price_krw != new.price.0
        || i64::from(old.moq) != i64::from(new.moq.0)
        || old.same_day != new.same_day_dispatch
        || old.state != new.state.as_str()
        || old.weight_grams != stored_weight(new.weight_grams)
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
/// handful of set-based statements per batch rather than any per style (the 20,000 styles/s
/// SQLite and 10,000 styles/s PostgreSQL ingest targets need it; see [`crate::bulk`]).
/// Unchanged styles (same content hash) are not touched, except that `upload`, when given, is
/// recorded as the last upload that listed them. One `style.changed` job lists every changed
/// style with the groups of fields that changed. Any failure leaves the whole batch to the
/// caller's rollback: nothing here commits.
pub async fn upsert_styles<C: ConnectionTrait>(
    conn: &C,
    wholesaler: WholesalerId,
    upload: Option<i64>,
    inputs: &[StyleInput],
) -> Result<BatchOutcome> {
    let backend = conn.get_database_backend();
    let now = Timestamp::now().0;
    let started = std::time::Instant::now();
    // Before any row write: the change log's ids must follow commit order (see `changes`).
    crate::changes::lock_writers(conn).await?;
    let mut existing: HashMap<String, style::Model> = HashMap::new();
    if backend == sea_orm::DbBackend::Postgres {
        // One array bind instead of thousands of IN parameters to parse and plan.
        let codes: Vec<String> = inputs.iter().map(|i| i.style_code.clone()).collect();
        let mut sql = Sql::new(backend);
        sql.push("SELECT * FROM styles WHERE wholesaler_id = ")
            .bind(wholesaler.0)
            .push(" AND style_code = ANY(")
            .bind(codes)
            .push("::text[])");
        for row in style::Entity::find()
            .from_raw_sql(sql.build())
            .all(conn)
            .await?
        {
            existing.insert(row.style_code.clone(), row);
        }
    } else {
        let codes: Vec<&str> = inputs.iter().map(|i| i.style_code.as_str()).collect();
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
    }
    let t_lookup = started.elapsed();
    // Equal hash of the canonical content: nothing to do. Computed here, once per input.
    let hashes: Vec<String> = inputs.iter().map(content_hash).collect();
    let mut new_rows: Vec<Hashed> = Vec::new();
    let mut changed: Vec<(Hashed, &style::Model)> = Vec::new();
    let mut unchanged_ids: Vec<i64> = Vec::new();
    for (input, hash) in inputs.iter().zip(&hashes) {
        match existing.get(&input.style_code) {
            None => new_rows.push((input, hash)),
            Some(row) if row.content_hash == *hash => unchanged_ids.push(row.id),
            Some(row) => changed.push(((input, hash), row)),
        }
    }

    // New styles: one INSERT … SELECT per statement-sized chunk, ids straight from RETURNING.
    let mut new_ids: HashMap<String, i64> = HashMap::with_capacity(new_rows.len());
    for chunk in new_rows.chunks(bulk::rows_per_statement(backend, STYLE_VALUE_COLUMNS)) {
        let rows = style_rows(chunk, None)?;
        let select: Vec<String> = STYLE_VALUE_NAMES
            .iter()
            .map(|n| rows.expr(backend, n))
            .collect();
        let mut sql = Sql::new(backend);
        sql.with_rows(rows)
            .push(" INSERT INTO styles (wholesaler_id, ")
            .push(&STYLE_VALUE_TARGETS.join(", "))
            .push(", last_upload_id, created_at, updated_at) SELECT ")
            .bind(wholesaler.0)
            .push(", ")
            .push(&select.join(", "))
            .push(", ")
            .bind(Value::BigInt(upload))
            .push(", ")
            .bind(now)
            .push(", ")
            .bind(now)
            .push(" FROM v RETURNING id, style_code");
        for row in conn.query_all_raw(sql.build()).await? {
            let id: i64 = row.try_get_by_index(0)?;
            let code: String = row.try_get_by_index(1)?;
            new_ids.insert(code, id);
        }
    }
    let t_styles = started.elapsed();
    let mut new_skus = SkuRows::default();
    for (input, _) in &new_rows {
        if let Some(id) = new_ids.get(&input.style_code) {
            for (colour, size, stock) in &input.skus {
                new_skus.push(*id, colour, size, *stock);
            }
        }
    }

    // Changed styles: their SKUs loaded in one go, every row rewritten in one UPDATE … FROM,
    // and their SKUs brought in line with a few set-based statements.
    let mut change_list: Vec<ChangedStyle> = new_rows
        .iter()
        .filter_map(|(i, _)| new_ids.get(&i.style_code))
        .map(|id| ChangedStyle {
            id: *id,
            fields: vec!["created".into()],
        })
        .collect();
    let mut stock_updates: Vec<(StockState, Vec<i64>)> = Vec::new();
    // Measured sizes to write: every new style that has some, every changed style whose differ.
    let mut measure_writes: Vec<(i64, &[SizeMeasurements])> = new_rows
        .iter()
        .filter(|(i, _)| !i.measurements.is_empty())
        .filter_map(|(i, _)| {
            new_ids
                .get(&i.style_code)
                .map(|id| (*id, i.measurements.as_slice()))
        })
        .collect();
    if !changed.is_empty() {
        let ids: Vec<i64> = changed.iter().map(|(_, r)| r.id).collect();
        let mut old_skus: HashMap<i64, Vec<sku::Model>> = HashMap::new();
        for chunk in ids.chunks(MAX_BINDS) {
            for k in sku::Entity::find()
                .filter(sku::Column::StyleId.is_in(chunk.iter().copied()))
                .all(conn)
                .await?
            {
                old_skus.entry(k.style_id).or_default().push(k);
            }
        }
        let old_measures = crate::measurements::of_styles_in(
            conn,
            &ids.iter().map(|i| StyleId(*i)).collect::<Vec<_>>(),
        )
        .await?;
        for ((input, _), row) in &changed {
            let old = old_skus.get(&row.id).map_or(&[][..], Vec::as_slice);
            let old_m = old_measures
                .get(&StyleId(row.id))
                .map_or(&[][..], Vec::as_slice);
            if old_m != input.measurements.as_slice() {
                measure_writes.push((row.id, input.measurements.as_slice()));
            }
            let fields = changed_fields(row, input, old, old_m)?;
            plan_sku_sync(row.id, &input.skus, old, &mut new_skus, &mut stock_updates);
            if !fields.is_empty() {
                change_list.push(ChangedStyle {
                    id: row.id,
                    fields: fields.iter().map(|f| f.to_string()).collect(),
                });
            }
        }
        let per_statement = bulk::rows_per_statement(backend, STYLE_VALUE_COLUMNS + 1);
        for chunk in changed.chunks(per_statement) {
            let inputs: Vec<Hashed> = chunk.iter().map(|(i, _)| *i).collect();
            let ids: Vec<i64> = chunk.iter().map(|(_, r)| r.id).collect();
            let rows = style_rows(&inputs, Some(ids))?;
            let set: Vec<String> = STYLE_VALUE_TARGETS
                .iter()
                .zip(STYLE_VALUE_NAMES)
                .skip(1) // the style code is the key: it never changes
                .map(|(target, name)| format!("{target} = {}", rows.expr(backend, name)))
                .collect();
            let mut sql = Sql::new(backend);
            sql.with_rows(rows)
                .push(" UPDATE styles SET ")
                .push(&set.join(", "))
                .push(", updated_at = ")
                .bind(now);
            if let Some(upload) = upload {
                sql.push(", last_upload_id = ").bind(upload);
            }
            sql.push(" FROM v WHERE styles.id = v.id");
            conn.execute_raw(sql.build()).await?;
        }
    }
    crate::measurements::replace(conn, &measure_writes).await?;
    let mut skus_written = new_skus.len();
    insert_skus(conn, now, new_skus).await?;
    for (stock, ids) in &stock_updates {
        skus_written += ids.len();
        for chunk in ids.chunks(MAX_BINDS) {
            sku::Entity::update_many()
                .col_expr(sku::Column::Stock, Expr::value(stock.as_str()))
                .col_expr(sku::Column::UpdatedAt, Expr::value(now))
                .filter(sku::Column::Id.is_in(chunk.iter().copied()))
                .exec(conn)
                .await?;
        }
    }
    let t_skus = started.elapsed();
    // Unchanged styles only learn which upload listed them last.
    if let Some(upload) = upload {
        for chunk in unchanged_ids.chunks(MAX_BINDS) {
            style::Entity::update_many()
                .col_expr(style::Column::LastUploadId, Expr::value(upload))
                .filter(style::Column::Id.is_in(chunk.iter().copied()))
                .exec(conn)
                .await?;
        }
    }
    // The partner changes feed: every created style and every style whose content changed.
    let created: Vec<(StyleId, WholesalerId)> = new_rows
        .iter()
        .filter_map(|(i, _)| new_ids.get(&i.style_code))
        .map(|id| (StyleId(*id), wholesaler))
        .collect();
    crate::changes::record(conn, &created, None, ChangeKind::Created).await?;
    let updated: Vec<(StyleId, WholesalerId)> = changed
        .iter()
        .map(|(_, row)| (StyleId(row.id), wholesaler))
        .collect();
    crate::changes::record(conn, &updated, None, ChangeKind::Updated).await?;
    if !change_list.is_empty() {
        let job = StyleChanged {
            styles: change_list,
            reason: None,
        };
        jobs::enqueue(conn, NewJob::of(&job)).await?;
    }
    tracing::debug!(
        styles = inputs.len(),
        created = new_rows.len(),
        changed = changed.len(),
        lookup_ms = t_lookup.as_millis() as u64,
        write_styles_ms = (t_styles - t_lookup).as_millis() as u64,
        write_skus_ms = (t_skus - t_styles).as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        "upsert batch"
    );
    let outcomes = inputs
        .iter()
        .zip(&hashes)
        .map(|(i, hash)| match existing.get(&i.style_code) {
            Some(r) if r.content_hash == *hash => Ok(UpsertOutcome::Unchanged(StyleId(r.id))),
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

/// The `styles` columns an upsert writes from its input, in order, and the names the batch
/// CTE gives them (the first is the upsert key).
const STYLE_VALUE_TARGETS: [&str; 15] = [
    "style_code",
    "title_ko",
    "category",
    "price_krw",
    "moq",
    "composition",
    "origin",
    "season",
    "same_day",
    "description_ko",
    "state",
    "extra",
    "content_hash",
    "weight_grams",
    "fit_note",
];
const STYLE_VALUE_NAMES: [&str; 15] = [
    "code",
    "title",
    "category",
    "price",
    "moq",
    "composition",
    "origin",
    "season",
    "same_day",
    "descr",
    "state",
    "extra",
    "hash",
    "weight",
    "fit_note",
];
const STYLE_VALUE_COLUMNS: usize = STYLE_VALUE_NAMES.len();

/// A style input and its content hash.
type Hashed<'a> = (&'a StyleInput, &'a String);

/// The batch rows of `inputs` (with a leading `id` column when updating).
fn style_rows(inputs: &[Hashed], ids: Option<Vec<i64>>) -> Result<Rows> {
    let n = inputs.len();
    let mut code = Vec::with_capacity(n);
    let mut title = Vec::with_capacity(n);
    let mut category = Vec::with_capacity(n);
    let mut price = Vec::with_capacity(n);
    let mut moq = Vec::with_capacity(n);
    let mut composition = Vec::with_capacity(n);
    let mut origin = Vec::with_capacity(n);
    let mut season = Vec::with_capacity(n);
    let mut same_day = Vec::with_capacity(n);
    let mut descr = Vec::with_capacity(n);
    let mut state = Vec::with_capacity(n);
    let mut extra = Vec::with_capacity(n);
    let mut hash = Vec::with_capacity(n);
    let mut weight = Vec::with_capacity(n);
    let mut fit_note = Vec::with_capacity(n);
    for (i, content_hash) in inputs {
        fit_note.push(i.fit_note.clone());
        code.push(i.style_code.clone());
        title.push(i.title_ko.clone());
        category.push(i.category.clone());
        price.push(i.price.0);
        moq.push(i32::try_from(i.moq.0).map_err(|_| StoreError::Invalid("moq".into()))?);
        composition.push(serde_json::to_string(&i.composition)?);
        origin.push(i.origin.clone());
        season.push(i.season.clone());
        same_day.push(i.same_day_dispatch);
        descr.push(i.description_ko.clone());
        state.push(i.state.as_str().to_string());
        extra.push(serde_json::to_string(&i.extra)?);
        hash.push((*content_hash).clone());
        weight.push(stored_weight(i.weight_grams));
    }
    let mut rows = Rows::new();
    if let Some(ids) = ids {
        rows = rows.col("id", Column::BigInt(ids));
    }
    Ok(rows
        .col("code", Column::Text(code))
        .col("title", Column::Text(title))
        .col("category", Column::Text(category))
        .col("price", Column::BigInt(price))
        .col("moq", Column::Int(moq))
        .col("composition", Column::Text(composition))
        .col("origin", Column::NullableText(origin))
        .col("season", Column::NullableText(season))
        .col("same_day", Column::Bool(same_day))
        .col("descr", Column::NullableText(descr))
        .col("state", Column::Text(state))
        .col("extra", Column::Text(extra))
        .col("hash", Column::Text(hash))
        .col("weight", Column::Int(weight))
        .col("fit_note", Column::NullableText(fit_note)))
}

/// A weight as the `styles.weight_grams` column holds it: 0 for none (the bulk writer binds
/// no nullable integers). Weights are validated to at most 30 kg long before this.
fn stored_weight(w: Option<u32>) -> i32 {
    w.and_then(|g| i32::try_from(g).ok()).unwrap_or(0)
}

/// SKUs to insert, column by column.
#[derive(Debug, Default)]
struct SkuRows {
    style_id: Vec<i64>,
    colour: Vec<String>,
    size: Vec<String>,
    stock: Vec<String>,
}

impl SkuRows {
    fn push(&mut self, style_id: i64, colour: &str, size: &str, stock: StockState) {
        self.style_id.push(style_id);
        self.colour.push(colour.to_string());
        self.size.push(size.to_string());
        self.stock.push(stock.as_str().to_string());
    }

    fn len(&self) -> usize {
        self.style_id.len()
    }
}

/// Inserts SKUs in as few statements as the backend allows.
async fn insert_skus<C: ConnectionTrait>(conn: &C, now: i64, skus: SkuRows) -> Result<()> {
    let backend = conn.get_database_backend();
    let per_statement = bulk::rows_per_statement(backend, 4);
    let SkuRows {
        style_id,
        colour,
        size,
        stock,
    } = skus;
    let (mut style_id, mut colour, mut size, mut stock) = (
        style_id.into_iter(),
        colour.into_iter(),
        size.into_iter(),
        stock.into_iter(),
    );
    loop {
        let ids: Vec<i64> = style_id.by_ref().take(per_statement).collect();
        if ids.is_empty() {
            return Ok(());
        }
        let n = ids.len();
        let rows = Rows::new()
            .col("style_id", Column::BigInt(ids))
            .col("colour", Column::Text(colour.by_ref().take(n).collect()))
            .col("size", Column::Text(size.by_ref().take(n).collect()))
            .col("stock", Column::Text(stock.by_ref().take(n).collect()));
        let mut sql = Sql::new(backend);
        sql.with_rows(rows)
            .push(
                " INSERT INTO skus (style_id, colour, size, stock, created_at, updated_at) \
                 SELECT v.style_id, v.colour, v.size, v.stock, ",
            )
            .bind(now)
            .push(", ")
            .bind(now)
            .push(" FROM v");
        conn.execute_raw(sql.build()).await?;
    }
}

/// Plans making a changed style's SKUs exactly `wanted`: new ones to insert, changed stock to
/// update, ones no longer in the sheet marked sold out (never deleted: orders may point at
/// them).
fn plan_sku_sync(
    style_id: i64,
    wanted: &[(String, String, StockState)],
    current: &[sku::Model],
    inserts: &mut SkuRows,
    stock_updates: &mut Vec<(StockState, Vec<i64>)>,
) {
    let mut update =
        |stock: StockState, id: i64| match stock_updates.iter_mut().find(|(s, _)| *s == stock) {
            Some((_, ids)) => ids.push(id),
            None => stock_updates.push((stock, vec![id])),
        };
    let by_key: HashMap<(&str, &str), &sku::Model> = current
        .iter()
        .map(|s| ((s.colour.as_str(), s.size.as_str()), s))
        .collect();
    for (colour, size, stock) in wanted {
        match by_key.get(&(colour.as_str(), size.as_str())) {
            Some(s) if s.stock == stock.as_str() => {}
            Some(s) => update(*stock, s.id),
            None => inserts.push(style_id, colour, size, *stock),
        }
    }
    let wanted_keys: std::collections::HashSet<(&str, &str)> = wanted
        .iter()
        .map(|(c, z, _)| (c.as_str(), z.as_str()))
        .collect();
    for s in current {
        if !wanted_keys.contains(&(s.colour.as_str(), s.size.as_str()))
            && s.stock != StockState::SoldOut.as_str()
        {
            update(StockState::SoldOut, s.id);
        }
    }
}

/// Archives the wholesaler's active or sold-out styles that upload `upload` did not list
/// (`mode=replace`); never deletes. Returns their ids, and queues `style.changed` for them.
pub async fn archive_unlisted<C: ConnectionTrait>(
    conn: &C,
    wholesaler: WholesalerId,
    upload: i64,
) -> Result<Vec<StyleId>> {
    crate::changes::lock_writers(conn).await?;
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
    let archived: Vec<(StyleId, WholesalerId)> =
        ids.iter().map(|id| (StyleId(*id), wholesaler)).collect();
    crate::changes::record(conn, &archived, None, ChangeKind::Archived).await?;
    let ids: Vec<StyleId> = ids.into_iter().map(StyleId).collect();
    queue_style_changed(conn, &ids, "archived").await?;
    Ok(ids)
}

/// How many of a batch's styles an upsert would create, update or leave unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DryRun {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Which of `inputs` would be created, updated or left unchanged (a dry run's counts).
pub async fn classify<C: ConnectionTrait>(
    conn: &C,
    wholesaler: WholesalerId,
    inputs: &[StyleInput],
) -> Result<DryRun> {
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
            Some(h) if *h == content_hash(i) => unchanged += 1,
            Some(_) => updated += 1,
        }
    }
    Ok(DryRun {
        created,
        updated,
        unchanged,
    })
}

/// What upload `upload` of `wholesaler` did to the catalog, counted from the styles it last
/// listed (`since`: when the upload began): created since then, updated since then, or left
/// unchanged. Right across attempts, where one attempt's in-memory counts are not: a run
/// resumed after a crash sees the styles an earlier attempt committed as unchanged.
pub async fn upload_outcome_counts<C: ConnectionTrait>(
    conn: &C,
    wholesaler: WholesalerId,
    upload: i64,
    since: Timestamp,
) -> Result<DryRun> {
    let base = || {
        style::Entity::find()
            .filter(style::Column::WholesalerId.eq(wholesaler.0))
            .filter(style::Column::LastUploadId.eq(upload))
    };
    let created = base()
        .filter(style::Column::CreatedAt.gte(since.0))
        .count(conn)
        .await?;
    let updated = base()
        .filter(style::Column::CreatedAt.lt(since.0))
        .filter(style::Column::UpdatedAt.gte(since.0))
        .count(conn)
        .await?;
    let all = base().count(conn).await?;
    let n = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
    Ok(DryRun {
        created: n(created),
        updated: n(updated),
        unchanged: n(all.saturating_sub(created + updated)),
    })
}

/// Counts a wholesaler's styles (for the demo and tests).
pub async fn count_styles(store: &Store, wholesaler: WholesalerId) -> Result<u64> {
    Ok(style::Entity::find()
        .filter(style::Column::WholesalerId.eq(wholesaler.0))
        .count(store.conn())
        .await?)
}

/// A stable hash of everything a style row holds, so re-uploading an unchanged style is a no-op.
///
/// The hashed text is the canonical JSON object with its keys in sorted order (what the first
/// version built through `serde_json::json!`, so hashes stored by it stay valid), written
/// straight into the hasher: no JSON tree or string per style on the ingest path.
pub(crate) fn content_hash(input: &StyleInput) -> String {
    use sha2::{Digest, Sha256};
    struct Skus<'a>(&'a [(String, String, StockState)]);
    impl serde::Serialize for Skus<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            s.collect_seq(
                self.0
                    .iter()
                    .map(|(c, z, k)| [c.as_str(), z.as_str(), k.as_str()]),
            )
        }
    }
    /// Fields in sorted key order, as a `serde_json::Map` (a `BTreeMap`) would write them.
    #[derive(serde::Serialize)]
    struct Canonical<'a> {
        category: &'a str,
        code: &'a str,
        composition: &'a [CompositionPart],
        description: &'a Option<String>,
        extra: &'a serde_json::Map<String, serde_json::Value>,
        // Left out when absent, so styles without them keep their earlier hashes.
        #[serde(skip_serializing_if = "Option::is_none")]
        fit_note: &'a Option<String>,
        #[serde(skip_serializing_if = "<[SizeMeasurements]>::is_empty")]
        measurements: &'a [SizeMeasurements],
        moq: u32,
        origin: &'a Option<String>,
        price: i64,
        same_day: bool,
        season: &'a Option<String>,
        skus: Skus<'a>,
        state: &'a str,
        title: &'a str,
        // Written only when given, so the hashes of styles without one stay as they were.
        #[serde(skip_serializing_if = "Option::is_none")]
        weight_grams: Option<u32>,
    }
    struct HashWriter(Sha256);
    impl std::io::Write for HashWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let canonical = Canonical {
        category: &input.category,
        code: &input.style_code,
        composition: &input.composition,
        description: &input.description_ko,
        extra: &input.extra,
        fit_note: &input.fit_note,
        measurements: &input.measurements,
        moq: input.moq.0,
        origin: &input.origin,
        price: input.price.0,
        same_day: input.same_day_dispatch,
        season: &input.season,
        skus: Skus(&input.skus),
        state: input.state.as_str(),
        title: &input.title_ko,
        weight_grams: input.weight_grams,
    };
    let mut w = HashWriter(Sha256::new());
    // Writing into a hasher cannot fail, and every field serialises.
    let _ = serde_json::to_writer(&mut w, &canonical);
    hex::encode(w.0.finalize())
}

/// Adds a photo to a style unless the style already has one with the same bytes, and queues its
/// normalisation in the same transaction; returns the new photo's id.
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
    // The photo and its normalisation job commit together (the outbox rule): the one way a
    // photo joins a style, from a sheet's bundle or a single upload.
    jobs::enqueue(
        conn,
        NewJob::of(&ddhub_domain::jobs::PhotoNormalise { photo_id: row.id }),
    )
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
        for k in sku::Entity::find()
            .filter(sku::Column::StyleId.is_in(id_list.clone()))
            .order_by_asc(sku::Column::Id)
            .all(store.conn())
            .await?
        {
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

/// What a search hit shows of one style.
#[derive(Clone, Debug)]
pub struct HitRow {
    pub style_id: StyleId,
    pub style_code: String,
    pub title_ko: String,
    /// The stored title in the asked locale, if any.
    pub title: Option<String>,
    pub price_krw: i64,
    pub wholesaler: ddhub_domain::wholesaler::Wholesaler,
    pub thumbnail_key: Option<String>,
}

/// What a page of search hits shows, in one query: the style, its wholesaler, its title in
/// `locale` and its photos joined (a search answer read these in five queries, most of its
/// time at 32 concurrent searches on SQLite).
pub async fn search_hits(
    store: &Store,
    ids: &[StyleId],
    locale: ddhub_domain::Locale,
) -> Result<Vec<HitRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let backend = store.conn().get_database_backend();
    let mut sql = Sql::new(backend);
    sql.push(
        "SELECT s.id, s.style_code, s.title_ko, s.price_krw, w.id AS wid, w.name, w.building, \
         w.floor, w.unit, w.created_at AS w_created, t.value AS title, p.position, p.variants \
         FROM styles s JOIN wholesalers w ON w.id = s.wholesaler_id \
         LEFT JOIN translations t ON t.style_id = s.id AND t.field = 'title' AND t.locale = ",
    )
    .bind(locale.tag())
    .push(" LEFT JOIN photos p ON p.style_id = s.id AND p.state = 'ready' WHERE ")
    .in_list("s.id", ids.iter().map(|id| id.0.into()).collect());
    let mut by_id: HashMap<i64, (HitRow, i32)> = HashMap::with_capacity(ids.len());
    for r in store.conn().query_all_raw(sql.build()).await? {
        let id: i64 = r.try_get("", "id")?;
        let position: Option<i32> = r.try_get("", "position")?;
        let variants: Option<String> = r.try_get("", "variants")?;
        let thumb = match variants {
            Some(v) => serde_json::from_str::<Vec<crate::photos::StoredVariant>>(&v)?
                .into_iter()
                .find(|v| v.name == "thumb" && v.format == "jpeg")
                .map(|v| v.key),
            None => None,
        };
        let entry = match by_id.entry(id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert((
                HitRow {
                    style_id: StyleId(id),
                    style_code: r.try_get("", "style_code")?,
                    title_ko: r.try_get("", "title_ko")?,
                    title: r.try_get("", "title")?,
                    price_krw: r.try_get("", "price_krw")?,
                    wholesaler: ddhub_domain::wholesaler::Wholesaler {
                        id: WholesalerId(r.try_get("", "wid")?),
                        name: r.try_get("", "name")?,
                        location: ddhub_domain::wholesaler::ShopLocation {
                            building: r.try_get("", "building")?,
                            floor: r.try_get("", "floor")?,
                            unit: r.try_get("", "unit")?,
                        },
                        created_at: Timestamp(r.try_get("", "w_created")?),
                    },
                    thumbnail_key: None,
                },
                i32::MAX,
            )),
        };
        // The first photo (lowest position) with a JPEG thumbnail, as `listing_rows` picks.
        if let (Some(key), Some(pos)) = (thumb, position)
            && pos < entry.1
        {
            entry.0.thumbnail_key = Some(key);
            entry.1 = pos;
        }
    }
    Ok(ids
        .iter()
        .filter_map(|id| by_id.remove(&id.0).map(|(row, _)| row))
        .collect())
}

/// Style ids in id order after `after`, `limit` at a time (for rebuilding derived data).
pub async fn style_ids_after(store: &Store, after: i64, limit: u64) -> Result<Vec<StyleId>> {
    style_ids_after_of(store, None, after, limit).await
}

/// [`style_ids_after`] narrowed to `wholesalers` when given (through the
/// `(wholesaler_id, style_code)` index, rather than reading the whole catalog and dropping the
/// other wholesalers' styles one by one).
pub async fn style_ids_after_of(
    store: &Store,
    wholesalers: Option<&[WholesalerId]>,
    after: i64,
    limit: u64,
) -> Result<Vec<StyleId>> {
    let mut q = style::Entity::find()
        .select_only()
        .column(style::Column::Id)
        .filter(style::Column::Id.gt(after));
    if let Some(w) = wholesalers {
        q = q.filter(style::Column::WholesalerId.is_in(w.iter().map(|w| w.0)));
    }
    let ids: Vec<i64> = q
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The first version of [`content_hash`]: hashes it stored must keep matching.
    fn content_hash_v1(input: &StyleInput) -> String {
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

    #[test]
    fn content_hash_matches_the_stored_form() {
        let mut extra = serde_json::Map::new();
        extra.insert("비고".into(), "\"따옴표\" \\ 줄\n바꿈".into());
        extra.insert("a".into(), "1".into());
        let mut input = StyleInput {
            style_code: "K-1".into(),
            title_ko: "루즈핏 니트 😀".into(),
            category: "tops/knit".into(),
            price: Krw(18_000),
            moq: Quantity(3),
            composition: vec![
                CompositionPart {
                    material: "acrylic".into(),
                    percent: 70,
                },
                CompositionPart {
                    material: "wool".into(),
                    percent: 30,
                },
            ],
            origin: Some("KR".into()),
            season: None,
            same_day_dispatch: true,
            weight_grams: None,
            description_ko: Some("설명\t탭".into()),
            state: StyleState::SoldOut,
            extra,
            skus: vec![
                ("black".into(), "55".into(), StockState::InStock),
                ("ivory".into(), "free".into(), StockState::SoldOut),
            ],
            measurements: Vec::new(),
            fit_note: None,
        };
        assert_eq!(content_hash(&input), content_hash_v1(&input));
        input.origin = None;
        input.season = Some("fw".into());
        input.description_ko = None;
        input.skus.clear();
        input.composition.clear();
        input.extra.clear();
        assert_eq!(content_hash(&input), content_hash_v1(&input));
        let before = content_hash(&input);
        input.price = Krw(18_001);
        assert_ne!(content_hash(&input), before);
        // Measured sizes and the fit note count once present.
        let before = content_hash(&input);
        input.measurements =
            vec![SizeMeasurements::new("s").with_cm(ddhub_domain::measure::Measure::Length, 62.0)];
        assert_ne!(content_hash(&input), before);
        let with_measures = content_hash(&input);
        input.fit_note = Some("모델 168cm 55 착용".into());
        assert_ne!(content_hash(&input), with_measures);
    }
}
