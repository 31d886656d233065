//! Shipping labels (issue 17): one A6 page per package with sender, consignee, service,
//! weight and a Code 128 barcode of the tracking number (barcoders encodes the symbol;
//! pdf-writer draws its bars as filled rectangles, so a phone scanner reads it at any zoom).
//! Text uses the standard Helvetica fonts (no font file to ship), which print Latin script:
//! other characters print as `?`, and carriers want Latin-script addresses anyway.

use barcoders::sym::code128::Code128;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

/// A6 in points (105 × 148 mm).
const PAGE_W: f32 = 297.6;
const PAGE_H: f32 = 419.5;
const MARGIN: f32 = 18.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");
/// Quiet zone on each side of the bars, in modules (Code 128 asks for at least 10).
const QUIET_MODULES: f32 = 10.0;

/// One package's label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelPackage {
    pub weight_grams: u32,
    pub tracking_number: String,
}

/// What the labels of a shipment print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelInput {
    pub shipment_id: i64,
    pub service: String,
    pub shipper: Vec<String>,
    pub consignee: Vec<String>,
    pub packages: Vec<LabelPackage>,
}

/// Why labels cannot be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("tracking number {0:?} cannot be encoded as Code 128")]
    Barcode(String),
    #[error("the shipment has no packages")]
    NoPackages,
}

/// Encodes text for a standard font's WinAnsiEncoding (Latin-1); anything else is `?`.
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// The modules of `tracking`'s Code 128 symbol (1 = bar), start, check and stop included.
pub fn code128_modules(tracking: &str) -> Result<Vec<u8>, LabelError> {
    // Character set B carries upper- and lower-case letters, digits and punctuation.
    Code128::new(format!("\u{0181}{tracking}"))
        .map(|c| c.encode())
        .map_err(|_| LabelError::Barcode(tracking.to_string()))
}

struct Page {
    c: Content,
    y: f32,
}

impl Page {
    fn text(&mut self, text: &str, size: f32, bold: bool) {
        self.y -= size * 1.3;
        let bytes = latin1(text);
        self.c.begin_text();
        self.c.set_font(if bold { BOLD } else { REGULAR }, size);
        self.c.next_line(MARGIN, self.y);
        self.c.show(Str(&bytes));
        self.c.end_text();
    }

    fn rule(&mut self) {
        self.y -= 6.0;
        self.c.set_line_width(0.8);
        self.c.move_to(MARGIN, self.y);
        self.c.line_to(PAGE_W - MARGIN, self.y);
        self.c.stroke();
        self.y -= 4.0;
    }

    fn barcode(&mut self, modules: &[u8], height: f32) {
        let width = PAGE_W - 2.0 * MARGIN;
        #[allow(clippy::cast_precision_loss)] // a symbol has a few hundred modules
        let module = width / (modules.len() as f32 + 2.0 * QUIET_MODULES);
        self.y -= height;
        self.c.set_fill_gray(0.0);
        let mut i = 0;
        while i < modules.len() {
            if modules[i] == 1 {
                let start = i;
                while i < modules.len() && modules[i] == 1 {
                    i += 1;
                }
                #[allow(clippy::cast_precision_loss)]
                let x = MARGIN + (QUIET_MODULES + start as f32) * module;
                #[allow(clippy::cast_precision_loss)]
                let w = (i - start) as f32 * module;
                self.c.rect(x, self.y, w, height);
            } else {
                i += 1;
            }
        }
        self.c.fill_nonzero();
    }
}

/// The labels of a shipment: one A6 page per package.
pub fn render_labels(input: &LabelInput) -> Result<Vec<u8>, LabelError> {
    if input.packages.is_empty() {
        return Err(LabelError::NoPackages);
    }
    let count = input.packages.len();
    let mut pages = Vec::with_capacity(count);
    for (i, p) in input.packages.iter().enumerate() {
        let modules = code128_modules(&p.tracking_number)?;
        let mut page = Page {
            c: Content::new(),
            y: PAGE_H - MARGIN,
        };
        page.text("FROM", 7.0, true);
        for l in &input.shipper {
            page.text(l, 8.0, false);
        }
        page.rule();
        page.text("TO", 7.0, true);
        for (n, l) in input.consignee.iter().enumerate() {
            page.text(l, if n == 0 { 12.0 } else { 10.0 }, n == 0);
        }
        page.rule();
        page.text(&input.service, 11.0, true);
        page.text(
            &format!(
                "Package {} of {count}    Weight {}.{:03} kg    Shipment {}",
                i + 1,
                p.weight_grams / 1000,
                p.weight_grams % 1000,
                input.shipment_id
            ),
            9.0,
            false,
        );
        page.rule();
        page.y -= 8.0;
        page.barcode(&modules, 70.0);
        page.y -= 4.0;
        page.text(&p.tracking_number, 14.0, true);
        pages.push(page.c);
    }
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let mut next = 5;
    let mut ids = Vec::with_capacity(count);
    for _ in 0..count {
        ids.push((Ref::new(next), Ref::new(next + 1)));
        next += 2;
    }
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().map(|(p, _)| *p))
        .count(i32::try_from(count).unwrap_or(i32::MAX));
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    for ((page_id, content_id), content) in ids.iter().zip(pages) {
        let mut page = pdf.page(*page_id);
        page.parent(tree)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(*content_id);
        let mut res = page.resources();
        let mut fonts = res.fonts();
        fonts.pair(REGULAR, regular);
        fonts.pair(BOLD, bold);
        fonts.finish();
        res.finish();
        page.finish();
        pdf.stream(*content_id, &content.finish());
    }
    Ok(pdf.finish())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_label_per_package_and_unencodable_numbers_refused() {
        let input = LabelInput {
            shipment_id: 1,
            service: "K-Packet".into(),
            shipper: vec!["DDHub".into()],
            consignee: vec!["Shop".into(), "Tokyo".into()],
            packages: vec![
                LabelPackage {
                    weight_grams: 1200,
                    tracking_number: "LK1KR".into(),
                },
                LabelPackage {
                    weight_grams: 800,
                    tracking_number: "LK2KR".into(),
                },
            ],
        };
        let pdf = render_labels(&input).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let text = String::from_utf8_lossy(&pdf);
        assert_eq!(
            text.matches("/Type /Page\n").count() + text.matches("/Type /Page ").count(),
            2,
            "{text}"
        );
        let modules = code128_modules("LK123456789KR").unwrap();
        // Start, 13 symbols, check, stop: 11 modules each, the stop 13.
        assert_eq!(modules.len(), 11 * 15 + 13);
        assert!(code128_modules("운송장").is_err());
        let mut none = input.clone();
        none.packages.clear();
        assert_eq!(render_labels(&none), Err(LabelError::NoPackages));
    }
}
