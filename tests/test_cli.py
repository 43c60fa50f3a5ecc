"""The wfmath command: streamed plans equal the in-memory ones, outputs appear whole or not at
all, and bad input exits 2 with one line naming the file, row and column."""

import io
import json
import subprocess
import sys
import time
from importlib import metadata

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
import wfmath
from click.testing import CliRunner
from wfmath.actuals import ACTUAL_COLUMNS
from wfmath.cli import main
from wfmath.plans import PLAN_COLUMNS

TARGETS = ["--sl", "0.8", "--threshold", "20", "--shrinkage", "0.3"]


def run(*args, ok=True):
    result = CliRunner().invoke(main, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + repr(result.exception)
    return result


@pytest.fixture
def forecast():
    """Two queues x 3 days of 30-minute intervals, with closed nights."""
    rng = np.random.default_rng(11)
    starts = pd.date_range("2026-11-23", periods=3 * 48, freq="30min")
    open_hours = (starts.hour >= 8) & (starts.hour < 19)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "interval_start": starts,
                    "queue": queue,
                    "calls": np.where(open_hours, rng.poisson(scale, len(starts)), 0).astype(float),
                    "aht_seconds": rng.uniform(180, 420, len(starts)).round(),
                }
            )
            for queue, scale in (("sales", 60), ("care", 140))
        ],
        ignore_index=True,
    )


@pytest.fixture
def forecast_csv(tmp_path, forecast):
    path = tmp_path / "forecast.csv"
    forecast.to_csv(path, index=False)
    return path


def expected(forecast, **rollup):
    plan = wfmath.plan(forecast, sl_target=0.8, threshold_seconds=20.0, shrinkage=0.3)
    return plan, wfmath.rollup(plan, sl_target=0.8, **rollup)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_streamed_plan_and_rollup_equal_the_whole(tmp_path, forecast, suffix):
    source = tmp_path / f"forecast{suffix}"
    forecast.to_csv(source, index=False) if suffix == ".csv" else forecast.to_parquet(source)
    out, roll = tmp_path / f"plan{suffix}", tmp_path / f"roll{suffix}"
    # 37-row chunks: every day of every queue is cut across chunks.
    run("plan", source, "-o", out, "-r", roll, *TARGETS, "--chunk-rows", 37, "--paid-hours", 8)
    read = pd.read_csv if suffix == ".csv" else pd.read_parquet
    plan, day = expected(forecast, paid_hours_per_fte=8.0)
    got = read(out)
    assert len(got) == len(forecast)
    np.testing.assert_array_equal(got["agents"], plan["agents"])
    np.testing.assert_array_equal(got["scheduled"], plan["scheduled"])
    np.testing.assert_allclose(got["service_level"], plan["service_level"], rtol=1e-15)
    rolled = read(roll)
    assert list(rolled["queue"]) == list(day.index.get_level_values("queue"))
    for column in ("calls", "agent_hours", "scheduled_hours", "fte", "service_level", "occupancy", "share_calls_met"):
        np.testing.assert_allclose(rolled[column], day[column], rtol=1e-12, err_msg=column)


@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.bz2", ".csv.xz"])
def test_compressed_csv_in_and_out(tmp_path, forecast, suffix):
    source = tmp_path / f"forecast{suffix}"
    forecast.to_csv(source, index=False)  # pandas compresses by the name
    run("plan", source, *TARGETS, "-o", tmp_path / f"plan{suffix}", "--chunk-rows", 50)
    got = pd.read_csv(tmp_path / f"plan{suffix}")
    np.testing.assert_array_equal(got["agents"], expected(forecast)[0]["agents"])
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    one_line_error(run("plan", cut, *TARGETS, "-o", tmp_path / "x.csv", ok=False), f"cut{suffix}: not a readable")
    assert not (tmp_path / "x.csv").exists()


def test_weekly_rollup_printed_by_queue(forecast_csv, forecast):
    result = run("plan", forecast_csv, *TARGETS, "--freq", "W")
    _, week = expected(pd.read_csv(forecast_csv, parse_dates=["interval_start"]), freq="W")
    assert "weekly roll-up of forecast.csv" in result.stdout
    for queue, row in week.groupby(level="queue"):
        line = next(x for x in result.stdout.splitlines() if x.startswith(f"{queue} "))
        assert f" {row['calls'].iloc[0]:,.0f} " in line and f" {row['service_level'].iloc[0]:.1%} " in line


@pytest.mark.parametrize(
    "freq, periods",
    [
        *[(f, ["2026-10-01"]) for f in ("Q", "QE", "QS", "QE-DEC")],
        *[(f, ["2026-01-01"]) for f in ("Y", "YE", "YS")],
        *[(f, ["2026-07-01"]) for f in ("Y-JUN", "YE-JUN", "YS-JUL")],  # a fiscal year from July
        *[(f, ["2026-11-01"]) for f in ("M", "ME", "MS")],
        ("W", ["2026-11-23"]),  # weeks from Monday
        ("W-MON", ["2026-11-17", "2026-11-24"]),  # pandas' weeks ending on Monday: Monday the 23rd ends one
    ],
)
def test_calendar_periods_in_pandas_words(tmp_path, forecast_csv, freq, periods):
    run("plan", forecast_csv, *TARGETS, "--freq", freq, "-r", tmp_path / "r.csv")
    rolled = pd.read_csv(tmp_path / "r.csv", parse_dates=["period"])
    assert sorted(rolled["period"].dt.strftime("%Y-%m-%d").unique()) == periods
    assert (
        rolled.groupby("queue")["calls"].sum().to_dict()
        == pd.read_csv(forecast_csv).groupby("queue")["calls"].sum().to_dict()
    )


