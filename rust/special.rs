//! Special functions behind Erlang B for real-valued server counts.
//!
//! `1 / B(x, a) = Γ(x + 1, a) / (a^x e^-a)` (upper incomplete gamma), evaluated without
//! factorials or powers that overflow. Three regimes, each cheap and accurate where it is used:
//! - near the transition `x + 1 ≈ a` with `x + 1 >= 50`: Temme's uniform asymptotic expansion
//!   (DLMF 8.12), whose cost does not grow with the load;
//! - `a >= x + 1` elsewhere: Legendre's continued fraction for `Γ(s, a)`;
//! - `a < x + 1` elsewhere: the Poisson probability (Loader's saddle-point form) and the
//!   lower incomplete gamma series.

use std::f64::consts::PI;

use crate::temme_table::TEMME_D;

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
const SQRT_PI: f64 = 1.772_453_850_905_516;
const TEMME_MIN_SHAPE: f64 = 50.0;
const TEMME_MAX_SIGMA: f64 = 0.3;
const MAX_TERMS: usize = 100_000;
/// 1 / (2j + 1): multiplications instead of divisions in `bd0`'s series.
const ODD_RECIPROCALS: [f64; 16] = {
    let mut r = [0.0; 16];
    let mut j = 0;
    while j < 16 {
        r[j] = 1.0 / (2 * j + 1) as f64;
        j += 1;
    }
    r
};

/// Scaled complementary error function `exp(y^2) erfc(y)`, for y >= -26 (finite there).
pub(crate) fn erfcx(y: f64) -> f64 {
    if y < 26.0 {
        // exp(y^2) with y^2 = hi + lo split exactly (Dekker), so the square's rounding does not
        // leak; no fused multiply-add, which baseline x86-64 only has in software.
        let hi = y * y;
        let split = y * 134_217_729.0; // 2^27 + 1
        let y_hi = split - (split - y);
        let y_lo = y - y_hi;
        let lo = ((y_hi * y_hi - hi) + 2.0 * y_hi * y_lo) + y_lo * y_lo;
        libm::exp(hi) * (1.0 + lo) * libm::erfc(y)
    } else {
        // Asymptotic series; at y >= 26 it reaches double precision within 8 terms.
        let inv = 1.0 / (2.0 * y * y);
        let (mut term, mut sum) = (1.0, 1.0);
        for k in 1..20 {
            term *= -((2 * k - 1) as f64) * inv;
            sum += term;
            if term.abs() < 1e-17 {
                break;
            }
        }
        sum / (y * SQRT_PI)
    }
}

/// Stirling's error `ln Γ(x + 1) - (x + 1/2) ln x + x - ln sqrt(2 pi)`, for x > 0.
pub(crate) fn stirlerr(x: f64) -> f64 {
    if x > 15.0 {
        let r = 1.0 / x;
        let r2 = r * r;
        // Stirling series, B_2k / (2k (2k - 1) x^(2k - 1)); seven terms reach 1e-18 at x = 15.
        r * (1.0 / 12.0
            - r2 * (1.0 / 360.0
                - r2 * (1.0 / 1260.0
                    - r2 * (1.0 / 1680.0
                        - r2 * (1.0 / 1188.0 - r2 * (691.0 / 360_360.0 - r2 / 156.0))))))
    } else {
        libm::lgamma(x + 1.0) - (x + 0.5) * x.ln() + x - LN_SQRT_2PI
    }
}

/// Loader's deviance term `x ln(x / m) + m - x`, accurate when x ≈ m (x, m > 0).
pub(crate) fn bd0(x: f64, m: f64) -> f64 {
    let d = x - m;
    if d.abs() < 0.1 * (x + m) {
        let v = d / (x + m);
        let v2 = v * v;
        let mut sum = d * v;
        let mut term = 2.0 * x * v;
        for j in 1..MAX_TERMS {
            term *= v2;
            let next = sum
                + term
                    * ODD_RECIPROCALS
                        .get(j)
                        .copied()
                        .unwrap_or(1.0 / (2 * j + 1) as f64);
            if next == sum {
                break;
            }
            sum = next;
        }
        sum
    } else {
        let ratio = x / m;
        // The quotient overflows for a tiny m (1e15 / 1e-300): then ln x - ln m, exact enough
        // because the term is huge.
        let ln_ratio = if ratio.is_finite() {
            ratio.ln()
        } else {
            x.ln() - m.ln()
        };
        x * ln_ratio + m - x
    }
}

