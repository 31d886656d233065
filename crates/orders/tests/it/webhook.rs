use ddhub_domain::Timestamp;
use ddhub_orders::webhook::delivery::{
    AttemptResult, CLIENT_ERROR_ATTEMPTS, Decision, MAX_RETRY_AFTER, RETRY_SCHEDULE, decide,
    next_attempt, parse_retry_after, schedule_total,
};
use ddhub_orders::webhook::guard::{TargetError, check_ip, non_public_kind, parse_target};
use ddhub_orders::webhook::signing::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::net::IpAddr;
use std::time::Duration;

const SPEC_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const SPEC_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
const SPEC_TS: i64 = 1_649_367_553;
const SPEC_BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;

#[test]
fn standard_webhooks_test_vector() {
    // From the Standard Webhooks repository's reference library tests
    // (standard-webhooks/standard-webhooks, libraries/rust/src/lib.rs, `test_sign`).
    let secret = WebhookSecret::parse(SPEC_SECRET).unwrap();
    assert_eq!(
        sign(&secret, SPEC_ID, SPEC_TS, SPEC_BODY),
        "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
    );
    assert_eq!(secret.expose(), SPEC_SECRET);
    assert!(
        verify(
            &secret,
            SPEC_ID,
            &SPEC_TS.to_string(),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
            SPEC_BODY,
            SPEC_TS + 10
        )
        .is_ok()
    );
}

#[test]
fn tampering_is_detected() {
    let mut rng = StdRng::seed_from_u64(7);
    let secret = WebhookSecret::generate(&mut rng);
    let body = br#"{"type":"order.shipped","data":{"order_id":1}}"#;
    let now = 1_800_000_000;
    let h = signed_headers(&secret, "evt_1", now, body);
    let ok = |id: &str, ts: &str, sig: &str, body: &[u8], at: i64| {
        verify(&secret, id, ts, sig, body, at)
    };
    assert_eq!(
        ok(
            &h.webhook_id,
            &h.webhook_timestamp,
            &h.webhook_signature,
            body,
            now
        ),
        Ok(())
    );
    let tampered = br#"{"type":"order.shipped","data":{"order_id":2}}"#;
    assert_eq!(
        ok(
            "evt_1",
            &h.webhook_timestamp,
            &h.webhook_signature,
            tampered,
            now
        ),
        Err(SignatureError::NoMatch)
    );
    assert_eq!(
        ok(
            "evt_2",
            &h.webhook_timestamp,
            &h.webhook_signature,
            body,
            now
        ),
        Err(SignatureError::NoMatch)
    );
    // A replayed signature under a new timestamp does not match either.
    assert_eq!(
        ok(
            "evt_1",
            &(now + 1).to_string(),
            &h.webhook_signature,
            body,
            now
        ),
        Err(SignatureError::NoMatch)
    );
    assert_eq!(
        ok(
            "evt_1",
            &h.webhook_timestamp,
            &h.webhook_signature,
            body,
            now + 301
        ),
        Err(SignatureError::TimestampTooOld)
    );
    assert_eq!(
        ok(
            "evt_1",
            &h.webhook_timestamp,
            &h.webhook_signature,
            body,
            now - 301
        ),
        Err(SignatureError::TimestampInFuture)
    );
    assert_eq!(
        ok("evt_1", "soon", &h.webhook_signature, body, now),
        Err(SignatureError::BadTimestamp)
    );
    // Another secret's signature does not verify; several signatures (key rotation) do.
    let other = WebhookSecret::generate(&mut rng);
    let theirs = sign(&other, "evt_1", now, body);
    assert_eq!(
        verify(&secret, "evt_1", &h.webhook_timestamp, &theirs, body, now),
        Err(SignatureError::NoMatch)
    );
    let both = format!("v2,abc {theirs} {}", h.webhook_signature);
    assert_eq!(
        verify(&secret, "evt_1", &h.webhook_timestamp, &both, body, now),
        Ok(())
    );
    assert_eq!(h.pairs()[2].0, "webhook-signature");
}

