//! An embedded CJK font for the papers that print Korean (the pickup list): the standard PDF
//! fonts speak Latin-1 only, so Hangul needs a real font in the file. Only the glyphs used are
//! embedded (a subset by Typst's `subsetter`, read with `ttf-parser`), as a Type 0 font with
//! Identity-H encoding and a ToUnicode map, so the text can be searched and copied.
//!
//! Why these crates and not printpdf/genpdf: they are what pdf-writer's own project uses for
//! the same job, with few dependencies; font parsing and subsetting are not things to write
//! by hand.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::BTreeMap;
use std::collections::HashMap;
use subsetter::GlyphRemapper;

/// A font that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("the font file could not be read: {0}")]
    Parse(String),
    #[error("the font could not be subset: {0}")]
    Subset(String),
}

/// A font being used in one document: which glyphs were used (renumbered for the subset) and
/// which characters they show.
pub struct EmbeddedFont {
    data: Vec<u8>,
    index: u32,
    remapper: GlyphRemapper,
    /// char → (new glyph id, advance in 1/1000 em).
    chars: HashMap<char, (u16, f32)>,
    /// New glyph id → (advance, the character it shows).
    used: BTreeMap<u16, (f32, char)>,
    units_per_em: f32,
    ascent: f32,
    descent: f32,
    cap_height: f32,
    bbox: [f32; 4],
    cff: bool,
    name: String,
}

/// The face of a collection that is meant for Korean (`… KR`), else the first.
fn korean_face(data: &[u8]) -> u32 {
    let count = ttf_parser::fonts_in_collection(data).unwrap_or(1);
    (0..count)
        .find(|i| {
            ttf_parser::Face::parse(data, *i).is_ok_and(|f| {
                f.names().into_iter().any(|n| {
                    n.name_id == ttf_parser::name_id::FAMILY
                        && n.to_string().is_some_and(|s| s.ends_with(" KR"))
                })
            })
        })
        .unwrap_or(0)
}

impl EmbeddedFont {
    /// Reads a TrueType or OpenType font, or a collection (its Korean face).
    pub fn new(data: &[u8]) -> Result<Self, FontError> {
        let index = korean_face(data);
        let face =
            ttf_parser::Face::parse(data, index).map_err(|e| FontError::Parse(e.to_string()))?;
        let upem = f32::from(face.units_per_em());
        let scale = |v: i16| f32::from(v) * 1000.0 / upem;
        let b = face.global_bounding_box();
        let name = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| "DDHubFont".into())
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>();
        let cff = face
            .raw_face()
            .table(ttf_parser::Tag::from_bytes(b"CFF "))
            .is_some();
        Ok(EmbeddedFont {
            ascent: scale(face.ascender()),
            descent: scale(face.descender()),
            cap_height: face.capital_height().map_or(700.0, scale),
            bbox: [
                scale(b.x_min),
                scale(b.y_min),
                scale(b.x_max),
                scale(b.y_max),
            ],
            units_per_em: upem,
            data: data.to_vec(),
            index,
            remapper: GlyphRemapper::new(),
            chars: HashMap::new(),
            used: BTreeMap::new(),
            cff,
            name,
        })
    }

    fn glyph(&mut self, c: char) -> (u16, f32) {
        if let Some(g) = self.chars.get(&c) {
            return *g;
        }
        let (gid, advance) = match ttf_parser::Face::parse(&self.data, self.index) {
            Ok(face) => {
                let gid = face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
                let adv = face.glyph_hor_advance(gid).unwrap_or(0);
                (gid.0, f32::from(adv) * 1000.0 / self.units_per_em)
            }
            Err(_) => (0, 0.0),
        };
        let new = self.remapper.remap(gid);
        self.chars.insert(c, (new, advance));
        self.used.entry(new).or_insert((advance, c));
        (new, advance)
    }

    /// The text as two-byte glyph ids of the subset (Identity-H).
    pub fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let (gid, _) = self.glyph(c);
            out.extend_from_slice(&gid.to_be_bytes());
        }
        out
    }

    /// How wide `text` prints at `size` points.
    pub fn width(&mut self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size / 1000.0
    }

    /// Writes the font's objects: `refs` are the Type 0 font (the one pages name), its CID
    /// font, descriptor, font file and ToUnicode map.
    pub fn write(&self, pdf: &mut Pdf, refs: [Ref; 5]) -> Result<(), FontError> {
        let [type0, cid, descriptor, file, cmap] = refs;
        let subset = subsetter::subset(&self.data, self.index, &self.remapper)
            .map_err(|e| FontError::Subset(format!("{e:?}")))?;
        // A CFF font embeds its bare CFF program; a TrueType font the whole (subset) file.
        let program = if self.cff {
            ttf_parser::RawFace::parse(&subset, 0)
                .ok()
                .and_then(|f| f.table(ttf_parser::Tag::from_bytes(b"CFF ")))
                .map(<[u8]>::to_vec)
                .ok_or_else(|| FontError::Subset("no CFF table in the subset".into()))?
        } else {
            subset
        };
        let base = format!("DDHUBA+{}", self.name);
        let base = Name(base.as_bytes());
        pdf.type0_font(type0)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        let system_info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        let mut c = pdf.cid_font(cid);
        c.subtype(if self.cff {
            CidFontType::Type0
        } else {
            CidFontType::Type2
        })
        .base_font(base)
        .system_info(system_info)
        .font_descriptor(descriptor)
        .default_width(0.0);
        if !self.cff {
            c.cid_to_gid_map_predefined(Name(b"Identity"));
        }
        {
            let mut w = c.widths();
            for (gid, (adv, _)) in &self.used {
                w.consecutive(*gid, [*adv]);
            }
        }
        c.finish();
        let mut d = pdf.font_descriptor(descriptor);
        d.name(base)
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                self.bbox[0],
                self.bbox[1],
                self.bbox[2],
                self.bbox[3],
            ))
            .italic_angle(0.0)
            .ascent(self.ascent)
            .descent(self.descent)
            .cap_height(self.cap_height)
            .stem_v(80.0);
        if self.cff {
            d.font_file3(file);
        } else {
            d.font_file2(file);
        }
        d.finish();
        let compressed = {
            use std::io::Write;
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(&program)
                .and_then(|()| z.finish())
                .map_err(|e| FontError::Subset(e.to_string()))?
        };
        let mut s = pdf.stream(file, &compressed);
        s.filter(Filter::FlateDecode);
        if self.cff {
            s.pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
        } else {
            s.pair(
                Name(b"Length1"),
                i32::try_from(program.len()).unwrap_or(i32::MAX),
            );
        }
        s.finish();
        let mut map = UnicodeCmap::new(Name(b"Custom"), system_info);
        for (gid, (_, ch)) in &self.used {
            map.pair(*gid, *ch);
        }
        pdf.cmap(cmap, &map.finish());
        Ok(())
    }
}
