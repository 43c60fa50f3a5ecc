//! Sizing: the fewest agents (or lines) that meet the targets.
//!
//! Rules, decided once here:
//! - load = calls * aht_seconds / interval_seconds (Erlangs). Zero calls need 0 agents.
//! - agents: the smallest whole N > load meeting every given target (ties count as met, see
//!   [`crate::ties`]); then at least the smallest N with load / N <= max_occupancy; then
//!   scheduled = ceil(agents / (1 - shrinkage)).
//! - The search starts from a Halfin-Whitt estimate and steps with the Erlang B recurrence,
//!   so its cost hardly depends on the load.

use crate::erlang::{ln_b_unchecked, ErlangC};
use crate::error::{check, non_negative, open_fraction, positive, QueueError, Result};
use crate::search::{first_meeting, Ladder};
use crate::special::erfcx;
use crate::ties;

/// Loads above this many Erlangs are rejected: no contact center is that large, and agent
/// counts must stay exact in a double.
pub const MAX_LOAD: f64 = 1e12;

/// Service targets and staffing rules of one sizing.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Targets {
    /// Minimum share of calls answered within `threshold_seconds`, in (0, 1).
    pub sl_target: Option<f64>,
    pub threshold_seconds: Option<f64>,
    /// Maximum average speed of answer, seconds (> 0).
    pub asa_target_seconds: Option<f64>,
    /// Maximum occupancy, in (0, 1].
    pub max_occupancy: Option<f64>,
    /// Share of paid time not available for calls, in [0, 1).
    pub shrinkage: f64,
}

impl Targets {
    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<()> {
        check_service_level(self.sl_target, self.threshold_seconds)?;
        if let Some(asa) = self.asa_target_seconds {
            positive("asa_target_seconds", asa)?;
        }
        if self.sl_target.is_none() && self.asa_target_seconds.is_none() {
            return Err(QueueError::Options {
                message: "give sl_target (with threshold_seconds) or asa_target_seconds, or both",
            });
        }
        check_rules(self.max_occupancy, self.shrinkage)
    }
}

/// Checks a service-level target and its threshold, shared by every sizing.
pub(crate) fn check_service_level(
    sl_target: Option<f64>,
    threshold_seconds: Option<f64>,
) -> Result<()> {
    if let Some(sl) = sl_target {
        open_fraction("sl_target", sl)?;
        if threshold_seconds.is_none() {
            return Err(QueueError::Options {
                message: "threshold_seconds is required with sl_target",
            });
        }
    }
    if let Some(t) = threshold_seconds {
        non_negative("threshold_seconds", t)?;
    }
    Ok(())
}

/// Checks the occupancy cap and shrinkage shared by every sizing.
pub(crate) fn check_rules(max_occupancy: Option<f64>, shrinkage: f64) -> Result<()> {
    if let Some(occ) = max_occupancy {
        check(
            occ > 0.0 && occ <= 1.0,
            "max_occupancy",
            occ,
            "must be in (0, 1]",
        )?;
    }
    let s = shrinkage;
    check((0.0..1.0).contains(&s), "shrinkage", s, "must be in [0, 1)")
}

/// Largest staff count a double holds exactly, 2**53: counts are whole numbers to the end.
pub const MAX_COUNT: f64 = 9_007_199_254_740_992.0;

/// `ceil(real)` as a count, or an error naming the input that drove it past [`MAX_COUNT`].
fn count(real: f64, parameter: &'static str, value: f64, rule: &'static str) -> Result<u64> {
    let n = ties::ceil(real);
    check(n <= MAX_COUNT, parameter, value, rule)?;
    Ok(n as u64)
}

/// The fewest agents with load / agents <= max_occupancy: ceil(load / max_occupancy).
pub(crate) fn occupancy_floor(load: f64, max_occupancy: f64) -> Result<u64> {
    let rule = "gives more than 2**53 agents at this load";
    count(load / max_occupancy, "max_occupancy", max_occupancy, rule)
}

/// Agents to schedule for `agents` on the phones: ceil(agents / (1 - shrinkage)).
pub(crate) fn scheduled(agents: u64, shrinkage: f64) -> Result<u64> {
    let rule = "gives more than 2**53 scheduled agents at this load";
    count(
        agents as f64 / (1.0 - shrinkage),
        "shrinkage",
        shrinkage,
        rule,
    )
}

/// The answer of one sizing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Staffing {
    /// Offered load, Erlangs.
    pub load: f64,
    /// Agents on the phones: after the service targets and the occupancy cap.
    pub agents: u64,
    /// Agents to schedule: agents / (1 - shrinkage), rounded up.
    pub scheduled: u64,
    /// Service level reached at `agents` (NaN when no threshold was given).
    pub service_level: f64,
    pub asa_seconds: f64,
    pub occupancy: f64,
}

/// Erlang B values over whole server counts at one load, stepped by the recurrence.
struct BlockingLadder {
    load: f64,
}

