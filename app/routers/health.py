"""Liveness and readiness."""

from typing import Literal

import anyio
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from app.db import get_engine
from app.search.service import backend

router = APIRouter(tags=["health"])


class Readiness(BaseModel):
    status: Literal["ready", "degraded"]
    checks: dict[str, Literal["up", "down"]]


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


@router.get(
    "/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "A dependency is down: see `checks`"}},
)
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
