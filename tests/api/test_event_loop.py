"""Nothing blocks the event loop: `/health` keeps answering within 100 ms (p99) while a
10,000-offer file is imported through the API and while a burst of page requests runs."""

import multiprocessing
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import httpx
import pytest

from testkit.openqcat_files import write_openqcat_file
from testkit.served_app import served_app
from tests.conftest import SearchIndex

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(database_url: str, search_index: SearchIndex, tmp_path: Path) -> Iterator[str]:
    """The app in its own process (one worker, as a replica runs it)."""
    with served_app({"DATABASE_URL": database_url}, log=tmp_path / "api.log") as app:
        yield app.url


def _health_while(url: str, busy: threading.Thread | BaseProcess) -> list[float]:
    """Time GET /health every 10 ms until `busy` is done."""
    times = []
    with httpx.Client(base_url=url, timeout=30) as client:
        while busy.is_alive():
            started = time.perf_counter()
            assert client.get("/health").status_code == 200
            times.append(time.perf_counter() - started)
            time.sleep(0.01)
    return times


def _p99(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[98]


def _answers_within_100_ms(measure: Callable[[int], list[float]]) -> None:
    """/health p99 <= 100 ms over what `measure(attempt)` timed. The machine is shared: its
    scheduler can stall any process for a moment, so a miss is measured once more; a loop
    that is really blocked misses both times (by seconds, as it did before imports left it)."""
    seen = []
    for attempt in range(2):
        times = measure(attempt)
        assert len(times) > 20  # the work took long enough to measure anything
        if _p99(times) <= 0.1:
            return
        seen.append(f"p99 {_p99(times) * 1000:.0f} ms over {len(times)} requests")
    raise AssertionError("; ".join(seen))


def _in_thread(work: Callable[[], None]) -> tuple[threading.Thread, list[Any]]:
    errors: list[Any] = []

    def run() -> None:
        try:
            work()
        except Exception as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def _page_burst(url: str, seconds: float, clients: int) -> None:
    """`clients` connections asking for search pages for `seconds` (runs in a child)."""
    stop_at = time.monotonic() + seconds
    queries = ["Buchhaltung", "Kurs", "Buchaltung", "", "DATEV"]

    def one_client(n: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            while time.monotonic() < stop_at:
                response = client.get("/p/ruhr/", params={"q": queries[n % len(queries)]})
                if response.status_code != 200:
                    raise SystemExit(f"page answered {response.status_code}")
                n += 1

    workers = [threading.Thread(target=one_client, args=(n,)) for n in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def test_health_answers_while_a_large_import_runs(
    served: str, provider: dict[str, Any], tmp_path: Path
) -> None:
    def measure(attempt: int) -> list[float]:
        path = tmp_path / f"kurse-{attempt}.xml"
        write_openqcat_file(path, 10_000, first=attempt * 10_000)
        reports: list[dict[str, Any]] = []

        def upload() -> None:
            r = httpx.post(
                f"{served}/api/v1/imports",
                content=path.read_bytes(),
                headers={**provider["headers"], "Content-Type": "application/xml"},
                timeout=600,
            )
            assert r.status_code == 200, r.text
            reports.append(r.json())

        thread, errors = _in_thread(upload)
        times = _health_while(served, thread)
        thread.join()
        assert not errors, errors
        assert reports[0]["counts"]["created"] == 10_000
        return times

    _answers_within_100_ms(measure)


def test_health_answers_during_a_burst_of_pages(
    served: str,
    trusted_provider: dict[str, Any],
    make_offer: Callable[..., dict[str, Any]],
    admin: dict[str, str],
    search_index: SearchIndex,
) -> None:
    for n in range(30):
        make_offer(trusted_provider["headers"], title=f"Buchhaltung Kurs {n}")
    search_index.drain()
    r = httpx.post(
        f"{served}/api/v1/admin/portals",
        json={"slug": "ruhr", "name": "Ruhr", "postcode_prefixes": ["44"]},
        headers=admin,
    )
    assert r.status_code == 201, r.text

    # The page clients run in a process of their own: threads of this process would compete
    # with the /health timer for this interpreter's lock and inflate what it measures.
    def measure(_: int) -> list[float]:
        burster = multiprocessing.get_context("spawn").Process(
            target=_page_burst, args=(served, 4.0, 8), daemon=True
        )
        burster.start()
        times = _health_while(served, burster)
        burster.join()
        assert burster.exitcode == 0
        return times

    _answers_within_100_ms(measure)
