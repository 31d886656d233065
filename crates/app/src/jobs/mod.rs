//! One file per job kind: its handler, which the worker runs with the job's typed payload
//! (`ddhub_domain::jobs`, where each payload names its kind).

pub mod catalog_upload;
pub mod glossary_changed;
pub mod photo_normalise;
pub mod style_changed;
pub mod webhook_deliver;
