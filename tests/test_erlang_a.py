"""Erlang A against the mpmath reference, its limits (Erlang B and C), identities and sizing.

Tolerance: relative 1e-9 for every figure wherever the reference value is a normal double;
below that (e.g. an SL of 1e-900 at heavy overload) the figure must be 0 or tiny too.
"""

import math

import numpy as np
import pytest
import reference as ref
import reference_a as ref_a
import wfmath
from mpmath import mpf
from wfmath import InvalidInputError, StaffingWarning

RTOL = 1e-9
AHT = 180.0
INTERVAL = 1800.0

# (agents, load, patience / AHT, threshold seconds): small, typical, huge pools, heavy
# overload, near saturation, and tiny tails (overstaffed: P(wait) and P(abandon) near 1e-20).
CASES = [
    (1, 0.01, 1.0, 20.0),
    (1, 3.0, 0.5, 10.0),
    (2, 1.9, 100.0, 20.0),
    (5, 4.0, 0.5, 10.0),
    (10, 5.0, 100.0, 5.0),
    (10, 50.0, 1.0, 20.0),
    (14, 10.0, 0.667, 20.0),
    (14, 10.0, 0.01, 0.0),
    (30, 29.9, 2.0, 30.0),
    (100, 95.0, 1.0, 20.0),
    (100, 300.0, 0.1, 20.0),
    (100, 300.0, 100.0, 20.0),
    (200, 100.0, 100.0, 20.0),
    (250, 200.0, 1.0, 60.0),
    (1000, 950.0, 0.01, 20.0),
    (1000, 1100.0, 1.0, 20.0),
    (1000, 1100.0, 100.0, 300.0),
    (10_000, 9_900.0, 0.01, 20.0),
    (10_000, 9_900.0, 1.0, 20.0),
    (10_000, 9_900.0, 100.0, 20.0),
    (10_000, 10_100.0, 1.0, 5.0),
    (10_000, 12_000.0, 0.01, 20.0),
    (10_000, 12_000.0, 1.0, 5.0),
    (10_000, 9_000.0, 1.0, 20.0),
    (12.5, 10.0, 1.0, 20.0),
]


def assert_close(got, want, what):
    want = mpf(want)
    if abs(want) < 1e-300:
        assert abs(got) < 1e-290, f"{what}: {got} vs {want}"
    else:
        assert ref.rel_err(got, want) < RTOL, f"{what}: {got!r} vs {want}"


@pytest.mark.parametrize(("agents", "load", "ratio", "t"), CASES)
def test_every_figure_matches_reference(agents, load, ratio, t):
    got = wfmath.erlang_a(agents, load, AHT, AHT * ratio, t)
    want = ref_a.erlang_a(agents, load, AHT, AHT * ratio, t)
    for field in ref_a.FIELDS:
        assert_close(getattr(got, field), want[field], field)


@pytest.mark.parametrize(("agents", "load", "patience"), [(3, 2.5, 60.0), (12, 14.0, 200.0), (40, 30.0, 500.0)])
def test_reference_closed_forms_agree_with_the_chain_and_the_wait_density(agents, load, patience):
    """The reference's two routes (closed forms; quadrature of the wait density) and the
    birth-death chain summed state by state all agree: the reference is itself checked."""
    chain = ref_a.chain(agents, load, AHT, patience)
    closed = ref_a.erlang_a(agents, load, AHT, patience, 20.0)
    density = ref_a.erlang_a(agents, load, AHT, patience, 20.0, by_quadrature=True)
    for field in ("p_wait", "p_abandon", "mean_queue", "served_after_wait"):
        assert ref.rel_err(closed[field], chain[field]) < 1e-30
    for field in ref_a.FIELDS:
        assert ref.rel_err(closed[field], density[field]) < 1e-25, field


