"""The KPI interaction graph: integrity, the DOMAIN's rules as queries, dot and matplotlib export."""

import dataclasses
import re

import matplotlib
import networkx as nx
import pytest
from wfmath import kpi

matplotlib.use("Agg")

KNOWN = {k.id for k in kpi.kpis()}


def edge(source, target):
    (found,) = kpi.interactions(source=source, target=target)
    return found


def test_every_edge_names_known_kpis_and_is_complete():
    edges = kpi.interactions()
    assert len(edges) >= 40
    assert len({(e.source, e.target) for e in edges}) == len(edges)
    for e in edges:
        assert e.source in KNOWN and e.target in KNOWN and e.source != e.target
        assert e.effect in kpi.EFFECTS and e.horizon in kpi.HORIZONS
        assert len(e.explanation) > 15
    assert {e.horizon for e in edges} == set(kpi.HORIZONS)


def test_every_builtin_kpi_is_connected():
    assert list(nx.isolates(kpi.interaction_graph())) == []


def test_sl_drives_asa_the_opposite_way():
    e = edge("service_level", "asa")
    assert (e.effect, e.sign, e.horizon) == ("-", -1, "short")
    assert "service_level" in kpi.drivers("asa")


def test_volume_aht_and_staff_drive_service_level():
    assert {"contacts_offered", "aht", "agents_staffed"} <= set(kpi.drivers("service_level"))
    assert edge("contacts_offered", "service_level").effect == "-"
    assert edge("aht", "service_level").effect == "-"
    assert edge("agents_staffed", "service_level").effect == "+"


def test_occupancy_is_an_outcome_of_sl_staff_and_pooling():
    assert {"service_level", "agents_staffed", "pool_size"} <= set(kpi.drivers("occupancy"))
    assert edge("service_level", "occupancy").effect == "-"
    assert edge("pool_size", "occupancy").effect == "+"


def test_quality_loop_path_from_fcr_to_service_level():
    p = kpi.path("fcr", "service_level")
    assert p is not None
    assert p.kpis[0] == "fcr" and p.kpis[-1] == "service_level"
    assert "repeat_contact_rate" in p.kpis and "contacts_offered" in p.kpis
    assert p.effect == "+"  # better resolution, fewer repeats, better SL
    assert "fcr" in kpi.drivers("service_level", indirect=True)
    # Rushing: cutting AHT lowers FCR.
    assert edge("aht", "fcr").effect == "+"


def test_sustained_occupancy_raises_attrition_and_cost():
    e = edge("occupancy", "attrition")
    assert (e.effect, e.horizon) == ("+", "long")
    long_run = [p for p in kpi.paths("occupancy", "cost_per_contact") if p.horizon == "long"]
    assert long_run and all(p.effect == "+" for p in long_run)
    # At once a busier agent spreads the same cost over more contacts.
    assert edge("occupancy", "cost_per_contact").effect == "-"
    assert "hiring_training_cost" in kpi.outcomes("occupancy", indirect=True)


def test_raising_fcr_lowers_staffing_cost_on_every_short_or_mid_path():
    found = kpi.paths("fcr", "staffing_cost", max_edges=4)
    assert found and all(p.effect == "-" for p in found)


def test_path_effect_is_the_product_of_signs_and_slowest_horizon():
    p = kpi.InteractionPath(
        (edge("attrition", "qa_score"), edge("qa_score", "fcr"), edge("fcr", "repeat_contact_rate"))
    )
    assert p.effect == "+"  # (-) * (+) * (-)
    assert p.horizon == "long"
    assert p.kpis == ("attrition", "qa_score", "fcr", "repeat_contact_rate")
    assert str(p).startswith("attrition -(-)-> qa_score -(+)-> fcr -(-)-> repeat_contact_rate")


def test_queries_agree_with_networkx():
    g = kpi.interaction_graph()
    for k in ("service_level", "occupancy", "csat", "attrition"):
        assert set(kpi.drivers(k)) == set(g.predecessors(k))
        assert set(kpi.outcomes(k)) == set(g.successors(k))
        assert set(kpi.drivers(k, indirect=True)) == nx.ancestors(g, k)
        assert set(kpi.outcomes(k, indirect=True)) == nx.descendants(g, k)
    indirect = kpi.drivers("service_level", indirect=True)
    assert indirect[: len(kpi.drivers("service_level"))] == kpi.drivers("service_level")  # nearest first


