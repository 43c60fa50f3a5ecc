//! The Erlang A functions: abandonment figures and sizing with abandonment.

use std::ffi::CString;

use pyo3::prelude::*;

use super::args::{Args, Fill};
use super::errors::invalid_option;
use super::results::result_class;
use crate::erlang_a::{ErlangA, SlDefinition};
use crate::sizing_a::{self, StaffingA, TargetsA};

type Any<'py> = Bound<'py, PyAny>;

pyo3::create_exception!(
    wfmath,
    StaffingWarning,
    pyo3::exceptions::PyUserWarning,
    "A sizing answer that is valid under its definitions but deserves a second look, e.g. \
     agents at or below the load when callers abandon."
);

result_class! {
    /// Erlang A figures: each field a scalar, or an array over the broadcast input.
    ///
    /// Attributes
    /// ----------
    /// p_wait : float or ndarray
    ///     Probability that an arrival finds every agent busy.
    /// p_abandon : float or ndarray
    ///     Share of offered calls that abandon.
    /// p_abandon_given_wait : float or ndarray
    ///     Share of the calls that wait which abandon.
    /// mean_queue : float or ndarray
    ///     Mean number of callers waiting.
    /// asa_all_seconds : float or ndarray
    ///     Mean wait of all offered calls, abandoners' waits included, seconds.
    /// asa_answered_seconds : float or ndarray
    ///     Mean wait of answered calls, seconds.
    /// mean_wait_abandoned_seconds : float or ndarray
    ///     Mean time to abandon of the calls that abandon, seconds.
    /// occupancy : float or ndarray
    ///     load * (1 - p_abandon) / agents.
    /// answered_within : float or ndarray
    ///     Share of offered calls answered within the threshold (wait <= t).
    /// abandoned_within : float or ndarray
    ///     Share of offered calls that abandon within the threshold.
    /// sl_answered : float or ndarray
    ///     answered within t / answered.
    /// sl_offered : float or ndarray
    ///     answered within t / offered.
    /// sl_excl_short_abandons : float or ndarray
    ///     answered within t / (offered - abandoned within t).
    /// sl_short_abandons_ok : float or ndarray
    ///     (answered within t + abandoned within t) / offered.
    /// sl_virtual : float or ndarray
    ///     P(virtual wait <= t): the wait an infinitely patient caller would see.
    PyErlangA as "ErlangA" {
        p_wait,
        p_abandon,
        p_abandon_given_wait,
        mean_queue,
        asa_all_seconds,
        asa_answered_seconds,
        mean_wait_abandoned_seconds,
        occupancy,
        answered_within,
        abandoned_within,
        sl_answered,
        sl_offered,
        sl_excl_short_abandons,
        sl_short_abandons_ok,
        sl_virtual,
    }
}

impl Fill for ErlangA {
    const INVALID: ErlangA = ErlangA {
        p_wait: f64::NAN,
        p_abandon: f64::NAN,
        p_abandon_given_wait: f64::NAN,
        mean_queue: f64::NAN,
        asa_all_seconds: f64::NAN,
        asa_answered_seconds: f64::NAN,
        mean_wait_abandoned_seconds: f64::NAN,
        occupancy: f64::NAN,
        answered_within: f64::NAN,
        abandoned_within: f64::NAN,
        sl_answered: f64::NAN,
        sl_offered: f64::NAN,
        sl_excl_short_abandons: f64::NAN,
        sl_short_abandons_ok: f64::NAN,
        sl_virtual: f64::NAN,
    };
}

