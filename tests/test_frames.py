"""Interval plans, roll-ups, re-binning and ACD actuals on pandas, polars and pyarrow frames.

Expected figures are ratios of sums worked out by hand (exact fractions) or by a plain pandas
groupby of the same formulas, never copied from wfmath's output.
"""

from fractions import Fraction

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
import wfmath

START = pd.Timestamp("2026-03-02 08:00")


def intervals(n, freq="30min", start=START):
    return list(pd.date_range(start, periods=n, freq=freq))


@pytest.fixture
def forecast():
    """Two queues over a morning; queue "b" never gets a call; 09:00 is missing for "a"."""
    times = intervals(4)
    return pd.DataFrame(
        {
            "interval_start": [times[0], times[1], times[3], *times],
            "queue": ["a", "a", "a", "b", "b", "b", "b"],
            "calls": [80.0, 120.0, 60.0, 0.0, 0.0, 0.0, 0.0],
            "aht_seconds": [240.0, 300.0, 180.0, 200.0, 200.0, 200.0, 200.0],
        },
        index=pd.Index([11, 12, 13, 21, 22, 23, 24], name="row"),
    )


def test_plan_sizes_every_interval_and_keeps_the_input(forecast):
    before = forecast.copy()
    p = wfmath.plan(forecast, sl_target=0.8, threshold_seconds=20.0, shrinkage=0.25)
    pd.testing.assert_frame_equal(forecast, before)
    assert p.index.equals(forecast.index)
    one = wfmath.required_agents(120.0, 300.0, 1800.0, sl_target=0.8, threshold_seconds=20.0, shrinkage=0.25)
    row = p.loc[12]
    assert (row["agents"], row["scheduled"]) == (one.agents, one.scheduled)
    assert row["agent_hours"] == one.agents * 0.5
    assert row["load"] == 20.0 and row["interval_seconds"] == 1800.0
    assert (p.loc[21:24, "agents"] == 0).all()


def test_targets_can_come_from_columns_and_names_are_configurable(forecast):
    renamed = forecast.rename(columns={"calls": "offered", "aht_seconds": "aht"})
    renamed["target"] = [0.8, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8]
    p = wfmath.plan(
        renamed, sl_target="target", threshold_seconds=20.0, columns={"calls": "offered", "aht_seconds": "aht"}
    )
    strict = wfmath.required_agents(120.0, 300.0, 1800.0, sl_target=0.9, threshold_seconds=20.0)
    assert p.loc[12, "agents"] == strict.agents


def test_every_frame_kind_gives_the_same_numbers(forecast):
    want = wfmath.rollup(wfmath.plan(forecast, sl_target=0.8, threshold_seconds=20.0))
    for kind in (pl.from_pandas(forecast), pa.Table.from_pandas(forecast, preserve_index=False)):
        p = wfmath.plan(kind, sl_target=0.8, threshold_seconds=20.0)
        assert type(p) is type(kind)
        got = wfmath.rollup(p)
        assert type(got) is type(kind)
        got = got.to_pandas()
        np.testing.assert_array_equal(got["agent_hours"].to_numpy(), want["agent_hours"].to_numpy())
        np.testing.assert_array_equal(got["calls"].to_numpy(), want["calls"].to_numpy())


def test_rollup_is_a_ratio_of_sums(forecast):
    p = wfmath.plan(forecast, sl_target=0.8, threshold_seconds=20.0)
    r = wfmath.rollup(p, paid_hours_per_fte=8.0)
    a = r.loc[("a", pd.Timestamp("2026-03-02"))]
    rows = p[p.queue == "a"]
    calls = rows.calls.to_numpy()
    assert a["calls"] == 260.0
    assert a["aht_seconds"] == pytest.approx((80 * 240 + 120 * 300 + 60 * 180) / 260, rel=1e-15)
    assert a["service_level"] == pytest.approx((calls * rows.service_level).sum() / 260, rel=1e-15)
    assert a["asa_seconds"] == pytest.approx((calls * rows.asa_seconds).sum() / 260, rel=1e-15)
    assert a["agent_hours"] == rows.agents.sum() * 0.5
    assert a["occupancy"] == pytest.approx((80 * 240 + 120 * 300 + 60 * 180) / (rows.agents.sum() * 1800), rel=1e-15)
    assert a["fte"] == a["agent_hours"] / 8.0
    assert (a["intervals"], a["intervals_with_calls"], a["peak_agents"]) == (3, 3, rows.agents.max())
    b = r.loc[("b", pd.Timestamp("2026-03-02"))]
    # A queue without calls has no service level, ASA or AHT; it is not 0 or 1.
    assert b["calls"] == 0 and np.isnan(b["service_level"]) and np.isnan(b["asa_seconds"])
    assert b["intervals_with_calls"] == 0 and b["agent_hours"] == 0


