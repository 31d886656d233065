//! The commercial invoice and the packing list of one packed order.

use super::hs::{self, Construction, Gender};
use crate::date::CalendarDate;
use ddhub_domain::catalog::materials;
use ddhub_domain::style::CompositionPart;
use ddhub_domain::{Currency, Money, OrderId, RatePerKrw, SkuId};
use serde::{Deserialize, Serialize};

/// A party on the papers: the hub as shipper, the order's ship-to as consignee.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub address_lines: Vec<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub phone: Option<String>,
    /// Business registration or importer tax number, when known.
    pub tax_id: Option<String>,
}

/// Incoterms 2020 rules the hub quotes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Incoterm {
    Exw,
    Fca,
    Cpt,
    Cip,
    /// Delivered at place: the default for parcels to a partner.
    #[default]
    Dap,
    Dpu,
    Ddp,
}

impl Incoterm {
    pub fn as_str(self) -> &'static str {
        match self {
            Incoterm::Exw => "EXW",
            Incoterm::Fca => "FCA",
            Incoterm::Cpt => "CPT",
            Incoterm::Cip => "CIP",
            Incoterm::Dap => "DAP",
            Incoterm::Dpu => "DPU",
            Incoterm::Ddp => "DDP",
        }
    }
}

/// One shipped line, as the caller assembles it from the order line and its style.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperItem {
    pub sku_id: SkuId,
    pub style_code: String,
    /// English title (the translated, romanised title; no Hangul is needed).
    pub description_en: String,
    pub colour: String,
    pub size: String,
    /// DDHub category code (`tops/knit/cardigan`).
    pub category: String,
    pub composition: Vec<CompositionPart>,
    /// Overrides the category's default construction.
    pub construction: Option<Construction>,
    pub gender: Gender,
    /// ISO 3166-1 alpha-2 country of origin.
    pub origin: String,
    /// Pieces in this parcel (the confirmed quantity).
    pub quantity: u32,
    /// The price the partner pays, in the order currency.
    pub unit_price: Money,
    /// Overrides the category's default net weight of one piece, in grams.
    pub net_grams_per_piece: Option<u32>,
}

/// How packed weight is derived from net weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackagingRules {
    /// Gross = net × factor / 1000 per line (poly bags, tags, hangers): 1080 = +8 %.
    pub factor_permille: u32,
    /// Weight of one empty carton.
    pub carton_grams: u32,
    /// Pieces that fit one carton.
    pub pieces_per_carton: u32,
}

impl Default for PackagingRules {
    fn default() -> Self {
        Self {
            factor_permille: 1080,
            carton_grams: 600,
            pieces_per_carton: 40,
        }
    }
}

/// Rates from the hub's table (units per won) that turn the order currency into USD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsdRates {
    pub usd: RatePerKrw,
    /// The order currency's rate; not needed for KRW or USD orders.
    pub source: Option<RatePerKrw>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PapersInput {
    pub invoice_number: String,
    pub date: CalendarDate,
    pub order_id: OrderId,
    pub partner_order_id: String,
    pub shipper: Party,
    pub consignee: Party,
    pub incoterm: Incoterm,
    pub items: Vec<PaperItem>,
    pub rates: UsdRates,
    pub packaging: PackagingRules,
}

/// Why papers cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PapersError {
    #[error("no pieces to ship")]
    NoItems,
    #[error("no HS code or default weight for category {0:?}")]
    UnknownCategory(String),
    #[error("no exchange rate for {0}")]
    MissingRate(Currency),
    #[error("line {0} is priced in another currency than the order")]
    MixedCurrency(usize),
    #[error("amount or weight out of range")]
    Overflow,
}

