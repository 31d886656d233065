//! PDF rendering of the papers with pdf-writer.
//!
//! Why pdf-writer and not printpdf or genpdf: genpdf needs a TrueType font file at run time,
//! and printpdf 0.12 brings about a hundred crates (font shaping, layout, lopdf) to print a
//! few lines of text. pdf-writer (the Typst project's) writes PDF objects directly with a
//! handful of dependencies, and the standard Helvetica fonts need no embedded font file.
//! The cost: standard fonts speak WinAnsi (Latin-1 and a few more), so the papers print the
//! English and romanised fields; any other character prints as `?`. Customs papers and
//! carriers' labels want Latin script anyway.

use super::papers::{CommercialInvoice, PackingList, Party, Weights};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 40.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Encodes text for a standard font's WinAnsiEncoding.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        })
        .collect()
}

/// Cuts text to about `width` points at `size` (Helvetica averages about half an em per
/// character in these fields; the cut leaves a margin).
fn fit(text: &str, width: f32, size: f32) -> String {
    let max = ((width / (size * 0.52)) as usize).max(4);
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// Wraps text into lines of about `width` points at `size`, breaking between words (a word
/// longer than a line is cut across lines), so a description prints whole.
fn wrap(text: &str, width: f32, size: f32) -> Vec<String> {
    let max = ((width / (size * 0.52)) as usize).max(4);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > max {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word.drain(..max).collect());
        }
        let word: String = word.into_iter().collect();
        if word.is_empty() {
            continue;
        }
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Pages of text with a cursor that moves down and starts a new page when needed.
struct Sheet {
    pages: Vec<Content>,
    y: f32,
    title: String,
}

impl Sheet {
    fn new(title: &str) -> Self {
        let mut s = Sheet {
            pages: Vec::new(),
            y: 0.0,
            title: title.to_string(),
        };
        s.new_page();
        s
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = PAGE_H - MARGIN;
        let n = self.pages.len();
        let title = self.title.clone();
        self.text(MARGIN, &title, 16.0, true);
        self.text(PAGE_W - MARGIN - 50.0, &format!("Page {n}"), 8.0, false);
        self.y -= 24.0;
    }

    fn page(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn text(&mut self, x: f32, text: &str, size: f32, bold: bool) {
        let y = self.y;
        let bytes = win_ansi(text);
        let c = self.page();
        c.begin_text();
        c.set_font(if bold { BOLD } else { REGULAR }, size);
        c.next_line(x, y);
        c.show(Str(&bytes));
        c.end_text();
    }

    /// A rule between the row above and the row to come. The cursor is the next row's
    /// baseline: the rule goes 9 pt above it (below the descenders of the row above, which
    /// sits 12-13 pt higher) and the next row moves 3 pt down, so it clears the rule's caps
    /// side too. (It was drawn 3 pt above the next baseline: through the middle of its text.)
    fn rule(&mut self) {
        let y = self.y + 9.0;
        let c = self.page();
        c.set_line_width(0.5);
        c.move_to(MARGIN, y);
        c.line_to(PAGE_W - MARGIN, y);
        c.stroke();
        self.down(3.0);
    }

    fn down(&mut self, dy: f32) {
        self.y -= dy;
        if self.y < MARGIN + 20.0 {
            self.new_page();
        }
    }

    /// One row of cells: (x, width, text, right-aligned).
    fn row(&mut self, cells: &[(f32, f32, &str)], size: f32, bold: bool) {
        for (x, w, t) in cells {
            let t = fit(t, *w, size);
            self.text(*x, &t, size, bold);
        }
        self.down(size + 4.0);
    }

    /// A row whose cell `wrapped` wraps onto as many lines as it needs (the others print on
    /// its first line, cut to their width).
    fn row_wrapped(&mut self, cells: &[(f32, f32, &str)], wrapped: usize, size: f32) {
        let mut extra = Vec::new();
        for (i, (x, w, t)) in cells.iter().enumerate() {
            if i == wrapped {
                let mut lines = wrap(t, *w, size).into_iter();
                let first = lines.next().unwrap_or_default();
                self.text(*x, &first, size, false);
                extra = lines.map(|l| (*x, l)).collect();
            } else {
                let t = fit(t, *w, size);
                self.text(*x, &t, size, false);
            }
        }
        for (x, l) in extra {
            self.down(size + 2.0);
            self.text(x, &l, size, false);
        }
        self.down(size + 4.0);
    }

    fn party(&mut self, label: &str, p: &Party, x: f32, y: f32) -> f32 {
        let saved = self.y;
        self.y = y;
        self.text(x, label, 9.0, true);
        self.y -= 12.0;
        let mut lines = vec![p.name.clone()];
        lines.extend(p.address_lines.iter().cloned());
        let mut last = String::new();
        if let Some(pc) = &p.postal_code {
            last.push_str(pc);
            last.push(' ');
        }
        last.push_str(&p.country);
        lines.push(last);
        if let Some(phone) = &p.phone {
            lines.push(format!("Tel. {phone}"));
        }
        if let Some(tax) = &p.tax_id {
            lines.push(format!("Tax ID {tax}"));
        }
        for l in lines {
            let t = fit(&l, 250.0, 9.0);
            self.text(x, &t, 9.0, false);
            self.y -= 11.0;
        }
        let bottom = self.y;
        self.y = saved;
        bottom
    }

    fn parties(&mut self, shipper: &Party, consignee: &Party) {
        let top = self.y;
        let a = self.party("Shipper / Exporter", shipper, MARGIN, top);
        let b = self.party("Consignee", consignee, PAGE_W / 2.0, top);
        self.y = a.min(b) - 8.0;
    }

    fn weights(&mut self, w: &Weights, pieces: u64) {
        self.down(6.0);
        self.rule();
        self.row(
            &[
                (MARGIN, 160.0, &format!("Total pieces: {pieces}")),
                (MARGIN + 160.0, 120.0, &format!("Cartons: {}", w.cartons)),
                (
                    MARGIN + 280.0,
                    120.0,
                    &format!("Net weight: {} kg", w.net_kg),
                ),
                (
                    MARGIN + 400.0,
                    120.0,
                    &format!("Gross weight: {} kg", w.gross_kg),
                ),
            ],
            9.0,
            true,
        );
    }

    fn finish(self, title: &str) -> Vec<u8> {
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let regular = Ref::new(3);
        let bold = Ref::new(4);
        let info = Ref::new(5);
        let mut next = 6;
        let mut alloc = || {
            let r = Ref::new(next);
            next += 1;
            r
        };
        let ids: Vec<(Ref, Ref)> = self.pages.iter().map(|_| (alloc(), alloc())).collect();
        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree);
        let count = i32::try_from(ids.len()).unwrap_or(i32::MAX);
        pdf.pages(tree)
            .kids(ids.iter().map(|(p, _)| *p))
            .count(count);
        pdf.type1_font(regular)
            .base_font(Name(b"Helvetica"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.type1_font(bold)
            .base_font(Name(b"Helvetica-Bold"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.document_info(info)
            .title(pdf_writer::TextStr(title))
            .producer(pdf_writer::TextStr("DDHub"));
        for ((page_id, content_id), content) in ids.iter().zip(self.pages) {
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
            let data = content.finish();
            pdf.stream(*content_id, &data);
        }
        pdf.finish()
    }
}

fn header(sheet: &mut Sheet, rows: &[(&str, String)]) {
    for (k, v) in rows {
        sheet.text(MARGIN, k, 9.0, true);
        let v = fit(v, 300.0, 9.0);
        sheet.text(MARGIN + 120.0, &v, 9.0, false);
        sheet.down(12.0);
    }
    sheet.down(6.0);
}

/// The commercial invoice as a PDF document.
pub fn invoice_pdf(inv: &CommercialInvoice) -> Vec<u8> {
    let mut s = Sheet::new("COMMERCIAL INVOICE");
    header(
        &mut s,
        &[
            ("Invoice no.", inv.invoice_number.clone()),
            ("Date", inv.date.to_string()),
            (
                "Order",
                format!("{} (partner ref. {})", inv.order_id, inv.partner_order_id),
            ),
            (
                "Incoterms 2020",
                format!("{} {}", inv.incoterm.as_str(), inv.consignee.country),
            ),
            ("Currency", inv.currency.code().to_string()),
            ("Reason for export", inv.reason_for_export.to_string()),
        ],
    );
    s.parties(&inv.shipper, &inv.consignee);
    let cols = |no: &str, d: &str, hs: &str, o: &str, q: &str, u: &str, t: &str| {
        [
            (MARGIN, 20.0, no.to_string()),
            (MARGIN + 20.0, 240.0, d.to_string()),
            (MARGIN + 262.0, 48.0, hs.to_string()),
            (MARGIN + 312.0, 34.0, o.to_string()),
            (MARGIN + 346.0, 40.0, q.to_string()),
            (MARGIN + 388.0, 60.0, u.to_string()),
            (MARGIN + 452.0, 64.0, t.to_string()),
        ]
    };
    let head = cols(
        "No",
        "Description of goods",
        "HS code",
        "Origin",
        "Qty",
        "Unit USD",
        "Total USD",
    );
    let refs: Vec<(f32, f32, &str)> = head.iter().map(|(x, w, t)| (*x, *w, t.as_str())).collect();
    s.row(&refs, 8.0, true);
    s.rule();
    for l in &inv.lines {
        let cells = cols(
            &l.no.to_string(),
            &l.description,
            l.hs_code,
            &l.origin,
            &l.quantity.to_string(),
            &l.unit_value_usd,
            &l.total_value_usd,
        );
        let refs: Vec<(f32, f32, &str)> =
            cells.iter().map(|(x, w, t)| (*x, *w, t.as_str())).collect();
        s.row_wrapped(&refs, 1, 8.0);
    }
    s.rule();
    s.row(
        &[
            (MARGIN + 20.0, 240.0, "Total value (USD)"),
            (MARGIN + 346.0, 40.0, &inv.total_quantity.to_string()),
            (MARGIN + 452.0, 64.0, &inv.total_value_usd),
        ],
        9.0,
        true,
    );
    s.weights(&inv.weights, inv.total_quantity);
    s.down(16.0);
    s.text(
        MARGIN,
        "I declare that the information on this invoice is true and correct.",
        8.0,
        false,
    );
    s.down(28.0);
    s.text(MARGIN, "Signature: ______________________", 8.0, false);
    s.finish(&format!("Commercial invoice {}", inv.invoice_number))
}

/// The packing list as a PDF document.
pub fn packing_list_pdf(pl: &PackingList) -> Vec<u8> {
    let mut s = Sheet::new("PACKING LIST");
    header(
        &mut s,
        &[
            ("Invoice no.", pl.invoice_number.clone()),
            ("Date", pl.date.to_string()),
            (
                "Order",
                format!("{} (partner ref. {})", pl.order_id, pl.partner_order_id),
            ),
        ],
    );
    s.parties(&pl.shipper, &pl.consignee);
    let kg = |g: u64| format!("{}.{:03}", g / 1000, g % 1000);
    s.row(
        &[
            (MARGIN, 20.0, "No"),
            (MARGIN + 20.0, 100.0, "Style"),
            (MARGIN + 122.0, 220.0, "Description"),
            (MARGIN + 344.0, 48.0, "HS code"),
            (MARGIN + 394.0, 36.0, "Qty"),
            (MARGIN + 432.0, 42.0, "Net kg"),
            (MARGIN + 476.0, 44.0, "Gross kg"),
        ],
        8.0,
        true,
    );
    s.rule();
    for l in &pl.lines {
        let (no, q, n, g) = (
            l.no.to_string(),
            l.quantity.to_string(),
            kg(l.net_grams),
            kg(l.gross_grams),
        );
        s.row_wrapped(
            &[
                (MARGIN, 20.0, &no),
                (MARGIN + 20.0, 100.0, &l.style_code),
                (MARGIN + 122.0, 220.0, &l.description),
                (MARGIN + 344.0, 48.0, l.hs_code),
                (MARGIN + 394.0, 36.0, &q),
                (MARGIN + 432.0, 42.0, &n),
                (MARGIN + 476.0, 44.0, &g),
            ],
            2,
            8.0,
        );
    }
    s.weights(&pl.weights, pl.total_quantity);
    s.finish(&format!("Packing list {}", pl.invoice_number))
}

#[cfg(test)]
mod tests {
    #[test]
    fn descriptions_wrap_whole() {
        let d = "Loose-fit cable knit cardigan, 70% acrylic, 30% wool, knitted - ivory / free";
        let lines = super::wrap(d, 240.0, 8.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert_eq!(lines.join(" "), d);
        assert!(lines.iter().all(|l| l.chars().count() <= 57), "{lines:?}");
        assert_eq!(super::wrap("", 100.0, 8.0), [""]);
    }
}
