//! Wholesalers (도매상): shops identified by building, floor and unit ("청평화 2층 B-12").

use crate::{Timestamp, WholesalerId};
use serde::{Deserialize, Serialize};

/// Where a shop is in the market.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopLocation {
    /// The wholesale building, e.g. `청평화`, `APM`, `Nyu Nyu`.
    pub building: String,
    /// The floor as the building signs it (`2`, `B1`).
    pub floor: String,
    /// The unit on that floor (`B-12`).
    pub unit: String,
}

impl ShopLocation {
    /// The location as shop cards print it: `청평화 2층 B-12`.
    pub fn display_ko(&self) -> String {
        let floor = if self.floor.ends_with('층') || self.floor.starts_with('B') {
            self.floor.clone()
        } else {
            format!("{}층", self.floor)
        };
        format!("{} {} {}", self.building, floor, self.unit)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wholesaler {
    pub id: WholesalerId,
    pub name: String,
    pub location: ShopLocation,
    pub created_at: Timestamp,
}

/// Limits on a wholesaler's fields, checked wherever one is created.
pub fn validate_wholesaler_fields(name: &str, loc: &ShopLocation) -> Result<(), String> {
    for (field, value, max) in [
        ("name", name, 100),
        ("building", loc.building.as_str(), 60),
        ("floor", loc.floor.as_str(), 10),
        ("unit", loc.unit.as_str(), 20),
    ] {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(format!("{field} must not be empty"));
        }
        if trimmed.chars().count() > max {
            return Err(format!("{field} is longer than {max} characters"));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(format!("{field} contains control characters"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_display() {
        let loc = ShopLocation {
            building: "청평화".into(),
            floor: "2".into(),
            unit: "B-12".into(),
        };
        assert_eq!(loc.display_ko(), "청평화 2층 B-12");
        assert!(validate_wholesaler_fields("  ", &loc).is_err());
        assert!(validate_wholesaler_fields("미소", &loc).is_ok());
    }
}
