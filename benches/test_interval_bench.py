"""Roll-ups of a year of 15-minute intervals for 200 queues (7M rows) by day and queue:
wfmath's Rust group kernel against a well-written pandas groupby of the same formulas.

Run with timings:  pytest benches/test_interval_bench.py --benchmark-enable --benchmark-group-by=group
"""

import numpy as np
import pandas as pd
import pytest
import wfmath

QUEUES, DAYS, PER_DAY = 200, 365, 96


@pytest.fixture(scope="module")
def year():
    """A plan and an ACD report for every 15-minute interval of a year and 200 queues. The
    queue column is categorical, as Parquet's dictionary encoding delivers it."""
    rng = np.random.default_rng(5)
    rows = QUEUES * DAYS * PER_DAY
    times = pd.date_range("2026-01-01", periods=DAYS * PER_DAY, freq="15min")
    queue = pd.Categorical.from_codes(
        np.repeat(np.arange(QUEUES), DAYS * PER_DAY), [f"q{i:03d}" for i in range(QUEUES)]
    )
    calls = np.floor(rng.uniform(0, 200, rows))
    calls[rng.uniform(size=rows) < 0.1] = 0.0
    plan = pd.DataFrame(
        {
            "interval_start": np.tile(times, QUEUES),
            "queue": queue,
            "calls": calls,
            "aht_seconds": rng.uniform(120, 900, rows),
            "agents": np.floor(rng.uniform(0, 60, rows)),
            "service_level": rng.uniform(0, 1, rows),
            "asa_seconds": rng.uniform(0, 120, rows),
            "interval_seconds": 900.0,
        }
    )
    answered = np.floor(calls * rng.uniform(0.8, 1.0, rows))
    report = pd.DataFrame(
        {
            "interval_start": plan.interval_start,
            "queue": queue,
            "offered": calls,
            "answered": answered,
            "answered_within": np.floor(answered * rng.uniform(0.5, 1.0, rows)),
            "abandoned": calls - answered,
            "handle_seconds": answered * rng.uniform(120, 900, rows),
            "wait_seconds": answered * rng.uniform(0, 60, rows),
            "staffed_seconds": np.floor(rng.uniform(0, 60, rows)) * 900.0,
        }
    )
    return plan, report


def rollup_pandas(plan):
    busy = plan.calls > 0
    work = pd.DataFrame(
        {
            "queue": plan.queue,
            "period": plan.interval_start.dt.floor("D"),
            "calls": plan.calls,
            "handle": plan.calls * plan.aht_seconds,
            "slw": plan.calls * plan.service_level,
            "asaw": plan.calls * plan.asa_seconds,
            "agent_seconds": plan.agents * plan.interval_seconds,
            # without an occupancy column, agents carry at most their staffed time
            "busy": np.minimum(plan.calls * plan.aht_seconds, plan.agents * plan.interval_seconds),
            "with_calls": busy.astype(np.float64),
            "agents": plan.agents,
        }
    )
    g = work.groupby(["queue", "period"], observed=True, sort=True)
    s = g[["calls", "handle", "slw", "asaw", "agent_seconds", "busy", "with_calls"]].sum()
    calls = s.calls.where(s.calls > 0)
    return pd.DataFrame(
        {
            "calls": s.calls,
            "aht_seconds": s.handle / calls,
            "service_level": s.slw / calls,
            "asa_seconds": s.asaw / calls,
            "occupancy": s.busy / s.agent_seconds.where(s.agent_seconds > 0),
            "agent_hours": s.agent_seconds / 3600.0,
            "peak_agents": g.agents.max(),
        }
    )


def actuals_pandas(report):
    g = report.assign(period=report.interval_start.dt.floor("D")).groupby(["queue", "period"], observed=True)
    s = g[["offered", "answered", "answered_within", "abandoned", "handle_seconds", "wait_seconds"]].sum()
    return pd.DataFrame(
        {
            "sl_answered": s.answered_within / s.answered.where(s.answered > 0),
            "sl_offered": s.answered_within / s.offered.where(s.offered > 0),
            "abandon_rate": s.abandoned / s.offered.where(s.offered > 0),
            "asa_seconds": s.wait_seconds / s.answered.where(s.answered > 0),
            "aht_seconds": s.handle_seconds / s.answered.where(s.answered > 0),
        }
    )


def test_same_numbers_as_pandas(year):
    plan, report = year
    ours, theirs = wfmath.rollup(plan), rollup_pandas(plan)
    assert len(ours) == QUEUES * DAYS
    for column in theirs:
        np.testing.assert_allclose(ours[column].to_numpy(), theirs[column].to_numpy(), rtol=1e-12)
    ours, theirs = wfmath.actuals(report), actuals_pandas(report)
    for column in theirs:
        np.testing.assert_allclose(ours[column].to_numpy(), theirs[column].to_numpy(), rtol=1e-12)


@pytest.mark.benchmark(group="plan roll-up, 7M intervals by day and queue")
def test_rollup_wfmath(benchmark, year):
    benchmark.pedantic(wfmath.rollup, args=(year[0],), rounds=3)


@pytest.mark.benchmark(group="plan roll-up, 7M intervals by day and queue")
def test_rollup_pandas_baseline(benchmark, year):
    benchmark.pedantic(rollup_pandas, args=(year[0],), rounds=3)


@pytest.mark.benchmark(group="ACD actuals, 7M intervals by day and queue")
def test_actuals_wfmath(benchmark, year):
    benchmark.pedantic(wfmath.actuals, args=(year[1],), rounds=3)


@pytest.mark.benchmark(group="ACD actuals, 7M intervals by day and queue")
def test_actuals_pandas_baseline(benchmark, year):
    benchmark.pedantic(actuals_pandas, args=(year[1],), rounds=3)
