"""The front door: the landing page, and the API documentation with every asset served here."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, HTMLResponse

from app.deps import SessionDep
from app.errors import NotFound
from app.services import front_door as service

router = APIRouter(include_in_schema=False)
# The assets change only with a release of the package that ships them.
ASSET_CACHE = "public, max-age=86400"
# The documentation pages load nothing from another host: ReDoc's footer would fetch its logo
# from a CDN (telling it who reads our docs); under this policy the browser never asks. Both
# UIs set inline styles and ReDoc searches in a worker it creates from a blob.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


@router.get("/", response_class=HTMLResponse)
def home(session: SessionDep) -> HTMLResponse:
    """Where to go: the API documentation and the list of portals."""
    return HTMLResponse(service.render_home(session=session))


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    return HTMLResponse(
        service.render_swagger(
            root_path=request.scope.get("root_path", ""),
            openapi_url=request.app.openapi_url,
            title=request.app.title,
        ),
        headers={"Content-Security-Policy": DOCS_POLICY},
    )


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    return HTMLResponse(
        service.render_redoc(
            root_path=request.scope.get("root_path", ""),
            openapi_url=request.app.openapi_url,
            title=request.app.title,
        ),
        headers={"Content-Security-Policy": DOCS_POLICY},
    )


@router.get("/docs/assets/{name}")
def doc_asset(name: Annotated[str, Path(max_length=40)]) -> FileResponse:
    path = service.DOC_ASSETS.get(name)
    if path is None:
        raise NotFound(f"no documentation asset {name!r}")
    return FileResponse(
        path,
        media_type=service.ASSET_TYPES[path.suffix],
        headers={"Cache-Control": ASSET_CACHE},
    )
