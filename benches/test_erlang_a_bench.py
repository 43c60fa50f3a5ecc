"""Erlang A sizing against Erlang C sizing on the same intervals, in one run.

Run with timings:  pytest benches/test_erlang_a_bench.py --benchmark-enable --benchmark-group-by=group
"""

import numpy as np
import pytest
import wfmath

INTERVAL = 1800.0
TARGETS = {"sl_target": 0.8, "threshold_seconds": 20.0}


@pytest.fixture(scope="module")
def week_of_intervals():
    """A week of 30-minute intervals for 30 queues: calls 0-3000, AHT 120-900 s, patience 30-600 s."""
    rng = np.random.default_rng(11)
    rows = 7 * 48 * 30
    calls = np.floor(rng.uniform(0, 3000, rows))
    aht = rng.uniform(120, 900, rows)
    patience = rng.uniform(30, 600, rows)
    return calls, aht, patience


@pytest.mark.benchmark(group="sizing, 10k intervals")
def test_erlang_c_sizing(benchmark, week_of_intervals):
    calls, aht, _ = week_of_intervals
    r = benchmark(wfmath.required_agents, calls, aht, INTERVAL, **TARGETS)
    assert (r.agents >= 0).all()


@pytest.mark.benchmark(group="sizing, 10k intervals")
@pytest.mark.filterwarnings("ignore::wfmath.StaffingWarning")
def test_erlang_a_sizing(benchmark, week_of_intervals):
    calls, aht, patience = week_of_intervals
    r = benchmark(wfmath.required_agents_a, calls, aht, INTERVAL, patience, **TARGETS)
    c = wfmath.required_agents(calls, aht, INTERVAL, **TARGETS)
    # Abandonment shortens the queue: never more agents than Erlang C for the answered SL.
    assert (r.agents <= c.agents).all()


@pytest.mark.benchmark(group="sizing, 10k intervals")
@pytest.mark.filterwarnings("ignore::wfmath.StaffingWarning")
def test_erlang_a_sizing_with_abandon_target(benchmark, week_of_intervals):
    calls, aht, patience = week_of_intervals
    r = benchmark(wfmath.required_agents_a, calls, aht, INTERVAL, patience, abandon_target=0.05, **TARGETS)
    assert (r.p_abandon[calls > 0] <= 0.05).all()


@pytest.mark.benchmark(group="scalar call")
def test_scalar_erlang_c_sizing(benchmark):
    benchmark(wfmath.required_agents, 100, 180.0, INTERVAL, **TARGETS)


@pytest.mark.benchmark(group="scalar call")
def test_scalar_erlang_a_sizing(benchmark):
    benchmark(wfmath.required_agents_a, 100, 180.0, INTERVAL, 120.0, **TARGETS)


@pytest.mark.benchmark(group="scalar call")
def test_scalar_erlang_a_figures(benchmark):
    benchmark(wfmath.erlang_a, 14, 10.0, 180.0, 120.0, 20.0)
