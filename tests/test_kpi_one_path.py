"""The kpi day figures are those of the package's one aggregation path: wfmath.evaluate (and
wfmath.plan for the requirement) rolled up by wfmath.rollup, on random days."""

import math

import numpy as np
import pandas as pd
import pytest
import wfmath
from wfmath import kpi

IV, THRESHOLD, TARGET = 1800.0, 20.0, 0.8


def random_day(rng):
    n = int(rng.integers(1, 49))
    calls = np.where(rng.random(n) < 0.15, 0.0, np.round(rng.gamma(2.0, 60.0, n)))
    aht = rng.uniform(60.0, 600.0, n)
    load = calls * aht / IV
    # Around the load: some intervals understaffed (agents <= load), some fractional.
    agents = np.maximum(np.round(load + rng.normal(4.0, 3.0, n)), 0.0) + (rng.random(n) < 0.2) * rng.random(n)
    return calls, aht, agents, float(rng.uniform(0.0, 0.4))


def close(got, want):
    return (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", range(200))
def test_kpi_day_equals_evaluate_and_rollup(seed):
    rng = np.random.default_rng(seed)
    calls, aht, agents, shrinkage = random_day(rng)
    factor = float(rng.uniform(0.8, 1.2))
    r = kpi.what_if(
        {"calls": calls, "aht_seconds": aht, "agents": agents},
        interval_seconds=IV,
        sl_target=TARGET,
        threshold_seconds=THRESHOLD,
        shrinkage=shrinkage,
        volume_factor=factor,
    )
    for metrics, volume in ((r.base, calls), (r.scenario, calls * factor)):
        scored = wfmath.evaluate(
            pd.DataFrame({"calls": volume, "aht_seconds": aht, "agents": agents}),
            threshold_seconds=THRESHOLD,
            interval_seconds=IV,
        )
        day = wfmath.rollup(scored, freq=None, by=None, sl_target=TARGET).iloc[0]
        sized = wfmath.plan(
            pd.DataFrame({"calls": volume, "aht_seconds": aht}),
            interval_seconds=IV,
            sl_target=TARGET,
            threshold_seconds=THRESHOLD,
            shrinkage=shrinkage,
        )
        need = wfmath.rollup(sized, freq=None, by=None).iloc[0]
        want = {
            "calls": day["calls"],
            "aht_seconds": day["aht_seconds"],
            "workload_hours": day["workload_hours"],
            "staffed_hours": day["agent_hours"],
            "service_level": day["service_level"],
            "asa_seconds": day["asa_seconds"],
            "unstable_intervals": day["unstable_intervals"],
            "occupancy": day["occupancy"],
            "intervals_meeting_target": day["share_intervals_met"],
            "required_hours": need["agent_hours"],
            "scheduled_hours": need["scheduled_hours"],
        }
        got = metrics.to_dict()
        assert set(got) == set(want)
        for name, value in want.items():
            assert close(got[name], float(value)), (name, got[name], value)
        assert math.isfinite(metrics.asa_seconds) or metrics.unstable_intervals == np.count_nonzero(volume > 0)


def test_the_tie_rule_is_the_cores():
    """An interval whose SL equals the target up to rounding meets it, in the kpi share as in rollup."""
    calls = np.array([100.0])
    sl = wfmath.service_level(14, 10.0, 180.0, 20.0)
    for target in (sl, sl * (1 + 0.5 * wfmath.TIE_RTOL)):
        r = kpi.what_if(
            {"calls": calls, "aht_seconds": 180.0, "agents": 14.0},
            interval_seconds=IV,
            sl_target=target,
            threshold_seconds=THRESHOLD,
        )
        assert r.base.intervals_meeting_target == 1.0
    above = kpi.what_if(
        {"calls": calls, "aht_seconds": 180.0, "agents": 14.0},
        interval_seconds=IV,
        sl_target=sl * (1 + 1e3 * wfmath.TIE_RTOL),
        threshold_seconds=THRESHOLD,
    )
    assert above.base.intervals_meeting_target == 0.0
