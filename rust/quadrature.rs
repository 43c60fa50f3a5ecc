//! Integrals of `exp(φ(u)) w(u)` for concave φ, by Gauss-Legendre panels sized to φ.
//!
//! Used where a closed form would subtract nearly equal numbers: every integrand here is
//! positive, so the sum keeps its relative precision however small it is.

use std::sync::OnceLock;

const NODES: usize = 16;
/// Largest change of φ across one panel; 16 nodes then integrate the panel to ~1e-17.
const PANEL_DROP: f64 = 2.0;
const MAX_PANELS: usize = 100_000;

/// Gauss-Legendre nodes and weights on [-1, 1], by Newton's method on the Legendre recurrence.
fn gauss_legendre() -> &'static [(f64, f64); NODES] {
    static RULE: OnceLock<[(f64, f64); NODES]> = OnceLock::new();
    RULE.get_or_init(|| {
        let n = NODES as f64;
        let mut rule = [(0.0, 0.0); NODES];
        for (i, slot) in rule.iter_mut().enumerate() {
            let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (n + 0.5)).cos();
            let mut derivative = 1.0;
            for _ in 0..100 {
                let (mut p0, mut p1) = (1.0, z);
                for k in 2..=NODES {
                    let k = k as f64;
                    (p0, p1) = (p1, ((2.0 * k - 1.0) * z * p1 - (k - 1.0) * p0) / k);
                }
                derivative = n * (z * p1 - p0) / (z * z - 1.0);
                let step = p1 / derivative;
                z -= step;
                if step.abs() < 1e-16 {
                    break;
                }
            }
            *slot = (z, 2.0 / ((1.0 - z * z) * derivative * derivative));
        }
        rule
    })
}

/// A concave exponent: value, slope and curvature at u.
pub(crate) trait Concave {
    fn eval(&self, u: f64) -> (f64, f64, f64);
}

/// `∫_lo^hi exp(φ(u) - φ(peak)) w_k(u) du` for K weights at once, with `peak` the maximiser
/// of φ on [lo, hi]. Returns φ(peak) and the K scaled integrals.
pub(crate) fn integrate<const K: usize>(
    phi: &impl Concave,
    lo: f64,
    hi: f64,
    peak: f64,
    weights: impl Fn(f64) -> [f64; K],
) -> (f64, [f64; K]) {
    let peak = peak.clamp(lo, hi);
    let top = phi.eval(peak).0;
    let mut sums = [0.0; K];
    for direction in [1.0, -1.0] {
        let end = if direction > 0.0 { hi } else { lo };
        let mut u = peak;
        for _ in 0..MAX_PANELS {
            let remaining = (end - u).abs();
            if remaining == 0.0 {
                break;
            }
            let (value, slope, curvature) = phi.eval(u);
            let total = sums.iter().fold(0.0_f64, |m, s| m.max(*s));
            // φ is concave and falls away from the peak: what is left is below
            // exp(value - top) / |slope|.
            if total > 0.0 && (value - top).exp() < 1e-18 * total * slope.abs() {
                break;
            }
            let h = (PANEL_DROP / slope.abs())
                .min((2.0 * PANEL_DROP / curvature.abs()).sqrt())
                .min(1.0)
                .min(remaining);
            let mid = u + direction * 0.5 * h;
            for (node, weight) in gauss_legendre() {
                let at = mid + 0.5 * h * node;
                let scale = weight * 0.5 * h * (phi.eval(at).0 - top).exp();
                for (sum, w) in sums.iter_mut().zip(weights(at)) {
                    *sum += scale * w;
                }
            }
            u = if h == remaining {
                end
            } else {
                u + direction * h
            };
        }
    }
    (top, sums)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Parabola(f64);
    impl Concave for Parabola {
        fn eval(&self, u: f64) -> (f64, f64, f64) {
            (-self.0 * u * u, -2.0 * self.0 * u, -2.0 * self.0)
        }
    }

    #[test]
    fn gaussian_and_exponential_moments() {
        // ∫_{-1}^{1} exp(-c u^2) du = sqrt(pi / c) erf(sqrt(c)).
        for c in [1e-3, 1.0, 40.0, 1e6] {
            let (top, [area, second]) = integrate(&Parabola(c), -1.0, 1.0, 0.0, |u| [1.0, u * u]);
            let want = (std::f64::consts::PI / c).sqrt() * libm::erf(c.sqrt());
            assert_eq!(top, 0.0);
            assert!(
                ((area - want) / want).abs() < 1e-14,
                "c {c}: {area} vs {want}"
            );
            // ∫ u^2 exp(-c u^2) = (want - 2 exp(-c)) / (2c), by parts.
            let want2 = (want - 2.0 * (-c).exp()) / (2.0 * c);
            assert!(((second - want2) / want2).abs() < 1e-12, "c {c}");
        }
    }
}
