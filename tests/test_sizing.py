"""Sizing and inverse problems: exact minimal answers, checked with the mpmath reference."""

import math

import numpy as np
import pytest
import reference as ref
import wfmath
from mpmath import mpf

INTERVAL = 1800.0


def meets_reference(n, load, aht, sl, t, asa_target=None):
    if n <= load:
        return False
    ok = sl is None or ref.service_level(n, load, aht, t) >= sl
    return ok and (asa_target is None or ref.asa(n, load, aht) <= asa_target)


def near_tie(n, load, aht, sl, t):
    return n > load and abs(ref.service_level(n, load, aht, t) - sl) < 1e-11


# (calls per 30 min, aht seconds): small, typical, large and huge (50 000 Erlangs).
VOLUMES = [
    (1, 120.0),
    (3, 600.0),
    (25, 180.0),
    (100, 180.0),
    (480, 300.0),
    (2000, 420.0),
    (3000, 900.0),
    (36_000, 500.0),
    (180_000, 500.0),
]


@pytest.mark.parametrize(("calls", "aht"), VOLUMES)
@pytest.mark.parametrize(("sl", "t"), [(0.8, 20.0), (0.95, 15.0), (0.5, 0.0), (0.99, 60.0)])
def test_agents_are_minimal_against_reference(calls, aht, sl, t):
    r = wfmath.required_agents(calls, aht, INTERVAL, sl_target=sl, threshold_seconds=t)
    load = calls * aht / INTERVAL
    assert r.load == pytest.approx(load, rel=1e-15)
    n = r.agents
    # The grid holds no ties, so the reference decides every comparison unambiguously.
    assert not (near_tie(n, load, aht, sl, t) or near_tie(n - 1, load, aht, sl, t))
    assert meets_reference(n, load, aht, sl, t)
    assert not meets_reference(n - 1, load, aht, sl, t)
    assert r.service_level == pytest.approx(float(ref.service_level(n, load, aht, t)), rel=1e-9)


@pytest.mark.parametrize(("calls", "aht"), VOLUMES[:-1])
def test_asa_and_both_targets(calls, aht):
    load = calls * aht / INTERVAL
    r = wfmath.required_agents(calls, aht, INTERVAL, asa_target_seconds=15.0)
    assert meets_reference(r.agents, load, aht, None, 0, 15.0)
    assert not meets_reference(r.agents - 1, load, aht, None, 0, 15.0)
    both = wfmath.required_agents(calls, aht, INTERVAL, sl_target=0.9, threshold_seconds=30.0, asa_target_seconds=15.0)
    sl_only = wfmath.required_agents(calls, aht, INTERVAL, sl_target=0.9, threshold_seconds=30.0)
    assert both.agents == max(r.agents, sl_only.agents)
    assert math.isnan(r.service_level)  # no threshold given: no service level to report


def test_ties_are_decided_as_exact_decimals():
    # ASA exactly at target: M/M/1 at load 0.5 has ASA = AHT.
    r = wfmath.required_agents(1.5, 600.0, INTERVAL, asa_target_seconds=600.0)
    assert (r.load, r.agents) == (0.5, 1)
    # Occupancy cap ceil(4.2 / 0.7) = 6, not 7.
    r = wfmath.required_agents(42, 180.0, INTERVAL, sl_target=0.01, threshold_seconds=20.0, max_occupancy=0.7)
    assert r.agents == 6
    # Shrinkage: ceil(21 / (1 - 0.3)) = 30, not 31. Find a volume needing exactly 21 agents.
    calls = np.arange(1, 400)
    plan = wfmath.required_agents(calls, 180.0, INTERVAL, sl_target=0.8, threshold_seconds=20.0, shrinkage=0.3)
    assert np.all(plan.scheduled[plan.agents == 21] == 30)
    assert np.any(plan.agents == 21)


def test_occupancy_cap_and_shrinkage():
    r = wfmath.required_agents(
        1000, 300.0, INTERVAL, sl_target=0.8, threshold_seconds=20.0, max_occupancy=0.85, shrinkage=0.35
    )
    load = 1000 * 300.0 / INTERVAL
    assert r.agents >= math.ceil(load / 0.85)
    assert load / (r.agents - 1) > 0.85 or not meets_reference(r.agents - 1, load, 300.0, 0.8, 20)
    assert r.scheduled == math.ceil(r.agents / 0.65)
    assert r.occupancy == pytest.approx(load / r.agents)


def test_zero_calls_need_nobody():
    r = wfmath.required_agents(0, 300.0, INTERVAL, sl_target=0.8, threshold_seconds=20.0, shrinkage=0.3)
    assert (r.agents, r.scheduled, r.asa_seconds, r.occupancy) == (0, 0, 0.0, 0.0)


def test_arrays_match_scalars_and_keep_shape():
    calls = np.array([[0, 10, 100], [400, 2500, 7]], dtype=float)
    aht = np.array([180.0, 240.0, 600.0])  # broadcasts over rows
    plan = wfmath.required_agents(calls, aht, INTERVAL, sl_target=0.8, threshold_seconds=20.0)
    assert plan.agents.shape == (2, 3) and plan.agents.dtype == np.int64
    for i in range(2):
        for j in range(3):
            one = wfmath.required_agents(calls[i, j], aht[j], INTERVAL, sl_target=0.8, threshold_seconds=20.0)
            assert plan.agents[i, j] == one.agents
            assert plan.service_level[i, j] == one.service_level
    frame = plan.to_dict()
    assert set(frame) == {"load", "agents", "scheduled", "service_level", "asa_seconds", "occupancy"}


