//! Exchange rates: units of a currency per won, kept by the operator.

use crate::entity::exchange_rate;
use crate::{Result, Store, StoreError};
use ddhub_domain::{Currency, RatePerKrw, Timestamp};
use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, QueryOrder, Set};
use std::time::Duration;

/// How long a rate read for a buyer's answer is reused. Search answers read the rate on every
/// request, and at storefront rates that read was a database round trip per query for a value
/// the operator changes a few times a day. A rate set through this process's store shows at
/// once (it empties the cache); one set by another process (`ddhub rates set`) within this.
pub const RATE_CACHE_TTL: Duration = Duration::from_secs(1);

/// Rates read recently, per currency (`None`: no rate is set).
pub(crate) type RateCache = crate::ttl::TtlCache<Currency, Option<RatePerKrw>>;

pub(crate) fn rate_cache() -> RateCache {
    RateCache::new(RATE_CACHE_TTL, 64)
}

/// Sets (or replaces) the rate of one currency.
pub async fn set_rate(store: &Store, rate: RatePerKrw) -> Result<()> {
    if rate.currency == Currency::Krw {
        return Err(StoreError::Invalid("KRW is the base currency".into()));
    }
    let am = exchange_rate::ActiveModel {
        currency: Set(rate.currency.code().to_string()),
        per_krw_nanos: Set(rate.nanos),
        updated_at: Set(Timestamp::now().0),
    };
    exchange_rate::Entity::insert(am)
        .on_conflict(
            OnConflict::column(exchange_rate::Column::Currency)
                .update_columns([
                    exchange_rate::Column::PerKrwNanos,
                    exchange_rate::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(store.conn())
        .await?;
    store.rates.clear();
    Ok(())
}

/// Every rate the operator has set.
pub async fn list_rates(store: &Store) -> Result<Vec<RatePerKrw>> {
    exchange_rate::Entity::find()
        .order_by_asc(exchange_rate::Column::Currency)
        .all(store.conn())
        .await?
        .into_iter()
        .map(|m| {
            let currency: Currency = m
                .currency
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("currency {:?}", m.currency)))?;
            Ok(RatePerKrw {
                currency,
                nanos: m.per_krw_nanos,
            })
        })
        .collect()
}

/// The rate of `currency` given the stored nanos, if any: KRW is always one.
pub(crate) fn rate_of(currency: Currency, stored_nanos: Option<i64>) -> Option<RatePerKrw> {
    if currency == Currency::Krw {
        return Some(RatePerKrw {
            currency,
            nanos: 1_000_000_000,
        });
    }
    stored_nanos.map(|nanos| RatePerKrw { currency, nanos })
}

/// The rate of one currency; KRW is always one.
pub async fn get_rate(store: &Store, currency: Currency) -> Result<Option<RatePerKrw>> {
    if currency == Currency::Krw {
        return Ok(rate_of(currency, None));
    }
    let stored = exchange_rate::Entity::find_by_id(currency.code().to_string())
        .one(store.conn())
        .await?;
    Ok(rate_of(currency, stored.map(|m| m.per_krw_nanos)))
}

/// [`get_rate`] for buyers' answers, reused for up to [`RATE_CACHE_TTL`].
pub async fn get_rate_cached(store: &Store, currency: Currency) -> Result<Option<RatePerKrw>> {
    let ticket = match store.rates.get(&currency) {
        Ok(rate) => return Ok(rate),
        Err(ticket) => ticket,
    };
    let rate = get_rate(store, currency).await?;
    store.rates.store(ticket, currency, rate);
    Ok(rate)
}