@pytest.mark.parametrize(
    "freq, words",
    [("0min", "'0min' is no span of time"), ("-30min", "no span of time"), ("2W", "a multiple of a calendar")],
)
def test_freq_that_is_no_period(forecast_csv, freq, words):
    one_line_error(run("plan", forecast_csv, *TARGETS, "--freq", freq, ok=False), "--freq", words)


def test_a_long_rollup_prints_its_ends(forecast_csv):
    result = run("plan", forecast_csv, *TARGETS, "--freq", "30min")  # 288 rows
    assert "288 rows: the first and last 50 shown" in result.stderr
    lines = [x for x in result.stdout.splitlines() if " 2026-11-2" in x]
    assert len(lines) == 100 and lines[0].startswith("care   2026-11-23 ") and "sales  2026-11-25 23:30" in lines[-1]


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--example", "--freq", "W"],
        ["plan", "--example", "--freq", "30min", "--paid-hours", 8, "--patience", 90, "--by", "queue,sl_target"],
        ["evaluate", "SCORED", "--threshold", 20, "--sl", 0.8],
    ],
)
def test_a_printed_rollup_fits_100_columns(tmp_path, monkeypatch, args):
    monkeypatch.setenv("COLUMNS", "100")
    run("plan", "--example", "-o", tmp_path / "plan.csv")
    args = [tmp_path / "plan.csv" if a == "SCORED" else a for a in args]
    printed = run(*args).stdout.splitlines()
    assert max(map(len, printed)) <= 100 and "…" not in "".join(printed)
    heading = " ".join(printed[1:3])
    for shown in ("calls", "SL", "ASA", "occupancy", "met", "FTE" if "--paid-hours" in args else "agent-hours"):
        assert shown in heading, heading
    rolled = pd.read_csv(io.StringIO(run(*args, "-r", "-").stdout))
    if len(rolled) > 100:  # a long table by its ends
        rolled = pd.concat([rolled.head(50), rolled.tail(50)])
    rows = [line.split() for line in printed if line.startswith(("billing ", "sales ", "service "))]
    assert len(rows) == len(rolled)  # a row a line
    for cells, (_, want) in zip(rows, rolled.iterrows()):
        assert f"{want['calls']:,.0f}" in cells  # a count as a whole number, with thousands separators
        if want["calls"] > 0:
            assert f"{want['service_level']:.1%}" in cells and f"{want['share_intervals_met']:.1%}" in cells
    assert any("," in cell for cells in rows for cell in cells) == (rolled["calls"].max() >= 1000)


def test_plan_to_stdout_is_csv(forecast_csv, forecast):
    result = run("plan", forecast_csv, "-o", "-", *TARGETS)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("interval_start,queue,calls,aht_seconds")
    assert len(lines) == len(forecast) + 1


def test_targets_from_columns_and_options_naming_columns(tmp_path, forecast):
    data = forecast.assign(goal=np.where(forecast.queue == "care", 0.9, 0.8), threshold_seconds=20.0)
    source = tmp_path / "targets.csv"
    data.to_csv(source, index=False)
    run("plan", source, "--sl", "goal", "-o", tmp_path / "out.csv")
    got = pd.read_csv(tmp_path / "out.csv")
    want = wfmath.plan(data, sl_target="goal")
    np.testing.assert_array_equal(got["agents"], want["agents"])
    assert (got.loc[got.queue == "care", "service_level"][got.calls > 0] >= 0.9 * (1 - 1e-12)).all()


def test_erlang_a_plan(forecast_csv, forecast, tmp_path):
    args = ["--sl", "0.8", "--threshold", "20", "--patience", "90", "--sl-definition", "offered"]
    run("plan", forecast_csv, *args, "--abandon-target", "0.05", "-o", tmp_path / "a.csv")
    want = wfmath.plan(
        forecast,
        sl_target=0.8,
        threshold_seconds=20.0,
        patience_seconds=90.0,
        sl_definition="offered",
        abandon_target=0.05,
    )
    got = pd.read_csv(tmp_path / "a.csv")
    np.testing.assert_array_equal(got["agents"], want["agents"])
    assert (got["p_abandon"] <= 0.05 + 1e-12).all()


