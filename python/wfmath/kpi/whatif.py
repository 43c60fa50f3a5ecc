"""What-if: how SL, ASA, occupancy and required staff move when volume, AHT, staff or shrinkage change."""

from __future__ import annotations

from dataclasses import dataclass

import numpy.typing as npt
import pandas as pd

from wfmath.kpi._intervals import DayMetrics, PlanLike, check_factor, check_fraction, plan_staff, read_plan, roll_up

__all__ = ["WhatIf", "what_if"]


@dataclass(frozen=True)
class WhatIf:
    """A plan before and after a change, rolled up to the day and per interval.

    Attributes
    ----------
    base, scenario : DayMetrics
        The day as planned and under the change.
    intervals : pandas.DataFrame
        Per interval (the plan's index), columns ``("base" | "scenario", metric)`` with metrics
        ``calls``, ``aht_seconds``, ``load_erlangs``, ``agents`` (on the phones),
        ``service_level``, ``asa_seconds``, ``occupancy``, ``required_agents`` and
        ``scheduled_agents``.

    Examples
    --------
    >>> r = what_if({"calls": [100.0, 200.0], "aht_seconds": 180.0}, interval_seconds=1800.0,
    ...             sl_target=0.8, threshold_seconds=20.0, volume_factor=1.1)
    >>> r.change.required_hours  # 14 + 24 agents for half an hour each become 15 + 27
    2.0
    """

    base: DayMetrics
    scenario: DayMetrics
    intervals: pd.DataFrame

    @property
    def change(self) -> DayMetrics:
        """Scenario minus base, metric by metric (SL in fractions: 0.05 is five points)."""
        return self.scenario - self.base

    def to_frame(self) -> pd.DataFrame:
        """The day's metrics as a table: rows ``base``, ``scenario`` and ``change``."""
        rows = {"base": self.base, "scenario": self.scenario, "change": self.change}
        return pd.DataFrame({name: m.to_dict() for name, m in rows.items()}).T


def what_if(
    plan: PlanLike,
    *,
    interval_seconds: float,
    sl_target: float,
    threshold_seconds: float,
    shrinkage: npt.ArrayLike = 0.0,
    volume_factor: float = 1.0,
    aht_factor: float = 1.0,
    staff_factor: float = 1.0,
    scenario_shrinkage: npt.ArrayLike | None = None,
) -> WhatIf:
    """The change in SL, ASA, occupancy and required staff when the plan's drivers change.

    The scenario keeps the plan's schedule and changes what meets it: calls times
    ``volume_factor``, AHT times ``aht_factor``, agents on the phones times ``staff_factor``
    and times ``(1 - scenario_shrinkage) / (1 - shrinkage)`` (the same people scheduled,
    a different share of them off the phones). SL, ASA and occupancy are those of the staff
    actually on the phones, which may be fractional (an average over the interval); required
    and scheduled hours are what the engine says the scenario needs.

    Parameters
    ----------
    plan : pandas.DataFrame or mapping of str to array_like
        Per interval: ``calls``, ``aht_seconds`` (seconds) and optionally ``agents`` on the phones;
        without ``agents`` the plan is staffed at the engine's requirement for ``sl_target``.
        Scalars broadcast.
    interval_seconds : float
        Interval length, seconds.
    sl_target : float
        Service-level target, fraction.
    threshold_seconds : float
        Service-level threshold, seconds.
    shrinkage : float or array_like
        The plan's shrinkage, fraction of paid time in [0, 1).
    volume_factor, aht_factor, staff_factor : float
        Multipliers of calls, AHT and agents on the phones (1.1 = 10% more).
    scenario_shrinkage : float or array_like, optional
        The scenario's shrinkage; the plan's when omitted.

    Returns
    -------
    WhatIf
        ``base``, ``scenario`` and ``change`` as :class:`DayMetrics`, ``intervals`` in detail.

    Raises
    ------
    TypeError
        A plan that is not a DataFrame or mapping (``None``, a list), or a fraction that is no number.
    ValueError
        A missing plan column, a negative or non-finite factor, `sl_target` outside (0, 1),
        a shrinkage outside [0, 1), or invalid plan values
        (named with the column and the row, as :func:`wfmath.evaluate` names them).

    Examples
    --------
    >>> plan = {"calls": [120.0, 300.0, 180.0], "aht_seconds": 240.0}
    >>> r = what_if(plan, interval_seconds=1800.0, sl_target=0.8, threshold_seconds=20.0,
    ...             aht_factor=1.05)
    >>> r.to_frame().loc[:, ["service_level", "asa_seconds", "required_hours"]].round(3)
              service_level  asa_seconds  required_hours
    base              0.835       11.877            47.5
    scenario          0.703       26.739            49.5
    change           -0.131       14.862             2.0
    """
    for name, value in (("volume_factor", volume_factor), ("aht_factor", aht_factor), ("staff_factor", staff_factor)):
        check_factor(name, value)
    check_fraction("sl_target", sl_target, "(0, 1)")
    s0 = check_fraction("shrinkage", shrinkage, "[0, 1)")
    s1 = s0 if scenario_shrinkage is None else check_fraction("scenario_shrinkage", scenario_shrinkage, "[0, 1)")
    iv = read_plan(plan)
    targets = {"interval_seconds": interval_seconds, "sl_target": sl_target, "threshold_seconds": threshold_seconds}
    agents = plan_staff(iv, **targets)
    base, base_frame = roll_up(iv.calls, iv.aht_seconds, agents, shrinkage=s0, index=iv.index, **targets)
    scenario, scenario_frame = roll_up(
        iv.calls * volume_factor,
        iv.aht_seconds * aht_factor,
        agents * staff_factor * (1 - s1) / (1 - s0),
        shrinkage=s1,
        index=iv.index,
        **targets,
    )
    return WhatIf(base, scenario, pd.concat({"base": base_frame, "scenario": scenario_frame}, axis=1))
