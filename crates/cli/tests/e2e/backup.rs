//! `ddhub backup` while serving and writing, then `ddhub restore` into a fresh data dir: styles,
//! orders, photos (their media bytes) and search all come back.

use crate::Server;
use serde_json::Value;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn demo_key(data: &Path, kind: &str, nth: usize) -> String {
    std::fs::read_to_string(data.join("demo-keys.txt"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with(&format!("{kind}\t")))
        .map(|l| l.rsplit('\t').next().unwrap().to_string())
        .nth(nth)
        .unwrap()
}

async fn get_json(client: &reqwest::Client, url: &str, key: Option<&str>) -> Value {
    let mut r = client.get(url);
    if let Some(k) = key {
        r = r.bearer_auth(k);
    }
    let res = r.send().await.unwrap();
    assert!(res.status().is_success(), "{url}: {}", res.status());
    res.json().await.unwrap()
}

/// The partner's unit price of a SKU, as order intake expects it: the `expected` argument of
/// the `price_mismatch` answer to a probe order at price 1 (nothing is created by it).
pub(crate) async fn partner_price(
    client: &reqwest::Client,
    base: &str,
    partner_key: &str,
    sku: i64,
    quantity: i64,
) -> String {
    fn find(v: &Value) -> Option<String> {
        match v {
            Value::Object(m) => m
                .get("expected")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| m.values().find_map(find)),
            Value::Array(a) => a.iter().find_map(find),
            _ => None,
        }
    }
    let res = client
        .post(format!("{base}/api/v1/orders"))
        .bearer_auth(partner_key)
        .header("idempotency-key", format!("price-probe-{sku}-{quantity}"))
        .json(&serde_json::json!({
            "partner_order_id": format!("PROBE-{sku}"), "currency": "JPY",
            "lines": [{"sku_id": sku, "quantity": quantity, "unit_price": "1"}],
            "ship_to": {"name": "Probe", "country": "JP", "address_lines": ["1-1"], "postal_code": "100-0001", "phone": "+81 3 0000 0000"}
        }))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    find(&body).unwrap_or_else(|| panic!("no expected price in {body}"))
}

