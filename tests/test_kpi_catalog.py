"""The KPI catalog: integrity of the packaged data, the DOMAIN's classifications, registration errors."""

import dataclasses

import pandas as pd
import pytest
from wfmath import kpi

# KPIs the issue names, by the ids the catalog uses for them.
REQUIRED = [
    "service_level",
    "asa",
    "abandonment_rate",
    "longest_wait",
    "occupancy",
    "adherence",
    "conformance",
    "shrinkage",
    "aht",
    "fcr",
    "repeat_contact_rate",
    "transfer_rate",
    "qa_score",
    "csat",
    "forecast_accuracy",
    "schedule_efficiency",
    "cost_per_contact",
    "cost_per_agent_hour",
    "attrition",
    "engagement",
    "backlog_age",
    "calls_handled_per_agent",
]


def entry(**changes):
    """A valid user KPI as a mapping, with some fields changed."""
    base = {
        "id": "callback_kept_rate",
        "name": "Callbacks kept",
        "category": "Accessibility",
        "formula": "callbacks made by the promised time / callbacks promised",
        "unit": "fraction of callbacks",
        "aggregation": "ratio of sums",
        "better": "higher",
        "why": "Customers who chose a callback were promised a time.",
        "caveats": "Failed attempts count as kept in some ACDs.",
        "stakeholders": ["customers"],
        "role": "outcome",
        "agent_controllable": False,
    }
    return {**base, **changes}


@pytest.fixture
def registered():
    """Registers KPIs for one test and removes them afterwards."""
    added = []

    def register(mapping, **kw):
        k = kpi.register_kpi(mapping, **kw)
        added.append(k.id)
        return k

    yield register
    for kpi_id in added:
        if kpi_id in [k.id for k in kpi.kpis()]:
            kpi.unregister_kpi(kpi_id)


def test_catalog_is_large_and_covers_every_category():
    all_kpis = kpi.kpis()
    assert len(all_kpis) >= 30
    assert {k.category for k in all_kpis} == set(kpi.CATEGORIES)
    assert len({k.id for k in all_kpis}) == len(all_kpis)


@pytest.mark.parametrize("kpi_id", REQUIRED)
def test_issue_kpis_are_present(kpi_id):
    assert kpi.get_kpi(kpi_id).id == kpi_id


@pytest.mark.parametrize("k", kpi.kpis(), ids=lambda k: k.id)
def test_every_kpi_has_every_field_valid(k):
    for f in dataclasses.fields(kpi.Kpi):
        assert getattr(k, f.name) is not None, f.name
    for name in ("name", "formula", "unit", "aggregation", "why", "caveats"):
        assert isinstance(getattr(k, name), str) and len(getattr(k, name).strip()) >= 2, name
    assert len(k.why) > 30 and len(k.caveats) > 30  # an explanation, not a placeholder
    assert k.category in kpi.CATEGORIES
    assert k.role in kpi.ROLES
    assert k.better in kpi.BETTER
    assert isinstance(k.agent_controllable, bool)
    assert isinstance(k.stakeholders, frozenset) and k.stakeholders and k.stakeholders <= set(kpi.STAKEHOLDERS)


@pytest.mark.parametrize(
    ("kpi_id", "category", "role", "controllable"),
    [
        # DOMAIN: SL is a driver and ASA its outcome; occupancy an outcome; neither agent-controlled.
        ("service_level", "Accessibility", "driver", False),
        ("asa", "Accessibility", "outcome", False),
        ("occupancy", "Efficiency", "outcome", False),
        # Calls handled per agent follows volume, staffing and routing.
        ("calls_handled_per_agent", "Efficiency", "outcome", False),
        # Agent measures: quality, adherence, FCR, handle time (within quality bounds).
        ("qa_score", "Quality", "driver", True),
        ("adherence", "Efficiency", "driver", True),
        ("fcr", "Quality", "driver", True),
        ("aht", "Efficiency", "driver", True),
        ("attrition", "Strategic", "outcome", False),
        ("cost_per_contact", "Cost", "outcome", False),
    ],
)
def test_domain_classification(kpi_id, category, role, controllable):
    k = kpi.get_kpi(kpi_id)
    assert (k.category, k.role, k.agent_controllable) == (category, role, controllable)


def test_weighted_aggregations_say_never_average_averages():
    for kpi_id in ("service_level", "aht", "fcr", "csat"):
        assert "never" in kpi.get_kpi(kpi_id).aggregation
    assert "zero weight" in kpi.get_kpi("service_level").aggregation