def test_evaluate_scores_a_schedule(tmp_path, forecast):
    staffed = forecast.assign(agents=np.ceil(forecast.calls * forecast.aht_seconds / 1800.0) + 1.0)
    staffed.to_parquet(tmp_path / "schedule.parquet")
    out, roll = tmp_path / "scored.csv", tmp_path / "days.csv"
    run(
        "evaluate",
        tmp_path / "schedule.parquet",
        "--threshold",
        20,
        "--sl",
        0.8,
        "-o",
        out,
        "-r",
        roll,
        "--chunk-rows",
        33,
    )
    want = wfmath.evaluate(staffed, threshold_seconds=20.0)
    got = pd.read_csv(out)
    np.testing.assert_allclose(got["service_level"], want["service_level"], rtol=1e-15)
    day = wfmath.rollup(want, sl_target=0.8)
    rolled = pd.read_csv(roll)
    np.testing.assert_allclose(rolled["service_level"], day["service_level"], rtol=1e-12)
    np.testing.assert_allclose(rolled["share_intervals_met"], day["share_intervals_met"], rtol=1e-12)
    missing = run("evaluate", tmp_path / "schedule.parquet", ok=False)
    assert missing.exit_code == 2 and "--threshold" in missing.output
    forecast.to_csv(tmp_path / "unstaffed.csv", index=False)
    one_line_error(run("evaluate", tmp_path / "unstaffed.csv", "--threshold", 20, ok=False), "'agents'")


def test_example_runs_the_bundled_week(tmp_path):
    result = run("plan", "--example", "-r", tmp_path / "week.csv")
    rolled = pd.read_csv(tmp_path / "week.csv")
    assert sorted(rolled["queue"].unique()) == ["billing", "sales", "service"]
    assert len(rolled) == 3 * 7  # three queues, a week of days
    assert (rolled["intervals"] == 48).all()
    assert "sized 1,008 intervals" in result.stderr


def one_line_error(result, *parts):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    for part in parts:
        assert part in message, message
    return message


@pytest.mark.parametrize(
    "line, value, parts",
    [
        (18, "lots", ["row 17", "column 'calls'", "'lots' is not a number"]),
        (30, "-4", ["column 'calls' must be finite and >= 0", "-4.0", "row 29"]),
        (5, "yesterday", ["row 4", "column 'interval_start'", "'yesterday' is not an ISO 8601 timestamp"]),
    ],
)
def test_bad_csv_row_is_named(tmp_path, forecast_csv, line, value, parts):
    lines = forecast_csv.read_text().splitlines()
    cells = lines[line - 1].split(",")
    cells[2 if "calls" in parts[1] or "calls" in parts[0] else 0] = value
    lines[line - 1] = ",".join(cells)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    result = run("plan", bad, *TARGETS, "-o", tmp_path / "never.csv", "--chunk-rows", 10, ok=False)
    one_line_error(result, "bad.csv", *parts)
    assert not (tmp_path / "never.csv").exists()


def test_failure_in_a_late_chunk_leaves_no_output(tmp_path, forecast):
    forecast.loc[250, "aht_seconds"] = -1.0
    source = tmp_path / "late.parquet"
    forecast.to_parquet(source)
    (tmp_path / "plan.parquet").write_bytes(b"an older plan")
    result = run("plan", source, *TARGETS, "-o", tmp_path / "plan.parquet", "--chunk-rows", 50, ok=False)
    one_line_error(result, "late.parquet", "column 'aht_seconds' must be finite and > 0", "row 251")
    assert (tmp_path / "plan.parquet").read_bytes() == b"an older plan"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["late.parquet", "plan.parquet"]  # no temp files


def test_file_errors(tmp_path, forecast):
    one_line_error(run("plan", tmp_path / "nope.csv", *TARGETS, ok=False), "nope.csv: no such file")
    good = tmp_path / "good.parquet"
    forecast.to_parquet(good)
    truncated = tmp_path / "cut.parquet"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    one_line_error(run("plan", truncated, *TARGETS, ok=False), "cut.parquet: not a readable parquet file")
    (tmp_path / "f.txt").write_text("x")
    one_line_error(run("plan", tmp_path / "f.txt", ok=False), "unknown file type '.txt'")
    (tmp_path / "empty.csv").write_text("")
    one_line_error(run("plan", tmp_path / "empty.csv", *TARGETS, ok=False), "empty.csv: the file is empty")
    forecast.drop(columns="aht_seconds").to_csv(tmp_path / "short.csv", index=False)
    one_line_error(run("plan", tmp_path / "short.csv", *TARGETS, ok=False), "short.csv", "'aht_seconds'")
    pd.concat([forecast, forecast.iloc[[3]]]).to_csv(tmp_path / "twice.csv", index=False)
    one_line_error(run("plan", tmp_path / "twice.csv", *TARGETS, ok=False), "twice.csv: duplicate rows")
    one_line_error(run("plan", good, "--sl", "80", "--threshold", "20", ok=False), "--sl must be in (0, 1)")
    out = tmp_path / "no" / "such" / "dir.csv"
    one_line_error(run("plan", good, *TARGETS, "-o", out, ok=False), "cannot write")


