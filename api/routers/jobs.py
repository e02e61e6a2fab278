"""GET /jobs/{job_id}: where an ad-hoc run is, each agent's task and result, the record."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from api.deps import AirflowDep, HistoryDep, LakeDep, Reader, SettingsDep
from api.models import AgentProgress, Job, JobRequest, Problem, StepProgress
from redshift_optimizer.fingerprint import fingerprint
from redshift_optimizer.models.agents import AGENT_NAMES
from redshift_optimizer.pipelines.adhoc_optimization import is_job_id, job_results

router = APIRouter(prefix="/jobs", tags=["jobs"])

#: Airflow's run states as job states (a run is only ever in one of these four).
_STATUS = {"queued": "queued", "running": "running", "success": "success", "failed": "failed"}


def _missing(job_id: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND,
                         f"no job {job_id!r}: job ids are what POST /optimize/redshift answered "
                         "(adhoc__ and 24 hex digits)")


@router.get(
    "/{job_id}",
    response_model=Job,
    summary="Follow a job",
    responses={401: {"model": Problem}, 403: {"model": Problem}, 404: {"model": Problem},
               503: {"model": Problem, "description": "Airflow, S3 or DynamoDB is unreachable"}},
)
def get_job(job_id: str, caller: Reader, settings: SettingsDep, airflow: AirflowDep, lake: LakeDep,
            history: HistoryDep) -> Job:
    """queued / running / success / failed, each agent's task state and result as soon as
    the agent finished, and the stored record once the job succeeded."""
    if not is_job_id(job_id):
        raise _missing(job_id)
    run = airflow.dag_run(settings.dag_id, job_id)
    if run is None:
        raise _missing(job_id)
    conf = run.conf or {}
    tasks = {t.task_id: t for t in airflow.task_states(settings.dag_id, job_id) if t.map_index < 1}
    plan, results = job_results(lake, job_id)
    query_hash = plan["queries"][0]["query_hash"] if plan else fingerprint(str(conf.get("sql") or "")).query_hash
    agents = []
    for agent in AGENT_NAMES:
        task = tasks.pop(agent.replace("-", "_"), None)
        agents.append(AgentProgress(agent=agent, task_state=task.state if task else None,
                                    result=results.get(agent)))
    job_status = _STATUS.get(run.state, "running")
    record = None
    if job_status == "success" and plan is not None:
        entry = plan["queries"][0]
        record = history.find(entry["query_hash"], entry["analysis_timestamp"])
    job = Job(
        job_id=job_id, query_hash=query_hash, status=job_status, queued_at=run.queued_at,
        started_at=run.start_date, finished_at=run.end_date,
        request=JobRequest(sql=conf.get("sql"), database=conf.get("database"), schema=conf.get("schema"),
                           requested_by=conf.get("requested_by")),
        agents=agents, steps=[StepProgress(task_id=t.task_id, state=t.state) for t in tasks.values()],
        results=record, message=_message(job_status, tasks, agents, plan),
    )
    if job_status == "queued" and airflow.is_paused(settings.dag_id):
        job.message = f"the DAG {settings.dag_id} is paused in Airflow: the job waits until it is unpaused"
    return job


def _message(job_status: str, steps: dict, agents: list[AgentProgress], plan: dict | None) -> str | None:
    if job_status == "queued":
        return "waiting for Airflow to start the run"
    if job_status != "failed":
        return None
    failed = [t.task_id for t in steps.values() if t.state in ("failed", "upstream_failed")]
    failed += [a.agent for a in agents if a.task_state == "failed"]
    if plan is None:
        return "the plan step failed before any agent ran; see the task log of plan_query in Airflow"
    errors = [f"{a.agent}: {a.result.error}" for a in agents if a.result is not None and a.result.error]
    return "failed: " + ", ".join(failed or ["the run"]) + (f" ({'; '.join(errors)})" if errors else "")