impl PapersError {
    pub fn code(&self) -> &'static str {
        match self {
            PapersError::NoItems => "papers_no_items",
            PapersError::UnknownCategory(_) => "papers_unknown_category",
            PapersError::MissingRate(_) => "papers_missing_rate",
            PapersError::MixedCurrency(_) => "papers_mixed_currency",
            PapersError::Overflow => "papers_overflow",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvoiceLine {
    pub no: usize,
    pub sku_id: SkuId,
    pub style_code: String,
    /// `Loose-fit cable knit cardigan, 100% cotton, knitted — ivory / free`.
    pub description: String,
    pub hs_code: &'static str,
    pub hs_description: &'static str,
    pub origin: String,
    pub quantity: u32,
    /// USD, two decimals.
    pub unit_value_usd: String,
    pub total_value_usd: String,
    pub unit_price: Money,
    pub net_grams: u64,
    pub gross_grams: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Weights {
    pub net_grams: u64,
    pub gross_grams: u64,
    pub cartons: u32,
    /// `12.345` (kg, three decimals), as printed.
    pub net_kg: String,
    pub gross_kg: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommercialInvoice {
    pub invoice_number: String,
    pub date: CalendarDate,
    pub order_id: OrderId,
    pub partner_order_id: String,
    pub shipper: Party,
    pub consignee: Party,
    pub incoterm: Incoterm,
    pub currency: Currency,
    pub reason_for_export: &'static str,
    pub lines: Vec<InvoiceLine>,
    pub total_quantity: u64,
    pub total_value_usd: String,
    pub weights: Weights,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackingLine {
    pub no: usize,
    pub style_code: String,
    pub description: String,
    pub hs_code: &'static str,
    pub quantity: u32,
    pub net_grams: u64,
    pub gross_grams: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackingList {
    pub invoice_number: String,
    pub date: CalendarDate,
    pub order_id: OrderId,
    pub partner_order_id: String,
    pub shipper: Party,
    pub consignee: Party,
    pub lines: Vec<PackingLine>,
    pub total_quantity: u64,
    pub weights: Weights,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExportPapers {
    pub invoice: CommercialInvoice,
    pub packing_list: PackingList,
}

fn div_round_half_up(n: i128, d: i128) -> i128 {
    let q = n / d;
    if (n % d).abs() * 2 >= d.abs() {
        q + n.signum() * d.signum()
    } else {
        q
    }
}

/// Converts an amount to USD cents through rates per won, rounding half up once.
pub fn to_usd(amount: Money, rates: &UsdRates) -> Result<Money, PapersError> {
    let usd = |minor| Money {
        minor,
        currency: Currency::Usd,
    };
    match amount.currency {
        Currency::Usd => return Ok(usd(amount.minor)),
        Currency::Krw => {}
        other if rates.source.is_none_or(|r| r.currency != other) => {
            return Err(PapersError::MissingRate(other));
        }
        _ => {}
    }
    let src_nanos: i128 = match amount.currency {
        Currency::Krw => 1_000_000_000,
        _ => rates.source.map_or(1, |r| i128::from(r.nanos)),
    };
    let src_scale = 10i128.pow(amount.currency.minor_digits());
    // usd_minor = minor / src_scale / src_rate × usd_rate × 100
    let n = i128::from(amount.minor)
        .checked_mul(i128::from(rates.usd.nanos))
        .and_then(|v| v.checked_mul(100))
        .ok_or(PapersError::Overflow)?;
    let d = src_nanos
        .checked_mul(src_scale)
        .ok_or(PapersError::Overflow)?;
    i64::try_from(div_round_half_up(n, d))
        .map(usd)
        .map_err(|_| PapersError::Overflow)
}

fn kg(grams: u64) -> String {
    format!("{}.{:03}", grams / 1000, grams % 1000)
}

fn composition_text(parts: &[CompositionPart]) -> String {
    parts
        .iter()
        .map(|p| {
            let name = materials()
                .get(&p.material)
                .map_or(p.material.as_str(), |m| m.labels.en);
            format!("{}% {}", p.percent, name.to_lowercase())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Builds both papers. Net weight per line = grams per piece (the style's, else the category
/// default) × quantity; gross per line = net × `factor_permille` / 1000 rounded up; the
/// parcel's gross adds one carton weight per started `pieces_per_carton`. Values in USD are
/// per unit first, so a line total is exactly quantity × the printed unit value.
pub fn build_papers(input: &PapersInput) -> Result<ExportPapers, PapersError> {
    let pieces: u64 = input.items.iter().map(|i| u64::from(i.quantity)).sum();
    if pieces == 0 {
        return Err(PapersError::NoItems);
    }
    let order_currency = input
        .items
        .first()
        .map_or(Currency::Usd, |i| i.unit_price.currency);
    let mut lines = Vec::new();
    let mut total_cents: i64 = 0;
    let (mut net_total, mut gross_lines) = (0u64, 0u64);
    for (idx, item) in input.items.iter().filter(|i| i.quantity > 0).enumerate() {
        if item.unit_price.currency != order_currency {
            return Err(PapersError::MixedCurrency(idx));
        }
        let unknown = || PapersError::UnknownCategory(item.category.clone());
        let defaults = hs::category_defaults(&item.category).ok_or_else(unknown)?;
        let construction = item.construction.unwrap_or(defaults.construction);
        let material = hs::main_material(&item.composition);
        let entry = hs::lookup_hs(&item.category, material, construction, item.gender)
            .ok_or_else(unknown)?;
        let per_piece = u64::from(item.net_grams_per_piece.unwrap_or(defaults.net_grams));
        let net = per_piece * u64::from(item.quantity);
        let gross = (net * u64::from(input.packaging.factor_permille)).div_ceil(1000);
        net_total += net;
        gross_lines += gross;
        let unit_usd = to_usd(item.unit_price, &input.rates)?;
        let line_usd = unit_usd
            .minor
            .checked_mul(i64::from(item.quantity))
            .ok_or(PapersError::Overflow)?;
        total_cents = total_cents
            .checked_add(line_usd)
            .ok_or(PapersError::Overflow)?;
        let garment = entry.code.starts_with("61") || entry.code.starts_with("62");
        let mut description = item.description_en.trim().to_string();
        let comp = composition_text(&item.composition);
        if !comp.is_empty() {
            description.push_str(", ");
            description.push_str(&comp);
        }
        if garment {
            description.push_str(", ");
            description.push_str(construction.as_str());
        }
        description.push_str(&format!(" ({} / {})", item.colour, item.size));
        lines.push(InvoiceLine {
            no: idx + 1,
            sku_id: item.sku_id,
            style_code: item.style_code.clone(),
            description,
            hs_code: entry.code,
            hs_description: entry.description,
            origin: item.origin.trim().to_ascii_uppercase(),
            quantity: item.quantity,
            unit_value_usd: unit_usd.decimal(),
            total_value_usd: Money {
                minor: line_usd,
                currency: Currency::Usd,
            }
            .decimal(),
            unit_price: item.unit_price,
            net_grams: net,
            gross_grams: gross,
        });
    }
    let per_carton = u64::from(input.packaging.pieces_per_carton.max(1));
    let cartons = u32::try_from(pieces.div_ceil(per_carton)).map_err(|_| PapersError::Overflow)?;
    let gross_total = gross_lines + u64::from(cartons) * u64::from(input.packaging.carton_grams);
    let weights = Weights {
        net_grams: net_total,
        gross_grams: gross_total,
        cartons,
        net_kg: kg(net_total),
        gross_kg: kg(gross_total),
    };
    let packing_lines = lines
        .iter()
        .map(|l| PackingLine {
            no: l.no,
            style_code: l.style_code.clone(),
            description: l.description.clone(),
            hs_code: l.hs_code,
            quantity: l.quantity,
            net_grams: l.net_grams,
            gross_grams: l.gross_grams,
        })
        .collect();
    Ok(ExportPapers {
        invoice: CommercialInvoice {
            invoice_number: input.invoice_number.clone(),
            date: input.date,
            order_id: input.order_id,
            partner_order_id: input.partner_order_id.clone(),
            shipper: input.shipper.clone(),
            consignee: input.consignee.clone(),
            incoterm: input.incoterm,
            currency: Currency::Usd,
            reason_for_export: "Sale",
            lines,
            total_quantity: pieces,
            total_value_usd: Money {
                minor: total_cents,
                currency: Currency::Usd,
            }
            .decimal(),
            weights: weights.clone(),
        },
        packing_list: PackingList {
            invoice_number: input.invoice_number.clone(),
            date: input.date,
            order_id: input.order_id,
            partner_order_id: input.partner_order_id.clone(),
            shipper: input.shipper.clone(),
            consignee: input.consignee.clone(),
            lines: packing_lines,
            total_quantity: pieces,
            weights,
        },
    })
}
