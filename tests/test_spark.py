"""wfmath.spark on a local Spark session: the same figures as one machine computes."""

import doctest
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import wfmath
from workloads import acd_report, intraday_forecast, mixed_forecast

pytest.importorskip("pyspark", reason="pyspark (~450 MB) is installed by CI's script, not by the test extra")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime: no java on PATH", allow_module_level=True)

from pyspark.errors import PythonException  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402
from wfmath import spark as wspark  # noqa: E402

# PySpark 4.x warns that it does not fully support pandas 3, and uses a keyword pandas 3
# deprecates; its conversions work here.
pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings(r"ignore:The copy keyword is deprecated"),
]

TARGETS = dict(sl_target=0.8, threshold_seconds=20.0, shrinkage=0.3)
ERLANG_A = dict(TARGETS, patience_seconds=90.0, sl_definition="offered", abandon_target=0.05)


@pytest.fixture(scope="module")
def spark():
    session = (
        SparkSession.builder.master("local[2]")
        .appName("wfmath-tests")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")  # many batches per partition
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def raw():
    return intraday_forecast(queues=12, days=14)


@pytest.fixture(scope="module")
def partitions(spark, raw):
    # Round-robin into 8 partitions of 500-row batches: every queue's days are cut many times.
    frame = spark.createDataFrame(raw).repartition(8)
    assert frame.rdd.getNumPartitions() == 8
    return frame


@pytest.fixture(scope="module")
def forecast(spark, raw):
    """The table as Spark hands it to pandas, for the one-machine run."""
    return spark.createDataFrame(raw).toPandas()


@pytest.fixture(scope="module")
def spark_plan(partitions):
    return wspark.plan(partitions, **TARGETS).cache()  # interval length inferred from the shuffled rows


def in_order(frame):
    return frame.sort_values(["queue", "interval_start"]).reset_index(drop=True)


def test_plan_is_identical_row_by_row(forecast, spark_plan):
    got = in_order(spark_plan.toPandas())
    want = in_order(wfmath.plan(forecast, **TARGETS))
    assert (got["interval_seconds"] == 1800.0).all()
    pd.testing.assert_frame_equal(got, want)


def test_rollup_sums_then_ratio(forecast, spark_plan):
    plan = wfmath.plan(forecast, **TARGETS)
    for freq, by in (("D", "queue"), ("W", "queue"), (None, None)):
        got = wspark.rollup(spark_plan, freq=freq, by=by, sl_target=0.8, paid_hours_per_fte=8.0)
        want = wfmath.rollup(plan, freq=freq, by=by, sl_target=0.8, paid_hours_per_fte=8.0)
        assert len(got) == len(want) > 0
        # Integer counts are exact; float sums are added in another order (1e-12 relative).
        for column in ("calls", "peak_agents", "intervals", "intervals_with_calls"):
            np.testing.assert_array_equal(got[column].to_numpy(), want[column].to_numpy())
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, check_index_type=False)
    busy = plan["calls"] > 0
    weighted = np.average(plan["service_level"][busy], weights=plan["calls"][busy])
    assert got["service_level"].iloc[0] == pytest.approx(weighted, rel=1e-12)  # not an average of batch averages
    assert got["service_level"].iloc[0] != pytest.approx(plan["service_level"][busy].mean(), rel=1e-6)


def test_invalid_rows_are_left_out_as_on_one_machine(spark, raw):
    bad = raw.copy()
    bad.loc[bad.index[(bad.queue == "q03") & (bad.calls > 0)][0], "aht_seconds"] = -1.0
    frame = spark.createDataFrame(bad).repartition(4)
    with pytest.warns(RuntimeWarning, match="1 row"):
        want = wfmath.rollup(wfmath.plan(spark.createDataFrame(bad).toPandas(), on_invalid="nan", **TARGETS), freq="W")
    got = wspark.rollup(wspark.plan(frame, on_invalid="nan", **TARGETS), freq="W")
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, check_index_type=False)
    assert got.loc["q03", "intervals_left_out"].sum() == 1 and got.loc["q04", "intervals_left_out"].sum() == 0


