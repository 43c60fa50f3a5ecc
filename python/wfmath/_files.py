"""Files at the edge of the command line: CSV, TSV, Parquet or Excel read in chunks, with errors
that name the file, the row and the column; outputs written whole or not at all."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import re
import sys
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx"}
#: Compressed CSV (or TSV), by the suffix after ".csv", and the standard-library opener of each.
COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
#: A UTC offset at the end of an ISO 8601 timestamp: "Z", "+01:00", "-0500".
WALL_CLOCK_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
#: How a CSV may say that a number is missing (pandas' default list).
MISSING_NUMBERS = (
    *("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN"),
    *("<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"),
)
#: A handle time written as a clock: "4:30" (minutes and seconds) or "1:04:30" (hours too).
CLOCK = r"^\s*(?:(\d+):)?(\d+):([0-5]\d(?:\.\d*)?)\s*$"
#: Separators a one-column header may hide, and how to give each.
SEPARATORS = {";": "';'", "\t": "'\\t'", "|": "'|'"}
#: Rows an Excel sheet holds, the header's among them.
EXCEL_ROWS = 1_048_576
#: The output path that means "CSV on standard output".
STDOUT = "-"

Progress = Callable[[int, int], None]


class FileError(ValueError):
    """A file that cannot be used; the message names the file (and the row and column)."""


@dataclass(frozen=True)
class Layout:
    """How a file writes its rows. `sep` (a CSV's field separator; tab for .tsv when None),
    `decimal` (its decimal mark) and `encoding` are for text files; `date_column` and
    `time_column` hold the date and the time of day of the timestamp column they make (both
    dropped); `date_format` is the strptime format of the timestamps (of the date and time
    joined by a space when they are apart), ISO 8601 when None."""

    sep: str | None = None
    decimal: str = "."
    encoding: str = "utf-8-sig"
    date_column: str | None = None
    time_column: str | None = None
    date_format: str | None = None


def cut(value: object, width: int = 40) -> str:
    """A value as Python prints it, cut to about `width` characters: a huge field stays out of a message."""
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= width else f"{text[: width - 5]}...{text[-2:]}"


def _suffixes(path: str | Path) -> tuple[str, str | None]:
    """The format's suffix and a compression suffix: ".csv.gz" -> (".csv", ".gz")."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if len(suffixes) >= 2 and suffixes[-1] in COMPRESSED and suffixes[-2] in (".csv", ".tsv"):
        return suffixes[-2], suffixes[-1]
    return (suffixes[-1] if suffixes else ""), None


def file_format(path: str | Path) -> str:
    suffix, _ = _suffixes(path)
    if suffix not in FORMATS:
        known = ", ".join([*sorted(FORMATS), *(f".csv{c}" for c in COMPRESSED)])
        raise FileError(f"{path}: unknown file type {suffix or '(none)'!r}; use one of {known}")
    return FORMATS[suffix]


def _packed(path: str | Path, raw: IO[bytes], mode: str) -> IO[bytes]:
    """`raw` through the (de)compressor its name asks for (".csv.gz", ".csv.bz2", ".csv.xz")."""
    opener = COMPRESSED.get(_suffixes(path)[1] or "")
    return raw if opener is None else opener(raw, mode)


def _first_bad(raw: pd.Series, parsed: pd.Series) -> int | None:
    """The position of the first value that was given but did not parse."""
    bad = (parsed.isna() & raw.notna()).to_numpy()
    return int(np.argmax(bad)) if bad.any() else None


def _parsed(text: pd.Series, date_format: str | None) -> pd.Series:
    """Text as naive timestamps, NaT where it does not parse."""
    return pd.to_datetime(text, errors="coerce", format=date_format or "ISO8601")


def _timestamps(raw: pd.Series, tz: str | None, date_format: str | None) -> tuple[pd.Series, pd.Series]:
    """Text parsed as timestamps, and which values are bad. Without `tz`, wall-clock times: a
    UTC offset is dropped, so intervals and days are the local ones. With `tz`, times in that
    zone: an offset fixes the instant (the fall-back hour's two intervals stay apart), a time
    without one is that zone's wall-clock time."""
    text = raw.astype("string")
    offset = text.str.contains(WALL_CLOCK_OFFSET, regex=True).fillna(False).astype(bool)
    if date_format is not None:  # local times in the user's layout: no offsets to read
        offset[:] = False
    if tz is None:
        if offset.any() and text[offset].str.extract(f"({WALL_CLOCK_OFFSET})", expand=False).nunique() > 1:
            warnings.warn(
                "the timestamps' UTC offsets change (daylight saving): they are taken as wall-clock times; "
                "give --tz ZONE to keep the two intervals of a fall-back hour apart",
                UserWarning,
                stacklevel=3,
            )
        wall = text.str.replace(WALL_CLOCK_OFFSET, "", regex=True) if offset.any() else text
        parsed = _parsed(wall, date_format)
        return parsed, parsed.isna() & raw.notna()
    parsed = pd.Series(pd.NaT, index=raw.index, dtype=f"datetime64[ns, {tz}]")
    if offset.any():
        parsed[offset] = pd.to_datetime(text[offset], errors="coerce", format="ISO8601", utc=True).dt.tz_convert(tz)
    if (~offset).any():
        wall = _parsed(text[~offset], date_format)
        parsed[~offset] = wall.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    return parsed, parsed.isna() & raw.notna()


def _joined(chunk: pd.DataFrame, name: str, layout: Layout) -> pd.DataFrame:
    """The chunk with its date and time columns made into the timestamp column `name`, where
    the date column was."""
    date, time = (chunk[c].astype("string").str.strip() for c in (layout.date_column, layout.time_column))
    joined = date + " " + time
    out = chunk.drop(columns=[layout.date_column, layout.time_column])
    out.insert(min(chunk.columns.get_loc(layout.date_column), len(out.columns)), name, joined)
    return out


def _number(raw: pd.Series, decimal: str, clock: bool) -> pd.Series:
    """Text as numbers, with the file's decimal mark; with `clock`, also a duration written as
    a clock (4:30, 1:04:30) read as seconds. NaN where none of these."""
    text = raw.astype("string").str.strip()
    if decimal != ".":
        text = text.str.replace(decimal, ".", regex=False)
    parsed = pd.to_numeric(text, errors="coerce")
    if clock:
        parts = text.str.extract(CLOCK).astype("float64")
        parsed = parsed.where(parsed.notna(), parts[0].fillna(0.0) * 3600.0 + parts[1] * 60.0 + parts[2])
    return parsed


def _typed(
    chunk: pd.DataFrame,
    path: str | Path,
    timestamps: Sequence[str],
    numbers: Sequence[str],
    tz: str | None,
    layout: Layout,
    durations: Sequence[str],
) -> pd.DataFrame:
    """The chunk with timestamp columns parsed and number columns as float64 (`durations` may
    be clocks, see :func:`_number`), or an error at the first value that is neither. Rows are
    labelled by their number in the file, from 1."""
    if layout.date_column is not None and timestamps and layout.date_column in chunk.columns:
        chunk = _joined(chunk, timestamps[0], layout)
    for column in (c for c in timestamps if c in chunk.columns):
        raw = chunk[column]
        if isinstance(raw.dtype, pd.DatetimeTZDtype):  # a zoned Parquet column: its instants
            chunk[column] = raw if tz is None else raw.dt.tz_convert(tz)
            continue
        if pd.api.types.is_datetime64_any_dtype(raw):
            chunk[column] = raw if tz is None else raw.dt.tz_localize(tz)
            continue
        parsed, bad = _timestamps(raw, tz, layout.date_format)
        missing = raw.isna().to_numpy()
        if bad.any() or missing.any():
            row = int(np.argmax(bad.to_numpy() | missing))
            value = raw.iloc[row]
            if pd.isna(value):
                what = "a missing timestamp"
            elif tz is not None and not pd.isna(_parsed(pd.Series([str(value)]), layout.date_format)[0]):
                what = f"{cut(value)} is ambiguous or does not exist in {tz}: write its UTC offset"
            elif layout.date_format is not None:
                what = f"{cut(value)} does not match --date-format {layout.date_format!r}"
            else:
                what = f"{cut(value)} is not an ISO 8601 timestamp (give --date-format for another layout)"
            raise FileError(f"{path}: row {chunk.index[row]}, column {column!r}: {what}")
        chunk[column] = parsed
    for column in numbers:
        if column in chunk.columns and chunk[column].dtype != np.float64:
            raw = chunk[column]
            if pd.api.types.is_bool_dtype(raw) or raw.dtype.kind in "mM":  # no count is a truth, a date or a span
                parsed = pd.Series(np.nan, index=raw.index)
            elif pd.api.types.is_numeric_dtype(raw):
                parsed = raw
            else:
                parsed = _number(raw, layout.decimal, column in durations)
            row = _first_bad(raw, parsed)
            if row is not None:
                what = "a number or a duration such as 4:30" if column in durations else "a number"
                raise FileError(
                    f"{path}: row {chunk.index[row]}, column {column!r}: {cut(raw.iloc[row])} is not {what}"
                )
            chunk[column] = parsed.astype(np.float64)
    return chunk


def _checked_header(
    path: str | Path, header: Sequence[str], layout: Layout, required: Sequence[str], timestamps: Sequence[str]
) -> None:
    """Refuses a header with a name twice, a separator other than the one read with, or
    without a column that is needed (naming the columns it has)."""
    names = [str(c) for c in header]
    twice = next((c for i, c in enumerate(names) if c in names[:i]), None)
    if twice is not None:
        raise FileError(f"{path}: the header names the column {cut(twice)} twice: rename one")
    if layout.sep is None and len(names) == 1:
        hidden = next((sep for sep in SEPARATORS if sep in names[0]), None)
        if hidden is not None:
            raise FileError(f"{path}: looks {SEPARATORS[hidden]}-separated: give --sep {SEPARATORS[hidden]}")
    joined = [layout.date_column, layout.time_column] if layout.date_column is not None and timestamps else []
    missing = [c for c in [*joined, *required] if c not in names and not (joined and c == timestamps[0])]
    if missing:
        shown = ", ".join(cut(c) for c in names[:12]) + (", ..." if len(names) > 12 else "")
        raise FileError(f"{path}: no column {cut(missing[0])}; the columns are {shown}")


def _data_row(path: str | Path, line: int, layout: Layout) -> int:
    """The data row on a CSV's `line` (from 1, as its parser counts): blank lines and the header
    are no rows."""
    with open(path, "rb") as handle, _packed(path, handle, "rb") as decoded:
        text = io.TextIOWrapper(decoded, encoding=layout.encoding, errors="replace", newline="")
        return sum(1 for _, content in zip(range(line), text) if content.strip()) - 1


def _separator(path: str | Path, layout: Layout) -> str:
    return layout.sep if layout.sep is not None else "\t" if _suffixes(path)[0] == ".tsv" else ","


def read_chunks(
    path: str | Path,
    *,
    chunk_rows: int,
    timestamps: Sequence[str] = (),
    numbers: Sequence[str] = (),
    progress: Progress | None = None,
    tz: str | None = None,
    columns: Sequence[str] | None = None,
    layout: Layout = Layout(),
    required: Sequence[str] = (),
    durations: Sequence[str] = (),
) -> Iterator[pd.DataFrame]:
    """The rows of a CSV, TSV, Parquet or Excel file, `chunk_rows` at a time, as pandas frames
    indexed by row number (from 1, the header not counted); in text every column but
    `numbers` is text (`durations` among them may be clocks, 4:30); `timestamps` are
    wall-clock times, or times in the zone `tz` (see :func:`_timestamps`); `layout` says how
    the file writes them (see :class:`Layout`).
    `progress(done, total)` is told bytes (CSV) or rows (Parquet, Excel) as they are read;
    `columns` reads only those of them the file has (the date and time columns for the
    first timestamp column); a `required` column the file lacks is an error (the first
    timestamp column may come from the date and time columns)."""
    kind = file_format(path)
    if not Path(path).is_file():
        raise FileError(f"{path}: no such file")
    wanted = None if columns is None else list(columns)
    if wanted is not None and layout.date_column is not None and timestamps and timestamps[0] in wanted:
        wanted += [layout.date_column, layout.time_column]
    start = 1
    try:
        if kind == "xlsx":
            yield from _excel_chunks(
                path, chunk_rows, (timestamps, numbers, durations), progress, tz, wanted, layout, required
            )
            return
        if kind == "parquet":
            source = pq.ParquetFile(path)
            _checked_header(path, source.schema_arrow.names, layout, required, timestamps)
            total = source.metadata.num_rows
            read = None if wanted is None else [c for c in source.schema_arrow.names if c in wanted]
            for batch in source.iter_batches(batch_size=chunk_rows, columns=read):
                chunk = batch.to_pandas()
                chunk.index = pd.RangeIndex(start, start + len(chunk))
                start += len(chunk)
                yield _typed(chunk, path, timestamps, numbers, tz, layout, durations)
                if progress:
                    progress(start - 1, total)
            return
        total = os.path.getsize(path)
        text = {"sep": _separator(path, layout), "encoding": layout.encoding, "index_col": False}
        with open(path, "rb") as handle, _packed(path, handle, "rb") as decoded:
            first = pd.read_csv(decoded, nrows=1, header=None, dtype=str, keep_default_na=False, **text)
        header = [str(c) for c in first.iloc[0]] if len(first) else []
        _checked_header(path, header, layout, required, timestamps)
        # Every column but the numbers is text, read the same way in every chunk ("001" stays
        # "001"); in text only an empty field is missing, so a queue may be called "NA" or
        # "None", while a number may also be missing as "NA", "NULL", "NaN", ...
        text_columns = {c: str for c in header if c not in numbers}
        missing = {c: [""] if c in text_columns else list(MISSING_NUMBERS) for c in header}
        with open(path, "rb") as handle, _packed(path, handle, "rb") as decoded:
            reader = pd.read_csv(
                decoded,
                chunksize=chunk_rows,
                dtype=text_columns,
                keep_default_na=False,
                na_values=missing,
                decimal=layout.decimal,
                usecols=None if wanted is None else [c for c in header if c in wanted],
                **text,
            )
            for chunk in reader:
                chunk.index = pd.RangeIndex(start, start + len(chunk))
                start += len(chunk)
                yield _typed(chunk, path, timestamps, numbers, tz, layout, durations)
                if progress:
                    progress(handle.tell(), total)
    except pd.errors.EmptyDataError:
        raise FileError(f"{path}: the file is empty") from None
    except pd.errors.ParserError as err:
        ragged = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
        if ragged is None:
            raise FileError(f"{path}: not a readable CSV file: {str(err).strip().splitlines()[-1][:80]}") from None
        expected, line, saw = map(int, ragged.groups())
        row = _data_row(path, line, layout)
        raise FileError(f"{path}: row {row} has {saw} fields where the header has {expected}") from None
    except UnicodeDecodeError:
        encoding = "UTF-8" if layout.encoding == "utf-8-sig" else layout.encoding
        raise FileError(f"{path}: not {encoding} text near row {start}: give its --encoding (e.g. cp1252)") from None
    except (pa.ArrowException, OSError, EOFError, lzma.LZMAError, zlib.error) as err:  # EOFError: a truncated .gz
        raise FileError(f"{path}: not a readable {kind} file: {str(err)[:80]}") from None


def _excel_chunks(
    path: str | Path,
    chunk_rows: int,
    types: tuple[Sequence[str], Sequence[str], Sequence[str]],
    progress: Progress | None,
    tz: str | None,
    wanted: Sequence[str] | None,
    layout: Layout,
    required: Sequence[str],
) -> Iterator[pd.DataFrame]:
    """The first sheet of an Excel file in chunks, as :func:`read_chunks` gives a CSV's: number
    cells of the `types`' numbers as numbers, every other cell as its text (a date or time
    cell as ISO); `types` are the timestamps, numbers and durations."""
    timestamps, numbers, durations = types
    _openpyxl(path, "reading")
    try:
        sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=object, engine="openpyxl")
    except (ValueError, KeyError, zipfile.BadZipFile) as err:
        raise FileError(f"{path}: not a readable xlsx file: {str(err)[:80]}") from None
    if not len(sheet):
        raise FileError(f"{path}: the file is empty")
    header = [str(c) for c in sheet.iloc[0]]
    _checked_header(path, header, layout, required, timestamps)
    data = sheet.iloc[1:].set_axis(header, axis=1)
    data = data[[c for c in header if wanted is None or c in wanted]]
    for column in data.columns:
        values = data[column]
        given = values.notna()
        if column in numbers and values[given].map(lambda v: isinstance(v, (int, float))).all():
            data[column] = values.astype(np.float64)
        else:
            data[column] = values.map(lambda v: v.isoformat(sep=" ") if hasattr(v, "isoformat") else str(v)).where(
                given, None
            )
    for start in range(0, len(data), chunk_rows):
        chunk = data.iloc[start : start + chunk_rows].copy()
        chunk.index = pd.RangeIndex(start + 1, start + 1 + len(chunk))
        yield _typed(chunk, path, timestamps, numbers, tz, layout, durations)
        if progress:
            progress(start + len(chunk), len(data))


