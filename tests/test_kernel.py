"""The aggregation kernel at its limits: memory that follows the rows, not the key space."""

import subprocess
import sys
import textwrap

SPARSE_ROLLUP = """
import resource
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
import pandas as pd
import wfmath

times = pd.to_datetime(["2020-01-01 00:00", "2022-06-01 10:00", "2022-06-01 10:00", "2025-01-01 00:00"])
frame = pd.DataFrame(
    {"queue": ["a", "a", "b", "b"], "interval_start": times, "calls": [10.0, 20.0, 5.0, 30.0], "aht_seconds": 180.0}
)
planned = wfmath.plan(frame, sl_target=0.8, threshold_seconds=20.0, interval_seconds=1800.0)
got = wfmath.rollup(planned, freq="1s")
assert got.index.names == ["queue", "period"], got.index
assert list(got.index) == list(zip(frame["queue"], times)), got.index
assert got["calls"].tolist() == [10.0, 20.0, 5.0, 30.0]
print("ok")
"""


def test_a_fine_rollup_over_years_of_few_rows_needs_little_memory():
    # "1s" over five years is 158 million periods: dense totals would take gigabytes.
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SPARSE_ROLLUP)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