def test_rollup_in_parts_equals_the_whole_and_invalid_rows_are_left_out(forecast):
    bad = forecast.assign(aht_seconds=forecast.aht_seconds.where(forecast.index != 12, -1.0))
    with pytest.warns(RuntimeWarning, match="1 row"):
        p = wfmath.plan(bad, sl_target=0.8, threshold_seconds=20.0, on_invalid="nan")
    whole = wfmath.rollup(p, sl_target=0.8)
    for cuts in ([1], [2, 4], [1, 2, 3, 5, 6]):
        pieces = np.split(np.arange(len(p)), cuts)
        parts = pd.concat([wfmath.rollup_parts(p.iloc[rows], sl_target=0.8) for rows in pieces])
        pd.testing.assert_frame_equal(wfmath.finish_rollup(parts), whole)
    a, b = whole.loc["a"].iloc[0], whole.loc["b"].iloc[0]
    # An interval that could not be sized is left out of its day's figures, and counted.
    rows = p.loc[[11, 13]]
    assert a["calls"] == 140.0 and a["agent_hours"] == rows.agents.sum() * 0.5
    assert a["aht_seconds"] == (80 * 240 + 60 * 180) / 140
    assert a["service_level"] == pytest.approx((rows.calls * rows.service_level).sum() / 140, rel=1e-15)
    assert (a["intervals"], a["intervals_with_calls"], a["intervals_left_out"]) == (3, 2, 1)
    assert b["agent_hours"] == 0.0 and b["intervals_left_out"] == 0
    lone = wfmath.rollup(p.loc[[12]])
    assert np.isnan(lone["peak_agents"].iloc[0])  # no peak is known, not -inf
    assert np.isnan(lone["service_level"].iloc[0]) and lone["intervals_left_out"].iloc[0] == 1
    with pytest.raises(ValueError, match="parts lack column"):
        wfmath.finish_rollup(pd.DataFrame({"calls": [1.0]}))


def test_actuals_in_parts_equal_the_whole(acd):
    whole = wfmath.actuals(acd, freq=None)
    parts = pd.concat([wfmath.actuals(acd.iloc[:2], freq=None), wfmath.actuals(acd.iloc[2:], freq=None)])
    pd.testing.assert_frame_equal(wfmath.finish_actuals(parts), whole, check_dtype=False)


@pytest.mark.filterwarnings("ignore::wfmath.StaffingWarning")  # short patience: met at agents <= load
@pytest.mark.parametrize("definition", ["answered", "offered", "excl_short_abandons"])
def test_erlang_a_rollup_weights_each_figure_by_its_own_calls(definition):
    day = pd.DataFrame(
        {
            "interval_start": intervals(6),
            "calls": [40.0, 160.0, 300.0, 220.0, 90.0, 0.0],
            "aht_seconds": [200.0, 260.0, 300.0, 280.0, 240.0, 240.0],
        }
    )
    p = wfmath.plan(day, sl_target=0.8, threshold_seconds=20.0, patience_seconds=30.0, sl_definition=definition)
    r = wfmath.rollup(p).iloc[0]
    n, seconds = p.agents.to_numpy(), 1800.0
    load = (day.calls * day.aht_seconds / seconds).to_numpy()
    q = wfmath.erlang_a(np.maximum(n, 1), load, day.aht_seconds.to_numpy(), 30.0, 20.0)
    answered = day.calls.to_numpy() * (1 - q.p_abandon)
    shares = {"answered": answered, "offered": day.calls.to_numpy()}
    base = shares.get(definition, day.calls.to_numpy() * (1 - q.abandoned_within))
    sl = getattr(q, {"answered": "sl_answered", "offered": "sl_offered"}.get(definition, "sl_excl_short_abandons"))
    # Answered within t over the calls of the definition, each summed over the day.
    assert r["service_level"] == pytest.approx((sl * base)[:5].sum() / base[:5].sum(), rel=1e-9)
    assert r["asa_seconds"] == pytest.approx(
        (q.asa_answered_seconds * answered)[:5].sum() / answered[:5].sum(), rel=1e-9
    )
    # Occupancy is the workload carried: abandoned calls are not handled, so it stays below 1.
    carried = np.minimum(load * (1 - q.p_abandon), n)
    assert r["occupancy"] == pytest.approx(carried.sum() / n.sum(), rel=1e-9)
    assert r["occupancy"] < 1 and r["p_abandon"] == pytest.approx(
        (q.p_abandon * day.calls).sum() / day.calls.sum(), rel=1e-9
    )


