"""Audit an agent scorecard against the rules of how KPIs interact.

Each KPI on the card is first checked for whether it belongs on an agent's card at all (the
first matching rule applies), then the card as a whole for counterweights:

``accessibility_as_agent_measure`` (high)
    Service level, ASA, abandonment and the like follow volume, AHT and staffing.
``not_agent_controllable`` (high)
    Any other KPI an agent does not control, e.g. calls handled per agent.
``outcome_managed_directly`` (medium)
    An outcome with none of the direct drivers an agent controls (per the interaction graph)
    on the card.
``handle_time_without_quality_bounds`` (high)
    AHT or after-call work without FCR or repeat-contact rate on the card (rushing shows up
    there); back-office items per hour without error rate or QA score.
``no_quality_counterweight`` (high)
    Another efficiency measure on a card with no Quality KPI at all.
``light_quality_counterweight`` (medium)
    With weights given: Quality KPIs weigh less in total than the efficiency measures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from wfmath.kpi.catalog import Kpi, get_kpi
from wfmath.kpi.graph import drivers

__all__ = ["SEVERITIES", "Finding", "audit_scorecard"]

SEVERITIES = ("high", "medium")

# Speed measures and the quality KPIs that show when speed is bought by cutting corners.
_QUALITY_BOUNDS = {
    "aht": ("fcr", "repeat_contact_rate"),
    "acw_time": ("fcr", "repeat_contact_rate"),
    "items_per_hour": ("error_rate", "qa_score"),
}


@dataclass(frozen=True)
class Finding:
    """One problem found on a scorecard.

    Attributes
    ----------
    kpi : str
        Id of the KPI the finding is about.
    severity : str
        ``"high"`` (the measure works against the center) or ``"medium"`` (it needs a companion).
    rule : str
        Id of the rule that fired (see :mod:`wfmath.kpi.audit`).
    explanation : str
        Why, and what to do instead.

    Examples
    --------
    >>> f = audit_scorecard(["calls_handled_per_agent", "qa_score"])[0]
    >>> f.kpi, f.severity, f.rule
    ('calls_handled_per_agent', 'high', 'not_agent_controllable')
    """

    kpi: str
    severity: str
    rule: str
    explanation: str


def _names(ids: Iterable[str]) -> str:
    names = [get_kpi(k).name for k in ids]
    return ", ".join(names) if names else "no KPI in the interaction graph"


def _placement(k: Kpi, card: Mapping[str, float]) -> Finding | None:
    """Whether the KPI belongs on an agent's scorecard at all."""
    direct = drivers(k.id)
    if k.category == "Accessibility":
        return Finding(
            k.id,
            "high",
            "accessibility_as_agent_measure",
            f"{k.name} follows volume, AHT and the agents signed in (directly: {_names(direct)}), which no agent "
            "sets. As an agent target it rewards rushing, which lowers FCR and brings repeat contacts that "
            "lower service level. Keep it a team and planning measure.",
        )
    if not k.agent_controllable:
        return Finding(
            k.id,
            "high",
            "not_agent_controllable",
            f"{k.name} is not in an agent's control: it follows {_names(direct)}. Measure agents on what they "
            "control: quality, adherence, FCR, and handle time within quality bounds.",
        )
    controllable = [d for d in direct if get_kpi(d).agent_controllable]
    if k.role == "outcome" and not any(d in card for d in controllable):
        return Finding(
            k.id,
            "medium",
            "outcome_managed_directly",
            f"{k.name} is an outcome of {_names(direct)}; with none of them on the card it is managed directly, "
            f"which treats a symptom. Add the drivers an agent controls: {_names(controllable)}.",
        )
    return None


