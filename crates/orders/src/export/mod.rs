//! Export papers.
