"""The app served as in production (`bildungsraum serve`) in its own process, for tests that
need real connections: slow clients, header limits, database faults, schemathesis."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from testkit.meili_server import free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class ServedApp:
    url: str
    process: "subprocess.Popen[bytes]"
    log: Path

    def output(self) -> str:
        """What the server printed so far (stdout and stderr)."""
        return self.log.read_text(errors="replace")


@contextmanager
def served_app(env: dict[str, str], *, log: Path, workers: int = 1) -> Iterator[ServedApp]:
    """Start `python -m app.cli serve` on a free port with `env` over this process's
    environment; stop it (SIGTERM, then SIGKILL) when the block ends."""
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
            + ["--workers", str(workers)],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"the API did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.05)
        yield ServedApp(url=url, process=process, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
