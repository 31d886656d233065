//! The storefront's measured-size (실측) table: cm always, inches beside them for en-US
//! buyers, labels in the buyer's language, half (단면) measures labelled as flat.

use super::Ui;
use axum::http::HeaderMap;
use ddhub_domain::catalog;
use ddhub_domain::measure::{Measure, mm_to_cm, mm_to_inches};
use ddhub_domain::{Currency, Locale};
use ddhub_store::measurements::MeasuredSizes;

/// One size's row: its label and one cell per column.
pub struct MeasuredRow {
    pub size: String,
    pub cells: Vec<String>,
}

/// The table as the template shows it.
pub struct MeasuredTable {
    /// `in cm, garment laid flat` (or with inches).
    pub unit: String,
    pub columns: Vec<String>,
    pub rows: Vec<MeasuredRow>,
    /// Whether a flat (half) measure is shown, so the note explaining it is needed.
    pub has_half: bool,
    /// The model's fit note in the buyer's language where it reads as one (`Model: 168 cm · S`).
    pub fit_note: Option<String>,
    /// Size advice (issue 19, item 4): per measured size, the Korean, international and
    /// Japanese sizes its chest or waist corresponds to.
    pub advice: Vec<String>,
    /// The advice's estimate note with its sources.
    pub advice_note: String,
}

/// Whether the buyer reads inches: English, and either paying in US dollars or asking for US
/// English first.
pub fn wants_inches(headers: &HeaderMap, locale: Locale, currency: Currency) -> bool {
    if locale != Locale::En {
        return false;
    }
    if currency == Currency::Usd {
        return true;
    }
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            accept_language::parse(v)
                .into_iter()
                .find(|t| t.to_ascii_lowercase().starts_with("en"))
        })
        .is_some_and(|t| t.eq_ignore_ascii_case("en-us"))
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn size_label(code: &str, locale: Locale) -> String {
    catalog::sizes()
        .get(code)
        .map_or_else(|| code.to_uppercase(), |s| s.labels.get(locale).to_string())
}

/// The table for a style's measured sizes, or `None` when it has none.
pub fn table(ui: &Ui, locale: Locale, m: &MeasuredSizes, inches: bool) -> Option<MeasuredTable> {
    let fit_note = m.fit_note.as_deref().map(|n| fit_note_text(ui, locale, n));
    if m.measurements.is_empty() {
        return fit_note.map(|f| MeasuredTable {
            unit: String::new(),
            columns: Vec::new(),
            rows: Vec::new(),
            has_half: false,
            fit_note: Some(f),
            advice: Vec::new(),
            advice_note: String::new(),
        });
    }
    let advice = size_advice(ui, locale, m, inches);
    let shown: Vec<Measure> = Measure::ALL
        .into_iter()
        .filter(|k| m.measurements.iter().any(|s| s.get_mm(*k).is_some()))
        .collect();
    let rows = m
        .measurements
        .iter()
        .map(|s| MeasuredRow {
            size: size_label(&s.size, locale),
            cells: shown
                .iter()
                .map(|k| match s.get_mm(*k) {
                    Some(mm) if inches => {
                        format!("{} ({})", number(mm_to_cm(mm)), number(mm_to_inches(mm)))
                    }
                    Some(mm) => number(mm_to_cm(mm)),
                    None => "—".to_string(),
                })
                .collect(),
        })
        .collect();
    Some(MeasuredTable {
        unit: ui.t(if inches {
            "measure_unit_cm_in"
        } else {
            "measure_unit_cm"
        }),
        columns: shown
            .iter()
            .map(|k| ui.t(&format!("measure_{}", k.key())))
            .collect(),
        rows,
        has_half: shown.iter().any(|k| {
            matches!(
                k,
                Measure::ChestHalf | Measure::WaistHalf | Measure::HipHalf
            )
        }),
        fit_note,
        advice: advice.0,
        advice_note: advice.1,
    })
}

