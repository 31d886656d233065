//! Buyer ordering in headless Chromium (issue 21): `tests/browser/buyer.mjs` signs a buyer up
//! on the demo storefront, has the operator approve it (an operator key made by `ddhub
//! operator add`), orders two styles of two wholesalers and reads their answers, at 390×844
//! and 1280×800. Skips, saying why, without Chromium or playwright-core unless
//! `DDHUB_REQUIRE_BROWSER=1`. Screenshots go to `target/browser-artifacts/buyer/`.

use crate::browser::{free_port, missing_tools, workspace};
use crate::{Server, client, ddhub};
use std::path::PathBuf;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_orders_from_two_wholesalers_in_headless_chromium() {
    let root = workspace();
    let browser_dir = root.join("tests/browser");
    let chromium = PathBuf::from(
        std::env::var("DDHUB_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
    );
    if let Some(why) = missing_tools(&chromium, &browser_dir) {
        assert!(
            std::env::var("DDHUB_REQUIRE_BROWSER").is_err(),
            "DDHUB_REQUIRE_BROWSER is set but {why}"
        );
        eprintln!("skipped: {why}");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let demo = ddhub(&data).args(["demo", "--no-serve"]).output().unwrap();
    assert!(
        demo.status.success(),
        "ddhub demo failed: {}",
        String::from_utf8_lossy(&demo.stderr)
    );
    // The operator's key, made the way an operator makes one.
    let op = ddhub(&data)
        .args(["operator", "add", "--name", "Hub desk", "--json"])
        .output()
        .unwrap();
    assert!(
        op.status.success(),
        "{}",
        String::from_utf8_lossy(&op.stderr)
    );
    let op: serde_json::Value = serde_json::from_slice(&op.stdout).unwrap();
    let operator_key = op["key"].as_str().unwrap().to_string();
    // Each demo wholesaler's key by its id (the keys file names them; the CLI gives the ids).
    let keys = std::fs::read_to_string(data.join("demo-keys.txt")).unwrap();
    let list = ddhub(&data)
        .args(["wholesaler", "list", "--json"])
        .output()
        .unwrap();
    let list: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    let mut wholesaler_keys = serde_json::Map::new();
    for w in &list {
        let name = w["name"].as_str().unwrap();
        if let Some(key) = keys
            .lines()
            .find_map(|l| l.strip_prefix(&format!("wholesaler\t{name}\t")))
        {
            wholesaler_keys.insert(w["id"].to_string(), key.into());
        }
    }
    assert!(wholesaler_keys.len() >= 2, "demo wholesalers: {keys}");
    let port = free_port();
    let server = Server::start_with(
        ddhub(&data)
            .arg("serve")
            .env("DDHUB_LISTEN", format!("127.0.0.1:{port}")),
    );
    let http = client();
    server.wait_ready(&http).await;
    // The listings of at least two wholesalers become searchable in the server's workers.
    let start = std::time::Instant::now();
    loop {
        let r: serde_json::Value = http
            .get(format!(
                "{}/api/v1/search?locale=ja&currency=JPY&per_page=60",
                server.base
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap_or_default();
        let mut ids: Vec<i64> = r["hits"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|h| h["wholesaler"]["id"].as_i64())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() >= 2 {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(180),
            "the demo listings never became searchable: {r}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    let artifacts = target.join("browser-artifacts/buyer");
    let _ = std::fs::remove_dir_all(&artifacts);
    let run = Command::new("node")
        .arg(browser_dir.join("buyer.mjs"))
        .current_dir(&browser_dir)
        .env("DDHUB_URL", &server.base)
        .env("DDHUB_OPERATOR_KEY", &operator_key)
        .env(
            "DDHUB_WHOLESALER_KEYS",
            serde_json::Value::Object(wholesaler_keys).to_string(),
        )
        .env("DDHUB_ARTIFACTS", &artifacts)
        .env("DDHUB_CHROMIUM", &chromium)
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&run.stdout));
    eprintln!("{}", String::from_utf8_lossy(&run.stderr));
    assert!(
        run.status.success(),
        "the buyer scenario failed (see above)"
    );
    let shots = std::fs::read_dir(&artifacts).unwrap().count();
    // Seven pages (sign-up, code, pending, two pickers, cart, answered orders), each at two widths.
    assert!(
        shots >= 14,
        "expected two screenshots per step, found {shots}"
    );
}
