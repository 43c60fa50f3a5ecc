"""wfmath.dask on a real distributed.LocalCluster: the same figures as one machine computes."""

import numpy as np
import pandas as pd
import pytest
import wfmath
from workloads import acd_report, intraday_forecast, mixed_forecast

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
wdask = pytest.importorskip("wfmath.dask")

TARGETS = dict(sl_target=0.8, threshold_seconds=20.0, shrinkage=0.3)
ERLANG_A = dict(TARGETS, patience_seconds=90.0, sl_definition="offered", abandon_target=0.05)


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def raw():
    return intraday_forecast(queues=40, days=21)


@pytest.fixture(scope="module")
def partitions(raw):
    # 23 partitions: most queues' weeks and days are cut across two partitions.
    return dd.from_pandas(raw, npartitions=23, sort=False)


@pytest.fixture(scope="module")
def forecast(partitions):
    """The whole table as Dask holds it (its own string dtype), for the one-machine run."""
    return partitions.compute()


def test_plan_is_identical_row_by_row(client, forecast, partitions):
    with distributed.get_task_stream(client) as stream:
        got = wdask.plan(partitions, **TARGETS).compute()
    assert len({task["worker"] for task in stream.data}) >= 2  # the work was spread
    want = wfmath.plan(forecast, **TARGETS)
    pd.testing.assert_frame_equal(got, want)


def test_rollup_sums_then_ratio(client, forecast, partitions):
    for freq, by in (("D", "queue"), ("W", "queue"), (None, None)):
        got = wdask.rollup(wdask.plan(partitions, **TARGETS), freq=freq, by=by, sl_target=0.8, paid_hours_per_fte=8.0)
        want = wfmath.rollup(wfmath.plan(forecast, **TARGETS), freq=freq, by=by, sl_target=0.8, paid_hours_per_fte=8.0)
        assert len(got) == len(want) > 0
        # Integer counts are exact; float sums are added in another order (1e-12 relative).
        for column in ("calls", "peak_agents", "intervals", "intervals_with_calls"):
            np.testing.assert_array_equal(got[column].to_numpy(), want[column].to_numpy())
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, check_index_type=False)


def test_rollup_is_not_an_average_of_partition_averages(client, forecast, partitions):
    got = wdask.rollup(wdask.plan(partitions, **TARGETS), freq=None, by=None)
    plan = wfmath.plan(forecast, **TARGETS)
    busy = plan["calls"] > 0
    weighted = np.average(plan["service_level"][busy], weights=plan["calls"][busy])
    assert got["service_level"].iloc[0] == pytest.approx(weighted, rel=1e-12)
    assert got["service_level"].iloc[0] != pytest.approx(plan["service_level"][busy].mean(), rel=1e-6)


def test_evaluate_and_erlang_a(client, forecast, partitions):
    staffed = partitions.assign(agents=partitions["calls"] * partitions["aht_seconds"] / 1800.0 + 2.0)
    got = wdask.evaluate(staffed, threshold_seconds=20.0).compute()
    want = wfmath.evaluate(
        forecast.assign(agents=forecast.calls * forecast.aht_seconds / 1800.0 + 2.0), threshold_seconds=20.0
    )
    pd.testing.assert_frame_equal(got, want)
    small = forecast[forecast.queue < "q04"]
    got = wdask.plan(dd.from_pandas(small, npartitions=5), **ERLANG_A).compute()
    pd.testing.assert_frame_equal(got, wfmath.plan(small, **ERLANG_A))


def test_actuals_from_partitions(client):
    report = acd_report()
    got = wdask.actuals(dd.from_pandas(report, npartitions=9), freq="W")
    want = wfmath.actuals(report, freq="W")
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, check_index_type=False, check_dtype=False)
    with pytest.raises(ValueError, match="grouping"):
        wdask.actuals(dd.from_pandas(report, npartitions=2), freq=None, by=None)


def test_bad_row_on_a_worker_names_column_and_row(client, forecast):
    bad = forecast.copy()
    bad.loc[25_000, "aht_seconds"] = -5.0
    with pytest.raises(ValueError, match=r"column 'aht_seconds' must be finite and > 0, got -5.0 at row 25000"):
        wdask.plan(dd.from_pandas(bad, npartitions=8), **TARGETS).compute()
    assert forecast.loc[25_000, "aht_seconds"] > 0  # the input is untouched


def test_each_queue_gets_its_own_interval_length_over_the_whole_frame(client):
    # A partition holds a few times of day: too little of a series to infer its step from.
    mixed = mixed_forecast()
    for func, options in ((wdask.plan, TARGETS), (wdask.evaluate, dict(threshold_seconds=20.0))):
        partitions = dd.from_pandas(mixed.assign(agents=20.0), npartitions=6, sort=False)
        got = func(partitions, **options).compute()
        want = getattr(wfmath, func.__name__)(partitions.compute(), **options)  # Dask's own string dtype
        pd.testing.assert_frame_equal(got, want)
        lengths = got.groupby("queue")["interval_seconds"].unique()
        assert {q: list(v) for q, v in lengths.items()} == {
            **{f"q{q:02d}": [1800.0] for q in range(3)},
            **{f"f{q:02d}": [900.0] for q in range(2)},
        }


def test_types_checked(forecast):
    with pytest.raises(TypeError, match="must be a dask DataFrame, got DataFrame"):
        wdask.plan(forecast, interval_seconds=1800.0, **TARGETS)
