"""The data-validation agent's checks (V codes of finding-codes.md), run as SQL inside the
warehouse. Only counts and aggregates come back; every statement is a file
``include/sql/redshift/validation_*.sql``.

Each check is a rule of the catalogue, one module each under ``rules/validation/``
(``v001_row_count_mismatch.py`` ...) with its documentation and its cases
(``tests/analysis/cases/V*.yaml``). This module is what the agent imports: the plan of one
table, the limits, :func:`validate_table`, and where a day's manifests are. A table is
checked when the day has ETL manifests for it (``manifests/<schema>.<table>/YYYY/MM/DD/<load_id>.json``)
or when an earlier profile measured it. What cannot be checked is reported ``skipped`` with
the reason, never guessed.

Manifests are checked per load when the table has the load-id column (setting
``validation_load_column``); without it the manifest is compared with the whole table (a
full-refresh load), which the check's detail says.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from typing import Iterable

from redshift_optimizer import lake_keys
from redshift_optimizer.models.lake import EtlManifest, TableSnapshot
from redshift_optimizer.rules.base import Rule
from redshift_optimizer.rules.validation import RULES, validate_table
from redshift_optimizer.rules.validation.context import Limits, TableValidation, ValidationPlan

log = logging.getLogger(__name__)

#: The V rules by code.
V_RULES: dict[str, Rule] = {rule.code: rule for rule in RULES}


def manifest_prefix(table: str, day: date) -> str:
    """The lake prefix of one table's manifests of one day."""
    return lake_keys.manifests(table, day)


def reference_time(day: date, now: datetime | None = None) -> datetime:
    """The instant freshness is judged at: the end of the run's day, or now if earlier."""
    end = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(days=1)
    now = now or datetime.now(timezone.utc)
    return min(end, now)


def primary_key_for(table: TableSnapshot, manifests: Iterable[EtlManifest], configured: dict[str, list[str]]) -> list[str]:
    """The configured key, else a manifest's, else the declared one."""
    lowered = {k.lower(): v for k, v in configured.items()}
    if table.table_name.lower() in lowered:
        return list(lowered[table.table_name.lower()])
    for manifest in manifests:
        if manifest.primary_key:
            return list(manifest.primary_key)
    return list(table.primary_key)


__all__ = [
    "Limits",
    "TableValidation",
    "V_RULES",
    "ValidationPlan",
    "manifest_prefix",
    "primary_key_for",
    "reference_time",
    "validate_table",
]