def test_catalog_frame_browses_and_filters():
    df = kpi.catalog()
    assert list(df.columns) == [f for f in kpi.Kpi.field_names() if f != "id"]
    assert df.index.name == "id" and df.index.is_unique and len(df) == len(kpi.kpis())
    assert list(df["category"].cat.categories) == list(kpi.CATEGORIES) and df["category"].cat.ordered
    assert df.loc["fcr", "stakeholders"] == ("agents", "customers", "organisation")
    quality = kpi.catalog("Quality")
    assert set(quality["category"]) == {"Quality"}
    assert list(quality.index) == [k.id for k in kpi.kpis("Quality")]
    assert len(quality) < len(df)
    counts = df["category"].value_counts()
    assert all(counts[c] >= 4 for c in kpi.CATEGORIES)


def test_unknown_category_and_kpi():
    with pytest.raises(ValueError, match=r"category must be one of Quality, .*got 'quality'"):
        kpi.catalog("quality")
    with pytest.raises(KeyError, match=r"^\"unknown kpi 'zzz'\"$"):
        kpi.get_kpi("zzz")
    with pytest.raises(KeyError, match="did you mean 'occupancy'"):
        kpi.get_kpi("ocupancy")


def test_the_documented_category_error():
    with pytest.raises(ValueError) as err:
        kpi.register_kpi(entry(id="fcr", category="Qualty"))
    assert str(err.value) == (
        "kpi 'fcr': field 'category' must be one of Quality, Accessibility, Efficiency, Cost, Strategic, got 'Qualty'"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "both"}, "role"),
        ({"better": "up"}, "better"),
        ({"stakeholders": []}, "stakeholders"),
        ({"stakeholders": ["customer"]}, "stakeholders"),
        ({"stakeholders": "customers"}, "stakeholders"),
        ({"agent_controllable": "yes"}, "agent_controllable"),
        ({"agent_controllable": 1}, "agent_controllable"),
        ({"name": "  "}, "name"),
        ({"formula": None}, "formula"),
        ({"caveats": 3}, "caveats"),
        ({"id": "Callback Kept"}, "id"),
    ],
)
def test_invalid_entries_name_the_field(changes, field):
    with pytest.raises(ValueError, match=rf"^kpi '[^']+': field '{field}' "):
        kpi.register_kpi(entry(**changes))
    assert "callback_kept_rate" not in kpi.catalog().index


def test_missing_and_unknown_fields():
    incomplete = entry()
    del incomplete["unit"]
    with pytest.raises(ValueError, match=r"kpi 'callback_kept_rate': field 'unit' is missing"):
        kpi.register_kpi(incomplete)
    with pytest.raises(ValueError, match=r"unknown field 'formla' \(did you mean 'formula'\?\)"):
        kpi.register_kpi({**entry(), "formla": "x"})
    with pytest.raises(ValueError, match=r"kpi '<no id>': field 'id' is missing"):
        kpi.register_kpi({k: v for k, v in entry().items() if k != "id"})


def test_registered_kpi_joins_catalog(registered):
    k = registered(entry())
    assert k.stakeholders == frozenset({"customers"})
    assert kpi.get_kpi("callback_kept_rate") is k
    assert "callback_kept_rate" in kpi.catalog("Accessibility").index
    assert kpi.kpis()[-1] is k
    with pytest.raises(ValueError, match="already in the catalog; pass replace=True"):
        kpi.register_kpi(entry(name="Again"))
    assert registered(entry(name="Again"), replace=True).name == "Again"
    kpi.unregister_kpi("callback_kept_rate")
    with pytest.raises(KeyError):
        kpi.get_kpi("callback_kept_rate")


def test_a_kpi_object_registers_and_builtins_stay():
    original = kpi.get_kpi("service_level")
    redefined = dataclasses.replace(original, formula="answered within 20 s / answered (our ACD)")
    try:
        kpi.register_kpi(redefined, replace=True)
        assert kpi.get_kpi("service_level").formula.endswith("(our ACD)")
        with pytest.raises(ValueError, match="built in and cannot be removed"):
            kpi.unregister_kpi("service_level")
    finally:
        kpi.register_kpi(original, replace=True)
    assert kpi.get_kpi("service_level") == original


def test_kpi_is_frozen_and_validates_on_construction():
    k = kpi.get_kpi("aht")
    with pytest.raises(dataclasses.FrozenInstanceError):
        k.name = "x"
    with pytest.raises(ValueError, match="field 'role'"):
        dataclasses.replace(k, role="lever")


def test_catalog_frame_is_a_copy():
    df = kpi.catalog()
    df.loc["aht", "name"] = "changed"
    assert kpi.get_kpi("aht").name == "Average handle time"
    assert isinstance(kpi.catalog(), pd.DataFrame)