@pytest.mark.parametrize("command", ["plan", "actuals"])
def test_a_row_repeated_in_a_later_chunk_is_found(tmp_path, forecast, command):
    data = forecast if command == "plan" else acd_report(forecast)
    again = pd.concat([data, data.iloc[[5]]], ignore_index=True)
    again.to_csv(tmp_path / "again.csv", index=False)
    args = [*TARGETS, "-o", tmp_path / "out.csv"] if command == "plan" else ["-o", tmp_path / "out.csv"]
    result = run(command, tmp_path / "again.csv", *args, "--chunk-rows", 40, ok=False)
    one_line_error(result, "again.csv: duplicate rows for (queue='sales', interval_start=", "at rows 6 and 289")
    assert not (tmp_path / "out.csv").exists()
    # In any order without repeats, and sorted by time (a quick path), all rows go through.
    for order in (np.random.default_rng(2).permutation(len(data)), np.argsort(data.interval_start, kind="stable")):
        data.iloc[order].to_csv(tmp_path / "any.csv", index=False)
        run(command, tmp_path / "any.csv", *args, "--chunk-rows", 40)
        assert len(pd.read_csv(tmp_path / "out.csv")) == (len(data) if command == "plan" else 2 * 3)


@pytest.mark.parametrize("command", ["plan", "actuals"])
def test_sites_sharing_queue_names_are_apart_for_the_repeat_check(tmp_path, forecast, command):
    # Two sites with the same queues and intervals: (site, queue, interval) is the key.
    data = forecast if command == "plan" else acd_report(forecast)
    sites = pd.concat([data.assign(site="north"), data.assign(site="south")], ignore_index=True)
    args = [*TARGETS, "-r", tmp_path / "r.csv"] if command == "plan" else ["-o", tmp_path / "r.csv"]
    for order in (np.arange(len(sites)), np.random.default_rng(3).permutation(len(sites))):
        sites.iloc[order].to_csv(tmp_path / "sites.csv", index=False)
        run(command, tmp_path / "sites.csv", *args, "--by", "site,queue", "--chunk-rows", 40)
        rolled = pd.read_csv(tmp_path / "r.csv")
        total = "calls" if command == "plan" else "offered"
        assert rolled.groupby("site")[total].sum().tolist() == [data[total].sum()] * 2
        again = pd.concat([sites.iloc[order], sites.iloc[[300]]], ignore_index=True)
        again.to_csv(tmp_path / "again.csv", index=False)
        result = run(command, tmp_path / "again.csv", *args, "--by", "site,queue", "--chunk-rows", 40, ok=False)
        where = f"site='south', queue='{sites.queue[300]}', interval_start="
        one_line_error(result, f"again.csv: duplicate rows for ({where}", f"and {len(sites) + 1}")


def test_text_is_kept_as_written(tmp_path, forecast):
    # Codes that look like numbers or like missing values stay text, the same in every chunk.
    forecast["queue"] = forecast["queue"].map({"sales": "NA", "care": "None"})
    forecast["site"] = np.where(forecast.index < 150, "001", "A1")
    forecast.to_csv(tmp_path / "codes.csv", index=False)
    out, roll = tmp_path / "p.parquet", tmp_path / "r.csv"
    run("plan", tmp_path / "codes.csv", *TARGETS, "-o", out, "-r", roll, "--by", "queue,site", "--chunk-rows", 100)
    got = pd.read_parquet(out)
    assert sorted(got["site"].unique()) == ["001", "A1"] and sorted(got["queue"].unique()) == ["NA", "None"]
    rolled = pd.read_csv(roll, keep_default_na=False, dtype={"site": str})
    assert rolled["calls"].sum() == forecast["calls"].sum()  # no row fell out of a group
    assert set(rolled["site"]) == {"001", "A1"}
    forecast.loc[7, "queue"] = ""
    forecast.to_csv(tmp_path / "blank.csv", index=False)
    result = run("plan", tmp_path / "blank.csv", *TARGETS, "--interval-seconds", 1800, ok=False)
    one_line_error(result, "blank.csv", "column 'queue' has no value at row 8")


def test_interval_given_against_the_timestamps_warns(forecast_csv):
    result = run("plan", forecast_csv, *TARGETS, "--interval-seconds", 900)
    assert "warning: the timestamps step by 1800 s but --interval-seconds is 900" in result.stderr


def test_progress_bar_on_request_only(forecast_csv):
    # CliRunner's stderr is no terminal: no bar unless asked for.
    assert run("plan", forecast_csv, *TARGETS, "--chunk-rows", 50).stderr.count("\n") == 1  # the summary line
    shown = run("plan", forecast_csv, *TARGETS, "--progress", "--chunk-rows", 50).stderr
    assert "100%" in shown and "kB" in shown  # bytes of the CSV read


def test_warnings_are_said_once_with_their_total(tmp_path, forecast):
    forecast.loc[[10, 150, 250], "aht_seconds"] = -1.0
    forecast.to_csv(tmp_path / "bad.csv", index=False)
    result = run("plan", tmp_path / "bad.csv", *TARGETS, "--on-invalid", "nan", "--chunk-rows", 100)
    assert result.stderr.count("warning:") == 1
    assert "warning: 3 row(s) with invalid input got NaN in the plan" in result.stderr


