//! Content hashes of a parsed style, so the store can tell an unchanged row from a changed one
//! and which downstream work a change needs (translation, indexing, photos).

use crate::validate::ParsedStyle;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// SHA-256 (hex) of each group of fields, and of the whole style. Store these with the style;
/// compare with [`FieldHashes::changes`] on the next upload.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldHashes {
    /// Everything below together: equal means the row is unchanged.
    pub all: String,
    /// The Korean title: a change queues translation.
    pub title: String,
    /// The Korean description: a change queues translation.
    pub description: String,
    /// Category, composition, origin, season and extra attributes.
    pub attributes: String,
    /// Price, MOQ, same-day flag, sold-out flag, shipping weight.
    pub commerce: String,
    /// Colours and sizes: a change means SKUs to add or retire.
    pub variants: String,
    /// Photo names: a change means photos to match again.
    pub photos: String,
}

/// Which downstream work a change needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    pub any: bool,
    pub translation: bool,
    pub index: bool,
    pub variants: bool,
    pub photos: bool,
}

impl FieldHashes {
    pub fn of(style: &ParsedStyle) -> FieldHashes {
        let title = digest(&[style.title_ko.as_bytes()]);
        let description = digest(&[style.description.as_deref().unwrap_or("").as_bytes()]);
        let attributes = digest_json(&(
            &style.category,
            &style.composition,
            &style.origin,
            &style.season,
            &style.extra,
        ));
        // Measured sizes and the fit note count as attributes; a style without them hashes as
        // it did before they existed.
        let attributes = if style.measurements.is_empty() && style.fit_note.is_none() {
            attributes
        } else {
            let more = digest_json(&(&style.measurements, &style.fit_note));
            digest(&[attributes.as_bytes(), more.as_bytes()])
        };
        // A weight joins the tuple only when given, so styles without one keep their hashes.
        let commerce = match style.weight_grams {
            None => digest_json(&(style.price, style.moq, style.same_day, style.sold_out)),
            Some(w) => digest_json(&(style.price, style.moq, style.same_day, style.sold_out, w)),
        };
        let variants = digest_json(&(&style.colours, &style.sizes));
        let photos = digest_json(&style.photos);
        let all = digest(&[
            style.style_code.as_bytes(),
            title.as_bytes(),
            description.as_bytes(),
            attributes.as_bytes(),
            commerce.as_bytes(),
            variants.as_bytes(),
            photos.as_bytes(),
        ]);
        FieldHashes {
            all,
            title,
            description,
            attributes,
            commerce,
            variants,
            photos,
        }
    }

    /// What changed from `previous` (the hashes stored for the same style code).
    pub fn changes(&self, previous: &FieldHashes) -> Changes {
        let translation = self.title != previous.title || self.description != previous.description;
        Changes {
            any: self.all != previous.all,
            translation,
            index: self.all != previous.all,
            variants: self.variants != previous.variants,
            photos: self.photos != previous.photos,
        }
    }
}

impl ParsedStyle {
    /// SHA-256 (hex) over the style's canonical form. Row numbers do not count: moving a row
    /// in the sheet changes nothing.
    pub fn content_hash(&self) -> String {
        FieldHashes::of(self).all
    }
}

/// Hash of parts, each length-prefixed so `["ab","c"]` and `["a","bc"]` differ.
fn digest(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// serde_json writes struct fields in declaration order and maps (BTreeMap) sorted, so this
/// is a canonical form for the types used here.
fn digest_json<T: Serialize>(v: &T) -> String {
    let bytes = serde_json::to_vec(v).unwrap_or_default();
    digest(&[&bytes])
}
