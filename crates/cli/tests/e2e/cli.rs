use crate::ddhub;
use serde_json::Value;

fn run_json(cmd: &mut std::process::Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn admin_commands_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let out = ddhub(&d).arg("migrate").output().unwrap();
    assert!(out.status.success());
    let out = ddhub(&d).arg("migrate").output().unwrap();
    assert!(out.status.success(), "a second migrate is a no-op");
    let w = run_json(ddhub(&d).args([
        "wholesaler",
        "add",
        "--name",
        "미소니트",
        "--building",
        "청평화",
        "--floor",
        "2",
        "--unit",
        "B-12",
        "--json",
    ]));
    assert!(w["id"].as_i64().unwrap() > 0);
    assert!(w["key"].as_str().unwrap().starts_with("ddh_w_"));
    let p = run_json(ddhub(&d).args([
        "partner",
        "add",
        "--name",
        "Tokyo Select",
        "--locale",
        "ja",
        "--currency",
        "JPY",
        "--markup",
        "15",
        "--json",
    ]));
    assert!(p["key"].as_str().unwrap().starts_with("ddh_p_"));
    let list = run_json(ddhub(&d).args(["wholesaler", "list", "--json"]));
    assert_eq!(list[0]["name"], "미소니트");
    assert_eq!(list[0]["location"]["building"], "청평화");
    let list = run_json(ddhub(&d).args(["partner", "list", "--json"]));
    assert_eq!(list[0]["currency"], "JPY");
    assert_eq!(list[0]["markup_bp"], 1500);
    // A duplicate partner name, a bad locale and a bad currency are the user's to fix: exit 2.
    for args in [
        vec![
            "partner",
            "add",
            "--name",
            "Tokyo Select",
            "--locale",
            "ja",
            "--currency",
            "JPY",
        ],
        vec![
            "partner",
            "add",
            "--name",
            "X",
            "--locale",
            "fr",
            "--currency",
            "JPY",
        ],
        vec![
            "partner",
            "add",
            "--name",
            "X",
            "--locale",
            "ja",
            "--currency",
            "XYZ",
        ],
        vec![
            "wholesaler",
            "add",
            "--name",
            " ",
            "--building",
            "b",
            "--floor",
            "1",
            "--unit",
            "u",
        ],
        vec!["key", "revoke", "000000000000"],
    ] {
        let out = ddhub(&d).args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let key_id = w["key_id"].as_str().unwrap();
    assert!(
        ddhub(&d)
            .args(["key", "revoke", key_id])
            .output()
            .unwrap()
            .status
            .success()
    );
    assert!(
        ddhub(&d)
            .args(["rates", "set", "JPY", "0.108"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let rates = run_json(ddhub(&d).args(["rates", "list", "--json"]));
    assert_eq!(rates[0]["per_krw"], "0.108");
    // Import: all or nothing.
    let csv = tmp.path().join("rates.csv");
    std::fs::write(&csv, "currency,rate\nUSD,0.00072\nTHB,0.025\n").unwrap();
    assert!(
        ddhub(&d)
            .args(["rates", "import"])
            .arg(&csv)
            .output()
            .unwrap()
            .status
            .success()
    );
    std::fs::write(&csv, "EUR,0.00066\nXXX,1\n").unwrap();
    assert_eq!(
        ddhub(&d)
            .args(["rates", "import"])
            .arg(&csv)
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    let rates = run_json(ddhub(&d).args(["rates", "list", "--json"]));
    let codes: Vec<&str> = rates
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["currency"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["JPY", "THB", "USD"], "a bad line sets nothing");
    let v = ddhub(&d).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&v.stdout).starts_with("ddhub "));
    for sub in [
        "serve",
        "worker",
        "migrate",
        "demo",
        "wholesaler",
        "partner",
        "key",
        "rates",
    ] {
        let h = ddhub(&d).args([sub, "--help"]).output().unwrap();
        assert!(h.status.success(), "{sub} --help");
    }
}

#[test]
fn demo_is_idempotent_and_keeps_its_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("demo");
    let first = ddhub(&d).args(["demo", "--no-serve"]).output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let keys1 = std::fs::read_to_string(d.join("demo-keys.txt")).unwrap();
    let second = ddhub(&d).args(["demo", "--no-serve"]).output().unwrap();
    assert!(second.status.success());
    let keys2 = std::fs::read_to_string(d.join("demo-keys.txt")).unwrap();
    assert_eq!(keys1, keys2);
    assert_eq!(keys1.matches("ddh_w_").count(), 2);
    assert_eq!(keys1.matches("ddh_p_").count(), 1);
    assert_eq!(
        keys1.matches("ddh_pt_").count(),
        1,
        "the demo partner's test key"
    );
    let text = String::from_utf8_lossy(&second.stdout);
    assert!(
        text.contains(
            "misonit-catalog-cp949.csv: 10 rows, 0 styles created, 8 unchanged, 2 errors"
        ),
        "{text}"
    );
    assert!(
        text.contains("dailylook-catalog.xlsx: 8 rows, 0 styles created, 6 unchanged, 2 errors"),
        "{text}"
    );
    // The database holds hashes, not keys.
    let db = std::fs::read(d.join("ddhub.sqlite")).unwrap();
    let wal = std::fs::read(d.join("ddhub.sqlite-wal")).unwrap_or_default();
    for line in keys1.lines().filter(|l| !l.starts_with('#')) {
        let key = line.split('\t').nth(2).unwrap();
        let secret = key.rsplit('_').next().unwrap();
        for bytes in [&db, &wal] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a secret is stored in clear"
            );
        }
    }
}

