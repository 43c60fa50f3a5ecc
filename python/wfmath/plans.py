"""Interval plans on frames: size every interval, or evaluate the staff it already has.

Frames may be pandas or polars DataFrames or pyarrow Tables; results come back in the same
kind, the input is never changed and a pandas result keeps the input's index.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from wfmath import _tables as t
from wfmath._wfmath import (
    ErlangA,
    InvalidInputError,
    asa,
    erlang_a,
    occupancy,
    offered_load,
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
    "required_agents",
    "net_staffing",
)

#: The service-level definitions of Erlang A, as :func:`wfmath.erlang_a` reports them.
SL_DEFINITIONS = tuple(name[3:] for name in dir(ErlangA) if name.startswith("sl_"))


def interval_seconds_by_queue(
    data: pd.DataFrame, names: Mapping[str, str], *, option: str = "interval_seconds", strict: bool = True
) -> pd.Series:
    """Each queue's interval length, seconds: the most common step between its consecutive
    timestamps over its whole series, whatever the row order (the shortest among equally
    common ones), so gaps and stray rows do not decide it. Indexed by queue (one entry, None,
    without a queue column); a queue with a single timestamp is an error that suggests
    `option`, or NaN unless `strict`."""
    interval, queue = names["interval"], names["queue"]
    if interval not in data.columns:
        raise ValueError(f"give {option}, or a timestamp column {interval!r} to infer it from")
    times = data[interval]
    if not pd.api.types.is_datetime64_any_dtype(times):
        raise TypeError(f"column {interval!r} must hold timestamps, got dtype {times.dtype}")
    if isinstance(times.dtype, pd.DatetimeTZDtype):  # zoned: instants, so a fall-back hour steps as it did
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    stamps = times.to_numpy().astype("datetime64[ns]").view(np.int64)
    if queue in data.columns:
        codes, queues = pd.factorize(data[queue], use_na_sentinel=False)
    else:
        codes, queues = np.zeros(len(data), dtype=np.int64), pd.Index([None])
    present = ~times.isna().to_numpy()
    codes, stamps = codes[present], stamps[present]
    order = np.lexsort((stamps, codes))
    codes, stamps = codes[order], stamps[order]
    steps = np.diff(stamps)
    step_of = codes[1:][(codes[1:] == codes[:-1]) & (steps > 0)]
    steps = steps[(codes[1:] == codes[:-1]) & (steps > 0)]
    # Runs of equal (queue, step): the longest run of each queue, the shortest step on ties.
    order = np.lexsort((steps, step_of))
    step_of, steps = step_of[order], steps[order]
    starts = np.flatnonzero(np.r_[True, (step_of[1:] != step_of[:-1]) | (steps[1:] != steps[:-1])])
    counts = np.diff(np.r_[starts, len(steps)])
    run_queue, run_step = step_of[starts], steps[starts]
    best = np.lexsort((run_step, -counts, run_queue))
    first = best[np.r_[True, run_queue[best][1:] != run_queue[best][:-1]]] if len(best) else best
    seconds = np.full(len(queues), np.nan)
    seconds[run_queue[first]] = run_step[first] / 1e9
    if strict and np.isnan(seconds).any():
        lone = queues[int(np.argmax(np.isnan(seconds)))]
        whose = "the timestamps have" if queue not in data.columns else f"queue {t.shown(lone)} has"
        raise ValueError(f"{whose} a single timestamp: cannot infer the interval length; give {option}")
    return pd.Series(seconds, index=queues, name="interval_seconds")


def infer_interval_seconds(data: pd.DataFrame, names: Mapping[str, str]) -> float:
    """The one interval length of every queue (see :func:`interval_seconds_by_queue`); queues
    of different lengths are an error, for callers that size all rows with one length."""
    lengths = interval_seconds_by_queue(data, names)
    if lengths.nunique() > 1:
        shown = ", ".join(f"{t.shown(q)}: {s:g} s" for q, s in lengths.iloc[:4].items())
        more = ", ..." if len(lengths) > 4 else ""
        raise ValueError(f"the queues have different interval lengths ({shown}{more}): give interval_seconds")
    return float(lengths.iloc[0])



def per_part(
    func: Callable[..., Any],
    frame_columns: Sequence[str],
    distinct: Callable[[list[str]], pd.DataFrame],
    interval_seconds: float | None,
    columns: Mapping[str, str] | None,
) -> Callable[..., Any]:
    """`func` (:func:`plan` or :func:`evaluate`) as each part of a frame (a Dask partition, a
    Spark batch) must run it: a part may hold too little of a queue's series to infer its
    interval length, so each queue's is inferred over the whole frame, from `distinct(keys)`
    (the frame's distinct rows of those columns, as pandas), and handed to every part as a
    column. The length given, or the frame's own ``interval_seconds`` column, is used as is;
    `columns` names the key columns, and the caller passes it on to every part."""
    if interval_seconds is not None or "interval_seconds" in frame_columns:
        return functools.partial(func, interval_seconds=interval_seconds)
    names = t.resolve_columns(PLAN_COLUMNS, columns)
    queue = names["queue"]
    lengths = interval_seconds_by_queue(distinct([c for c in (queue, names["interval"]) if c in frame_columns]), names)

    def sized(part: pd.DataFrame, **options: Any) -> Any:
        seconds = part[queue].map(lengths).to_numpy(np.float64) if queue in part.columns else lengths.iloc[0]
        return func(part.assign(interval_seconds=seconds), **options)

    return sized

class _Inputs:
    """The frame's columns and options, resolved once, with errors mapped to column and row."""

    def __init__(self, frame: Any, columns: Mapping[str, str] | None, interval_seconds: float | None):
        self.source = t.as_frame(frame)
        self.data = self.source.data
        self.names = t.resolve_columns(PLAN_COLUMNS, columns)
        t.require(self.data, [self.names["calls"], self.names["aht_seconds"]], "frame")
        self.column_of = {"calls": self.names["calls"], "aht_seconds": self.names["aht_seconds"]}
        self.interval_seconds = self._interval_seconds(interval_seconds)
        if self.names["interval"] in self.data.columns:
            keys = [self.names[k] for k in ("queue", "interval") if self.names[k] in self.data.columns]
            t.reduce(self.data, [], {}, {}, unique=[t.key(self.data[k]) for k in keys])

    def _interval_seconds(self, given: float | None) -> float | np.ndarray:
        """The length given; else an ``interval_seconds`` column (one per row); else each
        queue's own length, inferred from its timestamps."""
        if given is not None:
            return float(given)
        if "interval_seconds" in self.data.columns:
            seconds = t.numeric(self.data, "interval_seconds")
            bad = ~(np.isfinite(seconds) & (seconds > 0))
            if bad.any():
                row = int(np.argmax(bad))
                raise ValueError(
                    f"column 'interval_seconds' must be finite and > 0, got {t.shown(seconds[row])} "
                    f"at row {t.shown(self.data.index[row])}"
                )
            return seconds
        lengths = interval_seconds_by_queue(self.data, self.names)
        queue = self.names["queue"]
        if queue not in self.data.columns:
            return float(lengths.iloc[0])
        return self.data[queue].map(lengths).to_numpy(dtype=np.float64)

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
    out[out == -1] = np.nan
    return out


def _sl_calls(
    definition: str,
    calls: np.ndarray,
    answered: np.ndarray,
    agents: Any,
    load: Any,
    aht: np.ndarray,
    patience: Any,
    threshold: Any,
) -> np.ndarray:
    """The calls an Erlang A service level is a share of, under `definition`: what a roll-up
    weights each interval's service level by (answered within t over these, summed)."""
    if definition == "answered":
        return answered
    if definition != "excl_short_abandons" or threshold is None:
        return calls
    queue = erlang_a(_counts(agents, calls.shape), load, aht, patience, threshold, on_invalid="nan")
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
        Interval length, seconds. When omitted: an ``interval_seconds`` column (one per
        row), else each queue's own length, the most common step between its timestamps.
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
        The input's columns and index plus ``interval_seconds`` (the length each row was
        sized with), ``load`` (Erlangs),
        ``agents``, ``scheduled``, ``service_level``, ``asa_seconds``, ``occupancy``,
        ``agent_hours`` and ``scheduled_hours``.

    Raises
    ------
    ValueError
        A missing column, a bad value, duplicate (queue, interval) rows, no target, a queue
        with a single timestamp and no `interval_seconds`, or Erlang A options without
        `patience_seconds`.

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
                "sl_calls": _sl_calls(
                    sl_definition, calls, answered, s.agents, s.load, aht, patience, targets["threshold_seconds"]
                ),
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
    patience_seconds: float | str | None = None,
    sl_definition: str = "answered",
    sl_target: float | str | None = None,
    asa_target_seconds: float | str | None = None,
    abandon_target: float | str | None = None,
    max_occupancy: float | str | None = None,
    columns: Mapping[str, str] | None = None,
    on_invalid: str = "raise",
) -> Any:
    """What the staff each interval already has achieves: for a schedule, or a what-if on a plan;
    with targets, also the staff each interval needs and the gap (net staffing).

    Parameters
    ----------
    frame : pandas.DataFrame, polars.DataFrame or pyarrow.Table
        As for :func:`plan`, with an ``agents`` column: agents on the phones (after
        shrinkage; fractional for an average over the interval).
    threshold_seconds : float or str
        Service-level threshold, seconds, or a column of them.
    interval_seconds, columns, on_invalid
        As for :func:`plan`.
    patience_seconds : float or str, optional
        Mean caller patience, seconds (or a column; a ``patience_seconds`` column is used when
        omitted): evaluates with Erlang A (:func:`wfmath.erlang_a`), as :func:`plan` sizes.
    sl_definition : {"answered", "offered", "excl_short_abandons", "short_abandons_ok", "virtual"}
        The service level reported under Erlang A (see :func:`wfmath.erlang_a`); needs
        `patience_seconds`.
    sl_target, asa_target_seconds, abandon_target, max_occupancy : float or str, optional
        Targets as for :func:`plan` (a number, a column, or the frame's column of that name):
        when given, the agents each interval needs are sized as :func:`plan` sizes them
        (with this threshold, patience and definition).

    Returns
    -------
    Same kind as `frame`
        The input plus ``interval_seconds``, ``load``, ``service_level``, ``asa_seconds``,
        ``occupancy`` and ``agent_hours``; under Erlang A also ``p_abandon``,
        ``answered_calls`` and ``sl_calls`` (as from :func:`plan`; ``asa_seconds`` is then the
        mean wait of answered calls). With targets, ``required_agents`` (agents on the phones
        the targets need) and ``net_staffing`` = agents - required_agents, both in agents on
        the phones like the ``agents`` column (positive: over target; to compare a schedule
        of paid heads, apply its shrinkage to it first). A plan's figures of other staff
        (``scheduled``, ...: :data:`PLAN_FIGURES`) are dropped, not left stale. Under Erlang C
        intervals with agents <= load have service level 0 and infinite ASA: their queue grows
        without bound; :func:`wfmath.rollup` counts them (``unstable_intervals``) and takes
        the ASA over the other intervals.

    Raises
    ------
    ValueError
        A missing column, a bad value (naming the column, the row and the value), or Erlang A
        options without `patience_seconds`.

    Examples
    --------
    >>> import pandas as pd
    >>> day = pd.DataFrame({"calls": [100.0, 100.0], "aht_seconds": 180.0, "agents": [14, 11]})
    >>> evaluate(day, threshold_seconds=20.0, interval_seconds=1800.0)["service_level"].round(3).tolist()
    [0.888, 0.39]
    >>> e = evaluate(day, threshold_seconds=20.0, interval_seconds=1800.0, sl_target=0.8)
    >>> e[["required_agents", "net_staffing"]].values.tolist()
    [[14.0, 0.0], [14.0, -3.0]]
    """
    inputs = _Inputs(frame, columns, interval_seconds)
    t.require(inputs.data, [inputs.names["agents"]], "frame")
    calls, aht, agents = inputs.column("calls"), inputs.column("aht_seconds"), inputs.column("agents")
    threshold = inputs.option("threshold_seconds", threshold_seconds)
    patience = inputs.option("patience_seconds", patience_seconds)
    if patience is None and (
        sl_definition != "answered" or inputs.option("abandon_target", abandon_target) is not None
    ):
        raise ValueError(
            "abandon_target and sl_definition need patience_seconds (Erlang A); without it evaluate uses Erlang C"
        )
    if sl_definition not in SL_DEFINITIONS:
        raise ValueError(f"sl_definition must be one of {', '.join(SL_DEFINITIONS)}, got {sl_definition!r:.50}")
    inputs.column_of["agents"] = inputs.names["agents"]
    try:
        # The engine's own check of calls and AHT, the one plan's sizing makes.
        load = offered_load(calls, aht, inputs.interval_seconds, on_invalid=on_invalid)
        if patience is None:
            figures = {
                "load": load,
                "service_level": service_level(agents, load, aht, threshold, on_invalid=on_invalid),
                "asa_seconds": asa(agents, load, aht, on_invalid=on_invalid),
                "occupancy": occupancy(agents, load, on_invalid=on_invalid),
            }
        else:
            # No calls, no staff: an idle queue whatever its staff, as plan reports it (Erlang A
            # itself needs an agent).
            idle = np.where((agents == 0) & (load == 0), 1.0, agents)
            queue = erlang_a(idle, load, aht, patience, threshold, on_invalid=on_invalid)
            answered = calls * (1.0 - queue.p_abandon)
            figures = {
                "load": load,
                "service_level": getattr(queue, f"sl_{sl_definition}"),
                "asa_seconds": queue.asa_answered_seconds,
                "occupancy": queue.occupancy,
                "p_abandon": queue.p_abandon,
                "answered_calls": answered,
                "sl_calls": _sl_calls(sl_definition, calls, answered, idle, load, aht, patience, threshold),
            }
    except InvalidInputError as err:
        raise inputs.engine_error(err) from err
    t.warn_invalid(int(np.isnan(figures["service_level"]).sum()), "evaluation")
    targets = {
        "sl_target": sl_target,
        "asa_target_seconds": asa_target_seconds,
        "abandon_target": abandon_target,
        "max_occupancy": max_occupancy,
    }
    if any(inputs.option(name, value) is not None for name, value in targets.items()):
        need = plan(
            inputs.data,
            interval_seconds=interval_seconds,
            threshold_seconds=threshold_seconds,
            patience_seconds=patience_seconds,
            sl_definition=sl_definition,
            columns=columns,
            on_invalid=on_invalid,
            **targets,
        )
        figures["required_agents"] = need["agents"].to_numpy()
        figures["net_staffing"] = agents - figures["required_agents"]
    return inputs.result(figures, agents, None)
