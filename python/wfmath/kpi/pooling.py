"""Pooling: what merging queues into one pool of cross-skilled agents saves.

The merged queue offers the sum of the queues' calls with the handle-time-weighted AHT,
sum(calls * aht) / sum(calls), so the workload in Erlangs is exactly the sum of the queues'.
It is staffed as one M/M/N queue (Erlang C) with that AHT: exact for equal AHTs; with unequal
AHTs the true mix is more variable than one exponential, so the saving is an optimistic
estimate. All agents are assumed to handle every queue's contacts at the same target.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

import wfmath
from wfmath.kpi._intervals import DayMetrics, PlanLike, check_fraction, plan_staff, read_plan, roll_up

__all__ = ["Pooling", "pooling_gain"]


@dataclass(frozen=True)
class Pooling:
    """Separate queues against one merged pool.

    Attributes
    ----------
    separate : DayMetrics
        All queues together, each served by its own agents (SL weighted by calls over every
        queue and interval, hours summed).
    pooled : DayMetrics
        One merged queue served by the same agent-hours: its SL is the SL at equal staff, its
        ``required_hours`` what the merged queue needs.
    intervals : pandas.DataFrame
        Per interval: ``agents`` (the queues' staff summed, serving either way),
        ``separate_required_agents`` and ``pooled_required_agents``, ``separate_service_level``
        (calls-weighted over the queues) and ``pooled_service_level``; SLs NaN without calls.

    Examples
    --------
    >>> q = {"calls": [100.0], "aht_seconds": 180.0}
    >>> r = pooling_gain({"billing": q, "sales": q}, interval_seconds=1800.0,
    ...                  sl_target=0.8, threshold_seconds=20.0)
    >>> r.separate.required_hours, r.pooled.required_hours, r.saved_required_hours
    (14.0, 12.0, 2.0)
    """

    separate: DayMetrics
    pooled: DayMetrics
    intervals: pd.DataFrame

    @property
    def saved_required_hours(self) -> float:
        """Agent-hours on the phones the merged queue needs less than the separate ones."""
        return self.separate.required_hours - self.pooled.required_hours

    @property
    def saved_scheduled_hours(self) -> float:
        """The same saving in scheduled hours (shrinkage included)."""
        return self.separate.scheduled_hours - self.pooled.scheduled_hours

    @property
    def service_level_gain(self) -> float:
        """SL of the merged queue minus that of the separate ones, at equal staff (fraction)."""
        return self.pooled.service_level - self.separate.service_level


def pooling_gain(
    queues: Mapping[str, PlanLike],
    *,
    interval_seconds: float,
    sl_target: float,
    threshold_seconds: float,
    shrinkage: npt.ArrayLike = 0.0,
) -> Pooling:
    """The staff saved by merging queues, and the SL gained at equal staff.

    Parameters
    ----------
    queues : mapping of str to plan
        Each queue's plan (DataFrame or mapping) over the same intervals: ``calls``,
        ``aht_seconds`` and optionally ``agents`` (else the engine's requirement for the target).
    interval_seconds, sl_target, threshold_seconds, shrinkage
        As in :func:`what_if`; one target for all queues.

    Returns
    -------
    Pooling

    Raises
    ------
    TypeError
        `queues` not a mapping, or a queue's plan not a DataFrame or mapping.
    ValueError
        Fewer than two queues, queues over different numbers of intervals, `sl_target`
        outside (0, 1) or `shrinkage` outside [0, 1).

    Examples
    --------
    >>> queues = {
    ...     "billing": {"calls": [60.0, 140.0], "aht_seconds": 300.0},
    ...     "tech": {"calls": [40.0, 90.0], "aht_seconds": [420.0, 400.0]},
    ... }
    >>> r = pooling_gain(queues, interval_seconds=1800.0, sl_target=0.8, threshold_seconds=20.0)
    >>> r.saved_required_hours, round(r.service_level_gain, 3)
    (3.0, 0.115)
    """
    if not isinstance(queues, Mapping):
        raise TypeError(f"queues must be a mapping of queue name to plan, got {type(queues).__name__} {queues!r:.50}")
    if len(queues) < 2:
        raise ValueError(f"pooling needs at least two queues, got {len(queues)}")
    targets = {"interval_seconds": interval_seconds, "sl_target": sl_target, "threshold_seconds": threshold_seconds}
    check_fraction("sl_target", sl_target, "(0, 1)")
    check_fraction("shrinkage", shrinkage, "[0, 1)")
    plans = {name: read_plan(plan, name=f"queues[{name!r}]") for name, plan in queues.items()}
    lengths = {name: len(iv.calls) for name, iv in plans.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"queues must cover the same intervals, got lengths {lengths}")
    calls = np.stack([iv.calls for iv in plans.values()])
    aht = np.stack([iv.aht_seconds for iv in plans.values()])
    agents = np.stack([plan_staff(iv, **targets) for iv in plans.values()])
    index = next(iter(plans.values())).index
    # Concatenated, the queue-intervals roll up exactly as the separate queues do together.
    flat = pd.MultiIndex.from_product([list(plans), range(len(index))], names=["queue", "slot"])
    separate, separate_frame = roll_up(
        calls.ravel(),
        aht.ravel(),
        agents.ravel(),
        shrinkage=np.broadcast_to(shrinkage, calls.shape).ravel(),
        index=flat,
        **targets,
    )
    total = calls.sum(axis=0)
    busy, divisor = total > 0, np.where(total > 0, total, 1)
    # Where no queue has calls the load is 0 whatever the AHT; any positive AHT will do there.
    pooled_aht = np.where(busy, (calls * aht).sum(axis=0) / divisor, aht.mean(axis=0))
    pooled, pooled_frame = roll_up(total, pooled_aht, agents.sum(axis=0), shrinkage=shrinkage, index=index, **targets)
    # Each interval's SL over the queues: the queues' figures rolled up by interval.
    queue_intervals = separate_frame.reset_index().assign(interval_seconds=interval_seconds)
    by_slot = wfmath.rollup(queue_intervals, freq=None, by="slot")
    intervals = pd.DataFrame(
        {
            "agents": agents.sum(axis=0),
            "separate_required_agents": separate_frame["required_agents"].to_numpy().reshape(calls.shape).sum(axis=0),
            "pooled_required_agents": pooled_frame["required_agents"].to_numpy(),
            "separate_service_level": by_slot["service_level"].to_numpy(),
            "pooled_service_level": np.where(busy, pooled_frame["service_level"].to_numpy(), np.nan),
        },
        index=index,
    )
    return Pooling(separate, pooled, intervals)
