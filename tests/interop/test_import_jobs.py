"""Imports through the API run in a child process that is gone when the import is, and the
process that forks them is gone with the API."""

import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from testkit.openqcat_files import write_openqcat_file
from testkit.served_app import served_app


def _descendants(pid: int) -> set[int]:
    """Every process below `pid`, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


@pytest.mark.served
def test_no_import_process_outlives_its_import_or_the_api(
    database_url: str, provider: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "kurse.xml"
    write_openqcat_file(path, 20)
    with served_app({"DATABASE_URL": database_url}, log=tmp_path / "api.log") as app:
        before = _descendants(app.process.pid)
        for _ in range(3):
            r = httpx.post(
                f"{app.url}/api/v1/imports",
                content=path.read_bytes(),
                headers={**provider["headers"], "Content-Type": "application/xml"},
                timeout=120,
            )
            assert r.status_code == 200, r.text
        during = _descendants(app.process.pid) - before
        # What stays between imports is the fork server (and its resource tracker) only.
        assert len(_alive(during)) <= 2
        app.process.send_signal(signal.SIGTERM)
        app.process.wait(timeout=15)
        deadline = time.monotonic() + 10
        while _alive(during) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _alive(during) == set()
