"""Interval plans in, day roll-ups out: the shared ground of the quantified interactions.

Every figure comes from the package's one path: the engine's interval figures through
:func:`wfmath.evaluate` (and the requirement through :func:`wfmath.plan`), rolled up by
:func:`wfmath.rollup`: SL and ASA weighted by calls (zero-call intervals weigh nothing),
occupancy by staffed time, ties to the target decided as the core decides them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

import wfmath

PlanLike: TypeAlias = "pd.DataFrame | Mapping[str, npt.ArrayLike]"
FloatArray: TypeAlias = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DayMetrics:
    """A plan's intervals rolled up to one period (a day, typically).

    Attributes
    ----------
    calls : float
        Contacts offered.
    aht_seconds : float
        Calls-weighted average handle time, seconds.
    workload_hours : float
        Handle time offered, sum(calls * aht) / 3600, hours.
    staffed_hours : float
        Agent-hours on the phones, sum(agents) * interval / 3600.
    service_level : float
        Calls-weighted mean of the interval SLs (fraction); NaN without calls.
    asa_seconds : float
        Calls-weighted mean of the interval ASAs, seconds, over the intervals whose Erlang C
        queue is stable; NaN when none is.
    unstable_intervals : int
        Intervals with calls and no more agents than Erlangs: the Erlang C queue grows without
        bound (ASA infinite, SL 0); their SL counts, their ASA is left out of ``asa_seconds``.
    occupancy : float
        Handle time over staffed time: interval occupancies weighted by agents (fraction).
    intervals_meeting_target : float
        Share of the intervals with calls whose SL meets the target.
    required_hours : float
        Agent-hours the SL target needs on the phones (the engine's minimal agents).
    scheduled_hours : float
        Agent-hours to schedule for that with shrinkage, ceil(required / (1 - shrinkage)).

    Examples
    --------
    >>> r = what_if({"calls": [100.0], "aht_seconds": 180.0, "agents": 14.0},
    ...             interval_seconds=1800.0, sl_target=0.8, threshold_seconds=20.0)
    >>> round(r.base.service_level, 4), r.base.staffed_hours, r.base.occupancy
    (0.8884, 7.0, 0.7142857142857143)
    """

    calls: float
    aht_seconds: float
    workload_hours: float
    staffed_hours: float
    service_level: float
    asa_seconds: float
    unstable_intervals: int
    occupancy: float
    intervals_meeting_target: float
    required_hours: float
    scheduled_hours: float

    def __sub__(self, other: DayMetrics) -> DayMetrics:
        return DayMetrics(**{f.name: getattr(self, f.name) - getattr(other, f.name) for f in fields(self)})

    def to_dict(self) -> dict[str, float]:
        """The metrics as a plain dict, field name to value."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, eq=False)  # arrays have no single truth value to compare by
class Intervals:
    """A plan's columns as float arrays of one length, with the plan's index."""

    calls: FloatArray
    aht_seconds: FloatArray
    agents: FloatArray | None
    index: pd.Index


def read_plan(plan: PlanLike, *, need_agents: bool = False, name: str = "plan") -> Intervals:
    """Columns ``calls``, ``aht_seconds`` and (optional unless needed) ``agents`` of a plan,
    the parameter `name`.

    Scalars broadcast against the arrays, so ``{"calls": calls, "aht_seconds": 240.0}`` works.
    """
    if not isinstance(plan, (pd.DataFrame, Mapping)):
        raise TypeError(
            f"{name} must be a pandas DataFrame or a mapping of column name to values, "
            f"got {type(plan).__name__} {plan!r:.50}"
        )
    if any(column in plan for column in ("p_abandon", "patience_seconds")):
        raise ValueError("this plan is Erlang A (callers abandon); the kpi what-ifs and diagnosis model Erlang C")
    wanted = ["calls", "aht_seconds"] + (["agents"] if need_agents or "agents" in plan else [])
    for column in wanted:
        if column not in plan:
            raise ValueError(f"{name} lacks column {column!r} (has {', '.join(map(str, plan.keys()))})")
    columns = np.broadcast_arrays(*(np.asarray(plan[column], dtype=np.float64) for column in wanted))
    if columns[0].ndim > 1:
        raise ValueError(f"plan columns must be one-dimensional (one value per interval), got shape {columns[0].shape}")
    columns = [np.atleast_1d(c).copy() for c in columns]
    index = plan.index if isinstance(plan, pd.DataFrame) else pd.RangeIndex(len(columns[0]), name="interval")
    return Intervals(columns[0], columns[1], columns[2] if len(columns) == 3 else None, index)


def check_fraction(name: str, value: npt.ArrayLike, bounds: str = "[0, 1]") -> FloatArray:
    """`value` as floats, unless it is not a real number (TypeError) or one of its values lies
    outside `bounds`, "[0, 1]", "[0, 1)" or "(0, 1)" (ValueError naming it)."""
    values = np.asarray(value)
    if values.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a fraction (a real number), got {value!r:.50}")
    values = values.astype(np.float64)
    above_low = values > 0 if bounds[0] == "(" else values >= 0
    below_high = values < 1 if bounds[-1] == ")" else values <= 1
    outside = ~(above_low & below_high)
    if outside.any():
        raise ValueError(f"{name} must be a fraction in {bounds}, got {float(values[outside].flat[0])!r}")
    return values


def check_factor(name: str, value: float) -> None:
    """Raise unless ``value`` is a finite number >= 0."""
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


def plan_staff(
    iv: Intervals, *, interval_seconds: float, sl_target: float | None, threshold_seconds: float
) -> FloatArray:
    """The plan's agents on the phones, or the engine's minimal agents for the SL target."""
    if iv.agents is not None:
        return iv.agents
    if sl_target is None:
        raise ValueError("plan has no 'agents' column: give sl_target to staff it at the requirement")
    r = wfmath.required_agents(
        iv.calls, iv.aht_seconds, interval_seconds, sl_target=sl_target, threshold_seconds=threshold_seconds
    )
    return np.asarray(r.agents, dtype=np.float64)


def evaluated(
    calls: FloatArray,
    aht_seconds: FloatArray,
    agents: FloatArray,
    *,
    interval_seconds: float,
    threshold_seconds: float,
    index: pd.Index | None = None,
) -> pd.DataFrame:
    """The engine's interval figures (Erlang C) at the staff given, by :func:`wfmath.evaluate`.

    ``agents`` may be real-valued: a what-if's 10% fewer agents is a fractional average staff.
    """
    frame = pd.DataFrame({"calls": calls, "aht_seconds": aht_seconds, "agents": agents}, index=index)
    return wfmath.evaluate(frame, threshold_seconds=threshold_seconds, interval_seconds=interval_seconds)


def day(intervals: pd.DataFrame, *, sl_target: float | None = None) -> pd.Series:
    """An evaluated or planned day rolled up to one row by :func:`wfmath.rollup`."""
    return wfmath.rollup(intervals, freq=None, by=None, sl_target=sl_target).iloc[0]


def roll_up(
    calls: FloatArray,
    aht_seconds: FloatArray,
    agents: FloatArray,
    *,
    interval_seconds: float,
    sl_target: float,
    threshold_seconds: float,
    shrinkage: npt.ArrayLike,
    index: pd.Index,
) -> tuple[DayMetrics, pd.DataFrame]:
    """Interval figures at the plan's staff and at the requirement, and their roll-up to the day."""
    scored = evaluated(
        calls, aht_seconds, agents, interval_seconds=interval_seconds, threshold_seconds=threshold_seconds, index=index
    )
    demand = pd.DataFrame(
        {"calls": calls, "aht_seconds": aht_seconds, "shrinkage": np.broadcast_to(shrinkage, calls.shape)}, index=index
    )
    sized = wfmath.plan(
        demand, interval_seconds=interval_seconds, sl_target=sl_target, threshold_seconds=threshold_seconds
    )
    at_staff, at_need = day(scored, sl_target=sl_target), day(sized)
    metrics = DayMetrics(
        calls=float(at_staff["calls"]),
        aht_seconds=float(at_staff["aht_seconds"]),
        workload_hours=float(at_staff["workload_hours"]),
        staffed_hours=float(at_staff["agent_hours"]),
        service_level=float(at_staff["service_level"]),
        asa_seconds=float(at_staff["asa_seconds"]),
        unstable_intervals=int(at_staff["unstable_intervals"]),
        occupancy=float(at_staff["occupancy"]),
        intervals_meeting_target=float(at_staff["share_intervals_met"]),
        required_hours=float(at_need["agent_hours"]),
        scheduled_hours=float(at_need["scheduled_hours"]),
    )
    frame = pd.DataFrame(
        {
            "calls": calls,
            "aht_seconds": aht_seconds,
            "load_erlangs": scored["load"].to_numpy(),
            "agents": agents,
            "service_level": scored["service_level"].to_numpy(),
            "asa_seconds": scored["asa_seconds"].to_numpy(),
            "occupancy": scored["occupancy"].to_numpy(),
            "required_agents": sized["agents"].to_numpy(),
            "scheduled_agents": sized["scheduled"].to_numpy(),
        },
        index=index,
    )
    return metrics, frame
