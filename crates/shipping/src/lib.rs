#![doc = include_str!("../README.md")]

pub mod declaration;
pub mod font;
pub mod label;
pub mod package;
pub mod pickup;
pub mod pickup_sheet;
pub mod quote;
pub mod rates;
