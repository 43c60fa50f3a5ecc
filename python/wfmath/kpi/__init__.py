"""KPIs that explain themselves: the QAECS catalog, how KPIs interact, scorecard audits, and
the interactions quantified through the engine (what-if, quality loop, pooling, diagnosis).

``wfmath.kpi`` is imported on its own (``from wfmath import kpi``) so that ``import wfmath``
stays free of pandas and networkx.
"""

from wfmath.kpi._intervals import DayMetrics
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
from wfmath.kpi.diagnosis import DRIVERS, SlDiagnosis, diagnose_sl_miss
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
from wfmath.kpi.pooling import Pooling, pooling_gain
from wfmath.kpi.quality import quality_loop
from wfmath.kpi.whatif import WhatIf, what_if

__all__ = [
    "BETTER",
    "CATEGORIES",
    "DRIVERS",
    "EFFECTS",
    "HORIZONS",
    "ROLES",
    "SEVERITIES",
    "STAKEHOLDERS",
    "DayMetrics",
    "Finding",
    "Interaction",
    "InteractionPath",
    "Kpi",
    "Pooling",
    "SlDiagnosis",
    "WhatIf",
    "audit_scorecard",
    "catalog",
    "diagnose_sl_miss",
    "drivers",
    "get_kpi",
    "interaction_graph",
    "interactions",
    "kpis",
    "outcomes",
    "path",
    "paths",
    "plot_interactions",
    "pooling_gain",
    "quality_loop",
    "register_kpi",
    "to_dot",
    "unregister_kpi",
    "what_if",
]
