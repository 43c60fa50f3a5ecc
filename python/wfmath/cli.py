"""The ``wfmath`` command: plan staff from a forecast file, size one interval, roll up ACD
actuals and browse the KPI catalog.

Files stream through in chunks, so a forecast larger than memory works; outputs appear only
when a run succeeds. Bad input ends the run with exit code 2 and one line naming the file,
the row and the column, never a traceback.
"""

from __future__ import annotations

import calendar as calendar_module
import functools
import json
import math
import os
import re
import signal
import sys
import time
import warnings
import zoneinfo
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd
from rich import box
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TaskProgressColumn, TimeRemainingColumn
from rich.table import Table

import wfmath
from wfmath import _files
from wfmath._tables import SeenKeys, resolve_columns
from wfmath.actuals import ACTUAL_COLUMNS
from wfmath.plans import PLAN_COLUMNS, PLAN_FIGURES, interval_seconds_by_queue

SL_DEFINITIONS = ("answered", "offered", "excl_short_abandons", "short_abandons_ok", "virtual")
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
DEFAULT_CHUNK_ROWS = 500_000
TARGET = "NUMBER|COLUMN"
#: How a printed roll-up's title names its period.
PERIOD_NAMES = {"D": "daily", "W": "weekly", "M": "monthly", "Q": "quarterly", "Y": "yearly", None: "whole-span"}
TABLE_ENDS = 50  # rows shown at each end of a long printed table
#: The keywords of the target options, as wfmath.plan takes them.
TARGETS = (
    "sl_target",
    "threshold_seconds",
    "asa_target_seconds",
    "max_occupancy",
    "shrinkage",
    "patience_seconds",
    "sl_definition",
    "abandon_target",
)
#: Targets that may also come as columns of the forecast, by the name plan() looks for.
OPTION_COLUMNS = tuple(name for name in TARGETS if name != "sl_definition")


class UserError(click.ClickException):
    """Bad input: one line on standard error and exit code 2."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


@contextmanager
def user_errors(source: str | Path | None = None) -> Iterator[None]:
    """Errors the user can mend (bad values, unusable files) become a UserError, named after
    `source` when not yet named. Any other error (a TypeError, a KeyError) is a bug: it keeps
    its traceback."""
    try:
        yield
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as other tools do
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 nothing more is written
        raise SystemExit(0) from None
    except _files.FileError as err:
        raise UserError(str(err)) from None
    except (ValueError, OSError, EOFError) as err:
        text = _in_option_words(err)
        raise UserError(text if isinstance(err, OSError) or source is None else f"{source}: {text}") from None


def _in_option_words(err: BaseException) -> str:
    """The message of an engine error (an InvalidInputError, or an error raised from one) in
    the command's words: the parameters it names are named as the options that set them
    (`--sl`, not `sl_target`); a quoted name is a column's, and stays."""
    message = str(err)
    engine = any(isinstance(e, wfmath.InvalidInputError) for e in (err, err.__cause__))
    context = click.get_current_context(silent=True)
    if not engine or context is None:
        return message
    options = {p.name: max(p.opts, key=len) for p in context.command.params if isinstance(p, click.Option)}
    return re.sub(r"(?<![\w'])\w+(?![\w'])", lambda word: options.get(word[0], word[0]), message)


def _number_or_column(ctx: click.Context, param: click.Parameter, value: str | None) -> float | str | None:
    """A target given as a number for every row, or as the name of a column holding one per row."""
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return value


def _renames(
    roles: Mapping[str, str], ctx: click.Context, param: click.Parameter, values: Sequence[str]
) -> dict[str, str]:
    pairs = {}
    for item in values:
        role, sep, column = item.partition("=")
        if not sep or not role or not column:
            raise click.BadParameter(f"expected ROLE=COLUMN, got {item!r}")
        if role not in roles:
            raise click.BadParameter(f"unknown role {role!r}; the roles are {', '.join(roles)}")
        pairs[role] = column
    return pairs


def _column_option(roles: Mapping[str, str]) -> Callable[[Any], Any]:
    """--column ROLE=COLUMN, its help listing the roles and their default columns."""
    listed = ", ".join(role if role == column else f"{role} ({column})" for role, column in roles.items())
    return click.option(
        "--column",
        "renames",
        multiple=True,
        callback=partial(_renames, roles),
        metavar="ROLE=COLUMN",
        help=f"Name the column of a role. Roles (with their default column where it differs): {listed}.",
    )


def _figure_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and Path(value).suffix.lower() not in FIGURE_SUFFIXES:
        raise click.BadParameter(f"{value!r} must end in {', '.join(FIGURE_SUFFIXES)}")
    if value is not None:
        try:
            import matplotlib  # noqa: F401 before any work: the figure comes last
        except ImportError:
            raise click.BadParameter("drawing needs matplotlib: pip install matplotlib (or wfmath[plot])") from None
    return value


