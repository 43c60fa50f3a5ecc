//! Erlang A (M/M/N+M): callers abandon after an exponential patience with mean `patience`.
//!
//! The birth-death chain is summed in closed form, relative to the probability `π_N` that
//! exactly N callers are present. With `x = N patience / AHT` and `y = A patience / AHT`:
//! - idle part `I = sum_{j<N} π_j / π_N = (N / A) / B(N - 1, A)` (no cancellation, unlike 1/B - 1);
//! - queue part `S = sum_{m>=0} π_{N+m} / π_N = 1 + G`, with
//!   `G(x, y) = sum_{m>=1} y^m / ((x + 1) ... (x + m)) = γ(x + 1, y) / (y^x e^-y)`;
//! - `M = sum_m m π_{N+m} / π_N = y + (y - x) G`, so P(abandon) = θ E[queue] / λ = M / (y Z),
//!   with `Z = I + S`.
//!
//! A caller who finds m waiting is served with probability `x / (x + m + 1)`; its virtual wait
//! V (the wait of an infinitely patient caller) has density `(Nμ / Z) exp(φ(θt))` for t > 0,
//! `φ(u) = y (1 - e^-u) - x u`. Every "within t" figure follows from the same functions at
//! `y_t = y e^(-θt)`. Each difference of two such figures is taken in closed form when that
//! keeps 1e-11 relative precision, else integrated directly over positive integrands.
//!
//! Conventions: agents >= 1 (real-valued allowed); any load (the model is always stable);
//! "within t" means wait <= t; zero load: nobody waits; infinite patience is Erlang C.

use crate::erlang::ErlangC;
use crate::error::{check, non_negative, positive, QueueError, Result};
use crate::quadrature::{integrate, Concave};
use crate::special::{digamma_diff, ln_recip_erlang_b, ln_scaled_lower_gamma};

/// Below this many callers ahead, harmonic sums are added term by term.
const DIRECT_SUM_LIMIT: f64 = 64.0;
/// A closed-form difference is kept when its estimated relative error is below this.
const CLOSED_FORM_RTOL: f64 = 1e-11;

/// Which share of calls counts as answered within the threshold (ACD systems differ).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlDefinition {
    /// answered within t / answered
    Answered,
    /// answered within t / offered (abandons count against)
    Offered,
    /// answered within t / (offered - abandoned within t) (short abandons ignored)
    ExclShortAbandons,
    /// (answered within t + abandoned within t) / offered (short abandons count in favour)
    ShortAbandonsOk,
    /// P(virtual wait <= t): the wait an infinitely patient caller would see
    Virtual,
}

impl SlDefinition {
    pub const NAMES: [&'static str; 5] = [
        "answered",
        "offered",
        "excl_short_abandons",
        "short_abandons_ok",
        "virtual",
    ];

    pub fn parse(name: &str) -> Option<Self> {
        let all = [
            SlDefinition::Answered,
            SlDefinition::Offered,
            SlDefinition::ExclShortAbandons,
            SlDefinition::ShortAbandonsOk,
            SlDefinition::Virtual,
        ];
        Self::NAMES.iter().position(|n| *n == name).map(|i| all[i])
    }
}

/// Every Erlang A figure of one (agents, load, aht, patience, threshold) case.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErlangA {
    /// P(an arrival finds every agent busy).
    pub p_wait: f64,
    /// Share of offered calls that abandon.
    pub p_abandon: f64,
    pub p_abandon_given_wait: f64,
    /// Mean number of callers waiting.
    pub mean_queue: f64,
    /// Mean wait of all offered calls (abandoners' waits included), seconds.
    pub asa_all_seconds: f64,
    /// Mean wait of answered calls, seconds.
    pub asa_answered_seconds: f64,
    /// Mean time to abandon of the calls that abandon, seconds.
    pub mean_wait_abandoned_seconds: f64,
    /// Carried (answered) load per agent: load * (1 - p_abandon) / agents.
    pub occupancy: f64,
    /// Share of offered calls answered within the threshold.
    pub answered_within: f64,
    /// Share of offered calls that abandon within the threshold.
    pub abandoned_within: f64,
    pub sl_answered: f64,
    pub sl_offered: f64,
    pub sl_excl_short_abandons: f64,
    pub sl_short_abandons_ok: f64,
    pub sl_virtual: f64,
}

