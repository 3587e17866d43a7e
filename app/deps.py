"""Dependency aliases for the routers: one session (one transaction) per request, the caller."""

from collections.abc import Iterator
from typing import Annotated, Any, get_origin

import anyio
from fastapi import Depends, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import ValidationError
from sqlmodel import Session

from app.db import get_engine, session_scope
from app.errors import Forbidden, Unauthorized
from app.models.api_key import Role
from app.models.search import SearchParams
from app.openapi import bearer_scheme
from app.rate_limits import Limited, client_address, rate_limits_of
from app.search.service import known_queries
from app.services.auth import Actor, authenticate, require_admin


def get_session() -> Iterator[Session]:
    """Commit when the endpoint returned, roll back when it raised: one transaction per request."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# scope="function": the commit happens before the response is sent, so a 2xx means committed.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _bearer(header: str) -> str:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("use 'Authorization: Bearer <key>'")
    return token.strip()


def _authenticate(token: str) -> Actor:
    with session_scope() as session:
        return authenticate(session=session, token=token)


_READS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_optional_actor(
    request: Request,
    # Declares the bearer scheme in the OpenAPI document ("Authorize" in /docs); the header
    # itself is read below, and a malformed one answers 401.
    _scheme: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
) -> Actor | None:
    """The caller of a request that may carry a key. The key is checked in a session of its
    own, held only for that look-up: the request's session takes a connection only when the
    route uses it, after the body has arrived, so slow uploads cannot hold the pool."""
    header = request.headers.get("authorization")
    if not header:
        return None
    limits = rate_limits_of(request)
    address = client_address(request.scope)
    await limits.refuse_if_exceeded(Limited.auth_failures, address)
    try:
        actor = await anyio.to_thread.run_sync(_authenticate, _bearer(header))
    except Unauthorized:
        await limits.hit(Limited.auth_failures, address)
        raise
    if request.method not in _READS and actor.key_id is not None:
        kind = Limited.imports if request.url.path.startswith("/api/v1/imports") else Limited.writes
        await limits.hit(kind, f"key:{actor.key_id}")
    return actor


def _signed_in(actor: Actor | None) -> Actor:
    if actor is None:
        raise Unauthorized("this needs an API key: 'Authorization: Bearer <key>'")
    return actor


def get_actor(actor: Annotated[Actor | None, Depends(get_optional_actor)]) -> Actor:
    """A provider or an admin: the keys that manage the catalogue."""
    actor = _signed_in(actor)
    if actor.role == Role.analyst:
        raise Forbidden("an analyst key reads monitoring figures only")
    if actor.role == Role.operator:
        raise Forbidden("an operator key manages its portals' webhooks only")
    return actor


def get_monitoring_actor(actor: Annotated[Actor | None, Depends(get_optional_actor)]) -> Actor:
    """An admin (every region) or an analyst (its portals); providers see no figures."""
    actor = _signed_in(actor)
    if actor.role not in (Role.admin, Role.analyst):
        raise Forbidden("monitoring figures need an analyst or admin key")
    return actor


def get_webhook_actor(actor: Annotated[Actor | None, Depends(get_optional_actor)]) -> Actor:
    """An admin (any endpoint) or a portal operator (its portals' endpoints)."""
    actor = _signed_in(actor)
    if actor.role not in (Role.admin, Role.operator):
        raise Forbidden("webhooks need an admin or a portal operator key")
    return actor


def get_admin(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
    require_admin(actor)
    return actor


OptionalActorDep = Annotated[Actor | None, Depends(get_optional_actor)]
ActorDep = Annotated[Actor, Depends(get_actor)]
AdminDep = Annotated[Actor, Depends(get_admin)]
MonitoringActorDep = Annotated[Actor, Depends(get_monitoring_actor)]
WebhookActorDep = Annotated[Actor, Depends(get_webhook_actor)]


class Pagination:
    def __init__(
        self,
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> None:
        self.page = page
        self.per_page = per_page

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


PaginationDep = Annotated[Pagination, Depends()]


# --- search parameters ------------------------------------------------------------------------

_LIST_PARAMS = frozenset(
    name
    for name, field in SearchParams.model_fields.items()
    if get_origin(field.annotation) is list
)


async def read_search_params(request: Request) -> SearchParams:
    """The search parameters of the query string, read as FastAPI reads a query model (a list
    parameter takes every value, any other the last; unknown names are ignored) and validated
    by one `model_validate`. FastAPI's own reading looks at each of the model's 25 fields in
    turn, ~0.19 ms per search against ~0.02 ms here (bench/README.md), a seventh of the API's
    own time per search. The OpenAPI document lists the parameters as before: app/openapi.py
    adds those FastAPI generates for the model. Async: no I/O, and a plain `def` dependency
    would cost a trip to the thread pool. A query string read before is not read again: its
    validated parameters are kept beside the answer cache (app.search.cache.KnownQueries)."""
    query = request.scope["query_string"]
    known = known_queries()
    params = known.get(query)
    if params is not None:
        return params
    # An absent list is given as empty: the same value as the default, which pydantic would
    # copy per field instead (a quarter of the validation's time).
    data: dict[str, Any] = {name: [] for name in _LIST_PARAMS}
    for name, value in request.query_params.multi_items():
        if name in _LIST_PARAMS:
            data[name].append(value)
        else:
            data[name] = value
    try:
        params = SearchParams.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("query", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from None
    known.put(query, params)
    return params


# Every search parameter as one model; unknown code values get a 422 naming the allowed ones.
SearchParamsDep = Annotated[SearchParams, Depends(read_search_params)]
