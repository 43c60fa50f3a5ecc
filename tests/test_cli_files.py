"""Reading real exports on the command line: interval lengths per queue over the whole file,
export layouts (date and time columns, end labels, local dates, mm:ss), separators and
encodings, and one-line errors for files that cannot be read."""

import numpy as np
import pandas as pd
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
