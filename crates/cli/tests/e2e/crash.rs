//! kill -9 in the middle of writes: after a restart the database is intact and every write that
//! was acknowledged is there.

use crate::Server;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_mid_writes_loses_no_acknowledged_write() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let out = crate::ddhub(&data)
        .args([
            "wholesaler",
            "add",
            "--name",
            "크래시",
            "--building",
            "APM",
            "--floor",
            "1",
            "--unit",
            "1",
            "--json",
        ])
        .output()
        .unwrap();
    let key = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    let mut server = Server::start(&data);
    let client = crate::client();
    server.wait_ready(&client).await;
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut writers = Vec::new();
    for w in 0..4 {
        let (client, base, key, acked) = (
            client.clone(),
            server.base.clone(),
            key.clone(),
            acked.clone(),
        );
        writers.push(tokio::spawn(async move {
            for i in 0..100_000 {
                let code = format!("C-{w}-{i}");
                let body = serde_json::json!({
                    "title_ko": format!("크래시 테스트 니트 {i}"),
                    "category": "tops/knit", "price_krw": 10_000 + i, "moq": 1,
                    "colours": ["black", "ivory"], "sizes": ["free"]
                });
                let res = client
                    .put(format!("{base}/api/v1/styles/by-code/{code}"))
                    .bearer_auth(&key)
                    .json(&body)
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status().is_success() => acked.lock().unwrap().push(code),
                    Ok(r) => panic!("write refused: {}", r.status()),
                    Err(_) => return, // the server is gone
                }
            }
        }));
    }
    // Let writes flow, then pull the plug.
    let start = std::time::Instant::now();
    while acked.lock().unwrap().len() < 200 && start.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill9();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 200,
        "only {} writes before the kill",
        acked.len()
    );

    let store = ddhub_store::Store::connect(&ddhub_store::StoreOptions::new(format!(
        "sqlite://{}",
        data.join("ddhub.sqlite").display()
    )))
    .await
    .unwrap();
    assert!(
        store.integrity_check().await.unwrap(),
        "PRAGMA integrity_check after kill -9"
    );
    store.close().await.unwrap();

    let server = Server::start(&data);
    server.wait_ready(&client).await;
    let mut seen = std::collections::HashSet::new();
    for page in 1.. {
        let v: serde_json::Value = client
            .get(format!(
                "{}/api/v1/styles?per_page=200&page={page}",
                server.base
            ))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let styles = v["styles"].as_array().unwrap();
        if styles.is_empty() {
            break;
        }
        seen.extend(
            styles
                .iter()
                .map(|s| s["style_code"].as_str().unwrap().to_string()),
        );
    }
    let lost: Vec<_> = acked.iter().filter(|c| !seen.contains(*c)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost: {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    eprintln!(
        "{} acknowledged writes, all present after kill -9",
        acked.len()
    );
}

/// kill -9 during order intake: every order acknowledged with 201 is there after a restart,
/// exactly once (its key replays the same order), and the database is intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_mid_intake_keeps_every_acknowledged_order_exactly_once() {
    kill_9_intake_on(None).await;
    if let Some(url) = ddhub_testkit::testing::postgres_url("kill_9_intake").await {
        kill_9_intake_on(Some(url)).await;
    }
}

