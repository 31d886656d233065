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
        let mut wrong = key.key.clone();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '0' { '1' } else { '0' });
        assert_eq!(
            keys::verify(s, &wrong).await.unwrap(),
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
