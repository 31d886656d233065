#![doc = include_str!("../README.md")]

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_initial;
mod m20261127_000002_uploads;
mod m20261127_000003_photo_variants;
mod m20261127_000004_order_intake;
mod m20261127_000005_webhook_deliveries;
mod m20261128_000006_feed_changes;
// issue 5: glossary overrides and translation memory
mod m20261128_000007_glossary_memory;
mod m20261128_000010_console_sessions;
// issue 17: shipping weights, operators
mod m20261206_000017_shipments;
// issue 19: measured sizes
mod m20261206_000019_measured_sizes;
// issue 17, item 7: operator page sessions
mod m20261207_000020_ops_sessions;
// issue 19: colour check of photos against declared colours
mod m20261207_000021_colour_checks;
// issue 22: webhook secret rotation
mod m20261207_000022_webhook_secret_rotation;
// issue 21: buyers, carts, mail outbox
mod m20261207_000023_buyers;
// issue 22: test mode (sandbox partners, test orders)
mod m20261207_000024_test_mode;

/// Every migration, in order.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_initial::Migration),
            Box::new(m20261127_000002_uploads::Migration),
            Box::new(m20261127_000003_photo_variants::Migration),
            Box::new(m20261127_000004_order_intake::Migration),
            Box::new(m20261127_000005_webhook_deliveries::Migration),
            Box::new(m20261128_000006_feed_changes::Migration),
            // issue 5: glossary overrides and translation memory
            Box::new(m20261128_000007_glossary_memory::Migration),
            Box::new(m20261128_000010_console_sessions::Migration),
            Box::new(m20261206_000017_shipments::Migration),
            // issue 19: measured sizes
            Box::new(m20261206_000019_measured_sizes::Migration),
            // issue 17, item 7: operator page sessions
            Box::new(m20261207_000020_ops_sessions::Migration),
            // issue 19: colour check of photos
            Box::new(m20261207_000021_colour_checks::Migration),
            // issue 22: webhook secret rotation
            Box::new(m20261207_000022_webhook_secret_rotation::Migration),
            // issue 21: buyers, carts, mail outbox
            Box::new(m20261207_000023_buyers::Migration),
            // issue 22: test mode
            Box::new(m20261207_000024_test_mode::Migration),
        ]
    }
}
