"""ACD actuals: service level under each definition, ASA, AHT, abandonment and occupancy over
any grouping, all as ratios of sums; and plan versus actual.

The counts of one interval, as ACDs report them: every call that entered the queue is
``offered``, and left it answered, abandoned, or flowed out (transferred, overflowed or
interflowed to another queue, or routed out to voicemail or a callback, before an agent
answered); so offered = answered + abandoned + flowed_out, plus any calls still waiting when
the interval ended. ``answered_within`` and ``abandoned_within`` count the calls answered and
abandoned within the service-level threshold t. ``short_abandoned`` counts the abandons within
the ACD's short-abandon cut-off (a setting of its own, often 5-10 s, whatever t is): callers
who hung up before anyone could have answered, counted in offered and abandoned like any
abandon, and left out of both by the figures that exclude short abandons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from wfmath import _tables as t
from wfmath.rollups import _group_keys

#: Default column names of an ACD interval report, by role.
ACTUAL_COLUMNS: dict[str, str] = {
    "interval": "interval_start",
    "queue": "queue",
    "offered": "offered",
    "answered": "answered",
    "answered_within": "answered_within",
    "abandoned": "abandoned",
    "abandoned_within": "abandoned_within",
    "short_abandoned": "short_abandoned",
    "flowed_out": "flowed_out",
    "handle_seconds": "handle_seconds",
    "wait_seconds": "wait_seconds",
    "staffed_seconds": "staffed_seconds",
}

REQUIRED = ("offered", "answered", "answered_within", "abandoned")
OPTIONAL = (
    "abandoned_within",
    "short_abandoned",
    "flowed_out",
    "handle_seconds",
    "wait_seconds",
    "staffed_seconds",
)


def figures(s: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Every figure the sums `s` allow, each a ratio of sums (NaN over a zero denominator)."""
    out = {
        "sl_answered": t.ratio(s["answered_within"], s["answered"]),
        "sl_offered": t.ratio(s["answered_within"], s["offered"]),
    }
    if "abandoned_within" in s:
        within = s["abandoned_within"]
        out["sl_excl_short_abandons"] = t.ratio(s["answered_within"], s["offered"] - within)
        out["sl_short_abandons_ok"] = t.ratio(s["answered_within"] + within, s["offered"])
    if "short_abandoned" in s:
        out["sl_offered_excl_short"] = t.ratio(s["answered_within"], s["offered"] - s["short_abandoned"])
    if "flowed_out" in s:
        out["sl_excl_flow_outs"] = t.ratio(s["answered_within"], s["offered"] - s["flowed_out"])
    out["abandon_rate"] = t.ratio(s["abandoned"], s["offered"])
    # Short abandons by the ACD's own cut-off; without one, the threshold serves as the cut-off.
    short = s.get("short_abandoned", s.get("abandoned_within"))
    if short is not None:
        out["abandon_rate_excl_short"] = t.ratio(s["abandoned"] - short, s["offered"] - short)
    if "flowed_out" in s:
        out["flow_out_rate"] = t.ratio(s["flowed_out"], s["offered"])
    if "wait_seconds" in s:
        out["asa_seconds"] = t.ratio(s["wait_seconds"], s["answered"])
    if "handle_seconds" in s:
        out["aht_seconds"] = t.ratio(s["handle_seconds"], s["answered"])
        if "staffed_seconds" in s:
            out["occupancy"] = t.ratio(s["handle_seconds"], s["staffed_seconds"])
    return out


def _left(names: Mapping[str, str]) -> str:
    """The name of the derived column of calls that left the queue answered or abandoned."""
    return f"({names['answered']} + {names['abandoned']})"


def _rules(names: Mapping[str, str], roles: Sequence[str]) -> list[tuple[str, ...]]:
    """What every row of a report must satisfy, over its columns (and the derived one of
    :func:`_report`)."""
    rules: list[tuple[str, ...]] = [("count", names[r]) for r in roles]
    parts = (
        ("answered", "offered"),
        ("answered_within", "answered"),
        ("abandoned_within", "abandoned"),
        ("short_abandoned", "abandoned"),
    )
    for part, whole in parts:
        if part in roles:
            rules.append(("at_most", names[part], names[whole]))
    rules.append(("sum_at_most", names["answered"], names["abandoned"], names["offered"]))
    if "flowed_out" in roles:
        rules.append(("sum_at_most", _left(names), names["flowed_out"], names["offered"]))
    return rules


