"""The service's front door: the landing page (the API documentation and every portal) and the
documentation pages, whose assets are all served from here: /docs works without internet."""

from importlib.resources import files
from pathlib import Path

from sqlmodel import Session

from app.services import portals
from app.services.pages import STATIC, environment

# Swagger UI and ReDoc as shipped by the PyPI package fastapi-offline (kept current with
# their releases); our own start script beside them, so no page needs inline script.
_BUNDLED = Path(str(files("fastapi_offline") / "static"))
DOC_ASSETS: dict[str, Path] = {
    "swagger-ui-bundle.js": _BUNDLED / "swagger-ui-bundle.js",
    "swagger-ui.css": _BUNDLED / "swagger-ui.css",
    "redoc.standalone.js": _BUNDLED / "redoc.standalone.js",
    "favicon.png": _BUNDLED / "favicon.png",
    "swagger-init.js": STATIC / "swagger-init.js",
}
ASSET_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}


def render_home(*, session: Session) -> str:
    """The landing page: what the service is, where its API is documented, its portals."""
    listed = [(p.name, p.slug) for p in portals.list_portals(session=session)]
    return environment().get_template("docs/home.html").render(portals=listed)


def render_swagger(*, root_path: str, openapi_url: str, title: str) -> str:
    return (
        environment()
        .get_template("docs/swagger.html")
        .render(root=root_path, openapi_url=root_path + openapi_url, title=title)
    )


def render_redoc(*, root_path: str, openapi_url: str, title: str) -> str:
    return (
        environment()
        .get_template("docs/redoc.html")
        .render(root=root_path, openapi_url=root_path + openapi_url, title=title)
    )
