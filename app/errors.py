"""Domain exceptions and the one place that turns them (and framework errors) into JSON."""

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match

log = logging.getLogger("bildungsraum.errors")

# A request with thousands of mistakes (55,000 unknown keys were tried) gets the first ones
# listed and a count, not an answer as big as its question.
MAX_ERROR_DETAILS = 50


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in a child process (imports) and re-raised here with message and details.
        return (_rebuilt, (type(self), self.message, self.details))


def _rebuilt(cls: type[DomainError], message: str, details: list[dict[str, Any]]) -> DomainError:
    error = cls.__new__(cls)
    DomainError.__init__(error, message, details=details)
    return error


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class InvalidInput(DomainError):
    status_code = 422
    code = "invalid_input"

    @classmethod
    def at(cls, loc: list[str | int], message: str) -> "InvalidInput":
        """One problem at one field; the message names the field as validation errors do."""
        where = ".".join(str(p) for p in loc)
        return cls(
            f"{where}: {message}" if where else message, details=[{"loc": loc, "message": message}]
        )


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


class Gone(DomainError):
    """The thing existed and is public no more for good (an offer whose dates have all passed)."""

    status_code = 410
    code = "gone"


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"
    retry_after_s = 1

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = max(1, retry_after_s)


class ServiceUnavailable(DomainError):
    status_code = 503
    code = "service_unavailable"


class DatabaseUnavailable(ServiceUnavailable):
    """The database could not be reached or did not answer in time. The message names no
    host, user or setting: configuration never reaches a client."""

    def __init__(self) -> None:
        super().__init__("the catalogue database is unavailable right now; please try again")


class SearchUnavailable(ServiceUnavailable):
    """The search engine could not be reached or did not answer in time. The API answers 503;
    the indexer backs off and retries. `reason` is for logs, never for clients."""

    reason = ""

    def __init__(self, reason: str = "") -> None:
        super().__init__("search is unavailable right now; please try again")
        self.reason = reason

    def __str__(self) -> str:
        return self.reason or self.message


class ErrorDetail(BaseModel):
    loc: list[str | int] = Field(
        description='where: the field path, e.g. ["dates", 0, "location", "postcode"], or '
        '["query", name] for a query parameter'
    )
    message: str


class ErrorInfo(BaseModel):
    code: str = Field(description="invalid_input, unauthorized, forbidden, not_found, …")
    message: str = Field(description="for people; names the first field when there is one")
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorBody(BaseModel):
    """The one shape of every 4xx and 5xx answer."""

    error: ErrorInfo


