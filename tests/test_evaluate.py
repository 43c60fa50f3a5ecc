"""evaluate: the staff a schedule already has, validated as plan validates, rolled up honestly.

Expected figures come from direct engine calls and hand arithmetic, never from evaluate's output."""

import numpy as np
import pandas as pd
import pytest
import wfmath

START = pd.Timestamp("2026-03-02 08:00")


def schedule(calls, agents, aht=180.0):
    times = pd.date_range(START, periods=len(calls), freq="30min")
    index = pd.Index(range(7, 7 + len(calls)), name="row")
    return pd.DataFrame({"interval_start": times, "calls": calls, "aht_seconds": aht, "agents": agents}, index=index)


@pytest.mark.parametrize(
    ("calls", "message"),
    [
        (-10.0, r"^column 'calls' must be finite and >= 0, got -10.0 at row 8$"),
        (1e14, r"^column 'calls' gives a load above 1e12 Erlangs .*, got 100000000000000.0 at row 8$"),
    ],
)
def test_evaluate_validates_calls_as_plan_does(calls, message):
    day = schedule([100.0, calls], [14, 12])
    with pytest.raises(ValueError, match=message) as evaluated:
        wfmath.evaluate(day, threshold_seconds=20.0)
    with pytest.raises(ValueError) as planned:
        wfmath.plan(day.drop(columns="agents"), sl_target=0.8, threshold_seconds=20.0)
    assert str(evaluated.value) == str(planned.value)


def test_one_unstable_interval_leaves_the_days_asa_finite_and_is_counted():
    """10 agents for 10 Erlangs: that queue grows without bound. The day's ASA is the calls-weighted
    ASA of the other intervals; its service level still counts the unstable interval at 0."""
    day = schedule([100.0, 100.0, 50.0], [14, 10, 8])
    r = wfmath.rollup(wfmath.evaluate(day, threshold_seconds=20.0), by=None).iloc[0]
    stable_asa = (100 * wfmath.asa(14, 10.0, 180.0) + 50 * wfmath.asa(8, 5.0, 180.0)) / 150
    assert r["asa_seconds"] == pytest.approx(stable_asa, rel=1e-14)
    assert r["unstable_intervals"] == 1
    sl = (100 * wfmath.service_level(14, 10.0, 180.0, 20.0) + 50 * wfmath.service_level(8, 5.0, 180.0, 20.0)) / 250
    assert r["service_level"] == pytest.approx(sl, rel=1e-14)
    lone = wfmath.evaluate(day.iloc[[1]], threshold_seconds=20.0, interval_seconds=1800.0)
    alone = wfmath.rollup(lone, by=None).iloc[0]
    assert np.isnan(alone["asa_seconds"]) and alone["unstable_intervals"] == 1  # no interval has a finite ASA
    parts = [
        wfmath.rollup_parts(wfmath.evaluate(day.iloc[rows], threshold_seconds=20.0, interval_seconds=1800.0))
        for rows in ([0], [1, 2])
    ]
    whole = wfmath.finish_rollup(pd.concat(parts)).iloc[0]
    assert whole["asa_seconds"] == pytest.approx(stable_asa, rel=1e-14) and whole["unstable_intervals"] == 1


