//! Measured sizes (실측): a garment's measures per size, in millimetres, as wholesalers give
//! them in cm. Half measures (단면: laid flat, front only) are kept as such, never doubled.

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// One measure of a garment. The order is the order of the API's keys and the page's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Measure {
    Shoulder,
    /// 가슴단면: across the chest, laid flat (half the circumference).
    ChestHalf,
    Chest,
    Length,
    Sleeve,
    /// 허리단면.
    WaistHalf,
    Waist,
    /// 힙/엉덩이단면: Korean sheets give the hip laid flat.
    HipHalf,
    Thigh,
    Rise,
    Hem,
}

impl Measure {
    pub const ALL: [Measure; 11] = [
        Measure::Shoulder,
        Measure::ChestHalf,
        Measure::Chest,
        Measure::Length,
        Measure::Sleeve,
        Measure::WaistHalf,
        Measure::Waist,
        Measure::HipHalf,
        Measure::Thigh,
        Measure::Rise,
        Measure::Hem,
    ];

    /// The API key (`chest_half`), also the database column stem and the `locales/` key.
    pub fn key(self) -> &'static str {
        match self {
            Measure::Shoulder => "shoulder",
            Measure::ChestHalf => "chest_half",
            Measure::Chest => "chest",
            Measure::Length => "length",
            Measure::Sleeve => "sleeve",
            Measure::WaistHalf => "waist_half",
            Measure::Waist => "waist",
            Measure::HipHalf => "hip_half",
            Measure::Thigh => "thigh",
            Measure::Rise => "rise",
            Measure::Hem => "hem",
        }
    }

    pub fn from_key(key: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.key() == key)
    }

    /// The Korean label wholesalers read in warnings.
    pub fn label_ko(self) -> &'static str {
        match self {
            Measure::Shoulder => "어깨",
            Measure::ChestHalf => "가슴단면",
            Measure::Chest => "가슴둘레",
            Measure::Length => "총장",
            Measure::Sleeve => "소매",
            Measure::WaistHalf => "허리단면",
            Measure::Waist => "허리둘레",
            Measure::HipHalf => "힙단면",
            Measure::Thigh => "허벅지",
            Measure::Rise => "밑위",
            Measure::Hem => "밑단",
        }
    }

    /// Values a garment for adults can have, in cm (inclusive). Outside it, a sheet's value is
    /// a typo (a chest of 5, a length of 900) and is dropped with a warning.
    pub fn plausible_cm(self) -> (u32, u32) {
        match self {
            Measure::Shoulder => (25, 80),
            Measure::ChestHalf => (25, 100),
            Measure::Chest => (50, 200),
            Measure::Length => (15, 160),
            Measure::Sleeve => (5, 100),
            Measure::WaistHalf => (20, 90),
            Measure::Waist => (40, 180),
            Measure::HipHalf => (25, 100),
            Measure::Thigh => (12, 70),
            Measure::Rise => (12, 60),
            Measure::Hem => (5, 80),
        }
    }

    /// Whether `mm` lies in [`Measure::plausible_cm`].
    pub fn is_plausible(self, mm: u32) -> bool {
        let (lo, hi) = self.plausible_cm();
        (lo * 10..=hi * 10).contains(&mm)
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The measures of one size, in millimetres. Serialised as `{size, shoulder: 38.5, …}` in cm,
/// absent measures left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SizeMeasurements {
    /// The size as the sheet names it (`S`, `55`, `FREE`), or the canonical size code.
    pub size: String,
    mm: [Option<u32>; 11],
}

impl SizeMeasurements {
    pub fn new(size: impl Into<String>) -> Self {
        SizeMeasurements {
            size: size.into(),
            mm: [None; 11],
        }
    }

    pub fn get_mm(&self, m: Measure) -> Option<u32> {
        self.mm[m as usize]
    }

    pub fn set_mm(&mut self, m: Measure, mm: Option<u32>) {
        self.mm[m as usize] = mm;
    }

    pub fn with_cm(mut self, m: Measure, cm: f64) -> Self {
        self.set_mm(m, cm_to_mm(cm));
        self
    }

    /// The value in cm (one decimal).
    pub fn get_cm(&self, m: Measure) -> Option<f64> {
        self.get_mm(m).map(mm_to_cm)
    }

    /// The measures present, in [`Measure::ALL`] order.
    pub fn present(&self) -> impl Iterator<Item = (Measure, u32)> + '_ {
        Measure::ALL
            .into_iter()
            .filter_map(|m| self.get_mm(m).map(|v| (m, v)))
    }

    pub fn is_empty(&self) -> bool {
        self.mm.iter().all(Option::is_none)
    }
}

/// Millimetres to cm as shown (38.5).
pub fn mm_to_cm(mm: u32) -> f64 {
    f64::from(mm) / 10.0
}

/// Cm to whole millimetres; `None` for negative, non-finite or absurd input.
pub fn cm_to_mm(cm: f64) -> Option<u32> {
    if !cm.is_finite() || !(0.0..=100_000.0).contains(&cm) {
        return None;
    }
    Some((cm * 10.0).round() as u32)
}

/// Cm to inches, one decimal, as en-US buyers read a size chart.
pub fn mm_to_inches(mm: u32) -> f64 {
    (f64::from(mm) / 25.4 * 10.0).round() / 10.0
}

impl Serialize for SizeMeasurements {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = 1 + self.present().count();
        let mut map = s.serialize_map(Some(n))?;
        map.serialize_entry("size", &self.size)?;
        for (m, mm) in self.present() {
            map.serialize_entry(m.key(), &mm_to_cm(mm))?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for SizeMeasurements {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SizeMeasurements;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a size's measures: {size, shoulder, chest_half, …} in cm")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut out = SizeMeasurements::default();
                let mut size = None;
                while let Some(k) = a.next_key::<String>()? {
                    if k == "size" {
                        size = Some(a.next_value::<String>()?);
                    } else if let Some(m) = Measure::from_key(&k) {
                        let cm = a.next_value::<Option<f64>>()?;
                        let mm = match cm {
                            None => None,
                            Some(cm) => Some(cm_to_mm(cm).ok_or_else(|| {
                                de::Error::custom(format!("{k}: {cm} is not a length in cm"))
                            })?),
                        };
                        out.set_mm(m, mm);
                    } else {
                        return Err(de::Error::unknown_field(&k, &["size", "shoulder", "…"]));
                    }
                }
                out.size = size.ok_or_else(|| de::Error::missing_field("size"))?;
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn serialises_present_measures_in_cm_only() {
        let m = SizeMeasurements::new("S")
            .with_cm(Measure::Shoulder, 38.0)
            .with_cm(Measure::ChestHalf, 48.5);
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"size": "S", "shoulder": 38.0, "chest_half": 48.5})
        );
        let back: SizeMeasurements = serde_json::from_value(v).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn inches_round_to_one_decimal() {
        // 48 cm = 18.897… in.
        assert_eq!(mm_to_inches(480), 18.9);
        assert_eq!(mm_to_inches(254), 10.0);
    }

    #[test]
    fn plausibility() {
        assert!(!Measure::ChestHalf.is_plausible(50));
        assert!(!Measure::Length.is_plausible(9000));
        assert!(Measure::Length.is_plausible(650));
    }
}
