//! Calendar dates (`yyyy-mm-dd`) and the few instant formats the orders core prints or reads.
//!
//! Hand-written rather than pulling in `time` or `chrono`: the core needs only proleptic
//! Gregorian day arithmetic (Howard Hinnant's `days_from_civil`), ISO dates, RFC 3339 UTC
//! instants for webhook payloads and the IMF-fixdate form of `Retry-After`.

use ddhub_domain::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A day in the proleptic Gregorian calendar, years 1..=9999.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate {
    year: u16,
    month: u8,
    day: u8,
}

/// A date that is not a real `yyyy-mm-dd` day.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a date in the form yyyy-mm-dd")]
pub struct BadDate(pub String);

impl BadDate {
    pub fn code(&self) -> &'static str {
        "bad_date"
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl CalendarDate {
    /// A date from its parts, if it exists.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(i64::from(year), month) {
            return None;
        }
        Some(Self { year, month, day })
    }

    pub fn year(self) -> u16 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        )
    }

    /// The UTC day an instant falls on.
    pub fn from_timestamp(ts: Timestamp) -> Self {
        let days = ts.millis().div_euclid(86_400_000);
        Self::from_days(days).unwrap_or(Self {
            year: 1970,
            month: 1,
            day: 1,
        })
    }

    fn from_days(days: i64) -> Option<Self> {
        let (y, m, d) = civil_from_days(days);
        Self::new(
            u16::try_from(y).ok()?,
            u8::try_from(m).ok()?,
            u8::try_from(d).ok()?,
        )
    }

    /// This date moved by `days`, if it stays within years 1..=9999.
    pub fn plus_days(self, days: i64) -> Option<Self> {
        Self::from_days(self.days_since_epoch().checked_add(days)?)
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
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

/// An instant as RFC 3339 UTC with milliseconds: `2026-11-27T09:30:00.000Z`.
pub fn rfc3339(ts: Timestamp) -> String {
    let ms = ts.millis();
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, rest) = (in_day / 3_600_000, in_day % 3_600_000);
    let (min, rest) = (rest / 60_000, rest % 60_000);
    let (s, milli) = (rest / 1000, rest % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// Parses an HTTP IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7), the only
/// date form a sender must generate. Obsolete forms are not accepted.
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
    let hms: Vec<i64> = time
        .split(':')
        .map(|p| p.parse::<i64>().ok())
        .collect::<Option<_>>()?;
    let [h, m, sec] = hms.as_slice() else {
        return None;
    };
    if !(0..24).contains(h) || !(0..60).contains(m) || !(0..61).contains(sec) {
        return None;
    }
    let secs = date.days_since_epoch() * 86_400 + h * 3600 + m * 60 + sec;
    Some(Timestamp(secs.checked_mul(1000)?))
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
}

/// Today's date in Seoul (KST, UTC+9): the hub's and the wholesalers' "today".
pub fn seoul_today() -> CalendarDate {
    CalendarDate::from_timestamp(Timestamp::now().plus(std::time::Duration::from_secs(9 * 3600)))
}
