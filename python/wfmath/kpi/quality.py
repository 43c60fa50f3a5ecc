"""The quality loop: contacts not resolved the first time come back as workload.

Model (linear, steady state). The plan's ``calls`` are first contacts, one per new issue. A
share ``1 - fcr`` of issues is not resolved at first contact, and each such issue brings
``repeat_factor`` further contacts on average, repeats of repeats included (measure it as
repeat contacts / issues unresolved at first contact). So each interval offers

    effective calls = calls * (1 + (1 - fcr) * repeat_factor)

at the interval's AHT. Repeats are spread like first contacts: in a steady state today's
repeats come from earlier days' misses at the same rate, so they follow the day's profile.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfmath.kpi._intervals import PlanLike, check_factor, check_fraction, plan_staff, read_plan, roll_up

__all__ = ["quality_loop"]


def quality_loop(
    plan: PlanLike,
    *,
    fcr: float | npt.ArrayLike,
    repeat_factor: float,
    interval_seconds: float,
    sl_target: float,
    threshold_seconds: float,
    shrinkage: npt.ArrayLike = 0.0,
) -> pd.DataFrame:
    """The repeat workload poor resolution creates, and what it does to staffing and SL.

    For each FCR value: the effective calls (see the module's model), the extra workload the
    repeats add, the staff the SL target then needs, and the SL, ASA and occupancy at the
    plan's staff. Without an ``agents`` column the plan's staff is what first contacts alone
    need: the SL a plan reaches when it forgets repeat work.

    Parameters
    ----------
    plan : pandas.DataFrame or mapping of str to array_like
        Per interval: ``calls`` (first contacts), ``aht_seconds`` and optionally ``agents``.
    fcr : float or array_like
        First-contact resolution, fraction(s) in [0, 1]; pass several to compare.
    repeat_factor : float
        Mean further contacts per issue not resolved at first contact (>= 0).
    interval_seconds, sl_target, threshold_seconds, shrinkage
        As in :func:`what_if`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``fcr``; columns ``repeat_calls``, ``extra_workload_hours`` (handle time of
        the repeats), ``extra_required_hours`` (agent-hours on the phones beyond what first
        contacts need), then the :class:`DayMetrics` fields for the effective calls at the
        plan's staff.

    Raises
    ------
    TypeError
        A plan that is not a DataFrame or mapping, or a fraction that is no number.
    ValueError
        `fcr` outside [0, 1], a negative `repeat_factor`, `sl_target` outside (0, 1) or
        `shrinkage` outside [0, 1).

    Examples
    --------
    >>> plan = {"calls": [120.0, 300.0, 180.0], "aht_seconds": 240.0}
    >>> loop = quality_loop(plan, fcr=[0.7, 0.8, 0.9], repeat_factor=1.2, interval_seconds=1800.0,
    ...                     sl_target=0.8, threshold_seconds=20.0)
    >>> loop[["repeat_calls", "extra_workload_hours", "extra_required_hours", "service_level"]].round(3)
    ... # doctest: +NORMALIZE_WHITESPACE
         repeat_calls  extra_workload_hours  extra_required_hours  service_level
    fcr
    0.7         216.0                  14.4                  15.5          0.000
    0.8         144.0                   9.6                  10.0          0.011
    0.9          72.0                   4.8                   5.0          0.398
    """
    check_factor("repeat_factor", repeat_factor)
    levels = np.atleast_1d(check_fraction("fcr", fcr))
    if levels.ndim != 1:
        raise ValueError(f"fcr must be one fraction or a list of them, got shape {levels.shape}")
    check_fraction("sl_target", sl_target, "(0, 1)")
    check_fraction("shrinkage", shrinkage, "[0, 1)")
    iv = read_plan(plan)
    targets = {"interval_seconds": interval_seconds, "sl_target": sl_target, "threshold_seconds": threshold_seconds}
    agents = plan_staff(iv, **targets)
    first, _ = roll_up(iv.calls, iv.aht_seconds, agents, shrinkage=shrinkage, index=iv.index, **targets)
    rows = []
    for level in levels:
        calls = iv.calls * (1 + (1 - level) * repeat_factor)
        day, _ = roll_up(calls, iv.aht_seconds, agents, shrinkage=shrinkage, index=iv.index, **targets)
        extra = {
            "repeat_calls": day.calls - first.calls,
            "extra_workload_hours": day.workload_hours - first.workload_hours,
            "extra_required_hours": day.required_hours - first.required_hours,
        }
        rows.append({**extra, **day.to_dict()})
    return pd.DataFrame(rows, index=pd.Index(levels, name="fcr"))
