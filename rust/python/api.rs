//! The Python functions: each parses its arguments and maps a core function over the rows.

use pyo3::prelude::*;

use super::args::{Args, Output};
use super::results::result_class;
use crate::sizing::{Staffing, Targets};
use crate::{erlang, inverse, sizing};

type Any<'py> = Bound<'py, PyAny>;

/// Maps a core function of required float arguments to a float per row.
fn elementwise<'py>(
    py: Python<'py>,
    inputs: &[(&'static str, &Any<'py>)],
    on_invalid: &str,
    f: impl Fn(&[f64]) -> crate::Result<f64> + Sync,
) -> PyResult<Py<PyAny>> {
    let named: Vec<_> = inputs.iter().map(|(n, o)| (*n, Some(*o))).collect();
    let args = Args::new(&named, on_invalid)?;
    let out = args.map(py, |row| {
        let values: Vec<f64> = row.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
        f(&values)
    })?;
    out.field(py, |v: &f64| *v)
}

/// Defines a Python function that maps a core function of float arguments over broadcast
/// rows. Arguments after `;` are keyword-only; the core function takes them all in order.
macro_rules! elementwise_fn {
    ($(#[doc = $doc:expr])* $name:ident($($arg:ident),+ $(; $($kw:ident),+)?) => $core:path) => {
        $(#[doc = $doc])*
        #[pyfunction]
        #[pyo3(signature = ($($arg),+, * $(, $($kw),+)?, on_invalid = "raise"))]
        fn $name<'py>(
            py: Python<'py>,
            $($arg: &Any<'py>,)+
            $($($kw: &Any<'py>,)+)?
            on_invalid: &str,
        ) -> PyResult<Py<PyAny>> {
            let inputs = [$((stringify!($arg), $arg),)+ $($((stringify!($kw), $kw),)+)?];
            elementwise(py, &inputs, on_invalid, |v| {
                let mut values = v.iter().copied();
                let mut next = || values.next().unwrap_or(f64::NAN);
                $core($({ let _ = stringify!($arg); next() },)+ $($({ let _ = stringify!($kw); next() },)+)?)
            })
        }
    };
}

elementwise_fn! {
    /// Erlang B: probability that a call is blocked (lost) with `servers` lines and `load` Erlangs.
    ///
    /// Parameters
    /// ----------
    /// servers : float or array_like
    ///     Servers (lines, trunks). May be real-valued: the continuous extension through the
    ///     incomplete gamma function, equal to the recurrence at whole numbers.
    /// load : float or array_like
    ///     Offered load, Erlangs (calls * aht_seconds / interval_seconds).
    /// on_invalid : {"raise", "nan"}
    ///     Raise on bad input, or return NaN in the rows that have it.
    ///
    /// Returns
    /// -------
    /// float or ndarray
    ///     Blocking probability in [0, 1]. B(0, load) = 1; B(servers, 0) = 0 for servers > 0.
    ///
    /// Raises
    /// ------
    /// InvalidInputError
    ///     A ValueError naming the parameter, value and row: negative, NaN or infinite input.
    ///
    /// Examples
    /// --------
    /// >>> round(erlang_b(10, 5.0), 6)
    /// 0.018385
    /// >>> erlang_b([0, 1, 2], 1.0).round(6).tolist()
    /// [1.0, 0.5, 0.2]
    erlang_b(servers, load) => erlang::erlang_b
}

elementwise_fn! {
    /// Natural log of Erlang B; finite where B underflows a double (e.g. 10 000 servers at 200 Erlangs).
    ///
    /// Parameters and conventions as :func:`erlang_b`.
    ///
    /// Examples
    /// --------
    /// >>> round(log_erlang_b(10000, 200.0), 3)
    /// -29325.754
    log_erlang_b(servers, load) => erlang::log_erlang_b
}

elementwise_fn! {
    /// Erlang C: probability that a call waits, with `agents` serving `load` Erlangs (M/M/N).
    ///
    /// Parameters
    /// ----------
    /// agents : float or array_like
    ///     Agents; may be real-valued (same continuous Erlang B).
    /// load : float or array_like
    ///     Offered load, Erlangs.
    /// on_invalid : {"raise", "nan"}
    ///
    /// Returns
    /// -------
    /// float or ndarray
    ///     P(wait). 1 when agents <= load (the queue grows without bound); 0 at zero load.
    ///
    /// Examples
    /// --------
    /// >>> round(erlang_c(11, 10.0), 6)
    /// 0.682118
    erlang_c(agents, load) => erlang::erlang_c
}

elementwise_fn! {
    /// Service level: share of calls answered within `threshold_seconds`, P(wait <= t).
    ///
    /// Parameters
    /// ----------
    /// agents : float or array_like
    ///     Agents on the phones.
    /// load : float or array_like
    ///     Offered load, Erlangs.
    /// aht_seconds : float or array_like
    ///     Average handle time, seconds (> 0).
    /// threshold_seconds : float or array_like
    ///     Service-level threshold t, seconds (>= 0).
    /// on_invalid : {"raise", "nan"}
    ///
    /// Returns
    /// -------
    /// float or ndarray
    ///     A fraction in [0, 1]: 0 when agents <= load, 1 at zero load.
    ///
    /// Examples
    /// --------
    /// >>> round(service_level(14, 10.0, 180.0, 20.0), 4)
    /// 0.8884
    service_level(agents, load, aht_seconds, threshold_seconds) => erlang::service_level
}

elementwise_fn! {
    /// P(wait > threshold_seconds), computed directly: accurate when tiny, where 1 - service_level is not.
    ///
    /// Parameters as :func:`service_level`.
    ///
    /// Examples
    /// --------
    /// >>> f"{prob_wait_exceeds(60, 10.0, 180.0, 20.0):.3e}"
    /// '2.531e-29'
    prob_wait_exceeds(agents, load, aht_seconds, threshold_seconds) => erlang::prob_wait_exceeds
}

elementwise_fn! {
    /// Average speed of answer: mean wait of all calls (those answered at once count 0), seconds.
    ///
    /// Parameters
    /// ----------
    /// agents, load : float or array_like
    ///     Agents and offered load (Erlangs).
    /// aht_seconds : float or array_like
    ///     Average handle time, seconds.
    /// on_invalid : {"raise", "nan"}
    ///
    /// Returns
    /// -------
    /// float or ndarray
    ///     Seconds; infinite when agents <= load.
    ///
    /// Examples
    /// --------
    /// >>> round(asa(14, 10.0, 180.0), 3)
    /// 7.836
    asa(agents, load, aht_seconds) => erlang::asa
}

elementwise_fn! {
    /// Mean number of calls waiting in queue; infinite when agents <= load.
    ///
    /// Examples
    /// --------
    /// >>> round(queue_length(14, 10.0), 4)
    /// 0.4353
    queue_length(agents, load) => erlang::queue_length
}

elementwise_fn! {
    /// Agent occupancy, load / agents, as a fraction; 1 when agents <= load, 0 at zero load.
    ///
    /// Examples
    /// --------
    /// >>> occupancy(12, 9.0)
    /// 0.75
    occupancy(agents, load) => erlang::occupancy
}

elementwise_fn! {
    /// The q-quantile of the wait of all calls, seconds: AHT / (N - A) * ln(C / (1 - q)), or 0
    /// when at least a share q is answered at once; infinite when agents <= load.
    ///
    /// Parameters
    /// ----------
    /// agents, load, aht_seconds : float or array_like
    /// q : float or array_like
    ///     Probability in (0, 1), e.g. 0.9 for the 90th percentile wait.
    ///
    /// Examples
    /// --------
    /// >>> round(wait_quantile(14, 10.0, 180.0, 0.95), 3)
    /// 56.151
    wait_quantile(agents, load, aht_seconds, q) => erlang::wait_quantile
}

elementwise_fn! {
    /// Offered load in Erlangs: calls * aht_seconds / interval_seconds.
    ///
    /// Examples
    /// --------
    /// >>> offered_load(100, 180.0, 1800.0)
    /// 10.0
    offered_load(calls, aht_seconds, interval_seconds) => sizing::offered_load
}

/// Fewest lines (Erlang B servers) whose blocking is at most `blocking`.
///
/// Parameters
/// ----------
/// load : float or array_like
///     Offered load, Erlangs.
/// blocking : float or array_like
///     Target blocking probability in (0, 1); equality meets it.
/// on_invalid : {"raise", "nan"}
///     With "nan", rows with bad input get -1.
///
/// Returns
/// -------
/// int or ndarray of int64
///
/// Examples
/// --------
/// >>> required_lines(10.0, 0.01)
/// 18
#[pyfunction]
#[pyo3(signature = (load, blocking, *, on_invalid = "raise"))]
fn required_lines<'py>(
    py: Python<'py>,
    load: &Any<'py>,
    blocking: &Any<'py>,
    on_invalid: &str,
) -> PyResult<Py<PyAny>> {
    let args = Args::new(
        &[("load", Some(load)), ("blocking", Some(blocking))],
        on_invalid,
    )?;
    let out = args.map(py, |v| {
        Ok(sizing::required_lines(v[0].unwrap_or(f64::NAN), v[1].unwrap_or(f64::NAN))? as i64)
    })?;
    out.field(py, |n: &i64| *n)
}

elementwise_fn! {
    /// Largest load, Erlangs, that `lines` servers carry with blocking at most `blocking`.
    ///
    /// Examples
    /// --------
    /// >>> round(max_load(18, 0.01), 4)
    /// 10.4369
    max_load(lines, blocking) => inverse::max_load
}

elementwise_fn! {
    /// Most calls per interval that `agents` answer at the service-level target: the real-valued
    /// volume at which the service level equals `sl_target` exactly.
    ///
    /// Parameters
    /// ----------
    /// agents : float or array_like
    /// aht_seconds : float or array_like
    ///     Average handle time, seconds.
    /// interval_seconds : float or array_like
    ///     Interval length, seconds.
    /// sl_target : float or array_like
    ///     Service-level target in (0, 1).
    /// threshold_seconds : float or array_like
    ///     Service-level threshold, seconds.
    ///
    /// Examples
    /// --------
    /// >>> round(max_calls(14, 180.0, 1800.0, sl_target=0.8, threshold_seconds=20.0), 3)
    /// 108.685
    max_calls(agents, aht_seconds, interval_seconds; sl_target, threshold_seconds) => inverse::max_calls
}

elementwise_fn! {
    /// Longest average handle time, seconds, at which `agents` answering `calls` per interval still
    /// reach the service-level target; infinite when there are no calls.
    ///
    /// Examples
    /// --------
    /// >>> round(max_aht(14, 100, 1800.0, sl_target=0.8, threshold_seconds=20.0), 3)
    /// 194.864
    max_aht(agents, calls, interval_seconds; sl_target, threshold_seconds) => inverse::max_aht
}

result_class! {
    /// The answer of :func:`required_agents`: each field a scalar, or an array over the
    /// broadcast input.
    ///
    /// Attributes
    /// ----------
    /// load : float or ndarray
    ///     Offered load, Erlangs.
    /// agents : int or ndarray of int64
    ///     Agents needed on the phones (after the service targets and the occupancy cap).
    /// scheduled : int or ndarray of int64
    ///     Agents to schedule: ceil(agents / (1 - shrinkage)).
    /// service_level : float or ndarray
    ///     Service level reached at `agents` (NaN when no threshold_seconds was given).
    /// asa_seconds : float or ndarray
    ///     Average speed of answer reached at `agents`, seconds.
    /// occupancy : float or ndarray
    ///     Occupancy reached at `agents`.
    PyStaffing as "Staffing" {
        load,
        agents,
        scheduled,
        service_level,
        asa_seconds,
        occupancy,
    }
}

impl super::args::Fill for Staffing {
    const INVALID: Staffing = Staffing {
        load: f64::NAN,
        agents: 0,
        scheduled: 0,
        service_level: f64::NAN,
        asa_seconds: f64::NAN,
        occupancy: f64::NAN,
    };
}

/// Agents needed per interval to meet a service-level and/or ASA target (Erlang C).
///
/// Every argument may be a scalar or an array; arrays broadcast like NumPy.
///
/// Parameters
/// ----------
/// calls : float or array_like
///     Calls offered per interval (>= 0).
/// aht_seconds : float or array_like
///     Average handle time, seconds (> 0).
/// interval_seconds : float or array_like
///     Interval length, seconds (> 0), e.g. 1800 for 30 minutes.
/// sl_target : float or array_like, optional
///     Share of calls to answer within `threshold_seconds`, in (0, 1).
/// threshold_seconds : float or array_like, optional
///     Service-level threshold, seconds; required with `sl_target`.
/// asa_target_seconds : float or array_like, optional
///     Highest acceptable average speed of answer, seconds.
/// max_occupancy : float or array_like, optional
///     Occupancy cap in (0, 1]: agents >= ceil(load / max_occupancy).
/// shrinkage : float or array_like
///     Share of scheduled time lost to breaks, training, absence, in [0, 1).
/// on_invalid : {"raise", "nan"}
///     With "nan", rows with bad input get -1 agents and NaN floats.
///
/// Returns
/// -------
/// Staffing
///     The smallest whole number of agents above the load that meets every given target
///     (a target met with equality counts as met), raised to the occupancy cap; zero calls
///     need zero agents.
///
/// Raises
/// ------
/// InvalidInputError
///     Bad values (named, with the row for arrays) or no target given.
///
/// Examples
/// --------
/// >>> r = required_agents(100, 180.0, 1800.0, sl_target=0.8, threshold_seconds=20.0, shrinkage=0.3)
/// >>> r.agents, r.scheduled, round(r.service_level, 4)
/// (14, 20, 0.8884)
#[pyfunction]
#[pyo3(signature = (
    calls, aht_seconds, interval_seconds, *, sl_target = None, threshold_seconds = None,
    asa_target_seconds = None, max_occupancy = None, shrinkage = None, on_invalid = "raise"
))]
#[allow(clippy::too_many_arguments)]
fn required_agents<'py>(
    py: Python<'py>,
    calls: &Any<'py>,
    aht_seconds: &Any<'py>,
    interval_seconds: &Any<'py>,
    sl_target: Option<&Any<'py>>,
    threshold_seconds: Option<&Any<'py>>,
    asa_target_seconds: Option<&Any<'py>>,
    max_occupancy: Option<&Any<'py>>,
    shrinkage: Option<&Any<'py>>,
    on_invalid: &str,
) -> PyResult<PyStaffing> {
    let args = Args::new(
        &[
            ("calls", Some(calls)),
            ("aht_seconds", Some(aht_seconds)),
            ("interval_seconds", Some(interval_seconds)),
            ("sl_target", sl_target),
            ("threshold_seconds", threshold_seconds),
            ("asa_target_seconds", asa_target_seconds),
            ("max_occupancy", max_occupancy),
            ("shrinkage", shrinkage),
        ],
        on_invalid,
    )?;
    let out: Output<Staffing> = args.map(py, |v| {
        let targets = Targets {
            sl_target: v[3],
            threshold_seconds: v[4],
            asa_target_seconds: v[5],
            max_occupancy: v[6],
            shrinkage: v[7].unwrap_or(0.0),
        };
        let nan = f64::NAN;
        sizing::required_agents(
            v[0].unwrap_or(nan),
            v[1].unwrap_or(nan),
            v[2].unwrap_or(nan),
            &targets,
        )
    })?;
    let invalid = |s: &Staffing| s.load.is_nan();
    Ok(PyStaffing {
        load: out.field(py, |s: &Staffing| s.load)?,
        agents: out.field(
            py,
            |s: &Staffing| if invalid(s) { -1 } else { s.agents as i64 },
        )?,
        scheduled: out.field(
            py,
            |s: &Staffing| if invalid(s) { -1 } else { s.scheduled as i64 },
        )?,
        service_level: out.field(py, |s: &Staffing| s.service_level)?,
        asa_seconds: out.field(py, |s: &Staffing| s.asa_seconds)?,
        occupancy: out.field(py, |s: &Staffing| s.occupancy)?,
    })
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStaffing>()?;
    m.add_function(wrap_pyfunction!(erlang_b, m)?)?;
    m.add_function(wrap_pyfunction!(log_erlang_b, m)?)?;
    m.add_function(wrap_pyfunction!(erlang_c, m)?)?;
    m.add_function(wrap_pyfunction!(service_level, m)?)?;
    m.add_function(wrap_pyfunction!(prob_wait_exceeds, m)?)?;
    m.add_function(wrap_pyfunction!(asa, m)?)?;
    m.add_function(wrap_pyfunction!(queue_length, m)?)?;
    m.add_function(wrap_pyfunction!(occupancy, m)?)?;
    m.add_function(wrap_pyfunction!(wait_quantile, m)?)?;
    m.add_function(wrap_pyfunction!(offered_load, m)?)?;
    m.add_function(wrap_pyfunction!(required_agents, m)?)?;
    m.add_function(wrap_pyfunction!(required_lines, m)?)?;
    m.add_function(wrap_pyfunction!(max_load, m)?)?;
    m.add_function(wrap_pyfunction!(max_calls, m)?)?;
    m.add_function(wrap_pyfunction!(max_aht, m)?)
}
