"""Frame functions at the edges: clock changes, fine periods over long spans, bad rows in
rebin. Expected figures come from plain pandas on UTC instants or by hand."""

import numpy as np
import pandas as pd
import pytest
import wfmath

BERLIN = "Europe/Berlin"


def quarter_hours(start, end, zone=BERLIN):
    """Every quarter-hour from `start` to `end` local time, as the clock shows them."""
    times = pd.date_range(pd.Timestamp(start, tz=zone), pd.Timestamp(end, tz=zone), freq="15min", inclusive="left")
    calls = np.arange(1.0, len(times) + 1)
    return pd.DataFrame({"interval_start": times, "calls": calls, "aht_seconds": 100.0 + calls})


def hourly_by_instant(frame):
    """Calls per hour grouped on UTC instants (Berlin's offsets are whole hours), shown in Berlin."""
    hours = frame.interval_start.dt.tz_convert("UTC").dt.floor("h")
    sums = frame.calls.groupby(hours).agg(["sum", "size"])
    sums.index = sums.index.tz_convert(BERLIN)
    return sums


# Autumn: 02:00-03:00 happens twice on 2026-10-25; spring: 02:00-03:00 never happens on 2026-03-29.
DAYS = {
    "fall back": ("2026-10-25 00:00", "2026-10-25 05:00"),
    "spring forward": ("2026-03-29 00:00", "2026-03-29 05:00"),
}


@pytest.mark.parametrize("day", list(DAYS))
def test_rebin_across_a_clock_change_keeps_the_zone_and_every_hour(day):
    q = quarter_hours(*DAYS[day])
    r = wfmath.rebin(q, 60)
    want = hourly_by_instant(q)
    assert str(r.interval_start.dt.tz) == BERLIN
    assert r.interval_start.tolist() == want.index.tolist()
    assert r.calls.tolist() == want["sum"].tolist()
    assert (r.sub_intervals == 4).all()
    assert len(r) == (6 if day == "fall back" else 4)
    handle = (q.calls * q.aht_seconds).groupby(q.interval_start.dt.tz_convert("UTC").dt.floor("h")).sum()
    np.testing.assert_allclose(r.aht_seconds, handle.to_numpy() / want["sum"].to_numpy(), rtol=1e-15)


@pytest.mark.parametrize("freq", ["h", "30min"])
@pytest.mark.parametrize("day", list(DAYS))
def test_sub_day_rollups_work_on_instants(day, freq):
    q = quarter_hours(*DAYS[day])
    p = wfmath.plan(q, sl_target=0.8, threshold_seconds=20.0)
    r = wfmath.rollup(p, freq=freq, by=None)
    periods = q.interval_start.dt.tz_convert("UTC").dt.floor(freq)
    want = q.calls.groupby(periods).sum()
    assert r.index.tolist() == want.index.tz_convert(BERLIN).tolist()
    assert r.calls.tolist() == want.tolist()


def test_day_rollups_stay_on_local_calendar_days():
    autumn = quarter_hours("2026-10-24 22:00", "2026-10-26 02:00")
    r = wfmath.rollup(wfmath.plan(autumn, sl_target=0.8, threshold_seconds=20.0), by=None)
    local_days = autumn.interval_start.dt.tz_localize(None).dt.normalize()
    want = autumn.calls.groupby(local_days).agg(["sum", "size"])
    assert r.index.tolist() == want.index.tz_localize(BERLIN).tolist()
    assert r.calls.tolist() == want["sum"].tolist()
    assert r.intervals.tolist() == [8, 100, 8]  # the autumn day has 25 hours
    spring = quarter_hours("2026-03-28 00:00", "2026-03-30 00:00")
    days = wfmath.rollup(wfmath.plan(spring, sl_target=0.8, threshold_seconds=20.0), by=None, freq="D")
    assert days.intervals.tolist() == [96, 92]  # and the spring day 23
    week = wfmath.rollup(wfmath.plan(spring, sl_target=0.8, threshold_seconds=20.0), by=None, freq="W")
    assert week.index.tolist() == [pd.Timestamp("2026-03-23", tz=BERLIN)]