impl Ladder for BlockingLadder {
    type State = f64;
    fn at(&self, n: u64) -> f64 {
        ln_b_unchecked(n as f64, self.load).exp()
    }
    fn up(&self, n: u64, b: &f64) -> f64 {
        self.load * b / ((n + 1) as f64 + self.load * b)
    }
    fn down(&self, n: u64, b: &f64) -> f64 {
        n as f64 * b / (self.load * (1.0 - b))
    }
}

/// Offered load from calls per interval, validated.
pub fn offered_load(calls: f64, aht_seconds: f64, interval_seconds: f64) -> Result<f64> {
    let calls = non_negative("calls", calls)?;
    let aht = positive("aht_seconds", aht_seconds)?;
    let interval = positive("interval_seconds", interval_seconds)?;
    let load = calls * aht / interval;
    check(
        load <= MAX_LOAD,
        "calls",
        calls,
        "gives a load above 1e12 Erlangs with this aht_seconds and interval_seconds",
    )?;
    Ok(load)
}

/// `Φ(β) / φ(β)`: the ratio behind the Halfin-Whitt approximations.
fn mills(beta: f64) -> f64 {
    (std::f64::consts::FRAC_PI_2).sqrt() * erfcx(-beta * std::f64::consts::FRAC_1_SQRT_2)
}

/// A starting point for the search, β = (N - A) / sqrt(A): one Newton step on the
/// Halfin-Whitt form of the binding target, from β = 0.1 (left of the root of a convex
/// decreasing function, so the step lands short of it). Measured: more steps cost more than
/// walking the remaining agents with the exact recurrence.
fn halfin_whitt_beta(load: f64, aht: f64, targets: &Targets) -> f64 {
    let root_load = load.sqrt();
    let beta = 0.1_f64;
    let m = mills(beta);
    let ln_c = -(beta * m).ln_1p();
    let d_ln_c = -(m + beta * (1.0 + beta * m)) / (1.0 + beta * m);
    let mut worst = (f64::NEG_INFINITY, -1.0);
    if let (Some(sl), Some(t)) = (targets.sl_target, targets.threshold_seconds) {
        let rate = root_load * t / aht;
        worst = (ln_c - beta * rate - (-sl).ln_1p(), d_ln_c - rate);
    }
    if let Some(asa) = targets.asa_target_seconds {
        let h = ln_c - (beta * root_load / aht).ln() - asa.ln();
        if h > worst.0 {
            worst = (h, d_ln_c - 1.0 / beta);
        }
    }
    if worst.0 <= 0.0 {
        return beta;
    }
    (beta - worst.0 / worst.1).min(30.0)
}

/// Agents and scheduled staff for one interval.
pub fn required_agents(
    calls: f64,
    aht_seconds: f64,
    interval_seconds: f64,
    targets: &Targets,
) -> Result<Staffing> {
    let load = offered_load(calls, aht_seconds, interval_seconds)?;
    targets.validate()?;
    let aht = aht_seconds;
    if load == 0.0 {
        let sl = if targets.threshold_seconds.is_some() {
            1.0
        } else {
            f64::NAN
        };
        return Ok(Staffing {
            load,
            agents: 0,
            scheduled: 0,
            service_level: sl,
            asa_seconds: 0.0,
            occupancy: 0.0,
        });
    }
    let meets = |n: u64, b: &f64| {
        let c = ErlangC::from_blocking(n as f64, load, *b, None);
        let sl_ok = match (targets.sl_target, targets.threshold_seconds) {
            (Some(sl), Some(t)) => ties::at_least(c.service_level(aht, t), sl),
            _ => true,
        };
        sl_ok
            && targets
                .asa_target_seconds
                .is_none_or(|asa| ties::at_most(c.asa(aht), asa))
    };
    let stable = ties::floor(load) as u64 + 1;
    let guess = (load + halfin_whitt_beta(load, aht, targets) * load.sqrt()).ceil() as u64;
    let ladder = BlockingLadder { load };
    let (service_agents, b) = first_meeting(&ladder, stable, guess, meets);
    let occupancy_agents = targets
        .max_occupancy
        .map_or(Ok(0), |occ| occupancy_floor(load, occ))?;
    let agents = service_agents.max(occupancy_agents);
    let scheduled = scheduled(agents, targets.shrinkage)?;
    let b = if agents == service_agents {
        b
    } else {
        ladder.at(agents)
    };
    let c = ErlangC::from_blocking(agents as f64, load, b, None);
    Ok(Staffing {
        load,
        agents,
        scheduled,
        service_level: targets
            .threshold_seconds
            .map_or(f64::NAN, |t| c.service_level(aht, t)),
        asa_seconds: c.asa(aht),
        occupancy: c.occupancy(),
    })
}

