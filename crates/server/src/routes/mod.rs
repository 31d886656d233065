//! HTTP routes, one module per resource.

pub mod buyers;
pub mod declarations;
pub mod docs;
pub mod feeds;
pub mod health;
pub mod landed;
pub mod orders;
pub mod photos;
pub mod pickups;
pub mod search;
pub mod shipments;
pub mod styles;
pub mod translations;
pub mod uploads;
pub mod webhooks;
