"""evaluate: the staff a schedule already has, validated as plan validates, rolled up honestly.

Expected figures come from direct engine calls and hand arithmetic, never from evaluate's output."""

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
