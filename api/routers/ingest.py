"""POST /ingest/bedrock: results produced outside Airflow, stored like the DAGs' results.

The body is the migration playbook's: the query (hash and text), each agent's answer with
the playbook's output fields, and recommendations. Each answer is checked against the
agent's output model; the record is merged into what the history has for the same
analysis identity (a stored success is kept, as the DAG's persist step does), archived in
S3 and put in DynamoDB with a higher revision.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import ValidationError

from api.deps import HistoryDep, Ingester, LakeDep, SettingsDep
from api.models import BedrockIngest, IngestedAgent, Ingested, Problem, Recommendation
from redshift_optimizer.fingerprint import fingerprint
from redshift_optimizer.agents.registry import agent as agent_unit
from redshift_optimizer.history.archive import RecommendationArchive
from redshift_optimizer.models.agents import (
    AGENT_NAMES,
    AgentResult,
    AnalysisRecord,
    QueryInfo,
    analysis_timestamp,
)
from redshift_optimizer.models.lake import utc_timestamp

router = APIRouter(prefix="/ingest", tags=["ingest"])


def _unprocessable(message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, message)


def agent_result(name: str, answer: IngestedAgent, query_hash: str, body: BedrockIngest,
                 recommendations: list[str], now: str) -> AgentResult:
    """One agent's answer in the result envelope, its output checked against the model."""
    fields = {k: v for k, v in (answer.model_extra or {}).items()}
    try:
        output = agent_unit(name).output.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _unprocessable(f"agents.{name}.{where}: {first['msg']}") from None
    severity = max((f.severity for f in answer.findings), default=None)
    confidence = answer.confidence if answer.confidence is not None else getattr(output, "confidence_score", 0.0)
    return AgentResult(
        agent_name=name, query_hash=query_hash, severity=severity, confidence=confidence,
        action_items=[*answer.action_items, *recommendations],
        findings=[f.model_copy(update={"query_hash": query_hash}) for f in answer.findings],
        output=output.model_dump(mode="json"), engine="bedrock", model_id=answer.model_id or body.model_id,
        prompt_version=body.prompt_version, started_at=now, finished_at=now,
    )


@router.post(
    "/bedrock",
    response_model=Ingested,
    status_code=status.HTTP_201_CREATED,
    summary="Store results produced outside Airflow",
    responses={200: {"model": Ingested, "description": "the history had these results already"},
               401: {"model": Problem}, 403: {"model": Problem}, 413: {"model": Problem},
               422: {"model": Problem}, 503: {"model": Problem, "description": "S3 or DynamoDB is unreachable"}},
)
def ingest_bedrock(body: BedrockIngest, response: Response, caller: Ingester, settings: SettingsDep,
                   lake: LakeDep, history: HistoryDep) -> Ingested:
    """Check the body, merge it into the history's record of the same analysis identity
    (day, engine ``bedrock``, prompt version, snapshot), archive and store it."""
    if len(body.query_text) > settings.max_sql_chars:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                            f"query_text is {len(body.query_text):,} characters; at most "
                            f"{settings.max_sql_chars:,} (setting OPTIMIZER_API_MAX_SQL_CHARS)")
    fp = fingerprint(body.query_text)
    if fp.query_hash != body.query_hash:
        raise _unprocessable(f"query_hash {body.query_hash} is not the fingerprint of query_text "
                             f"({fp.query_hash}): the history is keyed by the product's fingerprint")
    now_dt = datetime.now(timezone.utc)
    now = utc_timestamp(now_dt)
    day = (body.run_date or now_dt.date()).isoformat()
    schema_version = body.schema_version or "external"
    timestamp = analysis_timestamp(day, "bedrock", body.prompt_version, schema_version)

    shared = [r for r in body.recommendations if isinstance(r, str) or r.agent is None]
    new = {}
    for name in AGENT_NAMES:
        if name not in body.agents:
            continue
        mine = [r.text if isinstance(r, Recommendation) else r for r in body.recommendations
                if r in shared or (isinstance(r, Recommendation) and r.agent == name)]
        new[name] = agent_result(name, body.agents[name], body.query_hash, body, mine, now)

    archive = RecommendationArchive(lake)
    existing = history.find(body.query_hash, timestamp)
    merged = dict(existing.agents) if existing else {}
    kept = [name for name in new if name in merged and merged[name].succeeded]
    changed = [name for name in new if name not in kept]
    uri = archive.uri(day, body.query_hash)
    if not changed:
        response.status_code = status.HTTP_200_OK
        return Ingested(query_hash=body.query_hash, analysis_timestamp=timestamp, stored=False,
                        archive_uri=uri, kept=kept)
    merged.update({name: new[name] for name in changed})
    record = AnalysisRecord(
        query_hash=body.query_hash, analysis_timestamp=timestamp, run_date=day, analyzed_at=now,
        engine="bedrock", prompt_version=body.prompt_version, schema_version=schema_version,
        model_id=body.model_id,
        query=existing.query if existing else QueryInfo(query_hash=body.query_hash, fingerprint=fp.text,
                                                        query_text=body.query_text, database=body.database),
        agents={name: merged[name] for name in AGENT_NAMES if name in merged},
        archive_uri=uri, revision=(existing.revision + 1) if existing else 1,
    )
    archive.store(record)
    stored = history.put(record)
    if not stored:  # another writer stored a newer revision meanwhile
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"the history of {body.query_hash} changed while storing: send the results again")
    return Ingested(query_hash=body.query_hash, analysis_timestamp=timestamp, stored=True, archive_uri=uri,
                    kept=kept)
