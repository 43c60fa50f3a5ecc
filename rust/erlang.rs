//! Erlang B and Erlang C (M/M/N) as pure functions on `f64`.
//!
//! Conventions, decided here once for every caller:
//! - `B(0, a) = 1`; `B(x, 0) = 0` for x > 0. Server counts may be real (incomplete gamma).
//! - Zero load: nobody waits. `C = 0`, service level 1, ASA 0, occupancy 0, for any agents.
//! - `agents <= load` (load > 0): the queue grows without bound. `C = 1`, service level 0,
//!   ASA, queue length and every wait quantile infinite, occupancy 1. Not an error.

use crate::error::{non_negative, open_fraction, positive, Result};
use crate::special::ln_recip_erlang_b;
use crate::ties;

/// `ln B(x, a)` for validated x >= 0, a >= 0.
pub(crate) fn ln_b_unchecked(servers: f64, load: f64) -> f64 {
    if load == 0.0 {
        if servers == 0.0 {
            0.0
        } else {
            f64::NEG_INFINITY
        }
    } else {
        -ln_recip_erlang_b(servers, load)
    }
}

/// Erlang B blocking probability of `servers` (real, >= 0) offered `load` Erlangs.
pub fn erlang_b(servers: f64, load: f64) -> Result<f64> {
    Ok(log_erlang_b(servers, load)?.exp())
}

/// Natural log of Erlang B; finite where B itself underflows.
pub fn log_erlang_b(servers: f64, load: f64) -> Result<f64> {
    let servers = non_negative("servers", servers)?;
    let load = non_negative("load", load)?;
    Ok(ln_b_unchecked(servers, load))
}

/// Erlang C state of one (agents, load) pair: every wait metric derives from it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErlangC {
    pub agents: f64,
    pub load: f64,
    /// P(wait) = C(N, A).
    pub p_wait: f64,
    /// 1 - C, computed directly so that it keeps full precision when C is near 1.
    pub p_no_wait: f64,
    /// ln B when known (finite where B underflows); searches leave it to be derived from B.
    ln_b: Option<f64>,
    /// (N - A) + A B, the denominator of C.
    denom: f64,
}

impl ErlangC {
    /// From validated agents and load, given `B(agents, load)` (and its log, when known);
    /// `b` may come from the recurrence when a search steps through agent counts.
    pub(crate) fn from_blocking(agents: f64, load: f64, b: f64, ln_b: Option<f64>) -> Self {
        let (p_wait, p_no_wait, denom) = if load == 0.0 {
            (0.0, 1.0, 0.0)
        } else if agents <= load {
            (1.0, 0.0, 0.0)
        } else {
            let spare = agents - load;
            let denom = spare + load * b;
            (agents * b / denom, spare * (1.0 - b) / denom, denom)
        };
        ErlangC {
            agents,
            load,
            p_wait,
            p_no_wait,
            ln_b,
            denom,
        }
    }

    /// ln C, finite where C underflows.
    pub fn ln_p_wait(&self) -> f64 {
        if self.load == 0.0 {
            f64::NEG_INFINITY
        } else if !self.is_stable() {
            0.0
        } else {
            let ln_b = self.ln_b.unwrap_or_else(|| self.b_from_c().ln());
            self.agents.ln() + ln_b - self.denom.ln()
        }
    }

    fn b_from_c(&self) -> f64 {
        self.p_wait * self.denom / self.agents
    }

    /// Validates and evaluates.
    pub fn new(agents: f64, load: f64) -> Result<Self> {
        let agents = non_negative("agents", agents)?;
        let load = non_negative("load", load)?;
        let ln_b = ln_b_unchecked(agents, load);
        Ok(Self::from_blocking(agents, load, ln_b.exp(), Some(ln_b)))
    }

    pub fn is_stable(&self) -> bool {
        self.agents > self.load || self.load == 0.0
    }

    /// Exponent rate of the conditional wait: P(wait > t | wait) = exp(-rate * t).
    fn decay(&self, aht_seconds: f64) -> f64 {
        (self.agents - self.load) / aht_seconds
    }

    /// P(wait > t), computed directly so that tiny tails keep their precision.
    pub fn prob_wait_exceeds(&self, aht_seconds: f64, threshold_seconds: f64) -> f64 {
        if self.load == 0.0 {
            0.0
        } else if !self.is_stable() {
            1.0
        } else {
            (self.ln_p_wait() - self.decay(aht_seconds) * threshold_seconds).exp()
        }
    }

    /// P(wait <= t) = (1 - C) + C (1 - exp(-rate t)): two non-negative parts, no cancellation.
    pub fn service_level(&self, aht_seconds: f64, threshold_seconds: f64) -> f64 {
        if self.load == 0.0 {
            1.0
        } else if !self.is_stable() {
            0.0
        } else {
            let waited_out = -(-self.decay(aht_seconds) * threshold_seconds).exp_m1();
            self.p_no_wait + self.p_wait * waited_out
        }
    }

    /// Mean wait of all calls, seconds.
    pub fn asa(&self, aht_seconds: f64) -> f64 {
        if self.load == 0.0 {
            0.0
        } else if !self.is_stable() {
            f64::INFINITY
        } else {
            self.p_wait * aht_seconds / (self.agents - self.load)
        }
    }

