"""Reads the TOML files packaged in ``wfmath/kpi/data``."""

from __future__ import annotations

import sys
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


def load_table(file_name: str, table: str) -> list[dict[str, Any]]:
    """The entries of the array of tables ``[[table]]`` in ``data/<file_name>``."""
    text = (resources.files("wfmath.kpi") / "data" / file_name).read_text(encoding="utf-8")
    return tomllib.loads(text)[table]
