"""Interval plans and roll-ups on PySpark DataFrames, for tables that live in a Spark cluster.

Sizing is row by row, so it runs on each Arrow batch of the executors (``mapInPandas``), lazily.
Roll-ups run in two stages: each batch's additive parts (:func:`wfmath.rollup_parts`, sums per
group) on the executors, then a Spark ``groupBy`` adds the parts of each group (and takes the
peaks' maxima) and :func:`wfmath.finish_rollup` forms the ratios: never an average of averages,
and the same figures as a roll-up of the whole plan on one machine.

Timestamps reach the batches as Spark gives them to pandas: naive wall-clock times in the
session's zone (``spark.sql.session.timeZone``), taken as they are; days and weeks are those of
that zone. A session in UTC, or ``TIMESTAMP_NTZ`` columns, keeps daylight-saving changes out.
Duplicate (queue, interval) rows are found within each Arrow batch (at most
``spark.sql.execution.arrow.maxRecordsPerBatch`` rows). Spark rows have no index, so an error
names a bad row by its (queue, interval) values. Needs ``pip install pyspark``.

The examples assume a SparkSession ``spark``; the tests run them on a local one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

try:
    from pyspark.sql import DataFrame
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema
    from pyspark.sql.types import NullType, StructType
except ImportError as err:
    raise ImportError("wfmath.spark needs PySpark: pip install pyspark") from err

import wfmath
from wfmath import _tables as t
from wfmath.actuals import ACTUAL_COLUMNS, OPTIONAL, REQUIRED
from wfmath.plans import PLAN_COLUMNS, per_part
from wfmath.rollups import PART_PEAKS, PART_SUMS

__all__ = ["actuals", "evaluate", "plan", "rollup"]

def _checked(frame: Any, name: str = "frame") -> DataFrame:
    if not isinstance(frame, DataFrame):
        raise TypeError(f"{name} must be a Spark DataFrame, got {type(frame).__name__}")
    return frame


def _labels(frame: DataFrame, defaults: Mapping[str, str], columns: Mapping[str, str] | None) -> list[str]:
    """The frame's queue and interval columns, those it has: they name a row in errors."""
    names = t.resolve_columns(defaults, columns)
    return [names[k] for k in ("queue", "interval") if names[k] in frame.columns]


def _per_batch(
    frame: DataFrame, func: Callable[..., pd.DataFrame], interval_seconds: float | None, columns: Any
) -> Callable[..., pd.DataFrame]:
    """`func` with each queue's interval length over the whole frame (its distinct keys: one
    small job), as one machine would infer it; see :func:`wfmath.plans.per_part`."""
    return per_part(
        func, frame.columns, lambda keys: frame.select(*keys).distinct().toPandas(), interval_seconds, columns
    )


def _empty(frame: DataFrame) -> pd.DataFrame:
    """An empty pandas frame of the dtypes mapInPandas hands the batches."""
    empty = to_arrow_schema(frame.schema, timezone="UTC").empty_table().to_pandas()
    for name, dtype in empty.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):  # Spark gives zoned timestamps naive, in the session's zone
            empty[name] = empty[name].dt.tz_localize(None)
    return empty


def _schema(result: pd.DataFrame, empty: pd.DataFrame, source: StructType) -> StructType:
    """The Spark schema of `result` (from an empty batch): the input's own field for a column it
    passes through, or one whose type an empty object column cannot tell (a group key); else
    the type of the dtype, new timestamps as TIMESTAMP_NTZ (naive, as the batches hold them)."""
    derived = from_arrow_schema(pa.Schema.from_pandas(result, preserve_index=False), prefer_timestamp_ntz=True)
    known = {f.name: f for f in source.fields}
    fields = [
        known[f.name]
        if f.name in known and (result[f.name].dtype == empty[f.name].dtype or isinstance(f.dataType, NullType))
        else f
        for f in derived
    ]
    return StructType(fields)


def _row_labels(batch: pd.DataFrame, labels: Sequence[str]) -> pd.Index:
    """The batch's rows named by their (queue, interval) values: a position within an Arrow
    batch would name no row the user knows."""
    values = [batch[name].to_numpy() for name in labels]
    return pd.Index(values[0]) if len(values) == 1 else pd.MultiIndex.from_arrays(values)


