"""Frames at the edge: pandas, polars or pyarrow in, the same kind out; checks that name the
column, the row and the value; group codes and group totals for roll-ups."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from wfmath._wfmath import reduce_kernel

#: NaT's integer value, which the kernel reads as "no key".
MISSING = np.iinfo(np.int64).min


@dataclass(frozen=True)
class Frame:
    """A pandas view of the user's table and how to hand results back in its own kind."""

    data: pd.DataFrame
    kind: str

    def give_back(self, result: pd.DataFrame) -> Any:
        """The result in the user's kind: group keys (named index levels, a MultiIndex's
        too) become ordinary columns where there is no index to hold them."""
        if self.kind == "pandas":
            return result
        flat = result.reset_index(drop=all(name is None for name in result.index.names))
        if self.kind == "polars":
            import polars as pl

            return pl.from_pandas(flat)
        import pyarrow as pa

        return pa.Table.from_pandas(flat, preserve_index=False)


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
    if values.dtype == np.float64:  # NumPy-backed floats: a view, no copy of a big column
        return np.ascontiguousarray(values.to_numpy())
    return np.ascontiguousarray(values.to_numpy(dtype=np.float64, na_value=np.nan))


def option_column(data: pd.DataFrame, name: str, value: Any) -> tuple[Any, str | None]:
    """An option given per row or for all: the column a string names, the frame's own column
    `name` when the option is omitted, else the value itself; and the column used, if any."""
    column = value if isinstance(value, str) else name if value is None and name in data.columns else None
    if column is None:
        return value, None
    require(data, [column], "frame")
    return numeric(data, column), column