def test_large_arrays_agree_with_small_ones():
    # Large inputs run in parallel chunks: the answers must not depend on that.
    rng = np.random.default_rng(1)
    calls = np.floor(rng.uniform(0, 3000, 50_000))
    aht = rng.uniform(120, 900, 50_000)
    whole = wfmath.required_agents(calls, aht, INTERVAL, sl_target=0.8, threshold_seconds=20.0)
    part = wfmath.required_agents(calls[:1000], aht[:1000], INTERVAL, sl_target=0.8, threshold_seconds=20.0)
    np.testing.assert_array_equal(whole.agents[:1000], part.agents)


@pytest.mark.parametrize("load", [0.01, 1.0, 10.0, 150.0, 5000.0, 50_000.0])
@pytest.mark.parametrize("blocking", [0.001, 0.01, 0.1, 0.5])
def test_required_lines_minimal(load, blocking):
    n = wfmath.required_lines(load, blocking)
    assert ref.erlang_b(n, load) <= blocking
    assert n == 1 or ref.erlang_b(n - 1, load) > blocking


@pytest.mark.parametrize("lines", [1, 7, 60, 1000, 30_000])
@pytest.mark.parametrize("blocking", [1e-6, 0.01, 0.3])
def test_max_load_inverts_erlang_b(lines, blocking):
    a = wfmath.max_load(lines, blocking)
    assert ref.rel_err(ref.erlang_b(lines, a), blocking) < 1e-9


@pytest.mark.parametrize("agents", [1, 5, 14, 120, 2000, 60_000])
def test_max_calls_and_max_aht_invert_service_level(agents):
    calls = wfmath.max_calls(agents, 240.0, INTERVAL, sl_target=0.8, threshold_seconds=20.0)
    load = mpf(calls) * 240 / int(INTERVAL)
    assert abs(ref.service_level(agents, load, 240.0, 20.0) - mpf("0.8")) < 1e-12
    # The call volume is the largest that staff answers at target: the sizing agrees.
    assert (
        wfmath.required_agents(math.floor(calls), 240.0, INTERVAL, sl_target=0.8, threshold_seconds=20.0).agents
        <= agents
    )
    aht = wfmath.max_aht(agents, calls, INTERVAL, sl_target=0.8, threshold_seconds=20.0)
    assert aht == pytest.approx(240.0, rel=1e-9)


def test_inverse_edges():
    assert wfmath.max_load(0, 0.01) == 0.0
    assert wfmath.max_calls(0, 180.0, INTERVAL, sl_target=0.8, threshold_seconds=20.0) == 0.0
    assert math.isinf(wfmath.max_aht(5, 0, INTERVAL, sl_target=0.8, threshold_seconds=20.0))
    assert wfmath.required_lines(0.0, 0.01) == 0


def test_counts_beyond_exact_doubles_are_errors_not_minus_one():
    # 10 Erlangs at max_occupancy 1e-300 would need 1e301 agents; shrinkage 0.999999999 at
    # 1e12 Erlangs would schedule 1e21. Both are beyond 2**53, the largest exact count.
    targets = {"sl_target": 0.8, "threshold_seconds": 20.0}
    with pytest.raises(wfmath.InvalidInputError, match=r"^max_occupancy gives more than 2\*\*53 agents") as info:
        wfmath.required_agents(100, 180.0, INTERVAL, max_occupancy=1e-300, **targets)
    assert (info.value.parameter, info.value.value) == ("max_occupancy", 1e-300)
    with pytest.raises(wfmath.InvalidInputError, match=r"^shrinkage gives more than 2\*\*53 scheduled") as info:
        wfmath.required_agents(1e13, 180.0, INTERVAL, shrinkage=0.999999999, **targets)
    assert (info.value.parameter, info.value.value) == ("shrinkage", 0.999999999)
    with pytest.raises(wfmath.InvalidInputError, match=r"^max_occupancy gives more than 2\*\*53 agents"):
        wfmath.required_agents_a(100, 180.0, INTERVAL, 60.0, max_occupancy=1e-300, **targets)
    # on_invalid="nan": the row is an invalid row (-1), the others are sized.
    rows = wfmath.required_agents(100, 180.0, INTERVAL, max_occupancy=[0.5, 1e-300], on_invalid="nan", **targets)
    assert rows.agents.tolist() == [20, -1] and rows.scheduled.tolist() == [20, -1]
    assert wfmath.required_agents(100, 180.0, INTERVAL, max_occupancy=0.5, **targets).agents == 20  # ceil(10 / 0.5)


def test_plan_blanks_and_counts_rows_whose_staff_overflows():
    import pandas as pd

    day = pd.DataFrame({"calls": [100.0, 1e13], "aht_seconds": 180.0})
    with pytest.warns(RuntimeWarning, match="1 row"):
        p = wfmath.plan(
            day, interval_seconds=INTERVAL, sl_target=0.8, threshold_seconds=20.0, shrinkage=0.999999999,
            on_invalid="nan",
        )
    assert math.isnan(p["scheduled"][1]) and math.isnan(p["agents"][1]) and p["scheduled"][0] > 1e9
    with pytest.raises(ValueError, match="shrinkage gives more than 2\\*\\*53"):
        wfmath.plan(day, interval_seconds=INTERVAL, sl_target=0.8, threshold_seconds=20.0, shrinkage=0.999999999)