/// Erlang A (M/M/N+M): waiting, abandonment and every service-level definition when callers
/// hang up after an exponentially distributed patience.
///
/// Every argument may be a scalar or an array; arrays broadcast like NumPy.
///
/// Parameters
/// ----------
/// agents : float or array_like
///     Agents, >= 1 (may be real-valued: the continuous extension).
/// load : float or array_like
///     Offered load, Erlangs (calls * aht_seconds / interval_seconds). Any load: the model is
///     stable because callers leave.
/// aht_seconds : float or array_like
///     Average handle time, seconds.
/// patience_seconds : float or array_like
///     Mean patience (time a caller waits before hanging up), seconds, > 0; ``inf`` gives
///     Erlang C.
/// threshold_seconds : float or array_like
///     Service-level threshold t, seconds; "within t" means wait <= t.
/// on_invalid : {"raise", "nan"}
///     Raise on bad input, or return NaN in the rows that have it.
///
/// Returns
/// -------
/// ErlangA
///     Probabilities and shares are per offered call unless named otherwise. Zero load: nobody
///     waits; p_abandon_given_wait and mean_wait_abandoned_seconds then give their limits
///     (a lone waiting caller). Infinite patience: the Erlang C figures, no abandonment, and
///     mean_wait_abandoned_seconds = aht_seconds / (agents - load), the limit of short patience.
///
/// Raises
/// ------
/// InvalidInputError
///     agents < 1, patience <= 0 or NaN, negative load, bad AHT or threshold (named, with the row).
///
/// Examples
/// --------
/// >>> a = erlang_a(14, 10.0, 180.0, 120.0, 20.0)
/// >>> round(a.p_abandon, 4), round(a.sl_answered, 4), round(a.sl_offered, 4)
/// (0.0228, 0.9545, 0.9327)
#[pyfunction]
#[pyo3(signature = (agents, load, aht_seconds, patience_seconds, threshold_seconds, *, on_invalid = "raise"))]
fn erlang_a<'py>(
    py: Python<'py>,
    agents: &Any<'py>,
    load: &Any<'py>,
    aht_seconds: &Any<'py>,
    patience_seconds: &Any<'py>,
    threshold_seconds: &Any<'py>,
    on_invalid: &str,
) -> PyResult<PyErlangA> {
    let args = Args::new(
        &[
            ("agents", Some(agents)),
            ("load", Some(load)),
            ("aht_seconds", Some(aht_seconds)),
            ("patience_seconds", Some(patience_seconds)),
            ("threshold_seconds", Some(threshold_seconds)),
        ],
        on_invalid,
    )?;
    let out = args.map(py, |v| {
        let v: Vec<f64> = v.iter().map(|x| x.unwrap_or(f64::NAN)).collect();
        crate::erlang_a::erlang_a(v[0], v[1], v[2], v[3], v[4])
    })?;
    Ok(PyErlangA {
        p_wait: out.field(py, |a: &ErlangA| a.p_wait)?,
        p_abandon: out.field(py, |a: &ErlangA| a.p_abandon)?,
        p_abandon_given_wait: out.field(py, |a: &ErlangA| a.p_abandon_given_wait)?,
        mean_queue: out.field(py, |a: &ErlangA| a.mean_queue)?,
        asa_all_seconds: out.field(py, |a: &ErlangA| a.asa_all_seconds)?,
        asa_answered_seconds: out.field(py, |a: &ErlangA| a.asa_answered_seconds)?,
        mean_wait_abandoned_seconds: out.field(py, |a: &ErlangA| a.mean_wait_abandoned_seconds)?,
        occupancy: out.field(py, |a: &ErlangA| a.occupancy)?,
        answered_within: out.field(py, |a: &ErlangA| a.answered_within)?,
        abandoned_within: out.field(py, |a: &ErlangA| a.abandoned_within)?,
        sl_answered: out.field(py, |a: &ErlangA| a.sl_answered)?,
        sl_offered: out.field(py, |a: &ErlangA| a.sl_offered)?,
        sl_excl_short_abandons: out.field(py, |a: &ErlangA| a.sl_excl_short_abandons)?,
        sl_short_abandons_ok: out.field(py, |a: &ErlangA| a.sl_short_abandons_ok)?,
        sl_virtual: out.field(py, |a: &ErlangA| a.sl_virtual)?,
    })
}

