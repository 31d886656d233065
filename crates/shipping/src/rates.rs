//! A carrier service's rate table: its limits, the zone of each destination country and the
//! price of each weight step per zone, with where the figures came from and from which date.
//! Read from TOML (`locales/shipping/rates/<service>.toml`) and validated whole: a table with
//! a gap or an overlap between steps, a missing price or a step list that stops short of the
//! service's weight limit is refused, with the step named.

use crate::package::{MAX_PACKAGE_GRAMS, MAX_SIDE_CM};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One weight step: parcels from `from_grams` to `to_grams` (both inclusive) cost
/// `prices_krw[zone - 1]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub from_grams: u32,
    pub to_grams: u32,
    pub prices_krw: Vec<i64>,
}

/// A carrier service and its rates, as the data file holds them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateTable {
    /// Short code: `kpacket`, `ems`.
    pub service: String,
    /// Display name: `K-Packet (Korea Post)`.
    pub name: String,
    /// The carrier, as the label prints it.
    pub carrier: String,
    /// The express-carrier code the export declaration asks for.
    pub carrier_code: String,
    /// Where the figures come from (a tariff, a contract, an estimate), in words.
    pub source: String,
    /// The date the figures apply from, `YYYY-MM-DD`.
    pub effective_from: String,
    /// Charged on the greater of actual and volumetric weight.
    pub volumetric: bool,
    pub max_weight_grams: u32,
    pub max_longest_side_cm: u32,
    pub max_sum_of_sides_cm: u32,
    /// ISO 3166-1 alpha-2 country → zone (1-based).
    pub zones: BTreeMap<String, u32>,
    pub steps: Vec<Step>,
}

/// Why a rate table is refused. Nothing of a refused table is used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RateTableError {
    #[error("the file is not a rate table: {0}")]
    Parse(String),
    #[error("service code {0:?} must be 1 to 32 of a-z, 0-9, _")]
    ServiceCode(String),
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("effective_from {0:?} is not a date (YYYY-MM-DD)")]
    Date(String),
    #[error("the service's limits must be 1 to {MAX_PACKAGE_GRAMS} g and 1 to {} cm", MAX_SIDE_CM * 3)]
    Limits,
    #[error("{0:?} is not an ISO 3166-1 alpha-2 country code")]
    Country(String),
    #[error("zone {zone} of {country} is not 1 to {zones}")]
    Zone {
        country: String,
        zone: u32,
        zones: u32,
    },
    #[error("zone {0} has no country")]
    UnusedZone(u32),
    #[error("the table has no weight steps")]
    NoSteps,
    #[error("the first step must start at 1 g; it starts at {0} g")]
    FirstStep(u32),
    #[error("the step {from} g to {to} g ends before it starts")]
    EmptyStep { from: u32, to: u32 },
    #[error("gap: nothing prices {} g to {} g (a step ends at {after} g, the next starts at {next} g)", after + 1, next - 1)]
    Gap { after: u32, next: u32 },
    #[error(
        "overlap: the step ending at {after} g and the next starting at {next} g both price {next} g"
    )]
    Overlap { after: u32, next: u32 },
    #[error("the step from {from} g has {got} prices; the table has {want} zones")]
    Prices { from: u32, got: usize, want: usize },
    #[error("the step from {from} g has no positive price for zone {zone}")]
    Price { from: u32, zone: usize },
    #[error("the steps end at {last} g but the service takes up to {max} g")]
    ShortOfLimit { last: u32, max: u32 },
}

impl RateTable {
    /// Reads and validates a table; all of it or nothing.
    pub fn from_toml(text: &str) -> Result<RateTable, RateTableError> {
        let t: RateTable =
            toml::from_str(text).map_err(|e| RateTableError::Parse(e.message().to_string()))?;
        t.validate()?;
        Ok(t)
    }

    /// Number of zones (the highest zone number).
    pub fn zone_count(&self) -> u32 {
        self.zones.values().copied().max().unwrap_or(0)
    }

