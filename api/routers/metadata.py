"""GET /metadata/schema and /metadata/data-profile: the lake's JSON as the refresh wrote it,
cached in memory, with its S3 ETag for If-None-Match (304 when unchanged)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Response, status

from api.deps import LakeDep, Reader
from api.models import Problem
from redshift_optimizer import lake_keys
from redshift_optimizer.models.lake import LakeObject

router = APIRouter(prefix="/metadata", tags=["metadata"])

_DOCUMENT = {
    200: {"description": "the JSON document of the metadata contract",
          "content": {"application/json": {"schema": {"type": "object"}}},
          "headers": {"ETag": {"description": "S3's entity tag of the object", "schema": {"type": "string"}}}},
    304: {"description": "unchanged since the ETag given in If-None-Match"},
    401: {"model": Problem}, 403: {"model": Problem}, 404: {"model": Problem},
    503: {"model": Problem, "description": "S3 is unreachable"},
}


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


def _document(found: LakeObject, if_none_match: str | None, filename: str) -> Response:
    headers = {"ETag": found.etag, "Cache-Control": "private, no-cache",
               "Content-Disposition": f'inline; filename="{filename}"'}
    if _matches(if_none_match, found.etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(found.body, media_type="application/json", headers=headers)


IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match", max_length=1024,
                                           description="an ETag from an earlier answer")]


@router.get("/schema", summary="The latest schema snapshot", response_class=Response, responses=_DOCUMENT)
def schema_snapshot(lake: LakeDep, caller: Reader, if_none_match: IfNoneMatch = None) -> Response:
    """``metadata/schema/schema.json``: tables, columns and physical design."""
    found = lake.get(lake_keys.schema_latest())
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"no schema snapshot at {lake.uri(lake_keys.schema_latest())} yet: run the metadata refresh")
    return _document(found, if_none_match, "schema.json")


@router.get("/data-profile", summary="A day's data profile", response_class=Response, responses=_DOCUMENT)
def data_profile(
    lake: LakeDep,
    caller: Reader,
    date_: Annotated[date | None, Query(alias="date", description="the profile's day (default: the newest)")] = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """``metadata/data_profile/profile-YYYYMMDD.json``: per-column statistics."""
    key = lake_keys.profile(date_) if date_ else lake.latest_key(lake_keys.PROFILE_PREFIX, ".json")
    found = lake.get(key) if key else None
    if found is None:
        what = f"for {date_}" if date_ else "yet"
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"no data profile {what} under {lake.uri(lake_keys.PROFILE_PREFIX)}: run the metadata refresh")
    return _document(found, if_none_match, key.rsplit("/", 1)[-1])
