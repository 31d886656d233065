//! What a carrier service charges for a shipment's packages, or why it does not take them.

use crate::package::PackageSpec;
use crate::rates::RateTable;
use serde::Serialize;

/// The rate tables shipped with DDHub (the operator loads newer ones with
/// `ddhub shipping rates load`).
pub const SHIPPED_TABLES: [&str; 2] = [
    include_str!("../../../locales/shipping/rates/kpacket.toml"),
    include_str!("../../../locales/shipping/rates/ems.toml"),
];

/// Why a service does not take a shipment. `package` counts from 1, as the operator numbers
/// the parcels.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{service} does not deliver to {country}")]
    Country { service: String, country: String },
    #[error("package {package} weighs {grams} g; {service} takes at most {max} g")]
    Weight {
        service: String,
        package: usize,
        grams: u32,
        max: u32,
    },
    #[error("package {package} is {cm} cm on its longest side; {service} takes at most {max} cm")]
    Longest {
        service: String,
        package: usize,
        cm: u32,
        max: u32,
    },
    #[error(
        "package {package} measures {cm} cm in the sum of its sides; {service} takes at most {max} cm"
    )]
    SumOfSides {
        service: String,
        package: usize,
        cm: u32,
        max: u32,
    },
    #[error("a shipment needs at least one package")]
    NoPackages,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Country { .. } => "country_not_served",
            Refusal::Weight { .. } => "too_heavy",
            Refusal::Longest { .. } => "too_long",
            Refusal::SumOfSides { .. } => "too_large",
            Refusal::NoPackages => "no_packages",
        }
    }
}

/// One package's charge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageCharge {
    pub package: usize,
    pub actual_grams: u32,
    pub volumetric_grams: u32,
    /// What the price is read at: the actual weight, or the greater of actual and volumetric
    /// for services that charge volumetric weight.
    pub chargeable_grams: u32,
    pub price_krw: i64,
}

/// A refusal as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RefusalView {
    pub code: &'static str,
    pub reason: String,
}

/// A service's answer for one shipment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceQuote {
    pub service: String,
    pub name: String,
    pub carrier: String,
    /// Where the figures come from and from which date.
    pub source: String,
    pub effective_from: String,
    /// Present when the service takes the shipment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_krw: Option<i64>,
    pub packages: Vec<PackageCharge>,
    /// Why the service refuses it (empty when priced).
    pub refusals: Vec<RefusalView>,
}

/// Checks `packages` against the service's limits and reach; prices them when it takes them.
/// Every refusal is listed, not only the first.
pub fn quote(table: &RateTable, country: &str, packages: &[PackageSpec]) -> ServiceQuote {
    let mut refusals = Vec::new();
    let name = table.name.clone();
    if packages.is_empty() {
        refusals.push(Refusal::NoPackages);
    }
    let zone = table.zone_of(country);
    if zone.is_none() {
        refusals.push(Refusal::Country {
            service: name.clone(),
            country: country.to_string(),
        });
    }
    let mut charges = Vec::new();
    for (i, p) in packages.iter().enumerate() {
        let n = i + 1;
        if p.weight_grams > table.max_weight_grams {
            refusals.push(Refusal::Weight {
                service: name.clone(),
                package: n,
                grams: p.weight_grams,
                max: table.max_weight_grams,
            });
        }
        if p.longest_side_cm() > table.max_longest_side_cm {
            refusals.push(Refusal::Longest {
                service: name.clone(),
                package: n,
                cm: p.longest_side_cm(),
                max: table.max_longest_side_cm,
            });
        }
        if p.sum_of_sides_cm() > table.max_sum_of_sides_cm {
            refusals.push(Refusal::SumOfSides {
                service: name.clone(),
                package: n,
                cm: p.sum_of_sides_cm(),
                max: table.max_sum_of_sides_cm,
            });
        }
        let volumetric = p.volumetric_grams();
        let chargeable = if table.volumetric {
            p.weight_grams.max(volumetric)
        } else {
            p.weight_grams
        };
        // Volumetric weight over the limit is a refusal too: the carrier bills what it cannot
        // price here.
        if chargeable > table.max_weight_grams && p.weight_grams <= table.max_weight_grams {
            refusals.push(Refusal::Weight {
                service: name.clone(),
                package: n,
                grams: chargeable,
                max: table.max_weight_grams,
            });
        }
        if let Some(price) = zone.and_then(|z| table.price(z, chargeable)) {
            charges.push(PackageCharge {
                package: n,
                actual_grams: p.weight_grams,
                volumetric_grams: volumetric,
                chargeable_grams: chargeable,
                price_krw: price,
            });
        }
    }
    let total = (refusals.is_empty() && charges.len() == packages.len())
        .then(|| charges.iter().map(|c| c.price_krw).sum());
    ServiceQuote {
        service: table.service.clone(),
        name,
        carrier: table.carrier.clone(),
        source: table.source.clone(),
        effective_from: table.effective_from.clone(),
        total_krw: total,
        packages: if total.is_some() { charges } else { Vec::new() },
        refusals: refusals
            .iter()
            .map(|r| RefusalView {
                code: r.code(),
                reason: r.to_string(),
            })
            .collect(),
    }
}

