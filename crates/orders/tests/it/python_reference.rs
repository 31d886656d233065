//! Signatures checked by the reference Python implementation (`standardwebhooks` on PyPI)
//! through `tests/standardwebhooks_verify.py`. Runs when `DDHUB_STANDARDWEBHOOKS_PYTHON` names
//! a Python that has the package (CI sets it); otherwise it says it skipped.

use ddhub_domain::Timestamp;
use ddhub_orders::webhook::signing::{WebhookSecret, sign};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::process::Command;

fn python() -> Option<String> {
    std::env::var("DDHUB_STANDARDWEBHOOKS_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
}

fn verify_with_python(py: &str, secret: &str, id: &str, ts: i64, body: &str, sig: &str) -> i32 {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/standardwebhooks_verify.py"
    );
    let out = Command::new(py)
        .args([script, secret, id, &ts.to_string(), body, sig])
        .output()
        .expect("run the python verifier");
    out.status.code().unwrap_or(-1)
}

#[test]
fn python_standardwebhooks_verifies_our_signatures() {
    let Some(py) = python() else {
        eprintln!("skipped: set DDHUB_STANDARDWEBHOOKS_PYTHON to a python with standardwebhooks");
        return;
    };
    let mut rng = StdRng::seed_from_u64(2026);
    for i in 0..3 {
        let secret = WebhookSecret::generate(&mut rng);
        let text = secret.expose();
        let now = Timestamp::now().millis() / 1000;
        let id = format!("evt_{i}");
        let body = format!(
            r#"{{"type":"order.shipped","timestamp":"2026-11-27T09:00:00.000Z","data":{{"order_id":{i},"note":"한글 ✓"}}}}"#
        );
        let sig = sign(&secret, &id, now, body.as_bytes());
        assert_eq!(
            verify_with_python(&py, &text, &id, now, &body, &sig),
            0,
            "valid"
        );
        let tampered = body.replace("shipped", "delivered");
        assert_eq!(
            verify_with_python(&py, &text, &id, now, &tampered, &sig),
            1,
            "body"
        );
        assert_eq!(
            verify_with_python(&py, &text, "evt_x", now, &body, &sig),
            1,
            "id"
        );
        let stale = now - 600;
        let stale_sig = sign(&secret, &id, stale, body.as_bytes());
        assert_eq!(
            verify_with_python(&py, &text, &id, stale, &body, &stale_sig),
            1,
            "stale"
        );
    }
    // The spec's own vector, with a fresh timestamp.
    let secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let now = Timestamp::now().millis() / 1000;
    let body = r#"{"email":"test@example.com","username":"test_user"}"#;
    let sig = sign(
        &WebhookSecret::parse(secret).unwrap(),
        "msg_1",
        now,
        body.as_bytes(),
    );
    assert_eq!(verify_with_python(&py, secret, "msg_1", now, body, &sig), 0);
}
