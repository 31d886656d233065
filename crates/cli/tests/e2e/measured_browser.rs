//! Measured sizes on the storefront in headless Chromium (issue 19): `tests/browser/measured.mjs`
//! uploads a sheet with a 실측 column as a demo wholesaler, then reads the style page as an
//! American buyer (cm with inches) and a Japanese one (cm), at 390×844 and 1280×800: the
//! table, the size advice and the delivered price, with no sideways scrolling. Skips, saying
//! why, without Chromium or playwright-core unless `DDHUB_REQUIRE_BROWSER=1`. Screenshots go
//! to `target/browser-artifacts/measured/`.

use crate::browser::{free_port, missing_tools, workspace};
use crate::{Server, client, ddhub};
use std::path::PathBuf;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn measured_sizes_and_delivered_price_in_headless_chromium() {
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
    let keys = std::fs::read_to_string(data.join("demo-keys.txt")).unwrap();
    let wholesaler_key = keys
        .lines()
        .find_map(|l| l.strip_prefix("wholesaler\t미소니트\t"))
        .map(str::to_string)
        .expect("the demo's 미소니트 key");
    let port = free_port();
    let server = Server::start_with(
        ddhub(&data)
            .arg("serve")
            .env("DDHUB_LISTEN", format!("127.0.0.1:{port}")),
    );
    let http = client();
    server.wait_ready(&http).await;
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    let artifacts = target.join("browser-artifacts/measured");
    let _ = std::fs::remove_dir_all(&artifacts);
    let run = Command::new("node")
        .arg(browser_dir.join("measured.mjs"))
        .current_dir(&browser_dir)
        .env("DDHUB_URL", &server.base)
        .env("DDHUB_WHOLESALER_KEY", &wholesaler_key)
        .env("DDHUB_ARTIFACTS", &artifacts)
        .env("DDHUB_CHROMIUM", &chromium)
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&run.stdout));
    eprintln!("{}", String::from_utf8_lossy(&run.stderr));
    assert!(
        run.status.success(),
        "the measured-sizes scenario failed (see above)"
    );
    let shots = std::fs::read_dir(&artifacts).unwrap().count();
    assert_eq!(shots, 4, "two buyers at two widths");
}
