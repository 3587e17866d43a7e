"""Scheduled pulls: fetch each due import source and import a changed file as a full delivery
with --partial semantics; `python -m app.services.interop.scheduler` runs the loop.

Its own process, not the indexer's: a pull waits on other people's servers for up to
PULL_TIMEOUT, and indexing must not wait with it. Each pull is claimed with a lease on its
row, so several schedulers (or `bildungsraum source run`) never pull one source at once.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import update
from sqlmodel import col

from app.config import Settings, get_settings
from app.db import session_scope
from app.errors import Conflict, DomainError, NotFound
from app.models.api_key import Role
from app.models.import_source import ImportSource, SourceStatus
from app.models.types import utcnow
from app.processes import run_until_signalled
from app.services.auth import Actor
from app.services.interop import import_file
from app.services.interop.fetch import Fetched, FetchError, fetch, parse_networks, redacted
from app.services.interop.sources import due_source_ids

log = logging.getLogger("bildungsraum.pull")

# A pull that has not finished after this long is taken to have died; another may start.
LEASE = timedelta(hours=1)


@dataclass
class Outcome:
    status: SourceStatus
    error: str | None = None
    report: dict[str, Any] | None = None
    fetched: Fetched | None = None


def _claim(source_id: int, *, now: datetime, force: bool) -> ImportSource:
    """Take the source's lease; Conflict when someone else holds it (or it is not due)."""
    table = cast(Any, ImportSource).__table__
    with session_scope() as session:
        source = session.get(ImportSource, source_id)
        if source is None:
            raise NotFound(f"import source {source_id} does not exist")
        free = (col(ImportSource.lease_until).is_(None)) | (col(ImportSource.lease_until) < now)
        statement = update(table).where(table.c.id == source_id, free)
        if not force:
            statement = statement.where(table.c.enabled.is_(True), table.c.next_run_at <= now)
        claimed = session.connection().execute(statement.values(lease_until=now + LEASE))
        if claimed.rowcount != 1:
            raise Conflict(f"import source {source_id} is being pulled right now or is not due")
        session.refresh(source)
        return source


def _import(source: ImportSource, fetched: Fetched) -> Outcome:
    """Import the fetched file in one transaction; a file that cannot be read changes nothing."""
    assert fetched.body is not None
    assert source.id is not None
    with session_scope() as session:
        report = import_file(
            session=session,
            # As the organisation itself, not as an admin: what a pulled file changes on a
            # published offer of an untrusted organisation waits for review, as an upload does.
            actor=Actor(
                role=Role.provider,
                organisation_id=source.organisation_id,
                label=f"source:{source.id}",
            ),
            organisation_id=source.organisation_id,
            stream=fetched.body,
            format=source.format,
            partial=True,
        )
        if report.error is not None:
            return Outcome(SourceStatus.rejected, report.error, report.to_dict(), fetched)
        if not report.written:
            return Outcome(SourceStatus.failed, "nothing was written", report.to_dict(), fetched)
    return Outcome(SourceStatus.imported, None, report.to_dict(), fetched)


def _pull(source: ImportSource, settings: Settings) -> Outcome:
    try:
        fetched = fetch(
            source.url,
            etag=source.etag,
            last_modified=source.last_modified,
            allowed=parse_networks(settings.pull_allowed_networks),
            max_bytes=settings.pull_max_bytes,
            timeout_s=settings.pull_timeout_s,
            connect_timeout_s=settings.pull_connect_timeout_s,
        )
    except FetchError as exc:
        return Outcome(SourceStatus.failed, exc.message)
    if fetched.status == 304:
        return Outcome(SourceStatus.not_modified, fetched=fetched)
    try:
        if fetched.sha256 is not None and fetched.sha256 == source.content_sha256:
            return Outcome(SourceStatus.unchanged, fetched=fetched)
        return _import(source, fetched)
    except DomainError as exc:  # e.g. the organisation was removed
        return Outcome(SourceStatus.failed, exc.message)
    finally:
        if fetched.body is not None:
            fetched.body.close()


def _record(source_id: int, outcome: Outcome, *, started: datetime, settings: Settings) -> None:
    """Keep what the pull did, and when to pull next: the interval after success, a growing
    delay after failure."""
    now = utcnow()
    with session_scope() as session:
        source = session.get(ImportSource, source_id)
        if source is None:  # removed while it was pulled
            return
        source.last_run_at = started
        source.last_status = outcome.status.value
        source.last_error = outcome.error
        source.lease_until = None
        if outcome.report is not None:
            source.last_report = outcome.report
        ok = outcome.status not in (SourceStatus.failed, SourceStatus.rejected)
        if ok:
            source.consecutive_failures = 0
            source.last_success_at = now
            source.next_run_at = now + timedelta(minutes=source.interval_minutes)
            fetched = outcome.fetched
            if fetched is not None and fetched.status == 200:
                # Only a file that was read: a rejected one is fetched whole again next time.
                source.etag, source.last_modified = fetched.etag, fetched.last_modified
                source.content_sha256 = fetched.sha256
        else:
            source.consecutive_failures += 1
            delay = min(
                settings.pull_retry_base_s * 2 ** (source.consecutive_failures - 1),
                settings.pull_retry_max_s,
            )
            source.next_run_at = now + timedelta(seconds=delay)
        source.updated_at = now
        session.add(source)


def pull_source(source_id: int, *, force: bool = False) -> ImportSource:
    """Pull one source now (force: even if it is not due or is disabled) and return it as it
    is afterwards. Conflict when it is being pulled already."""
    settings = get_settings()
    started = utcnow()
    source = _claim(source_id, now=started, force=force)
    try:
        outcome = _pull(source, settings)
    except BaseException:
        _record(
            source_id,
            Outcome(SourceStatus.failed, "the pull stopped unexpectedly"),
            started=started,
            settings=settings,
        )
        raise
    _record(source_id, outcome, started=started, settings=settings)
    log.info(
        "source %s (%s): %s%s",
        source_id,
        redacted(source.url),
        outcome.status.value,
        f" — {outcome.error}" if outcome.error else "",
    )
    with session_scope() as session:
        after = session.get(ImportSource, source_id)
        if after is None:
            raise NotFound(f"import source {source_id} does not exist")
        return after


def run_due(*, now: datetime | None = None) -> int:
    """Pull every source that is due; returns how many were pulled."""
    with session_scope() as session:
        ids = due_source_ids(session=session, now=now)
    pulled = 0
    for source_id in ids:
        try:
            pull_source(source_id)
        except (Conflict, NotFound):
            continue  # another scheduler took it, or it was removed
        except Exception:
            log.exception("pulling source %s failed", source_id)
            continue
        pulled += 1
    return pulled


def serve(stop: threading.Event) -> None:
    """Pull what is due, wait PULL_POLL seconds, again, until `stop` is set."""
    poll = get_settings().pull_poll_s
    heartbeat = get_settings().scheduler_heartbeat_file
    log.info("scheduled pulls: checking for due sources every %g s", poll)
    while not stop.is_set():
        if heartbeat is not None:
            heartbeat.touch()  # the loop is alive (compose.yaml's health check)
        try:
            run_due()
        except Exception:  # the database may be away for a moment: try again next round
            log.exception("checking for due sources failed")
        stop.wait(poll)


def main() -> None:
    run_until_signalled(serve)


if __name__ == "__main__":
    main()
