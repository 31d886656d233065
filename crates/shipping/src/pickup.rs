//! The order a buying runner (사입삼촌) walks the units: building, then floor (basements
//! first, `B1` / `지하1층` below `1층`), then unit in natural order (`B-2` before `B-12`).

use std::cmp::Ordering;

/// A floor as a number: `2층` / `2F` / `2` → 2, `B1` / `지하1층` / `B1F` → -1; `None` when
/// no number is in it (those floors walk last, by name).
pub fn floor_number(floor: &str) -> Option<i32> {
    let f = floor.trim().to_uppercase();
    let basement = f.starts_with('B') || f.starts_with("지하");
    let digits: String = f
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    let n: i32 = digits.parse().ok()?;
    Some(if basement { -n } else { n })
}

/// Compares two texts with their digit runs as numbers (`B-2` < `B-12`).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let take = |it: &mut std::iter::Peekable<std::str::Chars<'_>>| {
                    let mut s = String::new();
                    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
                        s.push(c);
                        it.next();
                    }
                    s
                };
                let (m, n) = (take(&mut x), take(&mut y));
                let (m0, n0) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                let o = m0.len().cmp(&n0.len()).then_with(|| m0.cmp(n0));
                if o != Ordering::Equal {
                    return o;
                }
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(&d);
                }
                x.next();
                y.next();
            }
        }
    }
}

/// Where a shop is, as the walk orders it.
#[derive(Clone, Copy, Debug)]
pub struct Stop<'a> {
    pub building: &'a str,
    pub floor: &'a str,
    pub unit: &'a str,
}

/// The walking order of two stops: building by name, floor by number (floors without one
/// after), unit naturally.
pub fn walk_cmp(a: &Stop<'_>, b: &Stop<'_>) -> Ordering {
    let floor = |s: &Stop<'_>| floor_number(s.floor).map_or((1, 0), |n| (0, n));
    a.building
        .cmp(b.building)
        .then_with(|| floor(a).cmp(&floor(b)))
        .then_with(|| natural_cmp(a.floor, b.floor))
        .then_with(|| natural_cmp(a.unit, b.unit))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn floors_read_as_numbers() {
        assert_eq!(floor_number("2층"), Some(2));
        assert_eq!(floor_number("2F"), Some(2));
        assert_eq!(floor_number("B1"), Some(-1));
        assert_eq!(floor_number("지하1층"), Some(-1));
        assert_eq!(floor_number("b2f"), Some(-2));
        assert_eq!(floor_number("옥상"), None);
    }

    #[test]
    fn the_walk_goes_building_floor_unit() {
        let stops = [
            ("청평화", "2층", "B-12"),
            ("APM", "3층", "7"),
            ("청평화", "지하1층", "A-3"),
            ("청평화", "2층", "B-2"),
            ("청평화", "10층", "A-1"),
            ("APM", "3층", "10"),
            ("청평화", "옥상", "1"),
        ];
        let mut v: Vec<Stop<'_>> = stops
            .iter()
            .map(|(b, f, u)| Stop {
                building: b,
                floor: f,
                unit: u,
            })
            .collect();
        v.sort_by(walk_cmp);
        let got: Vec<String> = v
            .iter()
            .map(|s| format!("{} {} {}", s.building, s.floor, s.unit))
            .collect();
        assert_eq!(
            got,
            [
                "APM 3층 7",
                "APM 3층 10",
                "청평화 지하1층 A-3",
                "청평화 2층 B-2",
                "청평화 2층 B-12",
                "청평화 10층 A-1",
                "청평화 옥상 1",
            ]
        );
    }
}
