"""Files at the edge of the command line: CSV or Parquet read in chunks, with errors that name
the file, the row and the column; outputs written whole or not at all."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
#: Compressed CSV, by the suffix after ".csv", and the standard-library opener of each.
COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
#: A UTC offset at the end of an ISO 8601 timestamp: "Z", "+01:00", "-0500".
WALL_CLOCK_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
#: How a CSV may say that a number is missing (pandas' default list).
MISSING_NUMBERS = (
    *("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN"),
    *("<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"),
)
#: The output path that means "CSV on standard output".
STDOUT = "-"

Progress = Callable[[int, int], None]


class FileError(ValueError):
    """A file that cannot be used; the message names the file (and the row and column)."""


def _suffixes(path: str | Path) -> tuple[str, str | None]:
    """The format's suffix and a compression suffix: ".csv.gz" -> (".csv", ".gz")."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if len(suffixes) >= 2 and suffixes[-1] in COMPRESSED and suffixes[-2] == ".csv":
        return ".csv", suffixes[-1]
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


def _timestamps(raw: pd.Series, tz: str | None) -> tuple[pd.Series, pd.Series]:
    """Text parsed as timestamps, and which values are bad. Without `tz`, wall-clock times: a
    UTC offset is dropped, so intervals and days are the local ones. With `tz`, times in that
    zone: an offset fixes the instant (the fall-back hour's two intervals stay apart), a time
    without one is that zone's wall-clock time."""
    text = raw.astype("string")
    offset = text.str.contains(WALL_CLOCK_OFFSET, regex=True).fillna(False).astype(bool)
    if tz is None:
        if offset.any() and text[offset].str.extract(f"({WALL_CLOCK_OFFSET})", expand=False).nunique() > 1:
            warnings.warn(
                "the timestamps' UTC offsets change (daylight saving): they are taken as wall-clock times; "
                "give --tz ZONE to keep the two intervals of a fall-back hour apart",
                UserWarning,
                stacklevel=3,
            )
        parsed = pd.to_datetime(text.str.replace(WALL_CLOCK_OFFSET, "", regex=True), errors="coerce", format="ISO8601")
        return parsed, parsed.isna() & raw.notna()
    parsed = pd.Series(pd.NaT, index=raw.index, dtype=f"datetime64[ns, {tz}]")
    if offset.any():
        parsed[offset] = pd.to_datetime(text[offset], errors="coerce", format="ISO8601", utc=True).dt.tz_convert(tz)
    if (~offset).any():
        wall = pd.to_datetime(text[~offset], errors="coerce", format="ISO8601")
        parsed[~offset] = wall.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    return parsed, parsed.isna() & raw.notna()


def _typed(
    chunk: pd.DataFrame, path: str | Path, timestamps: Sequence[str], numbers: Sequence[str], tz: str | None
) -> pd.DataFrame:
    """The chunk with timestamp columns parsed and number columns as float64, or an error at
    the first value that is neither. Rows are labelled by their number in the file, from 1."""
    for column in (c for c in timestamps if c in chunk.columns):
        raw = chunk[column]
        if isinstance(raw.dtype, pd.DatetimeTZDtype):  # a zoned Parquet column: its instants
            chunk[column] = raw if tz is None else raw.dt.tz_convert(tz)
            continue
        if pd.api.types.is_datetime64_any_dtype(raw):
            chunk[column] = raw if tz is None else raw.dt.tz_localize(tz)
            continue
        parsed, bad = _timestamps(raw, tz)
        missing = raw.isna().to_numpy()
        if bad.any() or missing.any():
            row = int(np.argmax(bad.to_numpy() | missing))
            value = raw.iloc[row]
            if pd.isna(value):
                what = "a missing timestamp"
            elif tz is not None and not pd.isna(pd.to_datetime(str(value), errors="coerce", format="ISO8601")):
                what = f"{value!r} is ambiguous or does not exist in {tz}: write its UTC offset"
            else:
                what = f"{value!r} is not an ISO 8601 timestamp"
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
                parsed = pd.to_numeric(raw, errors="coerce")
            row = _first_bad(raw, parsed)
            if row is not None:
                raise FileError(f"{path}: row {chunk.index[row]}, column {column!r}: {raw.iloc[row]!r} is not a number")
            chunk[column] = parsed.astype(np.float64)
    return chunk


def read_chunks(
    path: str | Path,
    *,
    chunk_rows: int,
    timestamps: Sequence[str] = (),
    numbers: Sequence[str] = (),
    progress: Progress | None = None,
    tz: str | None = None,
    columns: Sequence[str] | None = None,
) -> Iterator[pd.DataFrame]:
    """The rows of a CSV or Parquet file, `chunk_rows` at a time, as pandas frames indexed by
    row number (from 1, the header not counted); in CSV every column but `numbers` is text;
    `timestamps` are wall-clock times, or times in the zone `tz` (see :func:`_timestamps`).
    `progress(done, total)` is told bytes (CSV) or rows (Parquet) as they are read; `columns`
    reads only those of them the file has."""
    kind = file_format(path)
    if not Path(path).is_file():
        raise FileError(f"{path}: no such file")
    start = 1
    try:
        if kind == "parquet":
            source = pq.ParquetFile(path)
            total = source.metadata.num_rows
            wanted = None if columns is None else [c for c in source.schema_arrow.names if c in columns]
            for batch in source.iter_batches(batch_size=chunk_rows, columns=wanted):
                chunk = batch.to_pandas()
                chunk.index = pd.RangeIndex(start, start + len(chunk))
                start += len(chunk)
                yield _typed(chunk, path, timestamps, numbers, tz)
                if progress:
                    progress(start - 1, total)
            return
        total = os.path.getsize(path)
        with open(path, "rb") as handle, _packed(path, handle, "rb") as decoded:
            header = pd.read_csv(decoded, nrows=0, index_col=False, encoding="utf-8-sig").columns
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
                index_col=False,
                encoding="utf-8-sig",
                usecols=None if columns is None else [c for c in header if c in columns],
            )
            for chunk in reader:
                chunk.index = pd.RangeIndex(start, start + len(chunk))
                start += len(chunk)
                yield _typed(chunk, path, timestamps, numbers, tz)
                if progress:
                    progress(handle.tell(), total)
    except pd.errors.EmptyDataError:
        raise FileError(f"{path}: the file is empty") from None
    except pd.errors.ParserError as err:
        raise FileError(f"{path}: not a readable CSV file: {str(err).strip().splitlines()[-1]}") from None
    except UnicodeDecodeError:
        raise FileError(f"{path}: not UTF-8 text near row {start}") from None
    except (pa.ArrowException, OSError, EOFError, lzma.LZMAError) as err:  # EOFError: a truncated .gz
        raise FileError(f"{path}: not a readable {kind} file: {err}") from None


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


class Output:
    """A CSV or Parquet output written in pieces and put in place only when all went well
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
        self.rows = 0

    def __enter__(self) -> Output:
        if str(self.path) == STDOUT:
            self._handle = sys.stdout
            return self
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
        if self.kind == "csv":
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