def shown(value: Any) -> str:
    """A value as Python prints it (NumPy scalars as plain numbers)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def warn_invalid(count: int, what: str) -> None:
    """The one warning of on_invalid="nan": how many rows got NaN."""
    if count:
        warnings.warn(f"{count} row(s) with invalid input got NaN in the {what}", RuntimeWarning, stacklevel=3)


def check_on_invalid(on_invalid: str) -> None:
    if on_invalid not in ("raise", "nan"):
        raise ValueError(f"on_invalid must be 'raise' or 'nan', got {on_invalid!r}")


@dataclass(frozen=True)
class Key:
    """A grouping key as the Rust kernel reads it: row i's part is
    floor((values[i] - offset) / step) in 0..size; `labels` turns parts into key values."""

    name: Any
    values: np.ndarray
    offset: int
    step: int
    size: int
    labels: Callable[[np.ndarray], Any]
    #: Merged from several keys by `_compact`: its labels are the whole index.
    compacted: bool = False

    def spec(self, exact: bool = False) -> tuple[np.ndarray, int, int, int, bool]:
        return self.values, self.offset, self.step, max(self.size, 1), exact


def _codes_key(name: Any, codes: np.ndarray, uniques: Any) -> Key:
    values = codes.astype(np.int64)
    if len(values) and values.min() < 0:
        values[values < 0] = MISSING
    return Key(name, values, 0, 1, len(uniques), lambda parts: np.asarray(uniques)[parts])


def key(values: pd.Series, freq: str | None = None, name: Any = None) -> Key:
    """The key of a column: categorical codes, timestamps floored to `freq` by arithmetic,
    calendar periods by ordinal, zoned timestamps as instants, anything else factorized.
    A row without a value would fall out of every group: it is an error naming the row."""
    missing = values.isna().to_numpy()
    if missing.any():
        row = values.index[int(np.argmax(missing))]
        raise ValueError(f"column {values.name!r} has no value at row {shown(row)}: every row needs one to be grouped")
    if name is not None:
        values = values.rename(name)
    if isinstance(values.dtype, pd.CategoricalDtype):
        return _codes_key(values.name, values.cat.codes.to_numpy(), values.cat.categories)
    span = None if freq is None else _span(freq)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return _zoned_key(values, freq, span)
    if pd.api.types.is_datetime64_dtype(values):
        if freq is not None and span is None:
            period = values.dt.to_period(_PERIODS.get(freq, freq))
            ordinals = np.asarray(period.array.asi8, dtype=np.int64)
            low, high = (int(ordinals.min()), int(ordinals.max())) if len(ordinals) else (0, 0)

            def starts(parts: np.ndarray, low: int = low, freq: Any = period.dt.freq) -> Any:
                return pd.PeriodIndex.from_ordinals(low + parts, freq=freq).to_timestamp()

            return Key(values.name, ordinals, low, 1, high - low + 1, starts)
        values, step = _on_grid(values, span)
        unit = values.dt.unit
        raw = values.to_numpy().view(np.int64)
        if step is None:  # the grid of the timestamps themselves, from a sample; exact keys check the rest
            step = int(np.gcd.reduce(np.diff(np.unique(raw[:100_000])))) or 1
        low = int(raw.min()) // step * step if len(raw) else 0
        high = int(raw.max()) if len(raw) else 0

        def stamps(parts: np.ndarray, low: int = low, step: int = step, unit: str = unit) -> Any:
            return (low + parts * step).astype(f"datetime64[{unit}]")

        return Key(values.name, raw, low, step, (high - low) // step + 1, stamps)
    if freq is not None:
        raise TypeError(f"column {values.name!r} must hold timestamps to group by {freq!r}, got {values.dtype}")
    codes, uniques = pd.factorize(values, sort=True)
    return _codes_key(values.name, codes, uniques)


def _on_grid(values: pd.Series, span: pd.Timedelta | None) -> tuple[pd.Series, int | None]:
    """Timestamps in a unit that `span` is a whole number of, and `span` in that unit."""
    if span is None:
        return values, None
    if span % pd.Timedelta(1, values.dt.unit):
        values = values.dt.as_unit("ns")
    return values, int(span // pd.Timedelta(1, values.dt.unit))


def _zoned_key(values: pd.Series, freq: str | None, span: pd.Timedelta | None) -> Key:
    """Zoned timestamps: days, weeks and months are local calendar periods (23 or 25 hours
    across a clock change); shorter periods are floored on the local clock but kept apart as
    instants, so the two 02:00 hours of an autumn night stay two."""
    zone = values.dt.tz
    local = values.dt.tz_localize(None)
    if freq is not None and (span is None or span >= pd.Timedelta(days=1)):
        days = key(local, freq)

        def localized(parts: np.ndarray) -> Any:
            starts = pd.DatetimeIndex(days.labels(parts))
            # A midnight the clock passes twice is the first; one it skips, the next instant.
            return starts.tz_localize(zone, ambiguous=np.ones(len(starts), bool), nonexistent="shift_forward")

        return replace(days, labels=localized)
    values, step = _on_grid(values, span)
    local, _ = _on_grid(local, span)
    unit = values.dt.unit
    instants = np.asarray(values.array.asi8, dtype=np.int64)
    if step is not None:
        instants = instants - np.mod(np.asarray(local.array.asi8, dtype=np.int64), step)
    uniques, codes = np.unique(instants, return_inverse=True)

    def stamps(parts: np.ndarray) -> Any:
        return pd.DatetimeIndex(uniques[parts].astype(f"datetime64[{unit}]")).tz_localize("UTC").tz_convert(zone)

    return Key(values.name, codes.astype(np.int64), 0, 1, len(uniques), stamps)


#: Offset aliases of calendar periods, as period aliases ("MS" and "ME" both mean months).
_PERIODS = {"MS": "M", "ME": "M", "QS": "Q", "QE": "Q", "YS": "Y", "YE": "Y"}


def _span(freq: str) -> pd.Timedelta | None:
    """The span of a fixed frequency ("D", "h", "30min"); None for calendar ones ("W", "M").
    A frequency that is unknown, zero or negative is an error naming it."""
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError):
        offset = None
    if isinstance(offset, (pd.offsets.Day, pd.offsets.Tick)):
        if offset.n <= 0:
            raise ValueError(f"freq must be a positive period, got {freq!r:.40}")
        # A calendar day in pandas 3; on naive stamps (and local clocks) 24 h.
        return pd.Timedelta(days=offset.n) if isinstance(offset, pd.offsets.Day) else pd.Timedelta(offset.nanos, "ns")
    try:
        pd.Period("2026-01-01", freq=_PERIODS.get(freq, freq))
    except (ValueError, TypeError):
        raise ValueError(
            f"freq must be a positive pandas frequency such as 'D', 'W', 'M' or '30min', got {freq!r:.40}"
        ) from None
    return None


def constant_key(length: int) -> Key:
    """One group for all rows."""
    return Key(None, np.zeros(length, dtype=np.int64), 0, 1, 1, lambda parts: parts)


Rule = tuple[str, ...]


def _rule_message(rule: Rule, data: pd.DataFrame, row: int, columns: Mapping[str, np.ndarray]) -> str:
    kind, *names = rule
    where = f"at row {shown(data.index[row])}"
    first = names[0]
    got = shown(columns[first][row])
    if kind == "count":
        return f"column {first!r} must be finite and >= 0, got {got} {where}"
    if kind == "at_most":
        return f"column {first!r} must be <= {names[1]}, got {got} {where}"
    return f"column {names[1]!r} must be <= {names[2]} - {first}, got {shown(columns[names[1]][row])} {where}"


def reduce(
    data: pd.DataFrame,
    group: Sequence[Key],
    columns: Mapping[str, np.ndarray],
    sums: Mapping[str, str | tuple[str, ...]],
    maxima: Mapping[str, str] | None = None,
    *,
    rules: Sequence[Rule] = (),
    unique: Sequence[Key] = (),
    on_invalid: str = "raise",
) -> tuple[pd.DataFrame, np.ndarray]:
    """Checks the rows of `data` and totals terms of `columns` per group, in one Rust pass.

    `sums` maps each output to a column name, ("product", a, b) or ("positive", a) (rows with
    a > 0); `maxima` maps outputs to columns. `rules` name columns: ("count", c),
    ("at_most", a, b), ("sum_at_most", a, b, c). `unique` keys must not repeat. Returns one
    row per non-empty group, sorted by the keys ("rows" counts its rows), and the positions of
    the rows left out with on_invalid="nan"."""
    check_on_invalid(on_invalid)
    maxima = maxima or {}
    group = list(group) or [constant_key(len(data))]
    # The kernel's totals are dense over the key space (and its repeat check a bit per key):
    # memory must grow with the rows, never with the span of the keys ("1s" over years).
    room = max(len(data), 1 << 16)
    if _space(group) > room:
        group = [_compact(group)]
    if _space(unique) > 64 * room:
        check_unique(data, [k.name for k in unique])
        unique = []
    position = {name: j for j, name in enumerate(columns)}

    def term(spec: str | tuple[str, ...]) -> tuple[str, int, int]:
        kind, *names = ("column", spec) if isinstance(spec, str) else spec
        at = [position[n] for n in names]
        return kind, at[0], at[-1]

    args = [
        [k.spec() for k in group],
        [k.spec(exact=True) for k in unique],
        [np.ascontiguousarray(v, dtype=np.float64) for v in columns.values()],
        [term(spec) for spec in sums.values()],
        [position[c] for c in maxima.values()],
        [(kind, *[position[n] for n in names], 0, 0)[:4] for kind, *names in rules],
        on_invalid == "nan",
    ]
    try:
        summed, peaks, counts, invalid = reduce_kernel(*args)
    except ValueError as err:
        kind, row, detail = err.args if len(err.args) == 3 else ("", 0, 0)
        if kind == "broken":
            raise ValueError(_rule_message(rules[detail], data, row, columns)) from None
        if kind == "duplicate":
            names = ", ".join(str(k.name) for k in unique)
            values = ", ".join(f"{k.name}={shown(data[k.name].iloc[row])}" for k in unique)
            again = f"appears again at row {shown(data.index[row])}"
            raise ValueError(f"duplicate rows for ({names}): {values} {again}") from None
        if (kind == "off_grid" and detail >= len(group)) or (kind == "too_many" and detail == 1):
            # Timestamps off the interval grid, or too sparse for the kernel: check uniqueness
            # the slow way, then total.
            check_unique(data, [k.name for k in unique])
            return reduce(data, group, columns, sums, maxima, rules=rules, on_invalid=on_invalid)
        if kind == "too_many":
            merged = [_compact(group)]
            return reduce(data, merged, columns, sums, maxima, rules=rules, unique=unique, on_invalid=on_invalid)
        raise
    present = np.flatnonzero(counts > 0)
    out = pd.DataFrame(summed[present], index=_index(group, present), columns=list(sums))
    for j, name in enumerate(maxima):
        out[name] = peaks[present, j]
    out["rows"] = counts[present]
    return out, invalid


def _space(keys: Sequence[Key]) -> int:
    return math.prod(max(k.size, 1) for k in keys) if keys else 0


def _index(group: Sequence[Key], present: np.ndarray) -> pd.Index:
    if group[0].compacted:
        return group[0].labels(present)
    return _labels(group, np.unravel_index(present, [max(k.size, 1) for k in group]), len(present))


def _labels(group: Sequence[Key], parts: Sequence[np.ndarray], count: int) -> pd.Index:
    """The index of groups whose part of each key is `parts`."""
    named = [k for k in group if k.name is not None]
    if not named:
        return pd.RangeIndex(count) if group[0].size == 1 else pd.Index(parts[0])
    arrays = [k.labels(p) for k, p in zip(group, parts) if k.name is not None]
    if len(arrays) == 1:
        return pd.Index(arrays[0], name=named[0].name)
    return pd.MultiIndex.from_arrays(arrays, names=[k.name for k in named])


def _compact(group: Sequence[Key]) -> Key:
    """Keys whose dense code space would outgrow the rows, as one key over the groups present
    (in the same order)."""
    stacked = np.stack([(k.values - k.offset) // k.step for k in group])
    observed, codes = np.unique(stacked, axis=1, return_inverse=True)

    def merged(parts: np.ndarray) -> Any:
        return _labels(group, list(observed[:, parts]), len(parts))

    return Key(tuple(k.name for k in group), codes.reshape(-1).astype(np.int64), 0, 1, observed.shape[1], merged, True)


def combine(data: pd.DataFrame, sums: Sequence[str], maxima: Sequence[str] = ()) -> pd.DataFrame:
    """Rows of partial totals combined per group, the group keys being the named index levels
    or else the columns that are neither `sums` nor `maxima`. Sums are added, NaN if any part
    is NaN (an unknown part leaves the total unknown, as in the kernel); maxima ignore NaN,
    as the kernel's do."""
    if any(name is not None for name in data.index.names):
        data = data.reset_index()
    keys = [data[c] for c in data.columns if c not in sums and c not in maxima]
    whole = not keys
    if whole:
        keys = [pd.Series(np.zeros(len(data), dtype=np.int64), index=data.index)]
    grouped = data.groupby(keys, sort=True, dropna=False, observed=True)
    unknown = data[list(sums)].isna().groupby(keys, sort=True, dropna=False, observed=True).any()
    out = grouped[list(sums)].sum().mask(unknown)
    for name in maxima:
        out[name] = grouped[name].max()
    return out.reset_index(drop=True) if whole else out