def _report(data: pd.DataFrame, names: Mapping[str, str]) -> tuple[list[str], dict[str, np.ndarray], list[t.Key]]:
    """The roles present, their columns as floats (and answered + abandoned, for the check
    of flow-outs), and the keys that must not repeat."""
    t.require(data, [names[r] for r in REQUIRED], "ACD report")
    roles = [r for r in REQUIRED + OPTIONAL if names[r] in data.columns]
    columns = {names[r]: t.numeric(data, names[r]) for r in roles}
    if "flowed_out" in roles:
        columns[_left(names)] = columns[names["answered"]] + columns[names["abandoned"]]
    unique = [t.key(data[names[k]]) for k in ("queue", "interval") if names[k] in data.columns]
    return roles, columns, unique if names["interval"] in data.columns else []


def actuals(
    report: Any,
    *,
    freq: str | None = "D",
    by: str | Sequence[str] | None = "queue",
    columns: Mapping[str, str] | None = None,
    on_invalid: str = "raise",
) -> Any:
    """Figures of ACD interval counts, rolled up by period and group as ratios of sums.

    Parameters
    ----------
    report : pandas.DataFrame, polars.DataFrame or pyarrow.Table
        One row per interval (and queue) with counts (see the module for what each counts):
        ``offered``, ``answered``, ``answered_within`` and ``abandoned`` (required);
        ``abandoned_within``, ``short_abandoned``, ``flowed_out``, ``handle_seconds`` (total
        handle time), ``wait_seconds`` (total wait of answered calls) and ``staffed_seconds``
        (signed-in time) when available. Rename with `columns`.
    freq, by
        As for :func:`wfmath.rollup`; ``freq=None, by=None`` keeps one row per interval.
    columns : mapping, optional
        Role -> column name, e.g. ``{"answered_within": "ans_20s"}``.
    on_invalid : {"raise", "nan"}
        Raise on a bad row (negative or NaN count, answered > offered, answered within the
        threshold > answered, abandoned within or short abandoned > abandoned, answered +
        abandoned + flowed out > offered), naming the column, the row's index label and the
        value; or leave that row out (NaN) and warn with the count.

    Returns
    -------
    Same kind as `report`
        Sums of the counts, and every figure the columns allow, each a ratio of sums (NaN
        when its denominator is 0): ``sl_answered`` (answered within t / answered),
        ``sl_offered`` (/ offered: abandons and flow-outs count against),
        ``sl_excl_short_abandons`` (/ (offered - abandoned within t)),
        ``sl_short_abandons_ok`` ((answered + abandoned within t) / offered),
        ``sl_offered_excl_short`` (/ (offered - short_abandoned): short abandons are not
        offered, longer ones count against), ``sl_excl_flow_outs`` (/ (offered - flowed_out):
        a call sent on to another queue counts neither way), ``abandon_rate`` (abandoned /
        offered), ``abandon_rate_excl_short`` ((abandoned - short) / (offered - short), short
        being ``short_abandoned`` or, without it, ``abandoned_within``: the threshold as
        cut-off), ``flow_out_rate`` (flowed_out / offered), ``asa_seconds``, ``aht_seconds``,
        ``occupancy`` (handle / staffed time). Other vendor variants are ratios of the
        returned sums, e.g. answered within t / (answered + abandoned - short_abandoned),
        which leaves out both flow-outs and short abandons.

    Examples
    --------
    >>> import pandas as pd
    >>> acd = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=2, freq="30min"),
    ...                     "offered": [100, 50], "answered": [90, 50], "answered_within": [60, 50],
    ...                     "abandoned": [10, 0], "abandoned_within": [4, 0]})
    >>> actuals(acd)[["sl_answered", "sl_offered", "sl_excl_short_abandons"]].round(4).values.tolist()
    [[0.7857, 0.7333, 0.7534]]
    """
    source = t.as_frame(report, "report")
    data = source.data
    names = t.resolve_columns(ACTUAL_COLUMNS, columns)
    roles, values, unique = _report(data, names)
    per_row = freq is None and not by
    group = [] if per_row else _group_keys(data, names, by, freq, known=unique)
    rules = _rules(names, roles)
    sums = {names[r]: names[r] for r in roles}
    g, invalid = t.reduce(data, group, values, sums, rules=rules, unique=unique, on_invalid=on_invalid)
    t.warn_invalid(len(invalid), "actuals")
    if per_row:
        g = pd.DataFrame({name: values[name] for name in sums}, index=data.index)
        g.iloc[invalid] = np.nan
    return source.give_back(_with_figures(g, names, roles))


