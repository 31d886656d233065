//! The changes feed model as a client sees it.

use crate::support::*;
use ddhub_domain::Timestamp;
use ddhub_feeds::{ChangeEntry, ChangesPage, FeedCursor, FeedSettings, TombstoneReason};

#[test]
fn sold_out_items_become_tombstones_and_pages_serialise() {
    let items = items(&FeedSettings::default(), &sample_catalog());
    let rows: Vec<ChangeEntry> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| ChangeEntry::for_item(100 + i as i64, Timestamp(5), item))
        .collect();
    let tombstones = rows
        .iter()
        .filter(|r| {
            matches!(
                r.change,
                ddhub_feeds::Change::Delete {
                    reason: TombstoneReason::SoldOut
                }
            )
        })
        .count();
    // The sold-out cardigan SKU and the sold-out dress.
    assert_eq!(tombstones, 2);
    let after = FeedCursor::new(99);
    let page = ChangesPage::from_rows(after, rows, 10);
    assert!(page.has_more);
    assert_eq!(page.next_cursor, FeedCursor::new(109));
    let json = serde_json::to_value(&page).unwrap();
    assert_eq!(json["next_cursor"], "v1.109");
    assert_eq!(json["has_more"], true);
    let first = &json["changes"][0];
    assert_eq!(first["op"], "upsert");
    assert_eq!(first["cursor"], "v1.100");
    assert_eq!(first["id"], "7-KN-2041-black-55");
    assert_eq!(first["item"]["price"]["amount"], "12.96");
    assert_eq!(first["item"]["price"]["currency"], "USD");
    assert!(
        first["changed_at"].as_str().unwrap().ends_with('Z'),
        "{first}"
    );
    let cursor: FeedCursor = serde_json::from_value(json["next_cursor"].clone()).unwrap();
    assert_eq!(cursor.seq(), 109);
}
