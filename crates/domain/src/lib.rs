#![doc = include_str!("../README.md")]

pub mod catalog;
pub mod error;
pub mod id;
pub mod jobs;
pub mod locale;
pub mod measure;
pub mod money;
pub mod order;
pub mod partner;
pub mod size_advice;
pub mod style;
pub mod style_rules;
pub mod text;
pub mod time;
pub mod translation;
pub mod weights;
pub mod wholesaler;

pub use id::*;
pub use locale::Locale;
pub use money::{Currency, DecimalMoney, Krw, Money, MoneyError, RatePerKrw, RoundingRule};
pub use time::Timestamp;
