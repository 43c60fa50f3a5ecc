//! How ties are decided: as exact decimal arithmetic would decide them.
//!
//! Double arithmetic puts `21 / (1 - 0.3)` at 30.000000000000004 and a target met exactly a
//! few ulps on the wrong side. Every sizing comparison and rounding therefore treats values
//! within a relative `TIE_RTOL` of each other (or of an integer) as equal. The tolerance is far
//! above the rounding error of the core (about 1e-14) and far below any difference a planner
//! could mean (a service level of 0.8 vs 0.8000000000008).

/// Relative tolerance for ties.
pub const TIE_RTOL: f64 = 1e-12;

/// `x` snapped to the nearest integer when within the tie tolerance of it.
fn snap(x: f64) -> f64 {
    let nearest = x.round();
    if (x - nearest).abs() <= TIE_RTOL * nearest.abs().max(1.0) {
        nearest
    } else {
        x
    }
}

/// Ceiling that ignores rounding noise: `ceil(21 / 0.7) == 30`.
pub fn ceil(x: f64) -> f64 {
    snap(x).ceil()
}

/// Floor that ignores rounding noise: `floor(3 * 0.1 / 0.1) == 3`.
pub fn floor(x: f64) -> f64 {
    snap(x).floor()
}

/// `value >= target`, with equality up to the tolerance counting as met.
pub fn at_least(value: f64, target: f64) -> bool {
    value >= target - TIE_RTOL * target.abs()
}

/// `value <= target`, with equality up to the tolerance counting as met.
pub fn at_most(value: f64, target: f64) -> bool {
    value <= target + TIE_RTOL * target.abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_ties() {
        assert_eq!(ceil(21.0 / (1.0 - 0.3)), 30.0);
        assert_eq!(ceil(4.2 / 0.7), 6.0);
        assert_eq!(ceil(30.000_000_001), 31.0);
        assert_eq!(floor(0.1 * 3.0 / 0.1), 3.0);
        assert!(at_most(600.000_000_000_000_1, 600.0));
        assert!(!at_most(600.001, 600.0));
        assert!(at_least(0.8 - 1e-16, 0.8));
    }
}
