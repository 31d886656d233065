//! The catalog change log under concurrent writers: a reader paging with the never-skip
//! cursor sees every row exactly once, in increasing order.

use crate::common;
use ddhub_domain::style::{Quantity, StockState, StyleState};
use ddhub_domain::wholesaler::ShopLocation;
use ddhub_domain::{Krw, Locale};
use ddhub_store::catalog::{self, StyleInput};
use ddhub_store::changes::{self, ViewFilter};
use ddhub_store::parties;
use std::collections::BTreeSet;
use std::time::Duration;

fn style(code: String) -> StyleInput {
    StyleInput {
        style_code: code,
        title_ko: "반폴라 골지 니트".into(),
        category: "top/knit".into(),
        price: Krw(15_000),
        moq: Quantity(1),
        composition: vec![],
        origin: None,
        season: None,
        same_day_dispatch: false,
        weight_grams: None,
        description_ko: None,
        state: StyleState::Active,
        extra: Default::default(),
        skus: vec![("black".into(), "free".into(), StockState::InStock)],
        measurements: Vec::new(),
        fit_note: None,
    }
}

/// Eight writers each create styles one transaction at a time and hold the transaction open
/// a moment after the log row is written (as an upload job does while it finishes its
/// batch), so commits land out of id order unless the log prevents it. The reader pages
/// with small pages throughout and must end with every row, each once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn catalog_log_never_skips_under_concurrent_writers() {
    for db in common::all("changes_race").await {
        let store = db.store.clone();
        const WRITERS: usize = 8;
        const EACH: usize = 25;
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let store = store.clone();
            let loc = ShopLocation {
                building: "누죤".into(),
                floor: "2".into(),
                unit: format!("B-{w}"),
            };
            let (ws, _) = parties::add_wholesaler(&store, &format!("W{w}"), loc)
                .await
                .unwrap();
            writers.push(tokio::spawn(async move {
                for i in 0..EACH {
                    let txn = store.begin_write().await.unwrap();
                    catalog::upsert_styles(&txn, ws.id, None, &[style(format!("K-{w}-{i}"))])
                        .await
                        .unwrap();
                    tokio::time::sleep(Duration::from_millis(((w * 7 + i * 3) % 5) as u64)).await;
                    txn.commit().await.unwrap();
                }
            }));
        }
        let view = ViewFilter {
            wholesalers: None,
            locale: Locale::En,
        };
        let mut seen: Vec<i64> = Vec::new();
        let mut cursor = 0;
        let mut last_pass = false;
        loop {
            let finished = writers.iter().all(|w| w.is_finished());
            let page = changes::after(&store, &view, cursor, 7).await.unwrap();
            for r in &page.rows {
                assert!(
                    seen.last().is_none_or(|l| r.seq > *l),
                    "{}: seq {} after {:?}",
                    db.name,
                    r.seq,
                    seen.last()
                );
                seen.push(r.seq);
            }
            cursor = page.next;
            if last_pass {
                break;
            }
            if finished && !page.has_more {
                last_pass = true;
            }
            tokio::task::yield_now().await;
        }
        for w in writers {
            w.await.unwrap();
        }
        let all = changes::after(&store, &view, 0, 100_000).await.unwrap();
        let every: BTreeSet<i64> = all.rows.iter().map(|r| r.seq).collect();
        assert_eq!(every.len(), WRITERS * EACH, "{}", db.name);
        let got: BTreeSet<i64> = seen.iter().copied().collect();
        let skipped: Vec<_> = every.difference(&got).collect();
        assert!(
            skipped.is_empty(),
            "{}: the cursor skipped {} of {} rows: {skipped:?}",
            db.name,
            skipped.len(),
            every.len()
        );
        eprintln!(
            "{}: {} catalog changes polled during concurrent writes, none skipped",
            db.name,
            seen.len()
        );
    }
}
