//! The changes feed model: upserts and tombstones in commit order, paged by a cursor that wraps
//! a database sequence number (never a timestamp window, which misses concurrent commits).

use crate::item::{Availability, FeedItem};
use ddhub_domain::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A position in the changes feed: "everything up to and including sequence `n` seen".
///
/// On the wire it is an opaque string `v1.<n>` (`n` a non-negative decimal i64); clients must
/// pass it back unchanged. The `v1.` prefix lets the format change later without misreading old
/// cursors. [`FeedCursor::START`] (`v1.0`) reads from the beginning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FeedCursor(i64);

/// A cursor string that this version did not write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cursor {0:?}: pass back a next_cursor value unchanged")]
pub struct CursorError(pub String);

impl ddhub_domain::error::Coded for CursorError {
    fn error_code(&self) -> ddhub_domain::error::ErrorCode {
        ddhub_domain::error::ErrorCode::InvalidCursor
    }

    fn public_detail(&self) -> Option<String> {
        Some(self.0.clone())
    }
}

const PREFIX: &str = "v1.";

impl FeedCursor {
    pub const START: FeedCursor = FeedCursor(0);

    /// The cursor after the change with sequence number `seq` (negative clamps to the start).
    pub fn new(seq: i64) -> Self {
        FeedCursor(seq.max(0))
    }

    /// The last sequence number seen: the next page reads `seq > self.seq()`.
    pub fn seq(self) -> i64 {
        self.0
    }
}

impl fmt::Display for FeedCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}{}", self.0)
    }
}

impl FromStr for FeedCursor {
    type Err = CursorError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || CursorError(s.chars().take(64).collect());
        let digits = s.strip_prefix(PREFIX).ok_or_else(bad)?;
        if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        digits.parse::<i64>().map(FeedCursor).map_err(|_| bad())
    }
}

impl Serialize for FeedCursor {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FeedCursor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Why an item left the feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TombstoneReason {
    SoldOut,
    Archived,
    Removed,
    /// The partner's settings no longer include it (wholesaler, category, photos).
    Excluded,
}

/// What happened to one item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    /// The item is new or changed: here it is in full.
    Upsert { item: Box<FeedItem> },
    /// The item is gone from the partner's view.
    Delete { reason: TombstoneReason },
}

/// One entry of the changes feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeEntry {
    /// Resume after this entry by passing it as `cursor`.
    pub cursor: FeedCursor,
    /// The feed item id (`g:id`).
    pub id: String,
    /// RFC 3339 UTC in JSON.
    #[serde(serialize_with = "crate::item::rfc3339")]
    pub changed_at: Timestamp,
    #[serde(flatten)]
    pub change: Change,
}

impl ChangeEntry {
    /// The entry for an item's current state: a sold-out item is a tombstone, anything else an
    /// upsert.
    pub fn for_item(seq: i64, changed_at: Timestamp, item: FeedItem) -> ChangeEntry {
        let id = item.id.clone();
        let change = if item.availability == Availability::OutOfStock {
            Change::Delete {
                reason: TombstoneReason::SoldOut,
            }
        } else {
            Change::Upsert {
                item: Box::new(item),
            }
        };
        ChangeEntry {
            cursor: FeedCursor::new(seq),
            id,
            changed_at,
            change,
        }
    }

    pub fn tombstone(seq: i64, changed_at: Timestamp, id: String, reason: TombstoneReason) -> Self {
        ChangeEntry {
            cursor: FeedCursor::new(seq),
            id,
            changed_at,
            change: Change::Delete { reason },
        }
    }
}

/// One page: `{"changes": [...], "next_cursor": "v1.42", "has_more": true}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangesPage {
    pub changes: Vec<ChangeEntry>,
    pub next_cursor: FeedCursor,
    pub has_more: bool,
}

impl ChangesPage {
    /// Builds a page from rows read with `seq > after` in sequence order, fetched with
    /// `limit + 1` so the extra row tells whether more follow. With no rows, `next_cursor`
    /// stays `after`, so a client polling an idle feed keeps its place.
    pub fn from_rows(after: FeedCursor, mut rows: Vec<ChangeEntry>, limit: usize) -> ChangesPage {
        let has_more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = rows.last().map(|e| e.cursor).unwrap_or(after).max(after);
        ChangesPage {
            changes: rows,
            next_cursor,
            has_more,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip() {
        let c = FeedCursor::new(42);
        assert_eq!(c.to_string(), "v1.42");
        assert_eq!("v1.42".parse::<FeedCursor>(), Ok(c));
        for bad in [
            "42",
            "v1.",
            "v1.-1",
            "v1.4x",
            "v2.1",
            "v1.99999999999999999999",
        ] {
            assert!(bad.parse::<FeedCursor>().is_err(), "{bad}");
        }
        assert_eq!(FeedCursor::new(-5), FeedCursor::START);
    }

    #[test]
    fn page_of_rows() {
        let rows: Vec<ChangeEntry> = (1..=3)
            .map(|i| {
                ChangeEntry::tombstone(i, Timestamp(0), format!("x{i}"), TombstoneReason::Removed)
            })
            .collect();
        let p = ChangesPage::from_rows(FeedCursor::START, rows, 2);
        assert!(p.has_more);
        assert_eq!(p.next_cursor, FeedCursor::new(2));
        let json = serde_json::to_value(&p).unwrap_or_default();
        assert_eq!(json["next_cursor"], "v1.2");
        assert_eq!(json["changes"][0]["op"], "delete");
        assert_eq!(json["changes"][0]["reason"], "removed");
        let empty = ChangesPage::from_rows(FeedCursor::new(7), Vec::new(), 2);
        assert_eq!(
            (empty.next_cursor, empty.has_more),
            (FeedCursor::new(7), false)
        );
    }
}
