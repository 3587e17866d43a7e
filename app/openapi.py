"""The OpenAPI document tells the truth: every route documents the error answers it can give,
each with the one error body (`ErrorBody`), and the bearer scheme behind "Authorize".

Most error answers follow from what a route depends on and takes (a key: 401; an admin key:
403; a path id: 404; parameters or a body: 422; a body: 413; the database or the search
engine: 503) and are added here for every route; what only the route's logic knows (a
conflict, a provider touching another organisation's offer, an id named in the body) the
route declares with `documented(...)`. tests/api/test_openapi.py checks both against
the answers routes really give."""

import json
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import fastapi.routing
from fastapi import FastAPI, Query
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer

from app.errors import ErrorBody

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="APIKey",
    description="An API key (`br_…`), created by an admin (`bildungsraum create-key`). "
    "Providers manage their own organisation's offers; admins everything.",
)

DESCRIPTIONS: dict[int, str] = {
    401: "No API key, a malformed `Authorization` header, or a wrong or revoked key",
    403: "The key may not do this: an admin key is needed (monitoring: an analyst or admin "
    "key; webhooks: an admin or portal operator key), or the offer or organisation belongs "
    "to another provider",
    404: "Nothing with this id or name (also: an offer that is not public and not yours)",
    409: "Not possible in the current state (e.g. an archived offer, a status move that does "
    "not exist, a name that is taken)",
    408: "The body did not arrive in time (BODY_TIMEOUT; imports: IMPORT_BODY_TIMEOUT)",
    410: "The offer is no longer offered: all its dates have passed (change feeds: the cursor "
    "is older than the retained history; start over without `since`)",
    413: "The body is larger than the limit (MAX_BODY_BYTES; imports: MAX_IMPORT_BYTES, "
    "MAX_PROVIDER_IMPORT_BYTES for a provider's key)",
    422: "Invalid input: `details` names each field (`loc`) with a message",
    429: "Too many requests (searches per address, changes and imports per key, failed keys "
    "per address); `Retry-After` says how many seconds to wait",
    503: "The database or the search engine is unavailable right now; try again (`Retry-After`)",
}
# Routes that touch neither the database nor the search engine.
_NO_BACKEND = {
    ("GET", "/health"),
    ("GET", "/api/v1/codelists"),
    ("GET", "/api/v1/imports/csv-template"),
}


_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
# What FastAPI documents for a route with parameters: its own error shape, which we never send.
_FASTAPI_422 = {"$ref": "#/components/schemas/HTTPValidationError"}


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: these error answers, with the one error body."""
    return {code: {"model": ErrorBody, "description": DESCRIPTIONS[code]} for code in codes}


def _walk(dependant: Dependant) -> tuple[set[Callable[..., Any]], set[str]]:
    """What a route depends on (the callables) and takes (the kinds of parameter), anywhere
    in its tree of dependencies."""
    calls: set[Callable[..., Any]] = set()
    kinds = {
        kind
        for kind in ("path", "query", "header", "cookie")
        if getattr(dependant, f"{kind}_params")
    }
    for dep in dependant.dependencies:
        if dep.call is not None:
            calls.add(dep.call)
        more_calls, more_kinds = _walk(dep)
        calls |= more_calls
        kinds |= more_kinds
    return calls, kinds


def derived_errors(route: APIRoute) -> set[int]:
    """The error answers that follow from what the route depends on and takes."""
    from app.deps import (
        get_actor,
        get_admin,
        get_monitoring_actor,
        get_optional_actor,
        get_webhook_actor,
        read_search_params,
    )
    from app.rate_limits import public_limit

    calls, kinds = _walk(route.dependant)
    codes: set[int] = set()
    if calls & {get_actor, get_optional_actor}:
        codes |= {401, 429}  # 429: too many failed keys from the address, or changes per key
    if calls & {get_admin, get_monitoring_actor, get_webhook_actor}:
        codes.add(403)
    if "path" in kinds:
        codes |= {404, 422}
    if kinds & {"query", "header", "cookie"} or read_search_params in calls:
        codes.add(422)
    if route.body_field is not None:
        codes |= {408, 413, 422}
    if public_limit(route.path_format) is not None:
        codes.add(429)
    if not {(m, route.path) for m in route.methods or ()} & _NO_BACKEND:
        codes.add(503)
    return codes


def _api_routes(app: FastAPI) -> Iterator[tuple[APIRoute, str, set[str]]]:
    """Each API route with the path and methods it is served at."""
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    if contexts is None:  # FastAPI before included-router contexts: app.routes is flat
        for route in app.routes:
            if isinstance(route, APIRoute):
                yield route, route.path_format, set(route.methods or ())
        return
    for context in contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            yield route, context.path_format or route.path_format, set(context.methods or ())


def _add_errors(app: FastAPI, spec: dict[str, Any]) -> None:
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error_schema.pop("$defs", {}))
    schemas["ErrorBody"] = error_schema
    for route, path, methods in _api_routes(app):
        if not route.include_in_schema:
            continue
        for method in methods:
            operation = spec["paths"].get(path, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for code in sorted(derived_errors(route)):
                current = responses.get(str(code), {})
                schema = current.get("content", {}).get("application/json", {}).get("schema")
                if current and schema != _FASTAPI_422:
                    continue  # the route says it itself
                responses[str(code)] = {
                    "description": DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": _ERROR_REF}},
                }
            # In numeric order, as a reader scans them.
            operation["responses"] = dict(sorted(responses.items()))
    text = json.dumps(spec["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{unused}" not in text:
            schemas.pop(unused, None)


def _search_parameters() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The search parameters as FastAPI documents `SearchParams` as a query model, with the
    schemas they refer to: generated by FastAPI on a route of its own, since the routes read
    the parameters themselves (app.deps.read_search_params) and FastAPI sees none."""
    from app.models.search import SearchParams

    probe = FastAPI()

    @probe.get("/")
    def _probe(params: Annotated[SearchParams, Query()]) -> None:
        """Never served: its document is read."""

    spec = probe.openapi()
    return spec["paths"]["/"]["get"]["parameters"], spec.get("components", {}).get("schemas", {})


def _add_search_parameters(app: FastAPI, spec: dict[str, Any]) -> None:
    """Each route that reads the search parameters documents them where FastAPI would: after
    the path parameters."""
    from app.deps import read_search_params

    parameters, referred = _search_parameters()
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for route, path, methods in _api_routes(app):
        if not route.include_in_schema or read_search_params not in _walk(route.dependant)[0]:
            continue
        for method in methods:
            operation = spec["paths"].get(path, {}).get(method.lower())
            if operation is None:
                continue
            own = operation.pop("parameters", [])
            at = sum(1 for p in own if p["in"] == "path")
            # FastAPI's key order: the parameters come before the body and the answers.
            rest = list(operation.items())
            at_key = next(
                (n for n, (key, _) in enumerate(rest) if key in ("requestBody", "responses")),
                len(rest),
            )
            operation.clear()
            operation.update(rest[:at_key])
            operation["parameters"] = [*own[:at], *parameters, *own[at:]]
            operation.update(rest[at_key:])
            for name, schema in referred.items():
                schemas.setdefault(name, schema)
    spec["components"]["schemas"] = dict(sorted(schemas.items()))


def install_openapi(app: FastAPI) -> None:
    """Build the document once as FastAPI does, then add the search parameters and each
    route's error answers."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = build()
            _add_search_parameters(app, spec)
            _add_errors(app, spec)
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented hook