def test_hours_follow_the_local_clock_in_a_half_hour_zone():
    q = quarter_hours("2026-03-02 08:00", "2026-03-02 10:00", zone="Asia/Kolkata")
    r = wfmath.rebin(q, 60)
    assert [t.strftime("%H:%M") for t in r.interval_start] == ["08:00", "09:00"]


def test_naive_timestamps_are_binned_as_before():
    q = quarter_hours("2026-10-25 00:00", "2026-10-25 05:00", zone=None)
    r = wfmath.rebin(q, 60)
    want = q.calls.groupby(q.interval_start.dt.floor("h")).sum()
    assert r.interval_start.dt.tz is None
    assert r.interval_start.tolist() == want.index.tolist() and r.calls.tolist() == want.tolist()


def test_a_fine_period_over_years_needs_memory_for_rows_not_for_the_span():
    rng = np.random.default_rng(5)
    n = 3000
    slots = np.sort(rng.choice(5 * 365 * 48, n, replace=False))  # half hours over five years
    frame = pd.DataFrame(
        {
            "interval_start": pd.Timestamp("2021-01-01") + pd.to_timedelta(slots * 1800, "s"),
            "queue": rng.choice(["a", "b"], n),
            "calls": np.floor(rng.uniform(0, 50, n)),
            "aht_seconds": 200.0,
        }
    )
    p = wfmath.plan(frame, sl_target=0.8, threshold_seconds=20.0, interval_seconds=1800.0)
    # A dense code space of one group per second would need 157 million groups per queue.
    r = wfmath.rollup(p, freq="1s")
    want = p.groupby(["queue", "interval_start"]).calls.sum()
    assert r.index.tolist() == want.index.tolist()
    assert r.calls.tolist() == want.tolist()
    parts = pd.concat([wfmath.rollup_parts(p.iloc[:1000], freq="1s"), wfmath.rollup_parts(p.iloc[1000:], freq="1s")])
    pd.testing.assert_frame_equal(wfmath.finish_rollup(parts), r)


def test_stray_timestamps_years_apart_are_checked_for_repeats():
    """The repeat check of (queue, interval) rows must not need a bit per nanosecond of the span."""
    start = pd.Timestamp("2021-01-01 08:00")
    stray = pd.Timestamp("2026-01-01 08:00") + pd.Timedelta(1, "ns")
    times = pd.DatetimeIndex([start, start + pd.Timedelta(minutes=30), stray, start])
    report = pd.DataFrame({"interval_start": times, "offered": 1, "answered": 1, "answered_within": 1, "abandoned": 0})
    assert wfmath.actuals(report.iloc[:3], freq=None, by=None)["offered"].tolist() == [1, 1, 1]
    with pytest.raises(ValueError, match=r"duplicate rows for \(interval_start\).*row 3"):
        wfmath.actuals(report)


@pytest.mark.parametrize("freq", ["0min", "-30min", "0D", "fortnightly"])
def test_a_period_that_is_not_one_is_named(freq):
    p = wfmath.plan(quarter_hours("2026-03-02 08:00", "2026-03-02 10:00"), sl_target=0.8, threshold_seconds=20.0)
    with pytest.raises(ValueError, match=f"freq must be a positive .*{freq}"):
        wfmath.rollup(p, freq=freq)


def rebin_input():
    return pd.DataFrame(
        {
            "interval_start": pd.date_range("2026-03-02 08:00", periods=4, freq="15min").repeat(2),
            "queue": ["a", "b"] * 4,
            "calls": [10.0, 1.0, 30.0, 2.0, 0.0, 3.0, 20.0, 4.0],
            "aht_seconds": 200.0,
        },
        index=pd.RangeIndex(10, 18),
    )


