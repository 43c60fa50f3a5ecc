"""Interval plans in, day roll-ups out: the shared ground of the quantified interactions.

Every queueing number comes from the engine (``wfmath.required_agents``, ``service_level``,
``asa``, ``occupancy``); this module only reads plans and aggregates the way DOMAIN demands:
SL and ASA weighted by calls (zero-call intervals weigh nothing), occupancy by staffed time.
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
        Calls-weighted mean of the interval ASAs, seconds; infinite when an interval with calls
        has no more agents than Erlangs (the Erlang C queue grows without bound).
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


def read_plan(plan: PlanLike, *, need_agents: bool = False) -> Intervals:
    """Columns ``calls``, ``aht_seconds`` and (optional unless needed) ``agents`` of a plan.

    Scalars broadcast against the arrays, so ``{"calls": calls, "aht_seconds": 240.0}`` works.
    """
    if any(name in plan for name in ("p_abandon", "patience_seconds")):
        raise ValueError("this plan is Erlang A (callers abandon); the kpi what-ifs and diagnosis model Erlang C")
    wanted = ["calls", "aht_seconds"] + (["agents"] if need_agents or "agents" in plan else [])
    for name in wanted:
        if name not in plan:
            raise ValueError(f"plan lacks column {name!r} (has {', '.join(map(str, plan.keys()))})")
    columns = np.broadcast_arrays(*(np.asarray(plan[name], dtype=np.float64) for name in wanted))
    if columns[0].ndim > 1:
        raise ValueError(f"plan columns must be one-dimensional (one value per interval), got shape {columns[0].shape}")
    columns = [np.atleast_1d(c).copy() for c in columns]
    index = plan.index if isinstance(plan, pd.DataFrame) else pd.RangeIndex(len(columns[0]), name="interval")
    return Intervals(columns[0], columns[1], columns[2] if len(columns) == 3 else None, index)


def check_factor(name: str, value: float) -> None:
    """Raise unless ``value`` is a finite number >= 0."""
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


def calls_weighted(calls: FloatArray, values: FloatArray) -> float:
    """Calls-weighted mean of per-interval values; intervals without calls carry no weight."""
    busy = calls > 0
    return float(np.average(values[busy], weights=calls[busy])) if busy.any() else math.nan


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


def day_service_level(
    calls: FloatArray, aht_seconds: FloatArray, agents: FloatArray, *, interval_seconds: float, threshold_seconds: float
) -> float:
    """The calls-weighted SL of a day, from the engine's interval SLs."""
    load = wfmath.offered_load(calls, aht_seconds, interval_seconds)
    return calls_weighted(calls, wfmath.service_level(agents, load, aht_seconds, threshold_seconds))


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
    """Interval metrics from the engine, and their roll-up to the day.

    ``agents`` may be real-valued: a what-if's 10% fewer agents is a fractional average staff.
    """
    load = wfmath.offered_load(calls, aht_seconds, interval_seconds)
    sl = wfmath.service_level(agents, load, aht_seconds, threshold_seconds)
    wait = wfmath.asa(agents, load, aht_seconds)
    occ = wfmath.occupancy(agents, load)
    targets = {"sl_target": sl_target, "threshold_seconds": threshold_seconds, "shrinkage": shrinkage}
    need = wfmath.required_agents(calls, aht_seconds, interval_seconds, **targets)
    busy = calls > 0
    hours = interval_seconds / 3600.0
    meets = sl >= sl_target - wfmath.TIE_RTOL * sl_target  # the engine's own tie rule
    day = DayMetrics(
        calls=float(calls.sum()),
        aht_seconds=calls_weighted(calls, aht_seconds),
        workload_hours=float(load.sum() * hours),
        staffed_hours=float(agents.sum() * hours),
        service_level=calls_weighted(calls, sl),
        asa_seconds=calls_weighted(calls, wait),
        occupancy=float(np.average(occ, weights=agents)) if agents.sum() > 0 else math.nan,
        intervals_meeting_target=float(meets[busy].mean()) if busy.any() else math.nan,
        required_hours=float(need.agents.sum() * hours),
        scheduled_hours=float(need.scheduled.sum() * hours),
    )
    frame = pd.DataFrame(
        {
            "calls": calls,
            "aht_seconds": aht_seconds,
            "load_erlangs": load,
            "agents": agents,
            "service_level": sl,
            "asa_seconds": wait,
            "occupancy": occ,
            "required_agents": need.agents,
            "scheduled_agents": need.scheduled,
        },
        index=index,
    )
    return day, frame
