"""Every key under ``optimizer-runs/<run_id>/``: one run's work area in the lake.

Tasks pass only keys between them; each run keeps its plan, review, data checks, contexts
and raw agent results here (expire ``optimizer-runs/`` with a lifecycle rule). The daily
run's area is named by its DAG run id, an ad-hoc job's by its job id under
``optimizer-runs/adhoc/`` (so the API finds a job's plan and results from its id).

Pure: key functions only, no I/O; the area itself is :func:`lake_keys.run_area`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redshift_optimizer import lake_keys

WORK_PREFIX = lake_keys.RUNS_PREFIX
ADHOC_WORK_PREFIX = f"{WORK_PREFIX}/adhoc"
#: DAG run id of an ad-hoc job: ``adhoc__`` and 24 hex digits.
JOB_ID_PATTERN = r"^adhoc__[0-9a-f]{24}$"
_JOB_ID = re.compile(JOB_ID_PATTERN)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def is_job_id(value: str) -> bool:
    return bool(_JOB_ID.match(value))


@dataclass(frozen=True)
class WorkArea:
    """The keys of one run's work area (without the lake's own prefix)."""

    prefix: str

    @classmethod
    def daily(cls, run_id: str) -> "WorkArea":
        return cls(lake_keys.run_area(_UNSAFE.sub("_", run_id)[:160]))

    @classmethod
    def adhoc(cls, run_id: str) -> "WorkArea":
        if not is_job_id(run_id):
            # Runs started by hand in the Airflow UI have other ids: keep them apart and safe.
            run_id = _UNSAFE.sub("_", run_id)[:120]
        return cls(lake_keys.run_area(f"adhoc/{run_id}"))

    @property
    def plan(self) -> str:
        return f"{self.prefix}/plan.json"

    @property
    def review(self) -> str:
        return f"{self.prefix}/review.json"

    @property
    def validation(self) -> str:
        return f"{self.prefix}/validation.json"

    @property
    def snapshot(self) -> str:
        """The snapshot an ad-hoc run analyses with (the latest, its schema first)."""
        return f"{self.prefix}/schema.json"

    @property
    def slow_queries(self) -> str:
        """The slow-query window of an ad-hoc run, with the submitted query in it."""
        return f"{self.prefix}/slow_queries.json"

    @property
    def contexts(self) -> str:
        return f"{self.prefix}/contexts/"

    def context(self, query_hash: str, agent: str) -> str:
        return f"{self.prefix}/contexts/{query_hash}/{agent}.json"

    def result(self, query_hash: str, agent: str) -> str:
        return f"{self.prefix}/results/{query_hash}/{agent}.json"


__all__ = ["ADHOC_WORK_PREFIX", "JOB_ID_PATTERN", "WORK_PREFIX", "WorkArea", "is_job_id"]
