//! One module per use case. Each takes the application's pieces (store, media, listing,
//! configuration) and does the whole of its work; the console pages, the JSON routes and the
//! CLI call these and only render what they return.

pub mod backup;
pub mod buyers;
pub mod catalog;
pub mod channels;
pub mod colour_check;
pub mod declarations;
pub mod feeds;
pub mod glossary;
pub mod landed;
pub mod listing;
pub mod mail;
pub mod orders;
pub mod photos;
pub mod pickups;
pub mod search;
pub mod shipments;
pub mod translations;
pub mod uploads;
