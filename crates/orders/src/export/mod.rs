//! Export papers: HS codes and weights from tables shipped as data, the commercial invoice and
//! the packing list as JSON-serialisable structs, and their PDF rendering.

pub mod hs;
pub mod papers;
pub mod pdf;

pub use hs::{
    Construction, Gender, HsEntry, MaterialClass, category_defaults, lookup_hs, main_material,
};
pub use papers::{
    CommercialInvoice, ExportPapers, Incoterm, PackagingRules, PackingList, PaperItem, PapersError,
    PapersInput, Party, UsdRates, build_papers,
};