/// Erlang B sizing: the fewest lines (servers) whose blocking is at most `blocking`.
pub fn required_lines(load: f64, blocking: f64) -> Result<u64> {
    let load = non_negative("load", load)?;
    check(load <= MAX_LOAD, "load", load, "must be <= 1e12")?;
    let blocking = open_fraction("blocking", blocking)?;
    if load == 0.0 {
        return Ok(0);
    }
    // Jagerman's approximation B ≈ φ(β) / (sqrt(A) Φ(β)), solved for β by a few Newton steps.
    let mut beta = 0.1_f64;
    for _ in 0..3 {
        let m = mills(beta);
        let h = -0.5 * load.ln() - m.ln() - blocking.ln();
        let dh = -(1.0 + beta * m) / m;
        let next = (beta - h / dh).clamp(-5.0, 30.0);
        if (next - beta).abs() < 1e-2 {
            break;
        }
        beta = next;
    }
    let guess = (load + beta * load.sqrt()).ceil().max(1.0) as u64;
    let meets = |_: u64, b: &f64| ties::at_most(*b, blocking);
    Ok(first_meeting(&BlockingLadder { load }, 1, guess, meets).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sl_only(sl: f64, t: f64) -> Targets {
        Targets {
            sl_target: Some(sl),
            threshold_seconds: Some(t),
            ..Targets::default()
        }
    }

    /// Plain scan from the first stable count: slow, but obviously right.
    fn scan(load: f64, aht: f64, targets: &Targets) -> u64 {
        let mut n = load.floor() as u64 + 1;
        loop {
            let c = ErlangC::new(n as f64, load).unwrap();
            let sl_ok = targets
                .sl_target
                .is_none_or(|sl| c.service_level(aht, targets.threshold_seconds.unwrap()) >= sl);
            let asa_ok = targets
                .asa_target_seconds
                .is_none_or(|asa| c.asa(aht) <= asa);
            if sl_ok && asa_ok {
                return n;
            }
            n += 1;
        }
    }

    #[test]
    fn search_agrees_with_a_scan() {
        let both = Targets {
            asa_target_seconds: Some(15.0),
            ..sl_only(0.9, 30.0)
        };
        for &calls in &[1.0, 7.0, 40.0, 100.0, 333.0, 1000.0, 2500.0, 20_000.0] {
            for &aht in &[60.0, 180.0, 600.0] {
                for targets in [
                    sl_only(0.8, 20.0),
                    sl_only(0.95, 10.0),
                    sl_only(0.5, 0.0),
                    both,
                ] {
                    let got = required_agents(calls, aht, 1800.0, &targets).unwrap();
                    assert_eq!(
                        got.agents,
                        scan(got.load, aht, &targets),
                        "calls {calls} aht {aht} {targets:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn ties_and_caps() {
        // 100 calls * 180 s / 1800 s = 10 Erlangs; ASA at 11 agents is the M/M/N value.
        let targets = Targets {
            asa_target_seconds: Some(1e9),
            max_occupancy: Some(0.85),
            shrinkage: 0.3,
            ..Targets::default()
        };
        let got = required_agents(100.0, 180.0, 1800.0, &targets).unwrap();
        assert_eq!(got.agents, 12); // ceil(10 / 0.85) = 12
        assert_eq!(got.scheduled, 18); // ceil(12 / 0.7) = 17.14 -> 18
        let zero = required_agents(0.0, 180.0, 1800.0, &sl_only(0.8, 20.0)).unwrap();
        assert_eq!((zero.agents, zero.scheduled), (0, 0));
    }

    #[test]
    fn lines_are_minimal() {
        for &load in &[0.01, 1.0, 10.0, 123.4, 5000.0, 50_000.0] {
            for &p in &[0.001, 0.01, 0.2, 0.9] {
                let n = required_lines(load, p).unwrap();
                assert!(ln_b_unchecked(n as f64, load).exp() <= p);
                assert!(
                    n == 1 || ln_b_unchecked((n - 1) as f64, load).exp() > p,
                    "load {load} p {p} n {n}"
                );
            }
        }
    }

    #[test]
    fn options_are_checked() {
        let none = Targets::default();
        assert!(required_agents(10.0, 180.0, 1800.0, &none).is_err());
        let no_threshold = Targets {
            sl_target: Some(0.8),
            ..Targets::default()
        };
        assert!(required_agents(10.0, 180.0, 1800.0, &no_threshold).is_err());
    }

    #[test]
    fn counts_beyond_2_pow_53_are_errors() {
        let capped = Targets {
            max_occupancy: Some(1e-300),
            ..sl_only(0.8, 20.0)
        };
        let err = required_agents(100.0, 180.0, 1800.0, &capped).unwrap_err();
        assert_eq!(
            err.to_string(),
            "max_occupancy gives more than 2**53 agents at this load, got 1e-300"
        );
        let shrunk = Targets {
            shrinkage: 0.999_999_999,
            ..sl_only(0.8, 20.0)
        };
        let err = required_agents(1e13, 180.0, 1800.0, &shrunk).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("shrinkage gives more than 2**53"));
        // 2**53 itself is exact: load 2**52 at occupancy 0.5.
        let two_52 = 4_503_599_627_370_496.0;
        assert_eq!(occupancy_floor(two_52, 0.5).unwrap(), 1_u64 << 53);
        assert!(occupancy_floor(two_52, 0.499_999).is_err());
    }
}
