//! The partner changes feed (never-skip cursor under concurrent writers), full-feed snapshots
//! and the partner settings API, on the real store.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_app::services::feeds::{changes_page, settings_for, write_partner_feed};
use ddhub_domain::style::{Quantity, StockState, StyleState};
use ddhub_domain::translation::TranslatableField;
use ddhub_domain::wholesaler::ShopLocation;
use ddhub_domain::{
    Currency, Krw, Locale, PartnerId, PhotoId, RatePerKrw, RoundingRule, StyleId, WholesalerId,
};
use ddhub_feeds::{Change, Compression, FeedCursor, FeedFormat, FeedSettings};

use ddhub_store::catalog::{self, StyleInput};
use ddhub_store::parties::{self, NewPartner};
use ddhub_store::photos::{self, StoredVariant};
use ddhub_store::{Store, translations};
use ddhub_testkit::testing::{self, TestDb};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const BASE: &str = "https://hub.example";
const MEDIA: &str = "https://media.example";

fn input(code: &str, price: i64, skus: &[(&str, StockState)], state: StyleState) -> StyleInput {
    StyleInput {
        style_code: code.into(),
        title_ko: format!("반폴라 골지 니트 {code}"),
        category: "tops/knit".into(),
        price: Krw(price),
        moq: Quantity(2),
        composition: vec![],
        origin: Some("KR".into()),
        season: None,
        same_day_dispatch: false,
        weight_grams: None,
        description_ko: None,
        state,
        extra: Default::default(),
        skus: skus
            .iter()
            .map(|(size, stock)| ("black".to_string(), size.to_string(), *stock))
            .collect(),
        measurements: Vec::new(),
        fit_note: None,
    }
}

async fn wholesaler(store: &Store, name: &str) -> WholesalerId {
    let loc = ShopLocation {
        building: "APM".into(),
        floor: "3".into(),
        unit: name.into(),
    };
    parties::add_wholesaler(store, name, loc)
        .await
        .unwrap()
        .0
        .id
}

async fn upsert(store: &Store, w: WholesalerId, inputs: &[StyleInput]) -> Vec<StyleId> {
    upsert_then_wait(store, w, inputs, 0).await
}

/// Upserts, then keeps the transaction open `ms` before committing (as an upload does while it
/// adds photos): without commit-ordered ids, a later writer's rows would commit first and a
/// reader would move past this one's.
async fn upsert_then_wait(
    store: &Store,
    w: WholesalerId,
    inputs: &[StyleInput],
    ms: u64,
) -> Vec<StyleId> {
    let txn = store.begin_write().await.unwrap();
    let out = catalog::upsert_styles(&txn, w, None, inputs).await.unwrap();
    if ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    txn.commit().await.unwrap();
    out.outcomes
        .iter()
        .map(|o| match o {
            catalog::UpsertOutcome::Created(id)
            | catalog::UpsertOutcome::Updated(id)
            | catalog::UpsertOutcome::Unchanged(id) => *id,
        })
        .collect()
}

/// Adds a photo and marks it normalised (two transactions, like the upload and the photo job).
async fn ready_photo(store: &Store, style: StyleId, n: usize) -> PhotoId {
    let txn = store.begin_write().await.unwrap();
    let id = catalog::add_photo(&txn, style, "p.jpg", &format!("sha-{}-{n}", style.0), n)
        .await
        .unwrap()
        .unwrap();
    txn.commit().await.unwrap();
    let variant = StoredVariant {
        name: "large".into(),
        format: "jpeg".into(),
        width: 1200,
        height: 1500,
        key: format!("styles/{}/{n}.jpg", style.0),
    };
    let warnings = serde_json::json!([]);
    let normalised = photos::Normalised {
        width: 1200,
        height: 1500,
        phash: "0000",
        warnings: &warnings,
        variants: &[variant],
    };
    photos::mark_ready(store, id, &normalised).await.unwrap();
    id
}