async fn all_styles(client: &reqwest::Client, base: &str, key: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for page in 1.. {
        let v = get_json(
            client,
            &format!("{base}/api/v1/styles?per_page=200&page={page}"),
            Some(key),
        )
        .await;
        let styles = v["styles"].as_array().unwrap().clone();
        if styles.is_empty() {
            break;
        }
        out.extend(
            styles
                .into_iter()
                .map(|s| (s["style_code"].as_str().unwrap().to_string(), s)),
        );
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Waits until no job is queued or running in the data dir's database.
async fn wait_queue_empty(data: &Path) {
    let store = ddhub_store::Store::connect(&ddhub_store::StoreOptions::new(format!(
        "sqlite://{}",
        data.join("ddhub.sqlite").display()
    )))
    .await
    .unwrap();
    let q = ddhub_store::jobs::JobQueue::new(store.clone());
    let start = Instant::now();
    loop {
        let depth = q.depth().await.unwrap();
        if depth.iter().all(|d| d.state == "dead" || d.count == 0) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "jobs still waiting: {depth:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    store.close().await.unwrap();
}

/// Search answers reduced to what must survive a restore: totals and hit ids in order.
async fn search_ids(client: &reqwest::Client, base: &str, q: &str) -> (u64, Vec<i64>) {
    let v = get_json(
        client,
        &format!("{base}/api/v1/search?{q}&locale=ko&currency=KRW&per_page=50"),
        None,
    )
    .await;
    let ids = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["style_id"].as_i64().unwrap())
        .collect();
    (v["total"].as_u64().unwrap(), ids)
}

/// Every media path of the photos of `style_id`, with its bytes.
async fn media_of(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    style_id: i64,
) -> Vec<(String, Vec<u8>)> {
    let v = get_json(
        client,
        &format!("{base}/api/v1/styles/{style_id}"),
        Some(key),
    )
    .await;
    let photos = v
        .as_array()
        .cloned()
        .or_else(|| v["photos"].as_array().cloned())
        .unwrap();
    let mut out = Vec::new();
    for p in photos {
        assert_eq!(p["state"], "ready", "{p}");
        for variant in p["variants"].as_object().unwrap().values() {
            for url in variant["urls"].as_object().unwrap().values() {
                let url = url.as_str().unwrap();
                let path = &url[url.find("/media/").unwrap()..];
                let bytes = client
                    .get(format!("{base}{path}"))
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
                out.push((path.to_string(), bytes.to_vec()));
            }
        }
    }
    out.sort();
    out
}

// `%EB%8B%88%ED%8A%B8` is 니트 (knit), `%EA%B0%80%EB%94%94%EA%B1%B4` 가디건 (cardigan).
const QUERIES: [&str; 3] = [
    "q=%EB%8B%88%ED%8A%B8",
    "q=%EA%B0%80%EB%94%94%EA%B1%B4",
    "q=black",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_while_serving_then_restore_round_trips_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("a");
    let out = crate::ddhub(&data)
        .args(["demo", "--no-serve"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The writer during the backup is the second wholesaler; search is compared on the first.
    let (wkey, wkey2, pkey) = (
        demo_key(&data, "wholesaler", 0),
        demo_key(&data, "wholesaler", 1),
        demo_key(&data, "partner", 0),
    );
    let client = crate::client();
    let mut a = Server::start(&data);
    a.wait_ready(&client).await;
    wait_queue_empty(&data).await;

    // An order, through the partner API.
    let styles = all_styles(&client, &a.base, &wkey).await;
    let (_, first) = styles
        .iter()
        .find(|(_, s)| s["state"] == "active")
        .unwrap()
        .clone();
    let style_id = first["id"].as_i64().unwrap();
    let style = get_json(
        &client,
        &format!("{}/api/v1/styles/{style_id}", a.base),
        Some(&wkey),
    )
    .await;
    let sku = style["skus"][0]["id"].as_i64().unwrap();
    let moq = style["moq"].as_i64().unwrap_or(1).max(1);
    let price = partner_price(&client, &a.base, &pkey, sku, moq).await;
    let order_res = client
        .post(format!("{}/api/v1/orders", a.base))
        .bearer_auth(&pkey)
        .header("idempotency-key", "backup-order-1")
        .json(&serde_json::json!({
            "partner_order_id": "BK-1", "currency": "JPY",
            "lines": [{"sku_id": sku, "quantity": moq, "unit_price": price}],
            "ship_to": {"name": "Backup", "country": "JP", "address_lines": ["1-1"], "postal_code": "100-0001", "phone": "+81 3 0000 0000"}
        }))
        .send()
        .await
        .unwrap();
    let status = order_res.status();
    let order: Value = order_res.json().await.unwrap();
    assert!(status.is_success(), "order: {status} {order}");
    let order_id = order["order_id"].as_i64().unwrap();

    // Writes keep coming while the backup runs: every one acknowledged before it started
    // must be in it.
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let writer = {
        let (client, base, key, acked, stop) = (
            client.clone(),
            a.base.clone(),
            wkey2.clone(),
            acked.clone(),
            stop.clone(),
        );
        tokio::spawn(async move {
            for i in 0.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let code = format!("BK-{i}");
                let r = client
                    .put(format!("{base}/api/v1/styles/by-code/{code}"))
                    .bearer_auth(&key)
                    .json(&serde_json::json!({
                        "title_ko": format!("백업 중 쓰기 {i}"), "category": "tops/knit",
                        "price_krw": 10_000 + i, "moq": 1, "colours": ["black"], "sizes": ["free"]
                    }))
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success(), "{}", r.status());
                acked.lock().unwrap().push(code);
            }
        })
    };
    while acked.lock().unwrap().len() < 20 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before_backup = acked.lock().unwrap().clone();
    let dest = tmp.path().join("backup-1");
    let started = Instant::now();
    let out = crate::ddhub(&data)
        .args(["backup", dest.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: Value = serde_json::from_slice(&out.stdout).unwrap();
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    let during = acked.lock().unwrap().len() - before_backup.len();
    eprintln!(
        "backup of {} bytes + {} files took {:.2} s; {during} writes acknowledged meanwhile",
        manifest["database_bytes"],
        manifest["files"],
        took.as_secs_f64()
    );
    assert!(manifest["files"].as_u64().unwrap() > 0, "media copied");
    // A second backup into the same folder is refused, not merged.
    let again = crate::ddhub(&data)
        .args(["backup", dest.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));

    // What the backup holds, read from the live instance: the styles up to the backup, the
    // order, the photos' bytes, the answers of search.
    wait_queue_empty(&data).await;
    let styles_a = all_styles(&client, &a.base, &wkey).await;
    let order_a = get_json(
        &client,
        &format!("{}/api/v1/orders/{order_id}", a.base),
        Some(&pkey),
    )
    .await;
    let media_a = media_of(&client, &a.base, &wkey, style_id).await;
    assert!(!media_a.is_empty(), "the demo style has photos");
    // Which wholesaler id the first key is: the one whose search hits are its styles.
    let ids_a: std::collections::HashSet<i64> = styles_a
        .iter()
        .map(|(_, s)| s["id"].as_i64().unwrap())
        .collect();
    let mut w1 = None;
    for cand in 1..=2 {
        let (_, ids) = search_ids(&client, &a.base, &format!("wholesaler={cand}")).await;
        if !ids.is_empty() && ids.iter().all(|i| ids_a.contains(i)) {
            w1 = Some(cand);
        }
    }
    let w1 = w1.expect("the first wholesaler's id");
    let queries: Vec<String> = QUERIES
        .iter()
        .map(|q| format!("{q}&wholesaler={w1}"))
        .collect();
    let mut search_a = Vec::new();
    for q in &queries {
        search_a.push(search_ids(&client, &a.base, q).await);
    }
    assert!(
        search_a.iter().any(|(t, _)| *t > 0),
        "search finds demo styles"
    );
    a.terminate();

    // Restore into a new data dir (as on a replacement machine).
    let data_b = tmp.path().join("b");
    let out = crate::ddhub(&data_b)
        .args(["restore", dest.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["styles_indexed"].as_u64().unwrap() > 0, "{report}");
    // Restoring over a database is refused without --force.
    let again = crate::ddhub(&data_b)
        .args(["restore", dest.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    let store = ddhub_store::Store::connect(&ddhub_store::StoreOptions::new(format!(
        "sqlite://{}",
        data_b.join("ddhub.sqlite").display()
    )))
    .await
    .unwrap();
    assert!(store.integrity_check().await.unwrap());
    store.close().await.unwrap();

    let b = Server::start(&data_b);
    b.wait_ready(&client).await;
    let styles_b = all_styles(&client, &b.base, &wkey).await;
    assert_eq!(
        styles_b, styles_a,
        "the first wholesaler's styles come back as they were"
    );
    let codes_b2: std::collections::HashSet<String> = all_styles(&client, &b.base, &wkey2)
        .await
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    for code in &before_backup {
        assert!(
            codes_b2.contains(code),
            "{code} acknowledged before the backup is missing"
        );
    }
    let order_b = get_json(
        &client,
        &format!("{}/api/v1/orders/{order_id}", b.base),
        Some(&pkey),
    )
    .await;
    assert_eq!(order_a, order_b, "the order comes back as it was");
    assert_eq!(
        media_of(&client, &b.base, &wkey, style_id).await,
        media_a,
        "photos and their media bytes"
    );
    // Same totals and hits; equally scored hits may come in another order after a rebuild
    // (tantivy breaks ties by document address), so hits compare as sets.
    for (q, (total_a, ids_a)) in queries.iter().zip(&search_a) {
        let (total_b, mut ids_b) = search_ids(&client, &b.base, q).await;
        let mut ids_a = ids_a.clone();
        ids_a.sort_unstable();
        ids_b.sort_unstable();
        assert_eq!((total_b, ids_b), (*total_a, ids_a), "search {q}");
    }
}