@pytest.mark.filterwarnings("ignore::wfmath.StaffingWarning")  # short patience: met at agents <= load
def test_erlang_a_options_need_patience_and_a_patience_column_is_used(forecast):
    with pytest.raises(ValueError, match="abandon_target and sl_definition need patience_seconds"):
        wfmath.plan(forecast, sl_target=0.8, threshold_seconds=20.0, abandon_target=0.05)
    with pytest.raises(ValueError, match="abandon_target and sl_definition need patience_seconds"):
        wfmath.plan(forecast, sl_target=0.8, threshold_seconds=20.0, sl_definition="offered")
    with pytest.raises(ValueError, match=r"asa_target_seconds \(a keyword\) sizes with Erlang C"):
        wfmath.plan(forecast, asa_target_seconds=15.0, patience_seconds=60.0)
    with pytest.raises(ValueError, match=r"asa_target_seconds \(a column\) sizes with Erlang C"):
        wfmath.plan(
            forecast.assign(asa_target_seconds=15.0, patience_seconds=60.0), sl_target=0.8, threshold_seconds=20.0
        )
    by_column = wfmath.plan(forecast.assign(patience_seconds=60.0), sl_target=0.8, threshold_seconds=20.0)
    by_keyword = wfmath.plan(forecast, sl_target=0.8, threshold_seconds=20.0, patience_seconds=60.0)
    pd.testing.assert_series_equal(by_column["agents"], by_keyword["agents"])
    assert "p_abandon" in by_column


@pytest.mark.filterwarnings("ignore::wfmath.StaffingWarning")
def test_evaluating_a_plan_replaces_its_figures_and_kpi_refuses_erlang_a(forecast):
    planned = wfmath.plan(forecast, sl_target=0.8, threshold_seconds=20.0, patience_seconds=60.0, shrinkage=0.3)
    scored = wfmath.evaluate(planned.assign(agents=planned.agents + 3), threshold_seconds=20.0)
    assert not {"p_abandon", "answered_calls", "sl_calls", "scheduled", "scheduled_hours"} & set(scored.columns)
    r = wfmath.rollup(scored).loc["a"].iloc[0]
    rows = scored[scored.queue == "a"]
    assert r["service_level"] == pytest.approx((rows.calls * rows.service_level).sum() / rows.calls.sum(), rel=1e-12)
    from wfmath import kpi

    with pytest.raises(ValueError, match="this plan is Erlang A"):
        kpi.what_if(planned, interval_seconds=1800.0, sl_target=0.8, threshold_seconds=20.0)


def test_evaluate_rollup_occupancy_counts_only_what_agents_carry():
    day = pd.DataFrame({"calls": [100.0, 400.0], "aht_seconds": 180.0, "agents": [14, 20]})
    e = wfmath.evaluate(day, threshold_seconds=20.0, interval_seconds=1800.0)  # 40 Erlangs on 20 agents
    r = wfmath.rollup(e, freq=None, by=None).iloc[0]
    assert r["occupancy"] == pytest.approx((10 + 20) / 34, rel=1e-12)
    assert r["workload_hours"] == pytest.approx(500 * 180 / 3600, rel=1e-12)


