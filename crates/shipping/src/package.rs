//! A parcel's weight and dimensions, their bounds, and its volumetric weight.

use serde::{Deserialize, Serialize};

/// Heaviest parcel any service here takes (express couriers' usual per-piece limit), grams.
pub const MAX_PACKAGE_GRAMS: u32 = 70_000;
/// Longest side accepted at all, cm (express couriers' usual limit).
pub const MAX_SIDE_CM: u32 = 300;
/// Volumetric divisor, cm³ per kg: L × W × H / 6000.
pub const VOLUMETRIC_DIVISOR: u64 = 6000;

/// A parcel as packed: gross weight and outer dimensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageSpec {
    pub weight_grams: u32,
    pub length_cm: u32,
    pub width_cm: u32,
    pub height_cm: u32,
}

/// Why a package is refused before any carrier looks at it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PackageError {
    #[error("weight must be 1 to {MAX_PACKAGE_GRAMS} g; got {0} g")]
    Weight(u32),
    #[error("each side must be 1 to {MAX_SIDE_CM} cm; got {0} cm")]
    Side(u32),
}

impl PackageSpec {
    /// Checks the bounds: 1 g to [`MAX_PACKAGE_GRAMS`], each side 1 to [`MAX_SIDE_CM`] cm.
    pub fn validate(&self) -> Result<(), PackageError> {
        if self.weight_grams == 0 || self.weight_grams > MAX_PACKAGE_GRAMS {
            return Err(PackageError::Weight(self.weight_grams));
        }
        for s in self.sides() {
            if s == 0 || s > MAX_SIDE_CM {
                return Err(PackageError::Side(s));
            }
        }
        Ok(())
    }

    pub fn sides(&self) -> [u32; 3] {
        [self.length_cm, self.width_cm, self.height_cm]
    }

    pub fn longest_side_cm(&self) -> u32 {
        self.sides().into_iter().max().unwrap_or(0)
    }

    pub fn sum_of_sides_cm(&self) -> u32 {
        self.sides().into_iter().sum()
    }

    /// L × W × H / 6000 kg, in grams rounded up.
    pub fn volumetric_grams(&self) -> u32 {
        let cm3: u64 = self.sides().iter().map(|&s| u64::from(s)).product();
        let grams = (cm3 * 1000).div_ceil(VOLUMETRIC_DIVISOR);
        u32::try_from(grams).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn p(w: u32, l: u32, wi: u32, h: u32) -> PackageSpec {
        PackageSpec {
            weight_grams: w,
            length_cm: l,
            width_cm: wi,
            height_cm: h,
        }
    }

    #[test]
    fn volumetric_weight_is_lwh_over_6000() {
        // 60 × 40 × 30 = 72,000 cm³ → 12 kg.
        assert_eq!(p(1, 60, 40, 30).volumetric_grams(), 12_000);
        // 10 × 10 × 10 = 1000 cm³ → 166.67 g, rounded up.
        assert_eq!(p(1, 10, 10, 10).volumetric_grams(), 167);
    }

    #[test]
    fn absurd_packages_are_refused() {
        assert_eq!(p(0, 10, 10, 10).validate(), Err(PackageError::Weight(0)));
        assert_eq!(
            p(70_001, 10, 10, 10).validate(),
            Err(PackageError::Weight(70_001))
        );
        assert_eq!(p(500, 0, 10, 10).validate(), Err(PackageError::Side(0)));
        assert_eq!(p(500, 10, 301, 10).validate(), Err(PackageError::Side(301)));
        assert_eq!(p(500, 30, 20, 10).validate(), Ok(()));
        assert_eq!(p(500, 30, 20, 10).sum_of_sides_cm(), 60);
        assert_eq!(p(500, 30, 20, 10).longest_side_cm(), 30);
    }
}
