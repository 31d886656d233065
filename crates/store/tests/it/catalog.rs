use crate::common;
use ddhub_domain::style::{CompositionPart, Quantity, StockState, StyleState};
use ddhub_domain::wholesaler::ShopLocation;
use ddhub_domain::{Krw, StyleId};
use ddhub_store::catalog::{self, StyleInput, UpsertOutcome};
use ddhub_store::{StoreError, parties};

fn input(code: &str, price: i64, sizes: &[&str]) -> StyleInput {
    let mut i = StyleInput {
        style_code: code.into(),
        title_ko: "루즈핏 꽈배기 니트 가디건".into(),
        category: "outer/cardigan".into(),
        price: Krw(price),
        moq: Quantity(2),
        composition: vec![CompositionPart {
            material: "acrylic".into(),
            percent: 100,
        }],
        origin: Some("KR".into()),
        season: None,
        same_day_dispatch: true,
        description_ko: None,
        state: StyleState::Active,
        extra: Default::default(),
        skus: sizes
            .iter()
            .map(|s| ("black".to_string(), s.to_string(), StockState::InStock))
            .collect(),
        content_hash: String::new(),
    };
    i.content_hash = catalog::content_hash(&i);
    i
}

fn loc(unit: &str) -> ShopLocation {
    ShopLocation {
        building: "APM".into(),
        floor: "3".into(),
        unit: unit.into(),
    }
}

#[tokio::test]
async fn upsert_is_idempotent_and_scoped_to_the_wholesaler() {
    for db in common::all("catalog").await {
        let s = &db.store;
        let (a, _) = parties::add_wholesaler(s, "A", loc("A-1")).await.unwrap();
        let (b, _) = parties::add_wholesaler(s, "B", loc("B-1")).await.unwrap();
        let txn = s.begin_write().await.unwrap();
        let first = catalog::upsert_style(&txn, a.id, &input("K-1", 18_000, &["s", "m"]))
            .await
            .unwrap();
        txn.commit().await.unwrap();
        let UpsertOutcome::Created(id) = first else {
            panic!("{first:?}")
        };

        let txn = s.begin_write().await.unwrap();
        let again = catalog::upsert_style(&txn, a.id, &input("K-1", 18_000, &["s", "m"]))
            .await
            .unwrap();
        txn.commit().await.unwrap();
        assert_eq!(again, UpsertOutcome::Unchanged(id), "{}", db.name);

        // A price change and a dropped size: updated, the dropped SKU sold out, not deleted.
        let txn = s.begin_write().await.unwrap();
        let changed = catalog::upsert_style(&txn, a.id, &input("K-1", 19_000, &["m"]))
            .await
            .unwrap();
        txn.commit().await.unwrap();
        assert_eq!(changed, UpsertOutcome::Updated(id));
        let (style, skus) = catalog::get_style(s, a.id, id).await.unwrap();
        assert_eq!(style.price, Krw(19_000));
        assert_eq!(skus.len(), 2);
        let small = skus.iter().find(|k| k.size == "s").unwrap();
        assert_eq!(small.stock, StockState::SoldOut);

        // The same code at another wholesaler is another style; neither sees the other's.
        let txn = s.begin_write().await.unwrap();
        let other = catalog::upsert_style(&txn, b.id, &input("K-1", 5_000, &["m"]))
            .await
            .unwrap();
        txn.commit().await.unwrap();
        assert!(matches!(other, UpsertOutcome::Created(o) if o != id));
        assert!(matches!(
            catalog::get_style(s, b.id, id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            catalog::get_style(s, a.id, StyleId(999_999)).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            catalog::list_styles(s, a.id, None, 0, 50)
                .await
                .unwrap()
                .total,
            1
        );
        assert_eq!(
            catalog::list_styles(s, b.id, None, 0, 50)
                .await
                .unwrap()
                .total,
            1
        );
        assert_eq!(
            catalog::list_styles(s, a.id, Some(StyleState::Archived), 0, 50)
                .await
                .unwrap()
                .total,
            0
        );
    }
}

#[tokio::test]
async fn a_change_and_its_job_commit_or_vanish_together() {
    let db = common::sqlite().await;
    let s = &db.store;
    let (a, _) = parties::add_wholesaler(s, "A", loc("A-1")).await.unwrap();
    let txn = s.begin_write().await.unwrap();
    catalog::upsert_style(&txn, a.id, &input("K-9", 1_000, &["m"]))
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(catalog::count_styles(s, a.id).await.unwrap(), 0);
    let depth = ddhub_store::jobs::JobQueue::new(s.clone())
        .depth()
        .await
        .unwrap();
    assert!(
        depth.is_empty(),
        "a rolled-back change left jobs: {depth:?}"
    );
}