def _kpi_ids(ctx: click.Context, param: click.Parameter, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
    """KPI ids the catalog knows; an unknown one is a usage error that suggests close ids."""
    from wfmath import kpi

    for kpi_id in [value] if isinstance(value, str) else value:
        try:
            kpi.get_kpi(kpi_id)
        except KeyError as err:  # the catalog's answer to an unknown id, not a bug
            raise click.BadParameter(err.args[0]) from None
    return value


def _freq(ctx: click.Context, param: click.Parameter, value: str) -> str | None:
    """A roll-up period as the frame functions take it: a fixed span (D, h, 30min) or a
    calendar period (W, W-MON, M, Q, Y, Y-JUN), also in pandas' offset names (ME, QE, YS-JUL)."""
    if value.lower() == "none":
        return None
    calendar = re.fullmatch(r"(\d*)([WMQY])([ES]?)(?:-([A-Z]{3}))?", value)
    try:
        if calendar is None:
            offset = pd.tseries.frequencies.to_offset(value)
            if offset.n <= 0:
                raise click.BadParameter(f"{value!r} is no span of time: give a positive one such as 30min")
            return value
        count, unit, edge, anchor = calendar.groups()
        if count and int(count) != 1:
            raise click.BadParameter(f"{value!r}: a multiple of a calendar period is not supported; give {unit}")
        if edge == "S" and anchor:  # a year starting in July is a year ending in June
            months = [m.upper() for m in calendar_module.month_abbr[1:]]
            anchor = months[months.index(anchor) - 1]
        period = unit if anchor is None else f"{unit}-{anchor}"
        pd.Period("2026-01-01", freq=period)  # an anchor the period knows
        return period
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither D, W, M, Q, Y nor a pandas frequency such as h, 30min, W-MON or QE"
        ) from None


