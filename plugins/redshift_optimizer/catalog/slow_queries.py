"""The day's slow queries, grouped by fingerprint, with one full example text each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from redshift_optimizer.errors import WarehouseError
from redshift_optimizer.fingerprint import fingerprint
from redshift_optimizer.models.lake import SlowQueries, SlowQuery, utc_timestamp
from redshift_optimizer.warehouse import Warehouse

SOURCES = (("slow_queries", "SYS_QUERY_HISTORY"), ("slow_queries_stl", "STL_QUERY"))


def _timestamp(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return utc_timestamp(value)


def _number(value: Any) -> float | None:
    return None if value is None else round(float(value), 3)


def collect_slow_queries(
    warehouse: Warehouse,
    window_start: datetime,
    window_end: datetime,
    threshold_ms: float,
    limit: int,
) -> SlowQueries:
    """Statements of the window slower than ``threshold_ms``, grouped by fingerprint.

    Reads SYS_QUERY_HISTORY/SYS_QUERY_TEXT; when the SYS views are not there (an older
    provisioned cluster), falls back to STL_QUERY/STL_WLM_QUERY/STL_QUERYTEXT.
    """
    params = {
        "window_start": window_start.strftime("%Y-%m-%d %H:%M:%S"),
        "window_end": window_end.strftime("%Y-%m-%d %H:%M:%S"),
        "threshold_us": int(threshold_ms * 1000),
        "limit": limit,
    }
    errors = []
    for statement, source_view in SOURCES:
        try:
            rows = warehouse.run(statement, params)
        except WarehouseError as exc:
            errors.append(f"{source_view}: {exc}")
            continue
        return SlowQueries(
            window_start=utc_timestamp(window_start),
            window_end=utc_timestamp(window_end),
            threshold_ms=threshold_ms,
            source_view=source_view,
            queries=_group(rows)[:limit],
        )
    raise WarehouseError("cannot read the query history: " + "; ".join(errors))


def _group(rows: list[dict[str, Any]]) -> list[SlowQuery]:
    """Join each group's text chunks, then merge groups whose fingerprints are equal."""
    texts: dict[str, list[str]] = {}
    heads: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = str(row["group_hash"]).strip()
        heads.setdefault(key, row)
        texts.setdefault(key, []).append(row["text"] or "")

    merged: dict[str, SlowQuery] = {}
    for key, head in heads.items():
        # Chunks are fixed-width; only the last one may carry CHAR padding.
        text = "".join(texts[key]).rstrip()
        fp = fingerprint(text)
        query = SlowQuery(
            query_hash=fp.query_hash,
            fingerprint=fp.text,
            query_text=text,
            database=(head.get("database_name") or "").strip() or None,
            user=(head.get("user_name") or "").strip() or None,
            executions=int(head["executions"]),
            total_elapsed_ms=_number(head["total_elapsed_ms"]),
            max_elapsed_ms=_number(head["max_elapsed_ms"]),
            queue_ms=_number(head.get("queue_ms")),
            compile_ms=_number(head.get("compile_ms")),
            returned_rows=None if head.get("max_returned_rows") is None else int(head["max_returned_rows"]),
            first_seen=_timestamp(head.get("first_seen")),
            last_seen=_timestamp(head.get("last_seen")),
        )
        if fp.query_hash in merged:
            query = _merge(merged[fp.query_hash], query)
        merged[fp.query_hash] = query
    for query in merged.values():
        if query.total_elapsed_ms is not None and query.executions:
            query.mean_elapsed_ms = round(query.total_elapsed_ms / query.executions, 3)
    return sorted(merged.values(), key=lambda q: (-(q.total_elapsed_ms or 0), q.query_hash))


def _add(a: float | None, b: float | None) -> float | None:
    return None if a is None and b is None else (a or 0) + (b or 0)


def _merge(a: SlowQuery, b: SlowQuery) -> SlowQuery:
    """Two groups of one fingerprint: sums, extremes, and the busier group's example."""
    main = a if (a.total_elapsed_ms or 0) >= (b.total_elapsed_ms or 0) else b
    return main.model_copy(update={
        "executions": a.executions + b.executions,
        "total_elapsed_ms": _add(a.total_elapsed_ms, b.total_elapsed_ms),
        "max_elapsed_ms": max(a.max_elapsed_ms or 0, b.max_elapsed_ms or 0),
        "queue_ms": _add(a.queue_ms, b.queue_ms),
        "compile_ms": _add(a.compile_ms, b.compile_ms),
        "returned_rows": max(a.returned_rows or 0, b.returned_rows or 0)
        if a.returned_rows is not None or b.returned_rows is not None else None,
        "first_seen": min(filter(None, [a.first_seen, b.first_seen]), default=None),
        "last_seen": max(filter(None, [a.last_seen, b.last_seen]), default=None),
    })
