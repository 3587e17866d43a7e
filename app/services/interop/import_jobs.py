"""Runs an import in a process of its own, at a lower CPU priority than the API.

An import parses and writes thousands of offers. In a thread of the API process it competed
with the event loop for the interpreter lock, and on a busy machine `/health` waited up to
140 ms behind it (p99 over a 10,000-offer import, tests/api/test_event_loop.py); on the loop
itself it stood still for 7 s. A forked child holds no lock the API needs, and with a
higher nice value the kernel runs the API's requests first. Each import is one child, forked
from a server that has the import code loaded (~20 ms) and gone when the import is: no idle
worker outlives the API. The child reads the settings the API had when it sent the job."""

import functools
import multiprocessing
import os
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import anyio

from app import config, db
from app.services.auth import Actor

# Lower than the API (0) and the indexer: an import may take a while, a search may not.
IMPORT_NICENESS = 10

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["app.services.interop.import_jobs", "app.services.interop"])
_slots: threading.BoundedSemaphore | None = None
_slots_made = threading.Lock()


def _import_slots() -> threading.BoundedSemaphore:
    """At most IMPORT_WORKERS imports at once per API process; the others wait their turn
    (in a worker thread, so the event loop does not)."""
    global _slots
    with _slots_made:
        if _slots is None:
            _slots = threading.BoundedSemaphore(config.get_settings().import_workers)
        return _slots


def _child_main(result: Connection, job: functools.partial[dict[str, Any]]) -> None:
    """The child: run the job, send back ("ok", report) or ("error", the exception)."""
    try:
        outcome: tuple[str, Any] = ("ok", job())
    except BaseException as exc:  # sent back to be raised in the API process
        outcome = ("error", exc)
    try:
        try:
            result.send(outcome)
        except (TypeError, AttributeError, ValueError) as exc:  # pickling failed
            result.send(("error", RuntimeError(f"import failed: {outcome[1]!r} ({exc})")))
    except (BrokenPipeError, OSError):
        pass  # the API process is gone; the import committed or rolled back all the same
    finally:
        result.close()


def _import_in_child(
    *,
    environment: dict[str, str],
    actor: Actor,
    organisation_id: int | None,
    path: str,
    format: str | None,
    dry_run: bool,
    partial: bool,
) -> dict[str, Any]:
    from app.services.interop import import_file

    os.nice(IMPORT_NICENESS)
    os.environ.clear()
    os.environ.update(environment)
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        with db.session_scope() as session, open(path, "rb") as stream:
            report = import_file(
                session=session,
                actor=actor,
                organisation_id=organisation_id,
                stream=stream,
                format=format,
                dry_run=dry_run,
                partial=partial,
            )
        return report.to_dict()
    finally:
        db.get_engine().dispose()


async def run_import(
    *,
    actor: Actor,
    organisation_id: int | None,
    path: Path,
    format: str | None,
    dry_run: bool,
    partial: bool,
) -> dict[str, Any]:
    """Import the file at `path` in a child process and return its report (one transaction,
    committed there). Domain errors (a rejected file, a foreign organisation) come back as
    they were raised."""
    job = functools.partial(
        _import_in_child,
        environment=dict(os.environ),
        actor=actor,
        organisation_id=organisation_id,
        path=str(path),
        format=format,
        dry_run=dry_run,
        partial=partial,
    )
    return await anyio.to_thread.run_sync(_run_child, job)


def _run_child(job: functools.partial[dict[str, Any]]) -> dict[str, Any]:
    with _import_slots():
        return _forked(job)


def _forked(job: functools.partial[dict[str, Any]]) -> dict[str, Any]:
    receiver, sender = _context.Pipe(duplex=False)
    child = _context.Process(target=_child_main, args=(sender, job), daemon=False)
    child.start()
    sender.close()
    try:
        status, value = receiver.recv()
    except EOFError:
        raise RuntimeError("the import process ended without a report") from None
    finally:
        receiver.close()
        child.join()
    if status == "error":
        raise value
    return dict(value)
