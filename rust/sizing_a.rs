//! Sizing with abandonment (Erlang A): the fewest agents meeting service-level and
//! abandonment targets.
//!
//! Rules, as for Erlang C ([`crate::sizing`]) but over every agent count N >= 1, since the
//! model is stable at any load: the smallest whole N meeting every given target (ties count
//! as met) whose occupancy is at most max_occupancy; then scheduled = ceil(agents / (1 -
//! shrinkage)). Zero calls need 0 agents. Occupancy is the one Erlang A reports, carried
//! (answered) load per agent, load * (1 - p_abandon) / N: abandoned calls keep no agent
//! busy, so the cap needs at most ceil(load / max_occupancy), the Erlang C count.
//!
//! With short patience, the "excl_short_abandons", "short_abandons_ok" and "virtual"
//! definitions (and "answered") can be met with agents <= load: so many callers hang up that
//! those who stay are answered quickly. The answer is still the smallest N; callers of the
//! Python face get a warning.

use crate::erlang_a::{
    carried_occupancy, check_inputs, erlang_a, outcome, Outcome, Precision, SlDefinition,
};
use crate::error::{open_fraction, QueueError, Result};
use crate::search::{first_meeting, Ladder};
use crate::sizing::{check_rules, check_service_level, occupancy_floor, offered_load, scheduled};
use crate::ties;

/// Service targets and staffing rules of one Erlang A sizing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TargetsA {
    /// Minimum service level under `sl_definition`, in (0, 1).
    pub sl_target: Option<f64>,
    pub threshold_seconds: Option<f64>,
    pub sl_definition: SlDefinition,
    /// Maximum share of offered calls that abandon, in (0, 1).
    pub abandon_target: Option<f64>,
    /// Maximum carried (answered) load per agent, in (0, 1].
    pub max_occupancy: Option<f64>,
    /// Share of paid time not available for calls, in [0, 1).
    pub shrinkage: f64,
}

impl TargetsA {
    pub fn validate(&self) -> Result<()> {
        check_service_level(self.sl_target, self.threshold_seconds)?;
        if let Some(ab) = self.abandon_target {
            open_fraction("abandon_target", ab)?;
        }
        if self.sl_target.is_none() && self.abandon_target.is_none() {
            return Err(QueueError::Options {
                message: "give sl_target (with threshold_seconds) or abandon_target, or both",
            });
        }
        check_rules(self.max_occupancy, self.shrinkage)
    }
}

/// The answer of one Erlang A sizing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StaffingA {
    /// Offered load, Erlangs.
    pub load: f64,
    pub agents: u64,
    pub scheduled: u64,
    /// Service level under the chosen definition at `agents` (NaN without a threshold).
    pub service_level: f64,
    pub p_abandon: f64,
    /// Mean wait of answered calls at `agents`, seconds.
    pub asa_answered_seconds: f64,
    /// Carried (answered) load per agent: load * (1 - p_abandon) / agents.
    pub occupancy: f64,
}

struct AbandonLadder {
    load: f64,
    aht: f64,
    patience: f64,
    threshold: f64,
}

impl AbandonLadder {
    fn figures(&self, n: u64, precision: Precision) -> Outcome {
        let (load, aht, patience) = (self.load, self.aht, self.patience);
        outcome(n as f64, load, aht, patience, self.threshold, precision)
    }

    fn exact(&self, n: u64) -> Outcome {
        self.figures(n, Precision::Full)
    }
}

impl Ladder for AbandonLadder {
    type State = Outcome;
    fn at(&self, n: u64) -> Outcome {
        self.figures(n, Precision::Screening)
    }
}

/// Occupancy over agent counts: the share answered needs no "within t" figure, so screening
/// gives it exactly.
struct OccupancyLadder<'a>(&'a AbandonLadder);

impl Ladder for OccupancyLadder<'_> {
    type State = f64;
    fn at(&self, n: u64) -> f64 {
        carried_occupancy(self.0.load, n as f64, self.0.at(n).answered)
    }
}

/// How far the binding target is exceeded (negative: missed).
fn margin(o: &Outcome, targets: &TargetsA) -> f64 {
    let sl = targets.sl_target.map_or(f64::INFINITY, |sl| {
        o.service_level(targets.sl_definition) - sl
    });
    let abandon = targets
        .abandon_target
        .map_or(f64::INFINITY, |ab| ab - o.p_abandon);
    sl.min(abandon)
}

/// A starting point for the search: secant steps over real-valued agents (every figure is
/// smooth in N through the continuous extension) on the logs of the shares that miss, which
/// fall nearly linearly as agents are added.
fn secant_guess(ladder: &AbandonLadder, targets: &TargetsA) -> u64 {
    let at = |n: f64| {
        let (load, aht, patience) = (ladder.load, ladder.aht, ladder.patience);
        let o = outcome(
            n,
            load,
            aht,
            patience,
            ladder.threshold,
            Precision::Screening,
        );
        let sl = targets.sl_target.map_or(f64::INFINITY, |sl| {
            (-sl).ln_1p() - (-o.service_level(targets.sl_definition)).ln_1p()
        });
        let abandon = targets
            .abandon_target
            .map_or(f64::INFINITY, |ab| ab.ln() - o.p_abandon.ln());
        sl.min(abandon)
    };
    let step = ladder.load.sqrt().max(1.0);
    let (mut n0, mut n1) = (ladder.load.max(1.0), ladder.load.max(1.0) + step);
    let (mut m0, mut m1) = (at(n0), at(n1));
    for _ in 0..4 {
        if m1 == m0 || !m1.is_finite() || (n1 - n0).abs() < 0.25 {
            break;
        }
        // Flat stretches (service level near 0 at heavy overload) would throw the step far.
        let next = (n1 - m1 * (n1 - n0) / (m1 - m0)).clamp(1.0, n1 + 4.0 * step);
        (n0, m0) = (n1, m1);
        n1 = next;
        m1 = at(n1);
    }
    n1.ceil() as u64
}

