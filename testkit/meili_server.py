"""Starts a real Meilisearch on a free loopback port with a temp data dir, for tests and bench."""

import os
import secrets
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.search.index_admin import MEILI_INDEXING_MEMORY

ROOT = Path(__file__).resolve().parent.parent


def meili_binary() -> str:
    explicit = os.environ.get("MEILI_BIN")
    if explicit:
        return explicit
    local = ROOT / ".tools" / "meilisearch"
    if not local.exists():
        subprocess.run([str(ROOT / "scripts" / "install-meilisearch.sh")], check=True)
    return str(local)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MeiliServer:
    data_dir: Path
    port: int = 0
    master_key: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "MeiliServer":
        if not self.port:
            self.port = free_port()
        self.master_key = self.master_key or secrets.token_hex(16)
        self.process = subprocess.Popen(
            [
                meili_binary(),
                "--http-addr",
                f"127.0.0.1:{self.port}",
                "--db-path",
                str(self.data_dir / "data.ms"),
                "--dump-dir",
                str(self.data_dir / "dumps"),
                "--snapshot-dir",
                str(self.data_dir / "snapshots"),
                "--no-analytics",
                "--env",
                "development",
                "--log-level",
                "WARN",
                "--max-indexing-threads",
                "2",
                "--max-indexing-memory",
                MEILI_INDEXING_MEMORY,
            ],
            # The key through the environment, never the command line (visible in `ps`).
            env={**os.environ, "MEILI_MASTER_KEY": self.master_key},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("Meilisearch did not start within 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
