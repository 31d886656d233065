//! Strong ETags for full feeds, so the server can answer `If-None-Match` with 304.

use crate::writer::{Compression, FeedFormat};
use sha2::{Digest, Sha256};

/// Bumped whenever this crate's output for the same inputs changes (a new attribute, another
/// rounding): old ETags then stop matching.
pub const FEED_SCHEMA_VERSION: u32 = 1;

/// A strong ETag (`"…"`, 32 hex digits) for a feed's exact bytes. Inputs: the partner's
/// [`FeedSettings::fingerprint`](crate::FeedSettings::fingerprint), the catalog version (a number
/// the store bumps on any change in what this partner may see, exchange rate included), the
/// format and the content coding: a gzip body and a plain body are different representations,
/// so RFC 9110 wants different strong tags.
pub fn feed_etag(
    settings_fingerprint: &str,
    catalog_version: i64,
    format: FeedFormat,
    compression: Compression,
) -> String {
    let coding = match compression {
        Compression::Identity => "identity".to_string(),
        Compression::Gzip(level) => format!("gzip{level}"),
    };
    let input = format!(
        "ddhub-feeds/{FEED_SCHEMA_VERSION}\n{settings_fingerprint}\n{catalog_version}\n{}\n{coding}",
        format.as_str()
    );
    let digest = Sha256::digest(input.as_bytes());
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// Whether an `If-None-Match` header value matches `etag` (RFC 9110 §13.1.2: `*`, or any listed
/// tag equal under weak comparison, so `W/"x"` matches `"x"`).
pub fn if_none_match(header: &str, etag: &str) -> bool {
    let want = etag.strip_prefix("W/").unwrap_or(etag);
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == want)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_differ_by_every_input() {
        let base = feed_etag("abc", 7, FeedFormat::GmcXml, Compression::Identity);
        assert!(base.starts_with('"') && base.ends_with('"') && base.len() == 34);
        assert_eq!(
            base,
            feed_etag("abc", 7, FeedFormat::GmcXml, Compression::Identity)
        );
        for other in [
            feed_etag("abd", 7, FeedFormat::GmcXml, Compression::Identity),
            feed_etag("abc", 8, FeedFormat::GmcXml, Compression::Identity),
            feed_etag("abc", 7, FeedFormat::Csv, Compression::Identity),
            feed_etag("abc", 7, FeedFormat::GmcXml, Compression::Gzip(6)),
        ] {
            assert_ne!(base, other);
        }
        assert!(if_none_match(&format!("\"x\", W/{base}"), &base));
        assert!(if_none_match("*", &base));
        assert!(!if_none_match("\"nope\"", &base));
    }
}