/// Screened figures decide unless the margin is within this of zero.
const SCREEN_MARGIN: f64 = 1e-6;

/// Agents and scheduled staff for one interval, callers abandoning.
pub fn required_agents_a(
    calls: f64,
    aht_seconds: f64,
    interval_seconds: f64,
    patience_seconds: f64,
    targets: &TargetsA,
) -> Result<StaffingA> {
    let load = offered_load(calls, aht_seconds, interval_seconds)?;
    check_inputs(1.0, load, aht_seconds, patience_seconds)?;
    targets.validate()?;
    let threshold = targets.threshold_seconds.unwrap_or(0.0);
    if load == 0.0 {
        return Ok(StaffingA {
            load,
            agents: 0,
            scheduled: 0,
            service_level: targets.threshold_seconds.map_or(f64::NAN, |_| 1.0),
            p_abandon: 0.0,
            asa_answered_seconds: 0.0,
            occupancy: 0.0,
        });
    }
    let ladder = AbandonLadder {
        load,
        aht: aht_seconds,
        patience: patience_seconds,
        threshold,
    };
    let meets = |n: u64, screened: &Outcome| {
        let m = margin(screened, targets);
        if m.abs() > SCREEN_MARGIN {
            return m > 0.0;
        }
        let o = ladder.exact(n);
        targets
            .sl_target
            .is_none_or(|sl| ties::at_least(o.service_level(targets.sl_definition), sl))
            && targets
                .abandon_target
                .is_none_or(|ab| ties::at_most(o.p_abandon, ab))
    };
    let guess = secant_guess(&ladder, targets);
    let (service_agents, _) = first_meeting(&ladder, 1, guess, meets);
    let agents = match targets.max_occupancy {
        Some(cap) => {
            // Carried load <= offered load, so the Erlang C count meets the cap.
            let most = occupancy_floor(load, cap)?.max(service_agents);
            let within = |_: u64, occupancy: &f64| ties::at_most(*occupancy, cap);
            first_meeting(&OccupancyLadder(&ladder), service_agents, most, within).0
        }
        None => service_agents,
    };
    let scheduled = scheduled(agents, targets.shrinkage)?;
    let a = erlang_a(
        agents as f64,
        load,
        aht_seconds,
        patience_seconds,
        threshold,
    )?;
    let sl = match targets.sl_definition {
        SlDefinition::Answered => a.sl_answered,
        SlDefinition::Offered => a.sl_offered,
        SlDefinition::ExclShortAbandons => a.sl_excl_short_abandons,
        SlDefinition::ShortAbandonsOk => a.sl_short_abandons_ok,
        SlDefinition::Virtual => a.sl_virtual,
    };
    Ok(StaffingA {
        load,
        agents,
        scheduled,
        service_level: targets.threshold_seconds.map_or(f64::NAN, |_| sl),
        p_abandon: a.p_abandon,
        asa_answered_seconds: a.asa_answered_seconds,
        occupancy: a.occupancy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(sl: Option<f64>, definition: SlDefinition, abandon: Option<f64>) -> TargetsA {
        TargetsA {
            sl_target: sl,
            threshold_seconds: Some(20.0),
            sl_definition: definition,
            abandon_target: abandon,
            max_occupancy: None,
            shrinkage: 0.0,
        }
    }

    /// Plain scan from one agent: slow, but obviously right.
    fn scan(load: f64, aht: f64, patience: f64, t: &TargetsA) -> u64 {
        (1..)
            .find(|&n| {
                let o = outcome(n as f64, load, aht, patience, 20.0, Precision::Full);
                t.sl_target
                    .is_none_or(|sl| o.service_level(t.sl_definition) >= sl)
                    && t.abandon_target.is_none_or(|ab| o.p_abandon <= ab)
                    && t.max_occupancy
                        .is_none_or(|cap| load * o.answered / n as f64 <= cap)
            })
            .unwrap()
    }

    #[test]
    fn occupancy_cap_is_on_the_reported_carried_occupancy() {
        for &(calls, patience, cap) in &[
            (500.0, 30.0, 0.95),
            (600.0, 20.0, 0.9),
            (100.0, 60.0, 0.7),
            (2000.0, 10.0, 0.99),
        ] {
            let t = TargetsA {
                max_occupancy: Some(cap),
                ..targets(Some(0.5), SlDefinition::Virtual, None)
            };
            let got = required_agents_a(calls, 180.0, 1800.0, patience, &t).unwrap();
            assert!(got.occupancy <= cap, "calls {calls}: {got:?}");
            assert_eq!(got.agents, scan(got.load, 180.0, patience, &t), "{got:?}");
        }
    }

    #[test]
    fn search_agrees_with_a_scan() {
        for &calls in &[3.0, 40.0, 100.0, 700.0] {
            for &patience in &[10.0, 60.0, 300.0, 3600.0] {
                for definition in [
                    SlDefinition::Answered,
                    SlDefinition::Offered,
                    SlDefinition::ExclShortAbandons,
                    SlDefinition::ShortAbandonsOk,
                    SlDefinition::Virtual,
                ] {
                    for t in [
                        targets(Some(0.8), definition, None),
                        targets(None, definition, Some(0.05)),
                        targets(Some(0.9), definition, Some(0.02)),
                    ] {
                        let got = required_agents_a(calls, 180.0, 1800.0, patience, &t).unwrap();
                        assert_eq!(
                            got.agents,
                            scan(got.load, 180.0, patience, &t),
                            "calls {calls} patience {patience} {t:?}"
                        );
                    }
                }
            }
        }
    }
}
