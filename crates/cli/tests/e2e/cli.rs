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
    let text = String::from_utf8_lossy(&second.stdout);
    assert!(text.contains("0 styles written"), "{text}");
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
