//! sea-orm entities, one per table. Only this crate sees them; other crates get domain types.

pub mod api_key;
pub mod catalog_change;
pub mod column_mapping;
pub mod console_session;
pub mod exchange_rate;
pub mod export_order;
pub mod glossary_override;
pub mod glossary_revision;
pub mod idempotency_key;
pub mod job;
pub mod order_event;
pub mod order_line;
pub mod partner;
pub mod photo;
pub mod purchase_request;
pub mod sku;
pub mod style;
pub mod style_measurement;
pub mod translation;
pub mod translation_memory;
pub mod upload;
pub mod upload_problem;
pub mod webhook_delivery;
pub mod wholesaler;
