"""Every public frame function on pandas, polars and pyarrow: the same figures, and group keys
that come back (as the pandas index; as ordinary columns for the other kinds)."""

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
import wfmath

KINDS = ("pandas", "polars", "pyarrow")


def to_kind(frame, kind):
    if kind == "polars":
        return pl.from_pandas(frame)
    if kind == "pyarrow":
        return pa.Table.from_pandas(frame, preserve_index=False)
    return frame


def concat(frames, kind):
    if kind == "polars":
        return pl.concat(frames)
    if kind == "pyarrow":
        return pa.concat_tables(frames)
    return pd.concat(frames)


def flat(result):
    """A pandas result with its group keys (named index levels) as leading columns."""
    return result.reset_index(drop=all(name is None for name in result.index.names))


def forecast(zone=None):
    times = pd.date_range("2026-03-02 08:00", periods=4, freq="30min", tz=zone)
    return pd.DataFrame(
        {
            "interval_start": list(times) * 2,
            "queue": ["a"] * 4 + ["b"] * 4,
            "calls": [80.0, 120.0, 60.0, 0.0, 10.0, 0.0, 30.0, 20.0],
            "aht_seconds": [240.0, 300.0, 180.0, 200.0, 200.0, 210.0, 220.0, 230.0],
        }
    )


def report(zone=None):
    f = forecast(zone)
    offered = f["calls"].to_numpy() + 5
    return f[["interval_start", "queue"]].assign(
        offered=offered,
        answered=offered - 2,
        answered_within=offered - 4,
        abandoned=2.0,
        abandoned_within=1.0,
        handle_seconds=(offered - 2) * 200.0,
        wait_seconds=offered * 3.0,
        staffed_seconds=10 * 1800.0,
    )


def planned(frame):
    return wfmath.plan(frame, sl_target=0.8, threshold_seconds=20.0, shrinkage=0.3)


def staffed(frame):
    agents = pl.Series("agents", [12.0, 16, 9, 1, 3, 1, 6, 5])
    if isinstance(frame, pd.DataFrame):
        return frame.assign(agents=agents.to_numpy())
    if isinstance(frame, pl.DataFrame):
        return frame.with_columns(agents)
    return frame.append_column("agents", pa.array(agents.to_numpy()))


def parts_then_finish(frame, kind, **options):
    halves = [frame.slice(0, 5), frame.slice(5)] if kind != "pandas" else [frame.iloc[:5], frame.iloc[5:]]
    return wfmath.finish_rollup(concat([wfmath.rollup_parts(h, **options) for h in halves], kind))


def actual_parts_then_finish(frame, kind, **options):
    halves = [frame.slice(0, 3), frame.slice(3)] if kind != "pandas" else [frame.iloc[:3], frame.iloc[3:]]
    return wfmath.finish_actuals(concat([wfmath.actuals(h, **options) for h in halves], kind))


CASES = {
    "plan": (forecast, lambda f, kind, zone: planned(f)),
    "evaluate": (forecast, lambda f, kind, zone: wfmath.evaluate(staffed(f), threshold_seconds=20.0)),
    "rebin": (forecast, lambda f, kind, zone: wfmath.rebin(f, 60)),
    "rollup": (forecast, lambda f, kind, zone: wfmath.rollup(planned(f), sl_target=0.8)),
    "rollup hourly by period": (forecast, lambda f, kind, zone: wfmath.rollup(planned(f), freq="h", by=None)),
    "rollup by queue": (forecast, lambda f, kind, zone: wfmath.rollup(planned(f), freq=None)),
    "rollup_parts": (forecast, lambda f, kind, zone: wfmath.rollup_parts(planned(f), freq="h")),
    "finish_rollup": (forecast, lambda f, kind, zone: parts_then_finish(planned(f), kind, freq="W")),
    "actuals": (report, lambda f, kind, zone: wfmath.actuals(f)),
    "actuals per row": (report, lambda f, kind, zone: wfmath.actuals(f, freq=None, by=None)),
    "finish_actuals": (report, lambda f, kind, zone: actual_parts_then_finish(f, kind, freq="D")),
    "plan_vs_actual": (report, lambda f, kind, zone: wfmath.plan_vs_actual(planned(to_kind(forecast(zone), kind)), f)),
    "plan_vs_actual by day": (
        report,
        lambda f, kind, zone: wfmath.plan_vs_actual(planned(to_kind(forecast(zone), kind)), f, freq="D"),
    ),
}


@pytest.mark.parametrize("zone", [None, "Europe/Berlin"])
@pytest.mark.parametrize("kind", KINDS[1:])
@pytest.mark.parametrize("case", list(CASES))
def test_every_frame_function_gives_the_pandas_result_with_its_keys(case, kind, zone):
    build, call = CASES[case]
    want = flat(call(build(zone), "pandas", zone))
    got = call(to_kind(build(zone), kind), kind, zone)
    assert type(got) is type(to_kind(build(zone), kind))
    got = got.to_pandas()
    assert list(got.columns) == list(want.columns)
    for name in want.columns:
        if pd.api.types.is_datetime64_any_dtype(want[name]):
            # Timestamps stay timestamps, in their zone (polars may keep them in microseconds).
            assert getattr(got[name].dtype, "tz", None) == getattr(want[name].dtype, "tz", None), name
            assert got[name].tolist() == want[name].tolist(), name
        elif pd.api.types.is_numeric_dtype(want[name]):
            np.testing.assert_array_equal(got[name].to_numpy(dtype=float), want[name].to_numpy(dtype=float), name)
        else:
            assert got[name].tolist() == want[name].tolist(), name


@pytest.mark.parametrize("kind", KINDS[1:])
def test_rows_of_a_rollup_are_told_apart_by_their_keys(kind):
    rolled = wfmath.rollup(planned(to_kind(forecast(), kind)), freq="h").to_pandas()
    assert {"queue", "period"} <= set(rolled.columns)
    assert not rolled.duplicated(["queue", "period"]).any()
    assert len(rolled) == 4  # two queues, two hours