def _batchwise(
    frame: DataFrame, func: Callable[..., pd.DataFrame], defaults: Mapping[str, str], **options: Any
) -> tuple[DataFrame, list[str]]:
    """`func` on every Arrow batch, lazily, its group keys (named index levels) as columns; and
    those keys. Running `func` on an empty batch first gives the schema and checks the options;
    `defaults` are the column names by role that `func` reads."""
    empty = _empty(frame)
    result = func(empty, **options)
    grouped = [name for name in result.index.names if name is not None]
    schema = _schema(result.reset_index() if grouped else result, empty, frame.schema)
    labels = _labels(frame, defaults, options.get("columns"))

    def batches(rows: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in rows:
            if labels:
                batch.index = _row_labels(batch, labels)
            out = func(batch, **options)
            yield out.reset_index() if grouped else out

    return frame.mapInPandas(batches, schema), grouped


def plan(
    frame: DataFrame,
    *,
    interval_seconds: float | None = None,
    columns: Mapping[str, str] | None = None,
    **options: Any,
) -> DataFrame:
    """:func:`wfmath.plan` on every Arrow batch of a Spark DataFrame (lazily, ``mapInPandas``).

    Parameters
    ----------
    frame : pyspark.sql.DataFrame
        Interval rows as for :func:`wfmath.plan`.
    interval_seconds : float, optional
        Interval length, seconds. When omitted: the frame's ``interval_seconds`` column, else
        each queue's own length, inferred over the whole frame as :func:`wfmath.plan` infers
        it (one job that brings the distinct queue and interval keys to the driver).
    columns : mapping, optional
        Role -> column name, as for :func:`wfmath.plan`.
    **options
        The targets and options of :func:`wfmath.plan` (``sl_target``, ``threshold_seconds``,
        ``patience_seconds``, ``on_invalid``, ...).

    Returns
    -------
    pyspark.sql.DataFrame
        The input's columns and those :func:`wfmath.plan` adds; the input's columns keep
        their Spark types.

    Raises
    ------
    TypeError
        `frame` is not a Spark DataFrame.
    ValueError
        A missing column or an unknown role or option, at once (from an empty batch); a bad
        value, of a row or of a target, when the job runs, wrapped by Spark
        (``pyspark.errors.PythonException``) with the message of :func:`wfmath.plan`. With
        ``on_invalid="nan"`` the warning is the executors' (in their logs).

    Examples
    --------
    >>> import pandas as pd
    >>> day = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=4, freq="30min"),
    ...                     "calls": [80.0, 120.0, 60.0, 0.0], "aht_seconds": 240.0})
    >>> p = plan(spark.createDataFrame(day), sl_target=0.8, threshold_seconds=20.0)
    >>> p.select("interval_start", "agents").orderBy("interval_start").toPandas()["agents"].tolist()
    [14.0, 20.0, 11.0, 0.0]
    """
    frame = _checked(frame)
    sized = _per_batch(frame, wfmath.plan, interval_seconds, columns)
    return _batchwise(frame, sized, PLAN_COLUMNS, columns=columns, **options)[0]


def evaluate(
    frame: DataFrame,
    *,
    interval_seconds: float | None = None,
    columns: Mapping[str, str] | None = None,
    **options: Any,
) -> DataFrame:
    """:func:`wfmath.evaluate` on every Arrow batch of a Spark DataFrame (lazily, ``mapInPandas``).

    Parameters
    ----------
    frame : pyspark.sql.DataFrame
        Interval rows with an ``agents`` column, as for :func:`wfmath.evaluate`.
    interval_seconds, columns
        As for :func:`plan`.
    **options
        The options of :func:`wfmath.evaluate` (``threshold_seconds``, ``patience_seconds``,
        targets, ``on_invalid``, ...).

    Returns
    -------
    pyspark.sql.DataFrame
        Service level, ASA and occupancy of the staff each interval has.

    Examples
    --------
    >>> import pandas as pd
    >>> day = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=2, freq="30min"),
    ...                     "calls": [100.0, 100.0], "aht_seconds": 180.0, "agents": [14, 11]})
    >>> e = evaluate(spark.createDataFrame(day), threshold_seconds=20.0)
    >>> e.orderBy("interval_start").toPandas()["service_level"].round(3).tolist()
    [0.888, 0.39]
    """
    frame = _checked(frame)
    sized = _per_batch(frame, wfmath.evaluate, interval_seconds, columns)
    return _batchwise(frame, sized, PLAN_COLUMNS, columns=columns, **options)[0]


def _combined(parts: DataFrame, keys: Sequence[str], sums: Sequence[str], peaks: Sequence[str] = ()) -> pd.DataFrame:
    """Stage two in Spark: the parts of each group, sums added and peaks maximised, as pandas."""

    # An unknown part (NaN, which Arrow may hand Spark as null) leaves its group's total unknown,
    # as in the one-pass kernel; without keys an empty plan is one group that sums to 0.
    def total(c: str) -> Any:
        unknown = F.max((F.col(c).isNull() | F.isnan(F.col(c).cast("double"))).cast("int")) == 1
        return F.when(unknown, F.lit(float("nan"))).otherwise(F.coalesce(F.sum(c), F.lit(0))).alias(c)

    aggregates = [total(c) for c in sums] + [F.max(c).alias(c) for c in peaks]
    return parts.groupBy(*keys).agg(*aggregates).toPandas()


def rollup(
    plan: DataFrame,
    *,
    freq: str | None = "D",
    by: str | Sequence[str] | None = "queue",
    sl_target: float | str | None = None,
    asa_target_seconds: float | str | None = None,
    paid_hours_per_fte: float | None = None,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """:func:`wfmath.rollup` of a Spark plan: sums per batch, added per group in Spark, then ratios.

    Parameters
    ----------
    plan : pyspark.sql.DataFrame
        A plan from :func:`plan` or :func:`evaluate`.
    freq, by, sl_target, asa_target_seconds, paid_hours_per_fte, columns
        As for :func:`wfmath.rollup`; periods are those of the session's time zone.

    Returns
    -------
    pandas.DataFrame
        One row per group, as :func:`wfmath.rollup` gives for the whole plan.

    Examples
    --------
    >>> import pandas as pd
    >>> day = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=4, freq="30min"),
    ...                     "calls": [80.0, 120.0, 60.0, 0.0], "aht_seconds": 240.0})
    >>> p = plan(spark.createDataFrame(day).repartition(2), sl_target=0.8, threshold_seconds=20.0)
    >>> rollup(p, paid_hours_per_fte=8.0)[["calls", "agent_hours", "peak_agents", "fte"]].round(3).values.tolist()
    [[260.0, 22.5, 20.0, 2.812]]
    """
    parts, keys = _batchwise(
        _checked(plan, "plan"),
        wfmath.rollup_parts,
        PLAN_COLUMNS,
        freq=freq,
        by=by,
        sl_target=sl_target,
        asa_target_seconds=asa_target_seconds,
        columns=columns,
    )
    sums = [c for c in PART_SUMS if c in parts.columns]
    peaks = [c for c in PART_PEAKS if c in parts.columns]
    return wfmath.finish_rollup(_combined(parts, keys, sums, peaks), paid_hours_per_fte=paid_hours_per_fte)


def actuals(
    report: DataFrame,
    *,
    freq: str | None = "D",
    by: str | Sequence[str] | None = "queue",
    columns: Mapping[str, str] | None = None,
    on_invalid: str = "raise",
) -> pd.DataFrame:
    """:func:`wfmath.actuals` of a Spark ACD report: counts summed per batch and per group in
    Spark, then every figure formed from the totals.

    Parameters
    ----------
    report : pyspark.sql.DataFrame
        ACD interval counts, as for :func:`wfmath.actuals`.
    freq, by, columns, on_invalid
        As for :func:`wfmath.actuals`; a grouping is needed (for one row per interval, map
        ``wfmath.actuals(batch, freq=None, by=None)`` over the batches with ``mapInPandas``).

    Returns
    -------
    pandas.DataFrame
        One row per group, as :func:`wfmath.actuals` gives for the whole report.

    Examples
    --------
    >>> import pandas as pd
    >>> acd = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=2, freq="30min"),
    ...                     "offered": [100, 50], "answered": [90, 50], "answered_within": [60, 50],
    ...                     "abandoned": [10, 0]})
    >>> actuals(spark.createDataFrame(acd))[["offered", "sl_answered"]].round(4).values.tolist()
    [[150.0, 0.7857]]
    """
    if freq is None and not by:
        raise ValueError("actuals on Spark needs a grouping (freq or by); map wfmath.actuals for per-interval figures")
    parts, keys = _batchwise(
        _checked(report, "report"),
        wfmath.actuals,
        ACTUAL_COLUMNS,
        freq=freq,
        by=by,
        columns=columns,
        on_invalid=on_invalid,
    )
    names = t.resolve_columns(ACTUAL_COLUMNS, columns)
    counts = [names[r] for r in REQUIRED + OPTIONAL if names[r] in parts.columns]
    return wfmath.finish_actuals(_combined(parts, keys, counts), columns=columns)
