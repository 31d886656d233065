//! Formats for people, from CLDR's compiled data through ICU4X (issue 21, item 5): prices and
//! counts with each language's separators and signs, medium dates and Seoul times, country
//! names. Pages and e-mails use the same functions, so a buyer reads one form everywhere.

use ddhub_domain::Locale;

/// A price for people, as CLDR writes it in the page's language: `￥1,944` (ja), `¥1,944`
/// (en), `1.637.600 ₫` (vi), `¥123.40` for yuan on a zh-CN page, `₩18,000` (ko). ICU4X's
/// currency formatter with its compiled CLDR data, not hand-written separators (issue 21).
pub fn format_price(amount: &str, currency: &str, locale: Locale) -> String {
    use icu_experimental::dimension::currency::CurrencyCode;
    let Ok(value) = amount.parse::<fixed_decimal::Decimal>() else {
        return format!("{amount} {currency}");
    };
    let Ok(code) = tinystr::TinyAsciiStr::<3>::try_from_str(currency) else {
        return format!("{amount} {currency}");
    };
    match currency_formatter(locale) {
        Some(f) => f
            .format_fixed_decimal(&value, &CurrencyCode(code))
            .to_string(),
        None => format!("{amount} {currency}"),
    }
}

/// A count for people in the page's language (`1.234` in Vietnamese, `1,234` in English).
pub fn format_count(n: u64, locale: Locale) -> String {
    match decimal_formatter(locale) {
        Some(f) => f.format(&fixed_decimal::Decimal::from(n)).to_string(),
        None => n.to_string(),
    }
}

/// A calendar date (`2026-12-09`) as CLDR writes it in the page's language, medium length:
/// `Dec 9, 2026` (en), `2026. 12. 9.` (ko), `2026/12/09` (ja), `9 thg 12, 2026` (vi). What is
/// not a date is shown as it came.
pub fn format_date(iso: &str, locale: Locale) -> String {
    use icu_datetime::input::Date;
    let Ok(d) = iso.trim().parse::<jiff::civil::Date>() else {
        return iso.to_string();
    };
    let (Ok(month), Ok(day)) = (u8::try_from(d.month()), u8::try_from(d.day())) else {
        return iso.to_string();
    };
    let Ok(date) = Date::try_new_iso(i32::from(d.year()), month, day) else {
        return iso.to_string();
    };
    match date_formatter(locale) {
        Some(f) => f.format(&date).to_string(),
        None => iso.to_string(),
    }
}

/// An instant as Seoul's wall clock in the page's language, to the minute (`2026. 12. 7. 오전
/// 11:30` in Korean, `Dec 7, 2026, 11:30 AM` in English): when an order came in, for a
/// wholesaler in the market.
pub fn format_seoul_time(ts: ddhub_domain::Timestamp, locale: Locale) -> String {
    use icu_datetime::input::{Date, DateTime, Time};
    let Some(dt) = ddhub_orders::date::seoul_civil(ts) else {
        return ddhub_orders::date::seoul_minute(ts);
    };
    let date = u8::try_from(dt.month())
        .ok()
        .zip(u8::try_from(dt.day()).ok())
        .and_then(|(m, d)| Date::try_new_iso(i32::from(dt.year()), m, d).ok());
    let time = u8::try_from(dt.hour())
        .ok()
        .zip(u8::try_from(dt.minute()).ok())
        .and_then(|(h, m)| Time::try_new(h, m, 0, 0).ok());
    match (date, time, datetime_formatter(locale)) {
        (Some(date), Some(time), Some(f)) => f.format(&DateTime { date, time }).to_string(),
        _ => ddhub_orders::date::seoul_minute(ts),
    }
}

/// A country's name in the page's language from CLDR (`일본` for `JP` in Korean), or the code
/// when CLDR has none.
pub fn country_name(code: &str, locale: Locale) -> String {
    use icu_experimental::displaynames::DisplayNamesOptions;
    use icu_experimental::displaynames::multi::RegionDisplayNames;
    use std::collections::HashMap;
    use std::sync::LazyLock;
    static ALL: LazyLock<HashMap<Locale, RegionDisplayNames>> = LazyLock::new(|| {
        Locale::ALL
            .iter()
            .filter_map(|l| {
                let names = RegionDisplayNames::try_new(
                    icu_locale(*l)?.into(),
                    DisplayNamesOptions::default(),
                )
                .ok()?;
                Some((*l, names))
            })
            .collect()
    });
    let region = icu_locale_core::subtags::Region::try_from_str(code.trim()).ok();
    region
        .and_then(|r| ALL.get(&locale)?.of(r))
        .map_or_else(|| code.to_string(), str::to_string)
}

