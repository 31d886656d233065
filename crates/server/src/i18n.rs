//! Picking the caller's language from `Accept-Language`.

use axum::http::HeaderMap;
use ddhub_domain::Locale;

/// The best locale DDHub serves for these headers, English when nothing matches.
pub fn negotiate(headers: &HeaderMap) -> &'static str {
    negotiate_locale(headers).tag()
}

/// Like [`negotiate`], as a [`Locale`].
pub fn negotiate_locale(headers: &HeaderMap) -> Locale {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            // Ordered by quality; the first tag DDHub can serve wins.
            accept_language::parse(v)
                .iter()
                .find_map(|tag| Locale::from_tag(tag))
        })
        .unwrap_or(Locale::En)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(v: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("accept-language", HeaderValue::from_static(v));
        h
    }

    #[test]
    fn picks_by_quality() {
        assert_eq!(negotiate(&with("fr;q=1, ko;q=0.8, en;q=0.5")), "ko");
        assert_eq!(negotiate(&with("zh-TW,zh;q=0.9")), "zh-TW");
        assert_eq!(negotiate(&with("ja-JP")), "ja");
        assert_eq!(negotiate(&with("de")), "en");
        assert_eq!(negotiate(&HeaderMap::new()), "en");
    }
}
