"""What-if, quality loop, pooling and diagnosis: against direct engine calls, the mpmath reference
and hand arithmetic."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
import reference as ref
import wfmath
from wfmath import kpi

IV = 1800.0
TARGETS = {"interval_seconds": IV, "sl_target": 0.8, "threshold_seconds": 20.0}
CALLS = np.array([0.0, 40.0, 120.0, 310.0, 260.0, 90.0])
AHT = np.array([240.0, 200.0, 240.0, 255.0, 250.0, 230.0])
AGENTS = np.array([0.0, 7.0, 19.0, 45.0, 38.0, 14.0])


def by_hand(calls, aht, agents):
    """Day SL, ASA and occupancy from direct engine calls, aggregated as DOMAIN says; the ASA over
    the intervals whose queue is stable (agents > load)."""
    load = calls * aht / IV
    busy = calls > 0
    sl = np.array([wfmath.service_level(n, a, h, 20.0) for n, a, h in zip(agents, load, aht)])
    wait = np.array([wfmath.asa(n, a, h) for n, a, h in zip(agents, load, aht)])
    stable = busy & (agents > load)
    occ = np.minimum(load, agents).sum() / agents.sum()  # handle time / staffed time; overloaded agents are busy 100%
    day_sl = (sl[busy] * calls[busy]).sum() / calls[busy].sum()
    return day_sl, (wait[stable] * calls[stable]).sum() / calls[stable].sum(), occ


# ---------------------------------------------------------------- what-if


def test_base_day_equals_direct_engine_calls():
    r = kpi.what_if({"calls": CALLS, "aht_seconds": AHT, "agents": AGENTS}, **TARGETS)
    sl, wait, occ = by_hand(CALLS, AHT, AGENTS)
    assert r.base.service_level == pytest.approx(sl, rel=1e-14)
    assert r.base.asa_seconds == pytest.approx(wait, rel=1e-14)
    assert r.base.occupancy == pytest.approx(occ, rel=1e-14)
    assert r.base.calls == CALLS.sum()
    assert r.base.staffed_hours == AGENTS.sum() / 2
    assert r.base.workload_hours == pytest.approx((CALLS * AHT).sum() / 3600, rel=1e-14)
    assert r.base.aht_seconds == pytest.approx((CALLS * AHT).sum() / CALLS.sum(), rel=1e-14)
    need = wfmath.required_agents(CALLS, AHT, IV, sl_target=0.8, threshold_seconds=20.0)
    assert r.base.required_hours == need.agents.sum() / 2
    # The zero-call interval carries no weight: a plain mean would count its SL of 1.
    plain = r.intervals["base"]["service_level"].mean()
    assert r.base.service_level != pytest.approx(plain)


def test_share_of_intervals_meeting_target():
    r = kpi.what_if({"calls": CALLS, "aht_seconds": AHT, "agents": AGENTS}, **TARGETS)
    sl = r.intervals["base"]["service_level"].to_numpy()
    busy = CALLS > 0
    assert r.base.intervals_meeting_target == np.mean(sl[busy] >= 0.8)
    assert 0 < r.base.intervals_meeting_target < 1  # the example day has both kinds


@pytest.mark.parametrize(
    ("change", "calls", "aht", "agents"),
    [
        ({"volume_factor": 1.1}, CALLS * 1.1, AHT, AGENTS),
        ({"aht_factor": 0.95}, CALLS, AHT * 0.95, AGENTS),
        ({"staff_factor": 0.9}, CALLS, AHT, AGENTS * 0.9),
        ({"shrinkage": 0.3, "scenario_shrinkage": 0.37}, CALLS, AHT, AGENTS * 0.63 / 0.7),
    ],
)
def test_scenario_equals_direct_engine_calls(change, calls, aht, agents):
    r = kpi.what_if({"calls": CALLS, "aht_seconds": AHT, "agents": AGENTS}, **TARGETS, **change)
    sl, wait, occ = by_hand(calls, aht, agents)
    assert r.scenario.service_level == pytest.approx(sl, rel=1e-13)
    assert r.scenario.asa_seconds == pytest.approx(wait, rel=1e-13)
    assert r.scenario.occupancy == pytest.approx(occ, rel=1e-13)
    s1 = change.get("scenario_shrinkage", 0.0)
    need = wfmath.required_agents(calls, aht, IV, sl_target=0.8, threshold_seconds=20.0, shrinkage=s1)
    assert r.scenario.required_hours == need.agents.sum() / 2
    assert r.scenario.scheduled_hours == need.scheduled.sum() / 2
    assert r.change.service_level == pytest.approx(sl - r.base.service_level, abs=1e-15)
    np.testing.assert_allclose(r.intervals["scenario"]["agents"], agents, rtol=1e-15)


def test_shrinkage_scheduled_hours_by_hand():
    r = kpi.what_if({"calls": [100.0], "aht_seconds": 180.0}, **TARGETS, shrinkage=0.3, scenario_shrinkage=0.4)
    # 100 calls of 180 s in 30 min: 10 Erlangs, 14 agents (SL 0.888, 13 give 0.789 in the reference).
    assert float(ref.service_level(14, 10, 180, 20)) >= 0.8 > float(ref.service_level(13, 10, 180, 20))
    assert r.base.required_hours == r.scenario.required_hours == 7.0
    assert r.base.scheduled_hours == math.ceil(14 / 0.7) / 2  # 20 people
    assert r.scenario.scheduled_hours == math.ceil(14 / 0.6) / 2  # 24 people
    # The 20 scheduled now give 14 * 0.6 / 0.7 = 12 agents on the phones.
    assert r.scenario.staffed_hours == pytest.approx(6.0, rel=1e-15)
    assert r.scenario.service_level == pytest.approx(float(ref.service_level(12, 10, 180, 20)), rel=1e-12)


def test_without_agents_the_plan_is_staffed_at_requirement_and_unchanged_is_zero():
    r = kpi.what_if({"calls": CALLS, "aht_seconds": AHT}, **TARGETS)
    need = wfmath.required_agents(CALLS, AHT, IV, sl_target=0.8, threshold_seconds=20.0)
    np.testing.assert_array_equal(r.intervals["base"]["agents"], need.agents)
    assert r.base.intervals_meeting_target == 1.0
    assert r.base.staffed_hours == r.base.required_hours
    assert all(v == 0 for v in r.change.to_dict().values())
    frame = r.to_frame()
    assert list(frame.index) == ["base", "scenario", "change"]
    assert list(frame.columns) == list(r.base.to_dict())


def test_more_volume_costs_sl_and_staff():
    r = kpi.what_if({"calls": CALLS, "aht_seconds": AHT}, **TARGETS, volume_factor=1.15)
    assert r.change.service_level < 0 and r.change.asa_seconds > 0 and r.change.occupancy > 0
    assert r.change.required_hours > 0


def test_understaffed_interval_is_counted_and_leaves_the_asa_of_the_others():
    r = kpi.what_if({"calls": [100.0, 50.0], "aht_seconds": 180.0, "agents": [10.0, 8.0]}, **TARGETS)
    assert r.intervals["base"]["asa_seconds"].iloc[0] == math.inf  # 10 agents for 10 Erlangs: no bound
    assert r.base.unstable_intervals == 1
    assert r.base.asa_seconds == wfmath.asa(8.0, 5.0, 180.0)  # the stable interval's
    assert r.intervals["base"]["service_level"].iloc[0] == 0.0
    sl = 50 * wfmath.service_level(8.0, 5.0, 180.0, 20.0) / 150
    assert r.base.service_level == pytest.approx(sl, rel=1e-14)


def test_dataframe_plan_keeps_its_index_and_is_not_mutated():
    index = pd.date_range("2024-03-04 08:00", periods=len(CALLS), freq="30min", name="start")
    plan = pd.DataFrame({"calls": CALLS, "aht_seconds": AHT, "agents": AGENTS}, index=index)
    before = plan.copy()
    r = kpi.what_if(plan, **TARGETS, aht_factor=1.1)
    assert r.intervals.index.equals(index)
    pd.testing.assert_frame_equal(plan, before)
    arrays = kpi.what_if({"calls": CALLS, "aht_seconds": AHT, "agents": AGENTS}, **TARGETS, aht_factor=1.1)
    assert arrays.scenario == r.scenario


@pytest.mark.parametrize(
    ("plan", "kwargs", "message"),
    [
        ({"calls": CALLS}, {}, "plan lacks column 'aht_seconds'"),
        ({"calls": CALLS, "aht_seconds": AHT}, {"volume_factor": -0.1}, "volume_factor must be a finite number >= 0"),
        ({"calls": CALLS, "aht_seconds": AHT}, {"staff_factor": math.inf}, "staff_factor must be"),
        (
            {"calls": CALLS, "aht_seconds": AHT},
            {"scenario_shrinkage": 1.0},
            r"scenario_shrinkage must be a fraction in \[0, 1\)",
        ),
        ({"calls": [[1.0, 2.0]], "aht_seconds": 200.0}, {}, "one-dimensional"),
    ],
)
def test_what_if_rejects_bad_input(plan, kwargs, message):
    with pytest.raises(ValueError, match=message):
        kpi.what_if(plan, **TARGETS, **kwargs)


def test_engine_errors_pass_through():
    with pytest.raises(wfmath.InvalidInputError, match="aht_seconds"):
        kpi.what_if({"calls": [10.0], "aht_seconds": [-5.0]}, **TARGETS)


# ---------------------------------------------------------------- quality loop


def test_quality_loop_workload_by_hand():
    plan = {"calls": [100.0, 0.0, 50.0], "aht_seconds": 300.0, "agents": [28.0, 0.0, 15.0]}
    loop = kpi.quality_loop(plan, fcr=0.7, repeat_factor=1.5, **TARGETS)
    row = loop.loc[0.7]
    # Each unresolved issue (30%) brings 1.5 repeats: 150 first contacts bring 67.5 repeats.
    assert row["repeat_calls"] == pytest.approx(67.5, rel=1e-15)
    assert row["calls"] == pytest.approx(217.5, rel=1e-15)
    assert row["extra_workload_hours"] == pytest.approx(67.5 * 300 / 3600, rel=1e-14)
    effective = np.array([145.0, 0.0, 72.5])
    need = wfmath.required_agents(effective, 300.0, IV, sl_target=0.8, threshold_seconds=20.0)
    first = wfmath.required_agents([100.0, 0.0, 50.0], 300.0, IV, sl_target=0.8, threshold_seconds=20.0)
    assert row["required_hours"] == need.agents.sum() / 2
    assert row["extra_required_hours"] == (need.agents.sum() - first.agents.sum()) / 2
    # SL at the plan's 28 and 15 agents (24.2 and 12.1 Erlangs), weighted by the effective calls.
    sl = [float(ref.service_level(28, 145 * 300 / IV, 300, 20)), float(ref.service_level(15, 72.5 * 300 / IV, 300, 20))]
    assert row["service_level"] == pytest.approx((145 * sl[0] + 72.5 * sl[1]) / 217.5, rel=1e-12)


def test_raising_fcr_lowers_required_staff():
    levels = np.linspace(0.5, 1.0, 11)
    loop = kpi.quality_loop({"calls": CALLS, "aht_seconds": AHT}, fcr=levels, repeat_factor=1.3, **TARGETS)
    assert list(loop.index) == pytest.approx(list(levels))
    assert np.all(np.diff(loop["required_hours"]) <= 0)
    assert np.all(np.diff(loop["extra_workload_hours"]) < 0)
    assert loop["required_hours"].iloc[0] > loop["required_hours"].iloc[-1] + 5
    assert np.all(np.diff(loop["service_level"]) >= 0)  # at the plan's staff SL recovers
    perfect = loop.loc[1.0]
    assert perfect["repeat_calls"] == 0 and perfect["extra_required_hours"] == 0
    assert perfect["intervals_meeting_target"] == 1.0  # staff sized for first contacts suffices


def test_no_repeats_without_repeat_factor():
    loop = kpi.quality_loop({"calls": CALLS, "aht_seconds": AHT}, fcr=[0.3, 0.9], repeat_factor=0.0, **TARGETS)
    assert (loop["repeat_calls"] == 0).all()
    assert loop["service_level"].nunique() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"fcr": 1.2}, r"fcr must be a fraction in \[0, 1\], got 1.2"), ({"repeat_factor": -1}, "repeat_factor")],
)
def test_quality_loop_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kpi.quality_loop(
            {"calls": CALLS, "aht_seconds": AHT}, **{"fcr": 0.8, "repeat_factor": 1.0, **kwargs}, **TARGETS
        )


# ---------------------------------------------------------------- pooling


def minimal_agents(load, aht=180.0):
    """Smallest N > load with reference SL(20 s) >= 0.8, by walking up."""
    n = math.floor(load) + 1
    while ref.service_level(n, load, aht, 20) < 0.8:
        n += 1
    return n


def test_two_equal_queues_save_staff():
    q = {"calls": [100.0], "aht_seconds": 180.0}
    r = kpi.pooling_gain({"a": q, "b": q}, **TARGETS)
    separate, pooled = minimal_agents(10.0), minimal_agents(20.0)
    assert (separate, pooled) == (14, 24)
    assert r.separate.required_hours == 2 * separate / 2
    assert r.pooled.required_hours == pooled / 2
    assert r.saved_required_hours == (2 * separate - pooled) / 2 > 0
    # At equal staff (28 agents for 20 Erlangs) the merged queue answers faster.
    gain = float(ref.service_level(28, 20, 180, 20) - ref.service_level(14, 10, 180, 20))
    assert r.service_level_gain == pytest.approx(gain, rel=1e-11)
    assert r.pooled.occupancy == pytest.approx(r.separate.occupancy, rel=1e-15)  # same work, same staff


def test_pooling_uses_handle_time_weighted_aht():
    queues = {
        "billing": {"calls": [60.0, 140.0, 0.0], "aht_seconds": 300.0},
        "tech": {"calls": [40.0, 90.0, 0.0], "aht_seconds": [420.0, 400.0, 380.0]},
    }
    r = kpi.pooling_gain(queues, **TARGETS, shrinkage=0.25)
    assert r.pooled.workload_hours == pytest.approx(r.separate.workload_hours, rel=1e-14)
    aht = np.array([(60 * 300 + 40 * 420) / 100, (140 * 300 + 90 * 400) / 230])
    need = wfmath.required_agents([100.0, 230.0], aht, IV, sl_target=0.8, threshold_seconds=20.0, shrinkage=0.25)
    np.testing.assert_array_equal(r.intervals["pooled_required_agents"].to_numpy()[:2], need.agents)
    assert r.pooled.scheduled_hours == need.scheduled.sum() / 2
    assert r.saved_required_hours > 0 and r.saved_scheduled_hours >= r.saved_required_hours
    assert r.service_level_gain > 0
    assert np.isnan(r.intervals["pooled_service_level"].iloc[2])  # no calls, no SL
    sep = [
        wfmath.required_agents(q["calls"], q["aht_seconds"], IV, sl_target=0.8, threshold_seconds=20.0)
        for q in queues.values()
    ]
    np.testing.assert_array_equal(r.intervals["separate_required_agents"], sep[0].agents + sep[1].agents)


def test_pooling_with_given_staff():
    queues = {
        "a": {"calls": [100.0], "aht_seconds": 180.0, "agents": 13.0},
        "b": {"calls": [50.0], "aht_seconds": 180.0, "agents": 8.0},
    }
    r = kpi.pooling_gain(queues, **TARGETS)
    separate = (
        100 * wfmath.service_level(13, 10.0, 180.0, 20.0) + 50 * wfmath.service_level(8, 5.0, 180.0, 20.0)
    ) / 150
    assert r.separate.service_level == pytest.approx(separate, rel=1e-14)
    assert r.pooled.service_level == pytest.approx(wfmath.service_level(21, 15.0, 180.0, 20.0), rel=1e-14)


def test_pooling_rejects_bad_input():
    q = {"calls": [100.0], "aht_seconds": 180.0}
    with pytest.raises(ValueError, match="at least two queues"):
        kpi.pooling_gain({"a": q}, **TARGETS)
    with pytest.raises(ValueError, match="same intervals"):
        kpi.pooling_gain({"a": q, "b": {"calls": [1.0, 2.0], "aht_seconds": 180.0}}, **TARGETS)


# ---------------------------------------------------------------- diagnosis

PLAN = {"calls": CALLS, "aht_seconds": AHT, "agents": AGENTS}


def actual_day(seed):
    rng = np.random.default_rng(seed)
    return {
        "calls": np.round(CALLS * rng.uniform(0.85, 1.2, CALLS.size)),
        "aht_seconds": AHT * rng.uniform(0.9, 1.15, CALLS.size),
        "agents": np.maximum(AGENTS - rng.integers(0, 4, CALLS.size), 0) + rng.uniform(0, 1, CALLS.size),
    }


def day_sl(calls, aht, agents):
    return by_hand(np.asarray(calls), np.asarray(aht) * np.ones(len(calls)), np.asarray(agents))[0]


@pytest.mark.parametrize("seed", range(5))
def test_shapley_parts_add_up_and_match_the_subset_formula(seed):
    actual = actual_day(seed)
    d = kpi.diagnose_sl_miss(PLAN, actual, interval_seconds=IV, threshold_seconds=20.0)
    total = day_sl(actual["calls"], actual["aht_seconds"], actual["agents"]) - day_sl(CALLS, AHT, AGENTS)
    assert d.change == pytest.approx(total, abs=1e-13)
    assert math.fsum(d.parts.values()) == pytest.approx(d.change, abs=1e-12)
    # Shapley value by the subset formula, from direct engine calls: phi_i = sum |S|!(n-|S|-1)!/n! * marginal.
    columns = {"volume": "calls", "aht": "aht_seconds", "staff": "agents"}

    def v(switched):
        pick = {c: (actual if d_ in switched else PLAN)[c] for d_, c in columns.items()}
        return day_sl(pick["calls"], pick["aht_seconds"], pick["agents"])

    for driver in kpi.DRIVERS:
        others = [o for o in kpi.DRIVERS if o != driver]
        phi = sum(
            math.factorial(len(s)) * math.factorial(2 - len(s)) / 6 * (v({*s, driver}) - v(set(s)))
            for r in range(3)
            for s in itertools.combinations(others, r)
        )
        assert d.parts[driver] == pytest.approx(phi, abs=1e-13)


def test_only_volume_changed():
    plan = {"calls": [100.0], "aht_seconds": 180.0, "agents": 14.0}
    actual = {"calls": [120.0], "aht_seconds": 180.0, "agents": 14.0}
    for method in ("shapley", "sequential"):
        d = kpi.diagnose_sl_miss(plan, actual, interval_seconds=IV, threshold_seconds=20.0, method=method)
        # 14 agents: 10 Erlangs planned, 12 arrived.
        by_hand_change = float(ref.service_level(14, 12, 180, 20) - ref.service_level(14, 10, 180, 20))
        assert d.parts["volume"] == pytest.approx(by_hand_change, rel=1e-11)
        assert d.parts["aht"] == 0.0 and d.parts["staff"] == 0.0
        assert d.driver_changes["volume"] == pytest.approx(0.2)
        assert d.driver_changes["aht"] == 0.0 and d.driver_changes["staff"] == 0.0


def test_sequential_follows_its_order_and_adds_up():
    actual = actual_day(7)
    d = kpi.diagnose_sl_miss(
        PLAN, actual, interval_seconds=IV, threshold_seconds=20.0, method="sequential", order=("staff", "volume", "aht")
    )
    step1 = day_sl(CALLS, AHT, actual["agents"]) - day_sl(CALLS, AHT, AGENTS)
    step2 = day_sl(actual["calls"], AHT, actual["agents"]) - day_sl(CALLS, AHT, actual["agents"])
    assert d.parts["staff"] == pytest.approx(step1, abs=1e-14)
    assert d.parts["volume"] == pytest.approx(step2, abs=1e-14)
    assert math.fsum(d.parts.values()) == pytest.approx(d.change, abs=1e-12)
    shapley = kpi.diagnose_sl_miss(PLAN, actual, interval_seconds=IV, threshold_seconds=20.0)
    assert shapley.change == pytest.approx(d.change, abs=1e-15)
    assert shapley.parts != d.parts  # drivers interact: the order matters for sequential


def test_plan_without_agents_is_sized_and_frame_reports_points():
    plan = {"calls": CALLS, "aht_seconds": AHT}
    actual = {"calls": CALLS * 1.1, "aht_seconds": AHT, "agents": AGENTS}
    d = kpi.diagnose_sl_miss(
        plan, actual, interval_seconds=IV, threshold_seconds=20.0, sl_target=0.8, measured_service_level=0.7
    )
    assert d.planned_service_level >= 0.8
    assert d.residual == pytest.approx(0.7 - d.actual_service_level, abs=1e-15)
    frame = d.to_frame()
    assert list(frame.index) == ["volume", "aht", "staff", "total", "residual"]
    assert list(frame.columns) == ["driver_change", "sl_change", "sl_points"]
    np.testing.assert_allclose(frame["sl_points"], frame["sl_change"] * 100)
    assert frame.loc["total", "sl_change"] == d.change
    assert frame.loc["volume", "driver_change"] == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("plan", "kwargs", "message"),
    [
        ({"calls": CALLS, "aht_seconds": AHT}, {}, "plan has no 'agents' column: give sl_target"),
        (PLAN, {"method": "average"}, "method must be 'shapley' or 'sequential'"),
        (PLAN, {"method": "sequential", "order": ("volume", "aht")}, "order must be a permutation"),
        ({"calls": CALLS[:3], "aht_seconds": AHT[:3], "agents": AGENTS[:3]}, {}, "same intervals, got 3 and 6"),
    ],
)
def test_diagnosis_rejects_bad_input(plan, kwargs, message):
    with pytest.raises(ValueError, match=message):
        kpi.diagnose_sl_miss(plan, PLAN, interval_seconds=IV, threshold_seconds=20.0, **kwargs)
    with pytest.raises(ValueError, match="actual lacks column 'agents'"):
        kpi.diagnose_sl_miss(PLAN, {"calls": CALLS, "aht_seconds": AHT}, interval_seconds=IV, threshold_seconds=20.0)


# ---------------------------------------------------------------- argument checks

QUANTIFIED = {
    "what_if": lambda plan, **kw: kpi.what_if(plan, **TARGETS, **kw),
    "quality_loop": lambda plan, **kw: kpi.quality_loop(plan, fcr=0.8, repeat_factor=1.0, **TARGETS, **kw),
    "pooling_gain": lambda plan, **kw: kpi.pooling_gain({"a": plan, "b": PLAN}, **TARGETS, **kw),
    "diagnose_sl_miss": lambda plan, **kw: kpi.diagnose_sl_miss(
        plan, PLAN, interval_seconds=IV, threshold_seconds=20.0, **kw
    ),
}


@pytest.mark.parametrize("function", QUANTIFIED)
@pytest.mark.parametrize(
    ("plan", "shown"), [(None, "NoneType None"), ([1, 2, 3], r"list \[1, 2, 3\]"), ("calls", "str")]
)
def test_a_plan_that_is_no_table_is_a_type_error_naming_it(function, plan, shown):
    name = "queues\\['a'\\]" if function == "pooling_gain" else "plan"
    with pytest.raises(TypeError, match=f"^{name} must be a pandas DataFrame or a mapping .*, got {shown}"):
        QUANTIFIED[function](plan)


def test_actual_and_queues_are_named_too():
    with pytest.raises(TypeError, match="^actual must be a pandas DataFrame"):
        kpi.diagnose_sl_miss(PLAN, [1.0], interval_seconds=IV, threshold_seconds=20.0)
    with pytest.raises(TypeError, match=r"^queues must be a mapping of queue name to plan, got list \["):
        kpi.pooling_gain([PLAN, PLAN], **TARGETS)


@pytest.mark.parametrize(
    ("function", "kwargs", "error", "message"),
    [
        (
            "diagnose_sl_miss",
            {"measured_service_level": 1.5},
            ValueError,
            r"measured_service_level .* \[0, 1\], got 1.5",
        ),
        ("diagnose_sl_miss", {"measured_service_level": -0.1}, ValueError, "measured_service_level"),
        ("diagnose_sl_miss", {"measured_service_level": "0.8"}, TypeError, "measured_service_level must be a fraction"),
        ("diagnose_sl_miss", {"sl_target": 80.0}, ValueError, r"^sl_target must be a fraction in \(0, 1\), got 80.0$"),
        ("what_if", {"shrinkage": [0.2, 1.3]}, ValueError, r"^shrinkage must be a fraction in \[0, 1\), got 1.3$"),
        ("what_if", {"scenario_shrinkage": np.nan}, ValueError, r"^scenario_shrinkage .*, got nan$"),
        ("quality_loop", {"shrinkage": 1.0}, ValueError, r"^shrinkage must be a fraction in \[0, 1\), got 1.0$"),
        ("pooling_gain", {"shrinkage": -0.1}, ValueError, r"^shrinkage must be a fraction in \[0, 1\), got -0.1$"),
    ],
)
def test_every_fraction_is_checked(function, kwargs, error, message):
    with pytest.raises(error, match=message):
        QUANTIFIED[function](PLAN, **kwargs)


@pytest.mark.parametrize("function", ["what_if", "quality_loop", "pooling_gain"])
@pytest.mark.parametrize(("target", "error"), [(0.0, ValueError), (1.0, ValueError), ("0.8", TypeError)])
def test_sl_target_is_a_fraction_in_the_open_unit_interval(function, target, error):
    kwargs = {**TARGETS, "sl_target": target}
    calls = {
        "what_if": lambda: kpi.what_if(PLAN, **kwargs),
        "quality_loop": lambda: kpi.quality_loop(PLAN, fcr=0.8, repeat_factor=1.0, **kwargs),
        "pooling_gain": lambda: kpi.pooling_gain({"a": PLAN, "b": PLAN}, **kwargs),
    }
    with pytest.raises(error, match="^sl_target must be a fraction"):
        calls[function]()
