"""The webhook worker (`python -m workers.webhooks`): turns feed changes into
deliveries per endpoint and sends them, signed per Standard Webhooks.

Its own process, not the indexer's: a receiver that is slow or gone must never delay
indexing. Each endpoint is served by one thread of one worker at a time, under a lease on
its row (several workers may run), WEBHOOK_CONCURRENCY endpoints at once per worker, so a
slow receiver holds only its own. Deliveries of an endpoint go out strictly in feed order
(so in order per offer): a failed one is retried with exponential backoff and holds back the
later ones. Rows are the record: a delivery is marked delivered only after the receiver
answered 2xx, so a worker killed at any point sends again what it had not recorded (at least
once, never skipped), once its lease has expired. Delivered rows older than
WEBHOOK_KEEP_DELIVERED_DAYS are pruned as the worker goes.
"""

import logging
import os
import secrets
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin

import httpcore
import orjson
from sqlalchemy import Engine, update
from sqlmodel import Session, col, func, select
from standardwebhooks import Webhook

from app.config import Settings, get_settings
from app.db import database_now, get_engine, session_scope
from app.models.changes import PublicChange
from app.models.portal import Portal
from app.models.types import utcnow
from app.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from app.processes import run_until_signalled
from app.services import changes
from app.services.portals import portal_scope
from app.services.public_addresses import GuardedBackend, OutboundError, parse_networks, redacted
from app.services.webhooks import prune_deliveries

log = logging.getLogger("bildungsraum.webhooks")

USER_AGENT = b"Bildungsraum-Webhooks/1.0"
# Changes read per endpoint per round, and deliveries sent per endpoint before its rows are
# updated (a worker killed in between sends at most this many again).
FAN_OUT_BATCH = 1000
SEND_BATCH = 200
# Bytes of a receiver's answer read (then the connection is reused); the rest is ignored.
MAX_ANSWER = 64 * 1024
HEARTBEAT_S = 5.0
# Old delivered rows are pruned this many per transaction, a batch per round while full
# batches come back, then again after PRUNE_EVERY_S: a large backlog never stalls the loop.
PRUNE_BATCH = 500
PRUNE_EVERY_S = 600.0
# An endpoint's lease lasts three receiver timeouts (WEBHOOK_TIMEOUT) and a margin, and is
# renewed before a POST when less than two and the margin are left. A POST ends within one
# timeout, and recording what it sent within one database statement deadline
# (DB_STATEMENT_TIMEOUT), which the margin covers with this much to spare; so what was sent is
# recorded while the lease still holds. A worker killed while holding a lease keeps its
# endpoint from the others for at most the whole lease.
LEASE_SPARE_S = 1.0


def message(payload: dict[str, Any], *, change_id: int, event: str) -> tuple[str, bytes]:
    """The Standard Webhooks message: its id (the same on every retry and replay, so a
    receiver can drop duplicates) and body (`type`, `timestamp`, `data` = the feed's item)."""
    body = {"type": event, "timestamp": payload["changed_at"], "data": payload}
    return f"change_{change_id}", orjson.dumps(body)


def signed_headers(
    secret: str, msg_id: str, body: bytes, now: datetime
) -> list[tuple[bytes, bytes]]:
    signature = Webhook(secret).sign(msg_id, now, body)
    return [
        (b"Content-Type", b"application/json"),
        (b"User-Agent", USER_AGENT),
        (b"webhook-id", msg_id.encode()),
        (b"webhook-timestamp", str(int(now.timestamp())).encode()),
        (b"webhook-signature", signature.encode()),
    ]


def backoff(attempts: int, settings: Settings) -> timedelta:
    seconds = settings.webhook_retry_base_s * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.webhook_retry_max_s))


# --- from feed changes to deliveries ------------------------------------------------------


