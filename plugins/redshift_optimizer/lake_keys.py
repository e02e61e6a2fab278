"""Every key of the metadata lake (shared/docs/metadata-contract.md): the one place that spells them.

Keys are given without the configured key prefix (the lake adds it). Dates in keys are the
run's day, never "now". Pure: no Airflow, boto3 or FastAPI.

```
metadata/schema/schema.json                      schema_latest()
metadata/schema/schema-YYYYMMDD.json             schema_dated(day)
metadata/schema/diff-YYYYMMDD.json               schema_diff(day)
metadata/data_profile/profile-YYYYMMDD.json      profile(day)
metadata/query_history/YYYY/MM/DD/slow_queries.json   slow_queries(day)
recommendations/YYYY/MM/DD/<query_hash>.json     recommendation(day, query_hash)
bedrock-context/prompts/manifest.json            prompts_index()
bedrock-context/prompts/<version>/<name>         prompt_file(version, name)
manifests/<schema>.<table>/YYYY/MM/DD/...        manifests(table, day)
optimizer-runs/<run>/...                         run_area(run)
```
"""

from __future__ import annotations

import re
from datetime import date, datetime

SCHEMA_DATED_PREFIX = "metadata/schema/schema-"
PROFILE_PREFIX = "metadata/data_profile/profile-"
SLOW_QUERIES_PREFIX = "metadata/query_history/"
SLOW_QUERIES_NAME = "slow_queries.json"
RECOMMENDATIONS_PREFIX = "recommendations"
PROMPTS_PREFIX = "bedrock-context/prompts"
MANIFESTS_PREFIX = "manifests"
#: The runs' work areas (expire this prefix with a lifecycle rule).
RUNS_PREFIX = "optimizer-runs"

_SCHEMA_DATED = re.compile(r"metadata/schema/schema-(\d{8})\.json$")
_PROFILE = re.compile(r"metadata/data_profile/profile-(\d{8})\.json$")


def _day(day: date | str) -> date:
    return date.fromisoformat(day) if isinstance(day, str) else day


def _stamp(day: date | str) -> str:
    return f"{_day(day):%Y%m%d}"


def _path(day: date | str) -> str:
    return f"{_day(day):%Y/%m/%d}"


def schema_latest() -> str:
    """The latest snapshot (overwritten; only moves forward)."""
    return "metadata/schema/schema.json"


def schema_dated(day: date | str) -> str:
    return f"{SCHEMA_DATED_PREFIX}{_stamp(day)}.json"


def schema_diff(day: date | str) -> str:
    return f"metadata/schema/diff-{_stamp(day)}.json"


def profile(day: date | str) -> str:
    return f"{PROFILE_PREFIX}{_stamp(day)}.json"


def slow_queries(day: date | str) -> str:
    return f"{SLOW_QUERIES_PREFIX}{_path(day)}/{SLOW_QUERIES_NAME}"


def recommendations(day: date | str) -> str:
    """The prefix of one day's analysis results."""
    return f"{RECOMMENDATIONS_PREFIX}/{_path(day)}/"


def recommendation(day: date | str, query_hash: str) -> str:
    return f"{recommendations(day)}{query_hash}.json"


def prompts(version: str | None = None) -> str:
    """The prompts area, or one version's folder in it (no trailing slash)."""
    return PROMPTS_PREFIX if version is None else f"{PROMPTS_PREFIX}/{version}"


def prompts_index() -> str:
    """The index of the published prompt versions."""
    return f"{PROMPTS_PREFIX}/manifest.json"


def prompt_file(version: str, name: str) -> str:
    """One file of a prompt version (``<agent>.txt``, ``manifest.json``, ``_common.txt``)."""
    return f"{prompts(version)}/{name}"


def manifests(table: str, day: date | str) -> str:
    """The prefix of one table's ETL manifests of one day (``<load_id>.json`` under it)."""
    return f"{MANIFESTS_PREFIX}/{table}/{_path(day)}/"


def run_area(name: str) -> str:
    """A run's work area (``name`` already safe for a key)."""
    return f"{RUNS_PREFIX}/{name}"


def _dated(pattern: re.Pattern[str], key: str) -> date | None:
    match = pattern.search(key)
    return datetime.strptime(match.group(1), "%Y%m%d").date() if match else None


def schema_dated_day(key: str) -> date | None:
    """The day of a dated snapshot's key, None for any other key."""
    return _dated(_SCHEMA_DATED, key)


def profile_day(key: str) -> date | None:
    """The day of a profile's key, None for any other key."""
    return _dated(_PROFILE, key)


def run_day_keys(day: date | str) -> dict[str, str]:
    """The metadata keys one run's day writes, by role."""
    return {
        "schema_latest": schema_latest(),
        "schema_dated": schema_dated(day),
        "schema_diff": schema_diff(day),
        "profile": profile(day),
        "slow_queries": slow_queries(day),
    }


__all__ = [
    "MANIFESTS_PREFIX", "PROFILE_PREFIX", "PROMPTS_PREFIX", "RECOMMENDATIONS_PREFIX", "RUNS_PREFIX",
    "SCHEMA_DATED_PREFIX", "SLOW_QUERIES_NAME", "SLOW_QUERIES_PREFIX",
    "manifests", "profile", "profile_day", "prompt_file", "prompts", "prompts_index", "recommendation", "recommendations",
    "run_area", "run_day_keys", "schema_dated", "schema_dated_day", "schema_diff", "schema_latest", "slow_queries",
]
