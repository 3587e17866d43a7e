"""Search benchmark: load N offers through the normal path, index them, then measure reindex
cost, API vs. raw Meilisearch latency, throughput, commit-to-searchable and API memory.

    .venv/bin/python -m bench.search_bench --offers 10000
    .venv/bin/python -m bench.search_bench --offers 100000
    .venv/bin/python -m bench.search_bench --database-url postgresql://postgres@127.0.0.1:5432/test

Everything it starts (Meilisearch, uvicorn, the indexer, a load-generator process, a
throw-away database) is stopped / dropped at the end. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import secrets
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
INDEX = "offers"
NODELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
LATENCY_BLOCK = 20  # consecutive requests per target in the latency runs

# --- query sets -----------------------------------------------------------------------------

TEXT_QUERIES = [
    "Excel",
    "Buchhaltung",
    "Pflegehilfe",
    "Englisch B1",
    "Staplerschein",
    "Deutschkurs",
    "Führungskräfte",
    "Projektmanagement",
    "Schweißen",
    "Altenpflege",
    "Bilanzbuchhalter",
    "Umschulung Fachinformatiker",
    "SAP",
    "Python Programmierung",
    "Lagerlogistik",
    "Erzieher",
    "Online Marketing",
    "Steuerfachangestellte",
    "Integrationskurs",
    "Gabelstapler",
    "Kaufmann Büromanagement",
    "Elektrofachkraft",
    "Datev Lohn",
    # typos
    "Exel Kurs",
    "Buchaltung",
    "Englich",
    "Fachinformatker",
    "Pflegehelfr",
    "Projektmanagment",
    "Schweissen",
    "Integratonskurs",
    "Lagerlogistk",
]

FACET_QUERIES: list[dict[str, Any]] = [
    {"category": ["it_digital"], "format": ["online"]},
    {"q": "Excel", "category": ["it_digital"], "price_max": "1500"},
    {"funding": ["bildungsgutschein"], "format": ["in_person"], "education_type": ["umschulung"]},
    {"q": "Pflege", "category": ["health_care"], "funding": ["bildungsgutschein"]},
    {
        "q": "Englisch",
        "category": ["languages"],
        "format": ["online", "blended"],
        "price_max": "800",
    },
    {"category": ["accounting_finance", "business_admin"], "funding": ["aufstiegs_bafoeg"]},
    {
        "q": "Führung",
        "category": ["management_leadership"],
        "format": ["blended"],
        "price_max": "3000",
    },
    {"funding": ["bildungsscheck_nrw"], "price_max": "500"},
    {
        "q": "Buchhaltung",
        "category": ["accounting_finance"],
        "funding": ["bildungsgutschein", "bildungsscheck_nrw"],
    },
    {"q": "Deutsch", "category": ["german_integration"], "format": ["in_person"], "price_max": "0"},
]

RADIUS_POSTCODES = ["44787", "44135", "45127", "58452", "44623", "45525", "48143"]
RADIUS_TEXTS = ["", "Excel", "Pflege", "Deutsch", "Buchhaltung", "Staplerschein"]


def query_set(kind: str) -> list[dict[str, Any]]:
    if kind == "text":
        return [{"q": q} for q in TEXT_QUERIES]
    if kind == "facets":
        return [dict(q) for q in FACET_QUERIES]
    return [
        {"q": q, "postcode": pc, "radius_km": 25, "sort": "distance"}
        for pc in RADIUS_POSTCODES
        for q in RADIUS_TEXTS
    ]


def api_path(query: dict[str, Any]) -> str:
    return "/api/v1/search?" + urlencode(query, doseq=True)


# The bench's portal: the Ruhr area and its surroundings, one listed site for CORS.
PORTAL_SLUG = "bench-ruhr"
PORTAL_PREFIXES = ["44", "45", "58"]
PORTAL_ORIGIN = "https://www.bochum.de"
PAGE_HITS = 10  # hits per portal page (app.services.page_query.PER_PAGE)


def portal_api_path(query: dict[str, Any]) -> str:
    return f"/api/v1/portals/{PORTAL_SLUG}/search?" + urlencode(query, doseq=True)


def page_path(query: dict[str, Any]) -> str:
    return f"/p/{PORTAL_SLUG}/?" + urlencode(query, doseq=True)


def search_params(query: dict[str, Any]) -> Any:
    from app.models.search import SearchParams

    return SearchParams.model_validate(query)


def raw_body(query: dict[str, Any], scope: Any = None) -> bytes:
    """The exact multi-search body the API sends for this query (built fresh: `now` moves)."""
    from app.search.service import build_queries, located

    params, centre = located(search_params(query))
    queries, _ = build_queries(params, scope, centre=centre, now_ts=int(time.time()), index=INDEX)
    return orjson.dumps({"queries": queries})


# --- small helpers --------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary_ms(values_s: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {
        "n": len(ms),
        "p50": round(pct(ms, 50), 3),
        "p95": round(pct(ms, 95), 3),
        "p99": round(pct(ms, 99), 3),
        "max": round(max(ms), 3) if ms else float("nan"),
    }


def workers_of(pid: int) -> list[int]:
    """The worker processes of a uvicorn started with --workers N (itself when N = 1)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children] or [pid]


def worker_rss_mb(pid: int) -> dict[str, float]:
    """The largest worker's RSS (the target is per worker)."""
    return max((rss_mb(w) for w in workers_of(pid)), key=lambda m: m["VmRSS"])


