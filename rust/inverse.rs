//! Inverse problems: what a given staff can absorb at a target.
//!
//! Each solves a monotone equation for a real value by a bracketed root search, to about
//! 1e-15 relative.

use crate::erlang::{ln_b_unchecked, ErlangC};
use crate::error::{non_negative, open_fraction, positive, Result};
use crate::search::bracketed_root;

/// Largest load (Erlangs) that `lines` servers carry with blocking <= `blocking`.
pub fn max_load(lines: f64, blocking: f64) -> Result<f64> {
    let lines = non_negative("lines", lines)?;
    let blocking = open_fraction("blocking", blocking)?;
    if lines == 0.0 {
        return Ok(0.0);
    }
    // B(n, A) >= 1 - n / A, so blocking is exceeded at A = n / (1 - blocking).
    let hi = lines / (1.0 - blocking) + 1.0;
    let mut lo = hi;
    let target = blocking.ln();
    let g = |load: f64| ln_b_unchecked(lines, load) - target;
    while g(lo) >= 0.0 {
        lo *= 0.5;
    }
    Ok(bracketed_root(lo, hi, g))
}

/// Service level of `agents` at `load`, for the inverse searches.
fn sl_at(agents: f64, load: f64, aht: f64, threshold: f64) -> f64 {
    let ln_b = ln_b_unchecked(agents, load);
    ErlangC::from_blocking(agents, load, ln_b.exp(), Some(ln_b)).service_level(aht, threshold)
}

/// Largest load, Erlangs, at which `agents` reach `sl_target` (real-valued).
fn max_sl_load(agents: f64, aht: f64, sl_target: f64, threshold: f64) -> f64 {
    if agents == 0.0 {
        return 0.0;
    }
    bracketed_root(0.0, agents, |load| {
        sl_at(agents, load, aht, threshold) - sl_target
    })
}

/// Most calls per interval `agents` can answer at the service target: the (real) call
/// volume at which the service level equals `sl_target` exactly.
pub fn max_calls(
    agents: f64,
    aht_seconds: f64,
    interval_seconds: f64,
    sl_target: f64,
    threshold_seconds: f64,
) -> Result<f64> {
    let agents = non_negative("agents", agents)?;
    let aht = positive("aht_seconds", aht_seconds)?;
    let interval = positive("interval_seconds", interval_seconds)?;
    let sl_target = open_fraction("sl_target", sl_target)?;
    let threshold = non_negative("threshold_seconds", threshold_seconds)?;
    Ok(max_sl_load(agents, aht, sl_target, threshold) * interval / aht)
}

/// Longest average handle time, seconds, at which `agents` answering `calls` per interval
/// still reach `sl_target`. Infinite when there are no calls.
pub fn max_aht(
    agents: f64,
    calls: f64,
    interval_seconds: f64,
    sl_target: f64,
    threshold_seconds: f64,
) -> Result<f64> {
    let agents = non_negative("agents", agents)?;
    let calls = non_negative("calls", calls)?;
    let interval = positive("interval_seconds", interval_seconds)?;
    let sl_target = open_fraction("sl_target", sl_target)?;
    let threshold = non_negative("threshold_seconds", threshold_seconds)?;
    if calls == 0.0 {
        return Ok(f64::INFINITY);
    }
    if agents == 0.0 {
        return Ok(0.0);
    }
    // SL falls as AHT grows (more load, slower queue); at AHT -> 0 it tends to 1.
    let saturating = agents * interval / calls;
    let g = |aht: f64| {
        if aht == 0.0 {
            1.0 - sl_target
        } else {
            sl_at(agents, calls * aht / interval, aht, threshold) - sl_target
        }
    };
    Ok(bracketed_root(0.0, saturating, g))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::erlang::{erlang_b, service_level};

    #[test]
    fn inverses_round_trip() {
        for &n in &[1.0, 5.0, 40.0, 700.0] {
            for &p in &[1e-6, 0.01, 0.3] {
                let a = max_load(n, p).unwrap();
                assert!(
                    ((erlang_b(n, a).unwrap() - p) / p).abs() < 1e-12,
                    "n {n} p {p}"
                );
            }
            let calls = max_calls(n, 240.0, 1800.0, 0.8, 20.0).unwrap();
            let sl = service_level(n, calls * 240.0 / 1800.0, 240.0, 20.0).unwrap();
            assert!((sl - 0.8).abs() < 1e-12, "n {n}");
            let aht = max_aht(n, 30.0, 1800.0, 0.8, 20.0).unwrap();
            let sl = service_level(n, 30.0 * aht / 1800.0, aht, 20.0).unwrap();
            assert!((sl - 0.8).abs() < 1e-12, "n {n}");
        }
    }
}