#[test]
fn secrets_round_trip_and_bad_ones_are_refused() {
    let mut rng = StdRng::seed_from_u64(1);
    let s = WebhookSecret::generate(&mut rng);
    let text = s.expose();
    assert!(text.starts_with("whsec_"));
    assert_eq!(WebhookSecret::parse(&text).unwrap(), s);
    assert_ne!(WebhookSecret::generate(&mut rng), s);
    for bad in [
        "C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
        "whsec_!!!",
        "whsec_c2hvcnQ=",
    ] {
        assert_eq!(
            WebhookSecret::parse(bad),
            Err(SignatureError::BadSecret),
            "{bad}"
        );
    }
    assert_eq!(format!("{s:?}"), "WebhookSecret(…)");
}

#[test]
fn retry_schedule_lasts_about_three_days() {
    let total = schedule_total();
    let days = total.as_secs_f64() / 86_400.0;
    assert!((2.9..=3.1).contains(&days), "{days}");
    assert_eq!(RETRY_SCHEDULE[0], Duration::ZERO);
    assert_eq!(RETRY_SCHEDULE[1], Duration::from_secs(5));

    // Walk the schedule with jitter: every delay within ±10 %, then dead.
    let mut rng = StdRng::seed_from_u64(42);
    let start = Timestamp(1_800_000_000_000);
    let mut now = start;
    let mut attempts = 1;
    loop {
        match decide(AttemptResult::Status(503), attempts, now, None, &mut rng) {
            Decision::RetryAt(at) => {
                let delay = (at.millis() - now.millis()) as f64;
                let nominal = RETRY_SCHEDULE[attempts as usize].as_millis() as f64;
                assert!(delay >= nominal * 0.9 && delay <= nominal * 1.1 + 1.0);
                now = at;
                attempts += 1;
            }
            Decision::Dead => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(attempts as usize, RETRY_SCHEDULE.len());
    let spent = (now.millis() - start.millis()) as f64 / 86_400_000.0;
    assert!((2.6..=3.4).contains(&spent), "{spent}");
}

#[test]
fn retry_after_is_honoured_and_capped() {
    let mut rng = StdRng::seed_from_u64(3);
    let now = Timestamp(1_000_000);
    // The schedule says 5 s after the first failure; the endpoint asks for 120 s.
    let at = next_attempt(1, now, Some(Duration::from_secs(120)), &mut rng).unwrap();
    assert_eq!(at, now.plus(Duration::from_secs(120)));
    // A Retry-After shorter than the schedule does not bring the attempt forward.
    let at = next_attempt(3, now, Some(Duration::from_secs(1)), &mut rng).unwrap();
    assert!(at.millis() - now.millis() >= 27 * 60 * 1000);
    // A week is cut to the cap.
    let at = next_attempt(1, now, Some(Duration::from_secs(7 * 86_400)), &mut rng).unwrap();
    assert_eq!(at, now.plus(MAX_RETRY_AFTER));
    assert_eq!(next_attempt(11, now, None, &mut rng), None);

    assert_eq!(
        parse_retry_after(" 120 ", now),
        Some(Duration::from_secs(120))
    );
    let t = Timestamp(784_111_777_000 - 60_000);
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", t),
        Some(Duration::from_secs(60))
    );
    assert_eq!(parse_retry_after("soon", now), None);
}

#[test]
fn responses_are_classified() {
    let mut rng = StdRng::seed_from_u64(9);
    let now = Timestamp(0);
    let d = |r, n, rng: &mut StdRng| decide(r, n, now, None, rng);
    assert_eq!(
        d(AttemptResult::Status(200), 1, &mut rng),
        Decision::Delivered
    );
    assert_eq!(
        d(AttemptResult::Status(204), 5, &mut rng),
        Decision::Delivered
    );
    assert_eq!(
        d(AttemptResult::Status(410), 1, &mut rng),
        Decision::DisableEndpoint
    );
    for transient in [
        AttemptResult::Status(429),
        AttemptResult::Status(500),
        AttemptResult::Status(503),
        AttemptResult::Status(408),
        AttemptResult::Timeout,
        AttemptResult::ConnectError,
    ] {
        assert!(
            matches!(d(transient, 5, &mut rng), Decision::RetryAt(_)),
            "{transient:?}"
        );
        assert_eq!(d(transient, 11, &mut rng), Decision::Dead);
    }
    for client in [400, 401, 403, 404, 413, 301] {
        let r = AttemptResult::Status(client);
        assert!(
            matches!(d(r, 1, &mut rng), Decision::RetryAt(_)),
            "{client}"
        );
        assert!(matches!(
            d(r, CLIENT_ERROR_ATTEMPTS - 1, &mut rng),
            Decision::RetryAt(_)
        ));
        assert_eq!(
            d(r, CLIENT_ERROR_ATTEMPTS, &mut rng),
            Decision::Dead,
            "{client}"
        );
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn private_targets_are_refused() {
    for (addr, kind) in [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "shared (CGNAT)"),
        ("fd00::1", "unique-local"),
        ("fc00::1", "unique-local"),
        ("fe80::1", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        // IPv4-translated (SIIT, ::ffff:0:a.b.c.d): judged by the IPv4 address too.
        ("::ffff:0:7f00:1", "loopback"),
        ("::ffff:0:a9fe:a9fe", "link-local"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
        ("2002:7f00:1::", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("255.255.255.255", "reserved"),
    ] {
        assert_eq!(non_public_kind(ip(addr)), Some(kind), "{addr}");
        assert!(
            matches!(check_ip(ip(addr), false), Err(TargetError::Forbidden(..))),
            "{addr}"
        );
        assert_eq!(
            check_ip(ip(addr), true),
            Ok(()),
            "{addr} with allow_private"
        );
    }
    for public in [
        "8.8.8.8",
        "1.1.1.1",
        "172.32.0.1",
        "100.128.0.1",
        "2606:4700:4700::1111",
        "::ffff:8.8.8.8",
    ] {
        assert_eq!(check_ip(ip(public), false), Ok(()), "{public}");
    }
}

#[test]
fn target_urls_are_checked() {
    assert!(parse_target("https://partner.example.com/hooks/ddhub", false).is_ok());
    let refused = |u: &str| parse_target(u, false).unwrap_err().code();
    assert_eq!(
        refused("http://partner.example.com/h"),
        "webhook_url_not_https"
    );
    assert_eq!(
        refused("ftp://partner.example.com/h"),
        "webhook_url_not_https"
    );
    assert_eq!(
        refused("https://user:pw@partner.example.com/"),
        "webhook_url_credentials"
    );
    assert_eq!(refused("https://127.0.0.1/h"), "webhook_target_forbidden");
    assert_eq!(refused("https://[::1]:8443/h"), "webhook_target_forbidden");
    assert_eq!(
        refused("https://[::ffff:7f00:1]/h"),
        "webhook_target_forbidden"
    );
    // Other spellings of loopback that the URL parser normalises to 127.0.0.1.
    assert_eq!(refused("https://2130706433/h"), "webhook_target_forbidden");
    assert_eq!(refused("https://0x7f.1/h"), "webhook_target_forbidden");
    assert_eq!(refused("https://localhost/h"), "webhook_target_forbidden");
    assert_eq!(
        refused("https://api.localhost./h"),
        "webhook_target_forbidden"
    );
    // Names that resolve to this machine or the local network by convention (RFC 6761,
    // RFC 8375), with and without the trailing dot.
    for local in [
        "https://localhost.localdomain/h",
        "https://localhost.localdomain./h",
        "https://printer.home.arpa/h",
        "https://[::ffff:0:7f00:1]/h",
        "https://[::ffff:0:a9fe:a9fe]/h",
    ] {
        assert_eq!(refused(local), "webhook_target_forbidden", "{local}");
    }
    assert_eq!(refused("not a url"), "webhook_url_invalid");
    // Tests point webhooks at a local receiver with the flag set.
    assert!(parse_target("http://127.0.0.1:9999/h", true).is_ok());
    assert!(parse_target("http://localhost:9999/h", true).is_ok());
}