/// The service-level figures of one case, cheap enough for a sizing search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Outcome {
    pub p_abandon: f64,
    /// Share of offered calls answered (at once or after waiting).
    pub answered: f64,
    pub answered_within: f64,
    pub abandoned_within: f64,
    pub virtual_within: f64,
}

impl Outcome {
    pub fn service_level(&self, definition: SlDefinition) -> f64 {
        match definition {
            SlDefinition::Answered => self.answered_within / self.answered,
            SlDefinition::Offered => self.answered_within,
            SlDefinition::ExclShortAbandons => self.answered_within / (1.0 - self.abandoned_within),
            SlDefinition::ShortAbandonsOk => self.answered_within + self.abandoned_within,
            SlDefinition::Virtual => self.virtual_within,
        }
    }
}

/// Validates the model's inputs; `patience_seconds` may be infinite (Erlang C).
pub(crate) fn check_inputs(
    agents: f64,
    load: f64,
    aht_seconds: f64,
    patience_seconds: f64,
) -> Result<()> {
    check(
        agents >= 1.0 && agents.is_finite(),
        "agents",
        agents,
        "must be finite and >= 1",
    )?;
    non_negative("load", load)?;
    positive("aht_seconds", aht_seconds)?;
    check(
        patience_seconds > 0.0,
        "patience_seconds",
        patience_seconds,
        "must be > 0 (inf for callers who never abandon)",
    )
}

fn ln_add_exp(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if lo == f64::NEG_INFINITY {
        hi
    } else {
        hi + (lo - hi).exp().ln_1p()
    }
}

/// `ln(1 + e^v)`.
fn ln_one_plus_exp(v: f64) -> f64 {
    ln_add_exp(0.0, v)
}

/// Means over the queue lengths j >= 1 seen by a waiting arrival, weighted
/// `y^j / ((x + 1) ... (x + j))`: E[j], E[H_j] and E[K_j] with
/// `H_j = sum_{k<=j} 1 / (x + k)` and `K_j = sum_{k<=j} k / (x + k) = j - x H_j`.
fn queue_means(x: f64, y: f64) -> (f64, f64, f64) {
    // Summed outwards from the mode, so no weight overflows and the cost is O(sqrt(y)).
    let mode = (y - x).floor().max(1.0);
    let (mut h0, mut k0) = (0.0, 0.0);
    if mode <= DIRECT_SUM_LIMIT {
        for k in 1..=mode as u64 {
            let k = k as f64;
            h0 += 1.0 / (x + k);
            k0 += k / (x + k);
        }
    } else {
        h0 = digamma_diff(x + mode + 1.0, x + 1.0);
        k0 = mode - x * h0;
    }
    // [weight, weight j, weight H_j, weight K_j], the mode's own term first.
    let mut sums = [1.0, mode, h0, k0];
    let mut add = |w: f64, j: f64, h: f64, k: f64| {
        for (s, v) in sums.iter_mut().zip([1.0, j, h, k]) {
            *s += w * v;
        }
        w < 1e-18 * sums[0]
    };
    let (mut j, mut w, mut h, mut k) = (mode, 1.0, h0, k0);
    loop {
        w *= y / (x + j + 1.0);
        j += 1.0;
        h += 1.0 / (x + j);
        k += j / (x + j);
        if add(w, j, h, k) {
            break;
        }
    }
    (j, w, h, k) = (mode, 1.0, h0, k0);
    while j > 1.0 {
        w *= (x + j) / y;
        h -= 1.0 / (x + j);
        k -= j / (x + j);
        j -= 1.0;
        if add(w, j, h, k) {
            break;
        }
    }
    let [total, sum_j, sum_h, sum_k] = sums;
    (sum_j / total, sum_h / total, sum_k / total)
}