def test_outputs_never_overwrite_the_input_or_each_other(tmp_path, forecast_csv):
    before = forecast_csv.read_bytes()
    one_line_error(run("plan", forecast_csv, *TARGETS, "-o", forecast_csv, ok=False), "would overwrite the input")
    result = run("plan", forecast_csv, *TARGETS, "-o", tmp_path / "x.csv", "-r", tmp_path / "x.csv", ok=False)
    one_line_error(result, "would overwrite")
    assert forecast_csv.read_bytes() == before and not (tmp_path / "x.csv").exists()
    (tmp_path / "folder.csv").mkdir()
    one_line_error(run("plan", forecast_csv, *TARGETS, "-o", tmp_path / "folder.csv", ok=False), "cannot write")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_empty_files_and_too_small_first_chunks(tmp_path, forecast):
    forecast.iloc[:0].to_csv(tmp_path / "header.csv", index=False)
    result = run("plan", tmp_path / "header.csv", *TARGETS, "--interval-seconds", 1800, ok=False)
    one_line_error(result, "header.csv: no rows")
    forecast.iloc[:0].to_parquet(tmp_path / "none.parquet")
    one_line_error(run("plan", tmp_path / "none.parquet", *TARGETS, ok=False), "no rows")
    # Queues interleaved row by row, one-row chunks: the length is each queue's over the file.
    forecast.sort_values("interval_start").to_csv(tmp_path / "mixed.csv", index=False)
    run("plan", tmp_path / "mixed.csv", *TARGETS, "--chunk-rows", 1, "-o", tmp_path / "p.csv")
    assert (pd.read_csv(tmp_path / "p.csv")["interval_seconds"] == 1800.0).all()


def test_timestamps_are_wall_clock_times(tmp_path):
    # Europe's spring change: 02:00 does not exist, offsets change mid-file and mid-chunk.
    stamps = ["00:30+01:00", "01:00+01:00", "01:30+01:00", "03:00+02:00", "03:30+02:00", "04:00+02:00"]
    day = pd.DataFrame(
        {"interval_start": [f"2026-03-29T{s}" for s in stamps], "queue": "a", "calls": 30.0, "aht_seconds": 200.0}
    )
    day.to_csv(tmp_path / "dst.csv", index=False)
    run("plan", tmp_path / "dst.csv", *TARGETS, "--interval-seconds", 1800, "--chunk-rows", 4, "-r", tmp_path / "r.csv")
    rolled = pd.read_csv(tmp_path / "r.csv")
    assert rolled["period"].tolist() == ["2026-03-29T00:00:00"] and rolled["intervals"].tolist() == [6]
    zoned = day.assign(interval_start=pd.to_datetime(day.interval_start, utc=True).dt.tz_convert("Europe/Berlin"))
    zoned.to_parquet(tmp_path / "dst.parquet")  # a zoned column keeps its zone, written with offsets
    run("plan", tmp_path / "dst.parquet", *TARGETS, "-o", tmp_path / "p.csv")
    assert pd.read_csv(tmp_path / "p.csv")["interval_start"].tolist()[3] == "2026-03-29T03:00:00+0200"


def test_the_fall_back_hour_needs_its_zone(tmp_path):
    starts = pd.date_range("2026-10-25 00:00", periods=12, freq="30min", tz="Europe/Berlin")  # 02:00 twice
    day = pd.DataFrame({"interval_start": starts, "queue": "a", "calls": 30.0, "aht_seconds": 200.0})
    day.assign(interval_start=[t.isoformat() for t in starts]).to_csv(tmp_path / "fb.csv", index=False)
    result = run("plan", tmp_path / "fb.csv", *TARGETS, ok=False)
    assert "give --tz ZONE" in result.stderr and "appears again at row 7" in result.stderr
    for source in ("fb.csv", "fb.parquet"):
        day.to_parquet(tmp_path / "fb.parquet")
        run("plan", tmp_path / source, *TARGETS, "--tz", "Europe/Berlin", "-r", tmp_path / "r.csv")
        rolled = pd.read_csv(tmp_path / "r.csv")
        assert rolled["intervals"].tolist() == [12] and rolled["calls"].tolist() == [360.0]
    naive = day.assign(interval_start=starts.tz_localize(None).astype(str))
    naive.to_csv(tmp_path / "naive.csv", index=False)
    result = run("plan", tmp_path / "naive.csv", *TARGETS, "--tz", "Europe/Berlin", ok=False)
    one_line_error(result, "row 5", "is ambiguous or does not exist in Europe/Berlin: write its UTC offset")
    assert run("plan", tmp_path / "fb.csv", "--tz", "Mars/Base", ok=False).exit_code == 2


def test_a_csv_plan_reads_back_and_numbers_may_say_na(tmp_path, forecast_csv, forecast):
    run("plan", forecast_csv, *TARGETS, "-o", tmp_path / "plan.csv")
    plan = pd.read_csv(tmp_path / "plan.csv")
    plan.assign(agents=plan.agents + 1).to_csv(tmp_path / "more.csv", index=False)
    run("evaluate", tmp_path / "more.csv", "--threshold", 20, "-o", tmp_path / "scored.csv")
    scored = pd.read_csv(tmp_path / "scored.csv")
    assert (scored.service_level[scored.calls > 0] >= plan.service_level[plan.calls > 0] - 1e-12).all()
    text = forecast_csv.read_text().splitlines()
    cells = text[9].split(",")
    cells[2] = "NA"
    text[9] = ",".join(cells)
    (tmp_path / "na.csv").write_text("\n".join(text) + "\n")
    result = run("plan", tmp_path / "na.csv", *TARGETS, "--on-invalid", "nan")
    assert "warning: 1 row(s) with invalid input got NaN" in result.stderr