def test_paths_are_sorted_bounded_and_shortest_first():
    found = kpi.paths("aht", "csat", max_edges=4)
    lengths = [len(p.edges) for p in found]
    assert lengths == sorted(lengths) and max(lengths) <= 4
    g = kpi.interaction_graph()
    assert len(kpi.path("aht", "csat").edges) == nx.shortest_path_length(g, "aht", "csat")
    for p in found:
        assert all(a.target == b.source for a, b in zip(p.edges, p.edges[1:]))


def test_no_path():
    assert kpi.outcomes("customer_retention") == ()
    assert kpi.path("customer_retention", "fcr") is None
    assert kpi.paths("customer_retention", "fcr") == ()
    assert kpi.path("fcr", "fcr") is None


def test_unknown_kpis_are_named():
    for call in (
        lambda: kpi.drivers("sl"),
        lambda: kpi.outcomes("sl"),
        lambda: kpi.path("fcr", "sl"),
        lambda: kpi.interactions(source="sl"),
        lambda: kpi.to_dot(["sl"]),
    ):
        with pytest.raises(KeyError, match="unknown kpi 'sl'"):
            call()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"source": "fcr", "target": "nope", "effect": "+", "horizon": "short"}, r"field 'target' names unknown kpi"),
        ({"source": "fcr", "target": "fcr", "effect": "+", "horizon": "short"}, r"field 'target' must differ"),
        (
            {"source": "fcr", "target": "csat", "effect": "up", "horizon": "short"},
            r"field 'effect' must be one of \+, -",
        ),
        (
            {"source": "fcr", "target": "csat", "effect": "+", "horizon": "soon"},
            r"field 'horizon' must be one of short",
        ),
    ],
)
def test_interaction_validation(fields, message):
    with pytest.raises(ValueError, match=r"^interaction 'fcr' -> '(nope|fcr|csat)': " + message):
        kpi.Interaction(**fields, explanation="x")
    with pytest.raises(ValueError, match="field 'explanation'"):
        kpi.Interaction("fcr", "csat", "+", "short", " ")


def test_dot_export_has_every_node_and_edge():
    dot = kpi.to_dot()
    assert dot.startswith("digraph kpi_interactions {") and dot.endswith("}")
    assert dot.count("{") == dot.count("}")
    for k in kpi.kpis():
        assert re.search(rf'^\s+"{k.id}" \[label=', dot, re.M), k.id
    for e in kpi.interactions():
        assert f'"{e.source}" -> "{e.target}" [label="{e.effect}"' in dot
    assert len(re.findall(r" -> ", dot)) == len(kpi.interactions())
    assert dot.count("subgraph cluster_") == len(kpi.CATEGORIES)
    assert "style=dotted" in dot and "style=dashed" in dot


def test_dot_escapes_quotes():
    k = kpi.get_kpi("csat")
    kpi.register_kpi(dataclasses.replace(k, name='The "real" CSAT'), replace=True)
    try:
        assert r'[label="The \"real\" CSAT"' in kpi.to_dot(["csat"])
    finally:
        kpi.register_kpi(k, replace=True)


def test_dot_of_a_subset_keeps_only_its_edges():
    dot = kpi.to_dot(["fcr", "repeat_contact_rate", "contacts_offered", "service_level"])
    assert len(re.findall(r" -> ", dot)) == 3
    assert "cluster_quality" in dot and "cluster_cost" not in dot


def test_plot_draws_every_edge_once():
    from matplotlib.patches import FancyArrowPatch

    ax = kpi.plot_interactions()
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(kpi.interactions())
    assert ax.get_title() == "KPI interactions"
    labels = {t.get_text() for t in ax.texts}
    assert {k.id for k in kpi.kpis()} <= labels
    ax = kpi.plot_interactions(["service_level", "asa", "occupancy"], ax=ax.figure.add_subplot(2, 2, 4))
    assert len([p for p in ax.patches if isinstance(p, FancyArrowPatch)]) == 2
    matplotlib.pyplot.close("all")
