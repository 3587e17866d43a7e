"""`bildungsraum run`, the development supervisor: Meilisearch, the indexer, the import
scheduler, the duplicate check and the API with
demo data, started together, restarted when one crashes, stopped together (Ctrl+C).
Production runs each part on its own (compose.yaml); `bildungsraum serve` is how the API is
served there."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import httpx
import typer

from app.config import MASTER_KEY_FILE, MEILI_PORT_FILE, get_settings
from app.search.index_admin import MEILI_INDEXING_MEMORY

app = typer.Typer()

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MEILI_PORT = 7700
# A part that crashes is started again after 1 s, then 2, 4 ... up to 30 s while it keeps
# crashing; one that ran this long before it crashed starts again at once.
FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0
STABLE_AFTER_S = 60.0


def master_key_file(data_dir: Path) -> Path:
    return data_dir / MASTER_KEY_FILE


def new_master_key() -> str:
    # Hex: never starts with "-" (which a command line would read as an option) and needs no
    # quoting anywhere; 192 bits.
    return secrets.token_hex(24)


def master_key(data_dir: Path) -> str:
    """The development Meilisearch's master key, made once per data folder (mode 0600)."""
    path = master_key_file(data_dir)
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(new_master_key())
    return path.read_text().strip()


def _meili_binary() -> str:
    explicit = os.environ.get("MEILI_BIN")
    if explicit:
        return explicit
    local = ROOT / ".tools" / "meilisearch"
    if not local.exists():
        subprocess.run([str(ROOT / "scripts" / "install-meilisearch.sh")], check=True)
    return str(local)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def meili_port(explicit: str | None, preferred: int = DEFAULT_MEILI_PORT) -> tuple[int, str]:
    """The port for the development Meilisearch and why: MEILI_PORT when set, else the usual
    7700, else (a second `make run`, another Meilisearch) any free port."""
    if explicit:
        return int(explicit), "from MEILI_PORT"
    if port_is_free(preferred):
        return preferred, "the default"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    return port, f"port {preferred} is taken; set MEILI_PORT to choose one"


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


@dataclass
class Part:
    """One supervised program: how to start it, and its current process."""

    name: str
    start: Callable[[], "subprocess.Popen[bytes]"]
    process: "subprocess.Popen[bytes] | None" = None
    started_at: float = 0.0
    backoff_s: float = FIRST_BACKOFF_S
    restart_at: float | None = None

    def launch(self) -> None:
        self.process = self.start()
        self.started_at = time.monotonic()
        self.restart_at = None


@app.command("run")
def run(
    host: Annotated[str, typer.Option(help="address to serve on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="port to serve on")] = 8000,
) -> None:
    """Start Meilisearch, the indexer and the API with demo data; Ctrl+C stops all."""
    run_all(host=host, port=port)


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="address to serve on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="port to serve on")] = 8000,
    workers: Annotated[int, typer.Option(envvar="WEB_CONCURRENCY", help="worker processes")] = 1,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            envvar="FORWARDED_ALLOW_IPS",
            help="addresses of the reverse proxies whose X-Forwarded-For is believed",
        ),
    ] = None,
    access_log: Annotated[bool, typer.Option("--access-log", help="log every request")] = False,
) -> None:
    """Serve the API (the production server: header and body deadlines, no server banner)."""
    from app.server import serve

    serve(
        host=host,
        port=port,
        workers=workers,
        forwarded_allow_ips=forwarded_allow_ips,
        access_log=access_log,
    )


def part_environments(
    env: dict[str, str], meili_url: str, search_key: str, indexer_key: str
) -> tuple[dict[str, str], dict[str, str]]:
    """The environments of the parts (API and workers) and of the indexer: each gets only the
    Meilisearch key it needs — the indexer's may write documents and settings, so only the
    indexer holds it — and none the master key, which stays with the supervisor."""
    parts = {k: v for k, v in env.items() if k not in ("MEILI_MASTER_KEY", "MEILI_ADMIN_KEY")}
    parts.update(MEILI_URL=meili_url, MEILI_SEARCH_KEY=search_key)
    return parts, {**parts, "MEILI_ADMIN_KEY": indexer_key}


