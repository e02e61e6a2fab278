"""POST /optimize/redshift: check one query and start the ad-hoc DAG on it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request, Response, status

from api.airflow_client import DagRunExists
from api.deps import AirflowDep, SettingsDep, Submitter
from api.models import JobAccepted, OptimizeRequest, Problem
from api.settings import ApiSettings
from redshift_optimizer.pipelines.adhoc_optimization import job_run_id
from redshift_optimizer.submission import Submission, SubmissionError

router = APIRouter(prefix="/optimize", tags=["optimize"])


def sql_problem(exc: SubmissionError) -> HTTPException:
    """A 413 for SQL over the size limit; else a 422 in FastAPI's validation-error shape,
    with the line and column of the problem and the setting of a limit it is over."""
    if exc.kind == "too_large":
        return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, " ".join(exc.message.split()))
    where = f"line {exc.line}, column {exc.col or 1}: " if exc.line is not None else ""
    kind = {"too_complex": "sql_too_complex", "input": "sql_input"}.get(exc.kind, "sql_syntax")
    item: dict[str, Any] = {"loc": ["body", "sql"], "msg": where + " ".join(exc.message.split()), "type": kind}
    if exc.line is not None:
        item.update(line=exc.line, column=exc.col or 1)
    if exc.setting:
        item["setting"] = exc.setting
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [item])


def checked_sql(sql: str, settings: ApiSettings) -> Submission:
    """The submission when it is one complete Redshift statement within the limits; else a
    413 (size) or 422 (limits, syntax) naming the problem."""
    try:
        return Submission.check(sql, settings.submission_limits())
    except SubmissionError as exc:
        raise sql_problem(exc) from None


@router.post(
    "/redshift",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobAccepted,
    summary="Optimize one Redshift query",
    responses={
        401: {"model": Problem, "description": "no or unknown credentials"},
        403: {"model": Problem, "description": "the credentials may not submit"},
        413: {"model": Problem, "description": "the SQL or the body is over the size limit"},
        422: {"model": Problem, "description": "the SQL does not parse as complete Redshift (line and column), "
                                               "is over a nesting, token or time limit, or a bad field"},
        503: {"model": Problem, "description": "Airflow is unreachable"},
    },
)
def optimize_redshift(
    body: OptimizeRequest,
    request: Request,
    response: Response,
    caller: Submitter,
    settings: SettingsDep,
    airflow: AirflowDep,
    idempotency_key: Annotated[str | None, Header(
        alias="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
        description="the same key (per caller) returns the same job instead of starting another")] = None,
) -> JobAccepted:
    """Check the SQL (Redshift dialect), fingerprint it, and trigger the ad-hoc DAG on it.
    Answers 202 with the job to follow; the agents' results arrive under the job."""
    submission = checked_sql(body.sql, settings)
    sql, query_hash = submission.sql, submission.query_hash
    conf = {"sql": sql, "database": body.database, "schema": body.schema_name, "requested_by": caller.name}
    run_id = job_run_id(f"{caller.name}\n{idempotency_key}" if idempotency_key else None)
    try:
        airflow.trigger(settings.dag_id, run_id, conf)
    except DagRunExists:
        existing = airflow.dag_run(settings.dag_id, run_id)
        asked = {k: (existing.conf or {}).get(k) for k in ("sql", "database", "schema")} if existing else None
        if idempotency_key is None or asked != {k: conf[k] for k in ("sql", "database", "schema")}:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                f"Idempotency-Key {idempotency_key!r} was already used for another request: "
                                "use a new key for a new query") from None
    status_url = str(request.url_for("get_job", job_id=run_id).path)
    response.headers["Location"] = status_url
    return JobAccepted(job_id=run_id, query_hash=query_hash, status_url=status_url)
