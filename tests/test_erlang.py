"""Erlang B/C values against the mpmath reference, edge conventions and properties."""

import math

import numpy as np
import pytest
import reference as ref
import wfmath
from mpmath import mp

RTOL = 1e-9  # the stated accuracy of every continuous output

# (agents, load): small loads, typical, huge pools and near saturation.
CASES = [
    (1, 0.01),
    (2, 0.01),
    (1, 0.5),
    (3, 2.9),
    (5, 1.0),
    (10, 5.0),
    (14, 10.0),
    (30, 25.0),
    (49, 48.5),
    (50, 49.9),
    (51, 50.0),
    (60, 50.0),
    (120, 100.0),
    (101, 100.0),
    (100, 99.999),
    (250, 200.0),
    (1000, 950.0),
    (1001, 1000.0),
    (1100, 1000.0),
    (5050, 5000.0),
    (10_000, 9_900.0),
    (10_000, 200.0),
    (20_000, 19_999.5),
    (50_500, 50_000.0),
    (100_000, 50_000.0),
    (100_000, 99_990.0),
    (100_000, 99_999.99),
    (200, 150.0),
    (7.5, 3.2),
    (55.25, 50.0),
    (1000.5, 998.3),
    (12.3, 0.7),
]


def close(got, want, rtol=RTOL):
    """Relative error within rtol; a reference below the double range must come out as 0."""
    if want < 1e-300:
        return got < 1e-300
    return ref.rel_err(got, want) <= rtol


@pytest.mark.parametrize(("n", "a"), CASES)
def test_erlang_b_matches_reference(n, a):
    want = ref.erlang_b(n, a)
    assert close(wfmath.log_erlang_b(n, a), mp.log(want))
    assert close(wfmath.erlang_b(n, a), want)


@pytest.mark.parametrize(("n", "a"), [c for c in CASES if c[0] > c[1]])
def test_erlang_c_metrics_match_reference(n, a):
    aht, t = 240.0, 20.0
    assert close(wfmath.erlang_c(n, a), ref.erlang_c(n, a))
    assert close(wfmath.service_level(n, a, aht, t), ref.service_level(n, a, aht, t))
    assert close(wfmath.prob_wait_exceeds(n, a, aht, t), ref.prob_wait_exceeds(n, a, aht, t))
    assert close(wfmath.asa(n, a, aht), ref.asa(n, a, aht))
    assert close(wfmath.queue_length(n, a), ref.queue_length(n, a))
    assert wfmath.occupancy(n, a) == pytest.approx(a / n, rel=1e-15)
    for q in (0.5, 0.8, 0.95, 0.999):
        if abs(ref.erlang_c(n, a) - (1 - q)) < 1e-12:
            continue  # a tie, covered by test_conventions_at_the_edges
        want = ref.wait_quantile(n, a, aht, q)
        got = wfmath.wait_quantile(n, a, aht, q)
        assert got == 0.0 if want == 0 else close(got, want), q


def test_whole_servers_match_the_recurrence():
    for n, a in [(1, 0.3), (17, 12.0), (170, 150.0), (171, 200.0), (400, 390.0), (2000, 1990.0)]:
        assert close(wfmath.erlang_b(n, a), ref.erlang_b_recurrence(n, a), 1e-12)


def test_real_servers_are_continuous_between_integers():
    xs = np.linspace(40.0, 41.0, 11)
    b = wfmath.erlang_b(xs, 40.0)
    assert np.all(np.diff(b) < 0)
    assert b[0] == pytest.approx(wfmath.erlang_b(40, 40.0), rel=1e-14)
    assert b[-1] == pytest.approx(wfmath.erlang_b(41, 40.0), rel=1e-14)


def test_tiny_tails_are_computed_directly():
    # 1 - SL would be 0 in double here; P(wait > t) keeps its digits.
    n, a, aht, t = 60, 10.0, 180.0, 20.0
    assert close(wfmath.prob_wait_exceeds(n, a, aht, t), ref.prob_wait_exceeds(n, a, aht, t))
    assert wfmath.prob_wait_exceeds(n, a, aht, t) < 1e-20
    huge = wfmath.log_erlang_b(100_000, 0.01)
    assert math.isfinite(huge) and close(huge, mp.log(ref.erlang_b(100_000, 0.01)))


def test_conventions_at_the_edges():
    assert wfmath.erlang_b(0, 5.0) == 1.0
    assert wfmath.erlang_b(0, 0.0) == 1.0
    assert wfmath.erlang_b(4, 0.0) == 0.0
    # agents <= load: unstable queue, not an error
    assert wfmath.erlang_c(10, 10.0) == 1.0
    assert wfmath.erlang_c(5, 12.0) == 1.0
    assert wfmath.service_level(10, 12.0, 180.0, 20.0) == 0.0
    assert math.isinf(wfmath.asa(10, 10.0, 180.0))
    assert math.isinf(wfmath.queue_length(10, 10.0))
    assert math.isinf(wfmath.wait_quantile(10, 10.0, 180.0, 0.5))
    assert wfmath.occupancy(10, 12.0) == 1.0
    # zero load: nobody waits
    assert wfmath.erlang_c(3, 0.0) == 0.0
    assert wfmath.service_level(0, 0.0, 180.0, 20.0) == 1.0
    assert wfmath.asa(3, 0.0, 180.0) == 0.0
    assert wfmath.occupancy(3, 0.0) == 0.0
    # M/M/1 at rho = 0.5: exactly half the calls wait, so the median wait is 0 (a tie)
    assert wfmath.wait_quantile(1, 0.5, 180.0, 0.5) == 0.0
    # a threshold of 0 gives the share answered at once, 1 - C
    assert close(wfmath.service_level(14, 10.0, 180.0, 0.0), 1 - ref.erlang_c(14, 10.0))


def test_blocking_and_waiting_fall_as_agents_rise():
    for a in (0.5, 8.0, 95.0, 2500.0):
        n = np.arange(math.floor(a) + 1, math.floor(a) + 200)
        b = wfmath.erlang_b(n, a)
        c = wfmath.erlang_c(n, a)
        assert np.all(np.diff(b[b > 1e-300]) < 0)
        assert np.all(np.diff(c[c > 1e-300]) < 0)


def test_pooling_principle():
    # One pool of 2N serving 2A beats two pools of N serving A each, at equal occupancy.
    for n, a in [(5, 4.0), (14, 10.0), (120, 100.0), (1100, 1000.0)]:
        split = wfmath.service_level(n, a, 300.0, 20.0)
        pooled = wfmath.service_level(2 * n, 2 * a, 300.0, 20.0)
        assert pooled > split
        assert wfmath.asa(2 * n, 2 * a, 300.0) < wfmath.asa(n, a, 300.0)


@pytest.mark.parametrize(("n", "a"), [(1e15, 1e-300), (1e6, 1e-300), (20, 5e-324), (16.5, 1e-310)])
def test_log_erlang_b_is_finite_where_the_load_is_tiny(n, a):
    # ln B = -(n ln(n / a) ...): the quotient n / a overflows a double, the log does not.
    got = wfmath.log_erlang_b(n, a)
    assert math.isfinite(got) and close(got, mp.log(ref.erlang_b(n, a)))
    assert wfmath.erlang_b(n, a) == 0.0