class SeenKeys:
    """The (series, interval) keys of rows streamed in chunks, to find a row repeated in a
    later chunk (each chunk's own repeats are found as it is read); a series is one value of
    the `series` columns together (a queue, or a site and a queue). While every series' times
    rise in file order, as in most files, no key can repeat and only each series' last time
    is kept; otherwise :meth:`check` reads the key columns again and sorts them (12 bytes a
    row). Rows are numbered in order across the chunks, from 1."""

    def __init__(self, series: Sequence[str], interval: str):
        self.series, self.interval = list(series), interval
        self._ids: dict[tuple[Any, ...], int] = {}
        self._last = np.empty(0, dtype=np.int64)  # each series' latest time so far
        self.ordered = True

    def _keys(self, chunk: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Series ids (the same in every chunk) and times as UTC nanoseconds."""
        present = [c for c in self.series if c in chunk.columns]
        if present:
            codes, uniques = pd.factorize(pd.MultiIndex.from_frame(chunk[present]))
            ids = np.array(
                [self._ids.setdefault(tuple(zip(present, u)), len(self._ids)) for u in uniques], dtype=np.int64
            )
            codes = ids[codes] if len(ids) else codes.astype(np.int64)
        else:
            codes = np.zeros(len(chunk), dtype=np.int64)
        times = chunk[self.interval]
        if isinstance(times.dtype, pd.DatetimeTZDtype):  # zoned: the instant decides, not the wall clock
            times = times.dt.tz_convert("UTC").dt.tz_localize(None)
        return codes, times.to_numpy().astype("datetime64[ns]").view(np.int64)

    def add(self, chunk: pd.DataFrame) -> None:
        if not self.ordered or self.interval not in chunk.columns or not len(chunk):
            return  # unordered: check() reads the keys again; no intervals: nothing to repeat
        codes, times = self._keys(chunk)
        size = max(len(self._ids), 1)
        if len(self._last) < size:  # new series have no time yet
            self._last = np.concatenate([self._last, np.full(size - len(self._last), np.iinfo(np.int64).min)])
        order = np.argsort(codes, kind="stable")  # each series' rows, in file order
        codes, times = codes[order], times[order]
        same = codes[1:] == codes[:-1]
        first = np.concatenate([[True], ~same])
        if np.any(same & (times[1:] <= times[:-1])) or np.any(times[first] <= self._last[codes[first]]):
            self.ordered = False
            return
        final = np.concatenate([~same, [True]])
        self._last[codes[final]] = times[final]

    def check(self, again: Callable[[], Iterable[pd.DataFrame]]) -> None:
        """Raises naming the first repeated key and both of its rows; `again` reads the key
        columns of the same rows once more, in chunks."""
        if self.ordered:
            return
        parts = [self._keys(chunk) for chunk in again() if self.interval in chunk.columns]
        codes, times = (np.concatenate(k) for k in zip(*parts))
        order = np.lexsort((times, codes))
        codes, times = codes[order], times[order]
        repeated = (codes[1:] == codes[:-1]) & (times[1:] == times[:-1])
        if repeated.any():
            at = int(np.argmax(repeated))
            rows = sorted((int(order[at]) + 1, int(order[at + 1]) + 1))
            series = {v: k for k, v in self._ids.items()}.get(int(codes[at]), ())
            where = ", ".join(f"{k}={shown(v)}" for k, v in (*series, (self.interval, pd.Timestamp(int(times[at])))))
            raise ValueError(f"duplicate rows for ({where}) at rows {rows[0]} and {rows[1]}")


def check_unique(data: pd.DataFrame, keys: Sequence[str]) -> None:
    duplicated = data.duplicated(subset=list(keys), keep="first").to_numpy()
    if duplicated.any():
        row = int(np.argmax(duplicated))
        where = ", ".join(f"{k}={shown(data[k].iloc[row])}" for k in keys)
        again = f"appears again at row {shown(data.index[row])}"
        raise ValueError(f"duplicate rows for ({', '.join(keys)}): {where} {again}")


def ratio(numerator: np.ndarray | pd.Series, denominator: np.ndarray | pd.Series) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is 0 (no calls: no service level)."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
