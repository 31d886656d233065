//! docs/partners.md, followed as an integrator would (issue 22): on a fresh `ddhub demo`, the
//! guide's own order body (read from the document, not copied here) succeeds on the first try
//! with the partner's key, and the test-mode section's flow works with the test key.

use crate::{Server, ddhub};
use serde_json::Value;

/// The JSON after `-d '` of the first curl in the section headed `heading`.
fn curl_body(doc: &str, heading: &str) -> Value {
    let section = doc
        .split("\n## ")
        .find(|s| s.starts_with(heading))
        .unwrap_or_else(|| panic!("docs/partners.md has no section {heading:?}"));
    let start = section.find("-d '").expect("a curl with a body") + 4;
    let len = section[start..]
        .find('\'')
        .expect("the body's closing quote");
    serde_json::from_str(&section[start..start + len])
        .unwrap_or_else(|e| panic!("the guide's body in {heading:?} is not JSON: {e}"))
}

fn demo_key(data: &std::path::Path, kind: &str) -> String {
    std::fs::read_to_string(data.join("demo-keys.txt"))
        .unwrap()
        .lines()
        .find_map(|l| {
            let mut p = l.split('\t');
            (p.next() == Some(kind)).then(|| p.nth(1).unwrap_or("").to_string())
        })
        .unwrap_or_else(|| panic!("no {kind} key in demo-keys.txt"))
}

#[tokio::test]
async fn the_guides_first_order_succeeds_first_try_and_test_mode_runs_its_flow() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/partners.md"
    ))
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let demo = ddhub(&data).args(["demo", "--no-serve"]).output().unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let live = demo_key(&data, "partner");
    let test = demo_key(&data, "partner_test");
    assert!(test.starts_with("ddh_pt_"), "{test}");
    let server = Server::start(&data);
    let client = crate::client();
    server.wait_ready(&client).await;
    let order = curl_body(&doc, "3. Place an order");
    let place = |key: &str, idem: &str, body: &Value| {
        client
            .post(format!("{}/api/v1/orders", server.base))
            .bearer_auth(key)
            .header("idempotency-key", idem)
            .json(body)
            .send()
    };
    // The guide's order, as written, with the live key: 201 on the first call.
    let res = place(&live, "guide-1", &order).await.unwrap();
    let (status, mode) = (res.status(), res.headers()["ddhub-mode"].clone());
    let placed: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "the guide's order failed: {placed}");
    assert_eq!(
        (placed["mode"].as_str(), mode.to_str().unwrap()),
        (Some("live"), "live")
    );

    // The same body with the test key: a test order, which the test helper answers.
    let res = place(&test, "guide-t1", &order).await.unwrap();
    assert_eq!(res.headers()["ddhub-mode"], "test");
    let t: Value = res.json().await.unwrap();
    assert_eq!(t["mode"], "test", "{t}");
    let mut answers = curl_body(&doc, "7. Test mode");
    answers["lines"][0]["line_id"] = t["lines"][0]["line_id"].clone();
    // The guide's example date may have passed: a backorder is due from today in Seoul on.
    let later = ddhub_orders::date::seoul_today()
        .plus_days(14)
        .unwrap()
        .to_string();
    answers["lines"][0]["expected_date"] = later.into();
    let res = client
        .post(format!(
            "{}/api/v1/test_helpers/orders/{}/answers",
            server.base, t["order_id"]
        ))
        .bearer_auth(&test)
        .json(&answers)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let answered: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{answered}");
    assert_eq!(answered["lines"][0]["state"], "backorder", "{answered}");
    // The live key cannot use the helper.
    let res = client
        .post(format!(
            "{}/api/v1/test_helpers/orders/{}/answers",
            server.base, placed["order_id"]
        ))
        .bearer_auth(&live)
        .json(&answers)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}
