"""/docs and /redoc in a real browser with every other host unreachable: they ask nothing of
another host, show the API, and "Authorize" takes a key that "Try it out" sends."""

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from testkit.meili_server import free_port
from tests.portals.test_browser import BROWSER_DIR, pytestmark  # noqa: F401 (browser marks)


@pytest.fixture
def served(database_url: str) -> Iterator[str]:
    from app.main import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_docs_work_offline_and_authorize(
    served: str, provider: dict[str, Any], make_offer: Any
) -> None:
    make_offer(provider["headers"])
    key = provider["headers"]["Authorization"].removeprefix("Bearer ")
    done = subprocess.run(
        ["node", "docs.mjs", json.dumps({"base": served, "key": key})],
        cwd=BROWSER_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == []
    assert report["outside"] == []
    assert "Bildungsraum" in report["swagger"]["title"]
    assert report["swagger"]["operations"] > 30
    assert report["tried"] == "200"
    assert "Bildungsraum" in report["redoc"]["title"]
