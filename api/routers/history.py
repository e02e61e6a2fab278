"""GET /history and GET /history/{query_hash}: the stored analyses, through HistoryStore.

The store's page cursor is wrapped in the API's own, which carries a digest of the filters
it was made for and is signed with the server's secret (HMAC-SHA256, setting
OPTIMIZER_API_CURSOR_SECRET); the signature is checked before anything in the cursor is
read: a cursor from another listing, altered, or made up is a 422 and never reaches
DynamoDB.

Listings are served from memory for ``OPTIMIZER_API_HISTORY_CACHE_SECONDS`` (default 5; 0
turns it off), and renewed in the background while they are less than twice that old (so a
listing is at most about 10 s behind the table by default): the history changes when a run
stores its results, and the page many people have open asks the same listing again and
again. Callers asking the same missing listing at the same moment share one DynamoDB read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Path, Query, Request, status

from api.deps import HistoryDep, Reader, SettingsDep
from api.models import QUERY_HASH, AgentName, HistoryListing, Problem, QueryHistory
from redshift_optimizer.history.store import HistoryPage
from redshift_optimizer.models.findings import Severity

router = APIRouter(prefix="/history", tags=["history"])

#: Run days the history can hold.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)
_REFUSED = ("cursor is not one this listing gave out (filters changed, or it was altered, or the API "
            "restarted without setting OPTIMIZER_API_CURSOR_SECRET): start again without cursor")


def _bad(message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, message)


def _filters_digest(filters: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(filters, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def wrap_cursor(store_cursor: str, filters: dict[str, Any], secret: str) -> str:
    """``<payload>.<signature>``: the store's cursor and the filters' digest, signed."""
    payload = _b64(json.dumps({"f": _filters_digest(filters), "c": store_cursor}).encode())
    return f"{payload}.{_signature(secret, payload)}"


def unwrap_cursor(cursor: str, filters: dict[str, Any], secret: str) -> str:
    """The store's cursor inside ours, once its signature and filters are checked."""
    payload, _, signature = cursor.partition(".")
    if not signature or not hmac.compare_digest(_signature(secret, payload), signature):
        raise _bad(_REFUSED)
    try:
        envelope = json.loads(_unb64(payload))
        valid = envelope["f"] == _filters_digest(filters) and isinstance(envelope["c"], str)
    except (ValueError, TypeError, KeyError):
        valid = False
    if not valid:
        raise _bad(_REFUSED)
    return envelope["c"]


