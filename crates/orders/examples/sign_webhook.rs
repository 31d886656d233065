//! Signs a body as the delivery worker would, for checking against other implementations:
//! `cargo run -p ddhub-orders --example sign_webhook -- SECRET MSG_ID BODY [TIMESTAMP]`
//! prints the `webhook-timestamp` and `webhook-signature` values, one per line. Without a
//! timestamp, the current time is used. A BODY of `@path` reads the exact bytes of a file.

use ddhub_orders::webhook::signing::{WebhookSecret, sign};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (secret, id, body) = match args.as_slice() {
        [s, i, b] | [s, i, b, _] => (s, i, b),
        _ => {
            eprintln!("usage: sign_webhook SECRET MSG_ID BODY [TIMESTAMP]");
            return ExitCode::from(2);
        }
    };
    let Ok(secret) = WebhookSecret::parse(secret) else {
        eprintln!("the secret must be whsec_<base64>");
        return ExitCode::from(2);
    };
    let body = match body.strip_prefix('@') {
        Some(path) => match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        },
        None => body.as_bytes().to_vec(),
    };
    let ts = match args.get(3).map(|t| t.parse::<i64>()) {
        Some(Ok(t)) => t,
        Some(Err(_)) => {
            eprintln!("the timestamp is seconds since 1970");
            return ExitCode::from(2);
        }
        None => ddhub_domain::Timestamp::now().millis() / 1000,
    };
    println!("{ts}");
    println!("{}", sign(&secret, id, ts, &body));
    ExitCode::SUCCESS
}
