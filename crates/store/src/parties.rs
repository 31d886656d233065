//! Wholesalers and partners: the hub's two kinds of customer, each with API keys.

use crate::entity::{partner, wholesaler};
use crate::keys::{self, IssuedKey, Principal};
use crate::{Result, Store, StoreError};
use ddhub_domain::partner::{Partner, validate_markup_bp};
use ddhub_domain::wholesaler::{ShopLocation, Wholesaler, validate_wholesaler_fields};
use ddhub_domain::{Currency, Locale, PartnerId, RoundingRule, Timestamp, WholesalerId};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

fn to_wholesaler(m: wholesaler::Model) -> Wholesaler {
    Wholesaler {
        id: WholesalerId(m.id),
        name: m.name,
        location: ShopLocation {
            building: m.building,
            floor: m.floor,
            unit: m.unit,
        },
        created_at: Timestamp(m.created_at),
    }
}

pub(crate) fn to_partner(m: partner::Model) -> Result<Partner> {
    Ok(Partner {
        id: PartnerId(m.id),
        locale: Locale::from_tag(&m.locale)
            .ok_or_else(|| StoreError::Corrupt(format!("partner locale {:?}", m.locale)))?,
        currency: m
            .currency
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("partner currency {:?}", m.currency)))?,
        markup_bp: m.markup_bp,
        rounding: m.rounding.parse().map_err(StoreError::Corrupt)?,
        name: m.name,
        created_at: Timestamp(m.created_at),
        sandbox_of: m.sandbox_of.map(PartnerId),
    })
}

