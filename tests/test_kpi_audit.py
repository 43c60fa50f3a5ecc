"""Scorecard audit: every rule fires on a card that breaks it and stays quiet on a sound card."""

import dataclasses

import pandas as pd
import pytest
from wfmath import kpi

GOOD = ["qa_score", "fcr", "adherence", "aht", "csat"]


def rules(card):
    return [(f.kpi, f.rule, f.severity) for f in kpi.audit_scorecard(card)]


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        # Calls handled per agent follows volume, staffing and routing.
        (["calls_handled_per_agent", "qa_score"], ("calls_handled_per_agent", "not_agent_controllable", "high")),
        (["service_level", "qa_score"], ("service_level", "accessibility_as_agent_measure", "high")),
        (["asa", "qa_score"], ("asa", "accessibility_as_agent_measure", "high")),
        (["occupancy", "qa_score"], ("occupancy", "not_agent_controllable", "high")),
        # CSAT without FCR, QA score or transfer rate, the drivers an agent controls.
        (["csat", "adherence"], ("csat", "outcome_managed_directly", "medium")),
        (["repeat_contact_rate"], ("repeat_contact_rate", "outcome_managed_directly", "medium")),
        (["adherence", "conformance"], ("adherence", "no_quality_counterweight", "high")),
        # QA score is a quality counterweight but does not bound AHT: rushing shows in FCR.
        (["aht", "qa_score"], ("aht", "handle_time_without_quality_bounds", "high")),
        (["acw_time", "qa_score"], ("acw_time", "handle_time_without_quality_bounds", "high")),
        (["items_per_hour", "fcr"], ("items_per_hour", "handle_time_without_quality_bounds", "high")),
    ],
)
def test_each_rule_fires(card, expected):
    assert expected in rules(card)


def test_bad_card_triggers_every_rule_once_per_kpi():
    bad = ["calls_handled_per_agent", "service_level", "asa", "occupancy", "aht", "adherence"]
    found = rules(bad)
    assert found == [
        ("calls_handled_per_agent", "not_agent_controllable", "high"),
        ("service_level", "accessibility_as_agent_measure", "high"),
        ("asa", "accessibility_as_agent_measure", "high"),
        ("occupancy", "not_agent_controllable", "high"),
        ("aht", "handle_time_without_quality_bounds", "high"),
        ("adherence", "no_quality_counterweight", "high"),
    ]
    assert len({kpi_id for kpi_id, _, _ in found}) == len(found)


def test_findings_explain_with_the_graph():
    (f,) = kpi.audit_scorecard(["csat", "adherence"])
    assert "First-contact resolution" in f.explanation and "Quality-assurance score" in f.explanation
    (f,) = [f for f in kpi.audit_scorecard(["occupancy", "fcr"]) if f.kpi == "occupancy"]
    assert "Service level" in f.explanation and "Pool size" in f.explanation


@pytest.mark.parametrize(
    "card",
    [
        GOOD,
        ["qa_score", "fcr", "adherence"],
        ["error_rate", "items_per_hour", "adherence"],
        ["conversion_rate", "qa_score", "adherence", "aht", "repeat_contact_rate"],
    ],
)
def test_sound_cards_have_no_high_findings(card):
    assert not [f for f in kpi.audit_scorecard(card) if f.severity == "high"]


def test_the_good_card_is_clean():
    assert kpi.audit_scorecard(GOOD) == []


def test_weights_check_the_counterweight():
    heavy = {"aht": 50, "adherence": 30, "fcr": 10, "qa_score": 10}
    assert rules(heavy) == [
        ("aht", "light_quality_counterweight", "medium"),
        ("adherence", "light_quality_counterweight", "medium"),
    ]
    assert "weigh 20 against 80" in kpi.audit_scorecard(heavy)[0].explanation
    assert rules({"aht": 0.25, "adherence": 0.25, "fcr": 0.25, "qa_score": 0.25}) == []
    # Unweighted, the same card passes: it has the quality KPIs.
    assert rules(list(heavy)) == []


def test_high_severity_first_then_card_order():
    found = kpi.audit_scorecard(["csat", "adherence", "service_level"])
    assert [f.severity for f in found] == ["high", "medium"]
    assert [f.kpi for f in found] == ["service_level", "csat"]


def test_catalog_entries_and_registered_kpis_are_audited():
    k = kpi.get_kpi("calls_handled_per_agent")
    assert rules([k, kpi.get_kpi("qa_score")]) == [("calls_handled_per_agent", "not_agent_controllable", "high")]
    mine = dataclasses.replace(kpi.get_kpi("cost_per_contact"), id="team_budget_share", name="Budget share")
    kpi.register_kpi(mine)
    try:
        assert ("team_budget_share", "not_agent_controllable", "high") in rules(["team_budget_share", "fcr"])
    finally:
        kpi.unregister_kpi("team_budget_share")


def test_findings_are_structured():
    found = kpi.audit_scorecard(["service_level", "aht"])
    f = found[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.severity = "low"
    df = pd.DataFrame(found)
    assert list(df.columns) == ["kpi", "severity", "rule", "explanation"]
    assert set(df["severity"]) <= set(kpi.SEVERITIES)


@pytest.mark.parametrize(
    ("card", "error", "message"),
    [
        ([], ValueError, "scorecard is empty"),
        (["aht", "fcr", "aht"], ValueError, "lists 'aht' twice"),
        (["aht", "first_call_resolution"], KeyError, "unknown kpi 'first_call_resolution'"),
        ({"aht": -1, "fcr": 1}, ValueError, "weight of 'aht' must be a finite number >= 0, got -1"),
        ({"aht": float("nan"), "fcr": 1}, ValueError, "weight of 'aht'"),
        ({"aht": "high", "fcr": 1}, ValueError, "weight of 'aht'"),
        ({"aht": 0, "fcr": 0}, ValueError, "must not all be zero"),
    ],
)
def test_bad_scorecards_raise(card, error, message):
    with pytest.raises(error, match=message):
        kpi.audit_scorecard(card)


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ("aht", r"^scorecard must be a list of KPI ids or a mapping .*, got str 'aht': put one KPI in a list$"),
        (None, "^scorecard must be a list of KPI ids or a mapping of KPI id to weight, got NoneType None$"),
        (5, "got int 5$"),
        (b"aht", "got bytes b'aht'$"),
        (["aht", 5], r"^scorecard entries must be KPI ids \(str\) or Kpi, got int 5$"),
        ({None: 1.0}, r"^scorecard entries must be KPI ids \(str\) or Kpi, got NoneType None$"),
    ],
)
def test_a_card_of_the_wrong_type_is_a_type_error(card, message):
    with pytest.raises(TypeError, match=message):
        kpi.audit_scorecard(card)
    assert kpi.audit_scorecard(["aht", "fcr"]) == kpi.audit_scorecard(("aht", "fcr"))  # any iterable of ids