def fan_out(*, session: Session, endpoint_id: int) -> int:
    """Queue the endpoint's deliveries for the changes after its position (one batch)."""
    query = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()  # two workers never queue the same changes
    endpoint = session.exec(query).first()
    if endpoint is None or not endpoint.active:
        return 0
    if 0 < endpoint.position < changes.pruned_through(session):
        # Changes this endpoint has not had were pruned (it was disabled, or the worker stopped,
        # for longer than the feed's retention): carrying on would skip removals silently.
        endpoint.active = False
        endpoint.disabled_at = utcnow()
        endpoint.disabled_reason = (
            "changes after this endpoint's position are no longer kept (FEED_RETENTION_DAYS); "
            "replay from the start (POST .../replay with no cursor), then PATCH active=true"
        )
        session.add(endpoint)
        session.commit()
        log.warning("webhook %s disabled: its position is older than the feed", endpoint.id)
        return 0
    portal = None if endpoint.portal_id is None else session.get(Portal, endpoint.portal_id)
    rows = changes.rows_after(session, endpoint.position, FAN_OUT_BATCH, documents=portal is None)
    if not rows:
        return 0
    if portal is None:
        found = [(r.id, changes.feed_item(r, parsed=True)) for r in rows]
    else:
        found = changes.scoped_items(session, rows, portal_scope(portal), parsed=True)
    wanted = set(endpoint.event_types)
    queued = 0
    for change_id, item in found:
        if item["event"] not in wanted:
            continue
        session.add(
            WebhookDelivery(
                endpoint_id=endpoint_id,
                change_id=change_id,
                offer_id=item["offer_id"],
                event=item["event"],
                payload=item,
            )
        )
        queued += 1
    endpoint.position = rows[-1].id
    session.add(endpoint)
    session.commit()
    return queued


# --- one worker per endpoint ----------------------------------------------------------------


def lease_holder_name() -> str:
    """Names a worker in the leases it holds: unique per process and worker, then the host
    for whoever reads the row."""
    return f"{os.getpid()}:{secrets.token_hex(4)}@{socket.gethostname()}"[:100]


@dataclass
class EndpointLease:
    """A worker's claim on one endpoint: only the holder queues and sends its deliveries.
    Taken and renewed by an UPDATE whose condition (lease free or expired; held by us) the
    database checks atomically, PostgreSQL and SQLite alike."""

    engine: Engine
    endpoint_id: int
    holder: str
    seconds: float
    # keep() renews the lease when less than this is left.
    renew_below_s: float
    # When the lease ends (time.monotonic()); 0 when not held.
    _until: float = field(default=0.0, init=False)

    def _take(self, condition: Callable[[datetime], Any]) -> bool:
        """Expiry is the database's clock, not this host's: workers on hosts whose clocks
        differ agree on when a lease ends. This worker counts its own from before the
        database's reading (monotonic), so it gives the lease up no later than others see it
        expire."""
        started = time.monotonic()
        with self.engine.begin() as connection:
            now = database_now(connection)
            taken = connection.execute(
                update(WebhookEndpoint)
                .where(col(WebhookEndpoint.id) == self.endpoint_id, condition(now))
                .values(lease_holder=self.holder, lease_until=now + timedelta(seconds=self.seconds))
            )
        self._until = started + self.seconds if taken.rowcount == 1 else 0.0
        return self._until > 0

    def claim(self) -> bool:
        """Take the lease if no one holds it, or its holder let it expire."""
        until = col(WebhookEndpoint.lease_until)
        return self._take(lambda now: until.is_(None) | (until < now))

    def keep(self) -> bool:
        """Still held, renewed when it runs short; False once lost (expired and taken)."""
        if self._until == 0:
            return False
        if self._until - time.monotonic() >= self.renew_below_s:
            return True
        return self._take(lambda _now: col(WebhookEndpoint.lease_holder) == self.holder)

    def release(self) -> None:
        self._until = 0.0
        with self.engine.begin() as connection:
            connection.execute(
                update(WebhookEndpoint)
                .where(
                    col(WebhookEndpoint.id) == self.endpoint_id,
                    col(WebhookEndpoint.lease_holder) == self.holder,
                )
                .values(lease_holder=None, lease_until=None)
            )


# --- sending ---------------------------------------------------------------------------------


@dataclass
class Attempt:
    ok: bool
    status: int | None = None
    error: str | None = None


