"""Diagnosis: attribute a day's SL miss to volume, AHT and staff, with parts that add up.

The day's SL is a function v of three drivers, each at its planned or its actual value:
volume (calls per interval), AHT (per interval) and staff (agents on the phones per interval).
v is the day SL of :func:`wfmath.evaluate` (Erlang C) rolled up by :func:`wfmath.rollup`: the
interval SLs weighted by the calls of the same scenario. The SL change from plan to actual,
v(actual) - v(plan), is split:

- ``"shapley"`` (default): each driver gets its marginal effect, v(S + driver) - v(S), averaged
  over all 3! orders of switching drivers from plan to actual. Exact, symmetric, independent of
  any order, and the three parts add up to the whole.
- ``"sequential"``: switch the drivers one at a time in ``order``; each gets its step. Adds up
  too, but a driver's part depends on the order (interactions go to whoever comes later).

The actual SL here is the one Erlang C gives for the actual drivers; what the ACD measured may
differ (abandonment, variance above Poisson). Pass ``measured_service_level`` to see the rest.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import permutations

import pandas as pd

from wfmath.kpi._intervals import Intervals, PlanLike, check_fraction, day, evaluated, plan_staff, read_plan

__all__ = ["DRIVERS", "SlDiagnosis", "diagnose_sl_miss"]

DRIVERS = ("volume", "aht", "staff")


@dataclass(frozen=True)
class SlDiagnosis:
    """Why the day's SL differs from plan, driver by driver.

    Attributes
    ----------
    planned_service_level : float
        Calls-weighted day SL of the plan (forecast calls, planned AHT, planned staff).
    actual_service_level : float
        The same for the actual drivers (Erlang C, not the ACD's measurement).
    parts : dict of str to float
        SL change due to ``volume``, ``aht`` and ``staff`` (fractions; -0.03 is 3 points lost).
        They add up to ``change``.
    driver_changes : dict of str to float
        Relative change, actual over plan minus 1, of total calls, calls-weighted AHT and
        agent-hours on the phones.
    method : str
        ``"shapley"`` or ``"sequential"``.
    sl_target : float or None
        The target, when given.
    measured_service_level : float or None
        The SL the ACD measured, when given.

    Examples
    --------
    >>> d = diagnose_sl_miss({"calls": [100.0], "aht_seconds": 180.0, "agents": 14.0},
    ...                      {"calls": [110.0], "aht_seconds": 180.0, "agents": 14.0},
    ...                      interval_seconds=1800.0, threshold_seconds=20.0)
    >>> d.parts["aht"], d.parts["staff"], d.parts["volume"] == d.change
    (0.0, 0.0, True)
    """

    planned_service_level: float
    actual_service_level: float
    parts: dict[str, float]
    driver_changes: dict[str, float]
    method: str
    sl_target: float | None = None
    measured_service_level: float | None = None

    @property
    def change(self) -> float:
        """Actual minus planned SL (fraction): the whole that the parts add up to."""
        return self.actual_service_level - self.planned_service_level

    @property
    def residual(self) -> float | None:
        """Measured minus modelled actual SL: what volume, AHT and staff do not explain."""
        if self.measured_service_level is None:
            return None
        return self.measured_service_level - self.actual_service_level

    def to_frame(self) -> pd.DataFrame:
        """One row a driver plus ``total`` (and ``residual`` when measured SL was given).

        Columns: ``driver_change`` (relative), ``sl_change`` (fraction) and ``sl_points``
        (percentage points, ``sl_change * 100``).
        """
        rows = {d: (self.driver_changes[d], self.parts[d]) for d in DRIVERS}
        rows["total"] = (math.nan, self.change)
        if self.residual is not None:
            rows["residual"] = (math.nan, self.residual)
        df = pd.DataFrame.from_dict(rows, orient="index", columns=["driver_change", "sl_change"])
        df["sl_points"] = df["sl_change"] * 100
        return df


def _marginals(value: Callable[[frozenset[str]], float], order: Sequence[str]) -> dict[str, float]:
    """Each driver's step when the drivers switch from plan to actual in ``order``."""
    steps, done = {}, frozenset[str]()
    for driver in order:
        steps[driver] = value(done | {driver}) - value(done)
        done = done | {driver}
    return steps


def _relative(actual: float, planned: float) -> float:
    return actual / planned - 1 if planned else math.nan


def diagnose_sl_miss(
    plan: PlanLike,
    actual: PlanLike,
    *,
    interval_seconds: float,
    threshold_seconds: float,
    sl_target: float | None = None,
    method: str = "shapley",
    order: Sequence[str] = DRIVERS,
    measured_service_level: float | None = None,
) -> SlDiagnosis:
    """Attribute the gap between planned and actual day SL to volume, AHT and staff.

    See the module documentation for the method. Volume above forecast, AHT above plan and
    staff below plan (through adherence, shrinkage or absence) each get a part, in SL
    fractions, and the parts add up to the whole change.

    Parameters
    ----------
    plan : pandas.DataFrame or mapping of str to array_like
        Per interval: forecast ``calls``, planned ``aht_seconds`` and ``agents`` planned on the
        phones; without ``agents`` the plan is staffed at the engine's requirement for
        ``sl_target``.
    actual : pandas.DataFrame or mapping of str to array_like
        Per interval: actual ``calls``, ``aht_seconds`` and ``agents`` on the phones (may be
        fractional: average agents signed in over the interval).
    interval_seconds : float
        Interval length, seconds.
    threshold_seconds : float
        Service-level threshold, seconds.
    sl_target : float, optional
        Needed only to size a plan without ``agents``; reported back.
    method : {"shapley", "sequential"}
        Exact Shapley attribution over the 3! orders, or one order of substitution.
    order : sequence of str
        The order for ``"sequential"``: a permutation of ``("volume", "aht", "staff")``
        (Shapley averages over every order and ignores it).
    measured_service_level : float, optional
        The SL the ACD measured, to report the residual the model leaves.

    Returns
    -------
    SlDiagnosis

    Raises
    ------
    TypeError
        A plan or actual that is not a DataFrame or mapping, or a fraction that is no number.
    ValueError
        Plan and actual over different intervals, a plan without agents and no target, an
        unknown method or order, `sl_target` outside (0, 1) or `measured_service_level`
        outside [0, 1].

    Examples
    --------
    >>> plan = {"calls": [120.0, 300.0, 180.0], "aht_seconds": 240.0, "agents": [20, 44, 28]}
    >>> actual = {"calls": [130.0, 330.0, 170.0], "aht_seconds": [250.0, 250.0, 245.0],
    ...           "agents": [19, 42, 28]}
    >>> d = diagnose_sl_miss(plan, actual, interval_seconds=1800.0, threshold_seconds=20.0)
    >>> d.to_frame().round(3)
            driver_change  sl_change  sl_points
    volume          0.050     -0.239    -23.933
    aht             0.036     -0.103    -10.297
    staff          -0.033     -0.109    -10.920
    total             NaN     -0.452    -45.151
    """
    if method not in ("shapley", "sequential"):
        raise ValueError(f"method must be 'shapley' or 'sequential', got {method!r}")
    if sorted(order) != sorted(DRIVERS):
        raise ValueError(f"order must be a permutation of {DRIVERS}, got {tuple(order)!r}")
    for name, fraction, bounds in (
        ("sl_target", sl_target, "(0, 1)"),
        ("measured_service_level", measured_service_level, "[0, 1]"),
    ):
        if fraction is not None:
            check_fraction(name, fraction, bounds)
    planned, observed = read_plan(plan), read_plan(actual, need_agents=True, name="actual")
    if len(planned.calls) != len(observed.calls):
        lengths = f"{len(planned.calls)} and {len(observed.calls)}"
        raise ValueError(f"plan and actual must cover the same intervals, got {lengths}")
    targets = {"interval_seconds": interval_seconds, "threshold_seconds": threshold_seconds}
    staff = plan_staff(planned, sl_target=sl_target, **targets)
    planned = Intervals(planned.calls, planned.aht_seconds, staff, planned.index)

    @cache
    def rolled(switched: frozenset[str]) -> pd.Series:
        pick = {d: (observed if d in switched else planned) for d in DRIVERS}
        return day(evaluated(pick["volume"].calls, pick["aht"].aht_seconds, pick["staff"].agents, **targets))

    def value(switched: frozenset[str]) -> float:
        return float(rolled(switched)["service_level"])

    orders = list(permutations(DRIVERS)) if method == "shapley" else [tuple(order)]
    steps = [_marginals(value, o) for o in orders]
    parts = {d: math.fsum(s[d] for s in steps) / len(steps) for d in DRIVERS}
    before, after = rolled(frozenset()), rolled(frozenset(DRIVERS))
    driver_changes = {
        driver: _relative(after[figure], before[figure])
        for driver, figure in (("volume", "calls"), ("aht", "aht_seconds"), ("staff", "agent_hours"))
    }
    return SlDiagnosis(
        planned_service_level=value(frozenset()),
        actual_service_level=value(frozenset(DRIVERS)),
        parts=parts,
        driver_changes=driver_changes,
        method=method,
        sl_target=sl_target,
        measured_service_level=measured_service_level,
    )