/// `ln M(x, y)`, `M = y + (y - x) G`, given `ln G(x, y)`.
fn ln_queue_sum(x: f64, y: f64, ln_g: f64) -> f64 {
    if y >= x {
        return ln_add_exp(y.ln(), (y - x).ln() + ln_g);
    }
    let cancel = ((x - y).ln() + ln_g - y.ln()).exp();
    if cancel <= 0.999 {
        y.ln() + (-cancel).ln_1p()
    } else {
        ln_g + queue_means(x, y).0.ln()
    }
}

/// φ(u) = y (1 - e^-u) - x u: the log density of the virtual wait at u = θt.
struct WaitDensity {
    x: f64,
    y: f64,
}

impl Concave for WaitDensity {
    fn eval(&self, u: f64) -> (f64, f64, f64) {
        let decay = (-u).exp();
        (
            -self.y * (-u).exp_m1() - self.x * u,
            self.y * decay - self.x,
            -self.y * decay,
        )
    }
}

/// How precisely the "within t" differences must be known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Precision {
    /// 1e-11 relative: a difference that rounding would spoil is integrated directly.
    Full,
    /// Closed forms only, so cheap: a difference spoiled by rounding is then a negligible
    /// share of its figure. Searches screen with this and settle near-ties with `Full`.
    Screening,
}

/// `ln(a - b)` for `a = e^ln_a >= b = e^ln_b`, and whether it keeps `CLOSED_FORM_RTOL`
/// given the absolute error `err` of the logs.
fn ln_difference(ln_a: f64, ln_b: f64, err: f64) -> (f64, bool) {
    let r = ln_b - ln_a;
    if r == f64::NEG_INFINITY {
        return (ln_a, true);
    }
    let gap = -r.exp_m1();
    let value = if gap > 0.0 {
        ln_a + gap.ln()
    } else {
        f64::NEG_INFINITY
    };
    (value, gap > 0.0 && err * r.exp() <= CLOSED_FORM_RTOL * gap)
}

/// The chain of one case with finite patience and positive load, in log form.
struct Chain {
    x: f64,
    y: f64,
    ln_idle: f64,
    ln_g: f64,
    ln_s: f64,
    ln_z: f64,
    ln_m: f64,
}

impl Chain {
    fn new(agents: f64, load: f64, aht: f64, patience: f64) -> Self {
        let ratio = patience / aht;
        let (x, y) = (agents * ratio, load * ratio);
        let ln_idle = (agents / load).ln() + ln_recip_erlang_b(agents - 1.0, load);
        let ln_g = ln_scaled_lower_gamma(x, y);
        let ln_s = ln_one_plus_exp(ln_g);
        Chain {
            x,
            y,
            ln_idle,
            ln_g,
            ln_s,
            ln_z: ln_add_exp(ln_idle, ln_s),
            ln_m: ln_queue_sum(x, y, ln_g),
        }
    }

    fn share(&self, ln_part: f64) -> f64 {
        (ln_part - self.ln_z).exp()
    }

    fn p_abandon(&self) -> f64 {
        self.share(self.ln_m - self.y.ln())
    }

    /// Served after waiting, per offered call: (x / y) G / Z.
    fn ln_served_after_wait(&self) -> f64 {
        (self.x / self.y).ln() + self.ln_g
    }

