"""Interval plans and roll-ups on Dask DataFrames, for jobs that outgrow one machine.

Sizing is row by row, so it runs partition-wise (``map_partitions``) on the workers. Roll-ups
run in two stages: each partition's additive parts (:func:`wfmath.rollup_parts`, sums per
group) on the workers, then the parts are combined and the ratios formed
(:func:`wfmath.finish_rollup`): never an average of averages, and the same figures as a
roll-up of the whole plan on one machine.

Duplicate (queue, interval) rows are found within each partition; partition by queue or by
time (as files usually are) to have them found everywhere. Needs ``pip install "wfmath[dask]"``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dask.dataframe as dd
import pandas as pd

import wfmath
from wfmath.plans import per_part

__all__ = ["actuals", "evaluate", "plan", "rollup"]


def _checked(frame: Any) -> dd.DataFrame:
    if not isinstance(frame, dd.DataFrame):
        raise TypeError(f"frame must be a dask DataFrame, got {type(frame).__name__}")
    return frame


def _per_partition(
    frame: dd.DataFrame, func: Callable[..., pd.DataFrame], interval_seconds: float | None, columns: Any
) -> Callable[..., pd.DataFrame]:
    """`func` with each queue's interval length over the whole frame (its distinct keys: one
    compute), as one machine would infer it; see :func:`wfmath.plans.per_part`."""
    frame = _checked(frame)
    return per_part(
        func, list(frame.columns), lambda keys: frame[keys].drop_duplicates().compute(), interval_seconds, columns
    )


def _empty(frame: dd.DataFrame, func: Callable[..., pd.DataFrame], **options: Any) -> pd.DataFrame:
    """What `func` gives for the frame's empty meta: the meta of its partition-wise result."""
    return func(_checked(frame)._meta, **options)


def _rowwise(frame: dd.DataFrame, func: Callable[..., pd.DataFrame], **options: Any) -> dd.DataFrame:
    """`func` on every partition, lazily."""
    meta = _empty(frame, func, **options)
    return frame.map_partitions(func, **options, meta=meta)


def plan(
    frame: dd.DataFrame,
    *,
    interval_seconds: float | None = None,
    columns: Mapping[str, str] | None = None,
    **options: Any,
) -> dd.DataFrame:
    """:func:`wfmath.plan` on every partition of a Dask DataFrame (lazily).

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        Interval rows as for :func:`wfmath.plan`.
    interval_seconds : float, optional
        Interval length, seconds. When omitted: the frame's ``interval_seconds`` column, else
        each queue's own length, inferred over the whole frame as :func:`wfmath.plan` infers
        it (one compute of the distinct queue and interval keys), whatever the partitioning.
    columns : mapping, optional
        Role -> column name, as for :func:`wfmath.plan`.
    **options
        The targets and options of :func:`wfmath.plan` (``sl_target``, ``threshold_seconds``,
        ``patience_seconds``, ``on_invalid``, ...).

    Returns
    -------
    dask.dataframe.DataFrame
        The plan, partition by partition, with the columns :func:`wfmath.plan` adds.

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> day = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=4, freq="30min"),
    ...                     "calls": [80.0, 120.0, 60.0, 0.0], "aht_seconds": 240.0})
    >>> p = plan(dd.from_pandas(day, npartitions=2), sl_target=0.8, threshold_seconds=20.0)
    >>> p["agents"].compute().tolist()
    [14.0, 20.0, 11.0, 0.0]
    """
    sized = _per_partition(frame, wfmath.plan, interval_seconds, columns)
    return _rowwise(frame, sized, columns=columns, **options)


def evaluate(
    frame: dd.DataFrame,
    *,
    interval_seconds: float | None = None,
    columns: Mapping[str, str] | None = None,
    **options: Any,
) -> dd.DataFrame:
    """:func:`wfmath.evaluate` on every partition of a Dask DataFrame (lazily).

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        Interval rows with an ``agents`` column, as for :func:`wfmath.evaluate`.
    interval_seconds, columns
        As for :func:`plan`.
    **options
        The options of :func:`wfmath.evaluate` (``threshold_seconds``, ``patience_seconds``,
        targets, ``on_invalid``, ...).

    Returns
    -------
    dask.dataframe.DataFrame
        Service level, ASA and occupancy of the staff each interval has.

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> day = pd.DataFrame({"calls": [100.0, 100.0], "aht_seconds": 180.0, "agents": [14, 11]})
    >>> e = evaluate(dd.from_pandas(day, npartitions=2), threshold_seconds=20.0, interval_seconds=1800.0)
    >>> e["service_level"].compute().round(3).tolist()
    [0.888, 0.39]
    """
    sized = _per_partition(frame, wfmath.evaluate, interval_seconds, columns)
    return _rowwise(frame, sized, columns=columns, **options)


