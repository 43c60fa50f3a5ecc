"""KPIs that explain themselves: the QAECS catalog, how KPIs interact, scorecard audits.

``wfmath.kpi`` is imported on its own (``from wfmath import kpi``) so that ``import wfmath``
stays free of pandas and networkx.
"""

from wfmath.kpi.audit import SEVERITIES, Finding, audit_scorecard
from wfmath.kpi.catalog import (
    BETTER,
    CATEGORIES,
    ROLES,
    STAKEHOLDERS,
    Kpi,
    catalog,
    get_kpi,
    kpis,
    register_kpi,
    unregister_kpi,
)
from wfmath.kpi.graph import (
    EFFECTS,
    HORIZONS,
    Interaction,
    InteractionPath,
    drivers,
    interaction_graph,
    interactions,
    outcomes,
    path,
    paths,
    plot_interactions,
    to_dot,
)

__all__ = [
    "BETTER",
    "CATEGORIES",
    "EFFECTS",
    "HORIZONS",
    "ROLES",
    "SEVERITIES",
    "STAKEHOLDERS",
    "Finding",
    "Interaction",
    "InteractionPath",
    "Kpi",
    "audit_scorecard",
    "catalog",
    "drivers",
    "get_kpi",
    "interaction_graph",
    "interactions",
    "kpis",
    "outcomes",
    "path",
    "paths",
    "plot_interactions",
    "register_kpi",
    "to_dot",
    "unregister_kpi",
]