    fn outcome(&self, threshold_seconds: f64, patience: f64, precision: Precision) -> Outcome {
        let no_wait = self.share(self.ln_idle);
        let answered = no_wait + self.share(self.ln_served_after_wait());
        let p_abandon = self.p_abandon();
        let q = threshold_seconds / patience;
        if q == 0.0 {
            return Outcome {
                p_abandon,
                answered,
                answered_within: no_wait,
                abandoned_within: 0.0,
                virtual_within: no_wait,
            };
        }
        if q == f64::INFINITY {
            return Outcome {
                p_abandon,
                answered,
                answered_within: answered,
                abandoned_within: p_abandon,
                virtual_within: 1.0,
            };
        }
        let (x, y) = (self.x, self.y);
        let y_t = y * (-q).exp();
        let shift = -y * (-q).exp_m1() - x * q; // ln of the factor that scales y_t's figures
        let ln_g_t = ln_scaled_lower_gamma(x, y_t);
        let ln_s_t = shift + ln_one_plus_exp(ln_g_t);
        let ln_m_t = shift + ln_queue_sum(x, y_t, ln_g_t);
        // A few ulps of each log and of the shift, plus the special functions' own error.
        let err = 4e-15 + 4e-16 * (self.ln_g.abs() + ln_g_t.abs() + shift.abs() + 2.0 * x * q);
        let closed = (
            ln_difference(self.ln_s, ln_s_t, err),
            ln_difference(self.ln_g, shift + ln_g_t, err),
            ln_difference(self.ln_m, ln_m_t, err),
        );
        // S - S_t = x I0, G - G_t = y I1, M - M_t = y (x I2 + (1 - e^-q) S_t), with
        // I0 = ∫_0^q e^φ, I1 = ∫_0^q e^(φ - u), I2 = ∫_0^q e^φ (1 - e^-u).
        let (ln_ds, ln_dg, ln_dm) = match closed {
            ((ds, true), (dg, true), (dm, true)) => (ds, dg, dm),
            ((ds, _), (dg, _), (dm, _)) if precision == Precision::Screening => (ds, dg, dm),
            _ => {
                let density = WaitDensity { x, y };
                let peak = if y > x { (y / x).ln() } else { 0.0 };
                let (top, [i0, i1, i2]) = integrate(&density, 0.0, q, peak, |u| {
                    let decay = (-u).exp();
                    [1.0, decay, -(-u).exp_m1()]
                });
                let late = (-(-q).exp_m1()).ln() + ln_s_t;
                (
                    x.ln() + top + i0.ln(),
                    y.ln() + top + i1.ln(),
                    y.ln() + ln_add_exp(x.ln() + top + i2.ln(), late),
                )
            }
        };
        Outcome {
            p_abandon,
            answered,
            answered_within: no_wait + self.share((x / y).ln() + ln_dg),
            abandoned_within: self.share(ln_dm - y.ln()),
            virtual_within: no_wait + self.share(ln_ds),
        }
    }
}

/// The service-level figures, for validated inputs.
pub(crate) fn outcome(
    agents: f64,
    load: f64,
    aht_seconds: f64,
    patience_seconds: f64,
    threshold_seconds: f64,
    precision: Precision,
) -> Outcome {
    if load == 0.0 {
        return Outcome {
            p_abandon: 0.0,
            answered: 1.0,
            answered_within: 1.0,
            abandoned_within: 0.0,
            virtual_within: 1.0,
        };
    }
    if patience_seconds == f64::INFINITY {
        let c = ErlangC::new(agents, load).expect("validated");
        let sl = c.service_level(aht_seconds, threshold_seconds);
        return Outcome {
            p_abandon: 0.0,
            answered: 1.0,
            answered_within: sl,
            abandoned_within: 0.0,
            virtual_within: sl,
        };
    }
    Chain::new(agents, load, aht_seconds, patience_seconds).outcome(
        threshold_seconds,
        patience_seconds,
        precision,
    )
}