@pytest.mark.filterwarnings("ignore::wfmath.StaffingWarning")
@pytest.mark.parametrize("definition", ["answered", "offered", "excl_short_abandons", "short_abandons_ok", "virtual"])
def test_erlang_a_evaluation_matches_the_engine_and_the_plan(definition):
    day = schedule([100.0, 300.0, 0.0], [12, 30, 0], aht=[180.0, 200.0, 240.0])
    e = wfmath.evaluate(day, threshold_seconds=20.0, patience_seconds=90.0, sl_definition=definition)
    busy = day.iloc[:2]
    load = busy.calls.to_numpy() * busy.aht_seconds.to_numpy() / 1800.0
    queue = wfmath.erlang_a(busy.agents.to_numpy(), load, busy.aht_seconds.to_numpy(), 90.0, 20.0)
    np.testing.assert_allclose(e.service_level[:2], getattr(queue, f"sl_{definition}"), rtol=1e-15)
    np.testing.assert_allclose(e.asa_seconds[:2], queue.asa_answered_seconds, rtol=1e-15)
    np.testing.assert_allclose(e.p_abandon[:2], queue.p_abandon, rtol=1e-15)
    np.testing.assert_allclose(e.answered_calls[:2], busy.calls * (1 - queue.p_abandon), rtol=1e-15)
    idle = e.iloc[2]  # no calls and no agents: nobody waits, nobody abandons, nobody is busy
    assert (idle.service_level, idle.asa_seconds, idle.p_abandon, idle.occupancy) == (1.0, 0.0, 0.0, 0.0)
    # Evaluating a plan at its own staff gives the plan's figures back, roll-up weights included.
    planned = wfmath.plan(
        day.drop(columns="agents"),
        sl_target=0.8,
        threshold_seconds=20.0,
        patience_seconds=90.0,
        sl_definition=definition,
    )
    again = wfmath.evaluate(planned, threshold_seconds=20.0, patience_seconds=90.0, sl_definition=definition)
    for column in ("service_level", "asa_seconds", "p_abandon", "occupancy", "answered_calls", "sl_calls"):
        np.testing.assert_allclose(again[column], planned[column], rtol=1e-12, err_msg=column)
    by_column = wfmath.evaluate(day.assign(patience_seconds=90.0), threshold_seconds=20.0, sl_definition=definition)
    pd.testing.assert_series_equal(by_column.service_level, e.service_level)


def test_erlang_a_options_need_patience_and_a_known_definition():
    day = schedule([100.0, 50.0], [14, 8])
    with pytest.raises(ValueError, match="sl_definition need patience_seconds"):
        wfmath.evaluate(day, threshold_seconds=20.0, sl_definition="offered")
    with pytest.raises(ValueError, match="abandon_target and sl_definition need patience_seconds"):
        wfmath.evaluate(day, threshold_seconds=20.0, abandon_target=0.05)
    with pytest.raises(ValueError, match=r"sl_definition must be one of answered, .*, got 'offerd'"):
        wfmath.evaluate(day, threshold_seconds=20.0, patience_seconds=60.0, sl_definition="offerd")


def test_net_staffing_is_agents_minus_what_the_targets_need():
    day = schedule([100.0, 300.0, 0.0, 40.0], [14, 25, 2, 7], aht=[180.0, 240.0, 200.0, 300.0])
    calls, aht = day.calls.to_numpy(), day.aht_seconds.to_numpy()
    e = wfmath.evaluate(day, threshold_seconds=20.0, sl_target=0.8, max_occupancy=0.9)
    need = wfmath.required_agents(calls, aht, 1800.0, sl_target=0.8, threshold_seconds=20.0, max_occupancy=0.9)
    np.testing.assert_array_equal(e.required_agents, need.agents)
    np.testing.assert_array_equal(e.net_staffing, day.agents - need.agents)
    assert e.net_staffing.iloc[2] == 2  # no calls: nobody is needed
    by_column = wfmath.evaluate(day.assign(goal=0.8), threshold_seconds=20.0, sl_target="goal", max_occupancy=0.9)
    pd.testing.assert_series_equal(by_column.net_staffing, e.net_staffing)
    abandon = wfmath.evaluate(day, threshold_seconds=20.0, patience_seconds=60.0, abandon_target=0.05)
    need_a = wfmath.required_agents_a(calls, aht, 1800.0, 60.0, abandon_target=0.05)
    np.testing.assert_array_equal(abandon.net_staffing, day.agents - need_a.agents)
    # Without targets no requirement is shown, and a stale one in the input is dropped.
    assert not {"required_agents", "net_staffing"} & set(wfmath.evaluate(e, threshold_seconds=20.0).columns)
