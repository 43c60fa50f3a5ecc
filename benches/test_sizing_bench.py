"""Sizing speed, side by side with the baselines in one run.

Run with timings:  pytest benches --benchmark-enable --benchmark-group-by=group
(CI runs them once with --benchmark-disable, which still checks the answers agree.)
"""

import numpy as np
import pytest
import wfmath
from baselines import required_agents_numpy, required_agents_python, service_level_python

INTERVAL = 1800.0
SL, T = 0.8, 20.0


@pytest.fixture(scope="module")
def year_of_intervals():
    """A year of 30-minute intervals for 50 queues: 876 000 sizings, calls 0-3000, AHT 120-900 s."""
    rng = np.random.default_rng(7)
    rows = 365 * 48 * 50
    calls = np.floor(rng.uniform(0, 3000, rows))
    aht = rng.uniform(120, 900, rows)
    return calls, aht


def size(calls, aht):
    return wfmath.required_agents(calls, aht, INTERVAL, sl_target=SL, threshold_seconds=T).agents


@pytest.mark.benchmark(group="bulk sizing, 876k intervals")
def test_bulk_wfmath(benchmark, year_of_intervals):
    calls, aht = year_of_intervals
    agents = benchmark(size, calls, aht)
    assert agents.shape == calls.shape


@pytest.mark.benchmark(group="bulk sizing, 876k intervals")
def test_bulk_numpy_baseline(benchmark, year_of_intervals):
    calls, aht = year_of_intervals
    agents = benchmark.pedantic(required_agents_numpy, args=(calls, aht, INTERVAL, SL, T), rounds=1)
    # Same tie rule as the core: every one of the 876 000 answers agrees.
    np.testing.assert_array_equal(agents, size(calls, aht))


@pytest.mark.benchmark(group="bulk sizing, 1% sample (x100 for the year)")
def test_sample_wfmath(benchmark, year_of_intervals):
    calls, aht = (x[::100] for x in year_of_intervals)
    benchmark(size, calls, aht)


@pytest.mark.benchmark(group="bulk sizing, 1% sample (x100 for the year)")
def test_sample_python_loop(benchmark, year_of_intervals):
    calls, aht = (x[::100] for x in year_of_intervals)
    agents = benchmark.pedantic(required_agents_python, args=(calls, aht, INTERVAL, SL, T), rounds=1)
    np.testing.assert_array_equal(agents, size(calls, aht))


@pytest.mark.parametrize("load", [100.0, 10_000.0])
@pytest.mark.benchmark(group="cost against load: 10 000 sizings")
def test_cost_against_load(benchmark, load):
    # Spread the loads a little so the searches do not all take the same path.
    calls = np.linspace(0.95, 1.05, 10_000) * load
    agents = benchmark(wfmath.required_agents, calls, 1800.0, 1800.0, sl_target=SL, threshold_seconds=T)
    assert np.all(agents.agents > calls)


@pytest.mark.benchmark(group="scalar calls")
def test_scalar_service_level(benchmark):
    assert benchmark(wfmath.service_level, 14, 10.0, 180.0, 20.0) > 0.8


@pytest.mark.benchmark(group="scalar calls")
def test_scalar_service_level_python(benchmark):
    got = benchmark(service_level_python, 14, 10.0, 180.0, 20.0)
    assert got == pytest.approx(wfmath.service_level(14, 10.0, 180.0, 20.0), rel=1e-12)


@pytest.mark.benchmark(group="scalar calls")
def test_scalar_required_agents(benchmark):
    r = benchmark(wfmath.required_agents, 100, 180.0, INTERVAL, sl_target=SL, threshold_seconds=T)
    assert r.agents == 14
