//! Translated fields per style and locale, with their review state. Automatic results (glossary,
//! machine) never overwrite a person's work (edited, approved).

use crate::changes::ChangeKind;
use crate::entity::translation;
use crate::{Result, Store, StoreError};
use ddhub_domain::translation::{ReviewState, TranslatableField};
use ddhub_domain::{Locale, StyleId, Timestamp};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

/// One stored translated field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Translation {
    pub locale: String,
    pub field: String,
    pub value: String,
    pub review: String,
    pub source_hash: String,
    pub updated_at: i64,
}

fn to_view(m: translation::Model) -> Translation {
    Translation {
        locale: m.locale,
        field: m.field,
        value: m.value,
        review: m.review,
        source_hash: m.source_hash,
        updated_at: m.updated_at,
    }
}

/// Whether partner feeds show this field (title and description do; the attribute line not).
fn feed_visible(field: TranslatableField) -> bool {
    matches!(
        field,
        TranslatableField::Title | TranslatableField::Description | TranslatableField::FreeText
    )
}

/// Every translated field of a style, optionally of one locale.
pub async fn for_style(
    store: &Store,
    style: StyleId,
    locale: Option<Locale>,
) -> Result<Vec<Translation>> {
    let mut q = translation::Entity::find().filter(translation::Column::StyleId.eq(style.0));
    if let Some(l) = locale {
        q = q.filter(translation::Column::Locale.eq(l.tag()));
    }
    Ok(q.order_by_asc(translation::Column::Locale)
        .order_by_asc(translation::Column::Field)
        .all(store.conn())
        .await?
        .into_iter()
        .map(to_view)
        .collect())
}

/// A person's edit: stored as `edited`, whatever was there.
pub async fn put_edited(
    store: &Store,
    style: StyleId,
    locale: Locale,
    field: TranslatableField,
    value: &str,
) -> Result<()> {
    put_edited_fields(store, style, locale, &[(field, value)]).await
}

/// A person's edit of several fields, all in one transaction: every field is stored, or none.
pub async fn put_edited_fields(
    store: &Store,
    style: StyleId,
    locale: Locale,
    fields: &[(TranslatableField, &str)],
) -> Result<()> {
    let changes: Vec<_> = fields.iter().map(|(f, v)| (*f, Some(*v))).collect();
    set_human(store, style, locale, &changes, ReviewState::Edited).await
}

/// A person's approval of the current values of `fields`, in one transaction. `NotFound` when
/// one has no value (nothing is approved then).
pub async fn approve(
    store: &Store,
    style: StyleId,
    locale: Locale,
    fields: &[TranslatableField],
) -> Result<()> {
    let changes: Vec<_> = fields.iter().map(|f| (*f, None)).collect();
    set_human(store, style, locale, &changes, ReviewState::Approved).await
}

