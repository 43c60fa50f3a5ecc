"""Long array calls stop on Ctrl-C and on signal handlers that raise (the CLI's SIGTERM)."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

# Minutes of work in one call: Erlang A sizing of two million intervals.
LONG_CALL = """
import signal, sys
import numpy as np
import wfmath

def stop(signum, frame):
    raise SystemExit(143)

signal.signal(signal.SIGTERM, stop)
calls = np.linspace(1.0, 5000.0, 2_000_000)
print("ready", flush=True)
wfmath.required_agents_a(calls, 180.0, 1800.0, 120.0, sl_target=0.8, threshold_seconds=20.0, abandon_target=0.05)
print("finished", flush=True)
"""


@pytest.mark.parametrize(
    ("signum", "returncode", "trace"), [(signal.SIGINT, -signal.SIGINT, "KeyboardInterrupt"), (signal.SIGTERM, 143, "")]
)
def test_a_signal_stops_a_long_array_call_promptly(signum, returncode, trace):
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(LONG_CALL)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(1.0)  # well inside the call
        child.send_signal(signum)
        sent = time.monotonic()
        out, err = child.communicate(timeout=10)
        waited = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert "finished" not in out
    assert child.returncode == returncode, err[-2000:]
    assert trace in err
    assert waited < 5.0
