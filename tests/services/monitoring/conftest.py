"""Searches from several client addresses: the demand recorder tells clients apart by their
address alone, so a test's distinct clients are test clients with addresses of their own."""

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient

from app.main import create_app

ClientAt = Callable[[str], TestClient]


@pytest.fixture
def client_at(client: TestClient) -> Iterator[ClientAt]:
    """A test client whose requests come from the given address (one app each, kept open
    for the test, beside the `client` fixture's)."""
    with ExitStack() as stack:
        made: dict[str, TestClient] = {}

        def at(address: str) -> TestClient:
            if address not in made:
                made[address] = stack.enter_context(
                    TestClient(create_app(), client=(address, 50000), raise_server_exceptions=False)
                )
            return made[address]

        yield at