def _with_figures(sums: pd.DataFrame, names: Mapping[str, str], roles: Sequence[str]) -> pd.DataFrame:
    out = sums[[names[r] for r in roles]].copy()
    for name, column in figures({role: sums[names[role]].to_numpy() for role in roles}).items():
        out[name] = column
    return out


def finish_actuals(parts: Any, *, columns: Mapping[str, str] | None = None) -> Any:
    """Combine rolled-up :func:`actuals` of pieces of one report (chunks of a file, Dask or
    Spark partitions): the counts of each group are added and every figure is formed anew
    from the sums, so the result equals :func:`actuals` of the whole report.

    Parameters
    ----------
    parts : pandas.DataFrame, polars.DataFrame or pyarrow.Table
        Results of :func:`actuals` (with a grouping), concatenated. Group keys are the pandas
        index or, failing that, the columns that are neither counts nor figures.
    columns : mapping, optional
        Role -> column name, as given to :func:`actuals`.

    Returns
    -------
    Same kind as `parts`
        As :func:`actuals`, one row per group.

    Examples
    --------
    >>> import pandas as pd
    >>> acd = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=2, freq="30min"),
    ...                     "offered": [100, 50], "answered": [90, 50], "answered_within": [60, 50],
    ...                     "abandoned": [10, 0]})
    >>> parts = pd.concat([actuals(acd.iloc[:1]), actuals(acd.iloc[1:])])
    >>> finish_actuals(parts)[["offered", "sl_answered"]].round(4).values.tolist()
    [[150.0, 0.7857]]
    """
    source = t.as_frame(parts, "parts")
    data = source.data
    names = t.resolve_columns(ACTUAL_COLUMNS, columns)
    t.require(data, [names[r] for r in REQUIRED], "parts")
    roles = [r for r in REQUIRED + OPTIONAL if names[r] in data.columns]
    derived = list(figures({r: np.zeros(0) for r in REQUIRED + OPTIONAL}))
    counts = t.combine(data.drop(columns=[c for c in derived if c in data.columns]), [names[r] for r in roles])
    return source.give_back(_with_figures(counts, names, roles))