/// The size advice lines and their note, from `ddhub_domain::size_advice`.
fn size_advice(ui: &Ui, locale: Locale, m: &MeasuredSizes, inches: bool) -> (Vec<String>, String) {
    use ddhub_domain::size_advice::{BodyMeasure, advise};
    let advice = advise(&m.measurements);
    let length = |cm: f64| {
        if inches {
            format!("{} cm ({} in)", number(cm), number(cm / 2.54))
        } else {
            format!("{} cm", number(cm))
        }
    };
    let mut sources: Vec<String> = Vec::new();
    let lines = advice
        .iter()
        .map(|a| {
            for s in &a.sources {
                if !sources.contains(s) {
                    sources.push(s.clone());
                }
            }
            let sizes = if a.sizes.is_empty() {
                ui.t("size_advice_none")
            } else {
                a.sizes
                    .iter()
                    .map(|(system, size)| {
                        let system = if system == "INTL" { "Intl" } else { system };
                        format!("{system} {size}")
                    })
                    .collect::<Vec<_>>()
                    .join(" · ")
            };
            let key = match a.measure {
                BodyMeasure::Chest => "size_advice_chest",
                BodyMeasure::Waist => "size_advice_waist",
            };
            ui.t(key)
                .replace("{size}", &size_label(&a.size, locale))
                .replace("{garment}", &length(a.garment_cm))
                .replace("{body}", &length(a.body_cm.round()))
                .replace("{sizes}", &sizes)
        })
        .collect::<Vec<_>>();
    let note = if lines.is_empty() {
        String::new()
    } else {
        ui.t("size_advice_note")
            .replace("{sources}", &sources.join("; "))
    };
    (lines, note)
}

/// `모델 168cm 55 착용` → `Model: 168 cm · S (55)` in the buyer's language: the height and the
/// size worn are read; a note that says more stays as written.
fn fit_note_text(ui: &Ui, locale: Locale, note: &str) -> String {
    let words: Vec<&str> = note
        .split(|c: char| c.is_whitespace() || c == ',' || c == '/')
        .filter(|w| !w.is_empty())
        .collect();
    let mut height = None;
    let mut size = None;
    let mut other = false;
    for w in &words {
        let t = w.trim_end_matches("착용").trim_start_matches("모델");
        if t.is_empty() || matches!(*w, "모델" | "착용" | "키" | "사이즈") {
            continue;
        }
        if let Some(h) = t.strip_suffix("cm").and_then(|h| h.parse::<u32>().ok()) {
            height = Some(h);
        } else if let Some(s) = catalog::sizes().find(t.trim_end_matches("사이즈")) {
            size = Some(s.code);
        } else {
            other = true;
        }
    }
    if other || (height.is_none() && size.is_none()) || locale == Locale::Ko {
        return format!("{}: {note}", ui.t("fit_note"));
    }
    let mut parts = Vec::new();
    if let Some(h) = height {
        parts.push(format!("{h} cm"));
    }
    if let Some(s) = size {
        parts.push(size_label(s, locale));
    }
    format!("{}: {}", ui.t("fit_note"), parts.join(" · "))
}

/// The style page's delivered-price line for the buyer's currency's country (`About ¥4,320
/// delivered to Japan: shipping ¥2,550, duty and tax ¥0`) and its estimate note; `None` when the
/// currency names no destination or a rate is missing (the page then shows the price alone).
/// The page language of `ui`.
fn locale_of(ui: &Ui) -> Locale {
    Locale::from_tag(ui.lang).unwrap_or(Locale::En)
}

pub async fn landed_line(
    app: &ddhub_app::AppState,
    ui: &Ui,
    style: &ddhub_domain::style::Style,
    currency: Currency,
) -> Option<(String, String)> {
    use ddhub_app::services::landed;
    let dest = landed::destination_of(currency)?;
    let today = ddhub_orders::date::seoul_today();
    let view =
        match landed::estimate_for(&app.store, style, None, dest, Some(currency), today).await {
            Ok(v) => v,
            Err(e) => {
                tracing::debug!(error = %e, "no delivered price on the style page");
                return None;
            }
        };
    let [_, shipping, duty, tax, total] = view.money;
    let show = |m: ddhub_domain::Money| {
        super::format_price(&m.decimal(), m.currency.code(), locale_of(ui))
    };
    let duty_tax = ddhub_domain::Money {
        minor: duty.minor + tax.minor,
        currency: duty.currency,
    };
    let line = ui
        .t("landed_line")
        .replace("{total}", &show(total))
        .replace("{country}", &ui.t(&format!("country_{dest}")))
        .replace("{shipping}", &show(shipping))
        .replace("{duty_tax}", &show(duty_tax));
    let note = ui
        .t("landed_note")
        .replace("{quantity}", &view.quantity.to_string())
        .replace("{date}", &view.data_date);
    Some((line, note))
}