def rss_mb(pid: int) -> dict[str, float]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def step(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def wait_http(url: str, timeout_s: float = 60, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout_s} s")


def stop_process(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def http_request(host: str, method: str, path: str, body: bytes = b"", headers: str = "") -> bytes:
    """One HTTP/1.1 request as bytes; `headers` are extra "Name: value\\r\\n" lines."""
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n{headers}"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def content_length(header: bytes) -> int:
    for line in header.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            return int(line[15:])
    return 0


class LeanClient:
    """A blocking keep-alive HTTP/1.1 client on one socket, for timing requests one by one.

    httpx's sync client spends ~1-3 ms of its own per request on a 2-core machine (measured
    against the same servers), which would hide the API's own overhead; this costs ~0.1 ms."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.address = (host, int(port))
        self.host = f"{host}:{port}"
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.sock = self._open()
        self.buffer = b""

    def _open(self) -> socket.socket:
        sock = socket.create_connection(self.address)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def connect(self) -> None:
        """Reopen the connection: uvicorn closes keep-alive connections idle for 5 s."""
        self.sock.close()
        self.sock = self._open()
        self.buffer = b""

    def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        try:
            status, content = self._exchange(method, path, body)
        except OSError:  # closed while idle; searches are safe to send again
            status, content = 408, b""
        if status == 408:  # Meilisearch says 408 when it closes an idle keep-alive connection
            self.connect()
            status, content = self._exchange(method, path, body)
        return status, content

    def _exchange(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        self.sock.sendall(http_request(self.host, method, path, body, self.extra))
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        header, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        length = content_length(header)
        while len(self.buffer) < length:
            self._fill()
        content, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(header[9:12]), content

    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError(f"{self.host} closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


# --- database -------------------------------------------------------------------------------


@dataclass
class Database:
    """A fresh database: a SQLite file in the temp dir, or a new PostgreSQL database."""

    given: str | None
    tmp: Path
    url: str = ""
    admin_url: str | None = None
    name: str | None = None

    def create(self) -> str:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        from app.config import normalise_database_url

        if not self.given or self.given.startswith("sqlite"):
            self.url = self.given or f"sqlite:///{self.tmp / 'bench.sqlite3'}"
            return self.url
        base = make_url(normalise_database_url(self.given))
        self.name = f"search_bench_{secrets.token_hex(4)}"
        self.admin_url = base.render_as_string(hide_password=False)
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        engine.dispose()
        self.url = base.set(database=self.name).render_as_string(hide_password=False)
        return self.url

    def drop(self) -> None:
        if not (self.admin_url and self.name):
            return
        from sqlalchemy import create_engine, text

        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        engine.dispose()


# --- load generator (runs in its own process) -------------------------------------------------


async def _http_worker(
    host: str,
    port: int,
    paths: list[Any],
    start: int,
    deadline: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    """A minimal keep-alive HTTP/1.1 GET client: cheap enough to leave the CPU to the server."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # str: GET path; dict: POST {"path", "body", "auth"} (raw Meilisearch reference)
    requests = [
        http_request(f"{host}:{port}", "GET", p)
        if isinstance(p, str)
        else http_request(
            f"{host}:{port}",
            "POST",
            p["path"],
            p["body"].encode(),
            f"Authorization: Bearer {p['auth']}\r\nAccept-Encoding: identity\r\n",
        )
        for p in paths
    ]
    i = start
    try:
        while time.perf_counter() < deadline:
            request = requests[i % len(requests)]
            i += 1
            t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            await reader.readexactly(content_length(head))
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


async def _loadgen(base: str, paths: list[str], seconds: float, concurrency: int) -> dict[str, Any]:
    host, _, port = base.removeprefix("http://").partition(":")
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _http_worker(host, int(port), paths, k * 7, deadline, latencies, errors)
            for k in range(concurrency)
        )
    )
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 1),
        "latency_ms": summary_ms(latencies),
    }


def loadgen_main(argv: list[str]) -> None:
    base, paths_file, seconds, concurrency = argv
    paths = json.loads(Path(paths_file).read_text())
    result = asyncio.run(_loadgen(base, paths, float(seconds), int(concurrency)))
    print(json.dumps(result))


# --- the benchmark --------------------------------------------------------------------------