async fn partner(store: &Store, name: &str) -> (PartnerId, String) {
    ddhub_store::rates::set_rate(store, RatePerKrw::parse(Currency::Usd, "0.00075").unwrap())
        .await
        .unwrap();
    let (p, key) = parties::add_partner(
        store,
        NewPartner {
            name: name.into(),
            locale: Locale::En,
            currency: Currency::Usd,
            markup_bp: 1000,
            rounding: RoundingRule::None,
        },
    )
    .await
    .unwrap();
    (p.id, format!("Bearer {}", key.key))
}

/// The partner's full feed as JSON Lines: item id → item, sold-out items left out (the changes
/// feed shows them as tombstones).
async fn full_feed(store: &Store, settings: &FeedSettings) -> BTreeMap<String, Value> {
    let rate = ddhub_store::rates::get_rate(store, settings.currency)
        .await
        .unwrap();
    let (store, settings) = (store.clone(), settings.clone());
    let handle = tokio::runtime::Handle::current();
    let bytes = tokio::task::spawn_blocking(move || {
        write_partner_feed(
            &handle,
            &store,
            &settings,
            rate,
            BASE,
            MEDIA,
            FeedFormat::Jsonl,
            Compression::Identity,
            Vec::new(),
        )
        .unwrap()
        .0
    })
    .await
    .unwrap();
    String::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["availability"] != "out_of_stock")
        .map(|v| (v["id"].as_str().unwrap().to_string(), v))
        .collect()
}

/// Applies one page to the reader's copy; returns the next cursor and whether more wait.
async fn read_page(
    store: &Store,
    settings: &FeedSettings,
    cursor: FeedCursor,
    view: &mut BTreeMap<String, Value>,
) -> (FeedCursor, bool, usize) {
    let rate = ddhub_store::rates::get_rate(store, settings.currency)
        .await
        .unwrap();
    let page = changes_page(store, settings, rate, BASE, MEDIA, cursor, 7)
        .await
        .unwrap();
    let n = page.changes.len();
    for e in page.changes {
        assert!(e.cursor > cursor && e.cursor <= page.next_cursor, "{e:?}");
        match e.change {
            Change::Upsert { item } => {
                view.insert(e.id, serde_json::to_value(&item).unwrap());
            }
            Change::Delete { .. } => {
                view.remove(&e.id);
            }
        }
    }
    assert!(page.next_cursor >= cursor);
    (page.next_cursor, page.has_more, n)
}

