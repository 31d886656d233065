//! sea-orm entities, one per table. Only this crate sees them; other crates get domain types.

pub mod api_key;
pub mod column_mapping;
pub mod console_session;
pub mod exchange_rate;
pub mod export_order;
pub mod idempotency_key;
pub mod job;
pub mod order_event;
pub mod order_line;
pub mod partner;
pub mod photo;
pub mod purchase_request;
pub mod sku;
pub mod style;
pub mod translation;
pub mod upload;
pub mod upload_problem;
pub mod webhook_delivery;
pub mod wholesaler;
