//! Closed vocabularies of the catalog (categories, colours, sizes, materials, origins, seasons).
//! Filled by the ingestion work; kept here so every pipeline crate shares one set of codes.