def test_infinite_patience_is_erlang_c():
    a = wfmath.erlang_a(14, 10.0, AHT, math.inf, 20.0)
    sl = wfmath.service_level(14, 10.0, AHT, 20.0)
    assert a.p_wait == wfmath.erlang_c(14, 10.0)
    assert a.p_abandon == 0.0 and a.abandoned_within == 0.0
    for field in ("sl_answered", "sl_offered", "sl_excl_short_abandons", "sl_short_abandons_ok", "sl_virtual"):
        assert getattr(a, field) == sl
    assert a.asa_all_seconds == a.asa_answered_seconds == wfmath.asa(14, 10.0, AHT)
    assert a.mean_queue == wfmath.queue_length(14, 10.0)
    assert a.occupancy == wfmath.occupancy(14, 10.0)
    unstable = wfmath.erlang_a(10, 12.0, AHT, math.inf, 20.0)
    assert (unstable.p_wait, unstable.sl_answered, unstable.asa_answered_seconds) == (1.0, 0.0, math.inf)
    c = wfmath.required_agents(100, AHT, INTERVAL, sl_target=0.8, threshold_seconds=20.0)
    a = wfmath.required_agents_a(100, AHT, INTERVAL, math.inf, sl_target=0.8, threshold_seconds=20.0)
    assert (a.agents, a.service_level) == (c.agents, c.service_level)


def test_long_patience_tends_to_erlang_c_and_short_patience_to_erlang_b():
    """Published limits: Erlang C as patience grows; as it vanishes, callers who find every
    agent busy leave at once, the Erlang loss system: P(abandon) = B(N, A)
    (B(10, 5) = 0.018385 in Erlang's tables)."""
    a = wfmath.erlang_a(14, 10.0, AHT, 1e12, 20.0)
    assert a.p_wait == pytest.approx(wfmath.erlang_c(14, 10.0), rel=1e-8)
    assert a.sl_answered == pytest.approx(wfmath.service_level(14, 10.0, AHT, 20.0), rel=1e-8)
    loss = wfmath.erlang_a(10, 5.0, AHT, 1e-9, 20.0)
    assert loss.p_abandon == pytest.approx(wfmath.erlang_b(10, 5.0), rel=1e-9)
    assert round(loss.p_abandon, 6) == 0.018385


def test_identities_between_figures():
    a = wfmath.erlang_a(np.arange(1, 60), 40.0, AHT, 150.0, 20.0)
    np.testing.assert_allclose(a.asa_all_seconds, a.p_abandon * 150.0, rtol=1e-13)
    np.testing.assert_allclose(a.p_abandon_given_wait * a.p_wait, a.p_abandon, rtol=1e-13)
    np.testing.assert_allclose(a.sl_short_abandons_ok, a.answered_within + a.abandoned_within, rtol=1e-15)
    np.testing.assert_allclose(a.occupancy, 40.0 * (1 - a.p_abandon) / np.arange(1, 60), rtol=1e-12)
    # Mean wait of all calls = answered share x their mean wait + abandoned share x theirs.
    mixed = (1 - a.p_abandon) * a.asa_answered_seconds + a.p_abandon * a.mean_wait_abandoned_seconds
    np.testing.assert_allclose(mixed, a.asa_all_seconds, rtol=1e-12)


def test_more_agents_serve_better():
    a = wfmath.erlang_a(np.arange(1, 200), 120.0, AHT, 90.0, 20.0)
    assert np.all(np.diff(a.p_abandon) < 0)
    assert np.all(np.diff(a.p_wait) <= 0) and np.all(np.diff(a.p_wait[a.p_wait < 1]) < 0)
    for field in ("sl_offered", "sl_excl_short_abandons", "sl_short_abandons_ok", "sl_virtual"):
        # Flat at heavy overload, where only rounding moves it (no one is answered within t).
        values = getattr(a, field)
        assert np.all(np.diff(values) > -1e-14) and values[-1] > values[0] + 0.5, field


def test_zero_load_nobody_waits():
    a = wfmath.erlang_a(3, 0.0, AHT, 60.0, 20.0)
    assert (a.p_wait, a.p_abandon, a.asa_all_seconds, a.occupancy) == (0.0, 0.0, 0.0, 0.0)
    assert a.sl_answered == a.sl_virtual == 1.0