@dataclass
class Sender:
    """Sends deliveries and records what happened; one per worker process."""

    engine: Engine
    settings: Settings = field(default_factory=get_settings)
    _pools: dict[int, httpcore.ConnectionPool] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    # The deadline of the POST each sending thread has in progress (time.monotonic()).
    _deadlines: threading.local = field(default_factory=threading.local, init=False)

    def _deadline(self) -> float | None:
        at: float | None = getattr(self._deadlines, "at", None)
        return at

    def _pool(self, endpoint_id: int) -> httpcore.ConnectionPool:
        with self._lock:
            pool = self._pools.get(endpoint_id)
            if pool is None:
                pool = httpcore.ConnectionPool(
                    ssl_context=ssl.create_default_context(),
                    network_backend=GuardedBackend(
                        parse_networks(self.settings.webhook_allowed_networks),
                        setting="WEBHOOK_ALLOWED_NETWORKS",
                        # One POST, answer included, takes WEBHOOK_TIMEOUT at most: a
                        # receiver trickling its answer cannot hold a sending thread.
                        deadline=self._deadline,
                    ),
                    retries=0,
                    max_connections=1,
                    keepalive_expiry=30,
                )
                self._pools[endpoint_id] = pool
            return pool

    def post(self, endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> Attempt:
        """One POST; any answer but a 2xx is a failure (a redirect is not followed)."""
        assert endpoint.id is not None
        msg_id, body = message(delivery.payload, change_id=delivery.change_id, event=delivery.event)
        headers = signed_headers(endpoint.secret, msg_id, body, utcnow())
        timeout = self.settings.webhook_timeout_s
        timeouts = {
            "connect": min(self.settings.webhook_connect_timeout_s, timeout),
            "read": timeout,
            "write": timeout,
            "pool": timeout,
        }
        pool = self._pool(endpoint.id)
        self._deadlines.at = time.monotonic() + timeout
        try:
            with pool.stream(
                "POST",
                endpoint.url,
                headers=headers,
                content=body,
                extensions={"timeout": timeouts},
            ) as response:
                status = int(response.status)
                read = 0
                for chunk in response.iter_stream():
                    read += len(chunk)
                    if read > MAX_ANSWER:
                        break
                location = next(
                    (v.decode("latin-1") for k, v in response.headers if k.lower() == b"location"),
                    None,
                )
        except OutboundError as exc:
            return Attempt(False, error=exc.message)
        except httpcore.TimeoutException:
            return Attempt(False, error=f"no answer within {timeout:g} s")
        except httpcore.UnsupportedProtocol:
            return Attempt(False, error="only http and https URLs can be called")
        except (httpcore.NetworkError, httpcore.ProtocolError) as exc:
            return Attempt(False, error=f"the connection failed ({exc.__class__.__name__})")
        except Exception as exc:
            # Anything else (a fault in a library under the request) fails this attempt, so
            # the delivery backs off as any failure does instead of being sent every round.
            log.exception("webhook %s: the request failed unexpectedly", endpoint.id)
            return Attempt(False, error=f"the request failed ({exc.__class__.__name__})")
        finally:
            self._deadlines.at = None
        if 200 <= status < 300:
            return Attempt(True, status=status)
        if 300 <= status < 400:
            where = f" to {redacted(urljoin(endpoint.url, location))}" if location else ""
            return Attempt(
                False,
                status=status,
                error=f"HTTP {status}: redirects{where} are not followed; register the final URL",
            )
        return Attempt(False, status=status, error=f"the receiver answered HTTP {status}")

    def deliver(self, endpoint_id: int, lease: EndpointLease) -> int:
        """Send the endpoint's due deliveries in order until one fails or the lease is lost;
        returns how many went out. The database connection is not held while waiting for the
        receiver."""
        now = utcnow()
        with Session(self.engine, expire_on_commit=False) as session:
            endpoint = session.get(WebhookEndpoint, endpoint_id)
            if endpoint is None or not endpoint.active:
                return 0
            batch = list(
                session.exec(
                    select(WebhookDelivery)
                    .where(
                        WebhookDelivery.endpoint_id == endpoint_id,
                        WebhookDelivery.status == DeliveryStatus.pending,
                    )
                    .order_by(col(WebhookDelivery.id))
                    .limit(SEND_BATCH)
                )
            )
        if not batch or batch[0].next_attempt_at > now:
            return 0
        delivered: dict[int, list[int]] = {}  # HTTP status → delivery ids
        failed: tuple[WebhookDelivery, Attempt] | None = None
        for delivery in batch:
            if not lease.keep():
                log.warning("webhook %s: lease lost; another worker sends the rest", endpoint_id)
                break
            attempt = self.post(endpoint, delivery)
            if not attempt.ok:
                failed = (delivery, attempt)
                break
            assert delivery.id is not None
            assert attempt.status is not None
            delivered.setdefault(attempt.status, []).append(delivery.id)
        if delivered or failed is not None:
            self._record(endpoint_id, delivered, failed)
        return sum(len(ids) for ids in delivered.values())

    def _record(
        self,
        endpoint_id: int,
        delivered: dict[int, list[int]],
        failed: tuple[WebhookDelivery, Attempt] | None,
    ) -> None:
        now = utcnow()
        with Session(self.engine) as session:
            for status, ids in delivered.items():
                session.execute(
                    update(WebhookDelivery)
                    .where(col(WebhookDelivery.id).in_(ids))
                    .values(
                        status=DeliveryStatus.delivered,
                        delivered_at=now,
                        attempts=col(WebhookDelivery.attempts) + 1,
                        last_status=status,
                    )
                )
            endpoint = session.get(WebhookEndpoint, endpoint_id)
            if endpoint is None:
                session.commit()
                return
            if delivered or failed is None:
                # The window of failures counts from the last delivery that went through: a
                # receiver that fails now and then under steady traffic is not disabled.
                endpoint.failing_since = None
            if failed is not None:
                self._failed(session, endpoint, *failed, now=now)
            session.add(endpoint)
            session.commit()

    def _failed(
        self,
        session: Session,
        endpoint: WebhookEndpoint,
        delivery: WebhookDelivery,
        attempt: Attempt,
        *,
        now: datetime,
    ) -> None:
        row = session.get(WebhookDelivery, delivery.id)
        if row is None:
            return
        row.attempts += 1
        row.last_status = attempt.status
        row.last_error = (attempt.error or "failed")[:2000]
        row.next_attempt_at = now + backoff(row.attempts, self.settings)
        session.add(row)
        endpoint.failing_since = endpoint.failing_since or now
        window = timedelta(hours=self.settings.webhook_retry_hours)
        if now - endpoint.failing_since >= window:
            endpoint.active = False
            endpoint.disabled_at = now
            endpoint.disabled_reason = (
                f"deliveries failed since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC "
                f"({row.attempts} attempts of change {row.change_id}); last error: "
                f"{row.last_error}. Fix the receiver, then PATCH active=true: nothing is lost"
            )
            log.warning("webhook %s disabled: %s", endpoint.id, row.last_error)
        log.info(
            "webhook %s (%s): %s; next attempt at %s",
            endpoint.id,
            redacted(endpoint.url),
            row.last_error,
            row.next_attempt_at,
        )

    def close(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()


# --- the loop --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedMarks:
    newest: int  # the newest change's id (0: none yet)
    pruned_through: int


@dataclass
class WebhookWorker:
    engine: Engine
    settings: Settings = field(default_factory=get_settings)
    sender: Sender = field(init=False)
    holder: str = field(default_factory=lease_holder_name, init=False)
    _last_beat: float = field(default=0.0, init=False)
    _next_prune: float = field(default=0.0, init=False)  # time.monotonic()
    _marks: FeedMarks | None = field(default=None, init=False)  # the newest round's

    def __post_init__(self) -> None:
        self.sender = Sender(self.engine, self.settings)

    @contextmanager
    def leased(self, endpoint_id: int) -> Iterator[EndpointLease | None]:
        """The endpoint's lease for the block, released after it; None when another worker
        holds it."""
        timeout = self.settings.webhook_timeout_s
        margin = self.settings.db_statement_timeout_s + LEASE_SPARE_S
        lease = EndpointLease(
            self.engine,
            endpoint_id,
            self.holder,
            seconds=3 * timeout + margin,
            renew_below_s=2 * timeout + margin,
        )
        if not lease.claim():
            yield None
            return
        try:
            yield lease
        finally:
            lease.release()

    def feed_marks(self) -> FeedMarks:
        """The feed's newest change and how far it is pruned: read once per round for every
        endpoint's `has_work`."""
        with Session(self.engine) as session:
            newest = session.exec(select(func.max(col(PublicChange.id)))).one()
            return FeedMarks(newest=newest or 0, pruned_through=changes.pruned_through(session))

    def has_work(self, endpoint_id: int, marks: FeedMarks | None = None) -> bool:
        """Changes to queue or a delivery due, read before taking the lease: an idle
        endpoint costs no write. `marks` may be a round old: what came later is found in
        the next round."""
        marks = marks or self.feed_marks()
        with Session(self.engine) as session:
            endpoint = session.get(WebhookEndpoint, endpoint_id)
            if endpoint is None or not endpoint.active:
                return False
            if marks.newest > endpoint.position:
                return True
            if 0 < endpoint.position < marks.pruned_through:
                return True  # fan_out disables it
            first = session.exec(
                select(WebhookDelivery.next_attempt_at)
                .where(
                    WebhookDelivery.endpoint_id == endpoint_id,
                    WebhookDelivery.status == DeliveryStatus.pending,
                )
                .order_by(col(WebhookDelivery.id))
                .limit(1)
            ).first()
            return first is not None and first <= utcnow()

    def serve(self, endpoint_id: int, *, until_idle: bool, marks: FeedMarks | None = None) -> int:
        """Queue and send the endpoint's deliveries under its lease: one batch, or until
        nothing is due or one fails; nothing while another worker serves it."""
        if not self.has_work(endpoint_id, marks):
            return 0
        total = 0
        with self.leased(endpoint_id) as lease:
            while lease is not None and lease.keep():
                with Session(self.engine) as session:
                    fan_out(session=session, endpoint_id=endpoint_id)
                sent = self.sender.deliver(endpoint_id, lease)
                total += sent
                if not (sent and until_idle):
                    break
        return total

    def prune_delivered(self) -> int:
        """One batch of delivered rows older than WEBHOOK_KEEP_DELIVERED_DAYS, in a
        transaction of its own, when pruning is due."""
        now = time.monotonic()
        if now < self._next_prune:
            return 0
        older_than = utcnow() - timedelta(days=self.settings.webhook_keep_delivered_days)
        with session_scope(self.engine) as session:
            pruned = prune_deliveries(session=session, older_than=older_than, limit=PRUNE_BATCH)
        self._next_prune = now if pruned == PRUNE_BATCH else now + PRUNE_EVERY_S
        return pruned

    def active_endpoints(self) -> list[int]:
        with Session(self.engine) as session:
            return [
                i
                for i in session.exec(
                    select(WebhookEndpoint.id).where(col(WebhookEndpoint.active).is_(True))
                )
                if i is not None
            ]

    def run_once(self) -> int:
        """Queue and send everything due, endpoint after endpoint (tests, `webhooks once`)."""
        marks = self.feed_marks()
        return sum(self.serve(i, until_idle=False, marks=marks) for i in self.active_endpoints())

    def run_forever(self, stop: threading.Event) -> None:
        busy: dict[int, Future[int]] = {}
        with ThreadPoolExecutor(
            self.settings.webhook_concurrency, thread_name_prefix="webhook"
        ) as pool:
            while not stop.is_set():
                self.beat()
                try:
                    self._marks = self.feed_marks()
                    for endpoint_id in self.active_endpoints():
                        running = busy.get(endpoint_id)
                        if running is None or running.done():
                            busy[endpoint_id] = pool.submit(self._serve, endpoint_id)
                    self.prune_delivered()
                except Exception:  # the database may be away for a moment: next round
                    log.exception("webhook round failed")
                stop.wait(self.settings.webhook_poll_s)
        self.sender.close()

    def _serve(self, endpoint_id: int) -> int:
        try:
            # The newest round's marks when the task starts: a task that waited in the pool
            # for a free thread does not decide on older ones.
            return self.serve(endpoint_id, until_idle=True, marks=self._marks)
        except Exception:
            log.exception("delivering to webhook %s failed", endpoint_id)
            return 0

    def beat(self) -> None:
        heartbeat = self.settings.webhook_heartbeat_file
        now = time.monotonic()
        if heartbeat is not None and now - self._last_beat >= HEARTBEAT_S:
            heartbeat.touch()
            self._last_beat = now


def main(argv: list[str] | None = None) -> None:
    """Deliver until stopped; with `--once`, queue and send what is due once and exit."""
    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args == ["--once"]:
        print(f"delivered {WebhookWorker(get_engine()).run_once()} webhook messages")
        return

    def serve(stop: threading.Event) -> None:
        log.info("webhook worker running")
        WebhookWorker(get_engine()).run_forever(stop)

    run_until_signalled(serve)


if __name__ == "__main__":
    main()
