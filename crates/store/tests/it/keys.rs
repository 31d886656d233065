use crate::common;
use ddhub_domain::wholesaler::ShopLocation;
use ddhub_store::keys::{self, KeyRejection, Principal};
use ddhub_store::parties;

fn loc() -> ShopLocation {
    ShopLocation {
        building: "청평화".into(),
        floor: "2".into(),
        unit: "B-12".into(),
    }
}

/// The same key id with another secret (its last character changed).
fn other_secret(key: &str) -> String {
    let mut wrong = key.to_string();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    wrong
}

#[tokio::test]
async fn keys_verify_reject_and_revoke() {
    for db in common::all("keys").await {
        let s = &db.store;
        let (w, key) = parties::add_wholesaler(s, "미소", loc()).await.unwrap();
        assert!(key.key.starts_with("ddh_w_"));
        // 12 hex id + 64 hex secret: 256 bits of secret.
        assert_eq!(key.key.len(), "ddh_w_".len() + 12 + 1 + 64);
        assert_eq!(
            keys::verify(s, &key.key).await.unwrap(),
            Ok(Principal::Wholesaler(w.id)),
            "{}",
            db.name
        );
        // Same id, other secret.
        assert_eq!(
            keys::verify(s, &other_secret(&key.key)).await.unwrap(),
            Err(KeyRejection::Invalid)
        );
        // Right secret presented with the partner prefix.
        let as_partner = key.key.replacen("ddh_w_", "ddh_p_", 1);
        assert_eq!(
            keys::verify(s, &as_partner).await.unwrap(),
            Err(KeyRejection::Invalid)
        );
        assert_eq!(
            keys::verify(s, "ddh_w_nothex").await.unwrap(),
            Err(KeyRejection::Malformed)
        );
        keys::revoke(s, &key.key_id).await.unwrap();
        assert_eq!(
            keys::verify(s, &key.key).await.unwrap(),
            Err(KeyRejection::Revoked)
        );
        assert!(matches!(
            keys::revoke(s, "000000000000").await,
            Err(ddhub_store::StoreError::NotFound)
        ));
        // The database never holds the key or its secret.
        let listed = keys::list_for(s, Principal::Wholesaler(w.id))
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].revoked);
    }
}

#[tokio::test]
async fn restoring_a_key_is_idempotent_and_refuses_a_different_secret() {
    let db = common::sqlite().await;
    let s = &db.store;
    let (w, key) = parties::add_wholesaler(s, "미소", loc()).await.unwrap();
    keys::restore(s.conn(), Principal::Wholesaler(w.id), &key.key)
        .await
        .unwrap();
    let mut other = key.key.clone();
    other.replace_range(other.len() - 4.., "0000");
    assert!(
        keys::restore(s.conn(), Principal::Wholesaler(w.id), &other)
            .await
            .is_err()
    );
}

/// Buyers' answers reuse a rate read within the last second: a rate set through the same store
/// shows at once, one written behind its back (another process) once the TTL is over.
#[tokio::test]
async fn cached_rates_follow_sets_at_once_and_other_writers_within_the_ttl() {
    use ddhub_domain::{Currency, RatePerKrw};
    use ddhub_store::rates;
    use sea_orm::ConnectionTrait;
    for db in common::all("rate_cache").await {
        let s = &db.store;
        assert_eq!(
            rates::get_rate_cached(s, Currency::Jpy).await.unwrap(),
            None
        );
        let first = RatePerKrw::parse(Currency::Jpy, "0.108").unwrap();
        rates::set_rate(s, first).await.unwrap();
        assert_eq!(
            rates::get_rate_cached(s, Currency::Jpy).await.unwrap(),
            Some(first),
            "{}",
            db.name
        );
        // Another process changes it: seen once the TTL is over. (Whether the old value is
        // still served before that depends on the clock, so it is not asserted.)
        s.conn()
            .execute_unprepared(
                "UPDATE exchange_rates SET per_krw_nanos = 110000000 WHERE currency = 'JPY'",
            )
            .await
            .unwrap();
        tokio::time::sleep(rates::RATE_CACHE_TTL + std::time::Duration::from_millis(50)).await;
        assert_eq!(
            rates::get_rate_cached(s, Currency::Jpy).await.unwrap(),
            Some(RatePerKrw::parse(Currency::Jpy, "0.110").unwrap()),
            "{}",
            db.name
        );
        // KRW is always one and never read.
        assert_eq!(
            rates::get_rate_cached(s, Currency::Krw).await.unwrap(),
            rates::get_rate(s, Currency::Krw).await.unwrap()
        );
    }
}

/// A verified key is remembered for a few seconds: revoked through the same store it is refused
/// at once, revoked behind the store's back (another process) once the TTL is over.
#[tokio::test]
async fn remembered_keys_follow_revocations() {
    use sea_orm::ConnectionTrait;
    for db in common::all("key_cache").await {
        let s = &db.store;
        let (_, a) = parties::add_wholesaler(s, "미소", loc()).await.unwrap();
        let (_, b) = parties::add_wholesaler(s, "다른", loc()).await.unwrap();
        for k in [&a, &b] {
            assert!(
                keys::verify(s, &k.key).await.unwrap().is_ok(),
                "{}",
                db.name
            );
        }
        // A wrong secret is refused even right after the right one was remembered.
        assert_eq!(
            keys::verify(s, &other_secret(&a.key)).await.unwrap(),
            Err(KeyRejection::Invalid)
        );
        keys::revoke(s, &a.key_id).await.unwrap();
        assert_eq!(
            keys::verify(s, &a.key).await.unwrap(),
            Err(KeyRejection::Revoked),
            "{}",
            db.name
        );
        // Another process revokes b: refused once the TTL is over.
        s.conn()
            .execute_unprepared(&format!(
                "UPDATE api_keys SET revoked_at = 1 WHERE key_id = '{}'",
                b.key_id
            ))
            .await
            .unwrap();
        tokio::time::sleep(keys::VERIFIED_KEY_TTL + std::time::Duration::from_millis(50)).await;
        assert_eq!(
            keys::verify(s, &b.key).await.unwrap(),
            Err(KeyRejection::Revoked),
            "{}",
            db.name
        );
    }
}
