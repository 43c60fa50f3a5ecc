"""Plots of staffing and plans with matplotlib (``pip install "wfmath[plot]"``).

Import it on its own: ``from wfmath import plots``. Figures are built from
:class:`matplotlib.figure.Figure`, never pyplot: they need no GUI backend, share no global
state (threads, a web server's say, can each draw their own) and are freed with the last
reference. Save them with ``fig.savefig(path)``; a notebook shows them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

try:
    import matplotlib.dates as mdates
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import FormatStrFormatter, MaxNLocator
except ImportError as err:
    raise ImportError('wfmath.plots needs matplotlib: pip install "wfmath[plot]"') from err

from wfmath import _tables as t
from wfmath._wfmath import asa, offered_load, required_agents, service_level
from wfmath.plans import PLAN_COLUMNS, infer_interval_seconds

__all__ = ["CHART_COLUMNS", "interval_chart", "staffing_curve"]

#: Default column names of :func:`interval_chart`, by role: those of :func:`wfmath.plan`
#: (so the same `columns` mapping serves both) and the plan's own outputs.
CHART_COLUMNS: dict[str, str] = {**PLAN_COLUMNS, "scheduled": "scheduled", "service_level": "service_level"}

# The service level the default range of staffing_curve reaches: past it the curve is flat.
_CURVE_TOP_SL = 0.999

_SL_COLOUR, _ASA_COLOUR, _TARGET_COLOUR = "#1f77b4", "#d62728", "#555555"
_CALLS_COLOUR, _REQUIRED_COLOUR, _SCHEDULED_COLOUR = "#c6dbef", "#08519c", "#e6550d"
_SECONDS_PER_DAY = 86400.0


def staffing_curve(
    calls: float,
    aht_seconds: float,
    interval_seconds: float,
    *,
    threshold_seconds: float,
    sl_target: float | None = None,
    asa_target_seconds: float | None = None,
    max_occupancy: float | None = None,
    max_agents: int | None = None,
    figsize: tuple[float, float] = (8.0, 4.5),
    dpi: float = 100,
) -> Figure:
    """Service level and ASA of one interval against the number of agents (Erlang C).

    The curve runs over whole agent counts from the first above the offered load (with no more
    agents than Erlangs the queue grows without bound: service level 0, ASA infinite) to
    `max_agents`. Service level is on the left axis, ASA on the right one, log scale, since
    it falls about geometrically with each agent added.

    Parameters
    ----------
    calls : float
        Calls offered in the interval; must be > 0.
    aht_seconds : float
        Average handle time, seconds.
    interval_seconds : float
        Interval length, seconds.
    threshold_seconds : float
        Service-level threshold: the share of calls answered within this many seconds.
    sl_target : float, optional
        Service-level target, a fraction in (0, 1): drawn as a horizontal line.
    asa_target_seconds : float, optional
        ASA target, seconds: drawn as a horizontal line on the ASA axis. With either target a
        vertical line marks the agents :func:`wfmath.required_agents` gives for them.
    max_occupancy : float, optional
        Occupancy cap, a fraction, that the marked answer also meets.
    max_agents : int, optional
        The last agent count drawn. Default: two past the larger of the required agents and
        the count that first reaches a service level of 0.999, where the curve has flattened.
    figsize : (float, float)
        Width and height, inches.
    dpi : float
        Dots per inch.

    Returns
    -------
    matplotlib.figure.Figure
        One axes for service level and its twin for ASA.

    Raises
    ------
    ValueError
        ``calls`` not > 0, `max_agents` not above the load, or a bad input or target (the
        engine's :class:`wfmath.InvalidInputError`, naming the parameter and the value).
    TypeError
        `max_agents` not a whole number.

    Examples
    --------
    >>> fig = staffing_curve(100, 180, 1800, threshold_seconds=20, sl_target=0.8)
    >>> sl_axes, asa_axes = fig.axes
    >>> fig.texts[0].get_text()
    '100 calls per 30 min, AHT 180 s: load 10.00 Erlangs'
    >>> [line.get_label() for line in sl_axes.lines]
    ['service level', 'SL target 0.8', 'required: 14 agents']
    """
    load = float(offered_load(calls, aht_seconds, interval_seconds))
    if not load > 0:
        raise ValueError(f"calls must be > 0 to draw a staffing curve, got {t.shown(calls)}")
    # Also checks threshold_seconds in a scalar call, whose error names no array row.
    flat = int(
        required_agents(
            calls, aht_seconds, interval_seconds, sl_target=_CURVE_TOP_SL, threshold_seconds=threshold_seconds
        ).agents
    )
    required = None
    if sl_target is not None or asa_target_seconds is not None:
        required = int(
            required_agents(
                calls,
                aht_seconds,
                interval_seconds,
                sl_target=sl_target,
                threshold_seconds=threshold_seconds,
                asa_target_seconds=asa_target_seconds,
                max_occupancy=max_occupancy,
            ).agents
        )
    first = int(np.floor(load)) + 1
    if max_agents is None:
        max_agents = max(flat, required or 0) + 2
    elif not isinstance(max_agents, Integral):
        raise TypeError(f"max_agents must be a whole number, got {max_agents!r}")
    elif max_agents < first:
        raise ValueError(f"max_agents must be > the load {load:g} Erlangs, got {max_agents}")
    agents = np.arange(first, int(max_agents) + 1)

    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    ax_asa = ax.twinx()
    ax.plot(
        agents,
        service_level(agents, load, aht_seconds, threshold_seconds),
        "o-",
        ms=3,
        color=_SL_COLOUR,
        label="service level",
    )
    ax_asa.plot(agents, asa(agents, load, aht_seconds), "s-", ms=3, color=_ASA_COLOUR, label="ASA")
    if sl_target is not None:
        ax.axhline(sl_target, color=_SL_COLOUR, ls="--", lw=1, label=f"SL target {sl_target:g}")
    if asa_target_seconds is not None:
        ax_asa.axhline(
            asa_target_seconds, color=_ASA_COLOUR, ls="--", lw=1, label=f"ASA target {asa_target_seconds:g} s"
        )
    if required is not None:
        ax.axvline(required, color=_TARGET_COLOUR, ls=":", lw=1.5, label=f"required: {required} agents")

    fig.suptitle(f"{calls:g} calls per {_duration(interval_seconds)}, AHT {aht_seconds:g} s: load {load:.2f} Erlangs")
    ax.set_xlabel("agents")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(f"service level (answered within {threshold_seconds:g} s)", color=_SL_COLOUR)
    ax.set_ylim(0, 1.02)
    ax_asa.set_yscale("log")
    ax_asa.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax_asa.set_ylabel("ASA, seconds (log scale)", color=_ASA_COLOUR)
    handles = ax.get_legend_handles_labels()[0] + ax_asa.get_legend_handles_labels()[0]
    # Above the axes: inside, the falling ASA and the rising service level leave no corner free.
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, fontsize="small", frameon=False)
    return fig


def interval_chart(
    plan: Any,
    *,
    sl_target: float | str | None = None,
    day: Any = None,
    columns: Mapping[str, str] | None = None,
    figsize: tuple[float, float] | None = None,
    dpi: float = 100,
) -> Figure:
    """One day of a plan, interval by interval: calls, agents and service level, per queue.

    One row of panels per queue with intervals that day (one row without a queue column),
    sharing the time-of-day axis. Left: forecast calls as bars, required agents (and
    scheduled agents, when the plan has them) as steps on a second axis. Right: the service
    level of each interval and the target. Intervals without calls have no service level and
    are left blank, as are intervals missing from the plan.

    Parameters
    ----------
    plan : pandas.DataFrame, polars.DataFrame or pyarrow.Table
        Per-interval rows, as :func:`wfmath.plan` returns: interval start timestamps, an
        optional queue, calls, agents, optional scheduled agents and service level.
    sl_target : float or str, optional
        Service-level target, a fraction in [0, 1], drawn as a line; or the name of a column
        of per-interval targets (by default the plan's own ``sl_target`` column, if any).
    day : str, datetime.date or pandas.Timestamp, optional
        The day to draw (a time of day is ignored); default: the first day in the plan.
    columns : mapping, optional
        Role -> column name, as for :func:`wfmath.plan` (see :data:`CHART_COLUMNS`), e.g.
        ``{"calls": "offered", "scheduled": "rostered"}``.
    figsize : (float, float), optional
        Width and height, inches; default 12 wide and 2.75 high per queue, plus 1 for the title.
    dpi : float
        Dots per inch.

    Returns
    -------
    matplotlib.figure.Figure
        Per queue, axes for calls and for service level, and one for agents twinned with the
        calls; ``fig.axes`` lists the panels row by row, then the agents axes.

    Raises
    ------
    ValueError
        A missing column, a day not in the plan, `sl_target` outside [0, 1], or duplicate
        (queue, interval) rows.
    TypeError
        Timestamps or figures that are not timestamps or numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> import wfmath
    >>> day = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=4, freq="30min").repeat(2),
    ...                     "queue": ["sales", "support"] * 4, "aht_seconds": 240.0,
    ...                     "calls": [80.0, 40.0, 120.0, 60.0, 90.0, 50.0, 0.0, 20.0]})
    >>> fig = interval_chart(wfmath.plan(day, sl_target=0.8, threshold_seconds=20, shrinkage=0.3), sl_target=0.8)
    >>> len(fig.axes)
    6
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['sales: calls and agents', 'sales: service level']
    """
    data = t.as_frame(plan, "plan").data
    targets, target_column = t.option_column(data, "sl_target", sl_target)
    if target_column is None and targets is not None and not 0 <= targets <= 1:
        raise ValueError(f"sl_target must be a fraction in [0, 1], got {sl_target!r}")
    names = t.resolve_columns(CHART_COLUMNS, columns)
    interval, queue = names["interval"], names["queue"]
    t.require(data, [interval, names["calls"], names["agents"], names["service_level"]], "plan")
    times = data[interval]
    if not pd.api.types.is_datetime64_any_dtype(times):
        raise TypeError(f"column {interval!r} must hold timestamps, got dtype {times.dtype}")
    days = times.dt.normalize()
    rows = data[days == _pick_day(days, day)]
    has_queue = queue in data.columns
    t.check_unique(rows, [queue, interval] if has_queue else [interval])
    seconds = (
        float(data["interval_seconds"].iloc[0])
        if "interval_seconds" in data.columns
        else infer_interval_seconds(data, names)
    )
    # One grid for every queue: intervals missing from the plan become blank gaps.
    starts = rows[interval]
    grid = pd.date_range(starts.min(), starts.max(), freq=pd.Timedelta(seconds=seconds)).union(starts.unique())
    groups = list(rows.groupby(queue, sort=False, dropna=False)) if has_queue else [(None, rows)]

    if figsize is None:
        figsize = (12.0, 1.0 + 2.75 * len(groups))
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    axes = fig.subplots(len(groups), 2, sharex=True, squeeze=False, width_ratios=[3, 2])
    # Wall-clock times: matplotlib would draw time-zone-aware stamps in UTC.
    x = mdates.date2num(grid.tz_localize(None) if grid.tz is not None else grid)
    width = seconds / _SECONDS_PER_DAY
    for row, ((name, group), (left, right)) in enumerate(zip(groups, axes)):
        at = group.set_index(interval).reindex(grid)
        calls = t.numeric(at, names["calls"])
        prefix = "" if name is None else f"{name}: "
        bars = left.bar(x, calls, width=width, align="edge", color=_CALLS_COLOUR, label="calls")
        agents_axes = left.twinx()
        # A plan's agents are those required; without scheduled ones (a scored schedule) they are its staff.
        planned = names["scheduled"] in at.columns
        label = "required agents" if planned else "agents"
        _steps(agents_axes, x, width, t.numeric(at, names["agents"]), color=_REQUIRED_COLOUR, label=label)
        if planned:
            scheduled = t.numeric(at, names["scheduled"])
            _steps(agents_axes, x, width, scheduled, color=_SCHEDULED_COLOUR, label="scheduled agents")
        left.set_title(f"{prefix}calls and agents")
        left.set_ylabel("calls per interval")
        agents_axes.set_ylabel("agents")
        for ax in (left, agents_axes):  # headroom above the peak, where the legend goes
            ax.set_ymargin(0.3)
            ax.set_ylim(bottom=0)
        agents_axes.yaxis.set_major_locator(MaxNLocator(integer=True))

        sl = np.where(calls > 0, t.numeric(at, names["service_level"]), np.nan)
        right.plot(x + width / 2, sl, "o-", ms=3, color=_SL_COLOUR, label="service level")
        if target_column is not None:  # per-interval targets, drawn where the queue has calls
            goal = np.where(calls > 0, t.numeric(at, target_column), np.nan)
            right.step(x + width, goal, where="pre", color=_TARGET_COLOUR, ls="--", lw=1, label="target")
        elif targets is not None:
            right.axhline(targets, color=_TARGET_COLOUR, ls="--", lw=1, label=f"target {targets:g}")
        right.set_title(f"{prefix}service level")
        right.set_ylabel("service level")
        right.set_ylim(0, 1.02)
        if row == 0:
            handles = [bars, *agents_axes.get_lines()]
            agents_axes.legend(handles=handles, loc="upper left", fontsize="small")
            right.legend(loc="best", fontsize="small")

    for ax in axes[-1]:
        ax.set_xlabel("time of day")
    # The axes share x, hence one locator and formatter for all.
    axes[-1, 0].xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=12))
    axes[-1, 0].xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    axes[-1, 0].set_xlim(x[0], x[-1] + width)
    target = "" if target_column is not None or targets is None else f", service-level target {targets:g}"
    fig.suptitle(f"Plan for {grid[0]:%a %Y-%m-%d}, {_duration(seconds)} intervals{target}")
    return fig


def _pick_day(days: pd.Series, day: Any) -> pd.Timestamp:
    """Midnight of `day` (default: the first of `days`, the plan's timestamps at midnight), in
    their time zone; checked to be one of `days`."""
    first, last = days.min(), days.max()
    if pd.isna(first):
        raise ValueError(f"column {days.name!r} has no timestamps: nothing to chart")
    if day is None:
        return first
    try:
        wanted = pd.Timestamp(day)
    except (TypeError, ValueError) as err:
        raise type(err)(f"day must be a date, a date string or a Timestamp, got {day!r}") from None
    if days.dt.tz is not None and wanted.tz is None:
        wanted = wanted.tz_localize(days.dt.tz)
    wanted = wanted.normalize()
    if not (days == wanted).any():
        raise ValueError(f"day {wanted:%Y-%m-%d} is not in the plan, which spans {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    return wanted


def _steps(ax: Axes, x: np.ndarray, width: float, values: np.ndarray, **style: Any) -> None:
    """`values` held flat over each interval [x, x + width): the last interval drawn to its end,
    NaN left as a gap."""
    ax.step(np.append(x, x[-1] + width), np.append(values, values[-1]), where="post", lw=1.5, **style)


def _duration(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds % 60 == 0 else f"{seconds:g} s"
