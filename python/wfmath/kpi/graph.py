"""How KPIs drive each other: a directed graph stored as data and queried with networkx.

An edge ``source -> target`` with effect ``"+"`` means raising the source raises the target
(``"-"``: lowers it), other things equal, over its horizon: ``short`` (the same interval or day),
``mid`` (weeks to months) or ``long`` (months to years). The edges live in
``data/interactions.toml`` and are checked on load against the catalog.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

from wfmath.kpi._data import load_table
from wfmath.kpi.catalog import CATEGORIES, get_kpi, kpis

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "EFFECTS",
    "HORIZONS",
    "Interaction",
    "InteractionPath",
    "drivers",
    "interaction_graph",
    "interactions",
    "outcomes",
    "path",
    "paths",
    "plot_interactions",
    "to_dot",
]

EFFECTS = ("+", "-")
HORIZONS = ("short", "mid", "long")

# One colour per QAECS category (dot and matplotlib alike), one line style per horizon.
_CATEGORY_COLOURS = dict(zip(CATEGORIES, ("#8dd3c7", "#80b1d3", "#fdb462", "#fb8072", "#bebada")))
_EFFECT_COLOURS = {"+": "#1b7837", "-": "#b2182b"}
_LINE_STYLES = {"short": "solid", "mid": "dashed", "long": "dotted"}  # valid in dot and matplotlib


@dataclass(frozen=True)
class Interaction:
    """One edge of the KPI graph: how ``source`` moves ``target``.

    Attributes
    ----------
    source, target : str
        KPI ids.
    effect : str
        ``"+"``: raising the source raises the target; ``"-"``: it lowers it.
    horizon : str
        ``"short"`` (same interval or day), ``"mid"`` (weeks to months), ``"long"`` (months to years).
    explanation : str
        The mechanism.

    Examples
    --------
    >>> edge = interactions(source="service_level", target="asa")[0]
    >>> edge.effect, edge.horizon, edge.sign
    ('-', 'short', -1)
    """

    source: str
    target: str
    effect: str
    horizon: str
    explanation: str

    def __post_init__(self) -> None:
        where = f"interaction {self.source!r} -> {self.target!r}"
        for name in ("source", "target"):
            try:
                get_kpi(getattr(self, name))
            except KeyError as err:
                raise ValueError(f"{where}: field {name!r} names {err.args[0]}") from None
        if self.source == self.target:
            raise ValueError(f"{where}: field 'target' must differ from 'source'")
        for name, choices in (("effect", EFFECTS), ("horizon", HORIZONS)):
            value = getattr(self, name)
            if value not in choices:
                raise ValueError(f"{where}: field {name!r} must be one of {', '.join(choices)}, got {value!r}")
        if not isinstance(self.explanation, str) or not self.explanation.strip():
            raise ValueError(f"{where}: field 'explanation' must be a non-empty string, got {self.explanation!r}")

    @property
    def sign(self) -> int:
        """+1 or -1, for multiplying effects along a path."""
        return 1 if self.effect == "+" else -1


@dataclass(frozen=True)
class InteractionPath:
    """A chain of interactions from one KPI to another, with its net effect.

    Attributes
    ----------
    edges : tuple of Interaction
        The edges in order; ``edges[0].source`` is the start, ``edges[-1].target`` the end.

    Examples
    --------
    >>> p = path("fcr", "service_level")
    >>> p.kpis
    ('fcr', 'repeat_contact_rate', 'contacts_offered', 'service_level')
    >>> p.effect, p.horizon
    ('+', 'short')
    >>> print(p)
    fcr -(-)-> repeat_contact_rate -(+)-> contacts_offered -(-)-> service_level: net +, short
    """

    edges: tuple[Interaction, ...]

    @property
    def kpis(self) -> tuple[str, ...]:
        """The KPI ids along the path, start and end included."""
        return (self.edges[0].source, *(e.target for e in self.edges))

    @property
    def effect(self) -> str:
        """Net effect of the start on the end: the product of the edges' signs."""
        return "+" if math.prod(e.sign for e in self.edges) > 0 else "-"

    @property
    def horizon(self) -> str:
        """The slowest edge's horizon: the chain takes at least that long to play out."""
        return max((e.horizon for e in self.edges), key=HORIZONS.index)

    def __str__(self) -> str:
        chain = "".join(f" -({e.effect})-> {e.target}" for e in self.edges)
        return f"{self.edges[0].source}{chain}: net {self.effect}, {self.horizon}"


def _load_edges() -> dict[tuple[str, str], Interaction]:
    edges: dict[tuple[str, str], Interaction] = {}
    for entry in load_table("interactions.toml", "interaction"):
        e = Interaction(**entry)
        if (e.source, e.target) in edges:
            raise ValueError(f"interaction {e.source!r} -> {e.target!r}: listed twice")
        edges[e.source, e.target] = e
    return edges


_BY_PAIR = _load_edges()
_EDGES = tuple(_BY_PAIR.values())


