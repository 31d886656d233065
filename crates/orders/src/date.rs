//! Calendar dates (`yyyy-mm-dd`) and the few instant formats the orders core prints or reads.
//!
//! The calendar arithmetic is `jiff`'s: [`CalendarDate`] wraps a [`jiff::civil::Date`] (limited
//! to years 1..=9999, the range of the `yyyy-mm-dd` wire form), UTC instants are jiff civil
//! date-times counted from 1970-01-01, and the Korean calendar day comes from jiff's bundled copy
//! of the IANA time-zone database rather than from a hand-rolled offset. Only the wire forms are
//! spelled out here: exactly `yyyy-mm-dd` (jiff's parser also takes other ISO 8601 forms), RFC
//! 3339 UTC with milliseconds for webhook payloads, and the IMF-fixdate form of `Retry-After`
//! (jiff's RFC 2822 parser takes more than RFC 9110 lets a sender send).
//!
//! Asia/Seoul has had no daylight saving time since 1988 and is +09:00 all year today, so a fixed
//! offset would give the same answer for current instants. The zone is still looked up in the tz
//! data on purpose: rules that are dated (a shipment's date, landed cost on a given customs day)
//! are applied to past instants too, and only the tz data knows when the offset was different.
//! The data is bundled into the binary (`tzdb-bundle-always`), so the answer does not depend on
//! the host's `/usr/share/zoneinfo` or on a container that lacks it.

use ddhub_domain::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Span};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

/// A day in the proleptic Gregorian calendar, years 1..=9999.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate(Date);

/// A date that is not a real `yyyy-mm-dd` day.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a date in the form yyyy-mm-dd")]
pub struct BadDate(pub String);

impl BadDate {
    pub fn code(&self) -> &'static str {
        "bad_date"
    }
}

/// 1970-01-01, the origin of [`CalendarDate::days_since_epoch`].
const EPOCH: Date = Date::constant(1970, 1, 1);

const MS_PER_DAY: i64 = 86_400_000;

/// The UTC date and time of an instant, over the whole civil range (years -9999..=9999).
///
/// UTC goes through civil days rather than `jiff::Timestamp`, whose range stops about a day short
/// of either end (so that every offset's local time fits): 9999-12-31 must still print.
fn utc_datetime(ts: Timestamp) -> Option<DateTime> {
    let day = CalendarDate::epoch_plus(ts.millis().div_euclid(MS_PER_DAY))?;
    let in_day = SignedDuration::from_millis(ts.millis().rem_euclid(MS_PER_DAY));
    day.to_datetime(Time::midnight()).checked_add(in_day).ok()
}

impl CalendarDate {
    /// A date from its parts, if it exists.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let date = Date::new(
            i16::try_from(year).ok()?,
            i8::try_from(month).ok()?,
            i8::try_from(day).ok()?,
        )
        .ok()?;
        Self::from_civil(date)
    }

    /// A jiff date, if it lies in years 1..=9999.
    fn from_civil(date: Date) -> Option<Self> {
        (1..=9999).contains(&date.year()).then_some(Self(date))
    }

    pub fn year(self) -> u16 {
        self.0.year().unsigned_abs()
    }
    pub fn month(self) -> u8 {
        self.0.month().unsigned_abs()
    }
    pub fn day(self) -> u8 {
        self.0.day().unsigned_abs()
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        // Civil days are exactly 24 hours long, so the division is exact.
        self.0.duration_since(EPOCH).as_secs() / 86_400
    }

    /// The UTC day an instant falls on (1970-01-01 for an instant outside years 1..=9999).
    pub fn from_timestamp(ts: Timestamp) -> Self {
        Self::from_days(ts.millis().div_euclid(MS_PER_DAY)).unwrap_or(Self(EPOCH))
    }

    /// 1970-01-01 moved by `days`, anywhere in jiff's years -9999..=9999.
    fn epoch_plus(days: i64) -> Option<Date> {
        EPOCH.checked_add(Span::new().try_days(days).ok()?).ok()
    }

    fn from_days(days: i64) -> Option<Self> {
        Self::from_civil(Self::epoch_plus(days)?)
    }

    /// This date moved by `days`, if it stays within years 1..=9999.
    pub fn plus_days(self, days: i64) -> Option<Self> {
        Self::from_days(self.days_since_epoch().checked_add(days)?)
    }
}

/// The same form as before the move to jiff: `CalendarDate { year: 2026, month: 11, day: 27 }`.
impl fmt::Debug for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CalendarDate")
            .field("year", &self.year())
            .field("month", &self.month())
            .field("day", &self.day())
            .finish()
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

impl FromStr for CalendarDate {
    type Err = BadDate;
    /// Exactly `yyyy-mm-dd` with ASCII digits.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadDate(s.to_string());
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Result<u16, BadDate> {
            let part = s.get(r).ok_or_else(bad)?;
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            part.parse().map_err(|_| bad())
        };
        let y = num(0..4)?;
        let m = u8::try_from(num(5..7)?).map_err(|_| bad())?;
        let d = u8::try_from(num(8..10)?).map_err(|_| bad())?;
        Self::new(y, m, d).ok_or_else(bad)
    }
}

