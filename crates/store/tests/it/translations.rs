use crate::common;
use ddhub_domain::translation::{ReviewState, TranslatableField};
use ddhub_domain::wholesaler::ShopLocation;
use ddhub_domain::{Krw, Locale, StyleId};
use ddhub_store::catalog::{self, StyleInput, UpsertOutcome};
use ddhub_store::parties;
use ddhub_store::translations::{self, AutoTranslation};

async fn one_style(s: &ddhub_store::Store, code: &str) -> StyleId {
    let (w, _) = parties::add_wholesaler(
        s,
        &format!("W-{code}"),
        ShopLocation {
            building: "APM".into(),
            floor: "3".into(),
            unit: code.into(),
        },
    )
    .await
    .unwrap();
    let i = StyleInput {
        style_code: code.into(),
        title_ko: "니트 가디건".into(),
        category: "tops/knit/cardigan".into(),
        price: Krw(18_000),
        moq: ddhub_domain::style::Quantity(2),
        composition: Vec::new(),
        origin: None,
        season: None,
        same_day_dispatch: false,
        weight_grams: None,
        description_ko: None,
        state: ddhub_domain::style::StyleState::Active,
        extra: Default::default(),
        skus: vec![(
            "black".into(),
            "free".into(),
            ddhub_domain::style::StockState::InStock,
        )],
        measurements: Vec::new(),
        fit_note: None,
    };
    let txn = s.begin_write().await.unwrap();
    let out = catalog::upsert_style(&txn, w.id, &i).await.unwrap();
    txn.commit().await.unwrap();
    let UpsertOutcome::Created(id) = out else {
        panic!("{out:?}")
    };
    id
}

fn auto(style: StyleId, locale: Locale, value: &str) -> AutoTranslation {
    AutoTranslation {
        style,
        locale,
        field: TranslatableField::Title,
        value: value.into(),
        review: ReviewState::Glossary,
        source_hash: "h1".into(),
    }
}

