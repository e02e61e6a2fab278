"""GET /health (the process answers) and GET /ready (Airflow, S3 and DynamoDB reachable).

Both answer without credentials: load balancers and orchestrators probe them. Without
credentials /ready says only which dependency is not reachable (``unavailable``); a caller
with a key (API or read key) also gets why, with the endpoint and the setting to look at.
"""

from __future__ import annotations

from datetime import datetime, timezone

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from api.deps import AirflowDep, HistoryDep, LakeDep, Role, SettingsDep, optional_caller, unavailable_message
from api.models import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="The API is alive")
def health() -> Health:
    """Always ``ok`` while the process serves requests."""
    return Health()


@router.get("/ready", response_model=Readiness, summary="The API's dependencies are reachable",
            responses={503: {"model": Readiness, "description": "at least one dependency is not reachable"}})
def ready(request: Request, response: Response, settings: SettingsDep, airflow: AirflowDep, lake: LakeDep,
          history: HistoryDep, caller: Annotated[object, Depends(optional_caller)]) -> Readiness:
    """Airflow (with the ad-hoc DAG), the S3 bucket and the history table;
    503 naming each one that is not reachable (why, for a caller with a key)."""
    detailed = caller is not None and Role.READ in caller.roles
    checks: dict[str, str] = {}
    today = datetime.now(timezone.utc).date()
    for name, probe in (
        ("airflow", lambda: airflow.check(settings.dag_id)),
        ("s3", lake.check),
        ("dynamodb", lambda: history.list(from_date=today, to_date=today, limit=1)),
    ):
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - a probe reports whatever went wrong
            checks[name] = (unavailable_message(exc)[:500] or type(exc).__name__) if detailed else "unavailable"
    is_ready = all(value == "ok" for value in checks.values())
    if not is_ready:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Readiness(ready=is_ready, checks=checks)
