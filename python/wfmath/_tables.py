"""Frames at the edge: pandas, polars or pyarrow in, the same kind out; checks that name the
column, the row and the value; group codes and group totals for roll-ups."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wfmath._wfmath import group_totals_kernel

#: Dense group spaces up to this size are used as they are; larger ones are compacted.
_DENSE_GROUPS = 1 << 22


@dataclass(frozen=True)
class Frame:
    """A pandas view of the user's table and how to hand results back in its own kind."""

    data: pd.DataFrame
    kind: str

    def give_back(self, result: pd.DataFrame) -> Any:
        if self.kind == "polars":
            import polars as pl

            return pl.from_pandas(result.reset_index(drop=result.index.name is None))
        if self.kind == "pyarrow":
            import pyarrow as pa

            return pa.Table.from_pandas(result, preserve_index=result.index.name is not None)
        return result


def as_frame(table: Any, name: str = "frame") -> Frame:
    """Accepts a pandas DataFrame, a polars DataFrame or a pyarrow Table, never mutating it."""
    if isinstance(table, pd.DataFrame):
        return Frame(table, "pandas")
    module = type(table).__module__.split(".")[0]
    if module == "polars" and hasattr(table, "to_pandas"):
        return Frame(table.to_pandas(), "polars")
    if module == "pyarrow" and hasattr(table, "to_pandas"):
        return Frame(table.to_pandas(), "pyarrow")
    raise TypeError(f"{name} must be a pandas or polars DataFrame or a pyarrow Table, got {type(table).__name__}")


def resolve_columns(defaults: Mapping[str, str], columns: Mapping[str, str] | None) -> dict[str, str]:
    """Role -> column name, the user's mapping over the defaults; unknown roles are errors."""
    names = dict(defaults)
    for role, column in (columns or {}).items():
        if role not in names:
            raise ValueError(f"columns has an unknown role {role!r}; known roles: {', '.join(sorted(names))}")
        names[role] = column
    return names


def require(data: pd.DataFrame, names: Sequence[str], what: str) -> None:
    missing = [n for n in names if n not in data.columns]
    if missing:
        raise ValueError(f"{what} lacks required column(s) {', '.join(map(repr, missing))}")


def numeric(data: pd.DataFrame, column: str) -> np.ndarray:
    """A column as contiguous float64, with a clear error for non-numeric data."""
    values = data[column]
    if not (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)):
        raise TypeError(f"column {column!r} must be numeric, got dtype {values.dtype}")
    return np.ascontiguousarray(values.to_numpy(dtype=np.float64, na_value=np.nan))