/// The batch writer keeps what the one-at-a-time writer promises: new results stored, changed
/// automatic ones replaced, a person's edit kept, and the values in force returned.
#[tokio::test]
async fn batch_automatic_writes_keep_human_work() {
    for db in common::all("translations_batch").await {
        let s = &db.store;
        let a = one_style(s, "T-1").await;
        let b = one_style(s, "T-2").await;
        let first = translations::write_automatic_many(
            s,
            &[
                auto(a, Locale::En, "Knit cardigan"),
                auto(a, Locale::Ja, "ニットカーディガン"),
                auto(b, Locale::En, "Cardigan"),
            ],
            &[],
        )
        .await
        .unwrap();
        assert_eq!(first.len(), 3, "{}", db.name);
        assert_eq!(
            first[&(a.0, Locale::Ja, TranslatableField::Title)].value,
            "ニットカーディガン"
        );
        translations::put_edited(s, a, Locale::En, TranslatableField::Title, "Hand-edited")
            .await
            .unwrap();
        let second = translations::write_automatic_many(
            s,
            &[
                auto(a, Locale::En, "Knit cardigan v2"),
                auto(b, Locale::En, "Cardigan v2"),
            ],
            &[],
        )
        .await
        .unwrap();
        assert_eq!(
            second[&(a.0, Locale::En, TranslatableField::Title)].value,
            "Hand-edited",
            "{}",
            db.name
        );
        assert_eq!(
            second[&(b.0, Locale::En, TranslatableField::Title)],
            translations::Stored {
                value: "Cardigan v2".into(),
                review: "glossary".into()
            }
        );
        // Stored values match what was returned, and nothing was duplicated.
        let stored = translations::for_style(s, b, None).await.unwrap();
        assert_eq!(stored.len(), 1, "{}: {stored:?}", db.name);
        assert_eq!(stored[0].value, "Cardigan v2");
        let a_rows = translations::for_style(s, a, Some(Locale::En))
            .await
            .unwrap();
        assert_eq!(a_rows.len(), 1);
        assert_eq!(a_rows[0].value, "Hand-edited");
        assert_eq!(a_rows[0].review, "edited");
        // Removal takes automatic values only, in every locale: b's title goes, and a's
        // Japanese one, while a's edited English title stays; the partners' changes feed
        // hears of both styles.
        let before = ddhub_store::changes::after(
            s,
            &ddhub_store::changes::ViewFilter {
                wholesalers: None,
                locale: Locale::En,
            },
            0,
            10_000,
        )
        .await
        .unwrap()
        .rows
        .len();
        let third = translations::write_automatic_many(
            s,
            &[],
            &[(a, TranslatableField::Title), (b, TranslatableField::Title)],
        )
        .await
        .unwrap();
        assert!(
            !third.contains_key(&(b.0, Locale::En, TranslatableField::Title)),
            "{}",
            db.name
        );
        assert_eq!(
            third[&(a.0, Locale::En, TranslatableField::Title)].value,
            "Hand-edited"
        );
        assert!(!third.contains_key(&(a.0, Locale::Ja, TranslatableField::Title)));
        assert!(
            translations::for_style(s, b, None)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(translations::for_style(s, a, None).await.unwrap().len(), 1);
        let after = ddhub_store::changes::after(
            s,
            &ddhub_store::changes::ViewFilter {
                wholesalers: None,
                locale: Locale::En,
            },
            0,
            10_000,
        )
        .await
        .unwrap()
        .rows
        .len();
        assert_eq!(after, before + 2, "{}", db.name);
        // Search hits carry what listing rows carry, with the title in force.
        let full = catalog::listing_rows(s, &[a, b]).await.unwrap();
        let hits = catalog::search_hits(s, &[a, b], Locale::En).await.unwrap();
        assert_eq!(hits.len(), 2);
        for (h, f) in hits.iter().zip(&full) {
            assert_eq!(h.style_id, f.style.id);
            assert_eq!(h.style_code, f.style.style_code);
            assert_eq!(h.wholesaler.name, f.wholesaler.name);
            assert!(!f.skus.is_empty());
        }
        assert_eq!(hits[0].title.as_deref(), Some("Hand-edited"));
    }
}

/// A person's review of several fields is one transaction: approving a stored title together
/// with a field that has no value is refused, and the title keeps its review state.
#[tokio::test]
async fn a_review_of_several_fields_is_all_or_nothing() {
    for db in common::all("translations_review_atomic").await {
        let s = &db.store;
        let a = one_style(s, "T-9").await;
        translations::write_automatic_many(s, &[auto(a, Locale::En, "Knit cardigan")], &[])
            .await
            .unwrap();
        let err = translations::approve(
            s,
            a,
            Locale::En,
            &[TranslatableField::Title, TranslatableField::Description],
        )
        .await
        .unwrap_err();
        assert!(matches!(err, ddhub_store::StoreError::NotFound), "{err:?}");
        let rows = translations::for_style(s, a, Some(Locale::En))
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "{}: {rows:?}", db.name);
        assert_eq!(
            rows[0].review, "glossary",
            "{}: title not approved",
            db.name
        );
        translations::approve(s, a, Locale::En, &[TranslatableField::Title])
            .await
            .unwrap();
        let rows = translations::for_style(s, a, Some(Locale::En))
            .await
            .unwrap();
        assert_eq!(rows[0].review, "approved", "{}", db.name);
        // Two edits in one call: both stored.
        translations::put_edited_fields(
            s,
            a,
            Locale::En,
            &[
                (TranslatableField::Title, "Cable cardigan"),
                (TranslatableField::Description, "Soft cable knit."),
            ],
        )
        .await
        .unwrap();
        let rows = translations::for_style(s, a, Some(Locale::En))
            .await
            .unwrap();
        assert_eq!(rows.len(), 2, "{}: {rows:?}", db.name);
        assert!(rows.iter().all(|r| r.review == "edited"), "{rows:?}");
    }
}