def test_a_day_can_meet_its_target_while_half_its_intervals_miss():
    """Four intervals with given staff: two miss 80/20, yet the day's calls-weighted SL is above
    0.8 because the busy intervals met it. Hand-built from Erlang C at these staff levels."""
    times = intervals(4)
    day = pd.DataFrame(
        {"interval_start": times, "calls": [400.0, 400.0, 20.0, 20.0], "aht_seconds": 180.0, "agents": [50, 50, 3, 3]}
    )
    e = wfmath.evaluate(day, threshold_seconds=20.0, interval_seconds=1800.0)
    sl = [wfmath.service_level(n, c * 180 / 1800, 180.0, 20.0) for n, c in zip(day.agents, day.calls)]
    assert sl[0] >= 0.8 and sl[2] < 0.8
    r = wfmath.rollup(e, sl_target=0.8, by=None)
    assert r["service_level"].iloc[0] == pytest.approx((400 * sl[0] * 2 + 20 * sl[2] * 2) / 840, rel=1e-14)
    assert r["service_level"].iloc[0] >= 0.8
    assert r["share_intervals_met"].iloc[0] == 0.5
    assert r["share_calls_met"].iloc[0] == pytest.approx(800 / 840, rel=1e-15)


def test_zero_call_intervals_weigh_nothing():
    times = intervals(3)
    day = pd.DataFrame(
        {"interval_start": times, "calls": [100.0, 0.0, 0.0], "aht_seconds": 180.0, "agents": [14, 2, 0]}
    )
    e = wfmath.evaluate(day, threshold_seconds=20.0, interval_seconds=1800.0)
    r = wfmath.rollup(e, sl_target=0.8, by=None)
    assert r["service_level"].iloc[0] == wfmath.service_level(14, 10.0, 180.0, 20.0)
    assert r["share_intervals_met"].iloc[0] == 1.0
    assert r["intervals"].iloc[0] == 3 and r["intervals_with_calls"].iloc[0] == 1


def test_rollup_matches_a_pandas_groupby_over_a_month():
    rng = np.random.default_rng(3)
    times = pd.date_range("2026-03-01", periods=31 * 48, freq="30min")
    frame = pd.DataFrame(
        {
            "interval_start": np.tile(times, 3),
            "queue": np.repeat(["x", "y", "z"], len(times)),
            "calls": np.floor(rng.uniform(0, 300, 3 * len(times))),
            "aht_seconds": rng.uniform(120, 600, 3 * len(times)),
        }
    )
    p = wfmath.plan(frame, sl_target=0.8, threshold_seconds=20.0)
    for freq in ("D", "W", "M"):
        got = wfmath.rollup(p, freq=freq)
        period = p.interval_start.dt.to_period(freq).dt.start_time
        w = p.assign(
            period=period,
            handle=p.calls * p.aht_seconds,
            slw=p.calls * p.service_level,
            asaw=p.calls * p.asa_seconds,
            agent_seconds=p.agents * 1800.0,
        )
        want = w.groupby(["queue", "period"]).agg(
            calls=("calls", "sum"),
            handle=("handle", "sum"),
            slw=("slw", "sum"),
            asaw=("asaw", "sum"),
            agent_seconds=("agent_seconds", "sum"),
            peak=("agents", "max"),
        )
        np.testing.assert_allclose(got["service_level"], want.slw / want.calls, rtol=1e-12)
        np.testing.assert_allclose(got["asa_seconds"], want.asaw / want.calls, rtol=1e-12)
        np.testing.assert_allclose(got["occupancy"], want.handle / want.agent_seconds, rtol=1e-12)
        np.testing.assert_allclose(got["peak_agents"], want.peak, rtol=0)
        assert list(got.index) == list(want.index)


def test_rebin_sums_calls_weights_aht_and_averages_staff():
    q = pd.DataFrame(
        {
            "interval_start": intervals(4, "15min"),
            "calls": [10.0, 30.0, 0.0, 20.0],
            "aht_seconds": [200.0, 300.0, 250.0, 240.0],
            "agents": [4.0, 8.0, 2.0, 5.0],
        }
    )
    r = wfmath.rebin(q, 30)
    assert r["calls"].tolist() == [40.0, 20.0]
    assert r["aht_seconds"].tolist() == [float(Fraction(10 * 200 + 30 * 300, 40)), 240.0]
    assert r["agents"].tolist() == [6.0, 3.5]
    hourly = wfmath.rebin(q.drop(index=3), 60)  # a missing quarter: no calls, no staff
    assert hourly["calls"].tolist() == [40.0] and hourly["agents"].tolist() == [3.5]
    zero = wfmath.rebin(q.assign(calls=0.0), 60)
    assert zero["aht_seconds"].tolist() == [247.5]  # no calls: the plain mean, so a plan still runs