result_class! {
    /// The answer of :func:`required_agents_a`: each field a scalar, or an array over the
    /// broadcast input.
    ///
    /// Attributes
    /// ----------
    /// load : float or ndarray
    ///     Offered load, Erlangs.
    /// agents : int or ndarray of int64
    ///     Agents needed on the phones (after the targets and the occupancy cap).
    /// scheduled : int or ndarray of int64
    ///     Agents to schedule: ceil(agents / (1 - shrinkage)).
    /// service_level : float or ndarray
    ///     Service level under the chosen definition at `agents` (NaN without a threshold).
    /// p_abandon : float or ndarray
    ///     Share of offered calls that abandon at `agents`.
    /// asa_answered_seconds : float or ndarray
    ///     Mean wait of answered calls at `agents`, seconds.
    /// occupancy : float or ndarray
    ///     Carried load per agent at `agents`: load * (1 - p_abandon) / agents.
    PyStaffingA as "StaffingA" {
        load,
        agents,
        scheduled,
        service_level,
        p_abandon,
        asa_answered_seconds,
        occupancy,
    }
}

impl Fill for StaffingA {
    const INVALID: StaffingA = StaffingA {
        load: f64::NAN,
        agents: 0,
        scheduled: 0,
        service_level: f64::NAN,
        p_abandon: f64::NAN,
        asa_answered_seconds: f64::NAN,
        occupancy: f64::NAN,
    };
}

