//! Split: one purchase request (발주) per wholesaler of an order.

use crate::intake::{NormalisedLine, NormalisedOrder};
use ddhub_domain::WholesalerId;
use std::collections::BTreeMap;

/// The lines of one order that go to one wholesaler, in request order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurchaseRequestDraft<'a> {
    pub wholesaler_id: WholesalerId,
    pub lines: Vec<&'a NormalisedLine>,
}

impl PurchaseRequestDraft<'_> {
    /// Pieces asked of this wholesaler.
    pub fn pieces(&self) -> u64 {
        self.lines.iter().map(|l| u64::from(l.quantity)).sum()
    }
}

/// One draft per wholesaler, ordered by wholesaler id (a stable order for storage and tests).
pub fn split_order(order: &NormalisedOrder) -> Vec<PurchaseRequestDraft<'_>> {
    let mut by: BTreeMap<WholesalerId, Vec<&NormalisedLine>> = BTreeMap::new();
    for line in &order.lines {
        by.entry(line.wholesaler_id).or_default().push(line);
    }
    by.into_iter()
        .map(|(wholesaler_id, lines)| PurchaseRequestDraft {
            wholesaler_id,
            lines,
        })
        .collect()
}
