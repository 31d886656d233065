use ddhub_orders::fingerprint::*;

#[test]
fn reordered_keys_and_whitespace_are_the_same_body() {
    let a = br#"{"partner_order_id":"A1","currency":"JPY","lines":[{"sku_id":1,"quantity":2,"unit_price":"1980"}],"ship_to":{"name":"S","country":"JP"}}"#;
    let b = br#"{
        "ship_to": {"country": "JP", "name": "S"},
        "lines": [ {"unit_price": "1980", "quantity": 2, "sku_id": 1} ],
        "currency": "JPY",
        "partner_order_id": "A1"
    }"#;
    let escaped = br#"{"partner_order_id":"\u0041\u0031","currency":"JPY","lines":[{"sku_id":1,"quantity":2,"unit_price":"1980"}],"ship_to":{"name":"S","country":"JP"}}"#;
    let fa = fingerprint(a).unwrap();
    assert_eq!(fa, fingerprint(b).unwrap());
    assert_eq!(fa, fingerprint(escaped).unwrap());
    assert_eq!(fa.0.len(), 64);
    assert!(fa.0.bytes().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn changed_values_or_order_of_lines_are_different_bodies() {
    let base = br#"{"a":1,"lines":[{"q":1},{"q":2}],"s":"x"}"#;
    let f = fingerprint(base).unwrap();
    for other in [
        &br#"{"a":2,"lines":[{"q":1},{"q":2}],"s":"x"}"#[..],
        br#"{"a":1,"lines":[{"q":2},{"q":1}],"s":"x"}"#,
        br#"{"a":1,"lines":[{"q":1},{"q":2}],"s":"X"}"#,
        br#"{"a":1.0,"lines":[{"q":1},{"q":2}],"s":"x"}"#,
        br#"{"a":"1","lines":[{"q":1},{"q":2}],"s":"x"}"#,
        br#"{"a":1,"lines":[{"q":1},{"q":2}],"s":"x","n":null}"#,
    ] {
        assert_ne!(
            f,
            fingerprint(other).unwrap(),
            "{}",
            String::from_utf8_lossy(other)
        );
    }
}

#[test]
fn canonical_form_sorts_keys_at_every_depth() {
    let v: serde_json::Value =
        serde_json::from_str(r#"{ "b": {"z": 1, "a": [ {"y": true, "x": null} ]}, "a": "é\n" }"#)
            .unwrap();
    assert_eq!(
        canonical_json(&v),
        r#"{"a":"é\n","b":{"a":[{"x":null,"y":true}],"z":1}}"#
    );
    assert_eq!(
        fingerprint(b"not json").unwrap_err().code(),
        "body_not_json"
    );
}

#[test]
fn idempotency_keys() {
    assert_eq!(validate_idempotency_key("abc-123_XYZ"), Ok("abc-123_XYZ"));
    assert_eq!(
        validate_idempotency_key("\"8e03978e-40d5\""),
        Ok("8e03978e-40d5")
    );
    assert!(validate_idempotency_key(&"k".repeat(255)).is_ok());
    assert_eq!(
        validate_idempotency_key(&"k".repeat(256)),
        Err(IdempotencyKeyError::TooLong)
    );
    assert_eq!(
        validate_idempotency_key(""),
        Err(IdempotencyKeyError::Empty)
    );
    assert_eq!(
        validate_idempotency_key("\"\""),
        Err(IdempotencyKeyError::Empty)
    );
    for bad in ["has space", "tab\t", "한글", "nul\0"] {
        assert_eq!(
            validate_idempotency_key(bad),
            Err(IdempotencyKeyError::InvalidCharacter),
            "{bad:?}"
        );
    }
    assert_eq!(
        IdempotencyKeyError::InvalidCharacter.code(),
        "idempotency_key_invalid_character"
    );
}
