"""The FastAPI application factory."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.body_limit import BodySizeLimit
from app.config import get_settings
from app.cors import PortalCors
from app.db import get_engine
from app.errors import install_error_handlers
from app.openapi import install_openapi
from app.rate_limits import PublicRateLimit, RateLimits
from app.routers import (
    admin,
    changes,
    codelists,
    dashboard,
    docs,
    exports,
    follow,
    health,
    imports,
    moderation,
    monitoring,
    offers,
    pages,
    portals,
    search,
    sources,
    webhooks,
)
from app.search.service import close_backend, configure_backend
from app.security_headers import SecurityHeaders
from app.services.monitoring import demand as monitoring_demand
from app.services.monitoring.sessions import check_secret

_frozen = False


def _freeze_start_up() -> None:
    """What start-up made lives as long as the process: kept out of the collector's full
    passes, which otherwise walk it again and again (a 1,000-item feed page took 110 ms
    instead of 25 when one fell into it, bench/partners_bench.py). Once per process: a
    process that starts several apps (tests) keeps only the first's start-up for good."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    # The engine (and its pool) exists before the first requests: made by several at once,
    # each got an engine and a pool of its own.
    get_engine()
    configure_backend()
    demand_writer = monitoring_demand.DemandWriter(get_engine, get_settings().demand_flush_s)
    demand_writer.start()
    _freeze_start_up()
    yield
    await demand_writer.stop()
    await close_backend()


def create_app() -> FastAPI:
    settings = get_settings()
    check_secret(settings)
    app = FastAPI(
        lifespan=lifespan,
        title="Bildungsraum",
        version="0.1.0",
        description="Regional catalogue of continuing-education offers (Weiterbildungsangebote).",
        # Served by app/routers/docs.py from this host, not from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    # Routes are tried in order: what citizens call most (search, the portal API and pages)
    # first; exports before offers, so that `/offers/{id}.jsonld` wins over `/offers/{id}`.
    app.include_router(search.router)
    app.include_router(portals.public_router)
    app.include_router(pages.router)
    app.include_router(follow.router)
    for module in (
        health,
        changes,
        exports,
        offers,
        moderation,
        admin,
        codelists,
        imports,
        sources,
        docs,
        monitoring,
        dashboard,
        webhooks,
    ):
        app.include_router(module.router)
    app.include_router(portals.admin_router)
    install_openapi(app)
    rate_limits = RateLimits(settings)
    app.state.rate_limits = rate_limits
    # Outermost last: security headers go on every answer, the body limits' 408/413 included;
    # CORS headers go on the portal API's answers, its 429s included.
    app.add_middleware(PublicRateLimit, limits=rate_limits)
    app.add_middleware(PortalCors)
    # The demand recorder recognises a client by a keyed hash of what this exposes.
    app.add_middleware(monitoring_demand.DemandClientMiddleware)
    app.add_middleware(
        BodySizeLimit,
        default_limit=settings.max_body_bytes,
        limits={"/api/v1/imports": settings.max_import_bytes},
        timeout_s=settings.body_timeout_s,
        timeouts={"/api/v1/imports": settings.import_body_timeout_s},
    )
    app.add_middleware(SecurityHeaders, hsts=settings.environment == "production")
    return app