def interactions(*, source: str | None = None, target: str | None = None) -> tuple[Interaction, ...]:
    """The interaction edges, optionally only those from ``source`` and/or into ``target``.

    Parameters
    ----------
    source, target : str, optional
        KPI ids to filter on.

    Returns
    -------
    tuple of Interaction
        In the order of the data file. ``pandas.DataFrame(interactions())`` gives a table.

    Examples
    --------
    >>> [(e.target, e.effect) for e in interactions(source="fcr")]
    [('repeat_contact_rate', '-'), ('csat', '+'), ('complaint_rate', '-')]
    """
    for kpi_id in (source, target):
        if kpi_id is not None:
            get_kpi(kpi_id)
    return tuple(e for e in _EDGES if source in (None, e.source) and target in (None, e.target))


def interaction_graph() -> nx.DiGraph:
    """The KPI graph as a new ``networkx.DiGraph``, for any analysis networkx offers.

    Returns
    -------
    networkx.DiGraph
        A node per catalog KPI (registered ones included) with attributes ``name``,
        ``category`` and ``role``; an edge per :class:`Interaction` with attributes
        ``effect``, ``sign``, ``horizon`` and ``explanation``.

    Examples
    --------
    >>> g = interaction_graph()
    >>> g.edges["service_level", "asa"]["effect"]
    '-'
    """
    g = nx.DiGraph()
    for k in kpis():
        g.add_node(k.id, name=k.name, category=k.category, role=k.role)
    for e in _EDGES:
        g.add_edge(e.source, e.target, effect=e.effect, sign=e.sign, horizon=e.horizon, explanation=e.explanation)
    return g


def _neighbours(kpi_id: str, *, indirect: bool, upstream: bool) -> tuple[str, ...]:
    get_kpi(kpi_id)
    g = interaction_graph()
    if upstream:
        g = g.reverse(copy=False)
    if not indirect:
        return tuple(sorted(g.successors(kpi_id)))
    distance = nx.single_source_shortest_path_length(g, kpi_id)
    return tuple(sorted((k for k in distance if k != kpi_id), key=lambda k: (distance[k], k)))


def drivers(kpi_id: str, *, indirect: bool = False) -> tuple[str, ...]:
    """The KPIs that drive ``kpi_id``.

    Parameters
    ----------
    kpi_id : str
        The KPI to explain.
    indirect : bool
        Also the drivers of its drivers, all the way up.

    Returns
    -------
    tuple of str
        KPI ids; direct ones sorted by id, indirect ones by distance, then id.

    Examples
    --------
    >>> drivers("service_level")
    ('agents_staffed', 'aht', 'contacts_offered', 'pool_size', 'schedule_efficiency')
    >>> "fcr" in drivers("service_level", indirect=True)
    True
    """
    return _neighbours(kpi_id, indirect=indirect, upstream=True)


def outcomes(kpi_id: str, *, indirect: bool = False) -> tuple[str, ...]:
    """The KPIs that ``kpi_id`` drives; with ``indirect``, their outcomes too, all the way down.

    Parameters and ordering as :func:`drivers`.

    Examples
    --------
    >>> outcomes("occupancy")
    ('attrition', 'calls_handled_per_agent', 'cost_per_contact', 'engagement', 'utilisation')
    """
    return _neighbours(kpi_id, indirect=indirect, upstream=False)


def paths(source: str, target: str, *, max_edges: int = 6) -> tuple[InteractionPath, ...]:
    """Every chain from ``source`` to ``target`` of at most ``max_edges`` edges.

    Different chains can carry opposite effects over different horizons: high occupancy
    lowers cost per contact at once and raises it through attrition months later.

    Parameters
    ----------
    source, target : str
        KPI ids.
    max_edges : int
        Longest chain to list.

    Returns
    -------
    tuple of InteractionPath
        Shortest first, then by the KPIs they pass; empty when there is none.

    Examples
    --------
    >>> for p in paths("occupancy", "cost_per_contact", max_edges=3):
    ...     print(p)
    occupancy -(-)-> cost_per_contact: net -, short
    occupancy -(+)-> attrition -(+)-> aht -(+)-> cost_per_contact: net +, long
    """
    get_kpi(source)
    get_kpi(target)
    g = interaction_graph()
    found = [
        InteractionPath(tuple(_BY_PAIR[u, v] for u, v in zip(nodes, nodes[1:])))
        for nodes in nx.all_simple_paths(g, source, target, cutoff=max_edges)
    ]
    return tuple(sorted(found, key=lambda p: (len(p.edges), p.kpis)))


def path(source: str, target: str) -> InteractionPath | None:
    """The shortest chain from ``source`` to ``target`` (ties broken by the KPIs it passes).

    Parameters
    ----------
    source, target : str
        KPI ids.

    Returns
    -------
    InteractionPath or None
        None when ``target`` cannot be reached from ``source``.

    Examples
    --------
    >>> print(path("occupancy", "attrition"))
    occupancy -(+)-> attrition: net +, long
    >>> path("customer_retention", "fcr") is None
    True
    """
    get_kpi(source)
    get_kpi(target)
    g = interaction_graph()
    if source == target or not nx.has_path(g, source, target):
        return None
    return paths(source, target, max_edges=nx.shortest_path_length(g, source, target))[0]


