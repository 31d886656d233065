//! Export orders in the database, one file per concern: idempotency keys (`keys`), intake in one
//! transaction (`intake`, with its PostgreSQL and SQLite write paths in `intake_pg` and
//! `intake_sqlite`), the order event log (`events`), what partners and wholesalers read
//! (`views`), answers (`answers`) and webhook deliveries (`deliveries`). What is written (the
//! split, states, events) is decided by `ddhub-orders`; this only persists it.

use crate::entity::{export_order, idempotency_key, order_event, order_line, purchase_request};
use crate::{Backend, Result, Store, StoreError};
use ddhub_domain::jobs::{JobPayload, WebhookDeliver};
use ddhub_domain::order::{LineState, OrderState, PurchaseRequestState};
use ddhub_domain::{PartnerId, SkuId, StyleId, Timestamp, WholesalerId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use std::collections::HashSet;
use std::sync::Arc;

mod answers;
mod deliveries;
mod events;
mod intake;
mod intake_pg;
mod intake_sqlite;
mod keys;
mod views;

pub use answers::*;
pub use deliveries::*;
pub use events::*;
pub use intake::*;
pub(crate) use intake_pg::*;
pub use intake_sqlite::*;
pub use keys::*;
pub use views::*;
