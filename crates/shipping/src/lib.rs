#![doc = include_str!("../README.md")]

pub mod declaration;
pub mod label;
pub mod package;
pub mod pickup;
pub mod quote;
pub mod rates;
