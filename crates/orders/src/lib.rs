#![doc = include_str!("../README.md")]

pub mod answers;
mod datafile;
pub mod date;
pub mod dispatch;
pub mod export;
pub mod fingerprint;
pub mod intake;
pub mod landed;
pub mod lifecycle;
pub mod messages;
pub mod receiving;
pub mod split;
pub mod webhook;

pub use date::CalendarDate;