class PageCache:
    """History pages by (listing, cursor), fresh for ``seconds``. A page older than that is
    still served, while one background read renews it, until it is twice that old; then the
    caller waits for the read. Callers asking the same missing page at once share one read."""

    def __init__(self, seconds: float, size: int = 512):
        self.seconds = seconds
        self.size = size
        self._pages: dict[tuple, tuple[float, HistoryPage]] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._renewing: set[tuple] = set()
        self._lock = threading.Lock()

    def get(self, key: tuple, read) -> HistoryPage:
        if self.seconds <= 0:
            return read()
        cached = self._pages.get(key)
        if cached is not None:
            age = time.monotonic() - cached[0]
            if age < self.seconds:
                return cached[1]
            if age < 2 * self.seconds:
                self._renew(key, read)
                return cached[1]
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # the same page asked at once: one DynamoDB read, the others wait for it
            cached = self._pages.get(key)
            if cached is not None and time.monotonic() - cached[0] < self.seconds:
                return cached[1]
            return self._store(key, read())

    def _renew(self, key: tuple, read) -> None:
        with self._lock:
            if key in self._renewing:
                return
            self._renewing.add(key)

        def renew() -> None:
            try:
                self._store(key, read())
            except Exception:  # noqa: BLE001 - the next caller reads it and gets the error
                with self._lock:
                    self._pages.pop(key, None)
            finally:
                with self._lock:
                    self._renewing.discard(key)

        threading.Thread(target=renew, name="history-page-renewal", daemon=True).start()

    def _store(self, key: tuple, page: HistoryPage) -> HistoryPage:
        now = time.monotonic()
        with self._lock:
            if len(self._pages) >= self.size and key not in self._pages:
                stale = [k for k, (at, _) in self._pages.items() if now - at >= 2 * self.seconds]
                for k in stale or list(self._pages)[: self.size // 2]:
                    self._pages.pop(k, None)
                    self._locks.pop(k, None)
            self._pages[key] = (now, page)
        return page


@router.get(
    "",
    response_model=HistoryListing,
    summary="List analyses",
    responses={401: {"model": Problem}, 403: {"model": Problem}, 422: {"model": Problem},
               503: {"model": Problem, "description": "DynamoDB is unreachable"}},
)
def list_history(
    request: Request,
    caller: Reader,
    settings: SettingsDep,
    history: HistoryDep,
    from_: Annotated[date | None, Query(alias="from", description="first run day (default: to - 30 days)")] = None,
    to: Annotated[date | None, Query(description="last run day (default: today, UTC)")] = None,
    severity: Annotated[Severity | None, Query(description="only records of exactly this severity")] = None,
    agent: Annotated[AgentName | None, Query(description="only records where this agent succeeded")] = None,
    code: Annotated[str | None, Query(pattern=r"^[QTCVqtcv]\d{3}$", description="only records with this finding code")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="page size (at most setting history_max_limit)")] = 50,
    cursor: Annotated[str | None, Query(max_length=4096, description="from the previous page")] = None,
) -> HistoryListing:
    """Summaries of the analyses whose run day is in [from, to], newest day first, filtered
    by severity, agent and finding code; paginated with ``cursor``."""
    if limit > settings.history_max_limit:
        raise _bad(f"limit {limit} is over {settings.history_max_limit} (setting OPTIMIZER_API_HISTORY_MAX_LIMIT)")
    for name, day in (("from", from_), ("to", to)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise _bad(f"{name} ({day}) is outside {FIRST_DAY}..{LAST_DAY}")
    to = to or datetime.now(timezone.utc).date()
    from_ = from_ or max(to - timedelta(days=30), FIRST_DAY)
    if from_ > to:
        raise _bad(f"from ({from_}) is after to ({to})")
    if (to - from_).days + 1 > settings.history_max_days:
        raise _bad(f"from..to spans {(to - from_).days + 1} days; at most {settings.history_max_days} "
                   "(setting OPTIMIZER_API_HISTORY_MAX_DAYS)")
    code = code.upper() if code else None
    filters = {"from": from_, "to": to, "severity": severity, "agent": agent, "code": code, "limit": limit}
    secret = settings.cursor_secret.get_secret_value()
    store_cursor = unwrap_cursor(cursor, filters, secret) if cursor else None
    def read() -> HistoryPage:
        return history.list(from_date=from_, to_date=to, severity=severity, agent=agent, code=code,
                            limit=limit, cursor=store_cursor)

    cache = getattr(request.app.state, "history_cache", None) or PageCache(0)
    try:
        page = cache.get((_filters_digest(filters), store_cursor), read)
    except ValueError as exc:
        raise _bad(str(exc)) from None
    next_cursor = wrap_cursor(page.cursor, filters, secret) if page.cursor else None
    next_url = None
    if next_cursor:
        query = {k: v for k, v in {"from": from_, "to": to, "severity": severity.value if severity else None,
                                   "agent": agent, "code": code, "limit": limit, "cursor": next_cursor}.items()
                 if v is not None}
        next_url = f"{request.url.path}?{urlencode(query)}"
    return HistoryListing(items=page.items, cursor=next_cursor, next_url=next_url)


@router.get(
    "/{query_hash}",
    response_model=QueryHistory,
    summary="Every analysis of one query",
    responses={401: {"model": Problem}, 403: {"model": Problem}, 404: {"model": Problem},
               503: {"model": Problem, "description": "DynamoDB is unreachable"}},
)
def query_history(
    query_hash: Annotated[str, Path(pattern=QUERY_HASH, description="the query's fingerprint")],
    caller: Reader,
    history: HistoryDep,
) -> QueryHistory:
    """Every stored analysis of one fingerprint, newest first, with each agent's result."""
    records = history.get(query_hash)
    if not records:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no analysis of query {query_hash} in the history")
    return QueryHistory(query_hash=query_hash, records=records)