@dataclass
class Bench:
    offers: int
    database_url: str | None
    per_kind: int
    throughput_s: float
    concurrency: int
    commits: int
    keep: bool
    profile: bool = False
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="search-bench-")))
    results: dict[str, Any] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    portal_scope: Any = None

    def __post_init__(self) -> None:
        from testkit.meili_server import MeiliServer

        self.db = Database(self.database_url, self.tmp)
        self.meili = MeiliServer(data_dir=self.tmp / "meili")

    # 0 -------------------------------------------------------------------------------------
    def setup(self, **env: str) -> None:
        """Start the throw-away database (migrated) and Meilisearch, and load N offers and the
        bench portal into both; this process's settings point there, with `env` on top."""
        from app import db
        from app.migrations import upgrade
        from app.search.index_admin import meili_client

        url = self.db.create()
        # Settings are read once per process; point this one at the throw-away setup.
        os.environ["DATABASE_URL"] = url
        os.environ["DATA_DIR"] = str(self.tmp)
        self.meili.start()
        self.master_key = self.meili.master_key
        os.environ.update(
            MEILI_URL=self.meili.url, MEILI_MASTER_KEY=self.master_key, MEILI_INDEX=INDEX, **env
        )
        upgrade(_normalise(url))
        self.engine = db.build_engine(_normalise(url))
        self.admin = meili_client(self.meili.url, self.master_key, timeout=120)
        self.results["setup"] = {
            "database": "postgresql" if self.db.name else "sqlite",
            "meilisearch": self.admin.get_version().get("pkgVersion"),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "date": time.strftime("%Y-%m-%d %H:%M:%S"),
            "loadavg_1m_start": round(os.getloadavg()[0], 2),
        }
        self.load()

    # 1 -------------------------------------------------------------------------------------
    def load(self) -> None:
        from app.db import session_scope
        from app.demo.catalogue import demo_offers, demo_organisations
        from app.models.portal import PortalCreate
        from app.services.auth import Actor
        from app.services.offers import create_offer
        from app.services.organisations import create_organisation
        from app.services.portals import create_portal, portal_scope

        orgs = max(1, round(self.offers / 250))
        step(f"generating {self.offers:,} offers for {orgs} organisations")
        t0 = time.perf_counter()
        # Trusted, so every offer is published at once and the index holds ~N offers
        # (untrusted organisations' offers would wait in `submitted`, unsearchable).
        org_data = [o.model_copy(update={"trusted": True}) for o in demo_organisations(count=orgs)]
        payloads = demo_offers(organisations=orgs, count=self.offers, today=date.today())
        generate_s = time.perf_counter() - t0
        step(f"generated in {generate_s:.1f} s; loading through create_offer")
        actor = Actor.system("bench")
        t0 = time.perf_counter()
        org_ids = []
        with session_scope(self.engine) as session:
            for data in org_data:
                org = create_organisation(session=session, actor=actor, data=data)
                org_ids.append(org.id)
            portal = create_portal(
                session=session,
                data=PortalCreate(
                    slug=PORTAL_SLUG,
                    name="Weiterbildung im Ruhrgebiet",
                    postcode_prefixes=PORTAL_PREFIXES,
                    cors_origins=[PORTAL_ORIGIN],
                ),
            )
            self.portal_scope = portal_scope(portal)
        for start in range(0, len(payloads), 1000):
            with session_scope(self.engine) as session:
                for org_index, payload in payloads[start : start + 1000]:
                    create_offer(
                        session=session,
                        actor=actor,
                        data=payload,
                        organisation_id=org_ids[org_index],
                    )
        load_s = time.perf_counter() - t0
        step(f"DB load {load_s:.1f} s; draining the outbox")
        from indexer.worker import Indexer

        indexer = Indexer(engine=self.engine, client=self.admin, index_uid=INDEX)
        t0 = time.perf_counter()
        indexer.prepare()
        drained = indexer.drain()
        drain_s = time.perf_counter() - t0
        docs = self.admin.index(INDEX).get_stats().number_of_documents
        step(f"drained {drained:,} outbox rows in {drain_s:.1f} s; {docs:,} documents")
        self.results["load"] = {
            "offers": self.offers,
            "organisations": orgs,
            "generate_s": round(generate_s, 2),
            "db_load_s": round(load_s, 2),
            "db_offers_per_s": round(self.offers / load_s, 1),
            "outbox_rows": drained,
            "drain_s": round(drain_s, 2),
            "drain_rows_per_s": round(drained / drain_s, 1),
            "documents": docs,
        }

    # 2 -------------------------------------------------------------------------------------
    def reindex(self) -> None:
        from sqlmodel import Session, col, select

        from app.codelists import OfferStatus
        from app.models.offer import Offer
        from app.search.documents import offer_documents
        from app.search.index_admin import create_index_with_settings, delete_index_if_exists
        from indexer.rebuild import rebuild_index
        from indexer.sources import load_sources

        step("full reindex (rebuild_index)")
        t0 = time.perf_counter()
        stats = rebuild_index(
            engine=self.engine, client=self.admin, index_uid=INDEX, today=date.today()
        )
        rebuild_s = time.perf_counter() - t0
        step(f"rebuild {rebuild_s:.1f} s ({stats.documents:,} documents); building raw docs")

        t0 = time.perf_counter()
        with Session(self.engine) as session:
            ids = [
                i
                for i in session.exec(
                    select(Offer.id)
                    .where(Offer.status == OfferStatus.published)
                    .order_by(col(Offer.id))
                )
                if i
            ]
            docs: list[dict[str, Any]] = []
            for start in range(0, len(ids), 2000):
                chunk = ids[start : start + 2000]
                sources = load_sources(session, chunk)
                docs += [
                    d
                    for oid in chunk
                    if oid in sources
                    for d in offer_documents(sources[oid], today=date.today(), rev="raw")
                ]
        build_s = time.perf_counter() - t0
        bodies = [orjson.dumps(docs[i : i + 2000]) for i in range(0, len(docs), 2000)]
        raw_uid = f"{INDEX}_raw"
        delete_index_if_exists(self.admin, raw_uid)
        step(f"raw bulk load of {len(docs):,} documents in {len(bodies)} batches")
        t0 = time.perf_counter()
        create_index_with_settings(self.admin, raw_uid)
        with self.meili_client(self.master_key) as client:
            uids = []
            for body in bodies:
                r = client.post(f"/indexes/{raw_uid}/documents?primaryKey=id", content=body)
                r.raise_for_status()
                uids.append(r.json()["taskUid"])
        for uid in uids:
            task = self.admin.wait_for_task(uid, timeout_in_ms=600_000, interval_in_ms=5)
            if task.status != "succeeded":
                raise RuntimeError(f"raw load task {uid}: {task.status} {task.error}")
        raw_s = time.perf_counter() - t0
        delete_index_if_exists(self.admin, raw_uid)
        step(f"raw {raw_s:.1f} s; ratio {rebuild_s / raw_s:.2f}")
        self.results["reindex"] = {
            "documents": stats.documents,
            "rebuild_s": round(rebuild_s, 2),
            "raw_bulk_s": round(raw_s, 2),
            "doc_build_s": round(build_s, 2),
            "ratio": round(rebuild_s / raw_s, 2),
            "target_ratio": 1.3,
        }

    # 3 -------------------------------------------------------------------------------------
    def start_api(self) -> None:
        """Two API processes, each the served configuration (`bildungsraum serve`, as in the
        Docker image): as deployed (answer cache on), and with the cache off, whose every
        search goes to Meilisearch (the engine path and the API's own overhead)."""
        from app.search.index_admin import ensure_scoped_keys

        self.search_key, self.indexer_key = ensure_scoped_keys(self.admin, INDEX)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MEILI_")}
        self.env.update(
            DATABASE_URL=self.db.url,
            MEILI_URL=self.meili.url,
            MEILI_SEARCH_KEY=self.search_key,
            MEILI_ADMIN_KEY=self.indexer_key,
            MEILI_INDEX=INDEX,
            DATA_DIR=str(self.tmp),
            BILDUNGSRAUM_ENV="development",
            PYTHONUNBUFFERED="1",
            # The limiter runs as deployed, with a limit the load generator never reaches.
            RATE_LIMIT_SEARCH="1000000/second",
        )
        # As deployed: the Dockerfile runs WEB_CONCURRENCY=2 workers, each with its own cache.
        self.api = self._launch_api("api", {}, workers=2)
        self.api_nocache = self._launch_api("api_nocache", {"SEARCH_CACHE_ENTRIES": "0"})

    def _launch_api(self, name: str, env: dict[str, str], workers: int = 1) -> str:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
            + ["--workers", str(workers)],
            cwd=ROOT,
            env=self.env | env,
            stdout=open(self.tmp / f"{name}.log", "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        wait_http(f"{url}/health", proc=self.procs[name])
        step(f"{name} (bildungsraum serve) up at {url} (pid {self.procs[name].pid})")
        return url

    @property
    def meili_pid(self) -> int:
        if self.meili.process is None:
            raise RuntimeError("Meilisearch is not running")
        return self.meili.process.pid

    def meili_client(self, key: str, encoding: str = "identity") -> httpx.Client:
        # identity: httpx asks for gzip by default, and Meilisearch then spends ~40 ms
        # compressing a 20-hit answer; the raw reference measures the search itself.
        return httpx.Client(
            base_url=self.meili.url,
            headers={
                "Authorization": f"Bearer {key}",
                "Content-Type": "application/json",
                "Accept-Encoding": encoding,
            },
            transport=httpx.HTTPTransport(socket_options=NODELAY),
            timeout=httpx.Timeout(60),
        )

    def latency(self) -> dict[str, Any]:
        api = httpx.Client(
            base_url=self.api_nocache,
            transport=httpx.HTTPTransport(socket_options=NODELAY),
            timeout=httpx.Timeout(10),
        )
        cached = httpx.Client(
            base_url=self.api,
            transport=httpx.HTTPTransport(socket_options=NODELAY),
            timeout=httpx.Timeout(10),
        )
        raw = self.meili_client(self.search_key)
        auth = {"Authorization": f"Bearer {self.search_key}", "Accept-Encoding": "identity"}
        lean = {
            "api": LeanClient(self.api_nocache),
            "cached": LeanClient(self.api),
            "raw": LeanClient(self.meili.url, auth),
            "portal": LeanClient(self.api_nocache),
            "portal_origin": LeanClient(self.api_nocache, {"Origin": PORTAL_ORIGIN}),
            "portal_cached": LeanClient(self.api),
            "portal_raw": LeanClient(self.meili.url, auth),
            "page": LeanClient(self.api_nocache),
            "page_raw": LeanClient(self.meili.url, auth),
        }
        scope = self.portal_scope

        def request_of(target: str, q: dict[str, Any]) -> tuple[str, str, bytes]:
            """What each target asks for query q: the routes citizens use, each next to the
            exact Meilisearch request it makes."""
            if target == "raw":
                return "POST", "/multi-search", raw_body(q)
            if target == "portal_raw":
                return "POST", "/multi-search", raw_body(q, scope)
            if target == "page_raw":
                return "POST", "/multi-search", raw_body({**q, "per_page": PAGE_HITS}, scope)
            if target.startswith("portal"):
                return "GET", portal_api_path(q), b""
            if target == "page":
                return "GET", page_path(q), b""
            return "GET", api_path(q), b""

        out: dict[str, Any] = {}
        try:
            # the framework floor: a trivial endpoint, and Meilisearch's /health; and what the
            # httpx sync client adds on top of that (why the timed loops use LeanClient)
            api_health, meili_health, httpx_health, widget = [], [], [], []
            for _ in range(200):
                t0 = time.perf_counter()
                lean["api"].request("GET", "/health")
                api_health.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                lean["raw"].request("GET", "/health")
                meili_health.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                api.get("/health").raise_for_status()
                httpx_health.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                lean["portal"].request("GET", f"/widget/{PORTAL_SLUG}.js")
                widget.append(time.perf_counter() - t0)
            out["health"] = {
                "api": summary_ms(api_health),
                "raw": summary_ms(meili_health),
                "api_via_httpx": summary_ms(httpx_health),
                "widget_script": summary_ms(widget),
            }
            # evidence: the same text searches with httpx's default Accept-Encoding (gzip),
            # which is what the API's SearchBackend sends today
            with self.meili_client(self.search_key, "gzip, deflate") as gz:
                gz_t = []
                for i in range(60):
                    body = raw_body({"q": TEXT_QUERIES[i % len(TEXT_QUERIES)]})
                    t0 = time.perf_counter()
                    gz.post("/multi-search", content=body).raise_for_status()
                    gz_t.append(time.perf_counter() - t0)
            out["raw_text_gzip"] = summary_ms(gz_t[10:])
            for kind in ("text", "facets", "radius"):
                out[kind] = self._latency_of(kind, lean, api, cached, raw, request_of)
        finally:
            api.close()
            cached.close()
            raw.close()
            for client in lean.values():
                client.close()
        out["loadavg_1m"] = round(os.getloadavg()[0], 2)
        return out

    def _latency_of(
        self,
        kind: str,
        lean: dict[str, LeanClient],
        api: httpx.Client,
        cached: httpx.Client,
        raw: httpx.Client,
        request_of: Any,
    ) -> dict[str, Any]:
        """One query kind: warm-up and sanity, then timed blocks for every target."""
        scope = self.portal_scope
        queries = query_set(kind)
        # warm-up + sanity: the API and the raw body must find the same totals
        mismatches = 0
        for q in queries:
            for path, body in (
                (api_path(q), raw_body(q)),
                (portal_api_path(q), raw_body(q, scope)),
            ):
                a = api.get(path)
                a.raise_for_status()
                r = raw.post("/multi-search", content=body)
                r.raise_for_status()
                if a.json()["total"] != r.json()["results"][0]["totalHits"]:
                    mismatches += 1
                cached.get(path).raise_for_status()  # fills the cache
        for client in lean.values():
            client.connect()  # the warm-up may have left them idle past keep-alive
        for q in queries:  # these connections' workers see each query once
            lean["cached"].request("GET", api_path(q))
            lean["portal_cached"].request("GET", portal_api_path(q))
        times = self._timed_blocks(kind, queries, lean, request_of)
        summaries = {target: summary_ms(values) for target, values in times.items()}
        # The k-th request of a route and the k-th raw request asked the same query (same
        # blocks, same order), so their difference is the route's overhead on that query.
        # Its median is the overhead at p50; the difference of the two p50s wobbles by
        # milliseconds where the query set's times are spread.
        overhead = {
            route: round(
                summary_ms([a - r for a, r in zip(times[route], times[reference], strict=True)])[
                    "p50"
                ],
                3,
            )
            for route, reference in (
                ("api", "raw"),
                ("portal", "portal_raw"),
                ("portal_origin", "portal_raw"),
                ("page", "page_raw"),
            )
        }
        a_s, r_s = summaries["api"], summaries["raw"]
        step(
            f"{kind}: p50 ms "
            + " | ".join(f"{target} {s['p50']:.2f}" for target, s in summaries.items())
            + " | overhead "
            + " ".join(f"{k} {v:.2f}" for k, v in overhead.items())
        )
        return {
            "api": a_s,
            "raw": r_s,
            "cached": summaries["cached"],
            "routes": summaries,
            "overhead_p50_ms": overhead["api"],
            "route_overhead_p50_ms": overhead,
            "p50_difference_ms": round(a_s["p50"] - r_s["p50"], 3),
            "queries": len(queries),
            "total_mismatches": mismatches,
        }

    def _timed_blocks(
        self,
        kind: str,
        queries: list[dict[str, Any]],
        lean: dict[str, LeanClient],
        request_of: Any,
    ) -> dict[str, list[float]]:
        times: dict[str, list[float]] = {target: [] for target in lean}
        order = list(times)
        # Blocks of consecutive requests per target, the order rotating per block: on this
        # VM a process woken after ~50 ms idle pays 2-5 ms more (GET /health: 5.4 vs 0.8 ms
        # via uvicorn, 2.1 vs 0.06 ms via Meilisearch), and interleaving one request per
        # target would charge that to whoever waited longest.
        for first in range(0, self.per_kind, LATENCY_BLOCK):
            rounds = range(first, min(first + LATENCY_BLOCK, self.per_kind))
            for target in order:
                for i in rounds:
                    q = queries[i % len(queries)]
                    method, path, body = request_of(target, q)
                    t0 = time.perf_counter()
                    status, _ = lean[target].request(method, path, body)
                    times[target].append(time.perf_counter() - t0)
                    if status != 200:
                        raise RuntimeError(f"{kind} {q}: {target} answered {status}")
            order = order[1:] + order[:1]
        return times

    # 4 -------------------------------------------------------------------------------------
    def _run_loadgen(
        self, target: str, paths_file: Path, seconds: float
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.search_bench",
                "--loadgen",
                target,
                str(paths_file),
                str(seconds),
                str(self.concurrency),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )

    def throughput(self, label: str = "", raw: bool = False, api: str = "api") -> dict[str, Any]:
        paths: list[Any] = []
        sets = [query_set(k) for k in ("text", "facets", "radius")]
        for i in range(max(len(s) for s in sets)):
            for s in sets:
                q = s[i % len(s)]
                paths.append(
                    {"path": "/multi-search", "body": raw_body(q).decode(), "auth": self.search_key}
                    if raw
                    else api_path(q)
                )
        target = self.meili.url if raw else (self.api if api == "api" else self.api_nocache)
        paths_file = self.tmp / "paths.json"
        paths_file.write_text(json.dumps(paths))
        step(
            f"throughput: {self.concurrency} connections for {self.throughput_s:.0f} s "
            "(load generator in its own process)"
        )
        # Untimed first, with the same mix: Meilisearch warms up, and each worker of the
        # deployed API sees every query once (a miss costs up to ~200 ms of Meilisearch at 100k).
        warm_s = 2 if raw or api != "api" else 15
        self._run_loadgen(target, paths_file, warm_s)
        spy = None
        if self.profile and not raw:
            spy_bin = Path(sys.executable).with_name("py-spy")
            out = RESULTS / f"api-profile-{self.offers}{label}.txt"
            RESULTS.mkdir(parents=True, exist_ok=True)
            spy = subprocess.Popen(
                [
                    str(spy_bin),
                    "record",
                    "-p",
                    str(self.procs[api].pid),
                    "-o",
                    str(out),
                    "--format",
                    "raw",
                    "-r",
                    "250",
                    "-d",
                    str(int(self.throughput_s)),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(0.5)
        before = _cpu_ticks(self.procs[api].pid), _cpu_ticks(self.meili_pid)
        done = self._run_loadgen(target, paths_file, self.throughput_s)
        after = _cpu_ticks(self.procs[api].pid), _cpu_ticks(self.meili_pid)
        if spy is not None:
            try:
                spy.wait(timeout=30)
            except subprocess.TimeoutExpired:
                stop_process(spy)
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        tick = os.sysconf("SC_CLK_TCK")
        result["api_cpu_s"] = round((after[0] - before[0]) / tick, 2)
        result["meili_cpu_s"] = round((after[1] - before[1]) / tick, 2)
        result["loadavg_1m"] = round(os.getloadavg()[0], 2)
        step(
            f"throughput {result['rps']:.0f} req/s, errors {result['errors']}, "
            f"API CPU {result['api_cpu_s']} s, Meili CPU {result['meili_cpu_s']} s"
        )
        return result

    # 5 -------------------------------------------------------------------------------------
    def commit_to_searchable(self, label: str = "") -> dict[str, Any]:
        from app.db import session_scope
        from app.demo.catalogue import demo_offers
        from app.models.api_key import Role
        from app.models.organisation import OrganisationIn
        from app.services.auth import Actor, create_api_key
        from app.services.organisations import create_organisation

        with session_scope(self.engine) as session:
            org = create_organisation(
                session=session,
                actor=Actor.system("bench"),
                data=OrganisationIn(name=f"Bench-Akademie{label}", kind="provider", trusted=True),
            )
            _, token = create_api_key(
                session=session, role=Role.provider, organisation_id=org.id, name="search-bench"
            )
        self.procs["indexer"] = subprocess.Popen(
            [sys.executable, "-m", "indexer"],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.tmp / f"indexer{label}.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        time.sleep(1.5)  # let it apply settings once
        if self.procs["indexer"].poll() is not None:
            raise RuntimeError("indexer exited; see " + str(self.tmp / "indexer.log"))
        payloads = [
            p
            for _, p in demo_offers(
                organisations=1, count=self.commits, seed=99, today=date.today()
            )
        ]
        client = httpx.Client(
            base_url=self.api,
            transport=httpx.HTTPTransport(socket_options=NODELAY),
            timeout=httpx.Timeout(10),
        )
        post_t, visible_t, polls = [], [], []
        rng = random.Random(f"commit{label}")
        try:
            for payload in payloads:
                word = "".join(rng.choice(string.ascii_lowercase) for _ in range(12))
                body = payload.model_dump(mode="json")
                body["title"] = f"{body['title']} {word}"
                body.pop("external_id", None)
                t0 = time.perf_counter()
                r = client.post(
                    "/api/v1/offers",
                    content=orjson.dumps(body),
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                    },
                )
                t1 = time.perf_counter()
                if r.status_code != 201 or r.json()["status"] != "published":
                    raise RuntimeError(f"create failed: {r.status_code} {r.text[:300]}")
                offer_id = r.json()["id"]
                n = 0
                while True:
                    n += 1
                    s = client.get("/api/v1/search", params={"q": word})
                    if any(h["id"] == offer_id for h in s.json().get("hits", [])):
                        break
                    if time.perf_counter() - t1 > 30:
                        raise RuntimeError(f"offer {offer_id} not searchable after 30 s")
                    time.sleep(0.005)
                t2 = time.perf_counter()
                post_t.append(t1 - t0)
                visible_t.append(t2 - t1)
                polls.append(n)
        finally:
            client.close()
        result: dict[str, Any] = {
            "offers": len(visible_t),
            "post": summary_ms(post_t),
            "visible_after_commit": summary_ms(visible_t),
            "visible_after_request_start": summary_ms(
                [a + b for a, b in zip(post_t, visible_t, strict=True)]
            ),
            "mean_polls": round(sum(polls) / len(polls), 1),
        }
        v = result["visible_after_commit"]
        step(f"commit→searchable p50 {v['p50']:.0f} ms p95 {v['p95']:.0f} ms")
        return result

    # run -----------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        try:
            self.setup()
            self.reindex()
            self.start_api()
            self.results["latency"] = self.latency()
            self.results["throughput"] = self.throughput()
            self.results["throughput_nocache"] = self.throughput("-nocache", api="api_nocache")
            self.results["throughput_raw"] = self.throughput("-raw", raw=True)
            self.results["commit_to_searchable"] = self.commit_to_searchable()
            self.results["api_memory_mb"] = worker_rss_mb(self.procs["api"].pid)
            self.results["api_nocache_memory_mb"] = worker_rss_mb(self.procs["api_nocache"].pid)
            self.results["meili_memory_mb"] = rss_mb(self.meili_pid)
            stop_process(self.procs.pop("indexer", None))
            return self.results
        finally:
            for name in ("indexer", "api", "api_nocache"):
                stop_process(self.procs.get(name))
            if hasattr(self, "engine"):
                self.engine.dispose()
            self.meili.stop()
            try:
                self.db.drop()
            finally:
                if self.keep:
                    print(f"kept {self.tmp}")
                else:
                    shutil.rmtree(self.tmp, ignore_errors=True)


def _normalise(url: str) -> str:
    from app.config import normalise_database_url

    return normalise_database_url(url)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_ticks(pid: int) -> int:
    """utime + stime of a process and its uvicorn workers."""
    total = 0
    for p in {pid, *workers_of(pid)}:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total


# --- report ---------------------------------------------------------------------------------


def table(r: dict[str, Any]) -> str:
    rows: list[tuple[str, str, str, str]] = []

    def add(name: str, value: str, target: str = "", ok: bool | None = None) -> None:
        rows.append((name, value, target, "" if ok is None else ("ok" if ok else "MISS")))

    ld = r["load"]
    add(
        "machine load avg 1m: start/latency/tput",
        f"{r['setup']['loadavg_1m_start']} / {r['latency']['loadavg_1m']} / "
        f"{r['throughput']['loadavg_1m']} (on {r['setup']['cpus']} CPUs)",
    )
    add("offers / organisations", f"{ld['offers']:,} / {ld['organisations']}")
    add("documents in index", f"{ld['documents']:,}")
    add(
        "1 DB load (create_offer, 1000/tx)",
        f"{ld['db_load_s']:.1f} s ({ld['db_offers_per_s']:,.0f} offers/s)",
    )
    add(
        "1 outbox drain (Indexer.drain)",
        f"{ld['drain_s']:.1f} s ({ld['drain_rows_per_s']:,.0f} rows/s)",
    )
    ri = r["reindex"]
    add("2 full reindex (rebuild_index)", f"{ri['rebuild_s']:.1f} s")
    add("2 raw Meilisearch bulk load", f"{ri['raw_bulk_s']:.1f} s")
    add("2 (untimed) DB read + offer_documents", f"{ri['doc_build_s']:.1f} s")
    add("2 ratio reindex / raw", f"{ri['ratio']:.2f}", "<= 1.3", ri["ratio"] <= 1.3)
    lat = r["latency"]
    h = lat["health"]
    add("3 GET /health API | raw p50", f"{h['api']['p50']:.2f} | {h['raw']['p50']:.2f} ms")
    if "widget_script" in h:
        add("3 GET /widget/<slug>.js p50", f"{h['widget_script']['p50']:.2f} ms")
    if "api_via_httpx" in h:
        add("3 GET /health API via httpx p50", f"{h['api_via_httpx']['p50']:.2f} ms")
    for kind, p95_target in (("text", 10), ("facets", 10), ("radius", 15)):
        k = lat[kind]
        a, w, c = k["api"], k["raw"], k["cached"]
        add(
            f"3 {kind}: API, cache off p50/p95/p99",
            f"{a['p50']:.2f} / {a['p95']:.2f} / {a['p99']:.2f} ms",
            f"p50<=3 p95<={p95_target}",
            a["p50"] <= 3 and a["p95"] <= p95_target,
        )
        add(f"3 {kind}: raw p50/p95/p99", f"{w['p50']:.2f} / {w['p95']:.2f} / {w['p99']:.2f} ms")
        add(
            f"3 {kind}: overhead API-raw, p50 of pairs",
            f"{k['overhead_p50_ms']:.2f} ms (p50 API - p50 raw: {k['p50_difference_ms']:.2f})",
            "<= 1.5",
            k["overhead_p50_ms"] <= 1.5,
        )
        add(
            f"3 {kind}: API, repeated query (cached)",
            f"{c['p50']:.2f} / {c['p95']:.2f} / {c['p99']:.2f} ms",
            f"p50<=3 p95<={p95_target}",
            c["p50"] <= 3 and c["p95"] <= p95_target,
        )
        if k["total_mismatches"]:
            add(f"3 {kind}: API/raw total mismatches", str(k["total_mismatches"]), "0", False)
        routes, over = k.get("routes"), k.get("route_overhead_p50_ms")
        if routes and over:
            for route, reference, label in (
                ("portal", "portal_raw", "portal API"),
                ("portal_origin", "portal_raw", "portal API + Origin"),
                ("page", "page_raw", "portal page"),
            ):
                ratio = routes[route]["p50"] / routes[reference]["p50"]
                gap = over[route] - over["api"]
                figure = (
                    f"{routes[route]['p50']:.2f} | {routes[reference]['p50']:.2f} ms ({ratio:.2f})"
                )
                if route == "page":
                    # The target is the API routes'; a page's server time (rendering, the
                    # ways out) is measured the same way and shown beside them.
                    add(f"3 {kind}: {label} p50 | its raw p50 (ratio)", figure)
                else:
                    add(
                        f"3 {kind}: {label} p50 | its raw p50 (ratio)",
                        figure,
                        "ratio <= 1.25",
                        ratio <= 1.25,
                    )
                if route.startswith("portal"):
                    add(
                        f"3 {kind}: {label} overhead, p50 of pairs",
                        f"{over[route]:.2f} ms ({gap:+.2f} vs global)",
                        "<= global + 0.2",
                        gap <= 0.2,
                    )
                else:
                    add(f"3 {kind}: {label} overhead, p50 of pairs", f"{over[route]:.2f} ms")
            add(
                f"3 {kind}: global API p50 | raw p50 (ratio)",
                f"{a['p50']:.2f} | {w['p50']:.2f} ms ({a['p50'] / w['p50']:.2f})",
                "ratio <= 1.25",
                a["p50"] / w["p50"] <= 1.25,
            )
            pc = routes["portal_cached"]
            add(
                f"3 {kind}: portal API, repeated query (cached)",
                f"{pc['p50']:.2f} / {pc['p95']:.2f} / {pc['p99']:.2f} ms",
            )
    g = lat["raw_text_gzip"]
    add("3 raw text w/ Accept-Encoding gzip", f"{g['p50']:.2f} / {g['p95']:.2f} ms (p50/p95)")
    for key, name in (
        ("throughput", "API, cache on"),
        ("throughput_nocache", "API, cache off"),
        ("throughput_raw", "raw Meilisearch"),
    ):
        if key not in r:
            continue
        t = r[key]
        ok = t["rps"] >= 800 and not t["errors"] if key == "throughput" else None
        add(
            f"4 throughput c={t.get('concurrency', 8)} {name}",
            f"{t['rps']:,.0f} req/s "
            f"(p50 {t['latency_ms']['p50']:.1f} ms, p99 {t['latency_ms']['p99']:.1f} ms, "
            f"errors {t['errors']})",
            ">= 800" if ok is not None else "",
            ok,
        )
        add(
            f"4   CPU {name}: API | Meili",
            f"{t['api_cpu_s']} s | {t['meili_cpu_s']} s "
            f"of {t['seconds']} s (load {t['loadavg_1m']})",
        )
    c = r["commit_to_searchable"]
    v = c["visible_after_commit"]
    add(
        "5 commit->searchable p50/p95 (cache on)",
        f"{v['p50']:.0f} / {v['p95']:.0f} ms (n={c['offers']})",
        "p95 <= 1000",
        v["p95"] <= 1000,
    )
    add("5 POST /offers p50/p95", f"{c['post']['p50']:.1f} / {c['post']['p95']:.1f} ms")
    for key, name in (("api_memory_mb", "cache on"), ("api_nocache_memory_mb", "cache off")):
        if key in r:
            m = r[key]
            add(
                f"6 API worker RSS, {name} (peak)",
                f"{m['VmRSS']:.0f} MB ({m['VmHWM']:.0f} MB)",
                "<= 150",
                m["VmRSS"] <= 150,
            )
    add("  Meilisearch RSS", f"{r['meili_memory_mb']['VmRSS']:.0f} MB")
    widths = [
        max(len(row[i]) for row in rows + [("metric", "value", "target", "")]) for i in range(4)
    ]
    lines = [
        f"{'metric':<{widths[0]}}  {'value':<{widths[1]}}  {'target':<{widths[2]}}",
        "-" * (sum(widths) + 6),
    ]
    lines += [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c_:<{widths[2]}}  {d}" for a, b, c_, d in rows]
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--loadgen":
        loadgen_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: a fresh SQLite file in a temp dir; for postgresql:// "
        "a fresh database is created on that server and dropped after",
    )
    parser.add_argument("--requests", type=int, default=300, help="timed requests per query kind")
    parser.add_argument("--seconds", type=float, default=10.0, help="throughput run length")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--commits", type=int, default=50, help="offers for commit->searchable")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="py-spy the API worker during the throughput run "
        "(needs .venv/bin/py-spy); writes bench/results/api-profile-N.txt",
    )
    args = parser.parse_args()
    bench = Bench(
        offers=args.offers,
        database_url=args.database_url,
        per_kind=args.requests,
        throughput_s=args.seconds,
        concurrency=args.concurrency,
        commits=args.commits,
        keep=args.keep,
        profile=args.profile,
    )
    results = bench.run()
    for key in ("throughput", "throughput_nocache", "throughput_raw"):
        if key in results:
            results[key]["concurrency"] = args.concurrency
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"search-{args.offers}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print()
    print(table(results))
    print(f"\nwritten {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