/// ln of the Poisson "probability" `a^x e^-a / Γ(x + 1)` for real x >= 0, a > 0.
pub(crate) fn ln_poisson(x: f64, a: f64) -> f64 {
    if x < 15.0 {
        x * a.ln() - a - libm::lgamma(x + 1.0)
    } else {
        -stirlerr(x) - bd0(x, a) - LN_SQRT_2PI - 0.5 * x.ln()
    }
}

/// `ln(1 / B(x, a))`: minus the log of Erlang B, for real servers x >= 0 and load a > 0.
pub fn ln_recip_erlang_b(x: f64, a: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let s = x + 1.0;
    if in_temme_range(s, a) {
        Temme::new(s, a).ln_upper()
    } else if a >= s {
        a.ln() + ln_gamma_cf(s, a)
    } else {
        let ln_p = ln_poisson(x, a);
        -ln_p + (-(ln_p.exp() * lower_gamma_series(x, a))).ln_1p()
    }
}

/// `ln(γ(x + 1, a) / (a^x e^-a)) = ln sum_{j >= 1} a^j / ((x + 1) ... (x + j))`, for real
/// x >= 0 and a > 0: the queue part of Erlang A, scaled like [`ln_recip_erlang_b`].
pub fn ln_scaled_lower_gamma(x: f64, a: f64) -> f64 {
    let s = x + 1.0;
    if in_temme_range(s, a) {
        Temme::new(s, a).ln_lower()
    } else if a >= s {
        // γ = Γ(s) - Γ(s, a), where Γ(s, a) / Γ(s) <= 1/2 here: no cancellation.
        let ln_p = ln_poisson(x, a);
        let ln_upper = a.ln() + ln_gamma_cf(s, a);
        -ln_p + (-(ln_p + ln_upper).exp()).ln_1p()
    } else {
        lower_gamma_series(x, a).ln()
    }
}

/// `ln(Γ(s, a) / (a^s e^-a))` by Legendre's continued fraction (modified Lentz), for a >= s - 1.
fn ln_gamma_cf(s: f64, a: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut b = a + 1.0 - s;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..MAX_TERMS {
        let an = -(i as f64) * (i as f64 - s);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < f64::EPSILON {
            break;
        }
    }
    h.ln()
}

/// `sum_{j >= 1} a^j / ((x + 1) ... (x + j))` for a < x + 1: the lower incomplete gamma
/// function over `a^x e^-a`.
fn lower_gamma_series(x: f64, a: f64) -> f64 {
    let (mut term, mut sum) = (1.0, 0.0);
    for j in 1..MAX_TERMS {
        term *= a / (x + j as f64);
        sum += term;
        if term < f64::EPSILON * 0.25 * sum {
            break;
        }
    }
    sum
}

/// Temme's expansion (DLMF 8.12) of both incomplete gamma functions `Γ(s, a)` and `γ(s, a)`
/// over `a^(s-1) e^-a`, s = x + 1:
/// `Γ / (a^x e^-a) = a Γ*(s) sqrt(2 pi / s) [erfcx(y) / 2 + R]` and
/// `γ / (a^x e^-a) = a Γ*(s) sqrt(2 pi / s) [erfcx(-y) / 2 - R]`,
/// where `y^2 = s η^2 / 2 = bd0(s, a)`, y has the sign of a - s and
/// `R = sum_k c_k(η) s^-k / sqrt(2 pi s)`. Returns the logs of both.
struct Temme {
    ln_gamma_star: f64,
    scale: f64,
    y: f64,
    y2: f64,
    remainder: f64,
}

impl Temme {
    fn new(s: f64, a: f64) -> Self {
        let y2 = bd0(s, a);
        let sign = if a >= s { 1.0 } else { -1.0 };
        let eta = sign * (2.0 * y2 / s).sqrt();
        Temme {
            ln_gamma_star: stirlerr(s),
            scale: a * (2.0 * PI / s).sqrt(),
            y: sign * y2.sqrt(),
            y2,
            remainder: temme_series(s, eta) / (2.0 * PI * s).sqrt(),
        }
    }

    /// `ln(a Γ*(s) sqrt(2 pi / s) [erfcx(y) / 2 + r])`; the lower function is the same with
    /// y and r negated.
    fn ln_part(&self, y: f64, r: f64) -> f64 {
        if y >= -5.0 {
            // One log for the product: every factor is moderate here.
            self.ln_gamma_star + (self.scale * (0.5 * erfcx(y) + r)).ln()
        } else {
            // erfcx(y) = 2 e^(y^2) - erfcx(-y) would overflow; factor e^(y^2) out instead.
            let rest = (-(-self.y2).exp() * (0.5 * erfcx(-y) - r)).ln_1p();
            self.ln_gamma_star + self.scale.ln() + self.y2 + rest
        }
    }

    fn ln_upper(&self) -> f64 {
        self.ln_part(self.y, self.remainder)
    }

    fn ln_lower(&self) -> f64 {
        self.ln_part(-self.y, -self.remainder)
    }
}

fn in_temme_range(s: f64, a: f64) -> bool {
    s >= TEMME_MIN_SHAPE && ((a - s) / s).abs() <= TEMME_MAX_SIGMA
}

/// `sum_k c_k(η) s^-k`. The orders and Taylor terms kept are the fewest whose neglected
/// tail stays below 1e-18 (worked out from the table for |η| <= 0.35, s >= 50); the orders are
/// summed in independent accumulators so that their Horner chains overlap.
fn temme_series(s: f64, eta: f64) -> f64 {
    const ORDERS: [(f64, usize); 7] = [
        (1e5, 3),
        (1e4, 4),
        (1e3, 5),
        (500.0, 6),
        (200.0, 7),
        (100.0, 8),
        (0.0, 9),
    ];
    const TERMS: [(f64, usize); 7] = [
        (0.02, 10),
        (0.05, 12),
        (0.1, 15),
        (0.15, 17),
        (0.2, 18),
        (0.25, 20),
        (0.3, 22),
    ];
    let orders = ORDERS
        .iter()
        .find(|(min_s, _)| s >= *min_s)
        .map_or(9, |o| o.1);
    let terms = TERMS
        .iter()
        .find(|(max_eta, _)| eta.abs() <= *max_eta)
        .map_or(24, |t| t.1);
    let mut acc = [0.0_f64; 9];
    for n in (0..terms).rev() {
        for (a, row) in acc.iter_mut().zip(TEMME_D.iter()).take(orders) {
            *a = *a * eta + row[n];
        }
    }
    let inv_s = 1.0 / s;
    acc[..orders]
        .iter()
        .rev()
        .fold(0.0, |sum, c_k| sum * inv_s + c_k)
}

/// `ψ(a) - ψ(b)` for a, b > 0, without the cancellation of subtracting two digammas.
pub(crate) fn digamma_diff(mut a: f64, mut b: f64) -> f64 {
    // ψ(z) = ψ(z + 1) - 1/z lifts both arguments to where the asymptotic series is exact.
    let mut shift = 0.0;
    while a < 10.0 {
        shift -= 1.0 / a;
        a += 1.0;
    }
    while b < 10.0 {
        shift += 1.0 / b;
        b += 1.0;
    }
    // ψ(z) ~ ln z - 1/(2z) - sum_k B_2k / (2k z^2k); six terms reach 1e-17 at z = 10.
    const C: [f64; 6] = [
        1.0 / 12.0,
        -1.0 / 120.0,
        1.0 / 252.0,
        -1.0 / 240.0,
        1.0 / 132.0,
        -691.0 / 32760.0,
    ];
    let tail = |z: f64| {
        let r2 = 1.0 / (z * z);
        C.iter().rev().fold(0.0, |acc, c| acc * r2 + c) * r2
    };
    shift + ((a - b) / b).ln_1p() - 0.5 / a + 0.5 / b - (tail(a) - tail(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recurrence_b(n: u64, a: f64) -> f64 {
        (1..=n).fold(1.0, |b, k| a * b / (k as f64 + a * b))
    }

    #[test]
    fn matches_recurrence_in_every_regime() {
        for &a in &[0.01, 0.5, 3.0, 20.0, 49.0, 80.0, 200.0, 1000.0, 5000.0] {
            for n in [
                1_u64, 2, 5, 10, 30, 49, 50, 60, 100, 150, 300, 1000, 1200, 6000,
            ] {
                let want = recurrence_b(n, a);
                if want < 1e-290 {
                    continue; // the recurrence itself has underflowed
                }
                let got = (-ln_recip_erlang_b(n as f64, a)).exp();
                let rel = ((got - want) / want).abs();
                assert!(
                    rel < 1e-12,
                    "B({n}, {a}) = {got}, recurrence {want}, rel {rel:e}"
                );
            }
        }
    }

    #[test]
    fn erfcx_is_continuous_across_its_branches() {
        let below = erfcx(26.0 - 1e-12);
        let above = erfcx(26.0);
        assert!(((below - above) / above).abs() < 1e-13);
        assert!((erfcx(0.0) - 1.0).abs() < 1e-16);
    }
}
