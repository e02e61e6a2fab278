"""GET /jobs/{job_id}: where an ad-hoc run is, each agent's task and result, the record.

The state comes from Airflow; the results from the run's work area in the lake and the
history. When the lake or the history cannot be read, the job page still answers with
Airflow's state and says what it could not read (instead of a 503 for as long as S3 is
down), and a run that failed shows ``failed`` with the steps and agents at fault.

Job states: ``queued`` and ``running`` as Airflow has them; once the run ended,
``success`` when every agent has a result (fresh, or from the history for this same text)
and no step failed, ``partial`` when some agents have one and others failed or did not run
or the rewrite check could not run on the warehouse (the message says which and why),
``failed`` when none has.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable

from fastapi import APIRouter, HTTPException, Request, status

from api.deps import AirflowDep, HistoryDep, LakeDep, Reader, SettingsDep
from api.models import AgentProgress, Job, JobRequest, Problem, StepProgress
from redshift_optimizer.errors import OptimizerError
from redshift_optimizer.fingerprint import fingerprint
from redshift_optimizer.models.agents import AGENT_NAMES, AgentResult, agent_task_id
from redshift_optimizer.models.runs import RunPlan
from redshift_optimizer.pipelines.adhoc_optimization import UNCHECKED_NOTE, is_job_id, job_record, job_results

router = APIRouter(prefix="/jobs", tags=["jobs"])

_FAILED_TASK = ("failed", "upstream_failed")


def _missing(job_id: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND,
                         f"no job {job_id!r}: job ids are what POST /optimize/redshift answered "
                         "(adhoc__ and 24 hex digits)")


@router.get(
    "/{job_id}",
    response_model=Job,
    summary="Follow a job",
    responses={401: {"model": Problem}, 403: {"model": Problem}, 404: {"model": Problem},
               503: {"model": Problem, "description": "Airflow is unreachable (setting OPTIMIZER_API_AIRFLOW_URL)"}},
)
def get_job(job_id: str, request: Request, caller: Reader, settings: SettingsDep, airflow: AirflowDep,
            lake: LakeDep, history: HistoryDep) -> Job:
    """queued / running / success / partial / failed, each agent's task state and result as
    soon as the agent finished, and the job's record once it ended."""
    if not is_job_id(job_id):
        raise _missing(job_id)
    cache = getattr(request.app.state, "job_cache", None) or JobCache(0)
    return cache.get(job_id, lambda: _read_job(job_id, settings, airflow, lake, history))


class JobCache:
    """The answers of GET /jobs by job id. A live job's answer is served for ``seconds``: every
    poll of every page and client otherwise asks Airflow's API two or three times and reads the
    lake, and with dozens of jobs followed at once that load is what slows Airflow down. The
    answer of a job that ended, with everything read, is served for ``ENDED_SECONDS`` (it
    changes only if an operator clears the run in Airflow to run it again). At most ``size``
    answers; callers asking the same job at once share one read."""

    ENDED_SECONDS = 60.0

    def __init__(self, seconds: float, size: int = 1024, clock: Callable[[], float] = time.monotonic):
        self.seconds, self.size, self.clock = seconds, size, clock
        self._jobs: OrderedDict[str, tuple[float, Job]] = OrderedDict()  # id -> (fresh until, answer)
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def _fresh(self, job_id: str) -> Job | None:
        cached = self._jobs.get(job_id)
        return cached[1] if cached is not None and self.clock() < cached[0] else None

    def get(self, job_id: str, read: Callable[[], tuple[Job, bool]]) -> Job:
        if self.seconds <= 0:
            return read()[0]
        job = self._fresh(job_id)
        if job is not None:
            return job
        with self._lock:
            lock = self._locks.setdefault(job_id, threading.Lock())
        with lock:
            job = self._fresh(job_id)
            if job is None:
                job, ended = read()
                seconds = max(self.seconds, self.ENDED_SECONDS) if ended else self.seconds
                with self._lock:
                    self._jobs[job_id] = (self.clock() + seconds, job)
                    self._jobs.move_to_end(job_id)
                    while len(self._jobs) > self.size:
                        dropped, _ = self._jobs.popitem(last=False)
                        self._locks.pop(dropped, None)
            return job


