"""The KPI catalog: QAECS-classified contact-center KPIs, stored as data and validated on load.

The built-in entries live in ``data/kpis.toml``. Users add their own with :func:`register_kpi`;
every entry, built-in or not, goes through the same validation in :class:`Kpi`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, NoReturn

import pandas as pd

from wfmath.kpi._data import load_table

__all__ = [
    "BETTER",
    "CATEGORIES",
    "ROLES",
    "STAKEHOLDERS",
    "Kpi",
    "catalog",
    "get_kpi",
    "kpis",
    "register_kpi",
    "unregister_kpi",
]

CATEGORIES = ("Quality", "Accessibility", "Efficiency", "Cost", "Strategic")
STAKEHOLDERS = ("customers", "agents", "organisation")
ROLES = ("driver", "outcome")
BETTER = ("higher", "lower", "target", "neutral")

_ID = re.compile(r"[a-z][a-z0-9_]*\Z")
_TEXT_FIELDS = ("name", "formula", "unit", "aggregation", "why", "caveats")
_CHOICES = {"category": CATEGORIES, "role": ROLES, "better": BETTER}


def _one_of(choices: Iterable[str]) -> str:
    return ", ".join(choices)


def _did_you_mean(name: object, choices: Iterable[str]) -> str:
    hint = difflib.get_close_matches(str(name), list(choices), n=1)
    return f" (did you mean {hint[0]!r}?)" if hint else ""


@dataclass(frozen=True)
class Kpi:
    """One contact-center KPI: what it measures, why, its caveats and its place in QAECS.

    Construction validates every field and raises ``ValueError`` naming the KPI and the field.

    Attributes
    ----------
    id : str
        Key used by the interaction graph and scorecards: lower-case snake_case.
    name : str
        Display name.
    category : str
        QAECS category: one of :data:`CATEGORIES`.
    formula : str
        What exactly is measured.
    unit : str
        Unit of the value; fractions are in [0, 1], not percents.
    aggregation : str
        How interval or agent values roll up (e.g. ratio of sums, never a mean of averages).
    better : str
        ``"higher"``, ``"lower"``, ``"target"`` (a band: both sides cost) or ``"neutral"``.
    why : str
        Why a contact center chooses it.
    caveats : str
        What to be aware of when using it.
    stakeholders : frozenset of str
        Whom it serves, a non-empty subset of :data:`STAKEHOLDERS`.
    role : str
        ``"driver"`` (a lever managed directly) or ``"outcome"`` (follows from drivers).
    agent_controllable : bool
        Whether an individual agent's behaviour sets it.

    Examples
    --------
    >>> k = get_kpi("fcr")
    >>> k.category, k.role, k.agent_controllable
    ('Quality', 'driver', True)
    >>> sorted(k.stakeholders)
    ['agents', 'customers', 'organisation']
    """

    id: str
    name: str
    category: str
    formula: str
    unit: str
    aggregation: str
    better: str
    why: str
    caveats: str
    stakeholders: frozenset[str]
    role: str
    agent_controllable: bool

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _ID.match(self.id):
            raise ValueError(f"kpi {self.id!r}: field 'id' must be lower-case snake_case, e.g. 'cost_per_contact'")
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                self._fail(name, "must be a non-empty string", value)
        for name, choices in _CHOICES.items():
            value = getattr(self, name)
            if value not in choices:
                self._fail(name, f"must be one of {_one_of(choices)}", value)
        holders = self.stakeholders
        if isinstance(holders, str) or not isinstance(holders, Iterable):
            self._fail("stakeholders", f"must be a collection of {_one_of(STAKEHOLDERS)}", holders)
        holders = frozenset(holders)
        unknown = sorted(map(str, holders - set(STAKEHOLDERS)))
        if not holders or unknown:
            self._fail("stakeholders", f"must be a non-empty subset of {_one_of(STAKEHOLDERS)}", unknown or [])
        object.__setattr__(self, "stakeholders", holders)
        if not isinstance(self.agent_controllable, bool):
            self._fail("agent_controllable", "must be true or false", self.agent_controllable)

    def _fail(self, field: str, rule: str, value: object) -> NoReturn:
        raise ValueError(f"kpi {self.id!r}: field {field!r} {rule}, got {value!r}")

    @classmethod
    def from_mapping(cls, entry: Mapping[str, Any]) -> Kpi:
        """Build a KPI from a mapping of its fields (as stored in the TOML catalog).

        Parameters
        ----------
        entry : mapping
            Every field of :class:`Kpi`, no others; ``stakeholders`` as a list.

        Returns
        -------
        Kpi

        Raises
        ------
        ValueError
            A field is missing, unknown or invalid; the message names the KPI and the field.

        Examples
        --------
        >>> entry = {f: getattr(get_kpi("aht"), f) for f in Kpi.field_names()}
        >>> Kpi.from_mapping({**entry, "category": "Qualty"})
        Traceback (most recent call last):
        ...
        ValueError: kpi 'aht': field 'category' must be one of Quality, Accessibility, ..., got 'Qualty'
        """
        kpi_id = entry.get("id", "<no id>")
        names = cls.field_names()
        for name in entry:
            if name not in names:
                raise ValueError(f"kpi {kpi_id!r}: unknown field {name!r}{_did_you_mean(name, names)}")
        for name in names:
            if name not in entry:
                raise ValueError(f"kpi {kpi_id!r}: field {name!r} is missing")
        return cls(**entry)

    @staticmethod
    def field_names() -> tuple[str, ...]:
        """The names of a KPI's fields, in catalog order.

        Examples
        --------
        >>> Kpi.field_names()[:3]
        ('id', 'name', 'category')
        """
        return tuple(f.name for f in fields(Kpi))


def _load_builtin() -> dict[str, Kpi]:
    registry: dict[str, Kpi] = {}
    for entry in load_table("kpis.toml", "kpi"):
        kpi = Kpi.from_mapping(entry)
        if kpi.id in registry:
            raise ValueError(f"kpi {kpi.id!r}: field 'id' is not unique in the catalog")
        registry[kpi.id] = kpi
    return registry


_REGISTRY = _load_builtin()
_BUILTIN = frozenset(_REGISTRY)


def get_kpi(kpi_id: str) -> Kpi:
    """The catalog entry of one KPI.

    Parameters
    ----------
    kpi_id : str
        Its id, e.g. ``"service_level"``.

    Returns
    -------
    Kpi

    Raises
    ------
    KeyError
        Unknown id; the message suggests close ids.

    Examples
    --------
    >>> get_kpi("asa").unit
    'seconds'
    >>> get_kpi("service_levle")
    Traceback (most recent call last):
    ...
    KeyError: "unknown kpi 'service_levle' (did you mean 'service_level'?)"
    """
    try:
        return _REGISTRY[kpi_id]
    except KeyError:
        raise KeyError(f"unknown kpi {kpi_id!r}{_did_you_mean(kpi_id, _REGISTRY)}") from None


def _check_category(category: str | None) -> None:
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"category must be one of {_one_of(CATEGORIES)}, got {category!r}")


def kpis(category: str | None = None) -> tuple[Kpi, ...]:
    """All KPIs in the catalog (built-in and registered), optionally of one QAECS category.

    Parameters
    ----------
    category : str, optional
        One of :data:`CATEGORIES`.

    Returns
    -------
    tuple of Kpi
        In catalog order: built-in entries first, then registered ones.

    Examples
    --------
    >>> [k.id for k in kpis("Cost")]
    ['cost_per_contact', 'cost_per_agent_hour', 'staffing_cost', 'hiring_training_cost']
    """
    _check_category(category)
    return tuple(k for k in _REGISTRY.values() if category is None or k.category == category)


def catalog(category: str | None = None) -> pd.DataFrame:
    """The catalog as a DataFrame, one row a KPI, for browsing and filtering.

    Parameters
    ----------
    category : str, optional
        Keep only KPIs of this QAECS category.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``id``; a column per :class:`Kpi` field. ``category`` is an ordered
        categorical (Quality < Accessibility < Efficiency < Cost < Strategic) so that sorting
        follows QAECS; ``stakeholders`` holds sorted tuples.

    Examples
    --------
    >>> df = catalog()
    >>> df.loc["occupancy", "category"], df.loc["occupancy", "role"]
    ('Efficiency', 'outcome')
    >>> catalog("Strategic").index.tolist()[:2]
    ['attrition', 'engagement']
    """
    rows = [{f: getattr(k, f) for f in Kpi.field_names()} for k in kpis(category)]
    df = pd.DataFrame(rows, columns=list(Kpi.field_names())).set_index("id")
    df["stakeholders"] = [tuple(sorted(s)) for s in df["stakeholders"]]
    df["category"] = pd.Categorical(df["category"], categories=CATEGORIES, ordered=True)
    return df


def register_kpi(kpi: Kpi | Mapping[str, Any], *, replace: bool = False) -> Kpi:
    """Add a KPI of your own to the catalog, validated like the built-in ones.

    Parameters
    ----------
    kpi : Kpi or mapping
        A :class:`Kpi`, or a mapping with every one of its fields.
    replace : bool
        Allow replacing an entry with the same id (a built-in one too, e.g. to state your own
        ACD's service-level definition).

    Returns
    -------
    Kpi
        The registered entry.

    Raises
    ------
    ValueError
        A field is missing, unknown or invalid (the message names the KPI and the field), or
        the id exists and ``replace`` is false.

    Examples
    --------
    >>> mine = register_kpi({
    ...     "id": "callback_kept_rate", "name": "Callbacks kept", "category": "Accessibility",
    ...     "formula": "callbacks made by the promised time / callbacks promised",
    ...     "unit": "fraction of callbacks", "aggregation": "ratio of sums", "better": "higher",
    ...     "why": "Customers who chose a callback were promised a time.",
    ...     "caveats": "Failed attempts count as kept in some ACDs.",
    ...     "stakeholders": ["customers"], "role": "outcome", "agent_controllable": False})
    >>> get_kpi("callback_kept_rate").name
    'Callbacks kept'
    >>> unregister_kpi("callback_kept_rate")
    """
    entry = kpi if isinstance(kpi, Kpi) else Kpi.from_mapping(kpi)
    if entry.id in _REGISTRY and not replace:
        raise ValueError(f"kpi {entry.id!r}: field 'id' is already in the catalog; pass replace=True to replace it")
    _REGISTRY[entry.id] = entry
    return entry


def unregister_kpi(kpi_id: str) -> None:
    """Remove a KPI added with :func:`register_kpi`.

    Parameters
    ----------
    kpi_id : str
        Id of a registered KPI.

    Raises
    ------
    KeyError
        Unknown id.
    ValueError
        A built-in KPI: the interaction graph and the audit rules refer to them.

    Examples
    --------
    >>> unregister_kpi("aht")
    Traceback (most recent call last):
    ...
    ValueError: kpi 'aht' is built in and cannot be removed (register_kpi(..., replace=True) redefines it)
    """
    get_kpi(kpi_id)
    if kpi_id in _BUILTIN:
        raise ValueError(
            f"kpi {kpi_id!r} is built in and cannot be removed (register_kpi(..., replace=True) redefines it)"
        )
    del _REGISTRY[kpi_id]
