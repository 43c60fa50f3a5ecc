"""Roll-ups of interval plans by day, week, month and queue, and re-binning of intervals.

Every rolled-up figure is a ratio of sums over the group's intervals, summed in Rust: service
level and ASA weighted by the calls they are shares and means of (all calls under Erlang C;
under Erlang A the calls of the SL definition and the answered calls), intervals without
calls weighing nothing; occupancy = busy time / staffed time. Never an average of averages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from wfmath import _tables as t
from wfmath._wfmath import TIE_RTOL
from wfmath.plans import PLAN_COLUMNS, infer_interval_seconds


def _group_keys(
    data: pd.DataFrame,
    names: Mapping[str, str],
    by: str | Sequence[str] | None,
    freq: str | None,
    known: Sequence[t.Key] = (),
) -> list[t.Key]:
    """The keys of a roll-up: `by` (role names or columns) and the period of `freq`; `known`
    keys already built for some columns are reused."""
    built = {k.name: k for k in known}
    wanted = [by] if isinstance(by, str) else list(by or [])
    keys = []
    for key in wanted:
        column = names.get(key, key)
        if column not in data.columns:
            if key == "queue" and by == "queue":
                continue  # the default grouping, on a frame without queues
            raise ValueError(f"cannot group by {key!r}: the frame has no column {column!r}")
        keys.append(built[column] if column in built else t.key(data[column]))
    if freq is not None:
        t.require(data, [names["interval"]], "frame")
        times = data[names["interval"]]
        if not pd.api.types.is_datetime64_any_dtype(times):
            raise TypeError(f"column {times.name!r} must hold timestamps to group by {freq!r}, got {times.dtype}")
        keys.append(t.key(times, freq=freq, name="period"))
    return keys


def _met(data: pd.DataFrame, sl_target: Any, asa_target_seconds: Any) -> np.ndarray | None:
    """1 where an interval met its targets (ties count as met), 0 where not, NaN where unknown;
    or None without targets."""
    sl = t.option_column(data, "sl_target", sl_target)[0]
    asa_max = t.option_column(data, "asa_target_seconds", asa_target_seconds)[0]
    if sl is None and asa_max is None:
        return None
    met = np.ones(len(data))
    unknown = np.zeros(len(data), dtype=bool)
    if sl is not None:
        level = t.numeric(data, "service_level")
        met *= level >= np.asarray(sl) * (1 - TIE_RTOL)
        unknown |= np.isnan(level)
    if asa_max is not None:
        wait = t.numeric(data, "asa_seconds")
        met *= wait <= np.asarray(asa_max) * (1 + TIE_RTOL)
        unknown |= np.isnan(wait)
    met[unknown] = np.nan  # an interval that could not be sized neither met nor missed its target
    return met


#: Additive columns of roll-up parts, summed when parts of one group are combined.
PART_SUMS = (
    "calls",
    "handle_seconds",
    "sl_weighted",
    "sl_calls",
    "asa_weighted",
    "answered_calls",
    "busy_seconds",
    "agent_seconds",
    "with_calls",
    "unstable_intervals",
    "scheduled_seconds",
    "abandon_weighted",
    "met",
    "calls_met",
    "left_out",
    "rows",
)
#: Columns of roll-up parts combined by their maximum.
PART_PEAKS = ("peak_agents", "peak_scheduled")


def rollup_parts(
    plan: Any,
    *,
    freq: str | None = "D",
    by: str | Sequence[str] | None = "queue",
    sl_target: float | str | None = None,
    asa_target_seconds: float | str | None = None,
    columns: Mapping[str, str] | None = None,
) -> Any:
    """The additive first stage of :func:`rollup`: sums (and peaks) per group of a plan's part.

    Roll up a plan too big for one frame (chunks of a file, Dask or Spark partitions) by
    taking the parts of each piece, concatenating them, and passing them to
    :func:`finish_rollup`: the result equals :func:`rollup` of the whole plan, since
    every figure is a ratio of sums.

    Parameters
    ----------
    plan, freq, by, sl_target, asa_target_seconds, columns
        As for :func:`rollup`.

    Returns
    -------
    Same kind as `plan`
        One row per group (group keys as the pandas index; as columns for polars and
        pyarrow) with the sums ``calls``, ``handle_seconds`` (offered workload),
        ``sl_weighted`` and ``sl_calls`` (SL times its calls, and those calls),
        ``asa_weighted`` and ``answered_calls``, ``busy_seconds`` (occupancy times staffed
        time), ``agent_seconds``, ``with_calls``, ``unstable_intervals``, ``rows``, ``left_out``,
        optional ``scheduled_seconds``,
        ``abandon_weighted``, ``met`` and ``calls_met``, and the maxima ``peak_agents`` (and ``peak_scheduled``).

    Examples
    --------
    >>> import pandas as pd
    >>> from wfmath import plan
    >>> day = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=4, freq="30min"),
    ...                     "calls": [80.0, 120.0, 60.0, 0.0], "aht_seconds": 240.0})
    >>> p = plan(day, sl_target=0.8, threshold_seconds=20.0)
    >>> parts = pd.concat([rollup_parts(p.iloc[:3]), rollup_parts(p.iloc[3:])])
    >>> finish_rollup(parts).equals(rollup(p))
    True
    """
    source = t.as_frame(plan, "plan")
    data = source.data
    names = t.resolve_columns(PLAN_COLUMNS, columns)
    needed = [names["calls"], names["aht_seconds"], names["agents"], "service_level", "asa_seconds"]
    t.require(data, [*needed, "interval_seconds"], "plan")
    calls_name, aht_name, agents_name = names["calls"], names["aht_seconds"], names["agents"]
    columns = {name: t.numeric(data, name) for name in (*needed, "interval_seconds")}
    calls, aht = columns[calls_name], columns[aht_name]
    # A zero-call interval needs no AHT (0 or blank): it has no handle time.
    columns[aht_name] = np.where(calls == 0, 0.0, aht)
    # Each figure is weighted by the calls it is a share or a mean of (intervals without
    # calls weigh nothing): Erlang A plans say which (answered calls, the calls of their SL
    # definition); else all calls.
    for weight in ("sl_calls", "answered_calls"):
        columns[weight] = t.numeric(data, weight) if weight in data.columns else columns[calls_name]
    # An Erlang C queue with agents <= load grows without bound (infinite ASA): the ASA is taken
    # over the other intervals and the unstable ones are counted, so one cannot hide the rest.
    unstable = np.isinf(columns["asa_seconds"])
    columns["unstable"] = unstable.astype(np.float64)
    columns["answered_calls"] = np.where(unstable, 0.0, columns["answered_calls"])
    columns["asa_seconds"] = np.where(unstable, 0.0, columns["asa_seconds"])
    # Busy time is what agents carried (occupancy x staffed time): abandoned calls and
    # overload beyond the agents do not count as handled.
    agent_seconds = columns[agents_name] * columns["interval_seconds"]
    if "occupancy" in data.columns:
        columns["busy_seconds"] = t.numeric(data, "occupancy") * agent_seconds
    else:
        columns["busy_seconds"] = np.minimum(columns[calls_name] * columns[aht_name], agent_seconds)
    sums: dict[str, str | tuple[str, ...]] = {
        "calls": calls_name,
        "handle_seconds": ("product", calls_name, aht_name),
        "sl_weighted": ("product", "sl_calls", "service_level"),
        "sl_calls": "sl_calls",
        "asa_weighted": ("product", "answered_calls", "asa_seconds"),
        "answered_calls": "answered_calls",
        "busy_seconds": "busy_seconds",
        "agent_seconds": ("product", agents_name, "interval_seconds"),
        "with_calls": ("positive", calls_name),
        "unstable_intervals": "unstable",
    }
    peaks = {"peak_agents": agents_name}
    if "scheduled" in data.columns:
        columns["scheduled"] = t.numeric(data, "scheduled")
        sums["scheduled_seconds"] = ("product", "scheduled", "interval_seconds")
        peaks["peak_scheduled"] = "scheduled"
    if "p_abandon" in data.columns:
        columns["p_abandon"] = t.numeric(data, "p_abandon")
        sums["abandon_weighted"] = ("product", calls_name, "p_abandon")
    met = _met(data, sl_target, asa_target_seconds)
    if met is not None:
        busy = calls > 0
        columns["met"] = np.where(busy, met, 0.0)  # intervals without calls have no target
        columns["met_calls"] = np.where(busy, met * calls, 0.0)
        sums["met"] = "met"
        sums["calls_met"] = "met_calls"
    # A row the plan could not size (on_invalid="nan": NaN figures) or could not have sized
    # (negative calls, calls without an AHT) is left out of every figure of its group and
    # counted: one bad interval must not blank its day.
    valid = np.isfinite(calls) & (calls >= 0) & ((calls == 0) | (np.isfinite(aht) & (aht > 0)))
    for values in columns.values():
        valid &= ~np.isnan(values)
    columns = {name: np.where(valid, values, 0.0) for name, values in columns.items()}
    maxima = {}
    for name, column in peaks.items():
        columns[name] = np.where(valid, columns[column], np.nan)  # the peak of the rows counted
        maxima[name] = name
    columns["left_out"] = (~valid).astype(np.float64)
    sums["left_out"] = "left_out"
    parts, _ = t.reduce(data, _group_keys(data, names, by, freq), columns, sums, maxima)
    return source.give_back(parts)


def finish_rollup(parts: Any, *, paid_hours_per_fte: float | None = None) -> Any:
    """The second stage of :func:`rollup`: combine parts of the same group, then form the ratios.

    Parameters
    ----------
    parts : pandas.DataFrame, polars.DataFrame or pyarrow.Table
        Rows from :func:`rollup_parts`, concatenated; several rows of one group are combined
        (sums added, peaks maximised). Group keys are the pandas index or, failing that, the
        columns that are not sums or peaks.
    paid_hours_per_fte : float, optional
        As for :func:`rollup`.

    Returns
    -------
    Same kind as `parts`
        The figures of :func:`rollup`, one row per group.

    Examples
    --------
    >>> import pandas as pd
    >>> from wfmath import plan
    >>> p = plan(pd.DataFrame({"calls": [100.0, 50.0], "aht_seconds": 180.0}), interval_seconds=1800.0,
    ...          sl_target=0.8, threshold_seconds=20.0)
    >>> finish_rollup(pd.concat([rollup_parts(p.iloc[:1], freq=None), rollup_parts(p.iloc[1:], freq=None)]))["calls"]
    0    150.0
    Name: calls, dtype: float64
    """
    source = t.as_frame(parts, "parts")
    present = [c for c in source.data.columns if c in PART_SUMS + PART_PEAKS]
    missing = [
        c
        for c in ("calls", "handle_seconds", "sl_weighted", "asa_weighted", "agent_seconds", "left_out")
        if c not in present
    ]
    if missing:
        raise ValueError(f"parts lack column(s) {', '.join(map(repr, missing))}: pass what rollup_parts returns")
    g = t.combine(source.data, [c for c in present if c in PART_SUMS], [c for c in present if c in PART_PEAKS])
    # The kernel's maximum of a group whose rows are all invalid (NaN) is -inf: no peak known.
    peaks = [c for c in PART_PEAKS if c in g]
    g[peaks] = g[peaks].replace(-np.inf, np.nan)
    out = pd.DataFrame(index=g.index)
    out["calls"] = g["calls"]
    out["aht_seconds"] = t.ratio(g["handle_seconds"], g["calls"])
    out["workload_hours"] = g["handle_seconds"] / 3600.0
    out["service_level"] = t.ratio(g["sl_weighted"], g["sl_calls"])
    out["asa_seconds"] = t.ratio(g["asa_weighted"], g["answered_calls"])
    if "abandon_weighted" in g:
        out["p_abandon"] = t.ratio(g["abandon_weighted"], g["calls"])
    out["occupancy"] = t.ratio(g["busy_seconds"], g["agent_seconds"])
    out["agent_hours"] = g["agent_seconds"] / 3600.0
    out["peak_agents"] = g["peak_agents"]
    if "scheduled_seconds" in g:
        out["scheduled_hours"] = g["scheduled_seconds"] / 3600.0
        out["peak_scheduled"] = g["peak_scheduled"]
    if paid_hours_per_fte is not None:
        if not paid_hours_per_fte > 0:
            raise ValueError(f"paid_hours_per_fte must be > 0, got {paid_hours_per_fte!r}")
        out["fte"] = out["agent_hours"] / paid_hours_per_fte
        if "scheduled_hours" in out:
            out["scheduled_fte"] = out["scheduled_hours"] / paid_hours_per_fte
    out["intervals"] = g["rows"].astype(np.int64)
    out["intervals_with_calls"] = g["with_calls"].astype(np.int64)
    out["unstable_intervals"] = g["unstable_intervals"].astype(np.int64)
    out["intervals_left_out"] = g["left_out"].astype(np.int64)
    if "met" in g:
        out["share_intervals_met"] = t.ratio(g["met"], g["with_calls"])
        out["share_calls_met"] = t.ratio(g["calls_met"], g["calls"])
    return source.give_back(out)


def rollup(
    plan: Any,
    *,
    freq: str | None = "D",
    by: str | Sequence[str] | None = "queue",
    sl_target: float | str | None = None,
    asa_target_seconds: float | str | None = None,
    paid_hours_per_fte: float | None = None,
    columns: Mapping[str, str] | None = None,
) -> Any:
    """Roll a plan (from :func:`wfmath.plan` or :func:`wfmath.evaluate`) up by period and group.

    Parameters
    ----------
    plan : pandas.DataFrame, polars.DataFrame or pyarrow.Table
        Per-interval rows with calls, ``aht_seconds``, ``agents``, ``service_level``,
        ``asa_seconds`` and ``interval_seconds`` (and ``scheduled``, ``p_abandon`` if there).
    freq : str or None
        Period: "D" (days), "W" (weeks from Monday), "M" (months), any fixed pandas frequency
        ("h", "30min"), or None for the whole span.
    by : str, sequence of str, or None
        Groups beside the period: roles ("queue") or column names. The default groups by
        queue when the plan has a queue column.
    sl_target, asa_target_seconds : float or str, optional
        Targets that decide which intervals met them (a number or a column; by default the
        plan's own ``sl_target``/``asa_target_seconds`` columns if present).
    paid_hours_per_fte : float, optional
        Paid hours of one full-time agent in the period (e.g. 8 for days, 40 for weeks):
        adds ``fte`` = agent_hours / paid_hours_per_fte (and ``scheduled_fte``).
    columns : mapping, optional
        Role -> column name, as for :func:`wfmath.plan`.

    Returns
    -------
    Same kind as `plan`
        One row per group, indexed by the group keys (pandas): ``calls``, ``aht_seconds``
        (calls-weighted), ``workload_hours`` (offered), ``service_level`` and
        ``asa_seconds`` (weighted by their calls, see the module; NaN for a group without
        calls; over the intervals whose ASA is finite), ``occupancy`` (busy / staffed time:
        the workload carried, so never above 1), ``agent_hours``, ``peak_agents``,
        ``intervals``, ``intervals_with_calls``, ``unstable_intervals`` (Erlang C intervals
        with agents <= load: infinite ASA, left out of ``asa_seconds``), ``intervals_left_out``
        and, with targets, ``share_intervals_met`` and ``share_calls_met`` (over intervals with
        calls). An interval with calls but no staff or figures (a row the plan gave NaN), or
        with negative calls, is left out of every figure of its group and counted in
        ``intervals_left_out`` (it stays in ``intervals``); a zero-call interval needs no AHT.

    Examples
    --------
    >>> import pandas as pd
    >>> from wfmath import plan
    >>> day = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=4, freq="30min"),
    ...                     "calls": [80.0, 120.0, 60.0, 0.0], "aht_seconds": 240.0})
    >>> r = rollup(plan(day, sl_target=0.8, threshold_seconds=20.0), paid_hours_per_fte=8.0)
    >>> r[["calls", "agent_hours", "peak_agents", "fte"]].round(3).values.tolist()
    [[260.0, 22.5, 20.0, 2.812]]
    """
    source = t.as_frame(plan, "plan")
    parts = rollup_parts(
        source.data,
        freq=freq,
        by=by,
        sl_target=sl_target,
        asa_target_seconds=asa_target_seconds,
        columns=columns,
    )
    return source.give_back(finish_rollup(parts, paid_hours_per_fte=paid_hours_per_fte))


def rebin(frame: Any, minutes: int, *, columns: Mapping[str, str] | None = None) -> Any:
    """Merge intervals into coarser ones: 15 -> 30 -> 60 minutes (any multiple).

    Calls are summed, AHT is weighted by handle time (by calls; the plain mean of the AHTs
    given where there are no calls: a zero-call interval may leave it blank), staff columns
    (``agents``, ``scheduled``) are averaged over time, a missing sub-interval counting as no
    calls and no staff. Zoned timestamps keep their zone; the new intervals follow the local
    clock and the two 02:00 hours of an autumn night stay two.

    Parameters
    ----------
    frame : pandas.DataFrame, polars.DataFrame or pyarrow.Table
        Intervals with start timestamps, calls and ``aht_seconds`` (optional queue and staff).
    minutes : int
        The new interval length, a multiple of the current one.
    columns : mapping, optional
        Role -> column name, as for :func:`wfmath.plan`.

    Returns
    -------
    Same kind as `frame`
        One row per (queue,) new interval, in order, with ``sub_intervals`` (how many input
        intervals it holds).

    Raises
    ------
    ValueError
        A finer or non-multiple target length, a timestamp off the input's grid, duplicate
        (queue, interval) rows, negative or missing calls, or a negative or (with calls)
        missing AHT; naming the column, the row and the value.

    Examples
    --------
    >>> import pandas as pd
    >>> q = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=4, freq="15min"),
    ...                   "calls": [10.0, 30.0, 0.0, 20.0], "aht_seconds": [200.0, 300.0, 250.0, 240.0]})
    >>> rebin(q, 30)[["calls", "aht_seconds"]].values.tolist()
    [[40.0, 275.0], [20.0, 240.0]]
    """
    source = t.as_frame(frame)
    data = source.data
    names = t.resolve_columns(PLAN_COLUMNS, columns)
    interval, calls_name, aht_name = names["interval"], names["calls"], names["aht_seconds"]
    t.require(data, [interval, calls_name, aht_name], "frame")
    step = infer_interval_seconds(data, names)
    target = float(minutes) * 60.0
    if target < step or target % step:
        raise ValueError(
            f"minutes={minutes!r} is not a multiple of the input's {step / 60:g}-minute intervals: "
            "re-binning only merges intervals"
        )
    times = data[interval]
    local = times.dt.tz_localize(None) if isinstance(times.dtype, pd.DatetimeTZDtype) else times
    offset = (local - local.dt.floor("D")).dt.total_seconds().to_numpy()  # the grid of the local clock
    off_grid = offset % step != 0
    if off_grid.any():
        row = int(np.argmax(off_grid))
        raise ValueError(
            f"column {interval!r} is not aligned to the {step / 60:g}-minute grid: "
            f"{times.iloc[row]!r} at row {t.shown(data.index[row])}"
        )
    calls, aht = t.numeric(data, calls_name), t.numeric(data, aht_name)
    known = ~np.isnan(aht)
    staff = [c for c in (names["agents"], "scheduled") if c in data.columns]
    columns = {
        calls_name: calls,
        aht_name: np.where(known | (calls != 0), aht, 0.0),  # no calls, no AHT: nothing to weigh
        "known_aht": known.astype(np.float64),
        **{c: t.numeric(data, c) for c in staff},
    }
    sums = {
        "calls": calls_name,
        "handle": ("product", calls_name, aht_name),
        "aht": aht_name,
        "known_aht": "known_aht",
        **{c: c for c in staff},
    }
    keys = [t.key(data[names["queue"]])] if names["queue"] in data.columns else []
    g, _ = t.reduce(
        data,
        [*keys, t.key(times, freq=f"{minutes}min")],
        columns,
        sums,
        rules=[("count", calls_name), ("count", aht_name)],
        unique=[*keys, t.key(times)],
    )
    out = g.index.to_frame(index=False)
    out[calls_name] = g["calls"].to_numpy()
    mean_aht = t.ratio(g["aht"], g["known_aht"])
    out[aht_name] = np.where(g["calls"] > 0, t.ratio(g["handle"], g["calls"]), mean_aht)
    for c in staff:
        out[c] = g[c].to_numpy() * step / target
    out["sub_intervals"] = g["rows"].to_numpy()
    return source.give_back(out)