def _read_job(job_id: str, settings, airflow, lake, history) -> tuple[Job, bool]:
    """The job as Airflow, the lake and the history have it, and whether that is final (the run
    ended and everything could be read)."""
    run = airflow.dag_run(settings.dag_id, job_id)
    if run is None:
        raise _missing(job_id)
    conf = run.conf or {}
    tasks = {t.task_id: t for t in airflow.task_states(settings.dag_id, job_id) if t.map_index < 1}
    unreadable: list[str] = []
    try:
        plan, results = job_results(lake, job_id)
    except OptimizerError as exc:  # S3 down: Airflow's state is still worth showing
        plan, results = None, {}
        unreadable.append(f"the lake ({' '.join(str(exc).split())})")
    query_hash = plan.queries[0].query_hash if plan else fingerprint(str(conf.get("sql") or "")).query_hash
    ended = run.state in ("success", "failed")
    record = None
    if ended and plan is not None:
        try:
            record = job_record(plan, results, history)
        except OptimizerError as exc:
            unreadable.append(f"the history ({' '.join(str(exc).split())})")
    answers = dict(record.agents) if record is not None else {}
    agents = []
    for agent in AGENT_NAMES:
        task = tasks.pop(agent_task_id(agent), None)
        agents.append(AgentProgress(agent=agent, task_state=task.state if task else None,
                                    result=results.get(agent) or answers.get(agent)))
    steps = [StepProgress(task_id=t.task_id, state=t.state) for t in tasks.values()]
    job_status, message = _state(run.state, agents, steps, plan, bool(unreadable))
    if unreadable:
        message = ((message + "; ") if message else "") + (
            f"the state is Airflow's: cannot read {' and '.join(unreadable)}")
    job = Job(
        job_id=job_id, query_hash=query_hash, status=job_status, queued_at=run.queued_at,
        started_at=run.start_date, finished_at=run.end_date,
        request=JobRequest(sql=conf.get("sql"), database=conf.get("database"), schema=conf.get("schema"),
                           requested_by=conf.get("requested_by")),
        agents=agents, steps=steps, results=record, message=message,
    )
    if job_status == "queued" and airflow.is_paused(settings.dag_id):
        job.message = f"the DAG {settings.dag_id} is paused in Airflow: the job waits until it is unpaused"
    return job, ended and not unreadable and (plan is None or record is not None)


def _state(run_state: str, agents: list[AgentProgress], steps: list[StepProgress], plan: RunPlan | None,
           blind: bool) -> tuple[str, str | None]:
    """(job status, message) from Airflow's run state and what the agents left."""
    if run_state == "queued":
        return "queued", "waiting for Airflow to start the run"
    if run_state not in ("success", "failed"):
        return "running", None
    failed_steps = [s.task_id for s in steps if s.state in _FAILED_TASK]
    if plan is None and not blind:
        return "failed", "the plan step failed before any agent ran; see the task log of plan_query in Airflow"
    if blind:  # nothing read from the lake: Airflow's word only
        if run_state == "failed":
            return "failed", "failed: " + ", ".join(failed_steps + [a.agent for a in agents
                                                                     if a.task_state in _FAILED_TASK] or ["the run"])
        return "success", None
    succeeded = [a.agent for a in agents if a.result is not None and a.result.succeeded]
    problems = [f"{a.agent}: {_why(a.result, a.task_state, failed_steps)}" for a in agents
                if a.result is None or not a.result.succeeded]
    problems += [f"step {step} failed" for step in failed_steps]
    problems += [f"{a.agent}: its rewrite could not be checked on the warehouse "
                 f"({' '.join(note[len(UNCHECKED_NOTE):].split())[:200]})"
                 for a in agents if a.result is not None and a.result.succeeded
                 for note in a.result.verification_notes if note.startswith(UNCHECKED_NOTE)]
    if not problems:
        return "success", None
    if not succeeded:
        return "failed", "failed: " + "; ".join(problems)
    return "partial", f"{len(succeeded)} of {len(agents)} agents have results; " + "; ".join(problems)


def _why(result: AgentResult | None, task_state: str | None, failed_steps: list[str]) -> str:
    if result is not None and result.error:
        return " ".join(result.error.split())[:300]
    if task_state == "upstream_failed":
        return "did not run" + (f" ({', '.join(failed_steps)} failed)" if failed_steps else "")
    if task_state == "failed":
        return "its task failed; see its log in Airflow"
    return f"no result (task {task_state or 'not created'})"


