"""The API application: ``create_app()`` builds it from the settings.

Run it with uvicorn's factory mode (the settings are read when the app is built, so a
missing one stops the start with its name)::

    OPTIMIZER_API_API_KEYS=local-dev-key uvicorn --factory api.main:create_app --port 8000

Errors are deliberate: bad input is a 4xx naming the problem; a dependency that cannot be
reached (Airflow, S3, DynamoDB) is a 503 naming it and its setting; a 500 is a bug.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from api.airflow_client import AirflowClient, AirflowError, AirflowUnavailable, airflow_client
from api.deps import credentials, unavailable_message
from api.routers import health, history, ingest, jobs, metadata, optimize
from api.settings import ENV_PREFIX, ApiSettings, load_api_settings
from redshift_optimizer.adapters.lake import MetadataLake
from redshift_optimizer.errors import OptimizerError
from redshift_optimizer.history import DynamoHistoryStore
from redshift_optimizer.history.archive import archive_reader
from redshift_optimizer.history.store import HistoryStore
from redshift_optimizer.models.lake import Lake

STATIC = Path(__file__).resolve().parent / "static"

DESCRIPTION = """\
Submit one Redshift query and get the four agents' view on it (query optimizer, schema
normalizer, cost saver, data validation), follow the job, browse the history of analyses
and read the metadata lake, without opening Airflow.

Authenticate with an API key in `X-API-Key` (or `Authorization: Bearer <key>`);
`/health`, `/ready` and the page need none. The page is at `/`.
"""


class BodyGuard:
    """Reads a request body whole before the application sees it, so that:

    - a body over ``limit`` bytes is a 413 naming the setting, whether it declares its
      length (refused before reading) or comes chunked (refused once ``limit`` is passed);
    - a JSON body holding malformed Unicode (a lone UTF-16 surrogate such as ``\\ud800``,
      which no UTF-8 text can carry) is a 422 naming where, not a 500 further in.
    """

    def __init__(self, app: Any, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send, 413, f"the request body is over {self.limit:,} bytes "
                                          "(setting OPTIMIZER_API_MAX_BODY_BYTES)")
            return
        chunks, seen, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body = message.get("body", b"")
            seen += len(body)
            if seen > self.limit:
                await self._refuse(send, 413, f"the request body is over {self.limit:,} bytes "
                                              "(setting OPTIMIZER_API_MAX_BODY_BYTES)")
                return
            chunks.append(body)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        content_type = headers.get(b"content-type", b"").lower()
        if b"\\u" in body and (not content_type or b"json" in content_type):  # FastAPI reads both as JSON
            problem = malformed_unicode(body)
            if problem:
                await self._refuse(send, 422, [{"loc": ["body", *problem], "type": "unicode",
                                                "msg": "malformed Unicode: a lone UTF-16 surrogate, which is not text"}])
                return
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(send: Any, status_code: int, detail: Any) -> None:
        await JSONResponse({"detail": detail}, status_code=status_code)({"type": "http"}, None, send)


def malformed_unicode(body: bytes) -> list[Any] | None:
    """Where in a JSON body a string (or key) holds a lone surrogate; None when nowhere
    (or when the body is not JSON: the application reports that)."""
    import json

    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    stack: list[tuple[list[Any], Any]] = [([], document)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if not _encodable(value):
                return where
        elif isinstance(value, dict):
            for key, item in value.items():
                if not _encodable(key):
                    return where + [key.encode("utf-8", "replace").decode()]
                stack.append((where + [key], item))
        elif isinstance(value, list):
            stack.extend((where + [index], item) for index, item in enumerate(value))
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def create_app(
    settings: ApiSettings | None = None,
    *,
    airflow: AirflowClient | None = None,
    history_store: HistoryStore | None = None,
    lake: Lake | None = None,
) -> FastAPI:
    """The application with its clients; each client can be given (tests), else it is
    built from the settings."""
    settings = settings or load_api_settings()
    if lake is None or history_store is None:
        import boto3
        from botocore.config import Config

        # An endpoint that is down answers within seconds (a 503 naming it), not minutes.
        aws = Config(connect_timeout=3, read_timeout=20, retries={"max_attempts": 2, "mode": "standard"})
    if lake is None:
        lake = MetadataLake(settings.bucket, settings.key_prefix,
                            client=boto3.client("s3", region_name=settings.aws_region, config=aws),
                            cache_seconds=settings.metadata_cache_seconds,
                            bucket_setting=f"{ENV_PREFIX}BUCKET", prefix_setting=f"{ENV_PREFIX}KEY_PREFIX")
    if history_store is None:
        history_store = DynamoHistoryStore(
            settings.history_table, client=boto3.client("dynamodb", region_name=settings.aws_region, config=aws),
            archive_reader=archive_reader(lake))

    app = FastAPI(title="Redshift Query Optimizer API", version="1.0.0", description=DESCRIPTION)
    app.state.settings = settings
    app.state.credentials = credentials(settings)
    app.state.airflow = airflow or airflow_client(settings)
    app.state.history = history_store
    app.state.lake = lake
    app.state.history_cache = history.PageCache(settings.history_cache_seconds)
    app.state.job_cache = jobs.JobCache(settings.job_cache_seconds)

    for module in (optimize, jobs, history, metadata, ingest, health):
        app.include_router(module.router)

    @app.exception_handler(AirflowUnavailable)
    @app.exception_handler(OptimizerError)  # LakeError, HistoryError, ConfigurationError
    def dependency_unavailable(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": unavailable_message(exc)}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)

    @app.exception_handler(AirflowError)
    def airflow_refused(request: Request, exc: AirflowError) -> JSONResponse:
        return JSONResponse({"detail": " ".join(str(exc).split())}, status_code=status.HTTP_502_BAD_GATEWAY)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    app.add_middleware(BodyGuard, limit=settings.max_body_bytes)
    return app


__all__ = ["create_app"]
