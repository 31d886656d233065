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
