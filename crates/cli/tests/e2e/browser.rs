//! The storefront and the console in headless Chromium: `tests/browser/run.mjs` (playwright-core,
//! pinned by its package-lock.json) drives the real `ddhub serve` over the demo data. Screenshots
//! of each step go to `target/browser-artifacts/storefront/`.
//!
//! Needs Debian's `chromium`, Node and `npm ci` in tests/browser (scripts/install-deps.sh
//! installs all three); without them the test says why and skips, unless
//! `DDHUB_REQUIRE_BROWSER=1` (set by CI), where a missing browser is a failure.

use crate::{Server, client, ddhub};
use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Why the browser test cannot run here, if it cannot.
pub(crate) fn missing_tools(chromium: &Path, browser_dir: &Path) -> Option<String> {
    if !chromium.exists() {
        return Some(format!(
            "{} not found (apt-get install chromium; scripts/install-deps.sh does)",
            chromium.display()
        ));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node not found".into());
    }
    if !browser_dir.join("node_modules/playwright-core").exists() {
        return Some(format!(
            "playwright-core not installed (npm ci --prefix {}; scripts/install-deps.sh does)",
            browser_dir.display()
        ));
    }
    None
}

pub(crate) fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storefront_and_console_in_headless_chromium() {
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
    // The demo data, loaded without serving; then the real server on a known port, so that
    // the media URLs in the pages (public_url) reach it.
    let demo = ddhub(&data).args(["demo", "--no-serve"]).output().unwrap();
    assert!(
        demo.status.success(),
        "ddhub demo failed: {}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let keys = std::fs::read_to_string(data.join("demo-keys.txt")).unwrap();
    let key_of = |kind: &str| {
        keys.lines()
            .filter(|l| !l.starts_with('#'))
            .find_map(|l| {
                let mut p = l.split('\t');
                (p.next() == Some(kind)).then(|| (p.next().unwrap_or(""), p.next().unwrap_or("")))
            })
            .map(|(_, k)| k.to_string())
            .unwrap()
    };
    let wholesaler_key = keys
        .lines()
        .find_map(|l| l.strip_prefix("wholesaler\t미소니트\t"))
        .map(str::to_string)
        .unwrap_or_else(|| key_of("wholesaler"));
    let partner_key = key_of("partner");
    let port = free_port();
    let server = Server::start_with(
        ddhub(&data)
            .arg("serve")
            .env("DDHUB_LISTEN", format!("127.0.0.1:{port}")),
    );
    let http = client();
    server.wait_ready(&http).await;
    // The listing jobs (translations, search index, photos) run in the server's workers.
    // Styles without a photo in the sheet keep none: wait until the count of thumbnails holds.
    let start = std::time::Instant::now();
    let mut last_thumbnails = 0;
    loop {
        let r: serde_json::Value = http
            .get(format!(
                "{}/api/v1/search?q=%E3%83%8B%E3%83%83%E3%83%88&locale=ja&currency=JPY",
                server.base
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap_or_default();
        let hits = r["hits"].as_array().cloned().unwrap_or_default();
        let thumbnails = hits
            .iter()
            .filter(|h| h["thumbnail_url"].is_string())
            .count();
        if thumbnails > 0 && thumbnails == last_thumbnails {
            break;
        }
        last_thumbnails = thumbnails;
        assert!(
            start.elapsed() < std::time::Duration::from_secs(180),
            "the demo listings never became searchable with photos: {r}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    // Its own folder: the other browser tests run beside it and keep theirs in siblings.
    let artifacts = target.join("browser-artifacts/storefront");
    let _ = std::fs::remove_dir_all(&artifacts);
    let run = Command::new("node")
        .arg(browser_dir.join("run.mjs"))
        .current_dir(&browser_dir)
        .env("DDHUB_URL", &server.base)
        .env("DDHUB_WHOLESALER_KEY", &wholesaler_key)
        .env("DDHUB_PARTNER_KEY", &partner_key)
        .env("DDHUB_SHEET", root.join("demo/misonit-catalog-cp949.csv"))
        .env("DDHUB_ARTIFACTS", &artifacts)
        .env("DDHUB_CHROMIUM", &chromium)
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&run.stdout));
    eprintln!("{}", String::from_utf8_lossy(&run.stderr));
    assert!(
        run.status.success(),
        "the browser scenarios failed (see above)"
    );
    let shots = std::fs::read_dir(&artifacts).unwrap().count();
    assert!(shots >= 8, "expected a screenshot per step, found {shots}");
}

/// The operator pages (`/ops`, issue 17) in headless Chromium: `tests/browser/ops.mjs` signs in
/// with a key from `ddhub operator add --json`, receives the demo partner's order with a short
/// count, builds, packs, quotes and ships it, and opens the papers; screenshots at 390x844 and
/// 1280x800 go to `target/browser-artifacts/ops/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_pages_in_headless_chromium() {
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
    let added = ddhub(&data)
        .args(["operator", "add", "--name", "야간조", "--json"])
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "ddhub operator add failed: {}",
        String::from_utf8_lossy(&added.stderr)
    );
    let operator: serde_json::Value = serde_json::from_slice(&added.stdout).unwrap();
    let operator_key = operator["key"].as_str().unwrap().to_string();
    let keys = std::fs::read_to_string(data.join("demo-keys.txt")).unwrap();
    let of_kind = |kind: &str| -> Vec<String> {
        keys.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let p: Vec<&str> = l.split('\t').collect();
                (p.first() == Some(&kind) && p.len() >= 3).then(|| p[2].to_string())
            })
            .collect()
    };
    let wholesaler_keys = of_kind("wholesaler");
    assert!(wholesaler_keys.len() >= 2, "the demo has two wholesalers");
    let partner_key = of_kind("partner").remove(0);
    let port = free_port();
    let server = Server::start_with(
        ddhub(&data)
            .arg("serve")
            .env("DDHUB_LISTEN", format!("127.0.0.1:{port}")),
    );
    let http = client();
    server.wait_ready(&http).await;
    // The demo styles become orderable once the server's workers have listed them.
    let start = std::time::Instant::now();
    loop {
        let r: serde_json::Value = http
            .get(format!(
                "{}/api/v1/search?locale=ja&currency=JPY",
                server.base
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap_or_default();
        if r["total"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(180),
            "the demo listings never became searchable: {r}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    let artifacts = target.join("browser-artifacts/ops");
    let _ = std::fs::remove_dir_all(&artifacts);
    let run = Command::new("node")
        .arg(browser_dir.join("ops.mjs"))
        .current_dir(&browser_dir)
        .env("DDHUB_URL", &server.base)
        .env("DDHUB_OPERATOR_KEY", &operator_key)
        .env("DDHUB_PARTNER_KEY", &partner_key)
        .env("DDHUB_WHOLESALER_KEYS", wholesaler_keys.join(","))
        .env("DDHUB_ARTIFACTS", &artifacts)
        .env("DDHUB_CHROMIUM", &chromium)
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&run.stdout));
    eprintln!("{}", String::from_utf8_lossy(&run.stderr));
    assert!(
        run.status.success(),
        "the operator page scenario failed (see above)"
    );
    let shots = std::fs::read_dir(&artifacts)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|f| f.file_name().to_string_lossy().ends_with(".png"))
        .count();
    assert!(
        shots >= 14,
        "expected two screenshots per step, found {shots}"
    );
}
