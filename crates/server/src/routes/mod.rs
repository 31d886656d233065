//! HTTP routes, one module per resource.

pub mod health;
pub mod photos;
pub mod styles;
pub mod uploads;
