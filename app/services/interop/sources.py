"""Import sources: which URL each organisation's catalogue is pulled from, how often, in what
format, and what the last pull did."""

from datetime import UTC, datetime

from sqlmodel import Session, col, func, select

from app.config import get_settings
from app.errors import Conflict, InvalidInput, NotFound
from app.models.import_source import ImportSource, SourceIn, SourcePatch, SourcePublic
from app.models.organisation import Organisation
from app.models.types import utcnow
from app.services import audit
from app.services.auth import Actor
from app.services.public_addresses import OutboundError, parse_networks, refuse_private_target


def _checked_url(url: str) -> str:
    """Refuse at once what a pull would refuse anyway: another scheme, credentials, a private
    IP literal. Names are checked when the pull connects (they may resolve differently)."""
    allowed = parse_networks(get_settings().pull_allowed_networks)
    try:
        refuse_private_target(url, allowed, resolve=False)
    except OutboundError as exc:
        raise InvalidInput.at(["url"], exc.message) from None
    return url


def running(source: ImportSource, *, now: datetime | None = None) -> bool:
    return source.lease_until is not None and source.lease_until > (now or utcnow())


def to_public(source: ImportSource) -> SourcePublic:
    public = SourcePublic.model_validate(source)
    public.running = running(source)
    return public


def create_source(*, session: Session, actor: Actor, data: SourceIn) -> ImportSource:
    """Register a source; its first pull is due at once."""
    if session.get(Organisation, data.organisation_id) is None:
        raise InvalidInput.at(
            ["organisation_id"], f"organisation {data.organisation_id} does not exist"
        )
    source = ImportSource(
        organisation_id=data.organisation_id,
        url=_checked_url(str(data.url)),
        format=None if data.format is None else data.format.value,
        interval_minutes=data.interval_minutes,
        enabled=data.enabled,
        next_run_at=utcnow(),
    )
    session.add(source)
    session.flush()
    assert source.id is not None
    audit.record(
        session=session,
        actor=actor,
        entity="import_source",
        entity_id=source.id,
        action="create",
        fields=sorted(data.model_fields_set | {"organisation_id", "url"}),
    )
    return source


def get_source(*, session: Session, actor: Actor, source_id: int) -> ImportSource:
    """A source its organisation or an admin may see; anyone else gets 404."""
    source = session.get(ImportSource, source_id)
    if source is None or not actor.may_manage_organisation(source.organisation_id):
        raise NotFound(f"import source {source_id} does not exist")
    return source


def list_sources(
    *, session: Session, actor: Actor, organisation_id: int | None, offset: int, limit: int
) -> tuple[int, list[ImportSource]]:
    """Admins: all sources (or one organisation's); providers: their own."""
    query = select(ImportSource)
    if not actor.is_admin:
        query = query.where(ImportSource.organisation_id == actor.organisation_id)
    elif organisation_id is not None:
        query = query.where(ImportSource.organisation_id == organisation_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(ImportSource.id)).offset(offset).limit(limit))
    return int(total), list(rows)


def update_source(
    *, session: Session, actor: Actor, source_id: int, data: SourcePatch
) -> ImportSource:
    """Change a source; a new URL or format is pulled afresh at once."""
    source = get_source(session=session, actor=actor, source_id=source_id)
    changes = data.model_dump(exclude_unset=True)
    if "url" in changes and changes["url"] is None:
        raise InvalidInput.at(["url"], "url cannot be null")
    if changes.get("url") is not None:
        source.url = _checked_url(str(data.url))
    if "format" in changes:
        source.format = None if data.format is None else data.format.value
    if data.interval_minutes is not None:
        source.interval_minutes = data.interval_minutes
    if data.enabled is not None:
        source.enabled = data.enabled
    if {"url", "format"} & set(changes):
        # Another file: what the old one said about itself no longer applies.
        source.etag = source.last_modified = source.content_sha256 = None
        source.next_run_at = utcnow()
        source.consecutive_failures = 0
    source.updated_at = utcnow()
    session.add(source)
    session.flush()
    assert source.id is not None
    audit.record(
        session=session,
        actor=actor,
        entity="import_source",
        entity_id=source.id,
        action="update",
        fields=sorted(changes),
    )
    return source


def delete_source(*, session: Session, actor: Actor, source_id: int) -> None:
    """Stop pulling; the offers it brought stay (archive them, or send an empty delta)."""
    source = get_source(session=session, actor=actor, source_id=source_id)
    if running(source):
        raise Conflict("the source is being pulled right now; try again in a moment")
    assert source.id is not None
    audit.record(
        session=session,
        actor=actor,
        entity="import_source",
        entity_id=source.id,
        action="delete",
        fields=[],
        detail={"organisation_id": source.organisation_id},
    )
    session.delete(source)
    session.flush()


def due_source_ids(*, session: Session, now: datetime | None = None) -> list[int]:
    """Enabled sources whose next pull is due and that nobody is pulling, oldest due first."""
    now = now or datetime.now(UTC)
    rows = session.exec(
        select(ImportSource.id)
        .where(
            col(ImportSource.enabled).is_(True),
            col(ImportSource.next_run_at) <= now,
            (col(ImportSource.lease_until).is_(None)) | (col(ImportSource.lease_until) < now),
        )
        .order_by(col(ImportSource.next_run_at))
    )
    return [i for i in rows if i is not None]
