use crate::{Server, ddhub};

#[tokio::test]
async fn serve_starts_on_port_0_answers_readyz_and_openapi_and_stops_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut server = Server::start(&data);
    let client = crate::client();
    let took = server.wait_ready(&client).await;
    eprintln!("ddhub serve ready in {took:?} on an empty data dir");
    let doc: serde_json::Value = client
        .get(format!("{}/api/openapi.json", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for p in [
        "/readyz",
        "/healthz",
        "/api/v1/styles",
        "/api/v1/styles/{id}",
        "/api/v1/styles/by-code/{style_code}",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing");
    }
    assert!(
        data.join("ddhub.sqlite").exists(),
        "the SQLite file lives in the data dir"
    );
    let status = server.terminate();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[tokio::test]
async fn a_bad_setting_stops_start_up_with_exit_code_2_naming_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    for (key, value) in [
        ("DDHUB_LISTEN", "not-an-address"),
        ("DDHUB_LOG_FORMAT", "xml"),
        ("DDHUB_PUBLIC_URL", "ftp://x"),
        ("DDHUB_JOB_LEASE_SECS", "-5"),
    ] {
        let out = ddhub(tmp.path())
            .env(key, value)
            .arg("migrate")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{key}={value}");
        let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
        let short = key.trim_start_matches("DDHUB_").to_lowercase();
        assert!(err.contains(&short), "{key}: {err}");
    }
    let out = ddhub(tmp.path())
        .args(["--config", "/nonexistent/ddhub.toml", "migrate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
