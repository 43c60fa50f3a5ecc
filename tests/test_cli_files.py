"""Reading real exports on the command line: interval lengths per queue over the whole file,
export layouts (date and time columns, end labels, local dates, mm:ss), separators and
encodings, and one-line errors for files that cannot be read."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import wfmath
from click.testing import CliRunner
from wfmath.cli import main

TARGETS = ["--sl", "0.8", "--threshold", "20"]
SIZING = {"sl_target": 0.8, "threshold_seconds": 20.0}


def run(*args, ok=True):
    result = CliRunner().invoke(main, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def one_line_error(result, *parts):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = result.stderr.strip().splitlines()[-1]
    assert not [line for line in result.stderr.strip().splitlines() if line.startswith("  ")], result.stderr
    for part in parts:
        assert part in message, message
    return message


def day(queue, freq, days=3, scale=80.0, start="2026-03-02 08:00", hours=10):
    """`days` days of one queue, open `hours` hours from 08:00, in time order."""
    rng = np.random.default_rng(len(queue) + days)
    per_day = pd.Timedelta(hours=hours) // pd.Timedelta(freq)
    starts = pd.DatetimeIndex(
        [
            t
            for d in range(days)
            for t in pd.date_range(pd.Timestamp(start) + pd.Timedelta(days=d), periods=per_day, freq=freq)
        ]
    )
    return pd.DataFrame(
        {
            "interval_start": starts,
            "queue": queue,
            "calls": rng.poisson(scale, len(starts)).astype(float),
            "aht_seconds": rng.uniform(180, 400, len(starts)).round(),
        }
    )


def hours_by_queue(frame):
    return frame.groupby("queue")["agent_hours"].sum()


@pytest.mark.parametrize("layout", ["time_of_day", "shuffled"])
def test_interval_length_is_each_queues_over_the_whole_file(tmp_path, layout):
    data = pd.concat([day("sales", "30min", days=5), day("care", "30min", days=5)], ignore_index=True)
    if layout == "time_of_day":  # all days' 08:00 rows, then 08:30 ...: a chunk sees steps of a day
        data = data.iloc[np.lexsort((data.interval_start.dt.date, data.interval_start.dt.time))]
    else:
        data = data.sample(frac=1.0, random_state=3)
    data.to_csv(tmp_path / "f.csv", index=False)
    run("plan", tmp_path / "f.csv", *TARGETS, "--chunk-rows", 7, "-o", tmp_path / "p.csv")
    got = pd.read_csv(tmp_path / "p.csv")
    whole = wfmath.plan(data, **SIZING)
    assert (got["interval_seconds"] == 1800.0).all()
    pd.testing.assert_series_equal(hours_by_queue(got), hours_by_queue(whole))
    # Independently: agents x half an hour, summed.
    np.testing.assert_allclose(got["agent_hours"].sum(), got["agents"].sum() * 0.5)


def test_each_queue_gets_its_own_interval_length(tmp_path):
    quarter, half = day("billing", "15min"), day("sales", "30min")
    data = pd.concat([quarter, half], ignore_index=True).sample(frac=1.0, random_state=5)
    data.to_csv(tmp_path / "two.csv", index=False)
    result = run("plan", tmp_path / "two.csv", *TARGETS, "--chunk-rows", 11, "-o", tmp_path / "p.csv")
    assert "; interval length 900 s ('billing'), 1800 s ('sales')" in result.stderr
    got = pd.read_csv(tmp_path / "p.csv")
    assert got.groupby("queue")["interval_seconds"].unique().to_dict() == {"billing": [900.0], "sales": [1800.0]}
    # Each queue sized alone, with its length given, equals its rows of the mixed file, in the
    # CLI and in memory.
    mixed = hours_by_queue(wfmath.plan(data, **SIZING))
    for queue, alone, seconds in (("billing", quarter, 900.0), ("sales", half, 1800.0)):
        expected = wfmath.plan(alone, interval_seconds=seconds, **SIZING)["agent_hours"].sum()
        assert got.loc[got.queue == queue, "agent_hours"].sum() == pytest.approx(expected, rel=1e-12)
        assert mixed[queue] == pytest.approx(expected, rel=1e-12)


def test_an_interval_seconds_column_is_used_per_row(tmp_path):
    data = pd.concat([day("billing", "15min"), day("sales", "30min")], ignore_index=True)
    data["interval_seconds"] = np.where(data.queue == "billing", 900.0, 1800.0)
    lone = pd.DataFrame(
        {
            "interval_start": [pd.Timestamp("2026-03-02 08:00")],
            "queue": "vip",
            "calls": 10.0,
            "aht_seconds": 300.0,
            "interval_seconds": 3600.0,
        }
    )
    data = pd.concat([data, lone], ignore_index=True)
    data.to_csv(tmp_path / "col.csv", index=False)
    run("plan", tmp_path / "col.csv", *TARGETS, "--chunk-rows", 13, "-o", tmp_path / "p.csv")
    got = pd.read_csv(tmp_path / "p.csv")
    np.testing.assert_array_equal(got["interval_seconds"], data["interval_seconds"])
    np.testing.assert_allclose(got["load"], data.calls * data.aht_seconds / data.interval_seconds)
    bad = data.assign(interval_seconds=data.interval_seconds.where(data.index != 4, 0.0))
    with pytest.raises(ValueError, match=r"column 'interval_seconds' must be finite and > 0, got 0.0 at row 4"):
        wfmath.plan(bad, **SIZING)


def test_a_queue_with_one_row_needs_the_length_given(tmp_path):
    data = pd.concat([day("sales", "30min"), day("vip", "30min").iloc[:1]], ignore_index=True)
    data.to_csv(tmp_path / "lone.csv", index=False)
    one_line_error(
        run("plan", tmp_path / "lone.csv", *TARGETS, ok=False),
        "queue 'vip' has a single timestamp",
        "--interval-seconds",
    )
    with pytest.raises(ValueError, match="queue 'vip' has a single timestamp.*give interval_seconds"):
        wfmath.plan(data, **SIZING)
    run("plan", tmp_path / "lone.csv", *TARGETS, "--interval-seconds", 1800)


def test_a_given_length_is_checked_against_the_whole_file(tmp_path):
    data = pd.concat([day("sales", "30min"), day("billing", "15min")], ignore_index=True)
    data.to_csv(tmp_path / "f.csv", index=False)
    # The first 100 rows are all sales; billing, later in the file, contradicts 1800 s.
    result = run("plan", tmp_path / "f.csv", *TARGETS, "--interval-seconds", 1800, "--chunk-rows", 100)
    assert "warning: the timestamps step by 900 s but --interval-seconds is 1800 (queue 'billing')" in result.stderr


@pytest.fixture
def week(tmp_path):
    data = pd.concat([day("sales", "30min"), day("care", "30min")], ignore_index=True)
    data.to_csv(tmp_path / "week.csv", index=False)
    return data


def test_a_header_with_a_name_twice_is_refused(tmp_path, week):
    lines = (tmp_path / "week.csv").read_text().splitlines()
    lines[0] = lines[0].replace("aht_seconds", "calls")  # pandas would read the second as 'calls.1'
    (tmp_path / "twice.csv").write_text("\n".join(lines) + "\n")
    one_line_error(run("plan", tmp_path / "twice.csv", *TARGETS, ok=False), "twice.csv", "'calls' twice")
    columns = [pa.array(week[c]) for c in week.columns]
    pq.write_table(
        pa.Table.from_arrays(columns, names=["interval_start", "queue", "calls", "calls"]), tmp_path / "twice.parquet"
    )
    one_line_error(run("plan", tmp_path / "twice.parquet", *TARGETS, ok=False), "'calls' twice")


def test_a_corrupt_gzip_is_a_file_error(tmp_path, week):
    week.to_csv(tmp_path / "w.csv.gz", index=False)
    packed = bytearray((tmp_path / "w.csv.gz").read_bytes())
    packed[10:30] = bytes(b ^ 0x55 for b in packed[10:30])  # damaged, not cut short: a zlib error
    (tmp_path / "bad.csv.gz").write_bytes(bytes(packed))
    one_line_error(run("plan", tmp_path / "bad.csv.gz", *TARGETS, ok=False), "bad.csv.gz: not a readable csv file")


def test_a_huge_field_is_cut_in_the_message(tmp_path, week):
    bad = week.astype({"calls": object})
    bad.loc[6, "calls"] = "x" * 10_000_000
    bad.to_csv(tmp_path / "huge.csv", index=False)
    message = one_line_error(run("plan", tmp_path / "huge.csv", *TARGETS, ok=False), "row 7", "column 'calls'", "'xxx")
    assert len(message) < 200 + len(str(tmp_path))


def test_a_missing_column_or_separator_is_named(tmp_path, week):
    week.drop(columns="calls").to_csv(tmp_path / "nocalls.csv", index=False)
    one_line_error(
        run("plan", tmp_path / "nocalls.csv", *TARGETS, ok=False),
        "no column 'calls'; the columns are 'interval_start', 'queue', 'aht_seconds'",
    )
    week.drop(columns="interval_start").to_csv(tmp_path / "notime.csv", index=False)
    one_line_error(run("plan", tmp_path / "notime.csv", *TARGETS, ok=False), "'interval_start'", "--interval-seconds")
    week.to_csv(tmp_path / "semi.csv", index=False, sep=";")
    one_line_error(run("plan", tmp_path / "semi.csv", *TARGETS, ok=False), "looks ';'-separated: give --sep ';'")


def test_a_ragged_row_is_named_by_its_data_row(tmp_path, week):
    lines = (tmp_path / "week.csv").read_text().splitlines()
    lines[4] += ",extra"  # the file's fifth line: data row 4
    (tmp_path / "ragged.csv").write_text("\n".join(lines) + "\n")
    result = run("plan", tmp_path / "ragged.csv", *TARGETS, "--chunk-rows", 2, ok=False)
    one_line_error(result, "ragged.csv: row 4 has 5 fields where the header has 4")
    lines.insert(2, "")  # a blank line is no row
    (tmp_path / "ragged.csv").write_text("\n".join(lines) + "\n")
    one_line_error(run("plan", tmp_path / "ragged.csv", *TARGETS, ok=False), "row 4 has 5 fields")


def plan_of(tmp_path, name, *args):
    run("plan", tmp_path / name, *TARGETS, "--chunk-rows", 9, "-o", tmp_path / "p.csv", "-r", tmp_path / "r.csv", *args)
    return pd.read_csv(tmp_path / "p.csv"), pd.read_csv(tmp_path / "r.csv")


def test_date_and_time_columns(tmp_path, week):
    export = week.assign(
        Date=week.interval_start.dt.strftime("%Y-%m-%d"), Interval=week.interval_start.dt.strftime("%H:%M")
    )
    export.drop(columns="interval_start").to_csv(tmp_path / "acd.csv", index=False)
    got, _ = plan_of(tmp_path, "acd.csv", "--date-column", "Date", "--time-column", "Interval")
    expected = wfmath.plan(week, **SIZING)
    assert pd.to_datetime(got["interval_start"]).tolist() == week["interval_start"].tolist()
    np.testing.assert_array_equal(got["agent_hours"], expected["agent_hours"])
    one_line_error(run("plan", tmp_path / "acd.csv", *TARGETS, "--date-column", "Date", ok=False), "go together")
    result = run("plan", tmp_path / "acd.csv", *TARGETS, "--date-column", "Day", "--time-column", "Interval", ok=False)
    one_line_error(result, "no column 'Day'")


def test_end_labels_are_shifted_back_by_each_queues_length(tmp_path):
    # A night queue whose last interval ends at midnight: with end labels it belongs to the day before.
    late = day("night", "30min", days=2, start="2026-03-02 20:00", hours=4)
    quarter = day("billing", "15min", days=2)
    starts = pd.concat([late, quarter], ignore_index=True)
    ends = starts.assign(
        interval_start=starts.interval_start + pd.to_timedelta(np.where(starts.queue == "night", 30, 15), unit="min")
    )
    ends.to_csv(tmp_path / "ends.csv", index=False)
    got, rolled = plan_of(tmp_path, "ends.csv", "--label", "end")
    assert pd.to_datetime(got["interval_start"]).tolist() == starts["interval_start"].tolist()
    expected = wfmath.rollup(wfmath.plan(starts, **SIZING), sl_target=0.8).reset_index()
    assert rolled["calls"].tolist() == expected["calls"].tolist()
    assert rolled.loc[rolled.queue == "night", "period"].str[:10].tolist() == ["2026-03-02", "2026-03-03"]
    np.testing.assert_allclose(rolled["agent_hours"], expected["agent_hours"])


@pytest.mark.parametrize(
    "layout, date_format",
    [("%m/%d/%Y %I:%M %p", "%m/%d/%Y %I:%M %p"), ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M")],
)
def test_local_date_layouts(tmp_path, week, layout, date_format):
    week.assign(interval_start=week.interval_start.dt.strftime(layout)).to_csv(tmp_path / "local.csv", index=False)
    got, _ = plan_of(tmp_path, "local.csv", "--date-format", date_format)
    assert pd.to_datetime(got["interval_start"]).tolist() == week["interval_start"].tolist()
    result = run("plan", tmp_path / "local.csv", *TARGETS, "--date-format", "%Y-%m-%d %H:%M", ok=False)
    first = week.interval_start.iloc[0].strftime(layout)
    one_line_error(result, "row 1, column 'interval_start'", f"{first!r} does not match --date-format '%Y-%m-%d %H:%M'")


def test_aht_as_a_clock(tmp_path, week):
    clock = [
        f"{int(s) // 60}:{int(s) % 60:02d}" if i % 2 else f"0:{int(s) // 60:02d}:{int(s) % 60:02d}"
        for i, s in enumerate(week.aht_seconds)
    ]
    week.assign(aht_seconds=clock).to_csv(tmp_path / "clock.csv", index=False)
    got, _ = plan_of(tmp_path, "clock.csv")
    np.testing.assert_array_equal(got["aht_seconds"], week["aht_seconds"])
    week.assign(aht_seconds=["4:75"] * len(week)).to_csv(tmp_path / "bad.csv", index=False)
    one_line_error(run("plan", tmp_path / "bad.csv", *TARGETS, ok=False), "row 1, column 'aht_seconds': '4:75' is not")
    week.assign(calls=["4:30"] * len(week)).to_csv(tmp_path / "calls.csv", index=False)  # a count is no clock
    one_line_error(run("plan", tmp_path / "calls.csv", *TARGETS, ok=False), "column 'calls': '4:30' is not a number")


def test_separator_decimal_mark_and_encoding(tmp_path, week):
    expected, _ = plan_of(tmp_path, "week.csv")
    local = week.assign(
        queue=week.queue.map({"sales": "Verkauf Köln", "care": "Kundendienst"}), aht_seconds=week.aht_seconds + 0.5
    )
    local.to_csv(tmp_path / "de.csv", index=False, sep=";", decimal=",", encoding="cp1252")
    result = run("plan", tmp_path / "de.csv", *TARGETS, "--sep", ";", "--decimal", ",", ok=False)
    one_line_error(result, "de.csv: not UTF-8 text", "--encoding")
    got, _ = plan_of(tmp_path, "de.csv", "--sep", ";", "--decimal", ",", "--encoding", "cp1252")
    assert set(got["queue"]) == {"Verkauf Köln", "Kundendienst"}
    np.testing.assert_array_equal(got["aht_seconds"], local["aht_seconds"])
    week.to_csv(tmp_path / "week.tsv", index=False, sep="\t")
    got, _ = plan_of(tmp_path, "week.tsv")
    pd.testing.assert_frame_equal(got, expected)


def test_excel_in_and_out(tmp_path, week):
    expected, rolled = plan_of(tmp_path, "week.csv")
    week.to_excel(tmp_path / "week.xlsx", index=False)
    run("plan", tmp_path / "week.xlsx", *TARGETS, "-o", tmp_path / "p.xlsx", "-r", tmp_path / "r.xlsx")
    got = pd.read_excel(tmp_path / "p.xlsx")
    np.testing.assert_array_equal(got["agents"], expected["agents"])
    assert got["interval_start"].tolist() == week["interval_start"].tolist()
    np.testing.assert_allclose(pd.read_excel(tmp_path / "r.xlsx")["agent_hours"], rolled["agent_hours"])


def test_excel_without_openpyxl_says_what_to_install(tmp_path, week, monkeypatch):
    week.to_excel(tmp_path / "week.xlsx", index=False)
    monkeypatch.setitem(__import__("sys").modules, "openpyxl", None)  # as if not installed
    one_line_error(run("plan", tmp_path / "week.xlsx", *TARGETS, ok=False), "needs openpyxl", "pip install openpyxl")
    result = run("plan", tmp_path / "week.csv", *TARGETS, "-o", tmp_path / "p.xlsx", ok=False)
    one_line_error(result, "p.xlsx: writing .xlsx needs openpyxl")