def _keyed(partition: pd.DataFrame, func: Callable[..., pd.DataFrame], dtypes: Any, **options: Any) -> pd.DataFrame:
    """A partition's group figures with the keys as columns, in the dtypes of the meta."""
    out = func(partition, **options)
    return out.reset_index().astype(dtypes) if any(n is not None for n in out.index.names) else out.astype(dtypes)


def _parts(frame: dd.DataFrame, func: Callable[..., pd.DataFrame], **options: Any) -> pd.DataFrame:
    """Stage one on the workers (`func` per partition), gathered as one pandas frame."""
    empty = _empty(frame, func, **options)
    meta = empty.reset_index() if any(n is not None for n in empty.index.names) else empty
    return frame.map_partitions(_keyed, func, meta.dtypes, **options, meta=meta).compute()


def rollup(
    plan: dd.DataFrame,
    *,
    freq: str | None = "D",
    by: str | Sequence[str] | None = "queue",
    sl_target: float | str | None = None,
    asa_target_seconds: float | str | None = None,
    paid_hours_per_fte: float | None = None,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """:func:`wfmath.rollup` of a Dask plan: sums per partition, then ratios of the totals.

    Parameters
    ----------
    plan : dask.dataframe.DataFrame
        A plan from :func:`plan` or :func:`evaluate`.
    freq, by, sl_target, asa_target_seconds, paid_hours_per_fte, columns
        As for :func:`wfmath.rollup`.

    Returns
    -------
    pandas.DataFrame
        One row per group, as :func:`wfmath.rollup` gives for the whole plan.

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> day = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=4, freq="30min"),
    ...                     "calls": [80.0, 120.0, 60.0, 0.0], "aht_seconds": 240.0})
    >>> p = plan(dd.from_pandas(day, npartitions=2), sl_target=0.8, threshold_seconds=20.0)
    >>> rollup(p, paid_hours_per_fte=8.0)[["calls", "agent_hours", "peak_agents", "fte"]].round(3).values.tolist()
    [[260.0, 22.5, 20.0, 2.812]]
    """
    parts = _parts(
        plan,
        wfmath.rollup_parts,
        freq=freq,
        by=by,
        sl_target=sl_target,
        asa_target_seconds=asa_target_seconds,
        columns=columns,
    )
    return wfmath.finish_rollup(parts, paid_hours_per_fte=paid_hours_per_fte)


def actuals(
    report: dd.DataFrame,
    *,
    freq: str | None = "D",
    by: str | Sequence[str] | None = "queue",
    columns: Mapping[str, str] | None = None,
    on_invalid: str = "raise",
) -> pd.DataFrame:
    """:func:`wfmath.actuals` of a Dask ACD report: counts summed per partition, then every
    figure formed from the totals.

    Parameters
    ----------
    report : dask.dataframe.DataFrame
        ACD interval counts, as for :func:`wfmath.actuals`.
    freq, by, columns, on_invalid
        As for :func:`wfmath.actuals`; a grouping is needed (for one row per interval, use
        ``report.map_partitions(wfmath.actuals, freq=None, by=None)``).

    Returns
    -------
    pandas.DataFrame
        One row per group, as :func:`wfmath.actuals` gives for the whole report.

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> acd = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=2, freq="30min"),
    ...                     "offered": [100, 50], "answered": [90, 50], "answered_within": [60, 50],
    ...                     "abandoned": [10, 0]})
    >>> actuals(dd.from_pandas(acd, npartitions=2))[["offered", "sl_answered"]].round(4).values.tolist()
    [[150.0, 0.7857]]
    """
    if freq is None and not by:
        raise ValueError("actuals on Dask needs a grouping (freq or by); map wfmath.actuals for per-interval figures")
    parts = _parts(report, wfmath.actuals, freq=freq, by=by, columns=columns, on_invalid=on_invalid)
    return wfmath.finish_actuals(parts, columns=columns)