def _by(ctx: click.Context, param: click.Parameter, value: str) -> str | list[str]:
    groups = [c.strip() for c in value.split(",") if c.strip()]
    return "queue" if groups == ["queue"] else groups  # as the library's default: by queue if there are queues


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            pd.Timestamp(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a date such as 2026-11-23") from None
    return value


def _zone(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise click.BadParameter(f"{value!r} is not a time zone name such as Europe/Berlin or UTC") from None
    return value


def _with_layout(func: Callable[..., Any]) -> Callable[..., Any]:
    """The command with its file-layout options given as one `layout` argument."""

    @functools.wraps(func)
    def command(*args: Any, sep: str | None, decimal: str, encoding: str, **kwargs: Any) -> Any:
        date_column, time_column, date_format = (kwargs.pop(k) for k in ("date_column", "time_column", "date_format"))
        if (date_column is None) != (time_column is None):
            raise click.UsageError("--date-column and --time-column go together")
        layout = _files.Layout(sep, decimal, encoding, date_column, time_column, date_format)
        return func(*args, layout=layout, **kwargs)

    return command


def _stacked(*options: Callable[[Any], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Options that several commands share, applied as one decorator."""

    def apply(func: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            func = option(func)
        return func

    return apply


#: The sizing targets of `plan` and `size`.
target_options = _stacked(
    click.option(
        "--sl",
        "sl_target",
        callback=_number_or_column,
        metavar=TARGET,
        help="Service-level target, a fraction (0.8).",
    ),
    click.option(
        "--threshold",
        "threshold_seconds",
        callback=_number_or_column,
        metavar=TARGET,
        help="SL threshold, seconds.",
    ),
    click.option(
        "--asa", "asa_target_seconds", callback=_number_or_column, metavar=TARGET, help="Longest ASA, seconds."
    ),
    click.option("--max-occupancy", callback=_number_or_column, metavar=TARGET, help="Occupancy cap, a fraction."),
    click.option("--shrinkage", callback=_number_or_column, metavar=TARGET, help="Shrinkage, a fraction of paid time."),
    click.option(
        "--patience",
        "patience_seconds",
        callback=_number_or_column,
        metavar=TARGET,
        help="Mean caller patience, seconds: size with Erlang A (callers abandon).",
    ),
    click.option(
        "--sl-definition",
        type=click.Choice(SL_DEFINITIONS),
        default="answered",
        show_default=True,
        help="Service-level definition under Erlang A.",
    ),
    click.option(
        "--abandon-target",
        callback=_number_or_column,
        metavar=TARGET,
        help="Largest abandonment share under Erlang A, a fraction.",
    ),
)

#: How `plan`, `evaluate` and `actuals` read their files.
stream_options = _stacked(
    click.option(
        "--on-invalid",
        type=click.Choice(["raise", "nan"]),
        default="raise",
        show_default=True,
        help="Stop at a bad row, or give it NaN and warn.",
    ),
    click.option(
        "--chunk-rows",
        type=click.IntRange(min=1),
        default=DEFAULT_CHUNK_ROWS,
        show_default=True,
        help="Rows read at a time: memory follows it, not the file's size.",
    ),
    click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal)."),
    click.option(
        "--tz",
        callback=_zone,
        metavar="ZONE",
        help="Time zone of the timestamps (e.g. Europe/Berlin): keeps a fall-back hour's two intervals apart.",
    ),
    click.option("--sep", metavar="CHAR", help="Field separator of a CSV (default ',', tab for .tsv)."),
    click.option("--decimal", default=".", show_default=True, metavar="CHAR", help="Decimal mark of a CSV."),
    click.option("--encoding", default="utf-8-sig", show_default=True, help="Text encoding of a CSV (e.g. cp1252)."),
    click.option("--date-column", metavar="COLUMN", help="Date of each interval, with --time-column: its time."),
    click.option("--time-column", metavar="COLUMN", help="Time of day of each interval, with --date-column."),
    click.option(
        "--date-format",
        metavar="FORMAT",
        help="strptime format of the timestamps (of date and time joined by a space), e.g. '%d.%m.%Y %H:%M'.",
    ),
    _with_layout,
)


def _progress(enabled: bool | None, unit_bytes: bool) -> Progress | None:
    """A progress bar on standard error, only when that is a terminal unless asked for."""
    terminal = sys.stderr.isatty()
    if not (terminal if enabled is None else enabled):
        return None
    columns = [BarColumn(), TaskProgressColumn(), DownloadColumn() if unit_bytes else "", TimeRemainingColumn()]
    # On a terminal the bar goes when done; in a log, asked for, its last state stays.
    return Progress(*columns, console=Console(stderr=True), transient=terminal)


def _chunks(
    path: str | Path, progress: bool | None, chunk_rows: int, tz: str | None, **typed: Any
) -> Iterator[pd.DataFrame]:
    """The file's chunks, with a progress bar over bytes (CSV) or rows (Parquet)."""
    bar = _progress(progress, _files.file_format(path) == "csv")
    with bar or nullcontext():
        task = bar.add_task("reading", total=None) if bar else None

        def advance(done: int, total: int) -> None:
            if bar is not None and task is not None:
                bar.update(task, completed=done, total=total)

        yield from _files.read_chunks(path, chunk_rows=chunk_rows, progress=advance, tz=tz, **typed)


def _cell(name: str, value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d" if value == value.normalize() else "%Y-%m-%d %H:%M")
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    if not isinstance(value, float):
        return str(value)
    if value != value:
        return "-"
    if name in COUNTS or name.startswith(("peak_", "intervals")):
        return f"{value:,.0f}"
    if name in FRACTIONS or name.startswith("share_"):
        return f"{value:.1%}"
    if name.endswith(("_hours", "_seconds", "fte")):
        return f"{value:,.1f}"
    return f"{value:.3f}"


def _print_table(frame: pd.DataFrame, title: str, shown: Mapping[str, str] | None = None) -> None:
    """A frame as a table on standard output: index levels first, then the `shown` columns
    under their headings (all, without), as many as the width holds (the terminal's, or
    $COLUMNS), in order; figures are never cut, headings wrap. A long table shows its first
    and last rows (a table of thousands of rows is read from a file)."""
    data = _flat(frame)
    if len(data) > 2 * TABLE_ENDS:
        click.echo(f"{len(data):,} rows: the first and last {TABLE_ENDS} shown; write them all with -r or -o", err=True)
        data = pd.concat([data.head(TABLE_ENDS), data.tail(TABLE_ENDS)])
    keys = [c for c in data.columns if c in frame.index.names]
    names = keys + [c for c in (data.columns if shown is None else shown) if c in data.columns and c not in keys]
    headings = {**{n: str(n) for n in names}, **(shown or {})}
    console = Console(width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else 240)
    numeric = {n: pd.api.types.is_numeric_dtype(data[n]) and not pd.api.types.is_bool_dtype(data[n]) for n in names}
    cells = {n: [_cell(str(n), v) for v in data[n]] for n in names}
    widths = {n: max(len(c) for c in [*cells[n], headings[n]]) for n in names}

    def width() -> int:
        return sum(widths[n] for n in names) + 2 * (len(names) - 1)

    if width() > console.width:  # headings and text on several lines, figures whole
        words = {n: [c for text in cells[n] for c in ([text] if numeric[n] else text.split())] for n in names}
        widths = {n: max(len(w) for w in [*words[n], *headings[n].split()]) for n in names}
    while len(names) > len(keys) + 1 and width() > console.width:
        names.pop()  # the last shown is the least read
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True
    )
    for name in names:
        table.add_column(headings[name], justify="right" if numeric[name] else "left", width=widths[name])
    for row in zip(*(cells[n] for n in names)):
        table.add_row(*row)
    console.print(table)


class WarningTally:
    """Warnings of every chunk, said once at the end: a count that leads a message (\"3 row(s)
    ...\") is added up over the chunks."""

    def __init__(self) -> None:
        self.counts: dict[tuple[type[Warning], str], int] = {}

    @contextmanager
    def collecting(self) -> Iterator[None]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        for w in caught:
            count, text = re.match(r"(\d*)(.*)", str(w.message), re.S).groups()  # type: ignore[union-attr]
            key = (w.category, text if count else str(w.message))
            self.counts[key] = self.counts.get(key, 0) + int(count or 0)

    def emit(self) -> None:
        for (category, text), count in self.counts.items():
            warnings.warn(f"{count}{text}" if count else text, category, stacklevel=2)


def _warnings_to_stderr() -> None:
    """Warnings as one line each, without the source line a script user cannot act on."""

    def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        click.echo(f"warning: {message}", err=True)

    warnings.showwarning = show


class Commands(click.Group):
    """Commands whose usage errors are one line, as all other errors: the message and where
    the help is."""

    group_class = type  # the kpi group too

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with _one_line_usage():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with _one_line_usage():
            return super().invoke(ctx)


@contextmanager
def _one_line_usage() -> Iterator[None]:
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:  # a bare group: its help
        raise
    except click.UsageError as err:
        where = f" (see '{err.ctx.command_path} --help')" if err.ctx is not None else ""
        raise UserError(f"{err.format_message()}{where}") from None


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(wfmath.__version__, prog_name="wfmath")
def main() -> None:
    """Contact-center workforce math: Erlang C and A staffing, roll-ups and KPIs.

    Rows in messages are counted from 1, the header not counted. Exit code 2 means bad input.
    """
    _warnings_to_stderr()
    # A scheduler's SIGTERM ends the run as Ctrl-C does: unwinding, so no temp file is left.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))


#: What a manager reads in a printed roll-up, under its heading (all columns are in -r's file).
ROLLUP_SHOWN = {
    "calls": "calls",
    "agent_hours": "agent-hours",
    "fte": "FTE",
    "service_level": "SL",
    "asa_seconds": "ASA s",
    "occupancy": "occupancy",
    "share_intervals_met": "intervals met",
    "scheduled_hours": "scheduled hours",
    "scheduled_fte": "scheduled FTE",
    "p_abandon": "abandoned",
}
#: The same for the figures of an ACD report.
ACTUALS_SHOWN = {
    "offered": "offered",
    "sl_answered": "SL answered",
    "sl_offered": "SL offered",
    "abandon_rate": "abandoned",
    "asa_seconds": "ASA s",
    "aht_seconds": "AHT s",
    "occupancy": "occupancy",
}
#: Columns of counts, printed as whole numbers, and of fractions, printed as percents.
COUNTS = ("calls", "offered", "answered", "answered_within", "abandoned", "abandoned_within", "rows")
FRACTIONS = (
    *("service_level", "occupancy", "p_abandon", "sl_target", "max_occupancy", "shrinkage", "abandon_target"),
    *("sl_answered", "sl_offered", "sl_excl_short_abandons", "sl_short_abandons_ok"),
    *("abandon_rate", "abandon_rate_excl_short"),
)


def example_forecast() -> Any:
    """The bundled example: a week of 30-minute intervals for three queues, with targets."""
    return resources.as_file(resources.files("wfmath") / "data" / "example_week.csv")


#: What `plan` and `evaluate` share: outputs, roll-up, interval, files and the day's chart.
interval_options = _stacked(
    click.option(
        "-o",
        "--output",
        metavar="PATH",
        help="Write the interval rows: .csv, .parquet, or - for CSV on standard output.",
    ),
    click.option(
        "-r", "--rollup-output", metavar="PATH", help="Write the roll-up (.csv, .parquet or -) instead of printing it."
    ),
    click.option(
        "--freq",
        default="D",
        show_default=True,
        callback=_freq,
        help="Roll-up period: D, W (weeks from Monday), M, Q, Y (Y-JUN: years to June), a pandas frequency "
        "such as h or QE, or none.",
    ),
    click.option("--by", default="queue", show_default=True, callback=_by, help="Comma-separated roll-up groups."),
    click.option(
        "--interval-seconds",
        type=click.FloatRange(min=0, min_open=True),
        help="Interval length; else an interval_seconds column, else each queue's, inferred.",
    ),
    click.option(
        "--label",
        type=click.Choice(["start", "end"]),
        default="start",
        show_default=True,
        help="Whether a row's time is its interval's start or end.",
    ),
    click.option(
        "--paid-hours",
        "paid_hours_per_fte",
        type=click.FloatRange(min=0, min_open=True),
        help="Paid hours per FTE in a roll-up period.",
    ),
    _column_option(PLAN_COLUMNS),
    stream_options,
    click.option(
        "--plot",
        "plot_path",
        callback=_figure_path,
        metavar="PATH",
        help="Draw one day's interval chart (.png/.svg/.pdf).",
    ),
    click.option("--plot-day", metavar="DATE", callback=_day, help="The day --plot draws (default: the first)."),
)


@main.command("plan")
@click.argument("forecast", required=False, type=click.Path(dir_okay=False))
@click.option("--example", is_flag=True, help="Plan the bundled example week (three queues, 30-minute intervals).")
@target_options
@interval_options
def plan_command(forecast: str | None, example: bool, renames: dict[str, str], on_invalid: str, **options: Any) -> None:
    """Size every interval of FORECAST (CSV or Parquet) and roll the plan up.

    FORECAST has one row per interval and queue: interval_start (ISO 8601), queue, calls and
    aht_seconds; targets come as options or as columns named after them (sl_target,
    threshold_seconds, shrinkage, ...). A target option may also name a column.
    """
    if example == (forecast is not None):
        raise click.UsageError("give a FORECAST file or --example, not both or neither")
    targets = {k: options.pop(k) for k in TARGETS}

    def size(chunk: pd.DataFrame, seconds: float | None) -> pd.DataFrame:
        return wfmath.plan(chunk, interval_seconds=seconds, columns=renames, on_invalid=on_invalid, **targets)

    named = [v for k, v in targets.items() if isinstance(v, str) and k != "sl_definition"]
    with user_errors(), example_forecast() if example else nullcontext(forecast) as source:
        _interval_file(source, size, targets, named, renames=renames, **options)


@main.command("evaluate")
@click.argument("schedule", type=click.Path(dir_okay=False))
@click.option(
    "--threshold",
    "threshold_seconds",
    required=True,
    callback=_number_or_column,
    metavar=TARGET,
    help="SL threshold, seconds.",
)
@click.option(
    "--sl", "sl_target", callback=_number_or_column, metavar=TARGET, help="SL target the roll-up counts as met."
)
@click.option(
    "--asa",
    "asa_target_seconds",
    callback=_number_or_column,
    metavar=TARGET,
    help="ASA target the roll-up counts as met.",
)
@interval_options
def evaluate_command(
    schedule: str,
    threshold_seconds: float | str,
    sl_target: float | str | None,
    asa_target_seconds: float | str | None,
    renames: dict[str, str],
    on_invalid: str,
    **options: Any,
) -> None:
    """Score the staff a SCHEDULE already has (Erlang C): service level, ASA and occupancy of
    every interval, rolled up.

    SCHEDULE (CSV or Parquet) is a forecast with an `agents` column: agents on the phones.
    """

    def size(chunk: pd.DataFrame, seconds: float | None) -> pd.DataFrame:
        return wfmath.evaluate(
            chunk, threshold_seconds=threshold_seconds, interval_seconds=seconds, columns=renames, on_invalid=on_invalid
        )

    met = {"sl_target": sl_target, "asa_target_seconds": asa_target_seconds}
    named = [v for v in (threshold_seconds, sl_target, asa_target_seconds) if isinstance(v, str)]
    with user_errors():
        _interval_file(schedule, size, met, named, renames=renames, **options)


def _interval_file(
    source: str | Path,
    size: Callable[[pd.DataFrame, float | None], pd.DataFrame],
    targets: Mapping[str, Any],
    named: Sequence[str],
    *,
    output: str | None,
    rollup_output: str | None,
    freq: str | None,
    by: list[str],
    interval_seconds: float | None,
    paid_hours_per_fte: float | None,
    renames: Mapping[str, str],
    chunk_rows: int,
    progress: bool | None,
    tz: str | None,
    plot_path: str | None,
    plot_day: str | None,
    layout: _files.Layout,
    label: str,
) -> None:
    """`size` every chunk of `source`, write its rows, roll them up (counting an interval as met
    by the targets' sl_target/asa_target_seconds) and draw one day; `named` lists the columns
    that options name; times `label` each interval's start or end."""
    names = resolve_columns(PLAN_COLUMNS, renames)
    typed = {
        "timestamps": [names["interval"]],
        "numbers": [names[r] for r in ("calls", "aht_seconds", "agents")] + [*OPTION_COLUMNS, *PLAN_FIGURES, *named],
        "durations": [names["aht_seconds"]],
        "required": [names["calls"], names["aht_seconds"]],
        "layout": layout,
    }
    met = {k: targets.get(k) for k in ("sl_target", "asa_target_seconds")}
    _distinct(source, output, rollup_output, plot_path)
    series = _series(names, by)
    size = _per_series(size, series[:-1])
    seen, tally = SeenKeys(series, names["interval"]), WarningTally()
    keys = [*series, names["interval"]]  # all a second read for repeats needs
    started, rows, parts, days, stamps = time.perf_counter(), 0, [], [], []

    def again(columns: Sequence[str]) -> Iterator[pd.DataFrame]:
        return _files.read_chunks(source, chunk_rows=chunk_rows, tz=tz, columns=columns, **typed)

    lengths = None
    if interval_seconds is None:  # each queue's, over the whole file, before any row is sized
        with user_errors(source):
            lengths = _interval_lengths(again, names)
    with ExitStack() as stack:
        plan_out = stack.enter_context(_files.Output(output)) if output else None
        rollup_out = stack.enter_context(_files.Output(rollup_output)) if rollup_output else None
        for chunk in _chunks(source, progress, chunk_rows, tz, **typed):
            if not len(chunk):
                continue
            with user_errors(source):
                if lengths is not None:
                    queue = chunk[names["queue"]] if names["queue"] in chunk.columns else None
                    chunk["interval_seconds"] = lengths.iloc[0] if queue is None else queue.map(lengths)
                elif interval_seconds is not None and names["interval"] in chunk.columns:
                    stamps.append(_key_columns(chunk, names))
                if label == "end" and names["interval"] in chunk.columns:  # the interval's end: back to its start
                    length = chunk["interval_seconds"] if interval_seconds is None else interval_seconds
                    chunk[names["interval"]] -= pd.to_timedelta(length, unit="s")
                with tally.collecting():
                    planned = size(chunk, interval_seconds)
                parts.append(wfmath.rollup_parts(planned, freq=freq, by=by, columns=renames, **met))
            if plan_out is not None:
                plan_out.write(planned)
            if plot_path is not None:
                days.append(_day_rows(planned, names["interval"], plot_day, days))
            seen.add(chunk)
            rows += len(chunk)
        if not rows:
            raise _files.FileError(f"{source}: no rows")
        if stamps:
            _check_interval(_stacked_keys(stamps, names), names, interval_seconds)
        tally.emit()
        with user_errors(source):
            seen.check(lambda: again(keys))
            rolled = wfmath.finish_rollup(pd.concat(parts), paid_hours_per_fte=paid_hours_per_fte)
        if rollup_out is not None:
            rollup_out.write(_flat(rolled))
        if plot_path is not None:
            _draw_intervals(plot_path, pd.concat(days), renames, met["sl_target"], plot_day)
    seconds = time.perf_counter() - started
    said = "" if lengths is None else _said_lengths(lengths)
    click.echo(f"sized {rows:,} intervals in {seconds:.2f} s ({rows / max(seconds, 1e-9):,.0f} rows/s){said}", err=True)
    if rollup_out is None and output != _files.STDOUT:
        period = PERIOD_NAMES.get(freq, freq)
        paid = "fte" in rolled.columns  # FTE then stand for the hours
        shown = {k: v for k, v in ROLLUP_SHOWN.items() if not (paid and k.endswith("_hours"))}
        _print_table(rolled, f"{period} roll-up of {Path(source).name}", shown)


def _series(names: Mapping[str, str], by: str | Sequence[str]) -> list[str]:
    """The columns that tell one series of intervals from another: the other `by` groups (a
    site), then the queue; (site, queue, interval) may repeat (queue, interval)."""
    columns = [names.get(g, g) for g in ([by] if isinstance(by, str) else by)]
    return [*dict.fromkeys(c for c in columns if c not in (names["interval"], names["queue"])), names["queue"]]


def _per_series(func: Callable[..., pd.DataFrame], extra: Sequence[str]) -> Callable[..., pd.DataFrame]:
    """`func(chunk, ...)` run on each value of the `extra` series columns apart, as the frame
    functions key their checks by queue and interval only; rows come back in file order."""

    def each(chunk: pd.DataFrame, *args: Any, **kwargs: Any) -> pd.DataFrame:
        present = [c for c in extra if c in chunk.columns]
        if not present:
            return func(chunk, *args, **kwargs)
        parts = [func(part, *args, **kwargs) for _, part in chunk.groupby(present, sort=False, dropna=False)]
        return pd.concat(parts).sort_index()

    return each


def _key_columns(chunk: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """A chunk's queue (as codes: a few bytes a row) and interval columns."""
    keys = [c for c in (names["queue"], names["interval"]) if c in chunk.columns]
    return chunk[keys].astype({names["queue"]: "category"} if names["queue"] in keys else {})


def _stacked_keys(parts: Sequence[pd.DataFrame], names: Mapping[str, str]) -> pd.DataFrame:
    """The chunks' key columns as one frame, the queue still as codes."""
    whole = pd.concat(parts, ignore_index=True)
    if names["queue"] in whole.columns:
        whole[names["queue"]] = pd.api.types.union_categoricals([p[names["queue"]] for p in parts])
    return whole


def _interval_lengths(read: Callable[[Sequence[str]], Iterator[pd.DataFrame]], names: Mapping[str, str]) -> Any:
    """Each queue's interval length over its whole series (any row order), from a first read of
    the key columns; None when the file has an interval_seconds column (or no rows)."""
    parts = []
    for chunk in read([names["queue"], names["interval"], "interval_seconds"]):
        if "interval_seconds" in chunk.columns:
            return None
        parts.append(_key_columns(chunk, names))
    if not parts or not sum(map(len, parts)):
        return None  # no rows: said by the sizing pass
    return interval_seconds_by_queue(_stacked_keys(parts, names), names, option="--interval-seconds")


def _said_lengths(lengths: pd.Series) -> str:
    """Which queues got which inferred interval length, a few named per length."""
    said = []
    for seconds, queues in lengths.groupby(lengths, sort=True).groups.items():
        more = f" and {len(queues) - 3:,} more" if len(queues) > 3 else ""
        shown = ", ".join(_files.cut(q) for q in queues[:3]) + more
        said.append(f"{seconds:g} s" + (f" ({shown})" if queues[0] is not None else ""))
    return f"; interval length {', '.join(said)}"


def _check_interval(stamps: pd.DataFrame, names: Mapping[str, str], interval_seconds: float) -> None:
    """Warns when a queue's timestamps step otherwise than the interval given: loads would be off."""
    steps = interval_seconds_by_queue(stamps, names, strict=False)
    other = steps[steps.notna() & (steps != interval_seconds)]
    if len(other):
        queue = "" if other.index[0] is None else f" (queue {_files.cut(other.index[0])})"
        warnings.warn(
            f"the timestamps step by {other.iloc[0]:g} s but --interval-seconds is {interval_seconds:g}{queue}: "
            f"calls per interval are taken as calls per {interval_seconds:g} s",
            UserWarning,
            stacklevel=2,
        )


def _day_rows(planned: pd.DataFrame, interval: str, plot_day: str | None, kept: list[pd.DataFrame]) -> pd.DataFrame:
    """The chunk's rows of the day to draw: the one asked for, else the first day seen."""
    if interval not in planned.columns or not len(planned):
        return planned.iloc[:0]
    if plot_day is not None:
        day = pd.Timestamp(plot_day).normalize()
        zone = planned[interval].dt.tz
        day = day if zone is None or day.tzinfo is not None else day.tz_localize(zone)
    else:
        seen = [k for k in kept if len(k)]
        day = (seen[0] if seen else planned)[interval].min().normalize()
    return planned[planned[interval].dt.normalize() == day]


def _draw_intervals(path: str, rows: pd.DataFrame, renames: Mapping[str, str], sl: Any, day: str | None) -> None:
    from wfmath import plots

    if not len(rows):
        raise ValueError(f"--plot-day {day!r} has no intervals in the forecast")
    _save(plots.interval_chart(rows, sl_target=sl, columns=renames), path)


@main.command("size")
@click.option("--calls", required=True, type=float, help="Calls offered in the interval.")
@click.option("--aht", "aht_seconds", required=True, type=float, help="Average handle time, seconds.")
@click.option(
    "--interval", "interval_seconds", default=1800.0, show_default=True, type=float, help="Interval, seconds."
)
@target_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--plot", "plot_path", callback=_figure_path, metavar="PATH", help="Draw the staffing curve (.png/.svg/.pdf)."
)
def size_command(
    calls: float,
    aht_seconds: float,
    interval_seconds: float,
    as_json: bool,
    plot_path: str | None,
    **targets: Any,
) -> None:
    """Size one interval: agents needed, scheduled staff, and what they achieve."""
    named = [f"--{k}" for k, v in targets.items() if isinstance(v, str) and k != "sl_definition"]
    if named:
        raise UserError(f"{named[0]} takes a number here")
    patience = targets.pop("patience_seconds")
    if plot_path is not None and patience is not None:
        raise UserError("--plot draws the Erlang C staffing curve: leave out --patience")
    with user_errors():
        if patience is None:
            sl_definition, abandon_target = targets.pop("sl_definition"), targets.pop("abandon_target")
            if abandon_target is not None or sl_definition != "answered":
                raise ValueError("--abandon-target and --sl-definition need --patience (Erlang A)")
            result = wfmath.required_agents(calls, aht_seconds, interval_seconds, **targets)
        else:
            if targets.pop("asa_target_seconds") is not None:
                raise ValueError("--asa sizes with Erlang C: leave out --patience, or use --sl/--abandon-target")
            result = wfmath.required_agents_a(calls, aht_seconds, interval_seconds, patience, **targets)
        figures = {"calls": calls, "aht_seconds": aht_seconds, "interval_seconds": interval_seconds}
        figures |= result.to_dict()
        if plot_path is not None:
            _draw_curve(plot_path, calls, aht_seconds, interval_seconds, targets)
    if as_json:  # strict JSON: a figure that is not finite is null, never NaN or Infinity
        finite = {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in figures.items()}
        click.echo(json.dumps(finite, allow_nan=False))
        return
    labels = {
        "load": ("offered load", "Erlangs"),
        "agents": ("agents on the phones", ""),
        "scheduled": ("scheduled (after shrinkage)", ""),
        "service_level": ("service level", ""),
        "asa_seconds": ("ASA", "s"),
        "asa_answered_seconds": ("ASA of answered calls", "s"),
        "p_abandon": ("abandonment", ""),
        "occupancy": ("occupancy", ""),
    }
    for key, (label, unit) in labels.items():
        if key in figures:
            value = figures[key]
            text = f"{value:d}" if isinstance(value, int) else f"{value:.3f}" if not unit else f"{value:.2f}"
            click.echo(f"{label:<28} {text} {unit}".rstrip())


def _draw_curve(
    path: str, calls: float, aht_seconds: float, interval_seconds: float, targets: Mapping[str, Any]
) -> None:
    from wfmath import plots

    if targets.get("threshold_seconds") is None:
        raise ValueError("--plot needs --threshold: the curve shows the service level")
    figure = plots.staffing_curve(
        calls,
        aht_seconds,
        interval_seconds,
        threshold_seconds=targets["threshold_seconds"],
        sl_target=targets.get("sl_target"),
        asa_target_seconds=targets.get("asa_target_seconds"),
        max_occupancy=targets.get("max_occupancy"),
    )
    _save(figure, path)


def _save(figure: Any, path: str) -> None:
    """A figure written in place at once, in the format its name ends with."""
    with _files.replaced(path) as temp:
        figure.savefig(temp, format=Path(path).suffix[1:].lower())


@main.command("actuals")
@click.argument("report", type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", metavar="PATH", help="Write the figures: .csv, .parquet, or - for CSV on standard output."
)
@click.option(
    "--freq", default="D", show_default=True, callback=_freq, help="Period: D, W, M, Q, Y, a pandas frequency, or none."
)
@click.option("--by", default="queue", show_default=True, callback=_by, help="Comma-separated groups.")
@_column_option(ACTUAL_COLUMNS)
@stream_options
def actuals_command(
    report: str,
    output: str | None,
    freq: str | None,
    by: list[str],
    renames: dict[str, str],
    on_invalid: str,
    chunk_rows: int,
    progress: bool | None,
    tz: str | None,
    layout: _files.Layout,
) -> None:
    """Every service-level definition, abandonment, ASA, AHT and occupancy from an ACD REPORT.

    REPORT (CSV or Parquet) has counts per interval and queue: offered, answered,
    answered_within, abandoned, and optionally abandoned_within, handle_seconds,
    wait_seconds and staffed_seconds. Figures are ratios of sums over each group.
    """
    names = resolve_columns(ACTUAL_COLUMNS, renames)
    typed = {
        "timestamps": [names["interval"]],
        "numbers": [v for k, v in names.items() if k not in ("interval", "queue")],
        "durations": [v for k, v in names.items() if k.endswith("_seconds")],
        "layout": layout,
    }
    per_row = freq is None and not by
    if per_row and output is None:
        output = _files.STDOUT  # one row per interval: a table to read on, not to print
    _distinct(report, output)
    series = _series(names, by)
    figured = _per_series(wfmath.actuals, series[:-1])
    seen, tally = SeenKeys(series, names["interval"]), WarningTally()
    keys = [*series, names["interval"]]  # all a second read for repeats needs
    with user_errors(report), ExitStack() as stack:
        out = stack.enter_context(_files.Output(output)) if output else None
        rows, parts = 0, []
        for chunk in _chunks(report, progress, chunk_rows, tz, **typed):
            with tally.collecting():
                figures = figured(chunk, freq=freq, by=by, columns=renames, on_invalid=on_invalid)
            if per_row:  # each interval with its queue and start
                out.write(pd.concat([chunk[[c for c in keys if c in chunk.columns]], figures], axis=1))
            else:
                parts.append(figures)
            seen.add(chunk)
            rows += len(chunk)
        if not rows:
            raise _files.FileError(f"{report}: no rows")
        tally.emit()
        seen.check(lambda: _files.read_chunks(report, chunk_rows=chunk_rows, tz=tz, columns=keys, **typed))
        if per_row:
            return
        result = wfmath.finish_actuals(pd.concat(parts), columns=renames)
        if out is not None:
            out.write(_flat(result))
    if out is None:
        _print_table(result, f"actuals of {Path(report).name}", ACTUALS_SHOWN)


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Group keys of the index as columns, for a file; an unnamed index is dropped."""
    return frame.reset_index() if any(n is not None for n in frame.index.names) else frame


def _distinct(source: str | Path, *outputs: str | None) -> None:
    """Outputs must not overwrite the input or each other."""
    if sum(path == _files.STDOUT for path in outputs) > 1:
        raise UserError("only one output can go to standard output ('-')")
    seen = {os.path.realpath(source): "the input"}
    for path in outputs:
        if path is None or path == _files.STDOUT:
            continue
        real = os.path.realpath(path)
        if real in seen:
            raise UserError(f"{path}: would overwrite {seen[real]}; give each output its own file")
        seen[real] = path


@main.group("kpi")
def kpi_group() -> None:
    """The QAECS KPI catalog: list, show and audit a scorecard."""


@kpi_group.command("list")
@click.option("--category", help="Quality, Accessibility, Efficiency, Cost or Strategic.")
def kpi_list(category: str | None) -> None:
    """The KPIs of the catalog, by category."""
    from wfmath import kpi

    with user_errors():
        table = kpi.catalog(category and category.capitalize())
    shown = ("name", "category", "unit", "role", "agent_controllable")
    _print_table(table, "KPIs", {name: name.replace("_", " ") for name in shown})


@kpi_group.command("show")
@click.argument("kpi_id", callback=_kpi_ids)
def kpi_show(kpi_id: str) -> None:
    """Everything the catalog says of one KPI."""
    from wfmath import kpi

    with user_errors():
        k = kpi.get_kpi(kpi_id)
    for field in ("name", "category", "formula", "unit", "aggregation", "better", "why", "caveats", "role"):
        click.echo(f"{field:<19} {getattr(k, field)}")
    click.echo(f"{'stakeholders':<19} {', '.join(sorted(k.stakeholders))}")
    click.echo(f"{'agent controllable':<19} {'yes' if k.agent_controllable else 'no'}")
    click.echo(f"{'drivers':<19} {', '.join(kpi.drivers(kpi_id)) or '-'}")
    click.echo(f"{'outcomes':<19} {', '.join(kpi.outcomes(kpi_id)) or '-'}")


@kpi_group.command("audit")
@click.argument("kpi_ids", nargs=-1, required=True, callback=_kpi_ids)
def kpi_audit(kpi_ids: tuple[str, ...]) -> None:
    """Audit a scorecard of KPI ids: measures that work against the center, or lack a companion."""
    from wfmath import kpi

    with user_errors():
        findings = kpi.audit_scorecard(list(kpi_ids))
    for f in findings:
        click.echo(f"{f.severity:<6} {f.kpi:<24} {f.rule}: {f.explanation}")
    if not findings:
        click.echo("no findings")