def shown(value: Any) -> str:
    """A value as Python prints it (NumPy scalars as plain numbers)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


class BadRows:
    """Collects invalid rows: raises at the first (naming column, row label and value), or,
    with on_invalid="nan", marks them for NaN and warns once with the count."""

    def __init__(self, data: pd.DataFrame, on_invalid: str):
        if on_invalid not in ("raise", "nan"):
            raise ValueError(f"on_invalid must be 'raise' or 'nan', got {on_invalid!r}")
        self.index = data.index
        self.raise_ = on_invalid == "raise"
        self.mask = np.zeros(len(data), dtype=bool)

    def check(self, bad: np.ndarray, column: str, values: np.ndarray, rule: str) -> None:
        if not bad.any():
            return
        if self.raise_:
            row = int(np.argmax(bad))
            raise ValueError(f"column {column!r} {rule}, got {shown(values[row])} at row {shown(self.index[row])}")
        self.mask |= bad


def warn_invalid(count: int, what: str) -> None:
    """The one warning of on_invalid="nan": how many rows got NaN."""
    if count:
        warnings.warn(f"{count} row(s) with invalid input got NaN in the {what}", RuntimeWarning, stacklevel=3)


def check_counts(data: pd.DataFrame, bad: BadRows, columns: Sequence[str]) -> dict[str, np.ndarray]:
    """Finite, non-negative numbers; returns them as float64 arrays."""
    out = {}
    for column in columns:
        values = numeric(data, column)
        bad.check(~np.isfinite(values), column, values, "must be finite (no NaN or inf)")
        bad.check(values < 0, column, values, "must be >= 0")
        out[column] = values
    return out


def check_unique(data: pd.DataFrame, keys: Sequence[str]) -> None:
    duplicated = data.duplicated(subset=list(keys), keep="first").to_numpy()
    if duplicated.any():
        row = int(np.argmax(duplicated))
        where = ", ".join(f"{k}={shown(data[k].iloc[row])}" for k in keys)
        raise ValueError(
            f"duplicate rows for ({', '.join(keys)}): {where} appears again at row {shown(data.index[row])}"
        )


def period_start(times: pd.Series, freq: str) -> pd.Series:
    """The start of each timestamp's period: fixed frequencies ("D", "h", "30min") by flooring,
    calendar ones ("W" weeks from Monday, "M"/"MS" months) by period."""
    if not pd.api.types.is_datetime64_any_dtype(times):
        raise TypeError(f"column {times.name!r} must hold timestamps to group by {freq!r}, got {times.dtype}")
    try:
        return times.dt.floor(freq)
    except ValueError:
        period = {"MS": "M", "W-MON": "W"}.get(freq, freq)
        return times.dt.to_period(period).dt.start_time


def _key_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Dense codes 0..k-1 and the k sorted keys; cheap paths for categoricals and day numbers."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        return codes, pd.Index(values.cat.categories, name=values.name)
    if pd.api.types.is_datetime64_any_dtype(values) and len(values) and not values.isna().any():
        # Period starts on a regular grid: codes by arithmetic, no hashing.
        stamps = pd.DatetimeIndex(values).as_unit("ns")
        raw = stamps.asi8
        base = raw.min()
        steps = raw - base
        unit = int(np.gcd.reduce(np.unique(steps[:100_000]))) or 1
        if not (steps % unit).any() and steps.max() // unit < _DENSE_GROUPS:
            codes = steps // unit
            grid = base + unit * np.arange(codes.max() + 1)
            keys = pd.DatetimeIndex(grid, tz="UTC").tz_convert(stamps.tz) if stamps.tz else pd.DatetimeIndex(grid)
            return codes.astype(np.int64), keys.rename(values.name)
    codes, keys = pd.factorize(values, sort=True)
    return codes.astype(np.int64), pd.Index(keys, name=values.name)


def group_codes(keys: Sequence[pd.Series]) -> tuple[np.ndarray, int, Callable[[np.ndarray], pd.Index]]:
    """Row group codes over several keys, the number of groups, and a function turning group
    numbers into an index of key values. Rows with a missing key belong to no group."""
    parts = [_key_codes(k) for k in keys]
    sizes = [max(len(uniques), 1) for _, uniques in parts]
    codes = np.zeros(len(keys[0]), dtype=np.int64)
    missing = np.zeros(len(keys[0]), dtype=bool)
    for (part, _), size in zip(parts, sizes):
        missing |= part < 0
        codes = codes * size + part
    codes[missing] = -1
    groups = int(np.prod(sizes, dtype=np.int64))
    if groups > _DENSE_GROUPS:
        observed, codes_compact = np.unique(codes[~missing], return_inverse=True)
        codes[~missing] = codes_compact
        table, groups = observed, len(observed)
    else:
        table = None

    def labels(group_numbers: np.ndarray) -> pd.Index:
        flat = group_numbers if table is None else table[group_numbers]
        positions = np.unravel_index(flat, sizes)
        arrays = [uniques[pos] for (_, uniques), pos in zip(parts, positions)]
        if len(arrays) == 1:
            return pd.Index(arrays[0], name=keys[0].name)
        return pd.MultiIndex.from_arrays(arrays, names=[k.name for k in keys])

    return codes, groups, labels


def totals(
    keys: Sequence[pd.Series],
    sums: Mapping[str, np.ndarray],
    maxima: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Per-group sums (and maxima) of the given columns, in Rust, one row per non-empty group,
    sorted by the keys; the row count is in column "rows"."""
    maxima = maxima or {}
    if keys:
        codes, groups, labels = group_codes(keys)
    else:
        length = len(next(iter(sums.values())))
        codes, groups, labels = np.zeros(length, dtype=np.int64), 1, None
    summed, peaks, counts = group_totals_kernel(
        codes,
        groups,
        [np.ascontiguousarray(v, dtype=np.float64) for v in sums.values()],
        [np.ascontiguousarray(v, dtype=np.float64) for v in maxima.values()],
    )
    present = np.flatnonzero(counts > 0) if labels is not None else np.arange(1)
    index = labels(present) if labels is not None else pd.RangeIndex(1)
    out = pd.DataFrame(summed[present], index=index, columns=list(sums))
    for j, name in enumerate(maxima):
        out[name] = peaks[present, j]
    out["rows"] = counts[present]
    return out


def ratio(numerator: np.ndarray | pd.Series, denominator: np.ndarray | pd.Series) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is 0 (no calls: no service level)."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