@pytest.mark.parametrize(
    ("column", "row", "value", "message"),
    [
        ("calls", 13, -1.0, r"column 'calls' must be finite and >= 0, got -1.0 at row 13"),
        ("calls", 15, np.nan, r"column 'calls' must be finite and >= 0, got nan at row 15"),
        ("aht_seconds", 12, -200.0, r"column 'aht_seconds' must be finite and >= 0, got -200.0 at row 12"),
        ("aht_seconds", 12, np.nan, r"column 'aht_seconds' must be finite and >= 0, got nan at row 12"),
        ("queue", 12, "b", r"duplicate rows for \(queue, interval_start\): queue='b', .* again at row 13"),
    ],
)
def test_rebin_refuses_bad_rows_naming_column_row_and_value(column, row, value, message):
    bad = rebin_input()
    bad.loc[row, column] = value
    with pytest.raises(ValueError, match=message):
        wfmath.rebin(bad, 30)


def test_rebin_accepts_a_zero_call_interval_without_aht():
    q = rebin_input()
    q.loc[14, "aht_seconds"] = np.nan  # queue a, 08:30, no calls
    r = wfmath.rebin(q, 30).set_index(["queue", "interval_start"])
    assert r.loc[("a", pd.Timestamp("2026-03-02 08:30")), "calls"] == 20.0
    assert r.loc[("a", pd.Timestamp("2026-03-02 08:30")), "aht_seconds"] == 200.0
    none = wfmath.rebin(q.assign(calls=0.0, aht_seconds=[np.nan, 100.0] * 4), 60).set_index("queue")
    assert np.isnan(none.loc["a", "aht_seconds"]) and none.loc["b", "aht_seconds"] == 100.0


def test_rebin_refuses_a_zoned_timestamp_off_the_grid():
    q = quarter_hours("2026-10-25 01:00", "2026-10-25 04:00")
    q.loc[5, "interval_start"] += pd.Timedelta(minutes=5)
    with pytest.raises(ValueError, match=r"not aligned to the 15-minute grid.*row 5"):
        wfmath.rebin(q, 60)


def a_day(aht_of_quiet_rows):
    return pd.DataFrame(
        {
            "interval_start": pd.date_range("2026-03-02 08:00", periods=4, freq="30min"),
            "calls": [80.0, 0.0, 0.0, 60.0],
            "aht_seconds": [240.0, *aht_of_quiet_rows, 180.0],
        }
    )


def test_a_zero_call_interval_needs_no_aht():
    busy = wfmath.plan(a_day([200.0, 200.0]), sl_target=0.8, threshold_seconds=20.0)
    p = wfmath.plan(a_day([0.0, np.nan]), sl_target=0.8, threshold_seconds=20.0)
    assert p.agents.tolist() == busy.agents.tolist() and p.agents.iloc[1:3].tolist() == [0.0, 0.0]
    assert p.aht_seconds.iloc[1] == 0.0 and np.isnan(p.aht_seconds.iloc[2])  # the input as given
    r = wfmath.rollup(p, sl_target=0.8).iloc[0]
    # No calls, no staff, no SL: the quiet intervals weigh nothing.
    assert r["aht_seconds"] == (80 * 240 + 60 * 180) / 140
    assert r["service_level"] == pytest.approx((p.calls * p.service_level).sum() / 140, rel=1e-15)
    assert (r["intervals"], r["intervals_with_calls"], r["intervals_left_out"]) == (4, 2, 0)
    pd.testing.assert_frame_equal(wfmath.rollup(p), wfmath.rollup(busy))


def test_an_invalid_row_is_left_out_of_its_day_not_the_day():
    bad = a_day([0.0, 0.0])
    bad.loc[3, "calls"] = -5.0
    with pytest.warns(RuntimeWarning, match="1 row"):
        p = wfmath.plan(bad, sl_target=0.8, threshold_seconds=20.0, on_invalid="nan")
    r = wfmath.rollup(p, sl_target=0.8).iloc[0]
    good = p.iloc[:3]
    assert r["calls"] == 80.0 and r["agent_hours"] == good.agents.sum() * 0.5
    assert r["service_level"] == pytest.approx(good.service_level.iloc[0], rel=1e-15)
    assert r["share_intervals_met"] == 1.0
    assert (r["intervals"], r["intervals_left_out"]) == (4, 1)