    /// Mean number of calls waiting.
    pub fn queue_length(&self) -> f64 {
        if self.load == 0.0 {
            0.0
        } else if !self.is_stable() {
            f64::INFINITY
        } else {
            self.p_wait * self.load / (self.agents - self.load)
        }
    }

    /// Share of agent time busy: load / agents, capped at 1 when unstable.
    pub fn occupancy(&self) -> f64 {
        if self.load == 0.0 {
            0.0
        } else if !self.is_stable() {
            1.0
        } else {
            self.load / self.agents
        }
    }

    /// q-quantile of the wait of all calls, seconds: `AHT / (N - A) * ln(C / (1 - q))` when
    /// C > 1 - q, else 0.
    pub fn wait_quantile(&self, aht_seconds: f64, q: f64) -> f64 {
        if self.load == 0.0 {
            return 0.0;
        }
        if !self.is_stable() {
            return f64::INFINITY;
        }
        // C == 1 - q exactly (e.g. M/M/1 at rho = 0.5, q = 0.5) is a tie: the quantile is 0.
        if ties::at_most(self.p_wait, 1.0 - q) {
            return 0.0;
        }
        (self.ln_p_wait() - (-q).ln_1p()) / self.decay(aht_seconds)
    }
}

/// P(wait) = C(agents, load); agents may be real.
pub fn erlang_c(agents: f64, load: f64) -> Result<f64> {
    Ok(ErlangC::new(agents, load)?.p_wait)
}

/// Validated handle time and threshold, shared by the time-based metrics.
fn times(aht_seconds: f64, threshold_seconds: f64) -> Result<(f64, f64)> {
    Ok((
        positive("aht_seconds", aht_seconds)?,
        non_negative("threshold_seconds", threshold_seconds)?,
    ))
}

/// P(wait <= threshold).
pub fn service_level(
    agents: f64,
    load: f64,
    aht_seconds: f64,
    threshold_seconds: f64,
) -> Result<f64> {
    let (aht, t) = times(aht_seconds, threshold_seconds)?;
    Ok(ErlangC::new(agents, load)?.service_level(aht, t))
}

/// P(wait > threshold).
pub fn prob_wait_exceeds(
    agents: f64,
    load: f64,
    aht_seconds: f64,
    threshold_seconds: f64,
) -> Result<f64> {
    let (aht, t) = times(aht_seconds, threshold_seconds)?;
    Ok(ErlangC::new(agents, load)?.prob_wait_exceeds(aht, t))
}

/// Average speed of answer (mean wait of all calls), seconds.
pub fn asa(agents: f64, load: f64, aht_seconds: f64) -> Result<f64> {
    let aht = positive("aht_seconds", aht_seconds)?;
    Ok(ErlangC::new(agents, load)?.asa(aht))
}

/// Mean number of calls in queue.
pub fn queue_length(agents: f64, load: f64) -> Result<f64> {
    Ok(ErlangC::new(agents, load)?.queue_length())
}

/// Agent occupancy, load / agents (1 when agents <= load).
pub fn occupancy(agents: f64, load: f64) -> Result<f64> {
    Ok(ErlangC::new(agents, load)?.occupancy())
}

/// q-quantile of the wait, seconds.
pub fn wait_quantile(agents: f64, load: f64, aht_seconds: f64, q: f64) -> Result<f64> {
    let aht = positive("aht_seconds", aht_seconds)?;
    let q = open_fraction("q", q)?;
    Ok(ErlangC::new(agents, load)?.wait_quantile(aht, q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mm1_closed_forms() {
        // One agent: C = rho, ASA = rho * AHT / (1 - rho).
        let c = ErlangC::new(1.0, 0.5).unwrap();
        assert!((c.p_wait - 0.5).abs() < 1e-15);
        assert!((c.asa(600.0) - 600.0).abs() < 1e-12);
        assert!((c.service_level(600.0, 0.0) - 0.5).abs() < 1e-15);
    }

    #[test]
    fn edge_conventions() {
        assert_eq!(erlang_b(0.0, 0.0).unwrap(), 1.0);
        assert_eq!(erlang_b(3.0, 0.0).unwrap(), 0.0);
        assert_eq!(erlang_b(0.0, 7.0).unwrap(), 1.0);
        let unstable = ErlangC::new(10.0, 10.0).unwrap();
        assert_eq!(unstable.p_wait, 1.0);
        assert_eq!(unstable.service_level(180.0, 20.0), 0.0);
        assert!(unstable.asa(180.0).is_infinite());
        assert_eq!(unstable.occupancy(), 1.0);
        let idle = ErlangC::new(0.0, 0.0).unwrap();
        assert_eq!(idle.service_level(180.0, 20.0), 1.0);
        assert_eq!(idle.asa(180.0), 0.0);
    }

    #[test]
    fn bad_input_is_named() {
        let err = service_level(10.0, 5.0, -3.0, 20.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "aht_seconds must be finite and > 0, got -3.0"
        );
        assert!(erlang_c(f64::NAN, 1.0)
            .unwrap_err()
            .to_string()
            .starts_with("agents "));
        assert!(wait_quantile(5.0, 1.0, 10.0, 1.0).is_err());
    }
}