/// Stores a person's review of `changes` (field, new value or `None` to keep the value) in one
/// transaction, with one change-log row and one reindex job.
async fn set_human(
    store: &Store,
    style: StyleId,
    locale: Locale,
    changes: &[(TranslatableField, Option<&str>)],
    review: ReviewState,
) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let now = Timestamp::now().0;
    let txn = store.begin_write().await?;
    crate::changes::lock_writers(&txn).await?;
    let mut feed_changed = false;
    for (field, value) in changes {
        let existing = translation::Entity::find()
            .filter(translation::Column::StyleId.eq(style.0))
            .filter(translation::Column::Locale.eq(locale.tag()))
            .filter(translation::Column::Field.eq(field.as_str()))
            .one(&txn)
            .await?;
        match existing {
            Some(row) => {
                let mut am: translation::ActiveModel = row.into();
                if let Some(v) = value {
                    am.value = Set(v.to_string());
                }
                am.review = Set(review.as_str().to_string());
                am.updated_at = Set(now);
                am.update(&txn).await?;
            }
            None => {
                // Dropping `txn` rolls back what earlier fields wrote.
                let Some(v) = value else {
                    return Err(StoreError::NotFound);
                };
                translation::ActiveModel {
                    style_id: Set(style.0),
                    locale: Set(locale.tag().to_string()),
                    field: Set(field.as_str().to_string()),
                    value: Set(v.to_string()),
                    review: Set(review.as_str().to_string()),
                    source_hash: Set(String::new()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
        // An edit changes the feed text; an approval keeps the value, so the feed is unchanged.
        feed_changed |= value.is_some() && feed_visible(*field);
    }
    if feed_changed {
        crate::changes::record_styles(&txn, &[style], Some(locale), ChangeKind::Translation)
            .await?;
    }
    let job = ddhub_domain::jobs::StyleChanged::of([style.0], "translation");
    crate::jobs::enqueue(&txn, crate::jobs::NewJob::of(&job)).await?;
    txn.commit().await?;
    Ok(())
}

/// The stored values of one field in one locale for many styles.
pub async fn field_for_styles(
    store: &Store,
    styles: &[StyleId],
    locale: Locale,
    field: TranslatableField,
) -> Result<std::collections::HashMap<i64, String>> {
    let mut out = std::collections::HashMap::new();
    for chunk in styles.chunks(10_000) {
        for m in translation::Entity::find()
            .filter(translation::Column::StyleId.is_in(chunk.iter().map(|s| s.0)))
            .filter(translation::Column::Locale.eq(locale.tag()))
            .filter(translation::Column::Field.eq(field.as_str()))
            .all(store.conn())
            .await?
        {
            out.insert(m.style_id, m.value);
        }
    }
    Ok(out)
}

/// The translated free text of many styles in one locale; Korean kept `untranslated` is left out
/// (it does not belong in a listing in another language).
pub async fn translated_free_text_for_styles(
    store: &Store,
    styles: &[StyleId],
    locale: Locale,
) -> Result<std::collections::HashMap<i64, String>> {
    let mut out = std::collections::HashMap::new();
    for chunk in styles.chunks(10_000) {
        for m in translation::Entity::find()
            .filter(translation::Column::StyleId.is_in(chunk.iter().map(|s| s.0)))
            .filter(translation::Column::Locale.eq(locale.tag()))
            .filter(translation::Column::Field.eq(TranslatableField::FreeText.as_str()))
            .filter(translation::Column::Review.ne(ReviewState::Untranslated.as_str()))
            .all(store.conn())
            .await?
        {
            out.insert(m.style_id, m.value);
        }
    }
    Ok(out)
}

/// One automatic result for [`write_automatic_many`].
#[derive(Clone, Debug)]
pub struct AutoTranslation {
    pub style: StyleId,
    pub locale: Locale,
    pub field: TranslatableField,
    pub value: String,
    pub review: ReviewState,
    pub source_hash: String,
}

/// A stored translation as the listing needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub value: String,
    pub review: String,
}

/// The stored translation of each `(style id, locale, field)`.
pub type InForce = std::collections::HashMap<(i64, Locale, TranslatableField), Stored>;

/// The automatic (glossary or machine) results for many fields in one write transaction, and removals for
/// the `(style, field)` pairs in `remove`: one read of what is stored for these styles,
/// multi-row inserts for the new ones, an update per changed one, one delete. A person's edit
/// or approval stands. Returns every stored translation of these
/// styles afterwards: what is in force. Reindexing 100,000 styles writes 1.8 million results;
/// one statement each (plus a read) took minutes.
pub async fn write_automatic_many(
    store: &Store,
    items: &[AutoTranslation],
    remove: &[(StyleId, TranslatableField)],
) -> Result<InForce> {
    let now = Timestamp::now().0;
    let mut ids: Vec<i64> = items
        .iter()
        .map(|i| i.style.0)
        .chain(remove.iter().map(|(s, _)| s.0))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let txn = store.begin_write().await?;
    // Before any row write: the change log's ids must follow commit order (see `changes`).
    crate::changes::lock_writers(&txn).await?;
    let mut in_feed: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
    let mut stored: std::collections::HashMap<
        (i64, Locale, TranslatableField),
        translation::Model,
    > = std::collections::HashMap::with_capacity(items.len());
    for chunk in ids.chunks(5_000) {
        for m in translation::Entity::find()
            .filter(translation::Column::StyleId.is_in(chunk.iter().copied()))
            .all(&txn)
            .await?
        {
            // Rows of locales or fields this build does not know are left alone.
            if let (Some(locale), Ok(field)) = (
                Locale::from_tag(&m.locale),
                m.field.parse::<TranslatableField>(),
            ) {
                stored.insert((m.style_id, locale, field), m);
            }
        }
    }
    // Automatic values whose source is gone; a person's work stays.
    let removing: std::collections::HashSet<(i64, TranslatableField)> =
        remove.iter().map(|(s, f)| (s.0, *f)).collect();
    let mut removed_ids: Vec<i64> = Vec::new();
    stored.retain(|(style, _, field), m| {
        let automatic = m
            .review
            .parse::<ReviewState>()
            .is_ok_and(ReviewState::automatic_may_overwrite);
        if automatic && removing.contains(&(*style, *field)) {
            removed_ids.push(m.id);
            if feed_visible(*field) {
                in_feed.insert(*style);
            }
            return false;
        }
        true
    });
    for chunk in removed_ids.chunks(5_000) {
        translation::Entity::delete_many()
            .filter(translation::Column::Id.is_in(chunk.iter().copied()))
            .exec(&txn)
            .await?;
    }
    let mut new_rows = Vec::new();
    for item in items {
        let key = (item.style.0, item.locale, item.field);
        match stored.get_mut(&key) {
            Some(row) => {
                let state: ReviewState = row.review.parse()?;
                if !state.automatic_may_overwrite()
                    || (row.value == item.value
                        && row.review == item.review.as_str()
                        && row.source_hash == item.source_hash)
                {
                    continue;
                }
                let mut am: translation::ActiveModel = row.clone().into();
                am.value = Set(item.value.clone());
                am.review = Set(item.review.as_str().to_string());
                am.source_hash = Set(item.source_hash.clone());
                am.updated_at = Set(now);
                am.update(&txn).await?;
                row.value = item.value.clone();
                row.review = item.review.as_str().to_string();
                row.source_hash = item.source_hash.clone();
                if feed_visible(item.field) {
                    in_feed.insert(item.style.0);
                }
            }
            None => {
                let model = translation::Model {
                    id: 0,
                    style_id: item.style.0,
                    locale: item.locale.tag().to_string(),
                    field: item.field.as_str().to_string(),
                    value: item.value.clone(),
                    review: item.review.as_str().to_string(),
                    source_hash: item.source_hash.clone(),
                    created_at: now,
                    updated_at: now,
                };
                new_rows.push(translation::ActiveModel {
                    style_id: Set(model.style_id),
                    locale: Set(model.locale.clone()),
                    field: Set(model.field.clone()),
                    value: Set(model.value.clone()),
                    review: Set(model.review.clone()),
                    source_hash: Set(model.source_hash.clone()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                });
                stored.insert(key, model);
                if feed_visible(item.field) {
                    in_feed.insert(item.style.0);
                }
            }
        }
    }
    // Eight values a row: stay under SQLite's bound-parameter limit.
    let mut pending = new_rows.into_iter().peekable();
    while pending.peek().is_some() {
        let chunk: Vec<_> = pending.by_ref().take(3_000).collect();
        translation::Entity::insert_many(chunk).exec(&txn).await?;
    }
    // Partners' changes feeds see every style whose feed text changed, in this transaction.
    let changed: Vec<StyleId> = in_feed.into_iter().map(StyleId).collect();
    crate::changes::record_styles(&txn, &changed, None, ChangeKind::Translation).await?;
    txn.commit().await?;
    Ok(stored
        .into_iter()
        .map(|(k, m)| {
            (
                k,
                Stored {
                    value: m.value,
                    review: m.review,
                },
            )
        })
        .collect())
}
