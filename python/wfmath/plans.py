"""Interval plans on frames: size every interval, or evaluate the staff it already has.

Frames may be pandas or polars DataFrames or pyarrow Tables; results come back in the same
kind, the input is never changed and a pandas result keeps the input's index.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from wfmath import _tables as t
from wfmath._wfmath import (
    InvalidInputError,
    asa,
    erlang_a,
    occupancy,
    required_agents,
    required_agents_a,
    service_level,
)

#: Default column names, by role; pass ``columns={"calls": "offered", ...}`` to rename.
PLAN_COLUMNS: dict[str, str] = {
    "interval": "interval_start",
    "queue": "queue",
    "calls": "calls",
    "aht_seconds": "aht_seconds",
    "agents": "agents",
}


#: The columns plan() and evaluate() add (any of them in the input is replaced).
PLAN_FIGURES = (
    "interval_seconds",
    "load",
    "scheduled",
    "service_level",
    "occupancy",
    "asa_seconds",
    "p_abandon",
    "answered_calls",
    "sl_calls",
    "agent_hours",
    "scheduled_hours",
)


def infer_interval_seconds(data: pd.DataFrame, names: Mapping[str, str]) -> float:
    """The interval length: the most common step between consecutive timestamps of a queue
    (the shortest among equally common ones), so gaps and stray rows do not decide it."""
    interval, queue = names["interval"], names["queue"]
    if interval not in data.columns:
        raise ValueError(f"give interval_seconds, or a timestamp column {interval!r} to infer it from")
    if not pd.api.types.is_datetime64_any_dtype(data[interval]):
        raise TypeError(f"column {interval!r} must hold timestamps, got dtype {data[interval].dtype}")
    keys = [queue, interval] if queue in data.columns else [interval]
    ordered = data[keys].sort_values(keys)
    steps = ordered[interval].diff().dt.total_seconds().to_numpy().copy()
    if len(keys) == 2:
        steps[(ordered[queue] != ordered[queue].shift()).to_numpy(dtype=bool, na_value=True)] = np.nan
    steps = steps[steps > 0]
    if not len(steps):
        raise ValueError("cannot infer the interval length from one timestamp per queue: give interval_seconds")
    values, counts = np.unique(steps, return_counts=True)
    return float(values[np.argmax(counts)])


class _Inputs:
    """The frame's columns and options, resolved once, with errors mapped to column and row."""

    def __init__(self, frame: Any, columns: Mapping[str, str] | None, interval_seconds: float | None):
        self.source = t.as_frame(frame)
        self.data = self.source.data
        self.names = t.resolve_columns(PLAN_COLUMNS, columns)
        t.require(self.data, [self.names["calls"], self.names["aht_seconds"]], "frame")
        self.interval_seconds = (
            float(interval_seconds) if interval_seconds is not None else infer_interval_seconds(self.data, self.names)
        )
        if self.names["interval"] in self.data.columns:
            keys = [self.names[k] for k in ("queue", "interval") if self.names[k] in self.data.columns]
            t.reduce(self.data, [], {}, {}, unique=[t.key(self.data[k]) for k in keys])
        self.column_of = {"calls": self.names["calls"], "aht_seconds": self.names["aht_seconds"]}

    def column(self, role: str) -> np.ndarray:
        return t.numeric(self.data, self.names[role])

    def option(self, name: str, value: Any) -> Any:
        """A number for every row, the column a string names, or the frame's own column
        `name` when the keyword is omitted."""
        resolved, column = t.option_column(self.data, name, value)
        if column is not None:
            self.column_of[name] = column
        return resolved

    def engine_error(self, err: InvalidInputError) -> ValueError:
        """The engine's error, with the user's column name and the row's index label; an
        option given as one number is named as the option, with no row."""
        if err.parameter is None:  # a rule between options, e.g. a target without its threshold
            return ValueError(str(err))
        column = self.column_of.get(err.parameter)
        rule = str(err).split(f"{err.parameter} ", 1)[-1].split(", got")[0]
        if column is None:
            return ValueError(f"{err.parameter} {rule}, got {err.value!r}")
        where = f" at row {t.shown(self.data.index[err.index])}" if isinstance(err.index, int) else ""
        return ValueError(f"column {column!r} {rule}, got {err.value!r}{where}")

    def result(self, figures: Mapping[str, Any], agents: np.ndarray, scheduled: np.ndarray | None) -> Any:
        # A plan's own figures of other staff or another model would be stale beside these.
        out = self.data.drop(columns=[c for c in PLAN_FIGURES if c in self.data.columns])
        hours = self.interval_seconds / 3600.0
        out["interval_seconds"] = self.interval_seconds
        for name, values in figures.items():
            out[name] = values
        out["agent_hours"] = agents * hours
        if scheduled is not None:
            out["scheduled_hours"] = scheduled * hours
        return self.source.give_back(out)


