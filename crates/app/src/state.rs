//! The application state: one value per process, shared by the HTTP routes, the console pages,
//! the CLI and the workers (crates.io's `App`).

use crate::config::Config;
use crate::media::{MediaError, MediaStore};
use crate::services::listing::Listing;
use crate::worker::JobSignal;
use ddhub_store::Store;
use std::sync::Arc;

/// Everything a use case needs, built once per process.
#[derive(Debug)]
pub struct App {
    pub config: Config,
    pub store: Store,
    /// Wakes this process's workers when a use case enqueues a job.
    pub jobs: JobSignal,
    /// Where normalised photos are kept.
    pub media: MediaStore,
    /// Search and listings, in processes that serve search.
    pub search: Option<Arc<Listing>>,
}

impl App {
    /// Builds the state; fails when the configured media store cannot be opened.
    pub fn new(config: Config, store: Store, jobs: JobSignal) -> Result<Self, MediaError> {
        let media = MediaStore::open(&config.media_store, &config.data_dir)?;
        Ok(Self {
            config,
            store,
            jobs,
            media,
            search: None,
        })
    }
}

/// The shared handle every caller holds.
pub type AppState = Arc<App>;
