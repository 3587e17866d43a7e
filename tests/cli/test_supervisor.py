"""`bildungsraum run`: Meilisearch gets its master key through the environment (never the
command line, never printed), a key starting with "-" works, a taken port 7700 is no
obstacle, a normal start prints no WARN line, and a crashed Meilisearch or indexer is
started again while Ctrl+C still stops everything."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.cli.supervisor import master_key, meili_port, new_master_key, part_environments
from testkit.meili_server import free_port, meili_binary

ROOT = Path(__file__).resolve().parents[2]


def test_generated_master_keys_never_start_with_a_dash(tmp_path: Path) -> None:
    keys = [new_master_key() for _ in range(2000)]
    assert not [k for k in keys if k.startswith("-")]
    assert all(len(k) >= 32 for k in keys)  # Meilisearch wants at least 16 bytes
    key = master_key(tmp_path)
    assert master_key(tmp_path) == key  # kept per data folder
    assert (tmp_path / "meili_master_key").stat().st_mode & 0o077 == 0


def test_only_the_indexer_holds_the_key_that_writes_to_meilisearch() -> None:
    given = {"PATH": "/bin", "MEILI_MASTER_KEY": "master", "MEILI_ADMIN_KEY": "stale"}
    parts, indexer = part_environments(given, "http://127.0.0.1:7700", "search", "write")
    assert parts == {
        "PATH": "/bin",
        "MEILI_URL": "http://127.0.0.1:7700",
        "MEILI_SEARCH_KEY": "search",
    }
    assert indexer == parts | {"MEILI_ADMIN_KEY": "write"}


def test_meili_port_is_chosen_and_explained() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        port, why = meili_port(None, preferred=busy)
        assert port != busy
        assert f"port {busy} is taken" in why
    free = free_port()
    assert meili_port(None, preferred=free) == (free, "the default")
    assert meili_port("7811", preferred=free) == (7811, "from MEILI_PORT")


def _children(pid: int) -> dict[int, str]:
    """The processes `pid` started, by pid, with their command lines."""
    found: dict[int, str] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            found[int(child)] = cmdline.decode(errors="replace")
    return found


def _wait_for(condition: object, what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


class Supervisor:
    def __init__(self, process: "subprocess.Popen[bytes]", log: Path) -> None:
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def child(self, fragment: str) -> int:
        found = [pid for pid, cmd in _children(self.process.pid).items() if fragment in cmd]
        assert len(found) == 1, (fragment, _children(self.process.pid))
        return found[0]


@pytest.fixture
def supervisor(tmp_path: Path) -> Iterator[Supervisor]:
    data = tmp_path / "data"
    data.mkdir()
    # An old data folder whose key starts with "-": Meilisearch read it as an option before.
    (data / "meili_master_key").write_text("-" + new_master_key())
    (data / "meili_master_key").chmod(0o600)
    log = tmp_path / "run.log"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MEILI_", "DATABASE_URL", "RATE_LIMIT_", "REDIS_URL"))
    }
    env.update(
        DATA_DIR=str(data),
        MEILI_PORT=str(free_port()),
        PORT=str(free_port()),
        MEILI_BIN=meili_binary(),
        PYTHONUNBUFFERED="1",
    )
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    started = Supervisor(process, log)
    started.api = f"http://127.0.0.1:{env['PORT']}"  # type: ignore[attr-defined]
    try:
        yield started
    finally:
        children = _children(process.pid) if process.poll() is None else {}
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for pid in children:  # whatever the supervisor left behind, by pid
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.meili
def test_run_keeps_the_key_secret_and_starts_crashed_parts_again(supervisor: Supervisor) -> None:
    api = supervisor.api  # type: ignore[attr-defined]

    def serving() -> bool:
        try:
            return httpx.get(f"{api}/api/v1/search", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    _wait_for(lambda: "Bildungsraum is running" in supervisor.output(), "the start", 180)
    _wait_for(serving, "searches")
    start_output = supervisor.output()
    assert "WARN" not in start_output, start_output
    key = (Path(supervisor.log.parent / "data" / "meili_master_key")).read_text().strip()
    assert key.startswith("-")
    meili = supervisor.child("meilisearch")
    assert key not in Path(f"/proc/{meili}/cmdline").read_text()
    # the port it chose is written down, and the commands read it
    data = supervisor.log.parent / "data"
    port = int((data / "meili_port").read_text())
    assert f"starting Meilisearch on http://127.0.0.1:{port} (from MEILI_PORT" in start_output
    from app.config import Settings

    assert Settings(DATA_DIR=data).meili_url == f"http://127.0.0.1:{port}"
    api_pid = supervisor.child("app.cli serve")
    assert key.encode() not in Path(f"/proc/{api_pid}/environ").read_bytes()

    os.kill(meili, signal.SIGKILL)
    _wait_for(lambda: "Meilisearch started again" in supervisor.output(), "Meilisearch's restart")
    _wait_for(serving, "searches after Meilisearch's restart")
    indexer = supervisor.child("-m indexer")
    os.kill(indexer, signal.SIGKILL)
    _wait_for(lambda: "the indexer started again" in supervisor.output(), "the indexer's restart")
    assert "Meilisearch stopped (exit code -9); starting it again in 1 s" in supervisor.output()

    children = _children(supervisor.process.pid)
    supervisor.process.send_signal(signal.SIGINT)  # Ctrl+C
    assert supervisor.process.wait(timeout=30) == 0
    assert supervisor.output().rstrip().endswith("stopped")
    for pid in children:
        assert (
            not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
        ), pid
    assert key not in supervisor.output()
