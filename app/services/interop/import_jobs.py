"""Runs an import in a process of its own, at a lower CPU priority than the API.

An import parses and writes thousands of offers. In a thread of the API process it competed
with the event loop for the interpreter lock, and on a busy machine `/health` waited up to
140 ms behind it (p99 over a 10,000-offer import, tests/api/test_event_loop.py); on the loop
itself it stood still for 7 s. A forked child holds no lock the API needs, and with a
higher nice value the kernel runs the API's requests first. Each import gets a fresh child
(forked from a server that has the import code loaded, ~20 ms), which reads the settings
the API had when it sent the job."""

import functools
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import anyio

from app import config, db
from app.services.auth import Actor

# Lower than the API (0) and the indexer: an import may take a while, a search may not.
IMPORT_NICENESS = 10

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["app.services.interop.import_jobs", "app.services.interop"])
_pool: ProcessPoolExecutor | None = None


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        workers = config.get_settings().import_workers
        _pool = ProcessPoolExecutor(workers, mp_context=_context, max_tasks_per_child=1)
    return _pool


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
    future = _executor().submit(job)
    return await anyio.to_thread.run_sync(future.result)