def test_arrays_broadcast_like_scalars():
    agents = np.array([[12], [15], [20]])
    patience = np.array([30.0, 120.0, math.inf])
    grid = wfmath.erlang_a(agents, 11.0, AHT, patience, 20.0)
    assert grid.p_wait.shape == (3, 3)
    one = wfmath.erlang_a(15, 11.0, AHT, 120.0, 20.0)
    assert grid.sl_answered[1, 1] == one.sl_answered
    assert set(grid.to_dict()) == set(ref_a.FIELDS)


DEFINITIONS = ["answered", "offered", "excl_short_abandons", "short_abandons_ok", "virtual"]


def reference_sl(n, load, patience, t, definition):
    return ref_a.erlang_a(n, load, AHT, patience, t)["sl_" + definition]


@pytest.mark.filterwarnings("ignore::wfmath.StaffingWarning")
@pytest.mark.parametrize("definition", DEFINITIONS)
@pytest.mark.parametrize(("calls", "patience"), [(40, 60.0), (100, 180.0), (900, 600.0), (5000, 120.0)])
def test_sizing_is_minimal_against_reference(definition, calls, patience):
    r = wfmath.required_agents_a(
        calls, AHT, INTERVAL, patience, sl_target=0.8, threshold_seconds=20.0, sl_definition=definition
    )
    load = calls * AHT / INTERVAL
    assert reference_sl(r.agents, load, patience, 20.0, definition) >= 0.8
    assert r.agents == 1 or reference_sl(r.agents - 1, load, patience, 20.0, definition) < 0.8
    assert_close(r.service_level, reference_sl(r.agents, load, patience, 20.0, definition), "service_level")


@pytest.mark.parametrize("calls", [10, 100, 2000])
def test_abandon_target_is_minimal(calls):
    load = calls * AHT / INTERVAL
    r = wfmath.required_agents_a(calls, AHT, INTERVAL, 120.0, abandon_target=0.03)
    assert ref_a.erlang_a(r.agents, load, AHT, 120.0, 0.0)["p_abandon"] <= 0.03
    assert ref_a.erlang_a(r.agents - 1, load, AHT, 120.0, 0.0)["p_abandon"] > 0.03
    assert math.isnan(r.service_level)


@pytest.mark.filterwarnings("ignore::wfmath.StaffingWarning")
def test_abandonment_needs_fewer_agents_than_erlang_c():
    c = wfmath.required_agents(300, AHT, INTERVAL, sl_target=0.8, threshold_seconds=20.0)
    a = wfmath.required_agents_a(300, AHT, INTERVAL, 60.0, sl_target=0.8, threshold_seconds=20.0)
    assert a.agents < c.agents


def test_a_target_met_with_equality_is_met():
    r = wfmath.required_agents_a(100, AHT, INTERVAL, 120.0, sl_target=0.8, threshold_seconds=20.0)
    exact = wfmath.required_agents_a(100, AHT, INTERVAL, 120.0, sl_target=r.service_level, threshold_seconds=20.0)
    assert exact.agents == r.agents


def test_rules_and_zero_calls():
    r = wfmath.required_agents_a(
        100, AHT, INTERVAL, 120.0, sl_target=0.5, threshold_seconds=20.0, max_occupancy=0.7, shrinkage=0.3
    )
    # The cap is on carried load: 10 * (1 - p_abandon) / 14 = 0.698 (p_abandon 0.0228), while
    # offered load alone would ask for ceil(10 / 0.7) = 15.
    assert r.agents == 14 and r.occupancy <= 0.7 < 10.0 / 14
    assert r.scheduled == 20  # ceil(14 / 0.7) = 20
    zero = wfmath.required_agents_a(0, AHT, INTERVAL, 120.0, sl_target=0.8, threshold_seconds=20.0)
    assert (zero.agents, zero.scheduled, zero.p_abandon) == (0, 0, 0.0)


