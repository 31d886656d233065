#![doc = include_str!("../README.md")]

pub mod category;
pub mod changes;
pub mod channels;
pub mod csv_feed;
pub mod diagnostics;
pub mod etag;
pub mod gmc;
pub mod item;
pub mod jsonl;
pub mod settings;
pub mod size;
pub mod text;
pub mod writer;

pub use category::{CategoryResolution, GoogleCategory, default_google_category};
pub use changes::{Change, ChangeEntry, ChangesPage, CursorError, FeedCursor, TombstoneReason};
pub use channels::{Action, ChannelConfig, ChannelImage, Issue, Reason, StyleOutcome};
pub use csv_feed::CsvWriter;
pub use diagnostics::{FeedDiagnostics, StyleDiagnosis};
pub use etag::{FEED_SCHEMA_VERSION, feed_etag, if_none_match};
pub use gmc::GmcXmlWriter;
pub use item::{
    AgeGroup, Availability, Condition, FeedItem, FeedMapper, FeedShipping, FeedSku, FeedStyle,
    Gender, SkipCounts, SkipReason, StyleExtras, item_id, item_id_candidates, item_id_of,
};
pub use jsonl::JsonlWriter;
pub use settings::{CategoryTarget, FeedSettings, SettingsError, ShippingDefault, TitleCase};
pub use size::{ConvertedSize, FeedSizeSystem, convert_size};
pub use writer::{
    Channel, Compression, FeedError, FeedFormat, FeedSummary, FeedWriter, GzipSink, StyleReport,
    write_feed, write_feed_observed,
};