    pub fn validate(&self) -> Result<(), RateTableError> {
        use RateTableError as E;
        let code_ok = !self.service.is_empty()
            && self.service.len() <= 32
            && self
                .service
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !code_ok {
            return Err(E::ServiceCode(self.service.clone()));
        }
        for (field, v) in [
            ("name", &self.name),
            ("carrier", &self.carrier),
            ("carrier_code", &self.carrier_code),
            ("source", &self.source),
        ] {
            if v.trim().is_empty() {
                return Err(E::Empty(field));
            }
        }
        if self.effective_from.parse::<jiff::civil::Date>().is_err() {
            return Err(E::Date(self.effective_from.clone()));
        }
        if !(1..=MAX_PACKAGE_GRAMS).contains(&self.max_weight_grams)
            || !(1..=MAX_SIDE_CM).contains(&self.max_longest_side_cm)
            || !(1..=MAX_SIDE_CM * 3).contains(&self.max_sum_of_sides_cm)
        {
            return Err(E::Limits);
        }
        if self.zones.is_empty() {
            return Err(E::Empty("zones"));
        }
        let zones = self.zone_count();
        for (country, &zone) in &self.zones {
            if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(E::Country(country.clone()));
            }
            if zone == 0 || zone > zones {
                return Err(E::Zone {
                    country: country.clone(),
                    zone,
                    zones,
                });
            }
        }
        if let Some(z) = (1..=zones).find(|z| !self.zones.values().any(|v| v == z)) {
            return Err(E::UnusedZone(z));
        }
        let first = self.steps.first().ok_or(E::NoSteps)?;
        if first.from_grams != 1 {
            return Err(E::FirstStep(first.from_grams));
        }
        let want = zones as usize;
        for (i, s) in self.steps.iter().enumerate() {
            if s.to_grams < s.from_grams {
                return Err(E::EmptyStep {
                    from: s.from_grams,
                    to: s.to_grams,
                });
            }
            if let Some(prev) = i.checked_sub(1).and_then(|j| self.steps.get(j)) {
                let expected = prev.to_grams.saturating_add(1);
                if s.from_grams > expected {
                    return Err(E::Gap {
                        after: prev.to_grams,
                        next: s.from_grams,
                    });
                }
                if s.from_grams < expected {
                    return Err(E::Overlap {
                        after: prev.to_grams,
                        next: s.from_grams,
                    });
                }
            }
            if s.prices_krw.len() != want {
                return Err(E::Prices {
                    from: s.from_grams,
                    got: s.prices_krw.len(),
                    want,
                });
            }
            if let Some(z) = s.prices_krw.iter().position(|p| *p <= 0) {
                return Err(E::Price {
                    from: s.from_grams,
                    zone: z + 1,
                });
            }
        }
        let last = self.steps.last().map_or(0, |s| s.to_grams);
        if last < self.max_weight_grams {
            return Err(E::ShortOfLimit {
                last,
                max: self.max_weight_grams,
            });
        }
        Ok(())
    }

    /// The zone of a destination, when the service reaches it.
    pub fn zone_of(&self, country: &str) -> Option<u32> {
        self.zones.get(country).copied()
    }

    /// The price of a parcel of `grams` to `zone`, when a step covers it.
    pub fn price(&self, zone: u32, grams: u32) -> Option<i64> {
        let i = usize::try_from(zone).ok()?.checked_sub(1)?;
        self.steps
            .iter()
            .find(|s| (s.from_grams..=s.to_grams).contains(&grams))
            .and_then(|s| s.prices_krw.get(i).copied())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn table(steps: &str) -> String {
        format!(
            r#"
service = "test"
name = "Test service"
carrier = "Test Post"
carrier_code = "TP"
source = "unit test"
effective_from = "2025-01-01"
volumetric = false
max_weight_grams = 2000
max_longest_side_cm = 60
max_sum_of_sides_cm = 90
[zones]
JP = 1
US = 2
{steps}"#
        )
    }

    const GOOD: &str = r#"
[[steps]]
from_grams = 1
to_grams = 500
prices_krw = [5000, 7000]
[[steps]]
from_grams = 501
to_grams = 2000
prices_krw = [9000, 14000]
"#;

    #[test]
    fn a_good_table_prices_each_step_edge() {
        let t = RateTable::from_toml(&table(GOOD)).unwrap();
        assert_eq!(t.price(1, 1), Some(5000));
        assert_eq!(t.price(1, 500), Some(5000));
        assert_eq!(t.price(1, 501), Some(9000));
        assert_eq!(t.price(2, 2000), Some(14000));
        assert_eq!(t.price(2, 2001), None);
        assert_eq!(t.price(3, 100), None);
        assert_eq!(t.zone_of("US"), Some(2));
        assert_eq!(t.zone_of("FR"), None);
    }

    #[test]
    fn gaps_overlaps_and_holes_are_named() {
        let gap = GOOD.replace("from_grams = 501", "from_grams = 601");
        assert_eq!(
            RateTable::from_toml(&table(&gap)),
            Err(RateTableError::Gap {
                after: 500,
                next: 601
            })
        );
        let overlap = GOOD.replace("from_grams = 501", "from_grams = 450");
        assert_eq!(
            RateTable::from_toml(&table(&overlap)),
            Err(RateTableError::Overlap {
                after: 500,
                next: 450
            })
        );
        let short = GOOD.replace("to_grams = 2000", "to_grams = 1500");
        assert_eq!(
            RateTable::from_toml(&table(&short)),
            Err(RateTableError::ShortOfLimit {
                last: 1500,
                max: 2000
            })
        );
        let missing = GOOD.replace("[9000, 14000]", "[9000]");
        assert_eq!(
            RateTable::from_toml(&table(&missing)),
            Err(RateTableError::Prices {
                from: 501,
                got: 1,
                want: 2
            })
        );
        let zero = GOOD.replace("[9000, 14000]", "[9000, 0]");
        assert_eq!(
            RateTable::from_toml(&table(&zero)),
            Err(RateTableError::Price { from: 501, zone: 2 })
        );
        let first = GOOD.replace("from_grams = 1\n", "from_grams = 10\n");
        assert_eq!(
            RateTable::from_toml(&table(&first)),
            Err(RateTableError::FirstStep(10))
        );
        let date = table(GOOD).replace("2025-01-01", "2025-13-01");
        assert!(matches!(
            RateTable::from_toml(&date),
            Err(RateTableError::Date(_))
        ));
        assert!(matches!(
            RateTable::from_toml("service = 3"),
            Err(RateTableError::Parse(_))
        ));
        let err = RateTable::from_toml(&table(&gap)).unwrap_err().to_string();
        assert!(err.contains("501 g to 600 g"), "{err}");
    }

    #[test]
    fn shipped_tables_are_valid() {
        for text in crate::quote::SHIPPED_TABLES {
            RateTable::from_toml(text).unwrap();
        }
    }
}