def test_evaluate_and_erlang_a(spark, forecast, partitions):
    staffed = partitions.withColumn("agents", partitions["calls"] * partitions["aht_seconds"] / 1800.0 + 2.0)
    got = in_order(wspark.evaluate(staffed, threshold_seconds=20.0).toPandas())
    want = wfmath.evaluate(
        forecast.assign(agents=forecast.calls * forecast.aht_seconds / 1800.0 + 2.0), threshold_seconds=20.0
    )
    pd.testing.assert_frame_equal(got, in_order(want))
    small = forecast[forecast.queue < "q03"]
    got = wspark.plan(spark.createDataFrame(small).repartition(3), interval_seconds=1800.0, **ERLANG_A)
    pd.testing.assert_frame_equal(in_order(got.toPandas()), in_order(wfmath.plan(small, **ERLANG_A)))


def test_each_queue_gets_its_own_interval_length_over_the_whole_frame(spark):
    # A batch holds a few times of day: too little of a series to infer its step from.
    frame = spark.createDataFrame(mixed_forecast().assign(agents=20.0)).repartition(4)
    one_machine = frame.toPandas()
    for func, options in ((wspark.plan, TARGETS), (wspark.evaluate, dict(threshold_seconds=20.0))):
        got = in_order(func(frame, **options).toPandas())
        pd.testing.assert_frame_equal(got, in_order(getattr(wfmath, func.__name__)(one_machine, **options)))
        lengths = got.groupby("queue")["interval_seconds"].unique()
        assert {q: list(v) for q, v in lengths.items()} == {
            **{f"q{q:02d}": [1800.0] for q in range(3)},
            **{f"f{q:02d}": [900.0] for q in range(2)},
        }


def test_actuals_from_batches(spark):
    report = acd_report()
    frame = spark.createDataFrame(report)
    got = wspark.actuals(frame.repartition(9), freq="W")
    want = wfmath.actuals(frame.toPandas(), freq="W")
    np.testing.assert_array_equal(got["offered"].to_numpy(), want["offered"].to_numpy())
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, check_index_type=False, check_dtype=False)
    with pytest.raises(ValueError, match="grouping"):
        wspark.actuals(frame, freq=None, by=None)


def test_naive_timestamps_are_taken_as_they_are_in_the_session_zone(spark, raw, forecast):
    spark.conf.set("spark.sql.session.timeZone", "America/New_York")  # no DST change in these two weeks
    try:
        frame = spark.createDataFrame(raw.iloc[:2000]).repartition(3)
        got = wspark.rollup(wspark.plan(frame, **TARGETS), freq="D")
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    want = wfmath.rollup(wfmath.plan(forecast.iloc[:2000], **TARGETS), freq="D")
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, check_index_type=False)


def test_bad_row_on_an_executor_names_column_value_and_row(spark, raw):
    bad = raw.copy()
    bad.loc[(bad.queue == "q03") & (bad.interval_start == "2026-11-09 10:30"), "aht_seconds"] = -5.0
    plan = wspark.plan(spark.createDataFrame(bad).repartition(4), interval_seconds=1800.0, **TARGETS)
    # Spark wraps the executor's ValueError; the row is named by its (queue, interval).
    message = "column 'aht_seconds' must be finite and > 0, got -5.0 at row ('q03', Timestamp('2026-11-09 10:30:00'))"
    with pytest.raises(PythonException, match=re.escape(message)):
        plan.count()


def test_options_checked_at_once_and_types_checked(forecast, partitions):
    with pytest.raises(ValueError, match="lacks required column"):
        wspark.plan(partitions.drop("calls"), interval_seconds=1800.0, **TARGETS)
    with pytest.raises(TypeError, match="frame must be a Spark DataFrame, got DataFrame"):
        wspark.plan(forecast, interval_seconds=1800.0, **TARGETS)
    with pytest.raises(TypeError, match="plan must be a Spark DataFrame, got DataFrame"):
        wspark.rollup(forecast)
    with pytest.raises(ValueError, match="give interval_seconds, or a timestamp column 'interval_start'"):
        wspark.plan(partitions.drop("interval_start"), **TARGETS)


def test_without_pyspark_the_import_error_says_how_to_install():
    blocked = "import sys; sys.modules['pyspark'] = None; import wfmath.spark"
    run = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True)
    assert run.returncode != 0
    assert "ImportError: wfmath.spark needs PySpark: pip install pyspark" in run.stderr


def test_docstring_examples_run(spark):
    tests = doctest.DocTestFinder().find(wspark, extraglobs={"spark": spark})
    runner = doctest.DocTestRunner()
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).attempted > 0
    assert runner.summarize(verbose=False).failed == 0


def test_readme_spark_example_runs(spark, capsys):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    blocks = re.findall(r"```py\n(.*?)```", readme, re.S)
    assert blocks
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {"spark": spark})
    assert "service_level" in capsys.readouterr().out