def test_overload_answers_warn():
    with pytest.warns(StaffingWarning, match="agents <= load"):
        r = wfmath.required_agents_a(
            100, AHT, INTERVAL, 5.0, sl_target=0.8, threshold_seconds=20.0, sl_definition="virtual"
        )
    assert r.agents <= r.load
    assert r.p_abandon > 0.1


@pytest.mark.parametrize(
    ("kwargs", "parameter", "value"),
    [
        ({"patience_seconds": 0.0}, "patience_seconds", 0.0),
        ({"patience_seconds": -5.0}, "patience_seconds", -5.0),
        ({"patience_seconds": math.nan}, "patience_seconds", math.nan),
        ({"abandon_target": 1.5}, "abandon_target", 1.5),
        ({"sl_target": 0.0}, "sl_target", 0.0),
    ],
)
def test_sizing_errors_name_parameter_and_value(kwargs, parameter, value):
    args = {"calls": 100.0, "aht_seconds": AHT, "interval_seconds": INTERVAL, "patience_seconds": 60.0}
    args |= {"sl_target": 0.8, "threshold_seconds": 20.0, **kwargs}
    with pytest.raises(InvalidInputError, match=rf"^{parameter} must .*got ") as info:
        wfmath.required_agents_a(**args)
    assert info.value.parameter == parameter
    assert info.value.value == value or (math.isnan(value) and math.isnan(info.value.value))


def test_unknown_definition_and_missing_targets():
    with pytest.raises(InvalidInputError, match="sl_definition must be one of .*got 'Ans'") as info:
        wfmath.required_agents_a(10, AHT, INTERVAL, 60.0, sl_target=0.8, threshold_seconds=20.0, sl_definition="Ans")
    assert (info.value.parameter, info.value.value) == ("sl_definition", "Ans")
    with pytest.raises(ValueError, match="give sl_target"):
        wfmath.required_agents_a(10, AHT, INTERVAL, 60.0)


def test_bad_agents_rows_are_named_and_can_be_filled():
    agents = np.array([3.0, 0.5, 4.0])
    with pytest.raises(InvalidInputError, match=r"agents must be finite and >= 1, got 0.5 \(row 1\)") as info:
        wfmath.erlang_a(agents, 2.0, AHT, 60.0, 20.0)
    assert info.value.index == 1
    filled = wfmath.erlang_a(agents, 2.0, AHT, 60.0, 20.0, on_invalid="nan")
    assert np.isnan(filled.p_wait[1]) and not np.isnan(filled.p_wait[[0, 2]]).any()
    sized = wfmath.required_agents_a([10.0, -1.0], AHT, INTERVAL, 60.0, abandon_target=0.05, on_invalid="nan")
    assert sized.agents[1] == -1 and sized.agents[0] > 0
    assert agents.tolist() == [3.0, 0.5, 4.0]  # input untouched


@pytest.mark.filterwarnings("ignore::wfmath.StaffingWarning")
@pytest.mark.parametrize(("calls", "patience", "cap"), [(500, 30.0, 0.95), (600, 20.0, 0.9), (2000, 10.0, 0.99)])
def test_occupancy_cap_is_on_the_carried_occupancy_it_reports(calls, patience, cap):
    """The cap limits the occupancy reported (answered load per agent): the fewest agents
    meeting the target whose occupancy is within the cap, not ceil(offered load / cap)."""
    r = wfmath.required_agents_a(
        calls, AHT, INTERVAL, patience, sl_target=0.5, threshold_seconds=20.0, sl_definition="virtual",
        max_occupancy=cap,
    )
    load = calls * AHT / INTERVAL
    at = ref_a.erlang_a(r.agents, load, AHT, patience, 20.0)
    below = ref_a.erlang_a(r.agents - 1, load, AHT, patience, 20.0)
    assert_close(r.occupancy, at["occupancy"], "occupancy")
    assert at["occupancy"] <= cap and at["sl_virtual"] >= 0.5
    assert below["occupancy"] > cap or below["sl_virtual"] < 0.5