async fn kill_9_intake_on(database_url: Option<String>) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let ddhub = |data: &std::path::Path| {
        let mut c = crate::ddhub(data);
        if let Some(url) = &database_url {
            c.env("DDHUB_DATABASE_URL", url);
        }
        // The drill sends every acknowledged order's check and replay at once after the
        // restart, a burst over the per-key limit: limits are tested on their own.
        c.env("DDHUB_PARTNER_RATE_PER_MINUTE", "1000000");
        c
    };
    let run = |args: &[&str]| {
        let out = ddhub(&data).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let w: serde_json::Value = serde_json::from_str(&run(&[
        "wholesaler",
        "add",
        "--name",
        "크래시",
        "--building",
        "APM",
        "--floor",
        "1",
        "--unit",
        "1",
        "--json",
    ]))
    .unwrap();
    let p: serde_json::Value = serde_json::from_str(&run(&[
        "partner",
        "add",
        "--name",
        "Crash",
        "--locale",
        "ja",
        "--currency",
        "JPY",
        "--json",
    ]))
    .unwrap();
    run(&["rates", "set", "JPY", "0.108"]);
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../demo/misonit-catalog-cp949.csv");
    run(&[
        "ingest",
        "--wholesaler",
        &w["id"].to_string(),
        sample.to_str().unwrap(),
    ]);
    let (wkey, pkey) = (
        w["key"].as_str().unwrap().to_string(),
        p["key"].as_str().unwrap().to_string(),
    );
    let mut server = Server::start_with(ddhub(&data).arg("serve"));
    let client = crate::client();
    server.wait_ready(&client).await;
    // KN-2042: 14,500 won, MOQ 3, in stock; its first SKU at 1,566 yen.
    let styles: serde_json::Value = client
        .get(format!("{}/api/v1/styles?per_page=200", server.base))
        .bearer_auth(&wkey)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = styles["styles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["style_code"] == "KN-2042")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let style: serde_json::Value = client
        .get(format!("{}/api/v1/styles/{id}", server.base))
        .bearer_auth(&wkey)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sku = style["skus"][0]["id"].as_i64().unwrap();
    let body = move |n: usize| {
        serde_json::json!({
            "partner_order_id": format!("K9-{n}"), "currency": "JPY",
            "lines": [{"sku_id": sku, "quantity": 3, "unit_price": "1566"}],
            "ship_to": {"name": "Crash", "country": "JP", "address_lines": ["1-1"], "postal_code": "100-0001", "phone": "+81 3 0000 0000"}
        })
    };
    let acked: Arc<Mutex<Vec<(usize, i64)>>> = Arc::default();
    let mut writers = Vec::new();
    for w in 0..4 {
        let (client, base, key, acked) = (
            client.clone(),
            server.base.clone(),
            pkey.clone(),
            acked.clone(),
        );
        writers.push(tokio::spawn(async move {
            for i in 0..100_000 {
                let n = i * 4 + w;
                let res = client
                    .post(format!("{base}/api/v1/orders"))
                    .bearer_auth(&key)
                    .header("idempotency-key", format!("k9-{n}"))
                    .json(&body(n))
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status() == 201 => {
                        let v: serde_json::Value = match r.json().await {
                            Ok(v) => v,
                            Err(_) => return,
                        };
                        acked
                            .lock()
                            .unwrap()
                            .push((n, v["order_id"].as_i64().unwrap()));
                    }
                    Ok(r) => panic!(
                        "order refused: {} {}",
                        r.status(),
                        r.text().await.unwrap_or_default()
                    ),
                    Err(_) => return,
                }
            }
        }));
    }
    let start = std::time::Instant::now();
    while acked.lock().unwrap().len() < 150 && start.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill9();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 150,
        "only {} orders before the kill",
        acked.len()
    );
    let store = ddhub_store::Store::connect(&ddhub_store::StoreOptions::new(
        database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", data.join("ddhub.sqlite").display())),
    ))
    .await
    .unwrap();
    assert!(store.integrity_check().await.unwrap());
    store.close().await.unwrap();
    let server = Server::start_with(ddhub(&data).arg("serve"));
    server.wait_ready(&client).await;
    for (n, order_id) in &acked {
        // The order is there, and its key replays it rather than making another.
        let got = client
            .get(format!("{}/api/v1/orders/{order_id}", server.base))
            .bearer_auth(&pkey)
            .send()
            .await
            .unwrap();
        assert_eq!(got.status(), 200, "acknowledged order {order_id} lost");
        let replay = client
            .post(format!("{}/api/v1/orders", server.base))
            .bearer_auth(&pkey)
            .header("idempotency-key", format!("k9-{n}"))
            .json(&body(*n))
            .send()
            .await
            .unwrap();
        assert_eq!(replay.status(), 201);
        let v: serde_json::Value = replay.json().await.unwrap();
        assert_eq!(
            v["order_id"].as_i64(),
            Some(*order_id),
            "key k9-{n} made a second order"
        );
    }
    eprintln!(
        "{}: {} acknowledged orders, all present exactly once after kill -9",
        if database_url.is_some() {
            "postgres"
        } else {
            "sqlite"
        },
        acked.len()
    );
}