def run_all(*, host: str, port: int) -> None:
    """Start everything; Ctrl+C stops all of it. A part that crashes is started again."""
    from app.db import session_scope
    from app.demo.loader import load_demo_catalogue
    from app.demo.monitoring import load_monitoring_demo
    from app.migrations import upgrade
    from app.search.index_admin import (
        create_index_with_settings,
        ensure_scoped_keys,
        meili_client,
    )

    settings = get_settings()
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    parts: list[Part] = []
    env = dict(os.environ, DATA_DIR=str(data_dir))

    external = "meili_url" in settings.model_fields_set
    if external:
        meili_url, master = settings.meili_url, settings.meili_master_key
        print(f"using Meilisearch at {meili_url}")
    else:
        explicit = settings.meili_port if "meili_port" in settings.model_fields_set else None
        chosen, why = meili_port(None if explicit is None else str(explicit))
        # The maintenance commands read it (app/config.py), so they find this Meilisearch.
        (data_dir / MEILI_PORT_FILE).write_text(str(chosen))
        meili_url, master = f"http://127.0.0.1:{chosen}", master_key(data_dir)
        print(f"starting Meilisearch on {meili_url} ({why}; data in {data_dir / 'meili'})")
        meili = Part("Meilisearch", _meili_starter(chosen, data_dir, master))
        meili.launch()
        parts.append(meili)
    try:
        _wait_healthy(meili_url)
        master_client = meili_client(meili_url, master)
        search_key, indexer_key = ensure_scoped_keys(master_client, settings.meili_index)
        # The index exists before the API starts: a search for a missing index answers 503
        # and has Meilisearch log a WARN line, until the indexer would have made it.
        create_index_with_settings(master_client, settings.meili_index)
        env, indexer_env = part_environments(env, meili_url, search_key, indexer_key)

        print("migrating the database ...")
        upgrade(settings.sqlalchemy_url)
        with session_scope() as session:
            loaded = load_demo_catalogue(session=session, progress=True)
        print(f"loaded {loaded} demo offers" if loaded else "demo data present already")
        with session_scope() as session:
            print(load_monitoring_demo(session=session))

        indexer = Part(
            "the indexer",
            lambda: subprocess.Popen([sys.executable, "-m", "indexer"], env=indexer_env),
        )
        # Scheduled pulls of import sources run beside the indexer, as in production.
        scheduler = Part(
            "the import scheduler",
            lambda: subprocess.Popen(
                [sys.executable, "-m", "app.services.interop.scheduler"], env=env
            ),
        )
        # Webhook deliveries in a process of their own: a slow receiver never delays indexing.
        webhooks = Part(
            "the webhook worker",
            lambda: subprocess.Popen([sys.executable, "-m", "workers.webhooks"], env=env),
        )
        # Duplicate candidates of what was written, found soon after, off the write path.
        duplicates = Part(
            "the duplicate check",
            lambda: subprocess.Popen([sys.executable, "-m", "workers.duplicates"], env=env),
        )
        api = Part(
            "the API",
            lambda: subprocess.Popen(
                [sys.executable, "-m", "app.cli", "serve", "--host", host, "--port", str(port)],
                env=env,
            ),
        )
        for part in (indexer, scheduler, webhooks, duplicates, api):
            part.launch()
            parts.append(part)
        print(f"Bildungsraum is running: http://{host}:{port}/docs  (Ctrl+C stops everything)")
        supervise(parts)
    finally:
        stop(parts)


def _meili_starter(
    port: int, data_dir: Path, master: str
) -> Callable[[], "subprocess.Popen[bytes]"]:
    def start() -> "subprocess.Popen[bytes]":
        return subprocess.Popen(
            [
                _meili_binary(),
                "--http-addr",
                f"127.0.0.1:{port}",
                "--db-path",
                str(data_dir / "meili" / "data.ms"),
                "--dump-dir",
                str(data_dir / "meili" / "dumps"),
                "--no-analytics",
                "--env",
                "production",
                "--log-level",
                "WARN",
                "--max-indexing-memory",
                MEILI_INDEXING_MEMORY,
            ],
            # The master key goes through the environment, never the command line: a command
            # line is visible to every user in `ps`, and a key starting with "-" would be read
            # as an option.
            env={**os.environ, "MEILI_MASTER_KEY": master},
        )

    return start


def supervise(parts: list[Part], *, poll_s: float = 0.3) -> None:
    """Watch the parts until SIGINT/SIGTERM; start a crashed one again, with backoff."""
    stopping = False

    def _on_signal(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    while not stopping:
        now = time.monotonic()
        for part in parts:
            if part.restart_at is not None:
                if now >= part.restart_at:
                    part.launch()
                    print(f"{part.name} started again")
                continue
            assert part.process is not None
            code = part.process.poll()
            if code is None:
                continue
            if now - part.started_at >= STABLE_AFTER_S:
                part.backoff_s = FIRST_BACKOFF_S
            print(
                f"{part.name} stopped (exit code {code}); starting it again in {part.backoff_s:g} s"
            )
            part.restart_at = now + part.backoff_s
            part.backoff_s = min(part.backoff_s * 2, MAX_BACKOFF_S)
        time.sleep(poll_s)


def stop(parts: list[Part]) -> None:
    running = [p.process for p in reversed(parts) if p.process is not None]
    for process in running:
        if process.poll() is None:
            process.terminate()
    for process in running:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    print("stopped")