/// Agents needed per interval when callers abandon (Erlang A), to meet a service-level target
/// under a named definition and/or an abandonment target.
///
/// Every numeric argument may be a scalar or an array; arrays broadcast like NumPy.
///
/// Parameters
/// ----------
/// calls : float or array_like
///     Calls offered per interval (>= 0).
/// aht_seconds : float or array_like
///     Average handle time, seconds.
/// interval_seconds : float or array_like
///     Interval length, seconds.
/// patience_seconds : float or array_like
///     Mean caller patience, seconds (> 0; ``inf`` sizes as Erlang C would, over N > load).
/// sl_target : float or array_like, optional
///     Service level to reach, in (0, 1), under `sl_definition`.
/// threshold_seconds : float or array_like, optional
///     Service-level threshold, seconds; required with `sl_target`.
/// sl_definition : {"answered", "offered", "excl_short_abandons", "short_abandons_ok", "virtual"}
///     answered within t over answered calls; over offered calls; over offered minus abandoned
///     within t; answered plus abandoned within t over offered; or P(virtual wait <= t).
/// abandon_target : float or array_like, optional
///     Highest acceptable share of offered calls that abandon, in (0, 1).
/// max_occupancy : float or array_like, optional
///     Cap on the occupancy reported, in (0, 1]: carried (answered) load per agent,
///     load * (1 - p_abandon) / agents (abandoned calls keep no agent busy).
/// shrinkage : float or array_like
///     Share of scheduled time not on the phones, in [0, 1).
/// on_invalid : {"raise", "nan"}
///     With "nan", rows with bad input get -1 agents and NaN floats.
///
/// Returns
/// -------
/// StaffingA
///     The smallest whole number of agents (>= 1) meeting every given target, equality
///     counting as met, raised to the occupancy cap. Zero calls need zero agents.
///
/// Warns
/// -----
/// StaffingWarning
///     When an answer has agents <= load: with short patience the "excl_short_abandons",
///     "short_abandons_ok", "virtual" (and "answered") service levels can be met at heavy
///     overload, because so many callers hang up. Add an abandon_target to rule it out.
///
/// Raises
/// ------
/// InvalidInputError
///     Bad values (named, with the row), an unknown sl_definition, or no target given.
///
/// Examples
/// --------
/// >>> r = required_agents_a(100, 180.0, 1800.0, 120.0, sl_target=0.8, threshold_seconds=20.0,
/// ...                       abandon_target=0.05, shrinkage=0.3)
/// >>> r.agents, r.scheduled, round(r.service_level, 4), round(r.p_abandon, 4)
/// (13, 19, 0.9241, 0.0384)
#[pyfunction]
#[pyo3(signature = (
    calls, aht_seconds, interval_seconds, patience_seconds, *, sl_target = None,
    threshold_seconds = None, sl_definition = "answered", abandon_target = None,
    max_occupancy = None, shrinkage = None, on_invalid = "raise"
))]
#[allow(clippy::too_many_arguments)]
fn required_agents_a<'py>(
    py: Python<'py>,
    calls: &Any<'py>,
    aht_seconds: &Any<'py>,
    interval_seconds: &Any<'py>,
    patience_seconds: &Any<'py>,
    sl_target: Option<&Any<'py>>,
    threshold_seconds: Option<&Any<'py>>,
    sl_definition: &str,
    abandon_target: Option<&Any<'py>>,
    max_occupancy: Option<&Any<'py>>,
    shrinkage: Option<&Any<'py>>,
    on_invalid: &str,
) -> PyResult<PyStaffingA> {
    let definition = SlDefinition::parse(sl_definition).ok_or_else(|| {
        invalid_option(
            py,
            "sl_definition",
            sl_definition,
            &SlDefinition::NAMES.map(|n| format!("'{n}'")).join(", "),
        )
    })?;
    let args = Args::new(
        &[
            ("calls", Some(calls)),
            ("aht_seconds", Some(aht_seconds)),
            ("interval_seconds", Some(interval_seconds)),
            ("patience_seconds", Some(patience_seconds)),
            ("sl_target", sl_target),
            ("threshold_seconds", threshold_seconds),
            ("abandon_target", abandon_target),
            ("max_occupancy", max_occupancy),
            ("shrinkage", shrinkage),
        ],
        on_invalid,
    )?;
    let out = args.map(py, |v| {
        let targets = TargetsA {
            sl_target: v[4],
            threshold_seconds: v[5],
            sl_definition: definition,
            abandon_target: v[6],
            max_occupancy: v[7],
            shrinkage: v[8].unwrap_or(0.0),
        };
        let nan = f64::NAN;
        sizing_a::required_agents_a(
            v[0].unwrap_or(nan),
            v[1].unwrap_or(nan),
            v[2].unwrap_or(nan),
            v[3].unwrap_or(nan),
            &targets,
        )
    })?;
    let invalid = |s: &StaffingA| s.load.is_nan();
    let overloaded = out.count(|s: &StaffingA| s.load > 0.0 && s.agents as f64 <= s.load);
    if overloaded > 0 {
        let message = CString::new(format!(
            "{overloaded} sizing(s) answered with agents <= load: the service-level target is \
             met only because many callers abandon; consider an abandon_target"
        ))
        .expect("no NUL in the message");
        PyErr::warn(py, &py.get_type::<StaffingWarning>(), &message, 1)?;
    }
    let count = |n: u64, s: &StaffingA| if invalid(s) { -1 } else { n as i64 };
    Ok(PyStaffingA {
        load: out.field(py, |s: &StaffingA| s.load)?,
        agents: out.field(py, |s: &StaffingA| count(s.agents, s))?,
        scheduled: out.field(py, |s: &StaffingA| count(s.scheduled, s))?,
        service_level: out.field(py, |s: &StaffingA| s.service_level)?,
        p_abandon: out.field(py, |s: &StaffingA| s.p_abandon)?,
        asa_answered_seconds: out.field(py, |s: &StaffingA| s.asa_answered_seconds)?,
        occupancy: out.field(py, |s: &StaffingA| s.occupancy)?,
    })
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("StaffingWarning", m.py().get_type::<StaffingWarning>())?;
    m.add_class::<PyErlangA>()?;
    m.add_class::<PyStaffingA>()?;
    m.add_function(wrap_pyfunction!(erlang_a, m)?)?;
    m.add_function(wrap_pyfunction!(required_agents_a, m)?)
}
