"""The public change feed of the whole catalogue (a portal's own is in app/routers/portals.py)."""

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Response

from app.deps import SessionDep
from app.models.changes import ChangePage
from app.openapi import documented
from app.services import changes as service

router = APIRouter(prefix="/api/v1/changes", tags=["change feed"])

SinceQuery = Annotated[
    str | None,
    Query(
        max_length=100,
        description="`next_cursor` of the previous page; leave out to start at the beginning",
    ),
]
LimitQuery = Annotated[int, Query(ge=1, le=1000)]


@router.get("", response_model=ChangePage, responses=documented(410))
def list_changes(
    session: SessionDep, since: SinceQuery = None, limit: LimitQuery = 100
) -> Response:
    """Every change of what the public can see, in commit order: an upsert carries the offer
    as `GET /offers/{id}` shows it, a removal its id and reason. Follow `next_cursor` until
    `has_more` is false, then poll with the last cursor. 422: the cursor is not one of this
    feed's (also one beyond its newest change); 410: it is older than the retained history,
    start over without `since`."""
    after = service.start_after(session=session, since=since)
    page = service.read_changes(session=session, after=after, limit=limit)
    return Response(orjson.dumps(page.as_dict()), media_type="application/json")
