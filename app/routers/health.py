"""Liveness and readiness."""

import anyio
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.db import get_engine
from app.search.service import backend

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


def _database_up() -> bool:
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


@router.get("/ready")
async def ready() -> JSONResponse:
    """Says which dependency is down; 503 unless all are up."""
    checks: dict[str, str] = {}
    # A thread: a database that hangs must not hold the event loop while it does.
    checks["database"] = "up" if await anyio.to_thread.run_sync(_database_up) else "down"
    checks["search"] = "up" if await backend().healthy() else "down"
    ok = all(v == "up" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ok else "degraded", "checks": checks}, status_code=200 if ok else 503
    )
