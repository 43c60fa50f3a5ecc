"""Bad input: clear errors naming parameter, value and row; on_invalid; no mutation; threads."""

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import wfmath
from wfmath import InvalidInputError

SIZING = {"sl_target": 0.8, "threshold_seconds": 20.0}


@pytest.mark.parametrize(
    ("kwargs", "parameter", "value"),
    [
        ({"calls": -1.0}, "calls", -1.0),
        ({"calls": math.nan}, "calls", math.nan),
        ({"calls": math.inf}, "calls", math.inf),
        ({"aht_seconds": 0.0}, "aht_seconds", 0.0),
        ({"aht_seconds": -3.0}, "aht_seconds", -3.0),
        ({"interval_seconds": math.inf}, "interval_seconds", math.inf),
        ({"threshold_seconds": -1.0}, "threshold_seconds", -1.0),
        ({"sl_target": 1.0}, "sl_target", 1.0),
        ({"sl_target": 0.0}, "sl_target", 0.0),
        ({"sl_target": 80.0}, "sl_target", 80.0),
        ({"asa_target_seconds": 0.0}, "asa_target_seconds", 0.0),
        ({"shrinkage": 1.0}, "shrinkage", 1.0),
        ({"shrinkage": -0.1}, "shrinkage", -0.1),
        ({"max_occupancy": 0.0}, "max_occupancy", 0.0),
        ({"max_occupancy": 1.2}, "max_occupancy", 1.2),
    ],
)
def test_scalar_errors_name_parameter_and_value(kwargs, parameter, value):
    args = {"calls": 100.0, "aht_seconds": 180.0, "interval_seconds": 1800.0, **SIZING, **kwargs}
    with pytest.raises(InvalidInputError, match=rf"^{parameter} must .*got ") as info:
        wfmath.required_agents(**args)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.parameter == parameter
    assert err.value == value or (math.isnan(value) and math.isnan(err.value))
    assert err.index is None


def test_array_errors_carry_the_row():
    calls = np.array([10.0, 20.0, -5.0, np.nan])
    with pytest.raises(ValueError, match=r"calls must be finite and >= 0, got -5.0 \(row 2\)") as info:
        wfmath.required_agents(calls, 180.0, 1800.0, **SIZING)
    assert (info.value.parameter, info.value.value, info.value.index) == ("calls", -5.0, 2)
    aht = np.ones((2, 3)) * 180.0
    aht[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"aht_seconds .* got nan \(index \(1, 2\)\)") as info:
        wfmath.service_level(10, 5.0, aht, 20.0)
    assert info.value.index == (1, 2)


def test_missing_targets_are_errors():
    with pytest.raises(ValueError, match="sl_target .* asa_target_seconds"):
        wfmath.required_agents(100, 180.0, 1800.0)
    with pytest.raises(ValueError, match="threshold_seconds is required"):
        wfmath.required_agents(100, 180.0, 1800.0, sl_target=0.8)


def test_every_function_rejects_bad_values():
    cases = [
        (wfmath.erlang_b, (-1, 5.0), "servers"),
        (wfmath.erlang_b, (5, math.nan), "load"),
        (wfmath.log_erlang_b, (5, -1.0), "load"),
        (wfmath.erlang_c, (math.inf, 5.0), "agents"),
        (wfmath.service_level, (10, 5.0, 180.0, -1.0), "threshold_seconds"),
        (wfmath.prob_wait_exceeds, (10, 5.0, 0.0, 20.0), "aht_seconds"),
        (wfmath.asa, (10, 5.0, -180.0), "aht_seconds"),
        (wfmath.queue_length, (-2, 5.0), "agents"),
        (wfmath.occupancy, (2, -5.0), "load"),
        (wfmath.wait_quantile, (10, 5.0, 180.0, 1.0), "q"),
        (wfmath.offered_load, (10, 180.0, 0.0), "interval_seconds"),
        (wfmath.required_lines, (10.0, 1.0), "blocking"),
        (wfmath.max_load, (10, 0.0), "blocking"),
    ]
    for func, args, parameter in cases:
        with pytest.raises(ValueError, match=rf"^{parameter} ") as info:
            func(*args)
        assert info.value.parameter == parameter, func.__name__
    with pytest.raises(ValueError, match="^sl_target "):
        wfmath.max_calls(10, 180.0, 1800.0, sl_target=1.5, threshold_seconds=20.0)
    with pytest.raises(ValueError, match="^calls "):
        wfmath.max_aht(10, -1, 1800.0, sl_target=0.8, threshold_seconds=20.0)


