"""The CLI's way into the catalogue: every command that reads or writes it checks first that
there is one, and otherwise says where it looked and exits 2, creating nothing."""

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlmodel import Session

from app.config import get_settings
from app.db import catalogue_problem, session_scope


def require_catalogue() -> None:
    """Exit 2 with a plain message when there is no up-to-date catalogue to work on."""
    problem = catalogue_problem(get_settings().sqlalchemy_url)
    if problem is not None:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2)


@contextmanager
def catalogue_session() -> Iterator[Session]:
    """One transaction on the catalogue (commit on success), after `require_catalogue`."""
    require_catalogue()
    with session_scope() as session:
        yield session