fn date_formatter(
    locale: Locale,
) -> Option<&'static icu_datetime::DateTimeFormatter<icu_datetime::fieldsets::YMD>> {
    use icu_datetime::DateTimeFormatter;
    use icu_datetime::fieldsets::YMD;
    use std::collections::HashMap;
    use std::sync::LazyLock;
    static ALL: LazyLock<HashMap<Locale, DateTimeFormatter<YMD>>> = LazyLock::new(|| {
        Locale::ALL
            .iter()
            .filter_map(|l| {
                let f = DateTimeFormatter::try_new(icu_locale(*l)?.into(), YMD::medium()).ok()?;
                Some((*l, f))
            })
            .collect()
    });
    ALL.get(&locale)
}

fn datetime_formatter(
    locale: Locale,
) -> Option<&'static icu_datetime::DateTimeFormatter<icu_datetime::fieldsets::YMDT>> {
    use icu_datetime::DateTimeFormatter;
    use icu_datetime::fieldsets::YMDT;
    use icu_datetime::options::TimePrecision;
    use std::collections::HashMap;
    use std::sync::LazyLock;
    static ALL: LazyLock<HashMap<Locale, DateTimeFormatter<YMDT>>> = LazyLock::new(|| {
        Locale::ALL
            .iter()
            .filter_map(|l| {
                let fields = YMDT::medium().with_time_precision(TimePrecision::Minute);
                let f = DateTimeFormatter::try_new(icu_locale(*l)?.into(), fields).ok()?;
                Some((*l, f))
            })
            .collect()
    });
    ALL.get(&locale)
}

/// The ICU locale of a page language.
fn icu_locale(locale: Locale) -> Option<icu_locale_core::Locale> {
    locale.tag().parse().ok()
}

/// One formatter per page language, made once (loading CLDR data costs more than formatting).
fn currency_formatter(
    locale: Locale,
) -> Option<&'static icu_experimental::dimension::currency::formatter::CurrencyFormatter> {
    use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
    use std::collections::HashMap;
    use std::sync::LazyLock;
    static ALL: LazyLock<HashMap<Locale, CurrencyFormatter>> = LazyLock::new(|| {
        Locale::ALL
            .iter()
            .filter_map(|l| {
                let f =
                    CurrencyFormatter::try_new(icu_locale(*l)?.into(), Default::default()).ok()?;
                Some((*l, f))
            })
            .collect()
    });
    ALL.get(&locale)
}

fn decimal_formatter(locale: Locale) -> Option<&'static icu_decimal::DecimalFormatter> {
    use icu_decimal::DecimalFormatter;
    use std::collections::HashMap;
    use std::sync::LazyLock;
    static ALL: LazyLock<HashMap<Locale, DecimalFormatter>> = LazyLock::new(|| {
        Locale::ALL
            .iter()
            .filter_map(|l| {
                let f =
                    DecimalFormatter::try_new(icu_locale(*l)?.into(), Default::default()).ok()?;
                Some((*l, f))
            })
            .collect()
    });
    ALL.get(&locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_grouped_with_their_sign() {
        // CLDR's forms, per language (the defects issue 21 saw: `1,637,600 ₫`, `CN¥` on zh-CN).
        assert_eq!(format_price("1944", "JPY", Locale::En), "¥1,944");
        assert_eq!(format_price("1944", "JPY", Locale::Ja), "￥1,944");
        assert_eq!(format_price("12.96", "USD", Locale::En), "$12.96");
        assert_eq!(format_price("1234567", "KRW", Locale::Ko), "₩1,234,567");
        // A no-break space keeps the sign with its number.
        assert_eq!(
            format_price("1637600", "VND", Locale::Vi),
            "1.637.600\u{a0}₫"
        );
        assert_eq!(format_price("123.40", "CNY", Locale::ZhCn), "¥123.40");
        assert_eq!(format_price("100", "THB", Locale::Th), "฿100");
        assert_eq!(format_count(1234, Locale::Vi), "1.234");
        assert_eq!(format_count(1234, Locale::En), "1,234");
    }

    #[test]
    fn dates_and_countries_as_cldr_writes_them() {
        // CLDR's medium dates (issue 21, item 5: ISO dates on people's pages before).
        assert_eq!(format_date("2026-12-09", Locale::En), "Dec 9, 2026");
        assert_eq!(format_date("2026-12-09", Locale::Ko), "2026. 12. 9.");
        assert_eq!(format_date("2026-12-09", Locale::Ja), "2026/12/09");
        assert_eq!(format_date("not a date", Locale::En), "not a date");
        // 2026-12-07T02:30Z is 11:30 in Seoul.
        let ts = ddhub_domain::Timestamp(1_796_610_600_000);
        assert!(
            format_seoul_time(ts, Locale::En).contains("11:30"),
            "{}",
            format_seoul_time(ts, Locale::En)
        );
        assert!(format_seoul_time(ts, Locale::Ko).starts_with("2026. 12. 7."));
        assert_eq!(country_name("JP", Locale::Ko), "일본");
        assert_eq!(country_name("JP", Locale::En), "Japan");
        assert_eq!(country_name("??", Locale::En), "??");
    }
}
