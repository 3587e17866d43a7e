"""`bildungsraum run`, the development supervisor: Meilisearch, the indexer and the API with
demo data, started together and stopped together. Production runs each part on its own
(compose.yaml)."""

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer

from app.config import get_settings
from app.search.index_admin import MEILI_INDEXING_MEMORY

app = typer.Typer()

ROOT = Path(__file__).resolve().parents[2]


def _master_key(data_dir: Path) -> str:
    path = data_dir / "meili_master_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def _meili_binary() -> str:
    explicit = os.environ.get("MEILI_BIN")
    if explicit:
        return explicit
    local = ROOT / ".tools" / "meilisearch"
    if not local.exists():
        subprocess.run([str(ROOT / "scripts" / "install-meilisearch.sh")], check=True)
    return str(local)


def _wait_healthy(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"Meilisearch at {url} did not become healthy")


@app.command("run")
def run(
    host: Annotated[str, typer.Option(help="address to serve on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="port to serve on")] = 8000,
) -> None:
    """Start Meilisearch, the indexer and the API with demo data; Ctrl+C stops all."""
    run_all(host=host, port=port)


def run_all(*, host: str, port: int) -> None:
    """Start everything; Ctrl+C (or any part dying) stops all of it."""
    from app.db import session_scope
    from app.demo.loader import load_demo_catalogue
    from app.demo.monitoring import load_monitoring_demo
    from app.migrations import upgrade
    from app.search.index_admin import ensure_scoped_keys, meili_client

    settings = get_settings()
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    children: list[subprocess.Popen[bytes]] = []
    env = dict(os.environ, DATA_DIR=str(data_dir))

    external = "MEILI_URL" in os.environ
    if external:
        meili_url, master = settings.meili_url, settings.meili_master_key
        print(f"using Meilisearch at {meili_url}")
    else:
        meili_port = int(os.environ.get("MEILI_PORT", "7700"))
        meili_url, master = f"http://127.0.0.1:{meili_port}", _master_key(data_dir)
        print(f"starting Meilisearch on {meili_url} (data in {data_dir / 'meili'})")
        children.append(
            subprocess.Popen(
                [
                    _meili_binary(),
                    "--http-addr",
                    f"127.0.0.1:{meili_port}",
                    "--db-path",
                    str(data_dir / "meili" / "data.ms"),
                    "--dump-dir",
                    str(data_dir / "meili" / "dumps"),
                    "--master-key",
                    master,
                    "--no-analytics",
                    "--env",
                    "production",
                    "--log-level",
                    "WARN",
                    "--max-indexing-memory",
                    MEILI_INDEXING_MEMORY,
                ]
            )
        )
    try:
        _wait_healthy(meili_url)
        search_key, indexer_key = ensure_scoped_keys(
            meili_client(meili_url, master), settings.meili_index
        )
        env.update(MEILI_URL=meili_url, MEILI_SEARCH_KEY=search_key, MEILI_ADMIN_KEY=indexer_key)
        # The master key stays here: the API and the indexer get only what they need.
        env.pop("MEILI_MASTER_KEY", None)

        print("migrating the database ...")
        upgrade(settings.sqlalchemy_url)
        with session_scope() as session:
            loaded = load_demo_catalogue(session=session, progress=True)
        print(f"loaded {loaded} demo offers" if loaded else "demo data present already")
        with session_scope() as session:
            print(load_monitoring_demo(session=session))

        children.append(subprocess.Popen([sys.executable, "-m", "indexer"], env=env))
        # Scheduled pulls of import sources run beside the indexer, as in production.
        scheduler = [sys.executable, "-m", "app.services.interop.scheduler"]
        children.append(subprocess.Popen(scheduler, env=env))
        children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "app.main:create_app",
                    "--factory",
                    "--host",
                    host,
                    "--port",
                    str(port),
                    "--no-access-log",
                ],
                env=env,
            )
        )
        print(f"Bildungsraum is running: http://{host}:{port}/docs  (Ctrl+C stops everything)")
        _supervise(children)
    finally:
        _stop(children)


def _supervise(children: list[subprocess.Popen[bytes]]) -> None:
    stopping = False

    def _on_signal(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    while not stopping:
        for child in children:
            if child.poll() is not None:
                print(f"{child.args!r} exited with {child.returncode}; stopping everything")
                return
        time.sleep(0.3)


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in reversed(children):
        if child.poll() is None:
            child.terminate()
    for child in reversed(children):
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
    print("stopped")