/// Adds a wholesaler and its first key, in one transaction.
pub async fn add_wholesaler(
    store: &Store,
    name: &str,
    location: ShopLocation,
) -> Result<(Wholesaler, IssuedKey)> {
    validate_wholesaler_fields(name, &location).map_err(StoreError::Invalid)?;
    let now = Timestamp::now().0;
    let txn = store.begin_write().await?;
    let row = wholesaler::ActiveModel {
        name: Set(name.trim().to_string()),
        building: Set(location.building.trim().to_string()),
        floor: Set(location.floor.trim().to_string()),
        unit: Set(location.unit.trim().to_string()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let key = keys::issue(&txn, Principal::Wholesaler(WholesalerId(row.id))).await?;
    txn.commit().await?;
    Ok((to_wholesaler(row), key))
}

pub async fn list_wholesalers(store: &Store) -> Result<Vec<Wholesaler>> {
    Ok(wholesaler::Entity::find()
        .order_by_asc(wholesaler::Column::Id)
        .all(store.conn())
        .await?
        .into_iter()
        .map(to_wholesaler)
        .collect())
}

pub async fn get_wholesaler(store: &Store, id: WholesalerId) -> Result<Wholesaler> {
    wholesaler::Entity::find_by_id(id.0)
        .one(store.conn())
        .await?
        .map(to_wholesaler)
        .ok_or(StoreError::NotFound)
}

pub async fn find_wholesaler_by_name(store: &Store, name: &str) -> Result<Option<Wholesaler>> {
    Ok(wholesaler::Entity::find()
        .filter(wholesaler::Column::Name.eq(name))
        .one(store.conn())
        .await?
        .map(to_wholesaler))
}

/// What a new partner is made with.
#[derive(Debug, Clone)]
pub struct NewPartner {
    pub name: String,
    pub locale: Locale,
    pub currency: Currency,
    pub markup_bp: i32,
    pub rounding: RoundingRule,
}

/// Adds a partner and its first key, in one transaction. A taken name is `Conflict`.
pub async fn add_partner(store: &Store, p: NewPartner) -> Result<(Partner, IssuedKey)> {
    let name = p.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(StoreError::Invalid(
            "name must be 1 to 100 characters without control characters".into(),
        ));
    }
    if name.ends_with("[test]") {
        return Err(StoreError::Invalid(
            "a name ending in [test] is kept for a partner's sandbox (test mode)".into(),
        ));
    }
    validate_markup_bp(p.markup_bp).map_err(StoreError::Invalid)?;
    let now = Timestamp::now().0;
    let txn = store.begin_write().await?;
    let row = partner::ActiveModel {
        name: Set(name.to_string()),
        locale: Set(p.locale.tag().to_string()),
        currency: Set(p.currency.code().to_string()),
        markup_bp: Set(p.markup_bp),
        rounding: Set(p.rounding.as_str().to_string()),
        webhook_url: Set(None),
        webhook_secret: Set(None),
        webhook_secret_previous: Set(None),
        settings: Set("{}".to_string()),
        sandbox_of: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let key = keys::issue(&txn, Principal::Partner(PartnerId(row.id))).await?;
    txn.commit().await?;
    Ok((to_partner(row)?, key))
}

/// A live partner's sandbox, the test-mode copy of its view (locale, currency, markup,
/// rounding and feed settings), made on first use and refreshed from the live partner on every
/// later call. Its orders are marked `test_mode` and never reach a wholesaler; its webhook
/// endpoint and events are its own. `Invalid` when `live` is itself a sandbox.
pub async fn sandbox_partner<C: sea_orm::ConnectionTrait>(
    conn: &C,
    live: PartnerId,
) -> Result<Partner> {
    let p = partner::Entity::find_by_id(live.0)
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if p.sandbox_of.is_some() {
        return Err(StoreError::Invalid(
            "this partner is already a sandbox; test keys are made for the live partner".into(),
        ));
    }
    let now = Timestamp::now().0;
    let existing = partner::Entity::find()
        .filter(partner::Column::SandboxOf.eq(live.0))
        .one(conn)
        .await?;
    let row = match existing {
        Some(s) => {
            let mut am: partner::ActiveModel = s.into();
            am.locale = Set(p.locale.clone());
            am.currency = Set(p.currency.clone());
            am.markup_bp = Set(p.markup_bp);
            am.rounding = Set(p.rounding.clone());
            am.settings = Set(p.settings.clone());
            am.updated_at = Set(now);
            am.update(conn).await?
        }
        None => {
            partner::ActiveModel {
                // Names are unique: the live partner's with a mark no live name is given.
                name: Set(format!("{} [test]", p.name)),
                locale: Set(p.locale.clone()),
                currency: Set(p.currency.clone()),
                markup_bp: Set(p.markup_bp),
                rounding: Set(p.rounding.clone()),
                webhook_url: Set(None),
                webhook_secret: Set(None),
                webhook_secret_previous: Set(None),
                settings: Set(p.settings.clone()),
                sandbox_of: Set(Some(live.0)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(conn)
            .await?
        }
    };
    to_partner(row)
}

/// Makes a test-mode key (`ddh_pt_…`) for a live partner: its sandbox is made or refreshed
/// ([`sandbox_partner`]) and the key speaks for it. Returns the sandbox and the key (shown
/// once), in one transaction.
pub async fn issue_test_key(store: &Store, live: PartnerId) -> Result<(Partner, IssuedKey)> {
    let txn = store.begin_write().await?;
    let sandbox = sandbox_partner(&txn, live).await?;
    let key = keys::issue_test(&txn, sandbox.id).await?;
    txn.commit().await?;
    Ok((sandbox, key))
}

pub async fn list_partners(store: &Store) -> Result<Vec<Partner>> {
    partner::Entity::find()
        .order_by_asc(partner::Column::Id)
        .all(store.conn())
        .await?
        .into_iter()
        .map(to_partner)
        .collect()
}

pub async fn get_partner(store: &Store, id: PartnerId) -> Result<Partner> {
    partner::Entity::find_by_id(id.0)
        .one(store.conn())
        .await?
        .ok_or(StoreError::NotFound)
        .and_then(to_partner)
}

pub async fn find_partner_by_name(store: &Store, name: &str) -> Result<Option<Partner>> {
    partner::Entity::find()
        .filter(partner::Column::Name.eq(name))
        .one(store.conn())
        .await?
        .map(to_partner)
        .transpose()
}

/// A partner's feed settings (JSON), `{}` when never set.
pub async fn partner_settings(store: &Store, id: PartnerId) -> Result<String> {
    partner::Entity::find_by_id(id.0)
        .one(store.conn())
        .await?
        .map(|p| p.settings)
        .ok_or(StoreError::NotFound)
}

/// Replaces a partner's feed settings together with the terms kept on the partner row
/// (locale, currency, markup, rounding), in one transaction.
pub async fn set_partner_feed(
    store: &Store,
    id: PartnerId,
    terms: &NewPartnerTerms,
    settings: &str,
) -> Result<()> {
    use sea_orm::sea_query::Expr;
    validate_markup_bp(terms.markup_bp).map_err(StoreError::Invalid)?;
    let txn = store.begin_write().await?;
    let res = partner::Entity::update_many()
        .col_expr(partner::Column::Settings, Expr::value(settings))
        .col_expr(partner::Column::Locale, Expr::value(terms.locale.tag()))
        .col_expr(
            partner::Column::Currency,
            Expr::value(terms.currency.code()),
        )
        .col_expr(partner::Column::MarkupBp, Expr::value(terms.markup_bp))
        .col_expr(
            partner::Column::Rounding,
            Expr::value(terms.rounding.as_str()),
        )
        .col_expr(partner::Column::UpdatedAt, Expr::value(Timestamp::now().0))
        // The partner's sandbox (test mode) follows: it is a copy of the partner's view.
        .filter(
            sea_orm::Condition::any()
                .add(partner::Column::Id.eq(id.0))
                .add(partner::Column::SandboxOf.eq(id.0)),
        )
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    txn.commit().await?;
    Ok(())
}

/// The terms of a partner kept on its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewPartnerTerms {
    pub locale: Locale,
    pub currency: Currency,
    pub markup_bp: i32,
    pub rounding: RoundingRule,
}