/// One writer's life: creates styles in small batches, gives them photos, changes prices,
/// sells SKUs out, archives some, and edits an English title, each in its own transaction.
async fn writer(store: Store, w: WholesalerId, t: usize) {
    let sizes = |stock: StockState| [("s", stock), ("m", StockState::InStock)];
    for round in 0..6usize {
        let codes: Vec<String> = (0..3).map(|i| format!("W{t}-R{round}-{i}")).collect();
        let inputs: Vec<StyleInput> = codes
            .iter()
            .map(|c| input(c, 10_000, &sizes(StockState::InStock), StyleState::Active))
            .collect();
        // Writers hold their transactions for different times, so commits overtake each other.
        let ids = upsert_then_wait(&store, w, &inputs, ((t * 7 + round * 3) % 5) as u64 * 4).await;
        for (n, id) in ids.iter().enumerate() {
            ready_photo(&store, *id, n).await;
        }
        // A price change, a sold-out SKU, an archived style.
        upsert(
            &store,
            w,
            &[input(
                &codes[0],
                12_000 + round as i64 * 100,
                &sizes(StockState::InStock),
                StyleState::Active,
            )],
        )
        .await;
        upsert(
            &store,
            w,
            &[input(
                &codes[1],
                10_000,
                &sizes(StockState::SoldOut),
                StyleState::Active,
            )],
        )
        .await;
        if round % 2 == 0 {
            upsert(
                &store,
                w,
                &[input(
                    &codes[2],
                    10_000,
                    &sizes(StockState::InStock),
                    StyleState::Archived,
                )],
            )
            .await;
        } else {
            translations::put_edited(
                &store,
                ids[2],
                Locale::En,
                TranslatableField::Title,
                &format!("Ribbed knit {t}-{round}"),
            )
            .await
            .unwrap();
        }
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn changes_feed_reader_racing_writers_ends_with_the_final_state() {
    for db in testing::all("feed_changes_race").await {
        let store = db.store.clone();
        let (pid, _) = partner(&store, "Racer").await;
        let ws = [
            wholesaler(&store, "A").await,
            wholesaler(&store, "B").await,
            wholesaler(&store, "C").await,
        ];
        let settings = settings_for(&store, pid).await.unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let reader = {
            let (store, settings, done) = (store.clone(), settings.clone(), done.clone());
            tokio::spawn(async move {
                let mut view = BTreeMap::new();
                let mut cursor = FeedCursor::START;
                let mut pages = 0;
                loop {
                    // Read `done` before the page: a page read after every writer finished
                    // that ends the feed is the last one needed.
                    let finished = done.load(Ordering::SeqCst);
                    let (next, more, _) = read_page(&store, &settings, cursor, &mut view).await;
                    cursor = next;
                    pages += 1;
                    if finished && !more {
                        return (view, pages);
                    }
                    tokio::task::yield_now().await;
                }
            })
        };
        let writers: Vec<_> = ws
            .iter()
            .enumerate()
            .flat_map(|(i, w)| {
                let store = store.clone();
                let w2 = *w;
                let store2 = store.clone();
                [
                    tokio::spawn(writer(store, w2, i * 2)),
                    tokio::spawn(writer(store2, w2, i * 2 + 1)),
                ]
            })
            .collect();
        for h in writers {
            h.await.unwrap();
        }
        done.store(true, Ordering::SeqCst);
        let (view, pages) = reader.await.unwrap();
        let want = full_feed(&store, &settings).await;
        // 6 writers × 6 rounds: price-changed and translated styles stay (2 SKUs each), sold-out
        // ones keep one SKU, archived ones none.
        assert!(want.len() > 100, "{}: {}", db.name, want.len());
        let missing: Vec<_> = want.keys().filter(|k| !view.contains_key(*k)).collect();
        let extra: Vec<_> = view.keys().filter(|k| !want.contains_key(*k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{}: missing {missing:?}, extra {extra:?} after {pages} pages",
            db.name
        );
        for (id, item) in &want {
            assert_eq!(Some(item), view.get(id), "{}: {id}", db.name);
        }
        assert!(pages > 1, "{}: the reader raced the writers", db.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_feed_tombstones_and_partner_view() {
    for db in testing::all("feed_changes_view").await {
        let store = db.store.clone();
        let (pid, _) = partner(&store, "Viewer").await;
        let (a, b) = (wholesaler(&store, "A").await, wholesaler(&store, "B").await);
        let sizes = [("s", StockState::InStock), ("m", StockState::InStock)];
        let ids = upsert(
            &store,
            a,
            &[
                input("K-1", 10_000, &sizes, StyleState::Active),
                input("K-2", 10_000, &sizes, StyleState::Active),
            ],
        )
        .await;
        let other = upsert(
            &store,
            b,
            &[input("K-1", 10_000, &sizes, StyleState::Active)],
        )
        .await;
        for id in ids.iter().chain(&other) {
            ready_photo(&store, *id, 0).await;
        }
        // Only wholesaler A: B's changes are not in the view.
        let mut s = settings_for(&store, pid).await.unwrap();
        s.wholesalers = Some([a].into_iter().collect());
        let mut view = BTreeMap::new();
        let (cursor, more, n) = read_page(&store, &s, FeedCursor::START, &mut view).await;
        assert!(!more);
        assert!(n >= 4, "{n}");
        assert_eq!(view.len(), 4, "{view:?}");
        assert!(
            view.values().all(|v| v["brand"] == "A"
                && v["price"]["amount"] == "8.25"
                && v["price"]["currency"] == "USD"),
            "{view:?}"
        );
        // An idle poll keeps its place and returns nothing.
        let (again, _, n) = read_page(&store, &s, cursor, &mut view).await;
        assert_eq!((again, n), (cursor, 0));

        // Sold-out SKU, archived style, a photo deleted below the minimum: tombstones.
        upsert(
            &store,
            a,
            &[
                input(
                    "K-1",
                    10_000,
                    &[("s", StockState::SoldOut), ("m", StockState::InStock)],
                    StyleState::Active,
                ),
                input("K-2", 10_000, &sizes, StyleState::Archived),
            ],
        )
        .await;
        let rate = ddhub_store::rates::get_rate(&store, Currency::Usd)
            .await
            .unwrap();
        let page = changes_page(&store, &s, rate, BASE, MEDIA, cursor, 10)
            .await
            .unwrap();
        let ops: BTreeMap<String, Value> = page
            .changes
            .iter()
            .map(|e| {
                let v = serde_json::to_value(e).unwrap();
                (e.id.clone(), v)
            })
            .collect();
        assert_eq!(ops.len(), 4, "{ops:?}");
        let by = |suffix: &str| {
            ops.iter()
                .find(|(k, _)| k.ends_with(suffix))
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        assert_eq!(by("K-1-black-s")["reason"], "sold_out");
        assert_eq!(by("K-1-black-m")["op"], "upsert");
        assert_eq!(by("K-2-black-s")["reason"], "archived");
        assert_eq!(by("K-2-black-m")["reason"], "archived");

        let photos_of_1 = photos::for_style(&store, ids[0]).await.unwrap();
        photos::delete(&store, a, ids[0], photos_of_1[0].id)
            .await
            .unwrap();
        let page = changes_page(&store, &s, rate, BASE, MEDIA, page.next_cursor, 10)
            .await
            .unwrap();
        let reasons: Vec<Value> = page
            .changes
            .iter()
            .map(|e| serde_json::to_value(e).unwrap()["reason"].clone())
            .collect();
        assert_eq!(reasons, vec!["excluded", "excluded"], "{page:?}");

        // A Japanese title edit is not in an English partner's view; an English one is.
        let before = page.next_cursor;
        translations::put_edited(&store, other[0], Locale::Ja, TranslatableField::Title, "x")
            .await
            .unwrap();
        translations::put_edited(
            &store,
            ids[0],
            Locale::Ja,
            TranslatableField::Title,
            "ニット",
        )
        .await
        .unwrap();
        let page = changes_page(&store, &s, rate, BASE, MEDIA, before, 10)
            .await
            .unwrap();
        assert!(page.changes.is_empty(), "{page:?}");
        assert!(
            page.next_cursor > before,
            "moves past changes outside the view"
        );
    }
}

struct Api {
    _app: ddhub_testkit::TestApp,
    router: axum::Router,
    store: Store,
}

/// The production router without the worker pool, so nothing changes the catalog behind the
/// test's back.
async fn api(db: TestDb) -> Api {
    let app = ddhub_testkit::TestApp::init(db)
        .without_search()
        .build()
        .await;
    Api {
        router: app.router.clone(),
        store: app.db.store.clone(),
        _app: app,
    }
}

async fn send(
    router: &axum::Router,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let res = tower::ServiceExt::oneshot(router.clone(), req)
        .await
        .unwrap();
    let (s, h) = (res.status(), res.headers().clone());
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    (s, h, bytes.to_vec())
}

fn get(uri: &str, auth: &str) -> Request<Body> {
    Request::get(uri)
        .header("authorization", auth)
        .body(Body::empty())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_feed_snapshot_is_reused_until_the_partner_view_changes() {
    let e = api(testing::sqlite().await).await;
    let (_, auth) = partner(&e.store, "Snap").await;
    let (a, b) = (
        wholesaler(&e.store, "A").await,
        wholesaler(&e.store, "B").await,
    );
    let sizes = [("s", StockState::InStock), ("m", StockState::InStock)];
    let ids = upsert(
        &e.store,
        a,
        &[input("K-1", 10_000, &sizes, StyleState::Active)],
    )
    .await;
    ready_photo(&e.store, ids[0], 0).await;
    let uri = "/api/v1/feeds/products?format=jsonl";
    let (s, h1, first) = send(&e.router, get(uri, &auth)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h1["x-ddhub-snapshot"], "miss");
    let snapshot_dir = e._app.dir.path().join("feed-snapshots");
    let files = |dir: &std::path::Path| -> Vec<std::path::PathBuf> {
        walk(dir)
            .into_iter()
            .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with(".tmp"))
            .collect()
    };
    let stored = files(&snapshot_dir);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(std::fs::read(&stored[0]).unwrap(), first);

    // Nothing changed: the same bytes, from the snapshot.
    let (_, h2, second) = send(&e.router, get(uri, &auth)).await;
    assert_eq!(h2["x-ddhub-snapshot"], "hit");
    assert_eq!((second.clone(), &h2["etag"]), (first.clone(), &h1["etag"]));
    // Proof it is the file that is served: mark its bytes and read them back.
    let mut marked = first.clone();
    marked.extend_from_slice(b"\n");
    std::fs::write(&stored[0], &marked).unwrap();
    let (_, _, third) = send(&e.router, get(uri, &auth)).await;
    assert_eq!(third, marked);

    // A change outside the partner's view (another locale's text) keeps the snapshot.
    translations::put_edited(
        &e.store,
        ids[0],
        Locale::Ja,
        TranslatableField::Title,
        "ニット",
    )
    .await
    .unwrap();
    let (_, h, _) = send(&e.router, get(uri, &auth)).await;
    assert_eq!(h["x-ddhub-snapshot"], "hit");

    // A change in the view invalidates it: a new feed, a new ETag, the old file gone.
    upsert(
        &e.store,
        b,
        &[input("N-1", 20_000, &sizes, StyleState::Active)],
    )
    .await;
    upsert(
        &e.store,
        a,
        &[input("K-1", 11_000, &sizes, StyleState::Active)],
    )
    .await;
    let (_, h4, fourth) = send(&e.router, get(uri, &auth)).await;
    assert_eq!(h4["x-ddhub-snapshot"], "miss");
    assert_ne!(h4["etag"], h1["etag"]);
    let text = String::from_utf8(fourth.clone()).unwrap();
    // N-1 has no photo yet, so only K-1's new price shows.
    assert!(!text.contains("N-1-black-s"), "{text}");
    assert_ne!(
        text.lines().next(),
        String::from_utf8(first).unwrap().lines().next()
    );
    let now = files(&snapshot_dir);
    assert_eq!(now.len(), 1, "{now:?}");
    assert_eq!(std::fs::read(&now[0]).unwrap(), fourth);
    let (_, h5, _) = send(&e.router, get(uri, &auth)).await;
    assert_eq!(h5["x-ddhub-snapshot"], "hit");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_route_pages_and_refuses_bad_cursors_in_the_callers_language() {
    let e = api(testing::sqlite().await).await;
    let (_, auth) = partner(&e.store, "Route").await;
    let a = wholesaler(&e.store, "A").await;
    let sizes = [("s", StockState::InStock)];
    let inputs: Vec<StyleInput> = (0..5)
        .map(|i| input(&format!("R-{i}"), 10_000, &sizes, StyleState::Active))
        .collect();
    for id in upsert(&e.store, a, &inputs).await {
        ready_photo(&e.store, id, 0).await;
    }
    let mut cursor = String::new();
    let mut seen = Vec::new();
    loop {
        let uri = format!("/api/v1/feeds/changes?limit=2&cursor={cursor}");
        let (s, _, body) = send(&e.router, get(&uri, &auth)).await;
        assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        let page: Value = serde_json::from_slice(&body).unwrap();
        for c in page["changes"].as_array().unwrap() {
            assert_eq!(c["op"], "upsert");
            seen.push(c["item"]["mpn"].as_str().unwrap().to_string());
        }
        cursor = page["next_cursor"].as_str().unwrap().to_string();
        if page["has_more"] == false {
            break;
        }
    }
    // Each style changed twice (created, photo ready) in separate pages: listed at each, with
    // its current state.
    assert_eq!(seen.len(), 10, "{seen:?}");
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen,
        [
            "R-0-black-s",
            "R-1-black-s",
            "R-2-black-s",
            "R-3-black-s",
            "R-4-black-s"
        ]
    );

    for (bad, lang, word) in [
        ("cursor=42", "ko", "커서"),
        ("cursor=v1.-1", "ja", "カーソル"),
        ("cursor=v9.1", "en", "cursor"),
    ] {
        let req = Request::get(format!("/api/v1/feeds/changes?{bad}"))
            .header("authorization", &auth)
            .header("accept-language", lang)
            .body(Body::empty())
            .unwrap();
        let (s, _, body) = send(&e.router, req).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "invalid_cursor");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(word),
            "{v}"
        );
    }
    let (s, _, body) = send(&e.router, get("/api/v1/feeds/changes?limit=5000", &auth)).await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&body)
    );

    // The OpenAPI document lists the routes.
    let doc = serde_json::to_value(ddhub_server::app::openapi()).unwrap();
    for path in ["/api/v1/feeds/changes", "/api/v1/feeds/settings"] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_reads_and_changes_its_feed_settings() {
    let e = api(testing::sqlite().await).await;
    let (pid, auth) = partner(&e.store, "Setter").await;
    let (s, _, body) = send(&e.router, get("/api/v1/feeds/settings", &auth)).await;
    assert_eq!(s, StatusCode::OK);
    let current: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (
            &current["currency"],
            &current["markup_bp"],
            &current["locale"]
        ),
        (&Value::from("USD"), &Value::from(1000), &Value::from("en"))
    );
    let put = |body: Value, lang: &str| {
        Request::put("/api/v1/feeds/settings")
            .header("authorization", &auth)
            .header("content-type", "application/json")
            .header("accept-language", lang)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    // What a partner may choose.
    let (s, _, body) = send(
        &e.router,
        put(
            serde_json::json!({
                "locale": "ja",
                "size_system": "JP",
                "min_photos": 2,
                "categories": ["tops"],
                "markup_bp": 1000,
                "category_map": {"tops/knit": {"partner_category": "K-77", "google_category": "212"}}
            }),
            "en",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let stored = settings_for(&e.store, pid).await.unwrap();
    assert_eq!(stored.locale, Locale::Ja);
    assert_eq!(stored.min_photos, 2);
    assert_eq!(stored.markup_bp, 1000, "unchanged terms stay");
    assert_eq!(
        stored.category_map["tops/knit"].partner_category.as_deref(),
        Some("K-77")
    );
    // The operator's terms are not the partner's to change.
    let (s, _, body) = send(&e.router, put(serde_json::json!({"markup_bp": 0}), "ko")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"]["code"], "feed_settings_operator_only");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("운영자"),
        "{v}"
    );
    // Invalid settings: localized 422, nothing stored.
    for (bad, lang, word) in [
        (
            serde_json::json!({"categories": ["tops/nope"]}),
            "ja",
            "フィード設定",
        ),
        (serde_json::json!({"min_photo": 2}), "en", "feed settings"),
        (
            serde_json::json!({"link_template": "http://x/{style_id}"}),
            "vi",
            "Cài đặt",
        ),
        (serde_json::json!(["x"]), "en", "feed settings"),
    ] {
        let (s, _, body) = send(&e.router, put(bad.clone(), lang)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "invalid_feed_settings", "{bad}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(word),
            "{v}"
        );
    }
    assert_eq!(settings_for(&e.store, pid).await.unwrap(), stored);
}