fn from_outcome(o: Outcome, p_wait: f64, occupancy: f64) -> impl Fn([f64; 4]) -> ErlangA {
    move |[mean_queue, asa_all, asa_answered, wait_abandoned]| ErlangA {
        p_wait,
        p_abandon: o.p_abandon,
        p_abandon_given_wait: 0.0,
        mean_queue,
        asa_all_seconds: asa_all,
        asa_answered_seconds: asa_answered,
        mean_wait_abandoned_seconds: wait_abandoned,
        occupancy,
        answered_within: o.answered_within,
        abandoned_within: o.abandoned_within,
        sl_answered: o.service_level(SlDefinition::Answered),
        sl_offered: o.service_level(SlDefinition::Offered),
        sl_excl_short_abandons: o.service_level(SlDefinition::ExclShortAbandons),
        sl_short_abandons_ok: o.service_level(SlDefinition::ShortAbandonsOk),
        sl_virtual: o.service_level(SlDefinition::Virtual),
    }
}

/// Every Erlang A figure of one case.
pub fn erlang_a(
    agents: f64,
    load: f64,
    aht_seconds: f64,
    patience_seconds: f64,
    threshold_seconds: f64,
) -> Result<ErlangA> {
    check_inputs(agents, load, aht_seconds, patience_seconds)?;
    non_negative("threshold_seconds", threshold_seconds).or_else(|e| {
        // An infinite threshold is a meaningful question: everyone is "within" it.
        if threshold_seconds == f64::INFINITY {
            Ok(threshold_seconds)
        } else {
            Err(e)
        }
    })?;
    let o = outcome(
        agents,
        load,
        aht_seconds,
        patience_seconds,
        threshold_seconds,
        Precision::Full,
    );
    let (aht, patience) = (aht_seconds, patience_seconds);
    if load == 0.0 {
        // Limits as the load vanishes: a lone waiting caller leaves at rate θ + Nμ.
        let leave = patience * aht / (aht + agents * patience);
        return Ok(ErlangA {
            p_abandon_given_wait: leave / patience,
            ..from_outcome(o, 0.0, 0.0)([0.0, 0.0, 0.0, leave])
        });
    }
    if patience == f64::INFINITY {
        let c = ErlangC::new(agents, load)?;
        // Nobody abandons; a vanishing patience would see the conditional mean wait
        // AHT / (N - A), which is also the limit of the mean wait of abandoners.
        let wait_abandoned = if c.is_stable() {
            aht / (agents - load)
        } else {
            f64::INFINITY
        };
        let asa = c.asa(aht);
        let fields = [c.queue_length(), asa, asa, wait_abandoned];
        return Ok(from_outcome(o, c.p_wait, c.occupancy())(fields));
    }
    let chain = Chain::new(agents, load, aht, patience);
    let (mean_j, mean_h, mean_k) = queue_means(chain.x, chain.y);
    let x = chain.x;
    // E[wait; served] = x G E[H] / (θ y Z); E[wait; abandoned] = G E[K] / (θ y Z).
    let ln_served_wait = x.ln() + chain.ln_g + mean_h.ln() - chain.y.ln();
    let ln_answered = ln_add_exp(chain.ln_idle, chain.ln_served_after_wait());
    let fields = [
        chain.share(chain.ln_m),
        o.p_abandon * patience,
        patience * (ln_served_wait - ln_answered).exp(),
        patience * mean_k / mean_j,
    ];
    let p_wait = chain.share(chain.ln_s);
    Ok(ErlangA {
        p_abandon_given_wait: (chain.ln_m - chain.y.ln() - chain.ln_s).exp(),
        ..from_outcome(o, p_wait, carried_occupancy(load, agents, o.answered))(fields)
    })
}

/// Occupancy of agents who answer a share `answered` of the offered `load`: carried load per
/// agent, the one occupancy Erlang A reports and caps.
pub(crate) fn carried_occupancy(load: f64, agents: f64, answered: f64) -> f64 {
    load * answered / agents
}

