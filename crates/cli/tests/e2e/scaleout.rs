//! The scale-out proof: two `ddhub serve --no-workers` and two `ddhub worker` processes on one
//! PostgreSQL database and one shared data dir. An upload through server A is processed by the
//! workers, becomes searchable through server B (the embedded index: A or B holds its writer
//! lease, the other reads it), each job runs exactly once, and each webhook event reaches the
//! partner exactly once, signed. Runs when DDHUB_TEST_POSTGRES_URL is set.

use crate::Server;
use serde_json::Value;
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A `ddhub worker` process, killed when dropped.
struct Worker {
    child: Child,
    metrics: String,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What the fake partner received: webhook-id → deliveries, and signature failures.
#[derive(Default)]
struct Received {
    by_id: HashMap<String, u32>,
    bad: Vec<String>,
}

/// A partner's webhook receiver, checking the Standard Webhooks headers and signature.
async fn receiver(secret: Arc<OnceLock<String>>, got: Arc<Mutex<Received>>) -> String {
    use axum::body::Bytes;
    use axum::http::HeaderMap;
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (secret, got) = (secret.clone(), got.clone());
            async move {
                let h = |n: &str| {
                    headers
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string()
                };
                let (id, ts, sig) = (
                    h("webhook-id"),
                    h("webhook-timestamp"),
                    h("webhook-signature"),
                );
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs() as i64;
                let verified = secret
                    .get()
                    .map(|s| {
                        let key = ddhub_orders::webhook::WebhookSecret::parse(s).unwrap();
                        ddhub_orders::webhook::verify(&key, &id, &ts, &sig, &body, now).is_ok()
                    })
                    .unwrap_or(false);
                let mut g = got.lock().unwrap();
                if verified && serde_json::from_slice::<Value>(&body).is_ok() {
                    *g.by_id.entry(id).or_default() += 1;
                } else {
                    g.bad.push(id);
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/hook")
}

async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn json(r: reqwest::RequestBuilder) -> Value {
    let res = r.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap()
}

fn metric_sum(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .filter(|l| labels.iter().all(|x| l.contains(x)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_and_two_workers_share_one_postgres_and_data_dir() {
    let Some(url) = ddhub_testkit::testing::postgres_url("scaleout").await else {
        eprintln!(
            "skipped: DDHUB_TEST_POSTGRES_URL not set (the scale-out proof needs PostgreSQL)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("shared");
    let fleet = |args: &[&str]| -> Command {
        let mut c = crate::ddhub(&data);
        c.env("DDHUB_DATABASE_URL", &url)
            .env("DDHUB_WEBHOOKS_ALLOW_PRIVATE", "true")
            .env("DDHUB_WORKER_CONCURRENCY", "2")
            .args(args);
        c
    };
    let run = |args: &[&str]| -> String {
        let out = fleet(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["migrate"]);
    let w: Value = serde_json::from_str(&run(&[
        "wholesaler",
        "add",
        "--name",
        "스케일",
        "--building",
        "APM",
        "--floor",
        "1",
        "--unit",
        "1",
        "--json",
    ]))
    .unwrap();
    let p: Value = serde_json::from_str(&run(&[
        "partner",
        "add",
        "--name",
        "Scale",
        "--locale",
        "ja",
        "--currency",
        "JPY",
        "--json",
    ]))
    .unwrap();
    run(&["rates", "set", "JPY", "0.108"]);
    let (wkey, pkey, wid) = (
        w["key"].as_str().unwrap().to_string(),
        p["key"].as_str().unwrap().to_string(),
        w["id"].as_i64().unwrap(),
    );

    // The demo's sample sheet and photo ZIP, made by the demo in a scratch SQLite dir.
    let scratch = tmp.path().join("scratch");
    let out = crate::ddhub(&scratch)
        .args(["demo", "--no-serve"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sheet = std::fs::read(scratch.join("demo-catalog/misonit-catalog-cp949.csv")).unwrap();
    let photos = std::fs::read(scratch.join("demo-catalog/misonit-photos.zip")).unwrap();

    let a = Server::start_with(&mut fleet(&["serve", "--no-workers"]));
    let b = Server::start_with(&mut fleet(&["serve", "--no-workers"]));
    let client = crate::client();
    a.wait_ready(&client).await;
    b.wait_ready(&client).await;
    let workers: Vec<Worker> = (0..2)
        .map(|_| {
            let port = free_port();
            let child = fleet(&["worker"])
                .env("DDHUB_METRICS_LISTEN", format!("127.0.0.1:{port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap();
            Worker {
                child,
                metrics: format!("http://127.0.0.1:{port}/metrics"),
            }
        })
        .collect();

    // The partner's endpoint, set through server B.
    let secret = Arc::new(OnceLock::new());
    let got = Arc::new(Mutex::new(Received::default()));
    let hook = receiver(secret.clone(), got.clone()).await;
    let set = json(
        client
            .put(format!("{}/api/v1/webhooks/endpoint", b.base))
            .bearer_auth(&pkey)
            .json(&serde_json::json!({ "url": hook })),
    )
    .await;
    secret
        .set(set["secret"].as_str().unwrap().to_string())
        .unwrap();

    // The upload goes in through server A.
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(sheet).file_name("misonit-catalog-cp949.csv"),
        )
        .part(
            "photos",
            reqwest::multipart::Part::bytes(photos).file_name("misonit-photos.zip"),
        );
    let up = json(
        client
            .post(format!("{}/api/v1/catalog/uploads", a.base))
            .bearer_auth(&wkey)
            .multipart(form),
    )
    .await;
    let upload_id = up["upload_id"].as_i64().unwrap();
    let started = Instant::now();
    let (c, bb, k) = (client.clone(), b.base.clone(), wkey.clone());
    wait_until("the upload, through B", Duration::from_secs(120), || {
        let (c, bb, k) = (c.clone(), bb.clone(), k.clone());
        async move {
            let v = json(
                c.get(format!("{bb}/api/v1/catalog/uploads/{upload_id}"))
                    .bearer_auth(&k),
            )
            .await;
            assert_ne!(v["state"], "failed", "{v}");
            v["state"] == "done"
        }
    })
    .await;
    let styles = json(
        client
            .get(format!("{}/api/v1/styles?per_page=200", b.base))
            .bearer_auth(&wkey),
    )
    .await;
    let styles = styles["styles"].as_array().unwrap().clone();
    assert!(!styles.is_empty());
    let kn = styles
        .iter()
        .find(|s| s["style_code"] == "KN-2042")
        .expect("KN-2042 ingested")
        .clone();
    let kn_id = kn["id"].as_i64().unwrap();

    // Searchable through B (whichever server writes the index, B answers from it).
    let title = kn["title_ko"].as_str().unwrap().to_string();
    let (c, bb) = (client.clone(), b.base.clone());
    wait_until(
        "KN-2042 searchable through B",
        Duration::from_secs(120),
        || {
            let (c, bb, title) = (c.clone(), bb.clone(), title.clone());
            async move {
                let v = json(c.get(format!("{bb}/api/v1/search")).query(&[
                    ("q", title.as_str()),
                    ("locale", "ko"),
                    ("currency", "KRW"),
                    ("wholesaler", &wid.to_string()),
                ]))
                .await;
                v["hits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|h| h["style_id"].as_i64() == Some(kn_id))
            }
        },
    )
    .await;
    eprintln!(
        "upload through A searchable through B after {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Orders through B: five, and a retry of the first with its key (no second order).
    let style = json(
        client
            .get(format!("{}/api/v1/styles/{kn_id}", a.base))
            .bearer_auth(&wkey),
    )
    .await;
    let sku = style["skus"][0]["id"].as_i64().unwrap();
    let moq = style["moq"].as_i64().unwrap().max(1);
    let price = crate::backup::partner_price(&client, &b.base, &pkey, sku, moq).await;
    let mut order_ids = Vec::new();
    for n in [0, 1, 2, 3, 4, 0] {
        let v = json(
            client
                .post(format!("{}/api/v1/orders", b.base))
                .bearer_auth(&pkey)
                .header("idempotency-key", format!("scale-{n}"))
                .json(&serde_json::json!({
                    "partner_order_id": format!("SC-{n}"), "currency": "JPY",
                    "lines": [{"sku_id": sku, "quantity": moq, "unit_price": price}],
                    "ship_to": {"name": "Scale", "country": "JP", "address_lines": ["1-1"],
                                "postal_code": "100-0001", "phone": "+81 3 0000 0000"}
                })),
        )
        .await;
        order_ids.push(v["order_id"].as_i64().unwrap());
    }
    assert_eq!(
        order_ids[0], order_ids[5],
        "the retried key answers the same order"
    );

    // Every job done; then compare with the database.
    let opts = ddhub_store::StoreOptions::new(url.clone());
    let store = ddhub_store::Store::connect(&opts).await.unwrap();
    let queue = ddhub_store::jobs::JobQueue::new(store.clone());
    wait_until("every job done", Duration::from_secs(180), || {
        let queue = queue.clone();
        async move {
            queue
                .depth()
                .await
                .unwrap()
                .iter()
                .all(|d| d.count == 0 || d.state == "dead")
        }
    })
    .await;
    let depth = queue.depth().await.unwrap();
    assert!(depth.iter().all(|d| d.count == 0), "dead jobs: {depth:?}");
    use sqlx::Row;
    let mut pg = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let jobs = sqlx::query("SELECT kind, state, attempts FROM jobs")
        .fetch_all(&mut pg)
        .await
        .unwrap();
    let mut by_kind: HashMap<String, u64> = HashMap::new();
    for j in &jobs {
        let (kind, state, attempts): (String, String, i32) =
            (j.get("kind"), j.get("state"), j.get("attempts"));
        assert_eq!(
            (state.as_str(), attempts),
            ("done", 1),
            "a {kind} job ran other than exactly once"
        );
        *by_kind.entry(kind).or_default() += 1;
    }
    for kind in [
        "catalog.upload",
        "photo.normalise",
        "style.changed",
        "webhook.deliver",
    ] {
        assert!(
            by_kind.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} job: {by_kind:?}"
        );
    }
    // The workers' own counts of photo jobs add up to the jobs there were: none ran twice,
    // none ran in a server.
    let mut photo_runs = Vec::new();
    for w in &workers {
        let text = client
            .get(&w.metrics)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        photo_runs.push(metric_sum(
            &text,
            "ddhub_jobs_finished_total",
            &["kind=\"photo.normalise\"", "outcome=\"done\""],
        ));
    }
    assert_eq!(
        photo_runs.iter().sum::<f64>() as u64,
        by_kind["photo.normalise"],
        "photo jobs per worker {photo_runs:?}"
    );
    eprintln!("jobs by kind {by_kind:?}; photo jobs per worker {photo_runs:?}");

    // Webhooks: each delivery row reached the partner once, signed.
    let deliveries: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE state = 'delivered'")
            .fetch_one(&mut pg)
            .await
            .unwrap()
            .get("n");
    let all: i64 = sqlx::query("SELECT COUNT(*) AS n FROM webhook_deliveries")
        .fetch_one(&mut pg)
        .await
        .unwrap()
        .get("n");
    assert_eq!(deliveries, all, "every delivery delivered");
    assert!(all >= 5, "one event per new order at least: {all}");
    let (bad, by_id) = {
        let g = got.lock().unwrap();
        (g.bad.clone(), g.by_id.clone())
    };
    assert!(
        bad.is_empty(),
        "unsigned or badly signed deliveries: {:?}",
        bad
    );
    assert_eq!(by_id.len() as i64, all, "one webhook-id per delivery");
    let dup: Vec<_> = by_id.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dup.is_empty(), "duplicate deliveries: {dup:?}");
    store.close().await.unwrap();
    drop(workers);
    drop((a, b));
}