def plan_vs_actual(
    plan: Any,
    report: Any,
    *,
    freq: str | None = None,
    by: str | Sequence[str] | None = "queue",
    columns: Mapping[str, str] | None = None,
) -> Any:
    """Actual calls, AHT and staff against the plan, per interval or rolled up.

    Parameters
    ----------
    plan : pandas.DataFrame, polars.DataFrame or pyarrow.Table
        A plan from :func:`wfmath.plan` (calls, ``aht_seconds``, ``agents``, ``interval_seconds``).
    report : pandas.DataFrame, polars.DataFrame or pyarrow.Table
        The ACD report of the same intervals, as for :func:`actuals`, with ``handle_seconds``
        and ``staffed_seconds``.
    freq, by
        ``freq=None`` (the default) keeps one row per (queue, interval); else the figures are
        rolled up by period and `by` as for :func:`wfmath.rollup`.
    columns : mapping, optional
        Role -> column name for both frames (plan and ACD roles).

    Returns
    -------
    Same kind as `plan`
        ``calls_plan``, ``calls_actual`` (offered), ``aht_plan``, ``aht_actual`` (handle /
        answered), ``agent_hours_plan``, ``agent_hours_actual`` (staffed), each pair with
        ``*_variance`` (actual - plan) and ``*_ratio`` (actual / plan). Rolled-up AHTs are
        ratios of sums. Intervals in only one frame count with zeros for the other.

    Examples
    --------
    >>> import pandas as pd
    >>> from wfmath import plan as make_plan
    >>> starts = pd.date_range("2026-03-02 08:00", periods=2, freq="30min")
    >>> p = make_plan(pd.DataFrame({"interval_start": starts, "calls": [100.0, 80.0], "aht_seconds": 180.0}),
    ...               sl_target=0.8, threshold_seconds=20.0)
    >>> acd = pd.DataFrame({"interval_start": starts, "offered": [120, 70], "answered": [110, 70],
    ...                     "answered_within": [80, 60], "abandoned": [10, 0],
    ...                     "handle_seconds": [110 * 200.0, 70 * 170.0], "staffed_seconds": [14 * 1800.0, 11 * 1800.0]})
    >>> day = plan_vs_actual(p, acd, freq="D")
    >>> day[["calls_variance", "aht_actual", "agent_hours_variance"]].round(2).values.tolist()
    [[10.0, 188.33, 0.0]]
    """
    planned = t.as_frame(plan, "plan")
    actual = t.as_frame(report, "report").data
    names = t.resolve_columns(
        {**ACTUAL_COLUMNS, "calls": "calls", "aht_seconds": "aht_seconds", "agents": "agents"}, columns
    )
    p = planned.data
    t.require(p, [names["interval"], names["calls"], names["aht_seconds"], names["agents"], "interval_seconds"], "plan")
    t.require(
        actual, [names[r] for r in ("interval", "offered", "answered", "handle_seconds", "staffed_seconds")], "report"
    )
    keys = [c for c in (names["queue"], names["interval"]) if c in p.columns]
    t.check_unique(p, keys)
    roles, columns, unique = _report(actual, names)
    t.reduce(actual, [], columns, {}, rules=_rules(names, roles), unique=unique)
    v = {role: columns[names[role]] for role in roles}
    left = pd.DataFrame({k: p[k] for k in keys})
    left["calls_plan"] = t.numeric(p, names["calls"])
    left["handle_plan"] = left["calls_plan"] * t.numeric(p, names["aht_seconds"])
    left["agent_seconds_plan"] = t.numeric(p, names["agents"]) * t.numeric(p, "interval_seconds")
    right = pd.DataFrame({k: actual[k] for k in keys})
    right["calls_actual"] = v["offered"]
    right["answered_actual"] = v["answered"]
    right["handle_actual"] = v["handle_seconds"]
    right["agent_seconds_actual"] = v["staffed_seconds"]
    both = left.merge(right, on=keys, how="outer", sort=True).fillna(
        {
            c: 0.0
            for c in (
                "calls_plan",
                "handle_plan",
                "agent_seconds_plan",
                "calls_actual",
                "answered_actual",
                "handle_actual",
                "agent_seconds_actual",
            )
        }
    )
    values = [c for c in both.columns if c not in keys]
    if freq is None:
        sums = both.set_index(keys)
    else:
        group = _group_keys(both, names, by, freq)
        columns = {c: both[c].to_numpy() for c in values}
        sums = t.reduce(both, group, columns, {c: c for c in values})[0].drop(columns="rows")
    out = pd.DataFrame(index=sums.index)
    pairs = {
        "calls": (sums["calls_plan"], sums["calls_actual"]),
        "aht": (
            t.ratio(sums["handle_plan"], sums["calls_plan"]),
            t.ratio(sums["handle_actual"], sums["answered_actual"]),
        ),
        "agent_hours": (sums["agent_seconds_plan"] / 3600.0, sums["agent_seconds_actual"] / 3600.0),
    }
    for name, (planned_values, actual_values) in pairs.items():
        out[f"{name}_plan"] = np.asarray(planned_values)
        out[f"{name}_actual"] = np.asarray(actual_values)
        out[f"{name}_variance"] = out[f"{name}_actual"] - out[f"{name}_plan"]
        out[f"{name}_ratio"] = t.ratio(out[f"{name}_actual"], out[f"{name}_plan"])
    return planned.give_back(out)
