"""Maintenance commands next to `make run`: run by hand in another shell with nothing but the
settings `make run` got, they find its Meilisearch and the key it keeps in DATA_DIR."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.migrations import upgrade
from testkit.meili_server import free_port

BIN = Path(sys.executable).parent


def _bare_env(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return keep | extra


def _wait_until_up(url: str, run: "subprocess.Popen[bytes]", log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if run.poll() is not None:
            pytest.fail(f"`bildungsraum run` exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"`bildungsraum run` did not come up:\n{log.read_text()[-3000:]}")


@pytest.mark.meili
def test_index_check_right_after_make_run(tmp_path: Path) -> None:
    port, meili_port = free_port(), free_port()
    settings = {"DATA_DIR": str(tmp_path / "data"), "MEILI_PORT": str(meili_port)}
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        run = subprocess.Popen(
            [str(BIN / "bildungsraum"), "run", "--port", str(port)],
            env=_bare_env(**settings, PORT=str(port)),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}", run, log)
        refused = subprocess.run(
            [str(BIN / "bildungsraum"), "index-check"],
            env=_bare_env(**settings, MEILI_MASTER_KEY="not-the-key"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "refused" in refused.stderr
        assert "MEILI_ADMIN_KEY" in refused.stderr
        assert "Traceback" not in refused.stderr
        # The operator's shell: the same settings, no Meilisearch key, another folder.
        deadline = time.monotonic() + 90
        while True:
            check = subprocess.run(
                [str(BIN / "bildungsraum"), "index-check"],
                cwd=tmp_path,
                env=_bare_env(**settings),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if check.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "index and database agree" in check.stdout
        assert "Traceback" not in check.stderr
        searchable = int(check.stdout.split("searchable in database:")[1].split()[0])
        assert searchable > 100
    finally:
        os.killpg(run.pid, signal.SIGINT)
        try:
            run.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()


def test_maintenance_without_meilisearch_says_so_plainly(tmp_path: Path) -> None:
    """No traceback: where it looked, and what to set."""
    env = _bare_env(DATA_DIR=str(tmp_path), MEILI_PORT=str(free_port()))
    upgrade(f"sqlite:///{tmp_path / 'bildungsraum.sqlite3'}")  # what `bildungsraum migrate` does
    check = subprocess.run(
        [str(BIN / "bildungsraum"), "index-check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert check.returncode == 2, check.stdout + check.stderr
    assert check.stderr.startswith(f"error: Meilisearch at http://127.0.0.1:{env['MEILI_PORT']}")
    assert "cannot be reached" in check.stderr
    assert "Traceback" not in check.stderr