@contextmanager
def replaced(path: str | Path) -> Iterator[str]:
    """A temporary path beside `path`, moved onto it when the block succeeds and removed when it
    fails: a failed run leaves no half-written file (and an older file of that name untouched)."""
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise FileError(f"{path}: cannot write: no folder {str(folder)!r}")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{Path(path).name}.", suffix=".part", dir=folder)
    except OSError as err:
        raise FileError(f"{path}: cannot write: {err.strerror}") from None
    os.close(fd)
    try:
        yield temp
    except BaseException:
        os.unlink(temp)
        raise
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)  # as a plainly created file would be, not mkstemp's 0600
    try:
        os.replace(temp, path)
    except OSError as err:  # e.g. a folder of that name
        os.unlink(temp)
        raise FileError(f"{path}: cannot write: {err.strerror}") from None


def _openpyxl(path: str | Path, what: str) -> None:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise FileError(f"{path}: {what} .xlsx needs openpyxl (wfmath's extra xlsx): pip install openpyxl") from None


def _sheet(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The rows for a sheet: zoned times as ISO text with their offsets, which Excel cannot hold."""
    rows = pd.concat(frames) if frames else pd.DataFrame()
    zoned = [c for c in rows.columns if isinstance(rows[c].dtype, pd.DatetimeTZDtype)]
    return rows.assign(**{c: rows[c].map(lambda v: v.isoformat()) for c in zoned}) if zoned else rows


class Output:
    """A CSV, Parquet or Excel output written in pieces and put in place only when all went well
    (see :func:`replaced`); ``-`` writes CSV to standard output.

    Each piece is written on a background thread while the caller computes the next (Arrow's
    writer and the Rust core both run without the GIL); at most one piece waits."""

    def __init__(self, path: str | Path):
        self.path = path
        self.kind = "csv" if str(path) == STDOUT else file_format(path)
        self._stack = ExitStack()
        self._handle: IO[str] | None = None
        self._temp: str | None = None
        self._writer: pq.ParquetWriter | None = None
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="wfmath-output")
        self._pending: Future[None] | None = None
        self._frames: list[pd.DataFrame] = []
        self.rows = 0

    def __enter__(self) -> Output:
        if str(self.path) == STDOUT:
            self._handle = sys.stdout
            return self
        if self.kind == "xlsx":
            _openpyxl(self.path, "writing")
        self._temp = self._stack.enter_context(replaced(self.path))
        if self.kind == "csv":
            binary = self._stack.enter_context(open(self._temp, "wb"))
            packed = self._stack.enter_context(_packed(self.path, binary, "wb"))
            self._handle = self._stack.enter_context(io.TextIOWrapper(packed, encoding="utf-8", newline=""))
        return self

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def write(self, frame: pd.DataFrame) -> None:
        self._wait()
        if self.kind == "xlsx":  # a workbook is written whole, at the end
            if self.rows + len(frame) >= EXCEL_ROWS:
                raise FileError(f"{self.path}: more rows than a sheet holds ({EXCEL_ROWS:,}): write .csv or .parquet")
            self._frames.append(frame)
        elif self.kind == "csv":
            options = dict(header=self.rows == 0, index=False, date_format="%Y-%m-%dT%H:%M:%S%z")
            self._pending = self._pool.submit(frame.to_csv, self._handle, **options)
        else:
            table = pa.Table.from_pandas(frame, preserve_index=False, schema=self._writer and self._writer.schema)
            if self._writer is None:
                self._writer = pq.ParquetWriter(self._temp, table.schema)
            self._pending = self._pool.submit(self._writer.write_table, table)
        self.rows += len(frame)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        late = None
        try:
            self._wait()
            if self._writer is not None:
                self._writer.close()
            elif error is None and self.kind == "xlsx" and self._temp is not None:
                with open(self._temp, "wb") as sheet:  # a handle: pandas judges a path by its suffix, ".part"
                    _sheet(self._frames).to_excel(sheet, index=False, engine="openpyxl")
            elif error is None and self.kind == "parquet" and self._temp is not None:
                pq.write_table(pa.table({}), self._temp)  # no rows: still a valid, empty file
        except BaseException as err:  # a failed write: the output must not be put in place
            late = err
        self._pool.shutdown()
        if late is not None and error is None:
            kind, error, trace = type(late), late, late.__traceback__
        self._stack.__exit__(kind, error, trace)
        if late is not None:
            raise late