def error_body(
    code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The one JSON error shape: {"error": {"code", "message", "details": [{"loc", "message"}]}}."""
    return {"error": {"code": code, "message": message, "details": details or []}}


# What each pattern of the models and routes asks for, in words: "String should match
# pattern '^\d{5}$'" tells a provider nothing. tests/api/test_validation.py checks that every
# pattern in the OpenAPI document has its words here.
PATTERN_WORDS = {
    r"^\d{5}$": "give five digits (a postcode such as 44787)",
    r"^\d{1,4}$": "give the first 1 to 4 digits of postcodes",
    r"^\S+$": "give an id without spaces",
    r"^[a-z0-9-]+$": "use lowercase letters, digits and hyphens",
    r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$": (
        "use lowercase letters, digits and hyphens, not at the start or end"
    ),
    r"^[1-9](\.[0-9]{1,3}){0,3}$": "give a DVV category such as 4 or 4.06",
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "give an e-mail address such as kurse@vhs-bochum.de",
    r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?$": (
        "give a web origin such as https://www.bochum.de (no path)"
    ),
    r"^https?://[A-Za-z0-9.{}-]+(?::\d{1,5})?/[^\s\"'<>;,]*$": (
        "give a web address such as https://www.bochum.de/suche?q={q}"
    ),
}


_ALTERNATIVES = re.compile(r"\^\(([\w|-]+)\)\$")


def pattern_words(pattern: str) -> str | None:
    """What a pattern asks for, in words; a list of alternatives (`^(de|en)$`) names them."""
    if alternatives := _ALTERNATIVES.fullmatch(pattern):
        return "give one of " + ", ".join(alternatives.group(1).split("|"))
    return PATTERN_WORDS.get(pattern)


def error_message(err: Any) -> str:
    """One of pydantic's errors in words (the message of `details`, without its place)."""
    return str(_humanise(err)["message"])


def _humanise(err: Any) -> dict[str, Any]:
    loc = [part for part in err.get("loc", ()) if part != "body"]
    message = str(err.get("msg", "invalid value"))
    kind = err.get("type")
    context = err.get("ctx") or {}
    if kind == "extra_forbidden":
        message = "unknown field"
    elif kind == "missing":
        message = "field required"
    elif kind == "string_pattern_mismatch":
        message = pattern_words(str(context.get("pattern"))) or message
    elif kind == "json_invalid":
        # FastAPI places the character's position where a field's name would be.
        at = f" at character {loc[0]:,}" if loc and isinstance(loc[0], int) else ""
        message = f"the body is not valid JSON ({context.get('error', 'unreadable')}{at})"
        loc = []
    message = message.removeprefix("Value error, ")
    return {"loc": loc, "message": message}


def validation_error_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Pydantic's errors as the one shape: the first MAX_ERROR_DETAILS listed, all counted."""
    details = [_humanise(e) for e in errors[:MAX_ERROR_DETAILS]]
    first = details[0] if details else {"loc": [], "message": "invalid input"}
    where = ".".join(str(p) for p in first["loc"]) or "request"
    message = f"{where}: {first['message']}"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1:,} more)"
    return error_body("invalid_input", message, details)


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (FastAPI registers one route per method,
    and Starlette's 405 names only the first route's). Asked of the router method by method:
    only when a 405 is answered."""
    allowed = {
        method
        for route in request.app.router.routes
        for method in _METHODS
        if route.matches({**request.scope, "method": method})[0] == Match.FULL
    }
    if "GET" in allowed:
        allowed.add("HEAD")
    return sorted(allowed)


def database_error_response(exc: sa_exc.SQLAlchemyError) -> JSONResponse | None:
    """Database faults a client cannot cause answer 503 (pool exhausted, connection refused or
    lost, lock or statement timeout); values the database refuses answer 4xx. Validation
    should have caught the latter, so they are logged as the gaps they are."""
    if isinstance(exc, sa_exc.TimeoutError | sa_exc.OperationalError | sa_exc.InterfaceError) or (
        isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated
    ):
        log.warning("database unavailable: %s", exc.__class__.__name__)
        err: DomainError = DatabaseUnavailable()
    elif isinstance(exc, sa_exc.DataError):
        log.warning("a value reached the database unchecked: %s", exc.orig)
        err = InvalidInput("a value is malformed or out of range")
    elif isinstance(exc, sa_exc.IntegrityError):
        log.warning("a conflict reached the database unchecked: %s", exc.orig)
        err = Conflict("this conflicts with data that exists already")
    else:
        return None
    return JSONResponse(
        error_body(err.code, err.message, err.details),
        status_code=err.status_code,
        headers={"Retry-After": "5"} if err.status_code == 503 else None,
    )


def domain_error_headers(exc: DomainError) -> dict[str, str] | None:
    if exc.status_code == 401:
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, TooManyRequests):
        return {"Retry-After": str(exc.retry_after_s)}
    if exc.status_code == 503:
        return {"Retry-After": "5"}
    return None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details),
            status_code=exc.status_code,
            headers=domain_error_headers(exc),
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_error_body(list(exc.errors())), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI's answer to a body it cannot decode (not UTF-8, say): bad input like
            # any other, so 422 in the one shape.
            message = f"the body cannot be read: {exc.detail}"
            return JSONResponse(
                error_body("invalid_input", message, [{"loc": ["body"], "message": message}]),
                status_code=422,
            )
        codes = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return JSONResponse(
            error_body(codes.get(exc.status_code, "http_error"), str(exc.detail)),
            status_code=exc.status_code,
            headers=headers or None,
        )

    @app.exception_handler(sa_exc.SQLAlchemyError)
    async def _database(request: Request, exc: sa_exc.SQLAlchemyError) -> JSONResponse:
        response = database_error_response(exc)
        if response is None:
            raise exc  # a bug of ours: the 500 handler answers and the server logs it
        return response

    @app.exception_handler(ClientDisconnect)
    async def _gone_away(_: Request, exc: ClientDisconnect) -> Response:
        # An aborted upload is the client's business, not an error of ours: no traceback.
        log.info("client went away before its request body was complete")
        return Response(status_code=400, headers={"Connection": "close"})

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Starlette re-raises after this answer, and the server logs the traceback.
        # The connection ends with this answer: say so, so that a client's next request goes
        # out on a fresh connection instead of failing on this one.
        return JSONResponse(
            error_body("internal_error", "an unexpected error occurred; it has been logged"),
            status_code=500,
            headers={"Connection": "close"},
        )
