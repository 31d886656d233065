use crate::common;
use ddhub_domain::style::{CompositionPart, Quantity, StockState, StyleState};
use ddhub_domain::wholesaler::ShopLocation;
use ddhub_domain::{Krw, StyleId};
use ddhub_store::catalog::{self, StyleInput, UpsertOutcome};
use ddhub_store::{StoreError, parties};

fn input(code: &str, price: i64, sizes: &[&str]) -> StyleInput {
    StyleInput {
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
        weight_grams: None,
        description_ko: None,
        state: StyleState::Active,
        extra: Default::default(),
        skus: sizes
            .iter()
            .map(|s| ("black".to_string(), s.to_string(), StockState::InStock))
            .collect(),
        measurements: Vec::new(),
        fit_note: None,
    }
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
        // A page past what SQL can count is empty, not a panic in the driver.
        let far = catalog::list_styles(s, a.id, None, u64::MAX / 2, 3)
            .await
            .unwrap();
        assert_eq!((far.total, far.styles.len()), (1, 0));
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

/// A style of the batch test: variety in the nullable fields, so their NULLs round-trip.
fn batch_style(n: usize) -> StyleInput {
    let mut i = input(&format!("B-{n}"), 10_000 + n as i64, &["s", "m", "l"]);
    i.skus
        .push(("ivory".into(), "m".into(), StockState::InStock));
    i.origin = (!n.is_multiple_of(3)).then(|| "KR".to_string());
    i.season = n.is_multiple_of(2).then(|| "fw".to_string());
    i.description_ko = n
        .is_multiple_of(5)
        .then(|| format!("설명 '{n}' \"따옴표\" ; --"));
    i.extra
        .insert("비고".into(), serde_json::Value::String(format!("{n}")));
    i
}

async fn style_changed_jobs(s: &ddhub_store::Store) -> Vec<serde_json::Value> {
    use ddhub_store::entity::job;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    job::Entity::find()
        .filter(
            job::Column::Kind
                .eq(<ddhub_domain::jobs::StyleChanged as ddhub_domain::jobs::JobPayload>::KIND),
        )
        .order_by_asc(job::Column::Id)
        .all(s.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|j| serde_json::from_str(&j.payload).unwrap())
        .collect()
}

/// The set-based write path with batches bigger than one SQLite statement: creates, every kind
/// of change, and unchanged styles in one call; the job names exactly the changed field groups.
#[tokio::test]
async fn batch_upsert_creates_updates_and_leaves_alone_in_one_call() {
    const N: usize = 3_000;
    for db in common::all("catalog_batch").await {
        let s = &db.store;
        let (a, _) = parties::add_wholesaler(s, "A", loc("A-1")).await.unwrap();
        let first: Vec<StyleInput> = (0..N).map(batch_style).collect();
        let txn = s.begin_write().await.unwrap();
        let out = catalog::upsert_styles(&txn, a.id, None, &first)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        assert_eq!(out.skus_written, N * 4, "{}", db.name);
        let created: Vec<StyleId> = out
            .outcomes
            .iter()
            .map(|o| match o {
                UpsertOutcome::Created(id) => *id,
                other => panic!("{}: {other:?}", db.name),
            })
            .collect();
        for n in [0, 1, 2, 5, N - 1] {
            let (style, skus) = catalog::get_style(s, a.id, created[n]).await.unwrap();
            assert_eq!(style.style_code, first[n].style_code);
            assert_eq!(style.origin, first[n].origin, "{} origin of {n}", db.name);
            assert_eq!(style.season, first[n].season, "{} season of {n}", db.name);
            assert_eq!(style.description_ko, first[n].description_ko, "{}", db.name);
            assert_eq!(style.price, first[n].price);
            assert_eq!(skus.len(), 4);
        }
        let jobs_before = style_changed_jobs(s).await;
        assert_eq!(jobs_before.len(), 1);
        assert_eq!(jobs_before[0]["styles"].as_array().unwrap().len(), N);

        // Second upload: 10 price changes, 10 title changes, 10 size swaps, 10 stock changes,
        // 5 new styles, the rest as before.
        let mut second = first.clone();
        for i in &mut second[0..10] {
            i.price = Krw(i.price.0 + 1);
        }
        for i in &mut second[10..20] {
            i.title_ko.push_str(" (신상)");
        }
        for i in &mut second[20..30] {
            i.skus.retain(|(_, z, _)| z != "l");
            i.skus
                .push(("black".into(), "xl".into(), StockState::InStock));
        }
        for i in &mut second[30..40] {
            for k in &mut i.skus {
                k.2 = StockState::SoldOut;
            }
        }
        // The store hashes each input itself: edited inputs need nothing more.
        second.extend((N..N + 5).map(batch_style));
        let txn = s.begin_write().await.unwrap();
        let out = catalog::upsert_styles(&txn, a.id, None, &second)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        let count = |f: fn(&UpsertOutcome) -> bool| out.outcomes.iter().filter(|o| f(o)).count();
        assert_eq!(count(|o| matches!(o, UpsertOutcome::Created(_))), 5);
        assert_eq!(count(|o| matches!(o, UpsertOutcome::Updated(_))), 40);
        assert_eq!(count(|o| matches!(o, UpsertOutcome::Unchanged(_))), N - 40);
        // New styles' 20 SKUs, 10 × (one new, one sold out), 10 × 4 stock changes.
        assert_eq!(out.skus_written, 20 + 20 + 40, "{}", db.name);

        let jobs = style_changed_jobs(s).await;
        assert_eq!(jobs.len(), 2, "{}", db.name);
        let listed = jobs[1]["styles"].as_array().unwrap();
        assert_eq!(listed.len(), 45);
        let fields_of = |id: StyleId| {
            listed
                .iter()
                .find(|e| e["id"] == id.0)
                .map(|e| e["fields"].clone())
                .unwrap_or_else(|| panic!("{id:?} not in the job"))
        };
        assert_eq!(fields_of(created[3]), serde_json::json!(["commerce"]));
        assert_eq!(fields_of(created[13]), serde_json::json!(["title"]));
        assert_eq!(fields_of(created[23]), serde_json::json!(["variants"]));
        assert_eq!(fields_of(created[33]), serde_json::json!(["variants"]));
        assert!(!listed.iter().any(|e| e["id"] == created[50].0));

        let (style, _) = catalog::get_style(s, a.id, created[3]).await.unwrap();
        assert_eq!(style.price, second[3].price);
        assert_eq!(style.origin, second[3].origin);
        assert_eq!(style.description_ko, second[3].description_ko);
        let (style, _) = catalog::get_style(s, a.id, created[13]).await.unwrap();
        assert_eq!(style.title_ko, second[13].title_ko);
        let (_, skus) = catalog::get_style(s, a.id, created[23]).await.unwrap();
        assert_eq!(skus.len(), 5, "{}: {skus:?}", db.name);
        let stock = |colour: &str, size: &str| {
            skus.iter()
                .find(|k| k.colour == colour && k.size == size)
                .map(|k| k.stock)
        };
        assert_eq!(stock("black", "l"), Some(StockState::SoldOut));
        assert_eq!(stock("black", "xl"), Some(StockState::InStock));
        assert_eq!(stock("black", "s"), Some(StockState::InStock));
        let (_, skus) = catalog::get_style(s, a.id, created[33]).await.unwrap();
        assert_eq!(skus.len(), 4);
        assert!(skus.iter().all(|k| k.stock == StockState::SoldOut));

        // The same sheet again: nothing changes, no job.
        let txn = s.begin_write().await.unwrap();
        let out = catalog::upsert_styles(&txn, a.id, None, &second)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        assert!(
            out.outcomes
                .iter()
                .all(|o| matches!(o, UpsertOutcome::Unchanged(_)))
        );
        assert_eq!(out.skus_written, 0);
        assert_eq!(style_changed_jobs(s).await.len(), 2);
        assert_eq!(
            catalog::count_styles(s, a.id).await.unwrap(),
            (N + 5) as u64
        );
    }
}

/// A batch that fails part-way (a duplicate code makes a later insert statement, on SQLite, violate
/// the unique key) leaves nothing behind once the transaction rolls back.
#[tokio::test]
async fn a_failing_batch_leaves_nothing() {
    for db in common::all("catalog_batch_fail").await {
        let s = &db.store;
        let (a, _) = parties::add_wholesaler(s, "A", loc("A-1")).await.unwrap();
        let mut batch: Vec<StyleInput> = (0..3_000).map(batch_style).collect();
        batch.push(batch_style(7));
        let txn = s.begin_write().await.unwrap();
        let r = catalog::upsert_styles(&txn, a.id, None, &batch).await;
        assert!(r.is_err(), "{}: a duplicate code was accepted", db.name);
        txn.rollback().await.unwrap();
        assert_eq!(catalog::count_styles(s, a.id).await.unwrap(), 0);
        assert!(style_changed_jobs(s).await.is_empty());
    }
}

/// A new wholesaler's style P-1 with one pending photo per hash, in that order.
async fn style_with_photos(
    s: &ddhub_store::Store,
    shas: &[&str],
) -> (
    ddhub_domain::WholesalerId,
    StyleId,
    Vec<ddhub_domain::PhotoId>,
) {
    let (a, _) = parties::add_wholesaler(s, "A", loc("A-1")).await.unwrap();
    let txn = s.begin_write().await.unwrap();
    let style = match catalog::upsert_style(&txn, a.id, &input("P-1", 1_000, &["m"]))
        .await
        .unwrap()
    {
        catalog::UpsertOutcome::Created(id) => id,
        other => panic!("{other:?}"),
    };
    let mut ids = Vec::new();
    for (pos, sha) in shas.iter().enumerate() {
        ids.push(
            catalog::add_photo(&txn, style, &format!("{sha}.jpg"), sha, pos)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    txn.commit().await.unwrap();
    (a.id, style, ids)
}

/// A photo becoming ready reindexes its style only when it is the style's first ready photo
/// (the thumbnail hits show); a later one, or one that fails, does not. Deleting queues it.
#[tokio::test]
async fn only_a_thumbnail_change_reindexes_a_style() {
    use ddhub_store::photos::{self, StoredVariant};
    for db in common::all("thumbnail_reindex").await {
        let s = &db.store;
        let (a, id, ids) = style_with_photos(s, &["aa", "bb", "cc"]).await;
        let before = style_changed_jobs(s).await.len();
        let variants = |k: &str| {
            vec![StoredVariant {
                name: "thumb".into(),
                format: "jpeg".into(),
                width: 200,
                height: 200,
                key: format!("v/{k}/thumb.jpg"),
            }]
        };
        let ready = |i: usize| {
            let v = variants(&i.to_string());
            let id = ids[i];
            async move {
                let warnings = serde_json::json!([]);
                let normalised = photos::Normalised {
                    width: 800,
                    height: 800,
                    phash: "0",
                    warnings: &warnings,
                    variants: &v,
                };
                photos::mark_ready(s, id, &normalised).await.unwrap()
            }
        };
        // The second photo first: it is the first ready one, so the thumbnail changes.
        ready(1).await;
        let jobs = style_changed_jobs(s).await;
        assert_eq!(jobs.len(), before + 1, "{}: {jobs:?}", db.name);
        assert_eq!(jobs[before]["styles"][0]["id"], id.0);
        assert_eq!(jobs[before]["styles"][0]["fields"][0], "photos");
        // The third comes after it: no change to what a hit shows.
        ready(2).await;
        assert_eq!(style_changed_jobs(s).await.len(), before + 1, "{}", db.name);
        // The first one goes ahead of both: the thumbnail changes again.
        ready(0).await;
        assert_eq!(style_changed_jobs(s).await.len(), before + 2, "{}", db.name);
        photos::delete(s, a, id, ids[0]).await.unwrap();
        assert_eq!(style_changed_jobs(s).await.len(), before + 3, "{}", db.name);
    }
}

/// Measured sizes (issue 19): stored per size with the fit note, unchanged on a same upload,
/// replaced whole when they change (an `attributes` change), and gone with none.
#[tokio::test]
async fn measured_sizes_round_trip_and_are_replaced_on_change() {
    use ddhub_domain::measure::{Measure, SizeMeasurements};
    use ddhub_store::measurements;
    for db in common::all("measurements").await {
        let s = &db.store;
        let (a, _) = parties::add_wholesaler(s, "A", loc("A-1")).await.unwrap();
        let mut i = input("M-1", 18_000, &["s", "m"]);
        i.measurements = vec![
            SizeMeasurements::new("s")
                .with_cm(Measure::Shoulder, 38.0)
                .with_cm(Measure::ChestHalf, 48.5),
            SizeMeasurements::new("m").with_cm(Measure::Length, 64.0),
        ];
        i.fit_note = Some("모델 168cm 55 착용".into());
        let txn = s.begin_write().await.unwrap();
        let UpsertOutcome::Created(id) = catalog::upsert_style(&txn, a.id, &i).await.unwrap()
        else {
            panic!()
        };
        txn.commit().await.unwrap();
        let got = measurements::of_style(s, id).await.unwrap();
        assert_eq!(got.measurements, i.measurements, "{}", db.name);
        assert_eq!(got.fit_note.as_deref(), Some("모델 168cm 55 착용"));

        let txn = s.begin_write().await.unwrap();
        let same = catalog::upsert_style(&txn, a.id, &i).await.unwrap();
        txn.commit().await.unwrap();
        assert_eq!(same, UpsertOutcome::Unchanged(id), "{}", db.name);

        i.measurements[1] = SizeMeasurements::new("m").with_cm(Measure::Length, 66.0);
        let txn = s.begin_write().await.unwrap();
        let changed = catalog::upsert_style(&txn, a.id, &i).await.unwrap();
        txn.commit().await.unwrap();
        assert_eq!(changed, UpsertOutcome::Updated(id), "{}", db.name);
        let got = measurements::of_style(s, id).await.unwrap();
        assert_eq!(got.measurements.len(), 2);
        assert_eq!(got.measurements[1].get_cm(Measure::Length), Some(66.0));

        i.measurements.clear();
        i.fit_note = None;
        let txn = s.begin_write().await.unwrap();
        catalog::upsert_style(&txn, a.id, &i).await.unwrap();
        txn.commit().await.unwrap();
        let got = measurements::of_style(s, id).await.unwrap();
        assert!(
            got.measurements.is_empty() && got.fit_note.is_none(),
            "{}",
            db.name
        );
    }
}

/// A photo's colour check is stored in the transaction that marks the photo ready. When the
/// check fails (here a sibling photo's stored colours cannot be read), the photo is still
/// ready, the failure is the inner result, and the last good check stays.
#[tokio::test]
async fn a_colour_check_is_stored_with_its_photo_and_its_failure_keeps_the_photo_ready() {
    use ddhub_store::colour_checks;
    use ddhub_store::photos::{self, Normalised};
    use sea_orm::ConnectionTrait;
    for db in common::all("colour_check_with_photo").await {
        let s = &db.store;
        let (_, style, ids) = style_with_photos(s, &["aa", "bb"]).await;
        let warnings = serde_json::json!({"colours": []});
        let done = Normalised {
            width: 800,
            height: 800,
            phash: "0",
            warnings: &warnings,
            variants: &[],
        };
        let count_ready = |inputs: &colour_checks::ColourInputs| {
            let n = inputs.photo_warnings.len();
            (serde_json::json!({ "ready": n }), 0)
        };
        photos::mark_ready_and_check(s, ids[0], style, &done, count_ready)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(photos::get(s, ids[0]).await.unwrap().state, "ready");
        let check = colour_checks::of_style(s, style).await.unwrap().unwrap();
        assert_eq!(check.result["ready"], 1, "{}: {check:?}", db.name);

        s.conn()
            .execute_unprepared(&format!(
                "UPDATE photos SET warnings = 'not json' WHERE id = {}",
                ids[0].0
            ))
            .await
            .unwrap();
        let inner = photos::mark_ready_and_check(s, ids[1], style, &done, count_ready)
            .await
            .unwrap();
        assert!(inner.is_err(), "{}: a broken input was checked", db.name);
        assert_eq!(photos::get(s, ids[1]).await.unwrap().state, "ready");
        let kept = colour_checks::of_style(s, style).await.unwrap().unwrap();
        assert_eq!(kept.result["ready"], 1, "{}: {kept:?}", db.name);
    }
}
