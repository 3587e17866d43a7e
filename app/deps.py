"""Dependency aliases for the routers: one session (one transaction) per request, the caller."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials
from sqlmodel import Session

from app.db import get_engine
from app.errors import Forbidden, Unauthorized
from app.models.api_key import Role
from app.openapi import bearer_scheme
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


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("use 'Authorization: Bearer <key>'")
    return token.strip()


def get_optional_actor(
    request: Request,
    session: SessionDep,
    # Declares the bearer scheme in the OpenAPI document ("Authorize" in /docs); the header
    # itself is read by _bearer, which answers a malformed one with 401.
    _scheme: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
) -> Actor | None:
    token = _bearer(request)
    return None if token is None else authenticate(session=session, token=token)


def _signed_in(actor: Actor | None) -> Actor:
    if actor is None:
        raise Unauthorized("this needs an API key: 'Authorization: Bearer <key>'")
    return actor


def get_actor(actor: Annotated[Actor | None, Depends(get_optional_actor)]) -> Actor:
    """A provider or an admin: the keys that manage the catalogue."""
    actor = _signed_in(actor)
    if actor.role == Role.analyst:
        raise Forbidden("an analyst key reads monitoring figures only")
    return actor


def get_monitoring_actor(actor: Annotated[Actor | None, Depends(get_optional_actor)]) -> Actor:
    """An admin (every region) or an analyst (its portals); providers see no figures."""
    actor = _signed_in(actor)
    if actor.role not in (Role.admin, Role.analyst):
        raise Forbidden("monitoring figures need an analyst or admin key")
    return actor


def get_admin(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
    require_admin(actor)
    return actor


OptionalActorDep = Annotated[Actor | None, Depends(get_optional_actor)]
ActorDep = Annotated[Actor, Depends(get_actor)]
AdminDep = Annotated[Actor, Depends(get_admin)]
MonitoringActorDep = Annotated[Actor, Depends(get_monitoring_actor)]


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