def _counts(values: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Agent counts as floats, NaN where the engine marked a bad row with -1."""
    out = np.broadcast_to(np.asarray(values, dtype=np.float64), shape).copy()
    out[out < 0] = np.nan
    return out


def _sl_calls(
    definition: str, calls: np.ndarray, answered: np.ndarray, s: Any, aht: np.ndarray, patience: Any, threshold: Any
) -> np.ndarray:
    """The calls an Erlang A service level is a share of, under `definition`: what a roll-up
    weights each interval's service level by (answered within t over these, summed)."""
    if definition == "answered":
        return answered
    if definition != "excl_short_abandons" or threshold is None:
        return calls
    queue = erlang_a(_counts(s.agents, calls.shape), s.load, aht, patience, threshold, on_invalid="nan")
    with np.errstate(invalid="ignore"):
        return np.where(calls > 0, calls * (1.0 - queue.abandoned_within), 0.0)


def plan(
    frame: Any,
    *,
    interval_seconds: float | None = None,
    sl_target: float | str | None = None,
    threshold_seconds: float | str | None = None,
    asa_target_seconds: float | str | None = None,
    max_occupancy: float | str | None = None,
    shrinkage: float | str | None = None,
    patience_seconds: float | str | None = None,
    sl_definition: str = "answered",
    abandon_target: float | str | None = None,
    columns: Mapping[str, str] | None = None,
    on_invalid: str = "raise",
) -> Any:
    """The staffing plan of every interval: the agents each needs and what they achieve.

    Parameters
    ----------
    frame : pandas.DataFrame, polars.DataFrame or pyarrow.Table
        One row per interval (and queue): interval start timestamps, an optional queue,
        calls offered and AHT in seconds. Default column names: ``interval_start``,
        ``queue``, ``calls``, ``aht_seconds``; rename them with `columns`.
    interval_seconds : float, optional
        Interval length, seconds; inferred from the timestamps when omitted.
    sl_target, threshold_seconds, asa_target_seconds, max_occupancy, shrinkage : float or str, optional
        Targets as in :func:`wfmath.required_agents`: one number for every row, or the name
        of a column with one per row. A column named after the target is used when the
        keyword is omitted.
    patience_seconds : float or str, optional
        Mean caller patience, seconds (or a column; a ``patience_seconds`` column is used
        when omitted): sizes with Erlang A (:func:`wfmath.required_agents_a`, with
        `sl_definition` and `abandon_target`, which need it) and adds ``p_abandon``,
        ``answered_calls`` (calls x (1 - p_abandon)) and ``sl_calls`` (the calls the service
        level is a share of under `sl_definition`, its weight in a roll-up); ``asa_seconds``
        is then the mean wait of answered calls.
    columns : mapping, optional
        Role -> column name, e.g. ``{"calls": "offered", "interval": "start"}``.
    on_invalid : {"raise", "nan"}
        Raise on a bad row, naming the column, the row's index label and the value; or give
        that row NaN and warn with the count.

    Returns
    -------
    Same kind as `frame`
        The input's columns and index plus ``interval_seconds``, ``load`` (Erlangs),
        ``agents``, ``scheduled``, ``service_level``, ``asa_seconds``, ``occupancy``,
        ``agent_hours`` and ``scheduled_hours``.

    Raises
    ------
    ValueError
        A missing column, a bad value, duplicate (queue, interval) rows, no target, or
        Erlang A options without `patience_seconds`.

    Examples
    --------
    >>> import pandas as pd
    >>> day = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=3, freq="30min"),
    ...                     "calls": [80.0, 120.0, 0.0], "aht_seconds": 240.0})
    >>> p = plan(day, sl_target=0.8, threshold_seconds=20.0, shrinkage=0.3)
    >>> p[["agents", "scheduled", "agent_hours"]].values.tolist()
    [[14.0, 20.0, 7.0], [20.0, 29.0, 10.0], [0.0, 0.0, 0.0]]
    """
    inputs = _Inputs(frame, columns, interval_seconds)
    calls, aht = inputs.column("calls"), inputs.column("aht_seconds")
    # A zero-call interval may leave its AHT 0 or blank: no calls, no load, no staff.
    aht = np.where((calls == 0) & ((aht == 0) | np.isnan(aht)), 1.0, aht)
    targets = {
        "sl_target": inputs.option("sl_target", sl_target),
        "threshold_seconds": inputs.option("threshold_seconds", threshold_seconds),
        "max_occupancy": inputs.option("max_occupancy", max_occupancy),
        "shrinkage": inputs.option("shrinkage", shrinkage),
    }
    patience = inputs.option("patience_seconds", patience_seconds)
    abandon = inputs.option("abandon_target", abandon_target)
    if patience is None and (abandon is not None or sl_definition != "answered"):
        raise ValueError(
            "abandon_target and sl_definition need patience_seconds (Erlang A); without it plan sizes with Erlang C"
        )
    if patience is not None and inputs.option("asa_target_seconds", asa_target_seconds) is not None:
        given = "keyword" if asa_target_seconds is not None else "column"
        raise ValueError(
            f"asa_target_seconds (a {given}) sizes with Erlang C, but patience_seconds asks for Erlang A: "
            "drop one, or give sl_target or abandon_target"
        )
    try:
        if patience is None:
            asa_target = inputs.option("asa_target_seconds", asa_target_seconds)
            s = required_agents(
                calls, aht, inputs.interval_seconds, asa_target_seconds=asa_target, on_invalid=on_invalid, **targets
            )
            extra = {"asa_seconds": s.asa_seconds}
        else:
            s = required_agents_a(
                calls,
                aht,
                inputs.interval_seconds,
                patience,
                sl_definition=sl_definition,
                abandon_target=abandon,
                on_invalid=on_invalid,
                **targets,
            )
            answered = calls * (1.0 - s.p_abandon)
            extra = {
                "asa_seconds": s.asa_answered_seconds,
                "p_abandon": s.p_abandon,
                "answered_calls": answered,
                "sl_calls": _sl_calls(sl_definition, calls, answered, s, aht, patience, targets["threshold_seconds"]),
            }
    except InvalidInputError as err:
        raise inputs.engine_error(err) from err
    agents, scheduled = _counts(s.agents, calls.shape), _counts(s.scheduled, calls.shape)
    t.warn_invalid(int(np.isnan(agents).sum()), "plan")
    figures = {
        "load": s.load,
        "agents": agents,
        "scheduled": scheduled,
        "service_level": s.service_level,
        "occupancy": s.occupancy,
        **extra,
    }
    return inputs.result(figures, agents, scheduled)


def evaluate(
    frame: Any,
    *,
    threshold_seconds: float | str,
    interval_seconds: float | None = None,
    columns: Mapping[str, str] | None = None,
    on_invalid: str = "raise",
) -> Any:
    """What the staff each interval already has achieves (Erlang C): for a schedule, or a
    what-if on a plan.

    Parameters
    ----------
    frame : pandas.DataFrame, polars.DataFrame or pyarrow.Table
        As for :func:`plan`, with an ``agents`` column (agents on the phones).
    threshold_seconds : float or str
        Service-level threshold, seconds, or a column of them.
    interval_seconds, columns, on_invalid
        As for :func:`plan`.

    Returns
    -------
    Same kind as `frame`
        The input plus ``interval_seconds``, ``load``, ``service_level``, ``asa_seconds``,
        ``occupancy`` and ``agent_hours``; a plan's figures of other staff (``scheduled``,
        ``p_abandon``, ...: :data:`PLAN_FIGURES`) are dropped, not left stale. Intervals
        with agents <= load have service level 0 and infinite ASA.

    Examples
    --------
    >>> import pandas as pd
    >>> day = pd.DataFrame({"calls": [100.0, 100.0], "aht_seconds": 180.0, "agents": [14, 11]})
    >>> evaluate(day, threshold_seconds=20.0, interval_seconds=1800.0)["service_level"].round(3).tolist()
    [0.888, 0.39]
    """
    inputs = _Inputs(frame, columns, interval_seconds)
    t.require(inputs.data, [inputs.names["agents"]], "frame")
    calls, aht, agents = inputs.column("calls"), inputs.column("aht_seconds"), inputs.column("agents")
    threshold = inputs.option("threshold_seconds", threshold_seconds)
    inputs.column_of |= {"agents": inputs.names["agents"], "load": inputs.names["calls"]}
    load = calls * aht / inputs.interval_seconds
    try:
        figures = {
            "load": load,
            "service_level": service_level(agents, load, aht, threshold, on_invalid=on_invalid),
            "asa_seconds": asa(agents, load, aht, on_invalid=on_invalid),
            "occupancy": occupancy(agents, load, on_invalid=on_invalid),
        }
    except InvalidInputError as err:
        raise inputs.engine_error(err) from err
    t.warn_invalid(int(np.isnan(figures["service_level"]).sum()), "evaluation")
    return inputs.result(figures, agents, None)