def _counterweight(k: Kpi, card: Mapping[str, float], weighted: bool) -> Finding | None:
    """Whether an efficiency measure the agent controls is balanced by quality."""
    quality = [q for q in card if get_kpi(q).category == "Quality"]
    bounds = _QUALITY_BOUNDS.get(k.id)
    if bounds and not any(b in card for b in bounds):
        return Finding(
            k.id,
            "high",
            "handle_time_without_quality_bounds",
            f"{k.name} without {' or '.join(get_kpi(b).name for b in bounds)} on the card can be met by rushing: "
            "fewer issues are resolved, repeat contacts raise the volume and service level falls. Bound it by quality.",
        )
    if k.category != "Efficiency":
        return None
    if not quality:
        return Finding(
            k.id,
            "high",
            "no_quality_counterweight",
            f"{k.name} is an efficiency measure on a card without any Quality KPI: it can be met at the customer's "
            "expense. Add a quality counterweight such as QA score or FCR.",
        )
    efficiency = sum(card[e] for e in card if get_kpi(e).category == "Efficiency")
    quality_weight = sum(card[q] for q in quality)
    if weighted and quality_weight < efficiency:
        return Finding(
            k.id,
            "medium",
            "light_quality_counterweight",
            f"Quality KPIs weigh {quality_weight:g} against {efficiency:g} for efficiency measures such as {k.name}: "
            "the card still pays for speed over quality. Weigh quality at least as heavily.",
        )
    return None


def _kpi_id(entry: object) -> str:
    if isinstance(entry, Kpi):
        return entry.id
    if not isinstance(entry, str):
        raise TypeError(f"scorecard entries must be KPI ids (str) or Kpi, got {type(entry).__name__} {entry!r:.50}")
    return get_kpi(entry).id


def _read_card(scorecard: Iterable[str | Kpi] | Mapping[str, float]) -> tuple[dict[str, float], bool]:
    if isinstance(scorecard, (str, bytes)) or not isinstance(scorecard, Iterable):
        raise TypeError(
            "scorecard must be a list of KPI ids or a mapping of KPI id to weight, "
            f"got {type(scorecard).__name__} {scorecard!r:.50}"
            + (": put one KPI in a list" if isinstance(scorecard, str) else "")
        )
    if isinstance(scorecard, Mapping):
        card = {_kpi_id(k): w for k, w in scorecard.items()}
        for k, w in card.items():
            if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0:
                raise ValueError(f"scorecard weight of {k!r} must be a finite number >= 0, got {w!r}")
        if not sum(card.values()) > 0:
            raise ValueError("scorecard weights must not all be zero")
        return card, True
    card = {}
    for k in scorecard:
        kpi_id = _kpi_id(k)
        if kpi_id in card:
            raise ValueError(f"scorecard lists {kpi_id!r} twice")
        card[kpi_id] = 1.0
    return card, False


def audit_scorecard(scorecard: Iterable[str | Kpi] | Mapping[str, float]) -> list[Finding]:
    """Check a proposed agent scorecard and say what is wrong with it and why.

    Parameters
    ----------
    scorecard : iterable of str or Kpi, or mapping of str to float
        The KPIs on the card (ids or catalog entries), or a mapping of KPI id to its weight
        on the card (any scale, e.g. points or fractions); with weights the audit also checks
        that quality weighs at least as much as efficiency.

    Returns
    -------
    list of Finding
        High severity first, then in card order; empty for a sound card. ``pandas.DataFrame``
        of the list gives a table.

    Raises
    ------
    TypeError
        A card that is not a list or mapping (a single string included), or an entry that is
        not a KPI id or :class:`Kpi`.
    KeyError
        A KPI not in the catalog.
    ValueError
        An empty card, a KPI listed twice, or a negative or non-finite weight.

    Examples
    --------
    >>> for f in audit_scorecard(["aht", "service_level", "adherence"]):
    ...     print(f.severity, f.rule, f.kpi)
    high handle_time_without_quality_bounds aht
    high accessibility_as_agent_measure service_level
    high no_quality_counterweight adherence
    >>> audit_scorecard(["qa_score", "fcr", "adherence", "aht", "csat"])
    []
    >>> [(f.kpi, f.rule) for f in audit_scorecard({"aht": 40, "fcr": 10, "qa_score": 10})]
    [('aht', 'light_quality_counterweight')]
    """
    card, weighted = _read_card(scorecard)
    if not card:
        raise ValueError("scorecard is empty")
    findings = []
    for kpi_id in card:
        k = get_kpi(kpi_id)
        finding = _placement(k, card) or _counterweight(k, card, weighted)
        if finding is not None:
            findings.append(finding)
    return sorted(findings, key=lambda f: SEVERITIES.index(f.severity))