def test_rebin_refuses_finer_or_misaligned_intervals():
    q = pd.DataFrame({"interval_start": intervals(8), "calls": 1.0, "aht_seconds": 200.0})
    with pytest.raises(ValueError, match="only merges"):
        wfmath.rebin(q, 15)
    with pytest.raises(ValueError, match="only merges"):
        wfmath.rebin(q, 45)
    shifted = q.copy()
    shifted.loc[2, "interval_start"] += pd.Timedelta(minutes=10)
    with pytest.raises(ValueError, match=r"interval_start.*not aligned.*row 2"):
        wfmath.rebin(shifted, 60)


@pytest.fixture
def acd():
    times = intervals(3)
    return pd.DataFrame(
        {
            "interval_start": times * 2,
            "queue": ["a"] * 3 + ["b"] * 3,
            "offered": [100, 50, 0, 10, 0, 0],
            "answered": [90, 50, 0, 8, 0, 0],
            "answered_within": [60, 50, 0, 8, 0, 0],
            "abandoned": [10, 0, 0, 2, 0, 0],
            "abandoned_within": [4, 0, 0, 1, 0, 0],
            "handle_seconds": [90 * 200.0, 50 * 180.0, 0.0, 8 * 300.0, 0.0, 0.0],
            "wait_seconds": [900.0, 100.0, 0.0, 16.0, 0.0, 0.0],
            "staffed_seconds": [10 * 1800.0, 6 * 1800.0, 2 * 1800.0, 1800.0, 1800.0, 0.0],
        }
    )


def test_actuals_are_ratios_of_sums_under_every_definition(acd):
    before = acd.copy()
    r = wfmath.actuals(acd)
    pd.testing.assert_frame_equal(acd, before)
    a = r.loc[("a", pd.Timestamp("2026-03-02"))]
    assert a["sl_answered"] == 110 / 140
    assert a["sl_offered"] == 110 / 150
    assert a["sl_excl_short_abandons"] == 110 / (150 - 4)
    assert a["sl_short_abandons_ok"] == (110 + 4) / 150
    assert a["abandon_rate"] == 10 / 150
    assert a["abandon_rate_excl_short"] == 6 / 146
    assert a["asa_seconds"] == 1000 / 140
    assert a["aht_seconds"] == (90 * 200 + 50 * 180) / 140
    assert a["occupancy"] == (90 * 200 + 50 * 180) / (18 * 1800)
    every = wfmath.actuals(acd, freq=None, by=None)
    assert len(every) == 6 and every.index.equals(acd.index)
    assert np.isnan(every.loc[2, "sl_answered"]) and every.loc[2, "occupancy"] == 0.0
    queues = wfmath.actuals(acd, freq=None)
    assert queues.loc["b", "sl_offered"] == 8 / 10


def test_actuals_accept_polars_and_pyarrow(acd):
    want = wfmath.actuals(acd)
    for kind in (pl.from_pandas(acd), pa.Table.from_pandas(acd, preserve_index=False)):
        got = wfmath.actuals(kind).to_pandas()
        np.testing.assert_allclose(got["sl_offered"], want["sl_offered"], rtol=0)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("offered", -1, r"column 'offered' must be finite and >= 0, got -1.0 at row 4"),
        ("answered", 11, r"column 'answered' must be <= offered, got 11.0 at row 3"),
        ("answered_within", 9, r"column 'answered_within' must be <= answered, got 9.0 at row 3"),
        ("abandoned_within", 3, r"column 'abandoned_within' must be <= abandoned, got 3.0 at row 3"),
        ("wait_seconds", np.nan, r"column 'wait_seconds' must be finite .*got nan at row 3"),
    ],
)
def test_bad_counts_name_column_row_and_value(acd, column, value, message):
    bad = acd.copy()
    row = 4 if column == "offered" else 3
    bad.loc[row, column] = value
    if column == "offered":
        bad.loc[row, ["answered", "answered_within", "abandoned", "abandoned_within"]] = 0
    with pytest.raises(ValueError, match=message):
        wfmath.actuals(bad)