#[test]
fn ingest_reports_exit_codes_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let w = run_json(ddhub(&d).args([
        "wholesaler",
        "add",
        "--name",
        "미소니트",
        "--building",
        "청평화",
        "--floor",
        "2",
        "--unit",
        "B-12",
        "--json",
    ]));
    let wid = w["id"].to_string();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../demo/misonit-catalog-cp949.csv");
    let v = run_json(
        ddhub(&d)
            .args(["ingest", "--wholesaler", &wid, "--json"])
            .arg(&sample),
    );
    assert_eq!(
        (
            v["state"].as_str(),
            v["rows"].as_u64(),
            v["styles_created"].as_u64()
        ),
        (Some("done"), Some(10), Some(8)),
        "{v}"
    );
    assert_eq!(v["encoding"], "EUC-KR", "the CP949 sheet is detected");
    let problems = v["problems"].as_array().unwrap();
    let keys = [
        "row",
        "column",
        "value",
        "severity",
        "code",
        "message_ko",
        "message_en",
    ];
    for p in problems {
        for k in keys {
            assert!(p.get(k).is_some(), "problem without {k}: {p}");
        }
    }
    // Row 10 is KN-2049 (no price), row 11 KN-2050 (an unknown colour): Excel rows, header = 1.
    assert!(
        problems
            .iter()
            .any(|p| p["row"] == 10 && p["column"] == "도매가" && p["severity"] == "error"),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p["row"] == 11 && p["column"] == "색상" && p["value"] == "무지개빛"),
        "{problems:?}"
    );
    for key in [
        "upload_id",
        "styles_updated",
        "styles_unchanged",
        "styles_archived",
        "skus",
        "photos_matched",
        "photos_missing",
        "photos_unmatched",
    ] {
        assert!(v.get(key).is_some(), "--json lacks {key}");
    }
    // Same sheet again: nothing changes.
    let again = run_json(
        ddhub(&d)
            .args(["ingest", "--wholesaler", &wid, "--json"])
            .arg(&sample),
    );
    assert_eq!(
        (
            again["styles_created"].as_u64(),
            again["styles_unchanged"].as_u64()
        ),
        (Some(0), Some(8))
    );
    // A file that cannot be read at all: exit 1.
    let broken = tmp.path().join("broken.xlsx");
    std::fs::write(&broken, b"PK\x03\x04 not really a workbook").unwrap();
    let out = ddhub(&d)
        .args(["ingest", "--wholesaler", &wid])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A PNG named .xlsx is not a spreadsheet: exit 1, the upload failed, nothing written.
    let png = tmp.path().join("catalog.xlsx");
    std::fs::write(
        &png,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x02",
    )
    .unwrap();
    let out = ddhub(&d)
        .args(["ingest", "--wholesaler", &wid, "--json"])
        .arg(&png)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a PNG named .xlsx");
    let failed: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let text = format!("{failed}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("not_a_spreadsheet"), "{text}");
    if failed.is_object() {
        assert_eq!(failed["state"], "failed", "{failed}");
        assert_eq!(failed["styles_created"], 0, "{failed}");
    }
    // Bad arguments: exit 2.
    for args in [
        vec!["ingest", "--wholesaler", "999"],
        vec!["ingest", "--wholesaler", &wid, "--mode", "wipe"],
    ] {
        let out = ddhub(&d).args(&args).arg(&sample).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = ddhub(&d)
        .args(["ingest", "--wholesaler", &wid, "/nonexistent.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn search_eval_prints_ndcg_per_backend() {
    let tmp = tempfile::tempdir().unwrap();
    let out = ddhub(&tmp.path().join("d"))
        .args(["search", "eval"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("tantivy"))
        .unwrap_or_else(|| panic!("{text}"));
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert!(cols[1].parse::<usize>().unwrap() >= 60, "{line}");
    let ndcg: f64 = cols[2].parse().unwrap();
    assert!(ndcg > 0.0 && ndcg <= 1.0, "{line}");
}

/// A newcomer's first run: `ddhub demo` names the storefront and the console to open, beside
/// the API addresses.
#[test]
fn demo_names_the_pages_to_open() {
    use std::io::{BufRead, BufReader};
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("demo");
    let mut child = ddhub(&d)
        .arg("demo")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let done = line.starts_with("ddhub listening on ");
        seen.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let base = seen
        .last()
        .and_then(|l| l.strip_prefix("ddhub listening on "))
        .expect("demo started listening")
        .to_string();
    let text = seen.join("\n");
    assert!(
        text.contains(&format!("{base}/ ")) && text.contains("storefront"),
        "{text}"
    );
    assert!(text.contains(&format!("{base}/console ")), "{text}");
}

/// A bad environment variable is named as it was set (`DDHUB_LISTEN`), not as figment's key.
#[test]
fn a_bad_environment_variable_is_named_as_typed() {
    let tmp = tempfile::tempdir().unwrap();
    for (var, value) in [
        ("DDHUB_LISTEN", "nonsense"),
        ("DDHUB_SEARCH_RATE_PER_MINUTE", "many"),
        ("DDHUB_TRANSLATE_PROVIDER", "babelfish"),
    ] {
        let out = ddhub(tmp.path())
            .env(var, value)
            .arg("serve")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{var}={value} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(var) && !err.contains("environment variable(s)"),
            "{var}: {err}"
        );
    }
}

#[test]
fn feed_diagnostics_say_why_a_feed_is_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let w = run_json(ddhub(&d).args([
        "wholesaler",
        "add",
        "--name",
        "미소니트",
        "--building",
        "청평화",
        "--floor",
        "2",
        "--unit",
        "B-12",
        "--json",
    ]));
    let wid = w["id"].to_string();
    // The sample sheet names photos, but none were uploaded: every style lacks one.
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../demo/misonit-catalog-cp949.csv");
    run_json(
        ddhub(&d)
            .args(["ingest", "--wholesaler", &wid, "--json"])
            .arg(&sample),
    );
    run_json(ddhub(&d).args([
        "partner",
        "add",
        "--name",
        "Seoul Closet",
        "--locale",
        "en",
        "--currency",
        "USD",
        "--json",
    ]));
    let v = run_json(ddhub(&d).args([
        "feed",
        "diagnostics",
        "--partner",
        "Seoul Closet",
        "--format",
        "shopify-csv",
        "--json",
    ]));
    assert_eq!(
        (v["styles_in"].as_u64(), v["items_out"].as_u64()),
        (Some(8), Some(0)),
        "{v}"
    );
    assert_eq!(v["left_out_by_reason"]["no_photo"], 8, "{v}");
    let codes: Vec<&str> = v["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["style_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 8);
    let out = ddhub(&d)
        .args(["feed", "diagnostics", "--partner", "Seoul Closet"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("format gmc-xml: styles 8 in, 0 out"),
        "{text}"
    );
    assert!(
        text.contains(codes[0]) && text.contains("no_photo"),
        "{text}"
    );
}