/// A shipping estimate by weight alone, for a price shown before anything is packed (the
/// delivered price of issue 19, a feed's shipping attribute): no box sizes are known, so
/// volumetric weight is not charged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WeightEstimate {
    pub service: String,
    pub name: String,
    pub source: String,
    pub effective_from: String,
    pub country: String,
    /// The weight priced, in grams.
    pub grams: u32,
    /// Parcels it takes: full parcels at the service's weight limit, then the rest.
    pub parcels: u32,
    pub price_krw: i64,
}

/// The cheapest of `tables` that delivers `grams` to `country`, split into parcels at each
/// service's weight limit; `None` when no table reaches the country. On a tie, the first table.
pub fn by_weight(tables: &[RateTable], country: &str, grams: u32) -> Option<WeightEstimate> {
    let grams = grams.max(1);
    tables
        .iter()
        .filter_map(|t| {
            let zone = t.zone_of(country)?;
            let max = t.max_weight_grams.max(1);
            let full = grams / max;
            let rest = grams % max;
            let mut price = i64::from(full).checked_mul(t.price(zone, max)?)?;
            if rest > 0 {
                price = price.checked_add(t.price(zone, rest)?)?;
            }
            Some(WeightEstimate {
                service: t.service.clone(),
                name: t.name.clone(),
                source: t.source.clone(),
                effective_from: t.effective_from.clone(),
                country: country.to_string(),
                grams,
                parcels: full + u32::from(rest > 0),
                price_krw: price,
            })
        })
        .fold(None, |best: Option<WeightEstimate>, e| match best {
            Some(b) if b.price_krw <= e.price_krw => Some(b),
            _ => Some(e),
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn kpacket() -> RateTable {
        RateTable::from_toml(SHIPPED_TABLES[0]).unwrap()
    }

    fn p(w: u32, l: u32, wi: u32, h: u32) -> PackageSpec {
        PackageSpec {
            weight_grams: w,
            length_cm: l,
            width_cm: wi,
            height_cm: h,
        }
    }

    #[test]
    fn kpacket_prices_a_small_parcel_at_its_step() {
        let t = kpacket();
        let q = quote(&t, "JP", &[p(1200, 30, 20, 10)]);
        let zone = t.zone_of("JP").unwrap();
        assert_eq!(q.total_krw, t.price(zone, 1200));
        assert!(q.refusals.is_empty());
        assert_eq!(q.packages[0].chargeable_grams, 1200);
    }

    #[test]
    fn kpacket_refuses_over_2_kg_and_90_cm_with_reasons() {
        let q = quote(&kpacket(), "JP", &[p(2100, 40, 30, 25)]);
        assert_eq!(q.total_krw, None);
        let codes: Vec<_> = q.refusals.iter().map(|r| r.code).collect();
        assert_eq!(codes, ["too_heavy", "too_large"]);
        assert!(q.refusals[0].reason.contains("2100 g"));
        assert!(q.refusals[1].reason.contains("95 cm"));
        let q = quote(&kpacket(), "JP", &[p(500, 61, 10, 10)]);
        assert_eq!(q.refusals[0].code, "too_long");
    }

    #[test]
    fn by_weight_takes_the_cheapest_service_and_splits_at_its_limit() {
        let tables: Vec<RateTable> = SHIPPED_TABLES
            .iter()
            .map(|t| RateTable::from_toml(t).unwrap())
            .collect();
        let (k, ems) = (&tables[0], &tables[1]);
        let jp = k.zone_of("JP").unwrap();
        // 1 kg: K-Packet is cheaper than EMS in the shipped tables.
        let e = by_weight(&tables, "JP", 1000).unwrap();
        let cheapest = k.price(jp, 1000).unwrap().min(ems.price(jp, 1000).unwrap());
        assert_eq!(e.price_krw, cheapest);
        assert_eq!(e.parcels, 1);
        // 5 kg: K-Packet needs three parcels (2 + 2 + 1 kg); EMS one; the cheaper wins.
        let e = by_weight(std::slice::from_ref(k), "JP", 5000).unwrap();
        assert_eq!(e.parcels, 3);
        assert_eq!(
            e.price_krw,
            2 * k.price(jp, 2000).unwrap() + k.price(jp, 1000).unwrap()
        );
        let both = by_weight(&tables, "JP", 5000).unwrap();
        assert_eq!(
            both.price_krw,
            e.price_krw.min(ems.price(jp, 5000).unwrap())
        );
        assert!(by_weight(&tables, "ZZ", 500).is_none());
    }

    #[test]
    fn a_country_out_of_reach_is_refused() {
        let q = quote(&kpacket(), "ZZ", &[p(500, 20, 20, 10)]);
        assert_eq!(q.refusals[0].code, "country_not_served");
        assert!(q.refusals[0].reason.contains("ZZ"));
    }

    #[test]
    fn ems_charges_volumetric_weight_when_greater() {
        let t = RateTable::from_toml(SHIPPED_TABLES[1]).unwrap();
        // 50 × 40 × 30 / 6000 = 10 kg volumetric for a 3 kg parcel.
        let q = quote(&t, "US", &[p(3000, 50, 40, 30)]);
        assert_eq!(q.packages[0].chargeable_grams, 10_000);
        assert_eq!(q.total_krw, t.price(t.zone_of("US").unwrap(), 10_000));
        assert_ne!(q.total_krw, t.price(t.zone_of("US").unwrap(), 3000));
    }
}