/// The error for an unknown service-level definition name.
pub fn unknown_definition() -> QueueError {
    QueueError::Options {
        message: "sl_definition must be one of 'answered', 'offered', 'excl_short_abandons', \
                  'short_abandons_ok', 'virtual'",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chain summed state by state (truncated far in the tail): slow, but obviously right.
    fn brute(n: u64, load: f64, aht: f64, patience: f64) -> (f64, f64, f64) {
        let (mu, theta, lambda) = (1.0 / aht, 1.0 / patience, load / aht);
        let mut p = vec![1.0_f64];
        for j in 1..(n as usize + 4000) {
            let rate = if (j as u64) <= n {
                j as f64 * mu
            } else {
                n as f64 * mu + (j as f64 - n as f64) * theta
            };
            let next = p[j - 1] * lambda / rate;
            p.push(next);
        }
        let z: f64 = p.iter().sum();
        let wait: f64 = p[n as usize..].iter().sum::<f64>() / z;
        let queue: f64 = p
            .iter()
            .enumerate()
            .skip(n as usize)
            .map(|(j, v)| (j as f64 - n as f64) * v)
            .sum::<f64>()
            / z;
        (wait, theta * queue / lambda, queue)
    }

    #[test]
    fn matches_the_chain_summed_directly() {
        for &(n, load, aht, patience) in &[
            (1_u64, 0.5, 60.0, 30.0),
            (5, 4.0, 180.0, 90.0),
            (10, 12.0, 300.0, 120.0),
            (20, 18.0, 200.0, 2000.0),
            (50, 80.0, 240.0, 60.0),
            (100, 95.0, 180.0, 180.0),
        ] {
            let a = erlang_a(n as f64, load, aht, patience, 20.0).unwrap();
            let (wait, abandon, queue) = brute(n, load, aht, patience);
            for (got, want, what) in [
                (a.p_wait, wait, "p_wait"),
                (a.p_abandon, abandon, "p_abandon"),
                (a.mean_queue, queue, "mean_queue"),
            ] {
                assert!(
                    ((got - want) / want).abs() < 1e-12,
                    "{what} n {n} load {load}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn closed_forms_and_integrals_agree() {
        // The same case with the closed form forced off must give the same figures.
        for &(n, load, patience, t) in &[
            (10.0, 12.0, 120.0, 20.0),
            (100.0, 95.0, 180.0, 20.0),
            (30.0, 20.0, 30.0, 60.0),
        ] {
            let chain = Chain::new(n, load, 180.0, patience);
            let closed = chain.outcome(t, patience, Precision::Full);
            let (x, y) = (chain.x, chain.y);
            let q = t / patience;
            let peak = if y > x { (y / x).ln() } else { 0.0 };
            let (top, [i0]) = integrate(&WaitDensity { x, y }, 0.0, q, peak, |_| [1.0]);
            let virtual_within = chain.share(chain.ln_idle) + chain.share(x.ln() + top + i0.ln());
            assert!(((virtual_within - closed.virtual_within) / virtual_within).abs() < 1e-12);
        }
    }

    #[test]
    fn infinite_patience_is_erlang_c() {
        let a = erlang_a(14.0, 10.0, 180.0, f64::INFINITY, 20.0).unwrap();
        let c = ErlangC::new(14.0, 10.0).unwrap();
        assert_eq!(a.p_wait, c.p_wait);
        assert_eq!(a.sl_answered, c.service_level(180.0, 20.0));
        assert_eq!(a.p_abandon, 0.0);
    }

    #[test]
    fn definitions_parse_and_bad_input_is_named() {
        assert_eq!(SlDefinition::parse("virtual"), Some(SlDefinition::Virtual));
        assert_eq!(SlDefinition::parse("Answered"), None);
        let err = erlang_a(0.5, 1.0, 180.0, 60.0, 20.0).unwrap_err();
        assert_eq!(err.to_string(), "agents must be finite and >= 1, got 0.5");
        let err = erlang_a(2.0, 1.0, 180.0, f64::NAN, 20.0).unwrap_err();
        assert!(err.to_string().starts_with("patience_seconds must be > 0"));
    }
}
