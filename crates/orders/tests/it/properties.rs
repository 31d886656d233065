use ddhub_domain::{Currency, Money};
use ddhub_orders::fingerprint::fingerprint;
use ddhub_orders::intake::parse_price;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn write_object(entries: &[(&String, &i64)], pretty: bool) -> String {
    let sep = if pretty { ",\n  " } else { "," };
    let body: Vec<String> = entries
        .iter()
        .map(|(k, v)| {
            if pretty {
                format!("{} : {v}", serde_json::Value::String((*k).clone()))
            } else {
                format!("{}:{v}", serde_json::Value::String((*k).clone()))
            }
        })
        .collect();
    format!("{{{}}}", body.join(sep))
}

proptest! {
    #[test]
    fn key_order_and_spacing_do_not_change_the_fingerprint(
        map in prop::collection::btree_map("[a-z_가-힣]{1,6}", any::<i64>(), 0..12),
        rotate in 0usize..12,
    ) {
        let sorted: Vec<(&String, &i64)> = map.iter().collect();
        let mut shuffled = sorted.clone();
        shuffled.reverse();
        if !shuffled.is_empty() {
            let n = rotate % shuffled.len();
            shuffled.rotate_left(n);
        }
        let a = fingerprint(write_object(&sorted, false).as_bytes()).unwrap();
        let b = fingerprint(write_object(&shuffled, true).as_bytes()).unwrap();
        prop_assert_eq!(&a, &b);
        // Changing any one value changes the fingerprint.
        if let Some((k, v)) = map.iter().next() {
            let mut changed: BTreeMap<String, i64> = map.clone();
            changed.insert(k.clone(), v.wrapping_add(1));
            let c: Vec<(&String, &i64)> = changed.iter().collect();
            prop_assert_ne!(a, fingerprint(write_object(&c, false).as_bytes()).unwrap());
        }
    }

    #[test]
    fn prices_round_trip_through_their_decimal(minor in 1i64..1_000_000_000_000, usd in any::<bool>()) {
        let currency = if usd { Currency::Usd } else { Currency::Jpy };
        let m = Money { minor, currency };
        prop_assert_eq!(parse_price(&m.decimal(), currency), Some(m));
    }
}