@pytest.mark.parametrize("bad", ["abc", "12", None, [1, "x"], {"a": 1}, np.array(["a"]), True])
def test_non_numeric_input_is_a_type_error(bad):
    with pytest.raises(TypeError, match="^calls must be a number or an array of numbers"):
        wfmath.required_agents(bad, 180.0, 1800.0, **SIZING)


def test_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError, match="aht_seconds has shape \\[4\\].*broadcast"):
        wfmath.required_agents(np.ones(3), np.ones(4) * 180, 1800.0, **SIZING)


def test_on_invalid_nan_fills_bad_rows_only():
    calls = np.array([100.0, -1.0, np.inf, 0.0])
    plan = wfmath.required_agents(calls, 180.0, 1800.0, on_invalid="nan", **SIZING)
    assert plan.agents.tolist() == [14, -1, -1, 0]
    assert plan.scheduled.tolist() == [14, -1, -1, 0]
    assert np.isnan(plan.service_level[1:3]).all() and not np.isnan(plan.service_level[[0, 3]]).any()
    sl = wfmath.service_level([10, -1], 5.0, 180.0, 20.0, on_invalid="nan")
    assert math.isnan(sl[1]) and 0 < sl[0] < 1
    assert math.isnan(wfmath.erlang_c(-1, 5.0, on_invalid="nan"))
    assert wfmath.required_lines(np.array([5.0, -1.0]), 0.01, on_invalid="nan").tolist()[1] == -1
    with pytest.raises(ValueError, match="on_invalid must be 'raise' or 'nan'"):
        wfmath.erlang_c(5, 1.0, on_invalid="ignore")
    # Missing targets are not a bad row: they are raised whatever on_invalid says.
    with pytest.raises(ValueError, match="threshold_seconds is required"):
        wfmath.required_agents(calls, 180.0, 1800.0, sl_target=0.8, on_invalid="nan")


def test_inputs_are_never_mutated():
    calls = np.array([100.0, 250.0, 0.0])
    aht = np.array([180.0, 200.0, 300.0])
    strided = np.repeat(aht, 2)[::2]  # non-contiguous view
    before = (calls.copy(), aht.copy(), strided.copy())
    wfmath.required_agents(calls, strided, 1800.0, **SIZING)
    wfmath.service_level(calls / 5 + 1, calls / 10, aht, 20.0)
    for now, then in zip((calls, aht, strided), before):
        np.testing.assert_array_equal(now, then)


def test_integer_lists_and_numpy_scalars_are_accepted():
    assert wfmath.erlang_b(np.int64(10), np.float32(5.0)) == wfmath.erlang_b(10, 5.0)
    assert isinstance(wfmath.erlang_b(10, 5), float)
    assert isinstance(wfmath.required_agents(100, 180, 1800, **SIZING).agents, int)
    out = wfmath.erlang_c([11, 12, 13], 10)
    assert isinstance(out, np.ndarray) and out.shape == (3,)


def test_calls_from_many_threads_agree():
    rng = np.random.default_rng(3)
    calls = np.floor(rng.uniform(0, 3000, 20_000))
    aht = rng.uniform(120, 900, 20_000)
    expected = wfmath.required_agents(calls, aht, 1800.0, **SIZING).agents

    def work(k):
        if k % 2:
            return wfmath.required_agents(calls, aht, 1800.0, **SIZING).agents
        return np.array([wfmath.required_agents(c, a, 1800.0, **SIZING).agents for c, a in zip(calls[:300], aht[:300])])

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(16)))
    for k, got in enumerate(results):
        np.testing.assert_array_equal(got, expected if k % 2 else expected[:300])


