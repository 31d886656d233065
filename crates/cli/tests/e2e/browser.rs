//! The storefront and the console in headless Chromium: `tests/browser/run.mjs` (playwright-core,
//! pinned by its package-lock.json) drives the real `ddhub serve` over the demo data. Screenshots
//! of each step go to `target/browser-artifacts/`.
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
    let artifacts = target.join("browser-artifacts");
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
