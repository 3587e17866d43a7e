"""Domain exceptions and the one place that turns them (and framework errors) into JSON."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException


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


class ServiceUnavailable(DomainError):
    status_code = 503
    code = "service_unavailable"


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


def _humanise(err: dict[str, Any]) -> dict[str, Any]:
    loc = [part for part in err.get("loc", ()) if part != "body"]
    message = str(err.get("msg", "invalid value"))
    if err.get("type") == "extra_forbidden":
        message = "unknown field"
    elif err.get("type") == "missing":
        message = "field required"
    message = message.removeprefix("Value error, ")
    return {"loc": loc, "message": message}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details),
            status_code=exc.status_code,
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [_humanise(e) for e in exc.errors()]
        first = details[0] if details else {"loc": [], "message": "invalid input"}
        where = ".".join(str(p) for p in first["loc"]) or "request"
        message = f"{where}: {first['message']}"
        if len(details) > 1:
            message += f" (and {len(details) - 1} more)"
        return JSONResponse(error_body("invalid_input", message, details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
        return JSONResponse(
            error_body(codes.get(exc.status_code, "http_error"), str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:  # pragma: no cover
        return JSONResponse(
            error_body("internal_error", "an unexpected error occurred; it has been logged"),
            status_code=500,
        )
