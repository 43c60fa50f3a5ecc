"""Interval sizings end to end, Parquet in and Parquet out: the `wfmath plan` command (streamed
in chunks, with a daily roll-up) and wfmath.dask on one machine, against the plain in-memory
script (read the whole file, wfmath.plan, write) as the baseline in the same run.

Ten million rows by default (570 queues x a year of 30-minute intervals); set
WFMATH_BENCH_ROWS for another size. Rows per second land in each benchmark's extra_info.
Run with timings:  pytest benches/test_pipeline_bench.py --benchmark-enable --benchmark-group-by=group
"""

import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import wfmath

ROWS = int(os.environ.get("WFMATH_BENCH_ROWS", 10_000_000))
PER_QUEUE = 365 * 48
TARGETS = dict(sl_target=0.8, threshold_seconds=20.0, shrinkage=0.3)


@pytest.fixture(scope="module")
def forecast(tmp_path_factory):
    """A Parquet forecast of ROWS intervals: an intraday curve, queues of every size, closed nights."""
    rng = np.random.default_rng(17)
    queues = max(ROWS // PER_QUEUE, 1)
    per_queue = ROWS // queues
    starts = pd.date_range("2026-01-01", periods=per_queue, freq="30min").to_numpy()
    hours = (starts - starts.astype("datetime64[D]")) / np.timedelta64(1, "h")
    curve = np.clip(np.sin((hours - 7.0) / 13.0 * np.pi), 0.0, None)
    scale = rng.uniform(5, 400, queues)
    table = pa.table(
        {
            "interval_start": np.tile(starts, queues),
            "queue": np.repeat([f"q{i:03d}" for i in range(queues)], per_queue),
            "calls": rng.poisson(np.outer(scale, curve).ravel()).astype(np.float64),
            "aht_seconds": rng.uniform(150.0, 600.0, queues * per_queue),
        }
    )
    path = tmp_path_factory.mktemp("pipeline") / "forecast.parquet"
    pq.write_table(table, path, row_group_size=1_000_000)
    return path, table.num_rows


def measured(benchmark, run, rows):
    def timed():
        started = time.perf_counter()
        run()
        return rows / (time.perf_counter() - started)

    rate = benchmark.pedantic(timed, rounds=1, iterations=1, warmup_rounds=0)
    benchmark.extra_info["rows"] = rows
    benchmark.extra_info["rows_per_second"] = round(rate)


@pytest.mark.benchmark(group="pipeline")
def test_in_memory_script_baseline(benchmark, forecast, tmp_path):
    path, rows = forecast

    def run():
        plan = wfmath.plan(pd.read_parquet(path), interval_seconds=1800.0, **TARGETS)
        plan.to_parquet(tmp_path / "plan.parquet", index=False)
        wfmath.rollup(plan, sl_target=0.8).to_parquet(tmp_path / "days.parquet")

    measured(benchmark, run, rows)
    assert pq.ParquetFile(tmp_path / "plan.parquet").metadata.num_rows == rows


# The command in a fresh interpreter that reports its own peak memory: VmHWM of its own
# address space (getrusage's maxrss would carry over the forking parent's).
PEAK = (
    "import sys\nfrom wfmath.cli import main\ntry:\n    main(sys.argv[1:], prog_name='wfmath')\nfinally:\n"
    "    status = open('/proc/self/status').read().split('VmHWM:')[1]\n    print(status.split()[0], file=sys.stderr)"
)


@pytest.mark.benchmark(group="pipeline")
def test_cli_streamed(benchmark, forecast, tmp_path):
    path, rows = forecast
    command = [sys.executable, "-c", PEAK, "plan", str(path), "-o", str(tmp_path / "plan.parquet")]
    command += ["-r", str(tmp_path / "days.parquet"), "--sl", "0.8", "--threshold", "20", "--shrinkage", "0.3"]
    command += ["--interval-seconds", "1800", "--no-progress"]
    done = []
    measured(benchmark, lambda: done.append(subprocess.run(command, check=True, capture_output=True, text=True)), rows)
    # Chunks bound the memory: the command's peak stays far below the table's size.
    benchmark.extra_info["peak_rss_mib"] = int(done[-1].stderr.split()[-1]) // 1024
    assert pq.ParquetFile(tmp_path / "plan.parquet").metadata.num_rows == rows


@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index")  # dask's own, under pandas 3.1
@pytest.mark.benchmark(group="pipeline")
def test_dask_one_machine(benchmark, forecast, tmp_path):
    dd = pytest.importorskip("dask.dataframe")
    import dask
    from wfmath import dask as wfd

    path, rows = forecast

    def run():
        with dask.config.set(scheduler="threads"):  # the Rust core releases the GIL
            # A partition per row group: read whole, the file would be one partition on one core.
            forecast = dd.read_parquet(path, split_row_groups=True)
            plan = wfd.plan(forecast, interval_seconds=1800.0, **TARGETS)
            plan.to_parquet(tmp_path / "plan", write_index=False)
            wfd.rollup(dd.read_parquet(tmp_path / "plan"), sl_target=0.8).to_parquet(tmp_path / "days.parquet")

    measured(benchmark, run, rows)
    assert pq.ParquetDataset(tmp_path / "plan").read(columns=["agents"]).num_rows == rows