def _subgraph(kpi_ids: Iterable[str] | None) -> nx.DiGraph:
    g = interaction_graph()
    if kpi_ids is None:
        return g
    keep = {get_kpi(k).id for k in kpi_ids}
    # Built anew rather than with g.subgraph, whose node order follows string hashing.
    sub = nx.DiGraph()
    sub.add_nodes_from((n, data) for n, data in g.nodes(data=True) if n in keep)
    sub.add_edges_from((u, v, data) for u, v, data in g.edges(data=True) if u in keep and v in keep)
    return sub


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(kpi_ids: Iterable[str] | None = None) -> str:
    """The graph in Graphviz dot, for ``dot -Tsvg`` or any Graphviz viewer.

    Nodes are grouped in a cluster per QAECS category; edges are green for ``+`` and red for
    ``-``, solid for short, dashed for mid and dotted for long horizons, with the explanation as
    tooltip.

    Parameters
    ----------
    kpi_ids : iterable of str, optional
        Draw only these KPIs and the edges between them.

    Returns
    -------
    str
        A dot ``digraph``.

    Examples
    --------
    >>> print(to_dot(["service_level", "asa"]))
    digraph kpi_interactions {
      rankdir=LR;
      node [shape=box, style="rounded,filled", fontname="Helvetica"];
      subgraph cluster_accessibility {
        label="Accessibility";
        "service_level" [label="Service level", fillcolor="#80b1d3"];
        "asa" [label="Average speed of answer", fillcolor="#80b1d3"];
      }
      "service_level" -> "asa" [label="-", color="#b2182b", style=solid, tooltip="The same staffing ..."];
    }
    """
    g = _subgraph(kpi_ids)
    lines = [
        "digraph kpi_interactions {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
    ]
    for category in CATEGORIES:
        members = [n for n, data in g.nodes(data=True) if data["category"] == category]
        if not members:
            continue
        lines += [f"  subgraph cluster_{category.lower()} {{", f"    label={_quote(category)};"]
        colour = _CATEGORY_COLOURS[category]
        lines += [f'    {_quote(n)} [label={_quote(g.nodes[n]["name"])}, fillcolor="{colour}"];' for n in members]
        lines.append("  }")
    for u, v, data in g.edges(data=True):
        lines.append(
            f'  {_quote(u)} -> {_quote(v)} [label="{data["effect"]}", color="{_EFFECT_COLOURS[data["effect"]]}", '
            f"style={_LINE_STYLES[data['horizon']]}, tooltip={_quote(data['explanation'])}];"
        )
    lines.append("}")
    return "\n".join(lines)


def plot_interactions(kpi_ids: Iterable[str] | None = None, *, ax: Axes | None = None) -> Axes:
    """Draw the graph with matplotlib: KPIs on a circle grouped by QAECS category, edges coloured by effect.

    Needs matplotlib (``pip install "wfmath[plot]"``). Green edges raise their target, red ones
    lower it; solid, dashed and dotted lines are short, mid and long horizons.

    Parameters
    ----------
    kpi_ids : iterable of str, optional
        Draw only these KPIs and the edges between them.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_interactions(["fcr", "repeat_contact_rate", "contacts_offered", "service_level"])
    >>> ax.get_title()
    'KPI interactions'
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    g = _subgraph(kpi_ids)
    if ax is None:
        _, ax = plt.subplots(figsize=(14, 12) if len(g) > 12 else (8, 7))
    # A circle in QAECS order: same-category edges become chords instead of overlapping lines.
    order = sorted(g, key=lambda n: CATEGORIES.index(g.nodes[n]["category"]))
    pos = nx.circular_layout(order)
    nx.draw_networkx_nodes(
        g, pos, ax=ax, node_size=500, node_color=[_CATEGORY_COLOURS[g.nodes[n]["category"]] for n in g]
    )
    nx.draw_networkx_labels(g, pos, ax=ax, font_size=8)
    for horizon in HORIZONS:
        edges = [(u, v) for u, v, h in g.edges(data="horizon") if h == horizon]
        nx.draw_networkx_edges(
            g,
            pos,
            ax=ax,
            edgelist=edges,
            style=_LINE_STYLES[horizon],
            edge_color=[_EFFECT_COLOURS[g.edges[e]["effect"]] for e in edges],
            arrowsize=12,
            node_size=500,
            connectionstyle="arc3,rad=0.08",
        )
    legend = [Patch(color=_CATEGORY_COLOURS[c], label=c) for c in CATEGORIES]
    legend += [Line2D([], [], color=_EFFECT_COLOURS[e], label=f"effect {e}") for e in EFFECTS]
    legend += [Line2D([], [], color="grey", linestyle=_LINE_STYLES[h], label=f"{h} horizon") for h in HORIZONS]
    ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.set_title("KPI interactions")
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax
