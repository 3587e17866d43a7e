"""Schemathesis against the served app (`bildungsraum serve`), on SQLite and PostgreSQL, with
an admin key, a provider key and no key: no answer is a server error, and every status code
is one the OpenAPI document names for that route. Cases per operation are bounded (and the
seed fixed, so a run is repeatable); FUZZ_EXAMPLES and FUZZ_SEED explore further."""

import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import status_code_conformance
from sqlmodel import Session

from app.db import build_engine
from app.models.api_key import Role
from app.models.organisation import OrganisationIn
from app.search.index_admin import create_index_with_settings, delete_index_if_exists, meili_client
from app.services.auth import Actor, create_api_key
from app.services.organisations import create_organisation
from indexer.worker import Indexer
from testkit.meili_server import MeiliServer
from testkit.served_app import served_app
from tests.conftest import _BACKENDS, _MIGRATED, _reset_schema, _truncate, _url_for, offer_payload

# Generated cases per operation and generation mode (positive and negative); each case is
# sent with every caller. 56 operations give ~1,040 cases (3,100 requests) per database in
# about 35 s; FUZZ_EXAMPLES=40 ran 3,124 cases per database (43 operations) in 2 minutes.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
SEED = int(os.environ.get("FUZZ_SEED", "20261204"))
CHECKS = [not_a_server_error, status_code_conformance]

pytestmark = [pytest.mark.served, pytest.mark.meili]


@dataclass
class Target:
    backend: str
    url: str
    callers: dict[str, dict[str, str]]
    log: Path


@dataclass
class Tally:
    cases: int = 0
    requests: int = 0
    started: float = field(default_factory=time.monotonic)


TALLY: dict[str, Tally] = {}


def _seed(url: str) -> dict[str, dict[str, str]]:
    """An admin, a provider with offers, another provider: ids 1-3 exist, so fuzzed ids find
    something now and then."""
    engine = build_engine(url)
    _truncate(engine)
    with Session(engine, expire_on_commit=False) as session:
        system = Actor.system("fuzz")
        orgs = [
            create_organisation(
                session=session,
                actor=system,
                data=OrganisationIn(name=name, kind="provider", trusted=trusted),
            )
            for name, trusted in (("VHS Bochum", True), ("Bildungswerk Ruhr", False))
        ]
        _, admin = create_api_key(session=session, role=Role.admin, organisation_id=None)
        _, provider = create_api_key(
            session=session, role=Role.provider, organisation_id=orgs[0].id
        )
        session.commit()
    engine.dispose()
    return {
        "admin": {"Authorization": f"Bearer {admin}"},
        "provider": {"Authorization": f"Bearer {provider}"},
        "none": {},
    }


@pytest.fixture(scope="module", params=_BACKENDS)
def target(request: pytest.FixtureRequest, meili_server: MeiliServer) -> Iterator[Target]:
    url = _url_for(request.param)
    if url not in _MIGRATED:
        _reset_schema(url)
        _MIGRATED.add(url)
    callers = _seed(url)
    uid = f"fuzz_{secrets.token_hex(4)}"
    client = meili_client(meili_server.url, meili_server.master_key)
    create_index_with_settings(client, uid)
    log = Path(tempfile.mkdtemp(prefix="fuzz-")) / "api.log"
    env = {
        "DATABASE_URL": url,
        "MEILI_URL": meili_server.url,
        "MEILI_MASTER_KEY": meili_server.master_key,
        "MEILI_INDEX": uid,
    }
    try:
        with served_app(env, log=log) as app:
            import httpx

            for n in range(3):  # a few offers to find, change and read
                r = httpx.post(
                    f"{app.url}/api/v1/offers",
                    json=offer_payload(title=f"Buchhaltung Kurs {n}"),
                    headers=callers["provider"],
                )
                assert r.status_code == 201, r.text
            engine = build_engine(url)
            Indexer(engine=engine, client=client, index_uid=uid).drain()
            engine.dispose()
            yield Target(request.param, app.url, callers, log)
    finally:
        delete_index_if_exists(client, uid)
        _truncate_quietly(url)


def _truncate_quietly(url: str) -> None:
    engine = build_engine(url)
    _truncate(engine)
    engine.dispose()


def _operations(target: Target) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{target.url}/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # an operation the document cannot describe
        operations.append(result.ok())
    return operations


def _fuzz(target: Target, operation: Any, mode: GenerationMode, tally: Tally) -> None:
    @hypothesis.seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        tally.cases += 1
        for headers in target.callers.values():
            tally.requests += 1
            response = case.call(base_url=target.url, headers=headers, timeout=30)
            case.validate_response(response, checks=CHECKS, headers=headers)

    run()


def _describe(exc: BaseException) -> str:
    parts = [str(exc)]
    if isinstance(exc, BaseExceptionGroup):
        parts += [_describe(e) for e in exc.exceptions]
    parts += [str(note) for note in getattr(exc, "__notes__", [])]
    return "\n".join(parts)


def test_no_server_error_and_only_documented_status_codes(target: Target) -> None:
    tally = TALLY.setdefault(target.backend, Tally())
    failures: list[str] = []
    operations = _operations(target)
    assert len(operations) >= 40
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(target, operation, mode, tally)
            except hypothesis.errors.Unsatisfiable:
                continue  # nothing to make negative (no parameters, no body)
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
                failures.append(f"{operation.label} ({mode.value}): {_describe(exc)}")
    took = time.monotonic() - tally.started
    print(
        f"\nschemathesis on {target.backend}: {len(operations)} operations, {tally.cases} cases, "
        f"{tally.requests} requests (admin key, provider key, no key) in {took:.0f} s"
    )
    assert not failures, "\n\n".join(failures)
    # At least 1,000 cases in all when CI runs both databases.
    assert tally.cases >= 500 or EXAMPLES < 10
    output = target.log.read_text(errors="replace")
    assert "Traceback" not in output, output[-5000:]