def test_bad_rows_become_nan_with_a_warning(acd):
    bad = acd.copy()
    bad.loc[0, "answered"] = 500
    with pytest.warns(RuntimeWarning, match="1 row"):
        r = wfmath.actuals(bad, freq=None, by=None, on_invalid="nan")
    assert np.isnan(r.loc[0, "sl_answered"]) and r.loc[1, "sl_answered"] == 1.0
    with pytest.warns(RuntimeWarning):
        day = wfmath.actuals(bad, on_invalid="nan")
    assert day.loc[("a", pd.Timestamp("2026-03-02")), "offered"] == 50  # the bad row is left out


def test_missing_columns_and_duplicates_are_named(acd, forecast):
    with pytest.raises(ValueError, match="lacks required column.*'answered_within'"):
        wfmath.actuals(acd.drop(columns="answered_within"))
    with pytest.raises(ValueError, match=r"duplicate rows for \(queue, interval_start\).*row 2"):
        wfmath.actuals(pd.concat([acd.iloc[:2], acd.iloc[[0]]], ignore_index=True))
    with pytest.raises(ValueError, match="duplicate rows"):
        wfmath.plan(pd.concat([forecast, forecast.iloc[[0]]]), sl_target=0.8, threshold_seconds=20.0)
    with pytest.raises(ValueError, match="lacks required column.*'aht_seconds'"):
        wfmath.plan(forecast.drop(columns="aht_seconds"), sl_target=0.8, threshold_seconds=20.0)


def test_plan_errors_name_the_column_and_row_label(forecast):
    bad = forecast.copy()
    bad.loc[13, "aht_seconds"] = -5.0
    with pytest.raises(ValueError, match=r"column 'aht_seconds' must be finite and > 0, got -5.0 at row 13"):
        wfmath.plan(bad, sl_target=0.8, threshold_seconds=20.0)
    bad.loc[13, "aht_seconds"] = np.nan
    with pytest.warns(RuntimeWarning, match="1 row"):
        p = wfmath.plan(bad, sl_target=0.8, threshold_seconds=20.0, on_invalid="nan")
    assert np.isnan(p.loc[13, "agents"]) and p.loc[11, "agents"] > 0
    with pytest.raises(TypeError, match="pandas or polars DataFrame or a pyarrow Table"):
        wfmath.plan({"calls": [1]}, sl_target=0.8, threshold_seconds=20.0)
    with pytest.raises(ValueError, match=r"^threshold_seconds is required with sl_target$"):
        wfmath.plan(forecast, sl_target=0.8)
    with pytest.raises(ValueError, match=r"^sl_target must be in \(0, 1\), got 80.0$"):  # one number: no row
        wfmath.plan(forecast, sl_target=80.0, threshold_seconds=20.0)


def test_plan_versus_actual(acd):
    times = intervals(3)
    forecast = pd.DataFrame(
        {
            "interval_start": times * 2,
            "queue": ["a"] * 3 + ["b"] * 3,
            "calls": [90.0, 60, 0, 12, 0, 0],
            "aht_seconds": 190.0,
        }
    )
    p = wfmath.plan(forecast, sl_target=0.8, threshold_seconds=20.0)
    each = wfmath.plan_vs_actual(p, acd)
    first = each.loc[("a", times[0])]
    assert (first["calls_plan"], first["calls_actual"], first["calls_variance"]) == (90.0, 100.0, 10.0)
    assert first["aht_actual"] == 200.0 and first["aht_variance"] == 10.0
    assert first["agent_hours_actual"] == 5.0
    day = wfmath.plan_vs_actual(p, acd, freq="D", by=None).iloc[0]
    assert day["calls_actual"] == 160 and day["calls_plan"] == 162
    assert day["aht_actual"] == (90 * 200 + 50 * 180 + 8 * 300) / 148
    assert day["agent_hours_plan"] == p.agents.sum() * 0.5