NOT_NUMBERS = [
    b"10",
    bytearray(b"10"),
    memoryview(b"10"),
    True,
    np.True_,
    np.array([True, False]),
    11 + 0j,
    np.complex128(11),
    np.array([11 + 1j]),
    np.datetime64("2020-01-01"),
    np.array(["2020-01-01"], dtype="datetime64[D]"),
    np.timedelta64(10, "s"),
    ["11", "12"],
    np.array([b"11"]),
    np.array([11, 12], dtype=object),
    [[11, 12], [13]],
    "10",
]


@pytest.mark.parametrize("bad", NOT_NUMBERS, ids=lambda v: f"{type(v).__name__}:{getattr(v, 'dtype', '')}")
def test_only_real_numbers_are_numbers(bad):
    # Bytes read as their character codes, dates as day counts, complex numbers without their
    # imaginary part: each was a silent wrong number.
    with pytest.raises(TypeError, match=r"^agents must be a number or an array of numbers \(int or float\), got "):
        wfmath.erlang_c(bad, 5.0)
    with pytest.raises(TypeError, match="^shrinkage must be a number"):
        wfmath.required_agents(100, 180.0, 1800.0, shrinkage=bad, **SIZING)


def test_integer_and_float_dtypes_are_numbers():
    want = wfmath.erlang_c(np.array([11.0, 12.0]), 5.0)
    for dtype in (np.int8, np.uint16, np.int64, np.uint64, np.float16, np.float32, np.longdouble):
        np.testing.assert_array_equal(wfmath.erlang_c(np.array([11, 12], dtype=dtype), 5.0), want)
    assert wfmath.erlang_c(np.float32(11), np.uint8(5)) == wfmath.erlang_c(11, 5)


def test_masked_arrays_are_refused():
    masked = np.ma.masked_array([11.0, 12.0], mask=[False, True])
    with pytest.raises(TypeError, match=r"^agents is a masked array.*\.filled\("):
        wfmath.erlang_c(masked, 5.0)


def test_an_int_too_large_for_a_float_is_a_value_error():
    with pytest.raises(ValueError, match="^agents is too large for a float"):
        wfmath.erlang_c(10**400, 5.0)


def test_fortran_ordered_arrays_are_read_in_index_order():
    agents = np.arange(11.0, 17.0).reshape(2, 3)
    got = wfmath.erlang_c(np.asfortranarray(agents), np.asfortranarray(agents - 1.0))
    np.testing.assert_array_equal(got, wfmath.erlang_c(agents, agents - 1.0))
    assert got[0, 1] == wfmath.erlang_c(12.0, 11.0)


@pytest.mark.parametrize(
    "inputs",
    [
        (np.ones((100_000, 1)), np.ones((1, 100_000))),  # 10^10 results
        (np.broadcast_to(np.ones(1), (10**12,)), 0.5),  # a view of 10^12 elements
        (np.broadcast_to(np.full(1, 11.0), (10**6, 10**6)), np.full(1, 5.0)),
    ],
)
def test_results_too_large_for_memory_raise_memory_error(inputs):
    # Before: the process aborted on the failed allocation.
    with pytest.raises(MemoryError, match=r"^result of shape \(\d+(, \d+)*,?\) = \d+ elements, [\d.]+ GB"):
        wfmath.erlang_c(*inputs)


def test_a_broadcast_size_that_overflows_is_a_value_error():
    huge = np.broadcast_to(np.ones(1), (2**40, 1))
    with pytest.raises(ValueError, match=r"broadcast to shape \(1099511627776, 1099511627776\), whose size overflows"):
        wfmath.erlang_c(huge, huge.T)


def test_empty_and_zero_dimensional_arrays():
    assert wfmath.erlang_c(np.zeros((0, 3)), 5.0).shape == (0, 3)
    assert wfmath.erlang_c(np.array(11.0), 5.0) == wfmath.erlang_c(11.0, 5.0)