impl Serialize for CalendarDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CalendarDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Asia/Seoul from the bundled tz data, looked up once; +09:00 if the lookup ever failed.
static SEOUL: LazyLock<TimeZone> = LazyLock::new(|| {
    TimeZone::get("Asia/Seoul").unwrap_or_else(|_| TimeZone::fixed(Offset::constant(9)))
});

/// Today's date in Korea (Asia/Seoul), by the wall clock. Code that runs on a
/// [`Clock`](ddhub_domain::time::Clock) should call [`seoul_date`] with the clock's `now()` instead.
pub fn seoul_today() -> CalendarDate {
    seoul_date(Timestamp::now())
}

/// The calendar date of an instant in Korea (Asia/Seoul): `2026-12-03T15:00:00Z` is
/// 2026-12-04 there. 1970-01-01 for an instant outside years 1..=9999.
pub fn seoul_date(ts: Timestamp) -> CalendarDate {
    jiff::Timestamp::from_millisecond(ts.millis())
        .ok()
        .and_then(|t| CalendarDate::from_civil(SEOUL.to_datetime(t).date()))
        .unwrap_or(CalendarDate(EPOCH))
}

/// An instant as Korea's wall clock to the minute, `2026-12-07 11:30` (for people; the API
/// says RFC 3339).
pub fn seoul_minute(ts: Timestamp) -> String {
    jiff::Timestamp::from_millisecond(ts.millis())
        .map(|t| SEOUL.to_datetime(t).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| seoul_date(ts).to_string())
}

/// An instant as Korea's wall clock (for pages that format it for people, CLDR-wise); `None`
/// outside jiff's range.
pub fn seoul_civil(ts: Timestamp) -> Option<jiff::civil::DateTime> {
    jiff::Timestamp::from_millisecond(ts.millis())
        .ok()
        .map(|t| SEOUL.to_datetime(t))
}

/// An instant as RFC 3339 UTC with milliseconds: `2026-11-27T09:30:00.000Z`.
///
/// RFC 3339 has years 0000..=9999 only; an instant before year 0 prints jiff's extended year
/// (`-000001-…`), one beyond years -9999..=9999 the nearest end of that range.
pub fn rfc3339(ts: Timestamp) -> String {
    let dt = utc_datetime(ts).unwrap_or(if ts.millis() < 0 {
        DateTime::MIN
    } else {
        DateTime::MAX
    });
    // Precision 3 always prints exactly three fraction digits, `.000` too.
    format!("{dt:.3}Z")
}

