"""The duplicate check worker: `python -m workers.duplicates` checks every offer
written since its last check (created, changed, imported, published) every DUPLICATE_POLL
seconds. Its own process: an import of 10,000 offers is checked here, after it committed,
without slowing the import or the API's writes (each check costs a few ms, bench/)."""

import logging
import threading

from app.config import get_settings
from app.db import session_scope
from app.processes import run_until_signalled
from app.search.state import get_state, set_state
from app.services.quality.duplicates import check_pending
from app.services.quality.rescore import rescore_all

log = logging.getLogger("bildungsraum.duplicates")


def run_once(*, limit: int | None = None) -> int:
    """Check a batch of waiting offers in one transaction; returns how many were checked."""
    settings = get_settings()
    with session_scope() as session:
        result = check_pending(session=session, limit=limit or settings.duplicate_batch)
    if result.new:
        log.info("%d new duplicate candidates among %d offers", result.new, result.checked)
    return result.checked


# Offers stored before the score existed have completeness 0: a portal's minimum would hold
# them back. The first worker after the upgrade scores them all once (and queues the changed
# ones for the indexer), so nobody has to remember `bildungsraum quality rescore`.
SCORED = "completeness_scored"


def score_existing_once() -> int:
    """Score every offer once per database; returns how many scores changed."""
    with session_scope() as session:
        if get_state(session, SCORED):
            return 0
        changed = rescore_all(session=session)
        set_state(session, SCORED, "1")
    if changed:
        log.info("completeness scored for %d offers stored before the score existed", changed)
    return changed


def serve(stop: threading.Event) -> None:
    """Check what waits; when a whole batch was checked go on at once, else wait the poll."""
    settings = get_settings()
    try:
        score_existing_once()
    except Exception:  # the next start tries again; the check itself need not wait for it
        log.exception("scoring existing offers failed")
    log.info("duplicate check: every %g s", settings.duplicate_poll_s)
    while not stop.is_set():
        try:
            checked = run_once()
        except Exception:  # the database may be away for a moment: try again next round
            log.exception("the duplicate check failed")
            checked = 0
        if checked < settings.duplicate_batch:
            stop.wait(settings.duplicate_poll_s)


def main() -> None:
    run_until_signalled(serve)


if __name__ == "__main__":
    main()