def test_defaults_work_without_queues_and_one_stdout(tmp_path, forecast):
    one = forecast[forecast.queue == "care"].drop(columns="queue")
    one.to_csv(tmp_path / "one.csv", index=False)
    assert "2026-11-24" in run("plan", tmp_path / "one.csv", *TARGETS).stdout
    acd_report(forecast).drop(columns="queue").iloc[:48].to_csv(tmp_path / "acd.csv", index=False)
    assert "SL answered" in run("actuals", tmp_path / "acd.csv").stdout
    one_line_error(run("plan", tmp_path / "one.csv", *TARGETS, "-o", "-", "-r", "-", ok=False), "only one output")
    result = run("plan", tmp_path / "one.csv", *TARGETS, "--freq", "fortnightly", ok=False)
    assert result.exit_code == 2 and "'fortnightly' is neither D, W, M, Q, Y nor a pandas frequency" in result.output


def test_sigterm_and_a_closed_pipe_end_cleanly(tmp_path):
    rng = np.random.default_rng(1)
    starts = np.tile(pd.date_range("2026-01-01", periods=17520, freq="30min").to_numpy(), 60)
    big = pd.DataFrame({"interval_start": starts, "queue": np.repeat([f"q{i}" for i in range(60)], 17520)})
    big["calls"], big["aht_seconds"] = rng.poisson(50, len(big)).astype(float), 240.0
    big.to_parquet(tmp_path / "big.parquet")
    command = [sys.executable, "-m", "wfmath", "plan", str(tmp_path / "big.parquet"), *map(str, TARGETS)]
    running = subprocess.Popen([*command, "-o", str(tmp_path / "p.parquet"), "--chunk-rows", "5000"])
    deadline = time.monotonic() + 60
    while not [p for p in tmp_path.iterdir() if p.name.endswith(".part")] and time.monotonic() < deadline:
        time.sleep(0.05)  # until the output is being written
    running.terminate()
    assert running.wait(timeout=60) == 143  # ended by the signal, mid-run
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")] and not (tmp_path / "p.parquet").exists()
    reader = subprocess.Popen([*command, "-o", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout.readline().startswith(b"interval_start,")
    reader.stdout.close()  # as `| head -1` does
    assert reader.wait(timeout=120) == 0 and b"Error" not in reader.stderr.read()


def test_usage_errors_exit_2(forecast_csv):
    assert run("plan", ok=False).exit_code == 2
    assert run("plan", forecast_csv, "--example", ok=False).exit_code == 2
    assert run("plan", forecast_csv, "--plot", "x.gif", ok=False).exit_code == 2
    assert run("plan", forecast_csv, "--column", "calls", ok=False).exit_code == 2


@pytest.mark.parametrize(
    "args, words",
    [
        (["plan", "FORECAST", "--sl", 80, "--threshold", 20], "--sl must be in (0, 1), got 80.0"),
        (["plan", "FORECAST", *TARGETS, "--max-occupancy", 2], "--max-occupancy must be in (0, 1], got 2.0"),
        (["plan", "FORECAST", *TARGETS, "--patience", -5], "--patience must be > 0"),
        (["plan", "FORECAST", "--asa", 0], "--asa must be finite and > 0, got 0.0"),
        (["evaluate", "FORECAST", "--threshold", -4], "--threshold must be finite and >= 0, got -4.0"),
        (["size", "--calls", 10, "--aht", -1, *TARGETS], "--aht must be finite and > 0, got -1.0"),
        (["size", "--calls", 10, "--aht", 100, "--sl", 0.8], "--threshold is required with --sl"),
        (["size", "--calls", 10, "--aht", 100], "give --sl (with --threshold) or --asa, or both"),
    ],
)
def test_messages_name_the_options(tmp_path, forecast, args, words):
    forecast.assign(agents=20.0).to_csv(tmp_path / "f.csv", index=False)
    result = run(*[tmp_path / "f.csv" if a == "FORECAST" else a for a in args], ok=False)
    message = one_line_error(result, words)
    assert not any(name in message for name in ("sl_target", "_seconds", "max_occupancy"))


def test_a_target_column_is_named_as_the_column(tmp_path, forecast):
    forecast.assign(goal=80.0).to_csv(tmp_path / "f.csv", index=False)
    one_line_error(run("plan", tmp_path / "f.csv", "--sl", "goal", "--threshold", 20, ok=False), "column 'goal'")


@pytest.mark.parametrize(
    "command, roles", [("plan", PLAN_COLUMNS), ("evaluate", PLAN_COLUMNS), ("actuals", ACTUAL_COLUMNS)]
)
def test_help_lists_the_column_roles(command, roles):
    shown = " ".join(run(command, "--help").stdout.split())
    listed = shown.split("--column ROLE=COLUMN", 1)[1]
    assert all(f" {role}" in listed and column in listed for role, column in roles.items())
    result = run(command, "x.csv", "--column", "start=Begin", ok=False)
    assert result.exit_code == 2 and "unknown role 'start'; the roles are interval, queue" in result.stderr


def test_usage_errors_are_one_line(forecast_csv):
    one_line_error(run("plan", forecast_csv, "--frq", "D", ok=False), "No such option '--frq'", "plan --help')")
    one_line_error(run("plan", forecast_csv, "--column", "calls", ok=False), "expected ROLE=COLUMN")
    one_line_error(run("plan", forecast_csv, "--column", "start=x", ok=False), "unknown role 'start'")
    one_line_error(run("--bogus", ok=False), "No such option '--bogus'")
    one_line_error(run("plan", ok=False), "give a FORECAST file or --example")
    one_line_error(run("kpi", "show", "fcrr", ok=False), "unknown kpi 'fcrr'", "did you mean 'fcr'")
    assert "Usage:" in run(ok=False).output  # a bare command still shows its help


@pytest.mark.parametrize("command", [["plan", "--example"], ["size", "--calls", 100, "--aht", 180, *TARGETS]])
def test_plot_without_matplotlib_is_one_line(tmp_path, command):
    code = "import sys; sys.modules['matplotlib'] = None; from wfmath.cli import main; main(sys.argv[1:])"
    argv = [*map(str, command), "--plot", str(tmp_path / "day.png")]
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "--plot" in done.stderr and "matplotlib" in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("dtype", ["datetime64[ns]", "timedelta64[ns]", "datetime64[ns, UTC]"])
def test_dates_or_spans_where_counts_belong(tmp_path, forecast, dtype):
    forecast.assign(calls=pd.Series(np.arange(len(forecast)) * 10**9).astype(dtype)).to_parquet(tmp_path / "f.parquet")
    one_line_error(run("plan", tmp_path / "f.parquet", *TARGETS, ok=False), "row 1, column 'calls'", "is not a number")


def test_renamed_columns(tmp_path, forecast):
    source = tmp_path / "renamed.csv"
    forecast.rename(columns={"calls": "offered", "interval_start": "start"}).to_csv(source, index=False)
    run("plan", source, *TARGETS, "--column", "calls=offered", "--column", "interval=start", "-o", tmp_path / "o.csv")
    got = pd.read_csv(tmp_path / "o.csv")
    np.testing.assert_array_equal(got["agents"], expected(forecast)[0]["agents"])


def test_size_readable_and_json():
    want = wfmath.required_agents(100.0, 180.0, 1800.0, sl_target=0.8, threshold_seconds=20.0, shrinkage=0.3)
    args = ["size", "--calls", 100, "--aht", 180, "--interval", 1800, *TARGETS]
    text = run(*args).stdout
    assert f"agents on the phones         {want.agents}\n" in text
    assert f"scheduled (after shrinkage)  {want.scheduled}\n" in text
    assert f"{want.service_level:.3f}" in text and "Erlangs" in text
    figures = json.loads(run(*args, "--json").stdout)
    assert figures["agents"] == want.agents and figures["scheduled"] == want.scheduled
    assert figures["service_level"] == want.service_level and figures["asa_seconds"] == want.asa_seconds


def test_size_json_is_strict_json(monkeypatch):
    args = ["size", "--calls", 1e-300, "--aht", 100, "--patience", 1e-300, "--sl", 0.8, "--threshold", 20, "--json"]
    json.loads(run(*args).stdout, parse_constant=lambda word: pytest.fail(f"{word} is not JSON"))

    class Figures:  # a result with figures that are not finite
        def to_dict(self):
            return {"agents": 3, "service_level": float("nan"), "asa_seconds": float("inf")}

    monkeypatch.setattr(wfmath, "required_agents", lambda *args, **kwargs: Figures())
    text = run("size", "--calls", 10, "--aht", 100, *TARGETS, "--json").stdout
    figures = json.loads(text, parse_constant=lambda word: pytest.fail(f"{word} is not JSON"))
    assert figures["agents"] == 3 and figures["service_level"] is None and figures["asa_seconds"] is None


def test_a_bug_keeps_its_traceback(monkeypatch, tmp_path):
    # Only user errors become one line; a TypeError or KeyError inside is a bug and shows as one.
    for bug in (TypeError("a bug"), KeyError("a bug")):

        def broken(*args, bug=bug, **kwargs):
            raise bug

        monkeypatch.setattr(wfmath, "required_agents", broken)
        result = run("size", "--calls", 10, "--aht", 100, *TARGETS, ok=False)
        assert result.exit_code == 1 and result.exception is bug


def test_size_erlang_a_and_errors():
    args = ["size", "--calls", 100, "--aht", 180, "--sl", 0.8, "--threshold", 20]
    figures = json.loads(run(*args, "--patience", 120, "--abandon-target", 0.02, "--json").stdout)
    targets = dict(sl_target=0.8, threshold_seconds=20.0, abandon_target=0.02)
    want = wfmath.required_agents_a(100.0, 180.0, 1800.0, 120.0, **targets)
    assert figures["agents"] == want.agents and figures["p_abandon"] == want.p_abandon <= 0.02
    one_line_error(run("size", "--calls", 100, "--aht", -1, "--sl", 0.8, "--threshold", 20, ok=False), "--aht must be")
    one_line_error(run(*args, "--patience", 120, "--asa", 15, ok=False), "--asa sizes with Erlang C")
    one_line_error(run(*args, "--abandon-target", 0.05, ok=False), "need --patience")
    one_line_error(run(*args, "--shrinkage", "some_column", ok=False), "--shrinkage takes a number")
    one_line_error(run(*args, "--patience", 30, "--plot", "c.png", ok=False), "leave out --patience")


def test_plots_from_the_command_line(tmp_path, forecast_csv):
    run("plan", forecast_csv, *TARGETS, "--plot", tmp_path / "day.png", "--plot-day", "2026-11-24")
    height, width, _ = matplotlib.image.imread(tmp_path / "day.png").shape
    assert (width, height) == (1200, 100 * (1 + 2.75 * 2))  # two queues, the default size
    run("size", "--calls", 100, "--aht", 180, *TARGETS, "--plot", tmp_path / "curve.svg")
    assert (tmp_path / "curve.svg").read_text().lstrip().startswith("<?xml")
    result = run("plan", forecast_csv, *TARGETS, "--plot", tmp_path / "x.png", "--plot-day", "2027-01-01", ok=False)
    one_line_error(result, "--plot-day '2027-01-01' has no intervals")
    assert not (tmp_path / "x.png").exists()


def acd_report(forecast):
    rng = np.random.default_rng(5)
    offered = forecast["calls"].to_numpy().astype(int)
    answered = (offered * rng.uniform(0.85, 1.0, len(offered))).astype(int)
    return forecast[["interval_start", "queue"]].assign(
        offered=offered,
        answered=answered,
        answered_within=(answered * rng.uniform(0.6, 1.0, len(offered))).astype(int),
        abandoned=offered - answered,
        abandoned_within=((offered - answered) * 0.3).astype(int),
        handle_seconds=answered * forecast["aht_seconds"].to_numpy(),
    )


def test_actuals_streamed_equal_the_whole(tmp_path, forecast):
    report = acd_report(forecast)
    report.to_csv(tmp_path / "acd.csv", index=False)
    run("actuals", tmp_path / "acd.csv", "-o", tmp_path / "out.parquet", "--chunk-rows", 41)
    got = pd.read_parquet(tmp_path / "out.parquet")
    want = wfmath.actuals(report).reset_index()
    assert list(got.columns) == list(want.columns)
    np.testing.assert_allclose(got["sl_excl_short_abandons"], want["sl_excl_short_abandons"], rtol=1e-12)
    np.testing.assert_array_equal(got["offered"], want["offered"])
    per_row = run("actuals", tmp_path / "acd.csv", "--freq", "none", "--by", "").stdout.splitlines()
    assert len(per_row) == len(report) + 1 and per_row[0].startswith("queue,interval_start,offered,")
    assert "sl_answered" in per_row[0] and per_row[1].startswith("sales,2026-11-23T00:00:00,")
    printed = run("actuals", tmp_path / "acd.csv", "--freq", "none").stdout
    assert "care" in printed and "SL offered" in printed


def test_actuals_bad_count(tmp_path, forecast):
    report = acd_report(forecast)
    report.loc[7, "answered"] = report.loc[7, "offered"] + 1
    report.to_csv(tmp_path / "acd.csv", index=False)
    result = run("actuals", tmp_path / "acd.csv", ok=False)
    one_line_error(result, "acd.csv", "column 'answered' must be <= offered", "row 8")


def test_kpi_commands():
    assert "First-contact resolution" in run("kpi", "list", "--category", "quality").stdout
    shown = run("kpi", "show", "fcr").stdout
    assert "category            Quality" in shown and "agent controllable  yes" in shown
    audit = run("kpi", "audit", "calls_handled_per_agent", "qa_score").stdout
    assert audit.startswith("high") and "not_agent_controllable" in audit
    one_line_error(run("kpi", "show", "nope", ok=False), "nope")
    one_line_error(run("kpi", "list", "--category", "Speed", ok=False), "Speed")


@pytest.mark.parametrize(
    "command",
    [[], ["plan"], ["evaluate"], ["size"], ["actuals"], ["kpi"], ["kpi", "list"], ["kpi", "show"], ["kpi", "audit"]],
)
def test_help_everywhere(command):
    assert "Usage: " in run(*command, "--help").stdout


def test_installed_script_and_module_entry(tmp_path):
    scripts = {e.name: e.value for e in metadata.entry_points(group="console_scripts")}
    assert scripts.get("wfmath") == "wfmath.cli:main"
    done = subprocess.run(
        [sys.executable, "-m", "wfmath", "plan", str(tmp_path / "missing.parquet")], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"Error: {tmp_path / 'missing.parquet'}: no such file"