/// Parses an HTTP IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7), the only
/// date form a sender must generate. Obsolete forms are not accepted.
///
/// The shape is checked here (jiff's RFC 2822 and strptime parsers are deliberately lenient:
/// optional weekday, numeric zones, any letter case); jiff checks the date and does the
/// arithmetic. The weekday name is not checked against the date, and a leap second (`:60`)
/// reads as the next minute's `:00`.
pub fn parse_imf_fixdate(s: &str) -> Option<Timestamp> {
    let parts: Vec<&str> = s.split_ascii_whitespace().collect();
    let [wd, day, mon, year, time, gmt] = parts.as_slice() else {
        return None;
    };
    if !wd.ends_with(',') || *gmt != "GMT" {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m == mon)? + 1;
    let date = CalendarDate::new(
        year.parse().ok()?,
        u8::try_from(month).ok()?,
        day.parse().ok()?,
    )?;
    let hms: Vec<i8> = time
        .split(':')
        .map(|p| p.parse::<i8>().ok())
        .collect::<Option<_>>()?;
    let [h, m, sec] = *hms.as_slice() else {
        return None;
    };
    // jiff has no leap seconds: `:60` is `:59` and one second more, the next minute's `:00`.
    let (sec, leap_ms) = if sec == 60 { (59, 1000) } else { (sec, 0) };
    let (y, mo, d) = (date.0.year(), date.0.month(), date.0.day());
    let at = DateTime::new(y, mo, d, h, m, sec, 0).ok()?;
    // Measured from the epoch in civil time (UTC), not through `jiff::Timestamp`: see
    // [`utc_datetime`].
    let ms = i64::try_from(
        at.duration_since(EPOCH.to_datetime(Time::midnight()))
            .as_millis(),
    );
    Some(Timestamp(ms.ok()?.checked_add(leap_ms)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_strictly_and_round_trip() {
        let d: Result<CalendarDate, _> = "2024-02-29".parse();
        assert_eq!(d.map(|d| d.to_string()), Ok("2024-02-29".to_string()));
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "24-01-01",
            "2024-01-00",
            "２０２４-01-01",
        ] {
            assert!(bad.parse::<CalendarDate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn days_round_trip() {
        for days in [-1, 0, 1, 19_000, 20_454, 2_932_896] {
            let d = CalendarDate::from_days(days);
            assert_eq!(d.map(|d| d.days_since_epoch()), Some(days));
        }
        assert_eq!(rfc3339(Timestamp(0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Timestamp(784_111_777_000))
        );
    }

    /// `yyyy-mm-ddThh:mm:ssZ` as milliseconds, through jiff's own parser.
    fn at(s: &str) -> Timestamp {
        #[allow(clippy::unwrap_used)]
        Timestamp(s.parse::<jiff::Timestamp>().unwrap().as_millisecond())
    }

    fn date(s: &str) -> CalendarDate {
        #[allow(clippy::unwrap_used)]
        s.parse().unwrap()
    }

    #[test]
    fn seoul_date_turns_at_fifteen_hundred_utc() {
        assert_eq!(
            seoul_date(at("2026-12-03T14:59:59.999Z")),
            date("2026-12-03")
        );
        assert_eq!(seoul_date(at("2026-12-03T15:00:00Z")), date("2026-12-04"));
        // UTC is still on the 3rd there.
        assert_eq!(
            CalendarDate::from_timestamp(at("2026-12-03T15:00:00Z")),
            date("2026-12-03")
        );
        // Across a year end, and before the epoch.
        assert_eq!(seoul_date(at("2026-12-31T15:00:00Z")), date("2027-01-01"));
        assert_eq!(seoul_date(Timestamp(-1)), date("1970-01-01"));
        assert_eq!(seoul_date(at("1969-12-31T14:59:59Z")), date("1969-12-31"));
        // Out of range falls back as from_timestamp does.
        assert_eq!(seoul_date(Timestamp(i64::MAX)), date("1970-01-01"));
    }

    #[test]
    fn seoul_date_follows_the_tz_data_not_a_fixed_offset() {
        // Seoul kept DST (+10:00) in the summer of 1988: 14:30Z was already the next day.
        assert_eq!(seoul_date(at("1988-07-01T14:30:00Z")), date("1988-07-02"));
        // And was +08:30 in the 1950s: 15:20Z was still the same day.
        assert_eq!(seoul_date(at("1958-01-15T15:20:00Z")), date("1958-01-15"));
    }

    #[test]
    fn seoul_today_is_within_a_day_of_utc_today() {
        let utc = CalendarDate::from_timestamp(Timestamp::now());
        let seoul = seoul_today();
        assert!(
            seoul == utc || Some(seoul) == utc.plus_days(1),
            "{seoul} vs {utc}"
        );
    }

    #[test]
    fn rfc3339_keeps_its_form() {
        for (ms, s) in [
            (1_764_235_800_000, "2025-11-27T09:30:00.000Z"),
            (1_764_235_800_007, "2025-11-27T09:30:00.007Z"),
            (1_764_235_859_999, "2025-11-27T09:30:59.999Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
            (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
            (-62_167_219_200_000, "0000-01-01T00:00:00.000Z"),
        ] {
            assert_eq!(rfc3339(Timestamp(ms)), s);
        }
        assert_eq!(rfc3339(Timestamp(i64::MAX)), "9999-12-31T23:59:59.999Z");
        assert_eq!(
            CalendarDate::from_timestamp(Timestamp(253_402_300_799_999)),
            date("9999-12-31")
        );
    }

    #[test]
    fn calendar_arithmetic() {
        let d = date("2024-02-28");
        assert_eq!(d.plus_days(1), Some(date("2024-02-29")));
        assert_eq!(d.plus_days(2), Some(date("2024-03-01")));
        assert_eq!(d.plus_days(-59), Some(date("2023-12-31")));
        assert_eq!(date("9999-12-31").plus_days(1), None);
        assert_eq!(date("0001-01-01").plus_days(-1), None);
        assert_eq!(d.plus_days(i64::MAX), None);
        assert_eq!(date("0001-01-01").days_since_epoch(), -719_162);
        assert_eq!((d.year(), d.month(), d.day()), (2024, 2, 28));
        assert_eq!(CalendarDate::new(0, 1, 1), None);
        assert_eq!(CalendarDate::new(10_000, 1, 1), None);
        assert_eq!(CalendarDate::new(2023, 2, 29), None);
        assert_eq!(
            format!("{d:?}"),
            "CalendarDate { year: 2024, month: 2, day: 28 }"
        );
        assert_eq!(
            CalendarDate::from_timestamp(Timestamp(i64::MIN)),
            date("1970-01-01")
        );
        assert_eq!(
            serde_json::to_string(&d).ok(),
            Some("\"2024-02-28\"".to_string())
        );
    }

    #[test]
    fn imf_fixdate_is_strict() {
        assert_eq!(
            parse_imf_fixdate("Sun, 06 Nov 1994 08:49:59 GMT").map(|t| t.millis() + 1000),
            parse_imf_fixdate("Sun, 06 Nov 1994 08:49:60 GMT").map(|t| t.millis())
        );
        assert_eq!(
            parse_imf_fixdate("Sun, 06 Nov 1994 08:50:00 GMT"),
            parse_imf_fixdate("Sun, 06 Nov 1994 08:49:60 GMT")
        );
        // The last day of year 9999 is past the end of jiff::Timestamp but still a date.
        assert_eq!(
            parse_imf_fixdate("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(Timestamp(253_402_300_799_000))
        );
        for bad in [
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 +0000",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun, 06 November 1994 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49:61 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "06 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_imf_fixdate(bad), None, "{bad}");
        }
    }
}
